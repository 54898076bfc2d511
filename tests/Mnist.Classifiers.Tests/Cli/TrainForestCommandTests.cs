using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -M forest` and `-M extra` end to end with the seed's flags, on a small in-memory dataset.</summary>
public sealed class TrainForestCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-forest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MnistDataset Data()
    {
        // 0, 2 and 7 are 0, 2 and 1 modulo 3: each lights its own pixels.
        static LabeledImages Blobs(int perClass, int seed) => Synthetic.DigitBlobs(perClass, seed, [0, 2, 7], lit: 200, dark: 30, noise: 30);

        return new MnistDataset { Train = Blobs(40, 1), Validation = Blobs(5, 2), Test = Blobs(10, 3), Info = new DatasetInfo("blobs", 0, "none", 1) };
    }

    [Theory]
    [InlineData("forest", "64", false)]
    [InlineData("extra", "16", false)]
    [InlineData("forest", "3", true)]
    public void Forests_train_report_and_save_a_model_that_loads_and_predicts_the_same(string name, string depth, bool outOfBag)
    {
        var data = Data();
        string outPath = Path.Combine(_directory, $"{name}.model");
        string[] args = ["-M", name, "-E", "12", "-D", depth, "-v", "-m", "--json", "-o", outPath, .. (outOfBag ? new[] { "--oob-score" } : [])];
        var (code, output, error, _) = TrainCommandTests.Run(data, args);

        code.Should().Be(0, error);
        error.Should().Contain($"INFO    Training {(name == "extra" ? "an" : "a")} {name} classifier on 120 rows.")
            .And.MatchRegex(@"INFO    Trees: 12; depth reached: \d+; nodes: [\d,]+");
        if (outOfBag)
        {
            error.Should().MatchRegex(@"out-of-bag accuracy: \d\.\d{4}");
        }

        output.Should().Contain("Confusion matrix:");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        var root = json.RootElement;
        root.GetProperty("model").GetString().Should().Be(name);
        root.GetProperty("accuracy").GetDouble().Should().Be(1.0, "the blobs are far apart");

        var model = ModelFile.Load<PipelineModel>(outPath);
        var forest = model.Classifier.Should().BeOfType<ForestModel>().Subject;
        forest.TreeCount.Should().Be(12);
        forest.IsExtraTrees.Should().Be(name == "extra");
        forest.MaxDepthReached.Should().BeLessThanOrEqualTo(int.Parse(depth, System.Globalization.CultureInfo.InvariantCulture));
        root.GetProperty("n_trees").GetInt32().Should().Be(12);
        root.GetProperty("n_nodes").GetInt64().Should().Be(forest.NodeCount);
        root.GetProperty("max_depth_reached").GetInt32().Should().Be(forest.MaxDepthReached);
        root.TryGetProperty("oob_score", out _).Should().Be(outOfBag);
        model.Predict(data.Test.ToFeatures()).Should().Equal(data.Test.LabelsAsInts());
    }

    [Fact]
    public void The_seed_makes_the_forest()
    {
        var data = Data();
        string first = Path.Combine(_directory, "a.model"), second = Path.Combine(_directory, "b.model");
        TrainCommandTests.Run(data, ["-M", "forest", "-E", "5", "--seed", "7", "-o", first]).ExitCode.Should().Be(0);
        TrainCommandTests.Run(data, ["-M", "forest", "-E", "5", "--seed", "7", "--threads", "1", "-o", second]).ExitCode.Should().Be(0);
        var x = data.Test.ToFeatures();
        ModelFile.Load(first).PredictProbabilities(x).Should().BeEquivalentTo(ModelFile.Load(second).PredictProbabilities(x), o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData("forest", "entropy", "balanced")]
    [InlineData("extra", "log_loss", "balanced_subsample")]
    public void Criterion_and_class_weights_reach_the_forest(string name, string criterion, string classWeight)
    {
        // Unequal classes, so that balancing changes the weights: the forest the flags make is the library's with those options.
        var full = Data();
        var data = new MnistDataset { Train = full.Train.Take(100), Validation = full.Validation, Test = full.Test, Info = full.Info };
        string path = Path.Combine(_directory, $"{name}-{criterion}.model");
        var (code, _, error, _) = TrainCommandTests.Run(data, ["-M", name, "-E", "6", "--seed", "4", "--criterion", criterion, "--class-weight", classWeight, "-o", path]);
        code.Should().Be(0, error);

        ForestClassifier options = name == "extra" ? new ExtraTreesClassifier() : new RandomForestClassifier();
        options = options with
        {
            Trees = 6, Seed = 4, Criterion = criterion == "entropy" ? SplitCriterion.Entropy : SplitCriterion.LogLoss,
            ClassWeightMode = classWeight == "balanced" ? ClassWeightMode.Balanced : ClassWeightMode.BalancedSubsample,
        };
        var expected = new Pipeline(new Mnist.Classifiers.Preprocessing.StandardScaler(), (IClassifier)options).Fit(data.Train);
        var x = data.Test.ToFeatures();
        ModelFile.Load(path).PredictProbabilities(x).Should().BeEquivalentTo(expected.PredictProbabilities(x), o => o.WithStrictOrdering());
        var unweighted = Path.Combine(_directory, $"{name}-plain.model");
        TrainCommandTests.Run(data, ["-M", name, "-E", "6", "--seed", "4", "-o", unweighted]).ExitCode.Should().Be(0);
        ((ForestModel)ModelFile.Load<PipelineModel>(unweighted).Classifier).Nodes.ToArray()
            .Should().NotEqual(((ForestModel)ModelFile.Load<PipelineModel>(path).Classifier).Nodes.ToArray(), "the flags change the trees");
    }

    [Theory]
    [InlineData("--criterion must be gini, entropy or log_loss; got 'variance'", "-M", "forest", "--criterion", "variance")]
    [InlineData("--class-weight must be balanced or balanced_subsample; got 'equal'", "-M", "extra", "--class-weight", "equal")]
    [InlineData("OutOfBagScore needs Bootstrap", "-M", "extra", "--oob-score")]
    [InlineData("-E/--estimators must be at least 1", "-M", "forest", "-E", "0")]
    [InlineData("-D/--max_depth must be at least 1", "-M", "extra", "-D", "0")]
    public void Bad_forest_flags_are_refused_before_any_work(string message, params string[] args)
    {
        var (code, _, error, _) = TrainCommandTests.Run(Data(), [.. args, "-o", Path.Combine(_directory, "never.model")]);
        code.Should().Be(1);
        error.Should().Contain(message);
        File.Exists(Path.Combine(_directory, "never.model")).Should().BeFalse();
    }
}
