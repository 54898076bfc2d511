using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train --deskew --pca N --virtual-sv SPEC` end to end on small 28x28 bar images.</summary>
public sealed class TrainImageStepsCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-image-steps-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Label 0: a slanted vertical bar; label 1: a horizontal bar; at random places, with a little noise.</summary>
    private static LabeledImages Bars(int perClass, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[2 * perClass * 784];
        var labels = new byte[2 * perClass];
        for (int i = 0; i < 2 * perClass; i++)
        {
            labels[i] = (byte)(i % 2);
            Span<byte> image = pixels.AsSpan(i * 784, 784);
            int r0 = random.Next(6, 12), c0 = random.Next(6, 12);
            for (int t = 0; t < 12; t++)
            {
                int row = labels[i] == 0 ? r0 + t : r0 + 5;
                int column = labels[i] == 0 ? c0 + t / 3 : c0 + t;
                image[row * 28 + column] = 255;
            }

            image[random.Next(784)] = (byte)random.Next(60);
        }

        return new LabeledImages(pixels, labels, 784);
    }

    private static MnistDataset Dataset() => new() { Train = Bars(40, 1), Validation = Bars(5, 2), Test = Bars(20, 3), Info = new DatasetInfo("bars", 0, "none", 1) };

    [Fact]
    public void Deskew_pca_and_virtual_support_vectors_make_the_pipeline_in_order_and_report_the_second_fit()
    {
        string outPath = Path.Combine(_directory, "vsv.model");
        var (code, output, error, _) = TrainCommandTests.Run(
            Dataset(), "-M", "svm", "--deskew", "--scaler", "minmax", "--pca", "6", "--virtual-sv", "shift1x4,rot10", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        var reported = System.Text.RegularExpressions.Regex.Match(
            error, @"INFO    Virtual support vectors: first fit on 80 rows in \d+\.\d\ds found (\d+) support vectors; copies made in \d+\.\d\ds; second fit on (\d+) rows in \d+\.\d\ds");
        reported.Success.Should().BeTrue(error);
        int.Parse(reported.Groups[2].Value).Should().Be(7 * int.Parse(reported.Groups[1].Value), "four shifts and two rotations per support vector");
        error.Should().MatchRegex(@"INFO    Support vectors: \d+");

        var model = ModelFile.Load<PipelineModel>(outPath);
        model.Transforms.Should().ContainSingle().Which.Should().BeOfType<FittedDeskew>();
        var inner = model.Classifier.Should().BeOfType<PipelineModel>().Subject;
        inner.Transforms.Select(t => t.GetType()).Should().Equal(typeof(FittedMinMaxScaler), typeof(FittedPca));
        ((FittedPca)inner.Transforms[1]).ComponentCount.Should().Be(6);
        var svm = inner.Classifier.Should().BeOfType<SvmModel>().Subject;
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("n_support").GetInt32().Should().Be(svm.SupportVectorCount);
        json.RootElement.GetProperty("accuracy").GetDouble().Should().Be(1.0, "bars and their shifts are told apart easily");
    }

    [Fact]
    public void Deskew_and_pca_alone_are_steps_of_one_pipeline()
    {
        string outPath = Path.Combine(_directory, "pca.model");
        var (code, _, error, _) = TrainCommandTests.Run(Dataset(), "-M", "sgd", "--deskew", "--pca", "3", "-o", outPath);
        code.Should().Be(0, error);
        var model = ModelFile.Load<PipelineModel>(outPath);
        model.Transforms.Select(t => t.GetType()).Should().Equal(typeof(FittedDeskew), typeof(FittedStandardScaler), typeof(FittedPca));
    }

    [Theory]
    [InlineData("--virtual-sv: cannot read 'shift1x5'", "--virtual-sv", "shift1x5")]
    [InlineData("--virtual-sv: cannot read 'rot'", "--virtual-sv", "shift1x4,rot")]
    [InlineData("--virtual-sv works with -M svm only", "-M", "forest", "--virtual-sv", "shift1x4")]
    [InlineData("--virtual-sv cannot be combined with -g", "-g", "--virtual-sv", "shift1x4")]
    [InlineData("--pca must be at least 1; got 0", "--pca", "0")]
    public void Bad_flags_fail_with_a_clear_message(string message, params string[] args)
    {
        var (code, _, error, _) = TrainCommandTests.Run(Dataset(), [.. args, "-o", Path.Combine(_directory, "bad.model")]);
        code.Should().Be(1);
        error.Should().Contain(message);
        File.Exists(Path.Combine(_directory, "bad.model")).Should().BeFalse();
    }

    [Fact]
    public void The_spec_lists_shifts_then_rotations_in_the_order_given()
    {
        var (shifts, rotations) = ImageSteps.ParseVirtualSv("shift2x4, shift1x8,rot7.5");
        shifts.Should().Equal((-2, 0), (2, 0), (0, -2), (0, 2), (-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, -1), (-1, 1), (1, 1));
        rotations.Should().Equal(-7.5, 7.5);
    }
}
