using System.Collections.Concurrent;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests;

/// <summary>Learners report their coarse steps to the budget's progress sink, and only the budget's owner reports.</summary>
public class ProgressTests
{
    private sealed class Recorder : IProgress<FitProgress>
    {
        public ConcurrentQueue<FitProgress> Reports { get; } = new();

        public void Report(FitProgress value) => Reports.Enqueue(value);
    }

    private static readonly ComputeBudget Budget = new(2, 1L << 28);

    [Fact]
    public void The_sink_travels_with_the_budget_but_not_into_its_split_parts()
    {
        var recorder = new Recorder();
        var budget = Budget.WithProgress(recorder);

        budget.Progress.Should().BeSameAs(recorder);
        budget.WithThreads(1).Progress.Should().BeSameAs(recorder);
        budget.WithMemory(1L << 26).Progress.Should().BeSameAs(recorder);
        budget.WithCancellation(CancellationToken.None).Progress.Should().BeSameAs(recorder);
        budget.Split(4).Progress.Should().BeNull("a part's steps are not the whole's");
        budget.WithProgress(null).Progress.Should().BeNull();
    }

    public static TheoryData<string, string, int> Learners() => new()
    {
        { "svm", "pair problems", 6 },
        { "forest", "trees", 7 },
        { "extra", "trees", 5 },
        { "voting", "members", 2 },
    };

    private static IClassifier Make(string name) => name switch
    {
        "svm" => new SvmClassifier(),
        "forest" => new RandomForestClassifier { Trees = 7 },
        "extra" => new ExtraTreesClassifier { Trees = 5 },
        _ => new VotingClassifier([new("svm", new SvmClassifier()), new("forest", new RandomForestClassifier { Trees = 3 })]),
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void A_fit_reports_each_of_its_steps_once(string learner, string stage, int steps)
    {
        var (x, y) = SvmClassifierTests.Blobs(40, [0, 1, 2, 3], 5, seed: 3, spread: 3);
        var recorder = new Recorder();

        Make(learner).Fit(x, y, Budget.WithProgress(recorder));

        var reports = recorder.Reports.ToArray();
        reports.Should().OnlyContain(r => r.Stage == stage && r.Total == steps, "the members' own steps are not reported as the ensemble's");
        reports.Select(r => r.Completed).Should().BeEquivalentTo(Enumerable.Range(1, steps), "each finished step counts once");
    }

    [Fact]
    public void Sgd_reports_its_epochs_against_the_most_it_may_run()
    {
        var (x, y) = SvmClassifierTests.Blobs(40, [0, 1, 2], 5, seed: 3, spread: 3);
        var recorder = new Recorder();

        var model = new SgdClassifier { MaxIterations = 30 }.Fit(x, y, Budget.WithProgress(recorder));

        var reports = recorder.Reports.ToArray();
        reports.Should().OnlyContain(r => r.Stage == "epochs (at most)" && r.Total == 30);
        reports.Select(r => r.Completed).Should().Equal(Enumerable.Range(0, model.Iterations), "one report as each epoch starts");
    }

    [Fact]
    public void Augmentation_reports_each_block_of_copies()
    {
        var images = Synthetic.Images(6, seed: 1);
        var recorder = new Recorder();

        var augmented = ImageAugmentation.Augment(images, Augmentations.Shift | Augmentations.Rotate, Budget.WithProgress(recorder));

        augmented.Rows.Should().Be(6 * 7);
        recorder.Reports.Should().Equal(Enumerable.Range(1, 7).Select(b => new FitProgress("image copies", b, 7)));
    }
}
