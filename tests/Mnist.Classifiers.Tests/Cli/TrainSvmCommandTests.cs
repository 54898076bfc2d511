using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -M svm` end to end on a small in-memory dataset of two well separated digit-like blobs.</summary>
public sealed class TrainSvmCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-svm-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static LabeledImages Blobs(int perClass, int seed) =>
        Synthetic.DigitBlobs(perClass, seed, [3, 4, 8], lit: 180, dark: 40, noise: 40);

    private static (int Code, string Output, string Error) Invoke(MnistDataset dataset, params string[] args)
    {
        var (code, output, error, _) = TrainCommandTests.Run(dataset, args);
        return (code, output, error);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("scale")]
    [InlineData("0.05")]
    public void Svm_trains_reports_and_saves_a_model_that_loads_and_predicts_the_same(string gamma)
    {
        var data = new MnistDataset { Train = Blobs(30, 1), Validation = Blobs(5, 2), Test = Blobs(10, 3), Info = new DatasetInfo("blobs", 0, "none", 1) };
        string outPath = Path.Combine(_directory, $"svm-{gamma}.model");
        var (code, output, error) = Invoke(data, "-M", "svm", "-C", "8", "-G", gamma, "-v", "-m", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain("INFO    Training a svm classifier on 90 rows.").And.MatchRegex(@"INFO    Support vectors: \d+ \(per class: \d+, \d+, \d+\)")
            .And.MatchRegex(@"INFO    SMO iterations: \d+ over 3 one-vs-one problems").And.MatchRegex(@"INFO    Training time: \d+\.\d\ds");
        error.Should().Contain("INFO    Pair problems: 3 of 3", "off a terminal, -v shows the fit's progress as plain lines");
        output.Should().Contain("Confusion matrix:").And.Contain("accuracy");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("model").GetString().Should().Be("svm");
        json.RootElement.GetProperty("accuracy").GetDouble().Should().Be(1.0, "the blobs are far apart");

        var model = ModelFile.Load<PipelineModel>(outPath);
        var svm = model.Classifier.Should().BeOfType<SvmModel>().Subject;
        json.RootElement.GetProperty("n_support").GetInt32().Should().Be(svm.SupportVectorCount);
        svm.Gamma.Should().BeApproximately(gamma switch { "auto" => 1.0 / 36, "0.05" => 0.05, _ => svm.Gamma }, 1e-15);
        model.Predict(data.Test.ToFeatures()).Should().Equal(data.Test.LabelsAsInts());
    }

    [Fact]
    public void Probability_flag_gives_a_model_with_probabilities()
    {
        var data = new MnistDataset { Train = Blobs(30, 4), Validation = Blobs(5, 5), Test = Blobs(10, 6), Info = new DatasetInfo("blobs", 0, "none", 1) };
        string outPath = Path.Combine(_directory, "svm-probability.model");
        var (code, _, error) = Invoke(data, "-M", "svm", "--probability", "--kernel", "poly", "--degree", "2", "--coef0", "1", "-o", outPath);
        code.Should().Be(0, error);
        var model = ModelFile.Load<PipelineModel>(outPath);
        var svm = (SvmModel)model.Classifier;
        svm.SupportsProbabilities.Should().BeTrue();
        model.SupportsProbabilities.Should().BeTrue();
        svm.Kernel.Should().Be(SvmKernelType.Polynomial);
        svm.Degree.Should().Be(2);
        model.PredictProbabilities(data.Test.ToFeatures()).GetLength(1).Should().Be(3);
    }
}
