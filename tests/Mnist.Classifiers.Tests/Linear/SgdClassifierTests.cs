using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.Linear;

public class SgdClassifierTests
{
    public static TheoryData<SgdLoss> Losses() => new(Enum.GetValues<SgdLoss>());

    [Theory]
    [MemberData(nameof(Losses))]
    public void Each_loss_derivative_is_the_slope_of_its_loss(SgdLoss loss)
    {
        // Central differences away from the kinks (py = ±1, 0; |p − y| = ε) and inside the logistic loss's exact range.
        const double epsilon = 0.3, h = 1e-6;
        double[] scores = [-3.1, -1.7, -0.55, -0.2, 0.15, 0.45, 0.9, 1.35, 2.6, 17.3];
        int checkedSlopes = 0;
        foreach (double y in new[] { -1.0, 1.0 })
        {
            foreach (double p in scores)
            {
                double numeric = (SgdLosses.Loss(loss, epsilon, p + h, y) - SgdLosses.Loss(loss, epsilon, p - h, y)) / (2 * h);
                double analytic = SgdLosses.Derivative(loss, epsilon, p, y);
                analytic.Should().BeApproximately(numeric, 1e-6 * Math.Max(1, Math.Abs(numeric)), $"{loss} at p = {p}, y = {y}");
                checkedSlopes += analytic != 0 ? 1 : 0;
            }
        }

        checkedSlopes.Should().BeGreaterThan(4, "the points cover the loss's sloped parts");
    }

    [Theory]
    [InlineData(SgdLoss.Hinge)]
    [InlineData(SgdLoss.LogLoss)]
    [InlineData(SgdLoss.ModifiedHuber)]
    [InlineData(SgdLoss.SquaredHinge)]
    [InlineData(SgdLoss.Perceptron)]
    public void A_linearly_separable_problem_is_learned_without_training_errors(SgdLoss loss)
    {
        // Three classes around well-separated centres: each is cut off from the others by a hyperplane with a wide margin.
        var (x, y) = SvmClassifierTests.Blobs(40, [1, 4, 9], 5, seed: 3, spread: 0.3);
        var model = new SgdClassifier { Loss = loss, Alpha = 1e-5, Seed = 2 }.Fit(x, y);
        model.Predict(x).Should().Equal(y);
    }

    [Theory]
    [InlineData(SgdLoss.LogLoss, 2)]
    [InlineData(SgdLoss.LogLoss, 4)]
    [InlineData(SgdLoss.ModifiedHuber, 2)]
    [InlineData(SgdLoss.ModifiedHuber, 4)]
    public void Probabilities_sum_to_one_and_follow_scikit_learns_formulas(SgdLoss loss, int classes)
    {
        int[] labels = Enumerable.Range(0, classes).Select(c => c * 2).ToArray();
        var (x, y) = SvmClassifierTests.Blobs(30, labels, 3, seed: classes, spread: 2.0);
        var model = new SgdClassifier { Loss = loss, Seed = 1 }.Fit(x, y);
        var p = model.PredictProbabilities(x);
        var d = model.DecisionFunction(x);
        model.SupportsProbabilities.Should().BeTrue();
        p.GetLength(1).Should().Be(classes);
        for (int i = 0; i < x.Rows; i++)
        {
            Enumerable.Range(0, classes).Sum(c => p[i, c]).Should().BeApproximately(1, 1e-12);
            double[] raw = Enumerable.Range(0, d.GetLength(1)).Select(c =>
                loss == SgdLoss.LogLoss ? 1 / (1 + Math.Exp(-d[i, c])) : (Math.Clamp(d[i, c], -1, 1) + 1) / 2).ToArray();
            if (classes == 2)
            {
                p[i, 1].Should().BeApproximately(raw[0], 1e-12);
                continue;
            }

            double sum = raw.Sum();
            for (int c = 0; c < classes; c++)
            {
                p[i, c].Should().BeApproximately(sum == 0 ? 1.0 / classes : raw[c] / sum, 1e-12);
            }
        }
    }

    [Fact]
    public void Modified_huber_probabilities_are_uniform_where_every_score_is_at_most_minus_one()
    {
        // Three one-vs-rest problems with zero weights: the intercepts alone are the scores.
        double[][] weights = [[0, 0], [0, 0], [0, 0]];
        var model = new SgdModel(SgdLoss.ModifiedHuber, [1, 2, 3], 2, weights, [-2, -1, -1.5], null, null, 0, updates: 10, iterations: 1, fitTime: null);
        var p = model.PredictProbabilities(new FeatureMatrix([0.5f, -3f], 2));
        Enumerable.Range(0, 3).Select(c => p[0, c]).Should().Equal(1.0 / 3, 1.0 / 3, 1.0 / 3);

        var mixed = new SgdModel(SgdLoss.ModifiedHuber, [1, 2, 3], 2, weights, [-2, 0, 0.5], null, null, 0, updates: 10, iterations: 1, fitTime: null);
        var q = mixed.PredictProbabilities(new FeatureMatrix([0.5f, -3f], 2));
        Enumerable.Range(0, 3).Select(c => q[0, c]).Should().Equal(0, 0.5 / 1.25, 0.75 / 1.25);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void The_decision_function_has_the_common_shape_and_hinge_has_no_probabilities(int classes)
    {
        int[] labels = Enumerable.Range(0, classes).Select(c => 10 - c).ToArray();
        var (x, y) = SvmClassifierTests.Blobs(20, labels, 4, seed: 7);
        var model = new SgdClassifier { Seed = 3 }.Fit(x, y);
        var d = model.DecisionFunction(x);
        d.GetLength(0).Should().Be(x.Rows);
        d.GetLength(1).Should().Be(classes == 2 ? 1 : classes);
        model.ProblemCount.Should().Be(d.GetLength(1));
        model.Intercepts.Should().HaveCount(d.GetLength(1));
        model.SupportsProbabilities.Should().BeFalse();
        model.SupportsDecisionFunction.Should().BeTrue();
        model.Invoking(m => m.PredictProbabilities(x)).Should().Throw<NotSupportedException>();
        int[] predicted = model.Predict(x);
        for (int i = 0; i < x.Rows; i++)
        {
            double manual = Enumerable.Range(0, x.Columns).Sum(j => model.Coefficients(0)[j] * x[i, j]) + model.Intercepts[0];
            d[i, 0].Should().BeApproximately(manual, 1e-9 * Math.Max(1, Math.Abs(manual)));
            int best = classes == 2 ? (d[i, 0] > 0 ? 1 : 0) : Enumerable.Range(0, classes).MaxBy(c => d[i, c]);
            predicted[i].Should().Be(model.Classes[best]);
        }
    }

    [Theory]
    [InlineData(SgdLoss.Hinge, 0, false)]
    [InlineData(SgdLoss.LogLoss, 1, false)]
    [InlineData(SgdLoss.ModifiedHuber, 0, true)]
    public void The_same_seed_gives_the_same_model_for_any_thread_count(SgdLoss loss, int average, bool earlyStopping)
    {
        var (x, y) = SvmClassifierTests.Blobs(60, [0, 1, 2, 3], 6, seed: 9, spread: 2.5);
        var options = new SgdClassifier { Loss = loss, Average = average, EarlyStopping = earlyStopping, Seed = 12 };
        var one = options.Fit(x, y, new ComputeBudget(1, ComputeBudget.MinimumMemoryBytes));
        var two = options.Fit(x, y, new ComputeBudget(2, ComputeBudget.MinimumMemoryBytes));
        var three = options.Fit(x, y, new ComputeBudget(3, ComputeBudget.MinimumMemoryBytes));
        foreach (var other in new[] { two, three })
        {
            other.Iterations.Should().Be(one.Iterations);
            other.Updates.Should().Be(one.Updates);
            other.Intercepts.Should().Equal(one.Intercepts);
            for (int p = 0; p < one.ProblemCount; p++)
            {
                other.Coefficients(p).ToArray().Should().Equal(one.Coefficients(p).ToArray());
            }
        }

        var reseeded = (options with { Seed = 13 }).Fit(x, y);
        reseeded.Coefficients(0).ToArray().Should().NotEqual(one.Coefficients(0).ToArray(), "another seed shuffles the rows differently");
    }

    [Fact]
    public void Partial_fit_needs_the_classes_first_and_continues_the_model_deterministically()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [3, 5, 8], 4, seed: 5, spread: 2.0);
        var sgd = new SgdClassifier { Loss = SgdLoss.LogLoss, Seed = 4 };
        int[] firstRows = Enumerable.Range(0, x.Rows).Where(i => i % 2 == 0).ToArray();
        int[] secondRows = Enumerable.Range(0, x.Rows).Where(i => i % 2 == 1).ToArray();
        var first = x.Subset(firstRows);
        var second = x.Subset(secondRows);
        int[] firstY = firstRows.Select(i => y[i]).ToArray(), secondY = secondRows.Select(i => y[i]).ToArray();

        sgd.Invoking(s => s.PartialFit(null, first, firstY)).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("classes");
        var afterOne = sgd.PartialFit(null, first, firstY, [8, 3, 5]);
        afterOne.Classes.Should().Equal(3, 5, 8);
        afterOne.Iterations.Should().Be(1);
        afterOne.Updates.Should().Be(firstRows.Length);
        double[] before = afterOne.Coefficients(1).ToArray();

        var afterTwo = sgd.PartialFit(afterOne, second, secondY);
        var again = sgd.PartialFit(afterOne, second, secondY, [3, 5, 8]);
        afterOne.Coefficients(1).ToArray().Should().Equal(before, "the model given to PartialFit is not changed");
        afterTwo.Updates.Should().Be(x.Rows);
        afterTwo.Coefficients(1).ToArray().Should().NotEqual(before);
        again.Coefficients(1).ToArray().Should().Equal(afterTwo.Coefficients(1).ToArray());
        again.Intercepts.Should().Equal(afterTwo.Intercepts);

        // A batch that lacks a class is fine; a label outside the classes, other classes or another loss are not.
        int[] noEights = Enumerable.Range(0, x.Rows).Where(i => y[i] != 8).ToArray();
        sgd.PartialFit(afterTwo, x.Subset(noEights), noEights.Select(i => y[i]).ToArray()).Classes.Should().Equal(3, 5, 8);
        sgd.Invoking(s => s.PartialFit(afterTwo, first, firstY.Select(v => v + 1).ToArray())).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("labels");
        sgd.Invoking(s => s.PartialFit(afterTwo, first, firstY, [3, 5])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("classes");
        (sgd with { Loss = SgdLoss.Hinge }).Invoking(s => s.PartialFit(afterTwo, first, firstY)).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("Loss");
        (sgd with { EarlyStopping = true }).Invoking(s => s.PartialFit(null, first, firstY, [3, 5, 8])).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("EarlyStopping");
        (sgd with { ClassWeightMode = ClassWeightMode.Balanced }).Invoking(s => s.PartialFit(null, first, firstY, [3, 5, 8])).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("ClassWeightMode");
    }

    [Fact]
    public void Partial_fit_over_one_batch_without_shuffling_is_one_epoch_of_fit()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [0, 1], 3, seed: 8, spread: 1.5);
        var sgd = new SgdClassifier { Shuffle = false, Average = 1, MaxIterations = 1, Tolerance = null };
        var fitted = sgd.Fit(x, y);
        var partial = sgd.PartialFit(null, x, y, [0, 1]);
        partial.Coefficients(0).ToArray().Should().Equal(fitted.Coefficients(0).ToArray());
        partial.Intercepts.Should().Equal(fitted.Intercepts);
        partial.UsesAverage.Should().BeTrue();
    }

    [Fact]
    public void Early_stopping_holds_rows_out_and_stops_on_their_accuracy()
    {
        var (x, y) = SvmClassifierTests.Blobs(100, [0, 1, 2], 5, seed: 6, spread: 1.0);
        var model = new SgdClassifier { EarlyStopping = true, ValidationFraction = 0.2, IterationsWithNoChange = 3, Seed = 1 }.Fit(x, y);
        model.Iterations.Should().BeInRange(4, 999, "it stops after 3 epochs without improvement, long before the limit");
        model.Updates.Should().Be((long)model.Iterations * x.Rows, "t_ counts held-out rows too, as scikit-learn's");
        model.Predict(x).Zip(y).Count(p => p.First == p.Second).Should().BeGreaterThan(x.Rows * 9 / 10);

        var tiny = new FeatureMatrix([0, 1, 2, 3], 1);
        new SgdClassifier { EarlyStopping = true, ValidationFraction = 0.9 }.Invoking(s => s.Fit(tiny, [0, 1, 0, 1])).Should()
            .Throw<ArgumentException>().Which.ParamName.Should().Be("ValidationFraction");
    }

    [Fact]
    public void Class_weights_move_the_boundary_towards_the_lighter_class()
    {
        var (x, y) = SvmClassifierTests.Blobs(60, [0, 1], 2, seed: 4, spread: 2.5);
        var plain = new SgdClassifier { Seed = 5 }.Fit(x, y);
        var heavy = new SgdClassifier { Seed = 5, ClassWeights = new Dictionary<int, double> { [1] = 10 } }.Fit(x, y);
        int Ones(SgdModel m) => m.Predict(x).Count(v => v == 1);
        Ones(heavy).Should().BeGreaterThan(Ones(plain));
        new SgdClassifier { ClassWeights = new Dictionary<int, double> { [7] = 2 } }.Invoking(s => s.Fit(x, y)).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("ClassWeights");
    }

    [Fact]
    public void One_class_is_rejected()
    {
        var x = new FeatureMatrix([0, 1, 2], 1);
        new SgdClassifier().Invoking(s => s.Fit(x, [4, 4, 4])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("labels");
    }

    public static TheoryData<SgdClassifier, string> BadOptions() => new()
    {
        { new SgdClassifier { Loss = (SgdLoss)99 }, "Loss" },
        { new SgdClassifier { Penalty = (SgdPenalty)99 }, "Penalty" },
        { new SgdClassifier { LearningRate = (SgdLearningRate)99 }, "LearningRate" },
        { new SgdClassifier { Alpha = -1e-4 }, "Alpha" },
        { new SgdClassifier { Alpha = double.NaN }, "Alpha" },
        { new SgdClassifier { Alpha = 0 }, "Alpha" },
        { new SgdClassifier { L1Ratio = -0.1 }, "L1Ratio" },
        { new SgdClassifier { L1Ratio = 1.5 }, "L1Ratio" },
        { new SgdClassifier { MaxIterations = 0 }, "MaxIterations" },
        { new SgdClassifier { Tolerance = double.PositiveInfinity }, "Tolerance" },
        { new SgdClassifier { Epsilon = -0.1 }, "Epsilon" },
        { new SgdClassifier { Eta0 = -1 }, "Eta0" },
        { new SgdClassifier { LearningRate = SgdLearningRate.Constant }, "Eta0" },
        { new SgdClassifier { LearningRate = SgdLearningRate.InvScaling, Eta0 = 0 }, "Eta0" },
        { new SgdClassifier { LearningRate = SgdLearningRate.Adaptive }, "Eta0" },
        { new SgdClassifier { PowerT = double.NaN }, "PowerT" },
        { new SgdClassifier { ValidationFraction = 0 }, "ValidationFraction" },
        { new SgdClassifier { ValidationFraction = 1 }, "ValidationFraction" },
        { new SgdClassifier { IterationsWithNoChange = 0 }, "IterationsWithNoChange" },
        { new SgdClassifier { ClassWeights = new Dictionary<int, double> { [1] = 0 } }, "ClassWeights" },
        { new SgdClassifier { ClassWeights = new Dictionary<int, double> { [1] = 2 }, ClassWeightMode = ClassWeightMode.Balanced }, "ClassWeights" },
        { new SgdClassifier { ClassWeightMode = ClassWeightMode.BalancedSubsample }, "ClassWeightMode" },
        { new SgdClassifier { ClassWeightMode = (ClassWeightMode)7 }, "ClassWeightMode" },
        { new SgdClassifier { Average = -1 }, "Average" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_names_the_bad_option(SgdClassifier sgd, string option)
    {
        sgd.Invoking(s => s.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
        var x = new FeatureMatrix([0, 1], 1);
        sgd.Invoking(s => s.Fit(x, [0, 1])).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void The_defaults_are_scikit_learns_and_valid()
    {
        var sgd = new SgdClassifier();
        sgd.Validate();
        sgd.Should().BeEquivalentTo(new
        {
            Loss = SgdLoss.Hinge, Penalty = SgdPenalty.L2, Alpha = 1e-4, L1Ratio = 0.15, FitIntercept = true, MaxIterations = 1000,
            Tolerance = (double?)1e-3, Shuffle = true, Epsilon = 0.1, LearningRate = SgdLearningRate.Optimal, Eta0 = 0.0, PowerT = 0.5,
            EarlyStopping = false, ValidationFraction = 0.1, IterationsWithNoChange = 5, ClassWeightMode = ClassWeightMode.None, Average = 0,
        }, o => o.ExcludingMissingMembers());
    }
}
