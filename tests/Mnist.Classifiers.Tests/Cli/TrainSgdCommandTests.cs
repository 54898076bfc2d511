using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -M sgd` end to end on small in-memory digit blobs, for every loss and penalty of the original's flags.</summary>
public sealed class TrainSgdCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-sgd-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MnistDataset Data() => Synthetic.BlobDataset(trainPerClass: 30, testPerClass: 10, noise: 40);

    public static TheoryData<string, string, SgdLoss, SgdPenalty> Combinations()
    {
        var data = new TheoryData<string, string, SgdLoss, SgdPenalty>();
        var losses = new (string, SgdLoss)[]
        {
            ("hinge", SgdLoss.Hinge), ("log", SgdLoss.LogLoss), ("log_loss", SgdLoss.LogLoss), ("modified_huber", SgdLoss.ModifiedHuber),
            ("squared_hinge", SgdLoss.SquaredHinge), ("perceptron", SgdLoss.Perceptron), ("squared_error", SgdLoss.SquaredError),
            ("huber", SgdLoss.Huber), ("epsilon_insensitive", SgdLoss.EpsilonInsensitive), ("squared_epsilon_insensitive", SgdLoss.SquaredEpsilonInsensitive),
        };
        var penalties = new (string, SgdPenalty)[] { ("l2", SgdPenalty.L2), ("l1", SgdPenalty.L1), ("elasticnet", SgdPenalty.ElasticNet) };
        foreach (var (lossName, loss) in losses)
        {
            foreach (var (penaltyName, penalty) in penalties)
            {
                data.Add(lossName, penaltyName, loss, penalty);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Every_loss_and_penalty_trains_and_saves_an_sgd_model(string lossName, string penaltyName, SgdLoss loss, SgdPenalty penalty)
    {
        string outPath = Path.Combine(_directory, $"{lossName}-{penaltyName}.model");
        var (code, output, error, _) = TrainCommandTests.Run(
            Data(), "-M", "sgd", "-L", lossName, "-P", penaltyName, "-A", "0.001", "--max-iter", "20", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().MatchRegex(@"INFO    SGD: 3 one-vs-rest problem\(s\); epochs: \d+");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("n_iter").GetInt32().Should().BeInRange(1, 20);
        var model = ModelFile.Load<PipelineModel>(outPath);
        var sgd = model.Classifier.Should().BeOfType<SgdModel>().Subject;
        sgd.Loss.Should().Be(loss);
        sgd.SupportsProbabilities.Should().Be(loss is SgdLoss.LogLoss or SgdLoss.ModifiedHuber);
        if (loss is SgdLoss.Hinge or SgdLoss.LogLoss or SgdLoss.ModifiedHuber or SgdLoss.SquaredHinge or SgdLoss.Perceptron)
        {
            // The classification losses separate these blobs; the regression losses fit ±1 targets with scikit-learn's
            // "optimal" steps, which need not classify well in 20 epochs (scikit-learn's own behaviour).
            json.RootElement.GetProperty("accuracy").GetDouble().Should().BeGreaterThan(0.9, $"{lossName}, {penaltyName}");
        }

        var expected = new SgdClassifier { Loss = loss, Penalty = penalty, Alpha = 0.001, MaxIterations = 20 };
        sgd.Coefficients(0).ToArray().Should().Equal(
            ((SgdModel)new Pipeline(new Classifiers.Preprocessing.StandardScaler(), expected).Fit(Data().Train.ToFeatures(), Data().Train.LabelsAsInts()).Classifier)
                .Coefficients(0).ToArray(),
            "the flags map to the options: the same model as the library's");
    }

    [Fact]
    public void Average_makes_an_averaged_sgd_model()
    {
        string outPath = Path.Combine(_directory, "averaged.model");
        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-M", "sgd", "-L", "log_loss", "--max-iter", "5", "--average", "1", "-o", outPath);

        code.Should().Be(0, error);
        var sgd = (SgdModel)ModelFile.Load<PipelineModel>(outPath).Classifier;
        sgd.AverageStart.Should().Be(1);
        sgd.UsesAverage.Should().BeTrue();
        sgd.Iterations.Should().BeLessThanOrEqualTo(5);
    }

    [Theory]
    [InlineData("-L/--loss must be one of hinge, log, log_loss", "-L", "cubic")]
    [InlineData("-P/--penalty must be one of l2, l1, elasticnet, none; got 'l3'", "-P", "l3")]
    [InlineData("Average must be 0 (off) or more, not -2", "--average", "-2")]
    public void Bad_sgd_flags_are_refused(string message, params string[] flags)
    {
        var (code, _, error, _) = TrainCommandTests.Run(Data(), ["-M", "sgd", .. flags]);
        code.Should().Be(1);
        error.Should().Contain(message);
    }
}
