using Mnist.Classifiers.Data;
using SixLabors.ImageSharp;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train --plot DIR` writes its PNG pictures.</summary>
public sealed class TrainPlotCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-plot-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MnistDataset Data() => Synthetic.BlobDataset(trainPerClass: 20, testPerClass: 30, noise: 90);

    [Fact]
    public void A_forest_gets_the_confusion_matrix_the_mistakes_and_the_importances()
    {
        string plots = Path.Combine(_directory, "plots");
        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-M", "forest", "-E", "5", "-D", "2", "--plot", plots, "-v", "-o", Path.Combine(_directory, "m.bin"));

        code.Should().Be(0, error);
        error.Should().Contain($"INFO    Plots written to {plots}: confusion-matrix.png, misclassified.png, feature-importances.png");
        using (var confusion = Image.Load(Path.Combine(plots, "confusion-matrix.png")))
        {
            confusion.Width.Should().Be(30 + (3 * 40) + 4, "three labels, 40 pixels a cell, a 30-pixel margin for the labels");
        }

        using (var importances = Image.Load(Path.Combine(plots, "feature-importances.png")))
        {
            importances.Width.Should().Be(60, "6 x 6 pixels drawn 10 times larger");
        }

        Image.Identify(Path.Combine(plots, "misclassified.png")).Should().NotBeNull();
        Directory.GetFiles(plots).Should().HaveCount(3, "no temporary file is left");
    }

    [Fact]
    public void A_model_without_importances_gets_two_pictures()
    {
        string plots = Path.Combine(_directory, "svm-plots");
        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-M", "svm", "--plot", plots, "-o", Path.Combine(_directory, "s.bin"));

        code.Should().Be(0, error);
        Directory.GetFiles(plots).Select(Path.GetFileName).Should().BeEquivalentTo("confusion-matrix.png", "misclassified.png");
    }
}
