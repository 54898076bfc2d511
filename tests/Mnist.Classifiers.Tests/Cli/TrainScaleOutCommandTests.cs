using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Persistence;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -g --shard K/N --results DIR` and `--merge DIR` on small in-memory digit blobs.</summary>
public sealed class TrainScaleOutCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static MnistDataset Data() => Synthetic.BlobDataset(trainPerClass: 25, testPerClass: 10, noise: 60);

    [Fact]
    public void Three_shards_merged_report_and_save_what_the_local_search_does()
    {
        string results = _temp.File("results");
        for (int k = 0; k < 3; k++)
        {
            var (code, output, error, _) = TrainCommandTests.Run(Data(), "-g", "--shard", $"{k}/3", "--results", results, "--json", "-o", _temp.File("unused.model"));
            code.Should().Be(0, error);
            output.Should().StartWith($"Shard {k}/3: ").And.Contain("of 5 work units").And.Contain("mnist train -g --merge");
            using var shardJson = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
            shardJson.RootElement.GetProperty("total_units").GetInt32().Should().Be(5, "the 8 SVM candidates share one unit per fold");
            shardJson.RootElement.GetProperty("units").GetInt32().Should().Be(k < 2 ? 2 : 1);
        }

        File.Exists(_temp.File("unused.model")).Should().BeFalse("a shard writes no model");
        Directory.GetFiles(results, SearchUnitFile.Pattern).Should().HaveCount(5);

        var merged = TrainCommandTests.Run(Data(), "-g", "--merge", results, "-v", "--json", "-o", _temp.File("merged.model"));
        var local = TrainCommandTests.Run(Data(), "-g", "-v", "--json", "-o", _temp.File("local.model"));

        merged.ExitCode.Should().Be(0, merged.Error);
        local.ExitCode.Should().Be(0, local.Error);
        merged.Error.Should().Contain("Fitting 5 folds for each of 8 candidates, totalling 40 fits").And.Contain("Merged the shards' results from");
        using var mergedJson = JsonDocument.Parse(merged.Output.TrimEnd('\n').Split('\n')[^1]);
        using var localJson = JsonDocument.Parse(local.Output.TrimEnd('\n').Split('\n')[^1]);
        foreach (string field in new[] { "best_score", "accuracy", "n_support" })
        {
            mergedJson.RootElement.GetProperty(field).GetDouble().Should().Be(localJson.RootElement.GetProperty(field).GetDouble(), field);
        }

        mergedJson.RootElement.GetProperty("best_params").GetRawText().Should().Be(localJson.RootElement.GetProperty("best_params").GetRawText());
        ModelFiles.BytesWithoutFitTime(ModelFile.Load(_temp.File("merged.model")))
            .Should().Equal(ModelFiles.BytesWithoutFitTime(ModelFile.Load(_temp.File("local.model"))));
    }

    [Fact]
    public void Unit_per_fit_makes_forty_units_whose_merge_matches_the_shared_local_search()
    {
        string results = _temp.File("results");
        var shard = TrainCommandTests.Run(Data(), "-g", "--unit-per-fit", "--shard", "0/1", "--results", results, "--json");
        shard.ExitCode.Should().Be(0, shard.Error);
        using var shardJson = JsonDocument.Parse(shard.Output.TrimEnd('\n').Split('\n')[^1]);
        shardJson.RootElement.GetProperty("total_units").GetInt32().Should().Be(40);

        var shared = TrainCommandTests.Run(Data(), "-g", "--merge", results, "-o", _temp.File("shared.model"));
        var merged = TrainCommandTests.Run(Data(), "-g", "--unit-per-fit", "--merge", results, "--json", "-o", _temp.File("merged.model"));
        var local = TrainCommandTests.Run(Data(), "-g", "--json", "-o", _temp.File("local.model"));

        shared.ExitCode.Should().Be(1, "the merge must be told the units are per fit");
        shared.Error.Should().Contain("was computed for another search");
        merged.ExitCode.Should().Be(0, merged.Error);
        using var mergedJson = JsonDocument.Parse(merged.Output.TrimEnd('\n').Split('\n')[^1]);
        using var localJson = JsonDocument.Parse(local.Output.TrimEnd('\n').Split('\n')[^1]);
        mergedJson.RootElement.GetProperty("best_score").GetDouble().Should().Be(localJson.RootElement.GetProperty("best_score").GetDouble());
        ModelFiles.BytesWithoutFitTime(ModelFile.Load(_temp.File("merged.model")))
            .Should().Equal(ModelFiles.BytesWithoutFitTime(ModelFile.Load(_temp.File("local.model"))));
    }

    [Fact]
    public void A_merge_with_a_shard_missing_names_its_units_and_writes_no_model()
    {
        string results = _temp.File("results");
        TrainCommandTests.Run(Data(), "-g", "--shard", "0/2", "--results", results).ExitCode.Should().Be(0);

        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-g", "--merge", results, "-o", _temp.File("merged.model"));

        code.Should().Be(1);
        error.Should().StartWith("error: cannot merge the search results: 2 of the 5 work units have no results file").And.Contain("1 (fold 1, candidates 0, 1");
        File.Exists(_temp.File("merged.model")).Should().BeFalse();
    }

    [Fact]
    public void A_merge_on_another_training_subset_is_refused()
    {
        string results = _temp.File("results");
        TrainCommandTests.Run(Data(), "-g", "--shard", "0/1", "--results", results).ExitCode.Should().Be(0);

        var (code, _, error, _) = TrainCommandTests.Run(Data(), "-g", "--merge", results, "--train-size", "70", "-o", _temp.File("merged.model"));

        code.Should().Be(1);
        error.Should().Contain("was computed on other data");
    }

    [Theory]
    [InlineData("--shard 1/3 --results r", null)]
    [InlineData("-g --shard 1/3 --results r --merge r", "are two separate steps")]
    [InlineData("-g --shard 1/3", "need --results DIR")]
    [InlineData("-g --results r --shard 3/3", "--shard 3/3 is not a shard")]
    [InlineData("-g --results r --shard 1-3", "--shard must be K/N")]
    [InlineData("-g --results r", "--results needs a shard")]
    public void Contradictory_or_incomplete_flags_are_refused_before_any_work(string arguments, string? message)
    {
        var (code, _, error, _) = TrainCommandTests.Run(Data(), arguments.Split(' '));

        code.Should().Be(1);
        error.Should().StartWith("error: ").And.Contain(message ?? "give -g too");
    }

    [Fact]
    public void The_shard_comes_from_the_flag_then_slurm_then_kubernetes()
    {
        var settings = new ScaleOutSettings(ResultsDirectory: "r");
        (int, int)? Resolve(ScaleOutSettings s, params (string Name, string Value)[] variables) =>
            ScaleOut.Resolve(s, gridSearch: true, name => variables.FirstOrDefault(v => v.Name == name).Value);

        Resolve(settings with { Shard = "2/5" }, ("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_COUNT", "8")).Should().Be((2, 5));
        Resolve(settings, ("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_COUNT", "8"), ("JOB_COMPLETION_INDEX", "1")).Should().Be((7, 8));
        Resolve(settings, ("SLURM_ARRAY_TASK_ID", "8"), ("SLURM_ARRAY_TASK_COUNT", "8"), ("SLURM_ARRAY_TASK_MIN", "1")).Should().Be((7, 8), "--array=1-8");
        Resolve(settings, ("SLURM_ARRAY_TASK_ID", "6"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_STEP", "2")).Should().Be((3, 4), "--array=0-6:2");
        Resolve(settings with { ShardCount = 6 }, ("JOB_COMPLETION_INDEX", "5"), (ScaleOut.ShardCountVariable, "9")).Should().Be((5, 6));
        Resolve(settings, ("JOB_COMPLETION_INDEX", "5"), (ScaleOut.ShardCountVariable, "9")).Should().Be((5, 9));
        Resolve(new ScaleOutSettings(), ("SLURM_ARRAY_TASK_ID", "1")).Should().BeNull("no --results: not a shard run");

        FluentActions.Invoking(() => Resolve(settings, ("JOB_COMPLETION_INDEX", "5"))).Should().Throw<ArgumentException>()
            .WithMessage("JOB_COMPLETION_INDEX=5 needs the number of shards*--shard-count N or set MNIST_SHARD_COUNT.");
        FluentActions.Invoking(() => Resolve(settings, ("SLURM_ARRAY_TASK_ID", "3"))).Should().Throw<ArgumentException>()
            .WithMessage("SLURM_ARRAY_TASK_ID=3 with SLURM_ARRAY_TASK_COUNT=(unset) does not name a shard*");
        FluentActions.Invoking(() => Resolve(settings with { ShardCount = 4 }, ("JOB_COMPLETION_INDEX", "4"))).Should().Throw<ArgumentException>()
            .WithMessage("JOB_COMPLETION_INDEX=4 of 4 is not a shard*");
    }
}
