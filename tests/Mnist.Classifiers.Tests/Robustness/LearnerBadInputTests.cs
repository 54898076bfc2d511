using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>
/// Every learner of the library against the same bad inputs: each one gets an <see cref="ArgumentException"/> that
/// names the argument and what was wrong, never a NullReference, IndexOutOfRange, Overflow or a silently wrong model.
/// NaN and infinities are refused by every fit and every prediction, the dummy baseline's included (one rule for all).
/// </summary>
public class LearnerBadInputTests
{
    private const int Columns = 4;

    /// <summary>Small, fast settings of every learner (and a pipeline of each scaler).</summary>
    private static readonly Dictionary<string, IClassifier> Learners = new()
    {
        ["svm"] = new SvmClassifier(),
        ["svm-probability"] = new SvmClassifier { Probability = true },
        ["forest"] = new RandomForestClassifier { Trees = 5 },
        ["extra"] = new ExtraTreesClassifier { Trees = 5 },
        ["sgd"] = new SgdClassifier { MaxIterations = 20 },
        ["voting-hard"] = new VotingClassifier([new("forest", new RandomForestClassifier { Trees = 3 }), new("sgd", new SgdClassifier { MaxIterations = 20 })]),
        ["voting-soft"] = new VotingClassifier([new("forest", new RandomForestClassifier { Trees = 3 }), new("extra", new ExtraTreesClassifier { Trees = 3 })])
        {
            Voting = VotingMode.Soft,
        },
        ["dummy"] = new DummyClassifier(),
        ["pipeline-standard"] = new Pipeline([new StandardScaler()], new SgdClassifier { MaxIterations = 20 }),
        ["pipeline-minmax"] = new Pipeline([new MinMaxScaler()], new SvmClassifier()),
    };

    public static TheoryData<string> AllLearners => [.. Learners.Keys];

    public static TheoryData<string, float> NonFiniteValues()
    {
        var data = new TheoryData<string, float>();
        foreach (string name in Learners.Keys)
        {
            data.Add(name, float.NaN);
            data.Add(name, float.PositiveInfinity);
            data.Add(name, float.NegativeInfinity);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonFiniteValues))]
    public void Fitting_on_a_non_finite_feature_is_an_argument_error_naming_it(string learner, float bad)
    {
        var (x, y) = Separable([0, 1, 2], perClass: 10);
        var values = x.ToArray();
        values[(7 * Columns) + 2] = bad;

        var act = () => Learners[learner].Fit(new FeatureMatrix(values, Columns), y);

        act.Should().Throw<ArgumentException>().WithMessage("*NaN or*infinit*").Which.ParamName.Should().Be("features");
    }

    [Theory]
    [MemberData(nameof(NonFiniteValues))]
    public void Predicting_a_non_finite_feature_is_an_argument_error_naming_it(string learner, float bad)
    {
        var (x, y) = Separable([0, 1, 2], perClass: 10);
        var model = Learners[learner].Fit(x, y);
        var row = new FeatureMatrix([1, 2, bad, 4], Columns);

        foreach (var call in Calls(model, row))
        {
            call.Should().Throw<ArgumentException>().WithMessage("*NaN or*infinit*").Which.ParamName.Should().Be("features");
        }
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public void Fitting_on_no_rows_is_an_argument_error(string learner)
    {
        var act = () => Learners[learner].Fit(new FeatureMatrix([], Columns), []);

        act.Should().Throw<ArgumentException>().WithMessage("*no rows*");
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public void Fitting_with_one_label_too_few_is_an_argument_error(string learner)
    {
        var (x, y) = Separable([0, 1], perClass: 5);

        var act = () => Learners[learner].Fit(x, y.AsSpan(1));

        act.Should().Throw<ArgumentException>().WithMessage("*10 rows but 9 labels*").Which.ParamName.Should().Be("labels");
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public void Predicting_with_another_feature_count_is_an_argument_error_naming_both_counts(string learner)
    {
        var (x, y) = Separable([0, 1, 2], perClass: 10);
        var model = Learners[learner].Fit(x, y);

        foreach (int columns in new[] { 1, Columns + 1, 784 })
        {
            foreach (var call in Calls(model, new FeatureMatrix(new float[columns * 2], columns)))
            {
                call.Should().Throw<ArgumentException>().WithMessage($"*fitted on {Columns} features*has {columns}*")
                    .Which.ParamName.Should().Be("features");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public void Predicting_no_rows_gives_no_predictions(string learner)
    {
        var (x, y) = Separable([0, 1, 2], perClass: 10);
        var model = Learners[learner].Fit(x, y);
        var empty = new FeatureMatrix([], Columns);

        model.Predict(empty).Should().BeEmpty();
        if (model.SupportsProbabilities)
        {
            model.PredictProbabilities(empty).GetLength(0).Should().Be(0);
        }
    }

    /// <summary>
    /// Labels are any <see cref="int"/>s: the classes are their distinct values in ascending order, so negative and
    /// extreme labels are classes like any other, survive a save and load, and come back from Predict unchanged.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllLearners))]
    public void Negative_and_extreme_labels_are_classes_like_any_other(string learner)
    {
        int[] labels = [int.MinValue, -7, int.MaxValue];
        var (x, y) = Separable(labels, perClass: 12);
        var model = Learners[learner].Fit(x, y);
        using var directory = new TempDirectory();
        string path = directory.File("extreme.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);

        model.Classes.Should().Equal(int.MinValue, -7, int.MaxValue);
        loaded.Classes.Should().Equal(model.Classes);
        loaded.Predict(x).Should().Equal(model.Predict(x));
        if (learner != "dummy")
        {
            // Three far-apart clusters: every learner that looks at the features gets the training rows right.
            model.Predict(x).Should().Equal(y);
        }
    }

    /// <summary>
    /// One class: the learners that can only separate two or more (SVM, SGD and what contains them) say so; the
    /// forests and the dummy baseline fit a model that always answers that class, as scikit-learn's do.
    /// </summary>
    [Theory]
    [InlineData("svm", false)]
    [InlineData("svm-probability", false)]
    [InlineData("sgd", false)]
    [InlineData("voting-hard", false)]
    [InlineData("pipeline-standard", false)]
    [InlineData("pipeline-minmax", false)]
    [InlineData("forest", true)]
    [InlineData("extra", true)]
    [InlineData("voting-soft", true)]
    [InlineData("dummy", true)]
    public void A_single_class_is_refused_with_a_message_or_always_predicted(string learner, bool fits)
    {
        var (x, y) = Separable([3], perClass: 10);

        var act = () => Learners[learner].Fit(x, y);

        if (fits)
        {
            var model = act.Should().NotThrow().Subject;
            model.Classes.Should().Equal(3);
            model.Predict(x).Should().AllBeEquivalentTo(3);
        }
        else
        {
            act.Should().Throw<ArgumentException>().WithMessage("*at least two*").Which.ParamName.Should().Be("labels");
        }
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("minmax")]
    public void Scalers_refuse_no_rows_non_finite_values_and_another_feature_count(string scaler)
    {
        IUnfittedTransform transform = scaler == "standard" ? new StandardScaler() : new MinMaxScaler();
        var fitted = transform.Fit(new FeatureMatrix([1, 2, 3, 4, 5, 6], 3));

        ((Action)(() => transform.Fit(new FeatureMatrix([], 3)))).Should().Throw<ArgumentException>().WithMessage("*no rows*");
        ((Action)(() => transform.Fit(new FeatureMatrix([1, float.NaN, 3], 3)))).Should().Throw<ArgumentException>().WithMessage("*NaN or*infinit*");
        ((Action)(() => fitted.Transform(new FeatureMatrix([1, 2], 2)))).Should().Throw<ArgumentException>().WithMessage("*fitted on 3 features*has 2*");
        ((Action)(() => fitted.Transform(new FeatureMatrix([1, float.PositiveInfinity, 3], 3))))
            .Should().Throw<ArgumentException>().WithMessage("*NaN or*infinit*").Which.ParamName.Should().Be("features");
    }

    /// <summary>Every prediction call the model supports.</summary>
    private static IEnumerable<Action> Calls(IClassifierModel model, FeatureMatrix x)
    {
        yield return () => model.Predict(x);
        if (model.SupportsProbabilities)
        {
            yield return () => model.PredictProbabilities(x);
        }

        if (model.SupportsDecisionFunction)
        {
            yield return () => model.DecisionFunction(x);
        }
    }

    /// <summary>Far-apart clusters, one per label, <paramref name="perClass"/> rows each, with a little noise.</summary>
    private static (FeatureMatrix X, int[] Y) Separable(int[] labels, int perClass)
    {
        var random = new Random(5);
        var values = new float[labels.Length * perClass * Columns];
        var y = new int[labels.Length * perClass];
        for (int c = 0; c < labels.Length; c++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int row = (c * perClass) + i;
                y[row] = labels[c];
                for (int j = 0; j < Columns; j++)
                {
                    values[(row * Columns) + j] = (j == c % Columns ? 10f : 0f) + (float)random.NextDouble();
                }
            }
        }

        return (new FeatureMatrix(values, Columns), y);
    }
}
