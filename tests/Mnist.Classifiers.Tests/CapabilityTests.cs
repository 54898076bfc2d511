using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests;

/// <summary>
/// What every fitted model says it can do holds: generic code (soft voting, search scoring) trusts
/// <see cref="IClassifierModel.SupportsProbabilities"/> and <see cref="IClassifierModel.SupportsDecisionFunction"/>.
/// </summary>
public class CapabilityTests
{
    public static TheoryData<string, int> Learners()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in Make.Keys)
        {
            data.Add(name, 2);
            data.Add(name, 4);
        }

        return data;
    }

    private static readonly Dictionary<string, Func<IClassifier>> Make = new()
    {
        ["dummy"] = () => new DummyClassifier(),
        ["svm"] = () => new SvmClassifier(),
        ["svm-probability"] = () => new SvmClassifier { Probability = true },
        ["pipeline-svm"] = () => new Pipeline(new StandardScaler(), new SvmClassifier()),
        ["pipeline-svm-probability"] = () => new Pipeline(new MinMaxScaler(), new SvmClassifier { Probability = true }),
        ["pipeline-dummy"] = () => new Pipeline([], new DummyClassifier()),
        ["voting-hard"] = () => new VotingClassifier([new("svm", new SvmClassifier()), new("forest", new RandomForestClassifier { Trees = 5 })]),
        ["voting-soft"] = () => new VotingClassifier(
            [new("svm", new Pipeline(new StandardScaler(), new SvmClassifier { Probability = true })), new("dummy", new DummyClassifier())])
        {
            Voting = VotingMode.Soft,
            Weights = [2, 1],
        },
        ["sgd-hinge"] = () => new SgdClassifier(),
        ["sgd-log-loss"] = () => new SgdClassifier { Loss = SgdLoss.LogLoss },
        ["sgd-modified-huber"] = () => new SgdClassifier { Loss = SgdLoss.ModifiedHuber },
        ["pipeline-sgd-log-loss"] = () => new Pipeline(new StandardScaler(), new SgdClassifier { Loss = SgdLoss.LogLoss }),
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void Supported_calls_work_in_the_common_shape_and_the_others_throw_NotSupported(string learner, int classes)
    {
        int[] labels = Enumerable.Range(0, classes).Select(c => c * 3 + 1).ToArray();
        var (x, y) = SvmClassifierTests.Blobs(15, labels, 3, seed: classes);
        IClassifierModel model = Make[learner]().Fit(x, y);
        int[] predicted = model.Predict(x);

        if (model.SupportsProbabilities)
        {
            var p = model.PredictProbabilities(x);
            p.GetLength(0).Should().Be(x.Rows);
            p.GetLength(1).Should().Be(classes);
            for (int i = 0; i < x.Rows; i++)
            {
                Enumerable.Range(0, classes).Sum(c => p[i, c]).Should().BeApproximately(1, 1e-9);
            }
        }
        else
        {
            ((Action)(() => model.PredictProbabilities(x))).Should().Throw<NotSupportedException>();
        }

        if (model.SupportsDecisionFunction)
        {
            var d = model.DecisionFunction(x);
            d.GetLength(0).Should().Be(x.Rows);
            d.GetLength(1).Should().Be(classes == 2 ? 1 : classes);
            int agree = 0;
            for (int i = 0; i < x.Rows; i++)
            {
                int best = classes == 2
                    ? (d[i, 0] > 0 ? 1 : 0)
                    : Enumerable.Range(0, classes).MaxBy(c => d[i, c]);
                agree += model.Classes[best] == predicted[i] ? 1 : 0;
            }

            // Two classes: the sign is the prediction. More: the largest score is the prediction except where votes
            // tie (scikit-learn's ovr shape breaks those ties by confidence, voting by class order).
            if (classes == 2)
            {
                agree.Should().Be(x.Rows);
            }
            else
            {
                agree.Should().BeGreaterThanOrEqualTo(x.Rows * 9 / 10);
            }
        }
        else
        {
            ((Action)(() => model.DecisionFunction(x))).Should().Throw<NotSupportedException>();
        }

        var reloaded = RoundTrip(model);
        reloaded.SupportsProbabilities.Should().Be(model.SupportsProbabilities);
        reloaded.SupportsDecisionFunction.Should().Be(model.SupportsDecisionFunction);
    }

    [Fact]
    public void The_capabilities_are_the_expected_ones()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 2, seed: 1);
        Capabilities(new DummyClassifier().Fit(x, y)).Should().Be((true, false));
        Capabilities(new SvmClassifier().Fit(x, y)).Should().Be((false, true));
        Capabilities(new SvmClassifier { Probability = true }.Fit(x, y)).Should().Be((true, true));
        Capabilities(new Pipeline(new StandardScaler(), new SvmClassifier()).Fit(x, y)).Should().Be((false, true));
        Capabilities(new Pipeline(new StandardScaler(), new DummyClassifier()).Fit(x, y)).Should().Be((true, false));
        var soft = new VotingClassifier([new("svm", new SvmClassifier { Probability = true }), new("dummy", new DummyClassifier())]) { Voting = VotingMode.Soft };
        Capabilities(soft.Fit(x, y)).Should().Be((true, false));
        Capabilities((soft with { Voting = VotingMode.Hard }).Fit(x, y)).Should().Be((false, false));
        Capabilities(new SgdClassifier().Fit(x, y)).Should().Be((false, true));
        Capabilities(new SgdClassifier { Loss = SgdLoss.SquaredHinge }.Fit(x, y)).Should().Be((false, true));
        Capabilities(new SgdClassifier { Loss = SgdLoss.LogLoss }.Fit(x, y)).Should().Be((true, true));
        Capabilities(new SgdClassifier { Loss = SgdLoss.ModifiedHuber }.Fit(x, y)).Should().Be((true, true));
    }

    private static (bool Probabilities, bool Decisions) Capabilities(IClassifierModel model) =>
        (model.SupportsProbabilities, model.SupportsDecisionFunction);

    private static IClassifierModel RoundTrip(IClassifierModel model)
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "model.bin");
        ModelFile.Save(model, path);
        return ModelFile.Load(path);
    }
}
