using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests;

/// <summary>Every learner stops with <see cref="OperationCanceledException"/> when its budget's cancellation is requested.</summary>
public class CancellationTests
{
    public static TheoryData<string> Learners() => ["svm", "forest", "extra", "sgd", "voting"];

    private static IClassifier Make(string name) => name switch
    {
        "svm" => new SvmClassifier { C = 100 },
        "forest" => new RandomForestClassifier { Trees = 50 },
        "extra" => new ExtraTreesClassifier { Trees = 50 },
        "sgd" => new SgdClassifier(),
        _ => new VotingClassifier([new("forest", new RandomForestClassifier { Trees = 50 }), new("sgd", new SgdClassifier())]),
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void A_cancelled_budget_stops_the_fit(string learner)
    {
        var (x, y) = SvmClassifierTests.Blobs(300, [0, 1], 5, seed: 4, spread: 3);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var act = () => Make(learner).Fit(x, y, new ComputeBudget(2, 1L << 28, cancel.Token));

        act.Should().Throw<OperationCanceledException>();
        Make(learner).Fit(x, y, new ComputeBudget(2, 1L << 28)).Predict(x).Should().HaveCount(x.Rows, "without cancellation the same fit completes");
    }

    [Fact]
    public void Cancelling_during_an_sgd_fit_stops_it_between_epochs()
    {
        // A fit of a million epochs (about half a minute), cancelled 200 ms in: only the check between epochs can stop it.
        var (x, y) = SvmClassifierTests.Blobs(100, [0, 1], 5, seed: 4, spread: 3);
        var slow = new SgdClassifier { MaxIterations = 1_000_000, Tolerance = null };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var act = () => slow.Fit(x, y, new ComputeBudget(2, 1L << 28, cancel.Token));

        act.Should().Throw<OperationCanceledException>();
    }
}
