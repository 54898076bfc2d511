using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.ModelSelection;

/// <summary>A search split into shards that write results files, merged: the local search's result, bit for bit.</summary>
public sealed class SearchPlanTests : IDisposable
{
    private static readonly (FeatureMatrix X, int[] Y) Data = SvmClassifierTests.Blobs(24, [0, 1, 2], 5, seed: 21, spread: 2.6);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The CLI's SVM grid in small: its 8 candidates share one kernel matrix per fold, 5 work units in all.</summary>
    private static GridSearch<Pipeline> SvmSearch(double largestC = 8) => new(
        new Pipeline(new StandardScaler(), new SvmClassifier()),
        new ParameterGrid<Pipeline>()
            .Add("C", [1.0, 2, 4, largestC], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }))
            .Add("gamma", [SvmGamma.Scale, SvmGamma.Auto], PipelineAxis.Classifier((SvmClassifier svm, SvmGamma g) => svm with { Gamma = g })));

    /// <summary>Candidates that share nothing: 6 candidates × 5 folds, 30 work units.</summary>
    private static GridSearch<ForestClassifier> ForestSearch() => new(
        new ExtraTreesClassifier { Seed = 4 },
        new ParameterGrid<ForestClassifier>()
            .Add("max_depth", [2, 4, (int?)null], (f, depth) => f with { MaxDepth = depth })
            .Add("n_estimators", [3, 6], (f, trees) => f with { Trees = trees }));

    public static TheoryData<string, int> Shardings() => new()
    {
        { "svm", 1 }, { "svm", 3 }, { "svm", 7 }, { "svm", 40 },
        { "forest", 1 }, { "forest", 3 }, { "forest", 7 }, { "forest", 40 },
    };

    [Theory]
    [MemberData(nameof(Shardings))]
    public void Merged_shards_equal_the_local_search_exactly(string grid, int shards)
    {
        if (grid == "svm")
        {
            Check(SvmSearch());
        }
        else
        {
            Check(ForestSearch());
        }

        void Check<TLearner>(GridSearch<TLearner> search)
            where TLearner : IClassifier
        {
            var budget = new ComputeBudget(2, 1L << 28);
            var local = search.Fit(Data.X, Data.Y, budget);

            var plan = search.Plan(Data.X, Data.Y);
            for (int shard = shards - 1; shard >= 0; shard--)
            {
                // Each shard on its own plan, as each machine makes its own; one thread for some, two for others.
                search.Plan(Data.X, Data.Y).RunShard(shard, shards, _temp.Path, new ComputeBudget(1 + shard % 2, 1L << 28));
            }

            Directory.GetFiles(_temp.Path, SearchUnitFile.Pattern).Should().HaveCount(plan.Units.Count, "one file per work unit");
            var merged = plan.Merge(_temp.Path, budget);

            merged.Candidates.Should().HaveCount(local.Candidates.Count);
            foreach (var (m, l) in merged.Candidates.Zip(local.Candidates))
            {
                m.Candidate.Describe().Should().Be(l.Candidate.Describe());
                m.FoldScores.Should().Equal(l.FoldScores, "fold scores are the local search's, bit for bit");
                m.MeanScore.Should().Be(l.MeanScore);
                m.StdScore.Should().Be(l.StdScore);
                m.Rank.Should().Be(l.Rank);
            }

            merged.Best.Candidate.Index.Should().Be(local.Best.Candidate.Index);
            merged.BestParameters.Should().Equal(local.BestParameters);
            ModelFiles.BytesWithoutFitTime(merged.BestModel!).Should().Equal(ModelFiles.BytesWithoutFitTime(local.BestModel!), "the refitted model file is the same byte for byte but the fit time");
        }
    }

    [Fact]
    public void Without_shared_work_every_fit_is_a_unit_and_the_merge_still_equals_the_shared_local_search()
    {
        var shared = SvmSearch().Fit(Data.X, Data.Y);
        var unshared = SvmSearch() with { ShareWork = false };
        var plan = unshared.Plan(Data.X, Data.Y);
        for (int shard = 0; shard < 7; shard++)
        {
            unshared.Plan(Data.X, Data.Y).RunShard(shard, 7, _temp.Path);
        }

        plan.Units.Should().HaveCount(40, "8 candidates x 5 folds, one plain fit each");
        plan.Units.Should().OnlyContain(u => u.Candidates.Count == 1);
        var merged = plan.Merge(_temp.Path);

        // Sharing changes speed, never results: the plain fits score as the shared ones, bit for bit.
        merged.Candidates.Select(c => c.FoldScores).Should().BeEquivalentTo(shared.Candidates.Select(c => c.FoldScores), o => o.WithStrictOrdering());
        merged.Candidates.Select(c => c.Rank).Should().Equal(shared.Candidates.Select(c => c.Rank));
        ModelFiles.BytesWithoutFitTime(merged.BestModel!).Should().Equal(ModelFiles.BytesWithoutFitTime(shared.BestModel!));
        SvmSearch().Plan(Data.X, Data.Y).Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("*another search*", "the shared search's units are other units");
    }

    [Fact]
    public void Shards_split_the_units_by_their_number_modulo_the_shard_count()
    {
        var plan = ForestSearch().Plan(Data.X, Data.Y);

        plan.Units.Should().HaveCount(30);
        plan.Units.Select(u => u.Index).Should().Equal(Enumerable.Range(0, 30));
        plan.Shard(2, 7).Select(u => u.Index).Should().Equal(2, 9, 16, 23);
        Enumerable.Range(0, 7).SelectMany(k => plan.Shard(k, 7)).Select(u => u.Index).Order().Should().Equal(Enumerable.Range(0, 30));
        plan.Shard(35, 40).Should().BeEmpty("more shards than units leaves some without work");
        plan.Invoking(p => p.Shard(3, 3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0 to 2 for 3 shard(s)*");

        var svm = SvmSearch().Plan(Data.X, Data.Y);
        svm.Units.Should().HaveCount(5, "the 8 SVM candidates share one unit per fold, as the local search fits them");
        svm.Units.Should().OnlyContain(u => u.Candidates.SequenceEqual(Enumerable.Range(0, 8)));
    }

    [Fact]
    public void A_rerun_shard_writes_the_same_files_except_the_times()
    {
        string first = Path.Combine(_temp.Path, "first"), second = Path.Combine(_temp.Path, "second");
        ForestSearch().Plan(Data.X, Data.Y).RunShard(1, 4, first);
        ForestSearch().Plan(Data.X, Data.Y).RunShard(1, 4, second);

        var names = Directory.GetFiles(first).Select(f => Path.GetFileName(f)).Order().ToArray();
        names.Should().Equal("unit-00001.txt", "unit-00005.txt", "unit-00009.txt", "unit-00013.txt", "unit-00017.txt", "unit-00021.txt", "unit-00025.txt", "unit-00029.txt");
        Directory.GetFiles(second).Select(f => Path.GetFileName(f)).Order().Should().Equal(names);
        foreach (string name in names)
        {
            var a = File.ReadAllLines(Path.Combine(first, name));
            var b = File.ReadAllLines(Path.Combine(second, name));
            a.Where(l => !l.StartsWith("times\t", StringComparison.Ordinal)).Should().Equal(b.Where(l => !l.StartsWith("times\t", StringComparison.Ordinal)));
            a.Should().Contain(l => l.StartsWith("candidate\t", StringComparison.Ordinal)).And.Contain(l => l.StartsWith("times\t", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_unit_in_two_files_is_refused()
    {
        var plan = SvmSearch().Plan(Data.X, Data.Y);
        plan.RunShard(0, 1, _temp.Path);
        File.Copy(_temp.File("unit-00003.txt"), _temp.File("unit-00003-retry.txt"));

        plan.Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("Work unit 3 is in two results files, 'unit-00003-retry.txt' and 'unit-00003.txt'*exactly once*");
    }

    [Fact]
    public void Missing_units_are_named()
    {
        var plan = ForestSearch().Plan(Data.X, Data.Y);
        plan.RunShard(0, 3, _temp.Path);
        plan.RunShard(2, 3, _temp.Path);

        plan.Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("10 of the 30 work units have no results file in *: 1 (fold 1, candidate 0); 4 (fold 4, candidate 0); 7 (fold 2, candidate 1);*28 (fold 3, candidate 5).*modulo N is K*");
    }

    [Fact]
    public void Results_from_other_data_are_refused()
    {
        SvmSearch().Plan(Data.X, Data.Y).RunShard(0, 1, _temp.Path);
        int[] relabelled = (int[])Data.Y.Clone();
        (relabelled[0], relabelled[^1]) = (relabelled[^1], relabelled[0]);
        var other = SvmSearch().Plan(Data.X, relabelled);

        other.Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage($"*was computed on other data*{other.DataHash}*");
        SvmSearch().Plan(Data.X.Take(Data.X.Rows - 1), Data.Y[..^1]).Invoking(p => p.Merge(_temp.Path))
            .Should().Throw<InvalidDataException>().WithMessage("*other data*");
    }

    [Fact]
    public void Results_from_another_grid_or_other_folds_are_refused()
    {
        SvmSearch().Plan(Data.X, Data.Y).RunShard(0, 1, _temp.Path);

        SvmSearch(largestC: 16).Plan(Data.X, Data.Y).Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("*was computed for another search*");
        (SvmSearch() with { Folds = new StratifiedKFold { Shuffle = true, Seed = 1 } }).Plan(Data.X, Data.Y)
            .Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>().WithMessage("*another search*");
        (SvmSearch() with { Learner = new Pipeline(new StandardScaler(), new SvmClassifier { Tolerance = 0.01 }) }).Plan(Data.X, Data.Y)
            .Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>().WithMessage("*another search*", "the learners' other options count too");
    }

    [Fact]
    public void A_damaged_file_is_refused_with_its_name()
    {
        var plan = SvmSearch().Plan(Data.X, Data.Y);
        plan.RunShard(0, 1, _temp.Path);
        var lines = File.ReadAllLines(_temp.File("unit-00002.txt"));
        File.WriteAllLines(_temp.File("unit-00002.txt"), lines.Take(lines.Length - 3));

        plan.Invoking(p => p.Merge(_temp.Path)).Should().Throw<InvalidDataException>()
            .WithMessage("The search results file 'unit-00002.txt' is not a complete work unit file*");
    }
}
