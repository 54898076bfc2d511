using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -M voting` and `--scaler` end to end on small in-memory digit blobs.</summary>
public sealed class TrainVotingCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-voting-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MnistDataset Data() => Synthetic.BlobDataset(trainPerClass: 20, testPerClass: 10, noise: 60);

    [Theory]
    [InlineData("hard")]
    [InlineData("soft")]
    public void Voting_fits_the_svm_the_forest_and_extra_trees_and_saves_them(string mode)
    {
        string outPath = Path.Combine(_directory, $"{mode}.model");
        var (code, output, error, _) = TrainCommandTests.Run(Data(), "-M", "voting", "--voting", mode, "-E", "20", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain($"INFO    Voting: {mode} over svm, forest, extra").And.Contain("INFO    Member svm:").And.Contain("INFO    Member extra:");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("accuracy").GetDouble().Should().Be(1.0, "the blobs are far apart");

        var model = ModelFile.Load<PipelineModel>(outPath);
        model.Transforms.Should().ContainSingle().Which.Should().BeOfType<FittedStandardScaler>();
        var voting = model.Classifier.Should().BeOfType<VotingModel>().Subject;
        voting.Voting.Should().Be(mode == "soft" ? VotingMode.Soft : VotingMode.Hard);
        voting.MemberNames.Should().Equal("svm", "forest", "extra");
        voting.Members[0].Should().BeOfType<SvmModel>().Which.SupportsProbabilities.Should().Be(mode == "soft", "soft voting needs the SVM's probabilities");
        voting.Members[1].Should().BeOfType<ForestModel>().Which.TreeCount.Should().Be(20);
        voting.Members[2].Should().BeOfType<ForestModel>().Which.IsExtraTrees.Should().BeTrue();
        model.SupportsProbabilities.Should().Be(mode == "soft");
    }

    [Theory]
    [InlineData("minmax", typeof(FittedMinMaxScaler))]
    [InlineData("none", null)]
    public void The_scaler_flag_chooses_the_step_before_the_classifier(string scaler, Type? step)
    {
        string outPath = Path.Combine(_directory, $"{scaler}.model");
        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-M", "svm", "--scaler", scaler, "-o", outPath);

        code.Should().Be(0, error);
        var transforms = ModelFile.Load<PipelineModel>(outPath).Transforms;
        if (step is null)
        {
            transforms.Should().BeEmpty();
        }
        else
        {
            transforms.Should().ContainSingle().Which.Should().BeOfType(step);
        }
    }

    [Fact]
    public void The_voting_grid_searches_hard_and_soft()
    {
        string outPath = Path.Combine(_directory, "grid.model");
        var (code, output, error, _) = TrainCommandTests.Run(Data(), "-M", "voting", "-g", "-E", "10", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain("Fitting 5 folds for each of 2 candidates, totalling 10 fits");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("best_params").GetProperty("voting").GetString().Should().BeOneOf("hard", "soft");
    }
}
