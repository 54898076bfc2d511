using System.CommandLine;
using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Metrics;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>The train command end to end on an in-memory dataset (no HDF5 involved).</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static LabeledImages Split(int[] labels, int columns, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[labels.Length * columns];
        random.NextBytes(pixels);
        return new LabeledImages(pixels, labels.Select(l => (byte)l).ToArray(), columns);
    }

    /// <summary>Training labels where 7 is the most frequent (but not in the first 10 rows, where 1 is).</summary>
    internal static MnistDataset Synthetic() => new()
    {
        Train = Split([1, 1, 1, 2, 3, 4, 5, 6, 8, 9, 7, 7, 7, 7, 7, 0, 2, 3], 16, 1),
        Validation = Split([7, 7, 7, 1, 2], 16, 2),
        Test = Split([0, 1, 2, 3, 7, 7, 7, 8, 9, 7], 16, 3),
        Info = new DatasetInfo("synthetic", 0, "none", 1),
    };

    /// <summary>Runs <c>mnist train ARGS</c> with <paramref name="dataset"/> standing in for the HDF5 file.</summary>
    internal static (int ExitCode, string Output, string Error, string? DatasetPath) Run(MnistDataset dataset, params string[] args)
    {
        var root = new RootCommand();
        string? requested = null;
        root.Subcommands.Add(TrainCommand.Create(path => { requested = path; return dataset; }));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(["train", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString(), requested);
    }

    private (int ExitCode, string Output, string Error) Invoke(MnistDataset dataset, params string[] args)
    {
        var (code, output, error, requested) = Run(dataset, args);
        LastDatasetPath = requested;
        return (code, output, error);
    }

    private string? LastDatasetPath { get; set; }

    [Fact]
    public void Dummy_prints_report_and_matrix_and_saves_a_loadable_model()
    {
        var data = Synthetic();
        string outPath = Path.Combine(_directory, "dummy.bin");
        var (code, output, error) = Invoke(data, "-M", "dummy", "-m", "-v", "-o", outPath, "-d", "some.h5");

        code.Should().Be(0, error);
        LastDatasetPath.Should().Be("some.h5");
        int[] truth = data.Test.LabelsAsInts();
        int[] predicted = Enumerable.Repeat(7, truth.Length).ToArray();
        string expected = ClassificationReport.Compute(truth, predicted).ToText() + "\n" + "Confusion matrix:\n"
            + ConfusionMatrix.Compute(truth, predicted).ToText() + "\n";
        output.Should().Be(expected);

        error.Should().Contain("INFO    Loading dataset from some.h5\n")
            .And.Contain("INFO    Training a dummy classifier on 18 rows.")
            .And.MatchRegex(@"INFO    Training time: \d+\.\d\ds")
            .And.Contain("INFO    Metrics computed on the test set");

        var model = ModelFile.Load<PipelineModel>(outPath);
        model.Transforms.Should().ContainSingle().Which.Should().BeOfType<FittedStandardScaler>();
        model.Classifier.Should().BeOfType<DummyModel>().Which.MostFrequentClass.Should().Be(7);
        model.Predict(data.Test.ToFeatures()).Should().Equal(predicted);
    }

    [Fact]
    public void Validation_flag_scores_the_validation_split()
    {
        var (code, output, error) = Invoke(Synthetic(), "-M", "dummy", "-m", "-V", "-v", "-o", Path.Combine(_directory, "m.bin"));
        code.Should().Be(0, error);
        error.Should().Contain("Metrics computed on the validation set");
        output.Should().StartWith(ClassificationReport.Compute([7, 7, 7, 1, 2], [7, 7, 7, 7, 7]).ToText());
    }

    [Fact]
    public void Train_size_and_json_summary()
    {
        string outPath = Path.Combine(_directory, "small.bin");
        var (code, output, error) = Invoke(Synthetic(), "-M", "dummy", "--train-size", "10", "--json", "-o", outPath);
        code.Should().Be(0, error);
        error.Should().BeEmpty("nothing is logged without --verbose");

        string lastLine = output.TrimEnd('\n').Split('\n')[^1];
        using var json = JsonDocument.Parse(lastLine);
        var root = json.RootElement;
        root.GetProperty("model").GetString().Should().Be("dummy");
        root.GetProperty("n_train").GetInt32().Should().Be(10);
        root.GetProperty("fit_seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        root.GetProperty("predict_seconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        // The first 10 rows make 1 the most frequent label; the test split holds one 1 in 10 rows.
        root.GetProperty("accuracy").GetDouble().Should().Be(0.1);
        root.TryGetProperty("n_support", out _).Should().BeFalse("the dummy model has no support vectors");
        ModelFile.Load<PipelineModel>(outPath).Predict(Synthetic().Test.ToFeatures()).Should().AllBeEquivalentTo(1);
    }

    [Fact]
    public void Default_output_path_is_model_bin_in_the_working_directory()
    {
        // Runs the logic directly (not through Invoke) to check the defaults without touching the real working directory.
        var settings = new TrainSettings { Model = "dummy", OutPath = Path.Combine(_directory, "model.bin") };
        new TrainSettings().OutPath.Should().Be("model.bin");
        new TrainSettings().Dataset.Should().Be("data.h5");
        TrainCommand.Run(settings, Synthetic(), TextWriter.Null, TextWriter.Null).Should().Be(0);
        File.Exists(settings.OutPath).Should().BeTrue();
    }

    [Theory]
    [InlineData("--kernel must be rbf, poly, linear or sigmoid; got 'cubic'", "-M", "svm", "--kernel", "cubic")]
    [InlineData("--threads must be -1 (one per processor) or at least 1; got 0", "-M", "svm", "--threads", "0")]
    [InlineData("--cache-size must be a positive number of MB; got -5", "-M", "svm", "--cache-size", "-5")]
    [InlineData("--degree must be 0 or more; got -1", "-M", "svm", "--degree", "-1")]
    [InlineData("--voting must be hard or soft; got 'loud'", "-M", "voting", "--voting", "loud")]
    [InlineData("--scaler must be standard, minmax or none; got 'log'", "-M", "dummy", "--scaler", "log")]
    [InlineData("Unknown model 'knn'; allowed values: svm, forest, extra, sgd, voting, dummy", "-M", "knn")]
    [InlineData("-C/--regularization must be a positive number; got -1", "-M", "dummy", "-C", "-1")]
    [InlineData("-G/--gamma must be a positive number, 'scale' or 'auto'; got 'big'", "-M", "dummy", "-G", "big")]
    [InlineData("-P/--penalty must be one of l2, l1, elasticnet, none; got 'l3'", "-M", "dummy", "-P", "l3")]
    [InlineData("--train-size must be at least 1; got 0", "-M", "dummy", "--train-size", "0")]
    [InlineData("--train-size 100 is larger than the 18 training rows", "-M", "dummy", "--train-size", "100")]
    public void Bad_options_fail_with_a_clear_message_and_write_nothing(string message, params string[] args)
    {
        string outPath = Path.Combine(_directory, "never.bin");
        var (code, output, error) = Invoke(Synthetic(), [.. args, "-o", outPath]);
        code.Should().NotBe(0);
        error.Should().Contain(message);
        output.Should().BeEmpty();
        File.Exists(outPath).Should().BeFalse();
    }

    [Fact]
    public void Dataset_load_failure_names_the_file()
    {
        var root = new RootCommand();
        root.Subcommands.Add(TrainCommand.Create(path => throw new FileNotFoundException($"Could not find '{path}'.")));
        var error = new StringWriter();
        int code = root.Parse(["train", "-M", "dummy", "-d", "missing.h5"]).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = error });
        code.Should().Be(1);
        error.ToString().Should().Contain("cannot load the dataset 'missing.h5'");
    }
}
