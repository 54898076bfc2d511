using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;
using Mnist.Classifiers.Trees;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Pictures of bars, horizontal (label 0) or vertical (label 1), and a forest that tells them apart after
/// <see cref="DigitImage"/>'s normalisation: a 784-feature model for the tests of <c>mnist predict</c> and the web page.
/// </summary>
internal static class BarPictures
{
    /// <summary>A white page of random size with a black bar of random length, thickness and place.</summary>
    public static Image<Rgb24> Bar(bool vertical, Random random)
    {
        int width = random.Next(60, 200), height = random.Next(60, 200);
        var image = new Image<Rgb24>(width, height, new Rgb24(255, 255, 255));
        int length = random.Next(30, Math.Min(width, height) - 10), thickness = random.Next(4, 10);
        int left = random.Next(0, width - (vertical ? thickness : length)), top = random.Next(0, height - (vertical ? length : thickness));
        for (int y = 0; y < (vertical ? length : thickness); y++)
        {
            for (int x = 0; x < (vertical ? thickness : length); x++)
            {
                image[left + x, top + y] = new Rgb24(0, 0, 0);
            }
        }

        return image;
    }

    /// <summary>The PNG bytes of a bar.</summary>
    public static byte[] Png(bool vertical, int seed)
    {
        using var bar = Bar(vertical, new Random(seed));
        using var png = new MemoryStream();
        bar.SaveAsPng(png);
        return png.ToArray();
    }

    /// <summary>A 10-tree forest fitted on 60 normalised bar pictures (labels 0 horizontal, 1 vertical).</summary>
    public static ForestModel Model()
    {
        var rows = new List<float[]>();
        var labels = new List<int>();
        for (int i = 0; i < 60; i++)
        {
            bool vertical = i % 2 == 1;
            rows.Add(DigitImage.ToMnistPixels(Png(vertical, 1000 + i)));
            labels.Add(vertical ? 1 : 0);
        }

        return new RandomForestClassifier { Trees = 10, Seed = 1 }.Fit(FeatureMatrix.FromRows(rows), labels.ToArray());
    }
}
