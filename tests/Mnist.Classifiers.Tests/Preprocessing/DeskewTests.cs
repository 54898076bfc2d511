using System.Globalization;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Tests.Preprocessing;

public class DeskewTests
{
    [Fact]
    public void A_slanted_bar_becomes_vertical_and_centred()
    {
        // A one-pixel-wide bar leaning right by one column every two rows, off centre.
        var image = new float[784];
        for (int r = 6; r < 22; r++)
        {
            image[r * 28 + 4 + (r - 6) / 2] = 255;
        }

        var deskewed = new Deskew().Fit(new FeatureMatrix(image, 784)).Transform(new FeatureMatrix(image, 784)).ToArray();

        // After the shear every row's ink sits at (nearly) the same column: the bar's slope is gone.
        var columnsOfInk = Enumerable.Range(6, 16).Select(r => CentreOfRow(deskewed, r)).ToArray();
        columnsOfInk.Max().Should().BeLessThan(columnsOfInk.Min() + 1.01, "a sheared staircase keeps at most its one-pixel steps");
        var before = Enumerable.Range(6, 16).Select(r => CentreOfRow(image, r)).ToArray();
        (before.Max() - before.Min()).Should().Be(7, "the bar leaned by seven columns before");
        // And the ink's centre of mass moves to the reference's centre (14, 14).
        double total = deskewed.Sum(v => (double)v);
        double meanColumn = Enumerable.Range(0, 784).Sum(p => p % 28 * (double)deskewed[p]) / total;
        meanColumn.Should().BeApproximately(14, 0.05);
        total.Should().BeApproximately(16 * 255, 16 * 255 * 1e-3, "bilinear resampling inside the image keeps the ink");
    }

    [Fact]
    public void A_blank_image_is_copied_and_a_wrong_width_is_refused()
    {
        var blank = new FeatureMatrix(new float[2 * 784], 784);
        new Deskew().Fit(blank).Transform(blank).ToArray().Should().OnlyContain(v => v == 0);

        var act = () => new Deskew().Fit(new FeatureMatrix(new float[10], 10));
        act.Should().Throw<ArgumentException>().WithMessage("*28x28 images (784 features a row); the rows have 10 features*");
    }

    [Fact]
    public void The_output_does_not_depend_on_the_thread_count_and_survives_a_model_file()
    {
        var images = Synthetic.Images(300, 5).ToFeatures();
        var fitted = new Deskew().Fit(images);
        var one = fitted.Transform(images, ComputeBudget.Default.WithThreads(1)).ToArray();
        fitted.Transform(images, ComputeBudget.Default.WithThreads(4)).ToArray().Should().Equal(one);

        using var dir = new TempDirectory();
        var model = new PipelineModel([fitted], new DummyClassifier().Fit(images, new int[images.Rows]));
        ModelFile.Save(model, dir.File("m.bin"));
        var loaded = ModelFile.Load<PipelineModel>(dir.File("m.bin"));
        loaded.Transforms.Should().ContainSingle().Which.Should().BeOfType<FittedDeskew>();
        loaded.Transform(images).ToArray().Should().Equal(one);
    }

    [MnistPythonFact("numpy", "scipy.ndimage")]
    public void Matches_the_numpy_scipy_deskew_on_real_digits()
    {
        var test = MnistFetcher.LoadLocal(SharedMnist.Directory!).Test.Take(12);
        var ours = new Deskew().Fit(test.ToFeatures()).Transform(test.ToFeatures()).ToArray();
        string input = PythonReference.WriteRaw<byte>(test.Pixels);
        try
        {
            // The widely used deskew (moments, then affine_transform), with bilinear interpolation and grid-constant edges.
            var output = PythonReference.Run("""
                import sys, numpy as np
                from scipy.ndimage import affine_transform
                def moments(image):
                    c0, c1 = np.mgrid[:image.shape[0], :image.shape[1]]
                    total = np.sum(image)
                    m0 = np.sum(c0 * image) / total
                    m1 = np.sum(c1 * image) / total
                    m00 = np.sum((c0 - m0) ** 2 * image) / total
                    m01 = np.sum((c0 - m0) * (c1 - m1) * image) / total
                    return np.array([m0, m1]), m00, m01
                def deskew(image):
                    c, m00, m01 = moments(image)
                    alpha = m01 / m00
                    affine = np.array([[1, 0], [alpha, 1]])
                    offset = c - np.dot(affine, np.array(image.shape) / 2.0)
                    return affine_transform(image, affine, offset=offset, order=1, mode='grid-constant', cval=0.0)
                images = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(-1, 28, 28).astype(np.float64)
                for image in images:
                    print(' '.join(repr(float(v)) for v in deskew(image).ravel()))
                """, input).Split('\n', StringSplitOptions.RemoveEmptyEntries);

            output.Should().HaveCount(12);
            double worst = 0;
            for (int i = 0; i < 12; i++)
            {
                var reference = output[i].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                for (int p = 0; p < 784; p++)
                {
                    worst = Math.Max(worst, Math.Abs(ours[i * 784 + p] - reference[p]));
                }
            }

            // Single-precision output of 0-255 pixels: a few ulps of 255.
            worst.Should().BeLessThan(1e-3);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static double CentreOfRow(float[] image, int row)
    {
        double ink = 0, moment = 0;
        for (int c = 0; c < 28; c++)
        {
            ink += image[row * 28 + c];
            moment += c * (double)image[row * 28 + c];
        }

        return moment / ink;
    }
}
