using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Cli;
using SixLabors.ImageSharp;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist predict` end to end: a forest that tells horizontal bars (label 0) from vertical ones (label 1), and bar pictures.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-predict-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string TrainModel()
    {
        string path = Path.Combine(_directory, "bars.model");
        ModelFile.Save(BarPictures.Model(), path);
        return path;
    }

    private string WriteBar(string name, bool vertical, int seed)
    {
        string path = Path.Combine(_directory, name);
        using var bar = BarPictures.Bar(vertical, new Random(seed));
        bar.Save(path);
        return path;
    }

    [Fact]
    public void Each_image_gets_one_line_with_its_digit()
    {
        string model = TrainModel();
        string[] images = [WriteBar("h.png", false, 11), WriteBar("v.jpg", true, 12), WriteBar("v.bmp", true, 13), WriteBar("h.gif", false, 14)];
        var (output, error) = (new StringWriter(), new StringWriter());

        int code = PredictCommand.Run(model, images, verbose: false, output, error);

        code.Should().Be(0, error.ToString());
        output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Should().Equal($"{images[0]}: 0", $"{images[1]}: 1", $"{images[2]}: 1", $"{images[3]}: 0");
    }

    [Fact]
    public void Verbose_adds_the_probabilities_of_a_model_that_has_them()
    {
        string model = TrainModel();
        var output = new StringWriter();

        PredictCommand.Run(model, [WriteBar("v.png", true, 21)], verbose: true, output, TextWriter.Null).Should().Be(0);

        output.ToString().Should().MatchRegex(@"v\.png: 1 \(0: 0\.\d{3}, 1: (0|1)\.\d{3}\)");
    }

    [Fact]
    public void A_file_that_cannot_be_read_gets_an_error_line_and_the_others_are_still_predicted()
    {
        string model = TrainModel();
        string text = Path.Combine(_directory, "notes.png");
        File.WriteAllText(text, "not an image");
        string missing = Path.Combine(_directory, "missing.png");
        string good = WriteBar("v.png", true, 31);
        var (output, error) = (new StringWriter(), new StringWriter());

        int code = PredictCommand.Run(model, [text, missing, good], verbose: false, output, error);

        code.Should().Be(1, "some files failed");
        output.ToString().Should().Be($"{good}: 1\n");
        error.ToString().Should().Contain($"error: {text}: The data is not a PNG, JPEG, BMP or GIF image.")
            .And.Contain($"error: {missing}: The image '{missing}' does not exist.");
    }

    [Fact]
    public void A_bad_model_is_refused_with_one_line()
    {
        var error = new StringWriter();
        string missing = Path.Combine(_directory, "none.model");
        PredictCommand.Run(missing, ["x.png"], false, TextWriter.Null, error).Should().Be(1);
        error.ToString().Should().Contain($"cannot load the model '{missing}'");

        string narrow = Path.Combine(_directory, "narrow.model");
        ModelFile.Save(new DummyClassifier().Fit(new FeatureMatrix(new float[6], 3), [1, 2]), narrow);
        error = new StringWriter();
        PredictCommand.Run(narrow, ["x.png"], false, TextWriter.Null, error).Should().Be(1);
        error.ToString().Should().Contain("takes 3 features, not the 784 pixels of a 28x28 digit");
    }
}
