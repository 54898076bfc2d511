using Mnist.Classifiers.Data;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class SvmClassifierTests
{
    /// <summary>Gaussian blobs that overlap a little, so that some α sit at C and some are free.</summary>
    internal static (FeatureMatrix X, int[] Y) Blobs(int perClass, int[] labels, int dimensions, int seed, double spread = 1.2)
    {
        var random = new Random(seed);
        var values = new float[perClass * labels.Length * dimensions];
        var y = new int[perClass * labels.Length];
        int row = 0;
        for (int c = 0; c < labels.Length; c++)
        {
            var centre = Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() * 6 - 3).ToArray();
            for (int i = 0; i < perClass; i++, row++)
            {
                for (int d = 0; d < dimensions; d++)
                {
                    values[row * dimensions + d] = (float)(centre[d] + spread * Normal(random));
                }

                y[row] = labels[c];
            }
        }

        return (new FeatureMatrix(values, dimensions), y);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Two_points_linear_kernel_give_the_analytic_hard_margin_solution()
    {
        // x = ±(1, 0): w = (1, 0), b = 0, α = ½ each, dual objective ½αᵀQα − Σα = ½ − 1 = −½.
        var x = new FeatureMatrix([1, 0, -1, 0], 2);
        var model = new SvmClassifier { Kernel = SvmKernelType.Linear, C = 10 }.Fit(x, [1, -1]);
        model.Classes.Should().Equal(-1, 1);
        model.SupportVectorCount.Should().Be(2);
        model.Rho[0].Should().BeApproximately(0, 1e-9);
        model.TrainingReport!.Objectives[0].Should().BeApproximately(-0.5, 1e-9);
        var coefficients = model.DualCoefficients();
        coefficients[0, 0].Should().BeApproximately(0.5, 1e-9);  // class −1 is first: +1 in its own problem
        coefficients[0, 1].Should().BeApproximately(-0.5, 1e-9);
        model.Predict(new FeatureMatrix([3, 1, -0.2f, 5], 2)).Should().Equal(1, -1);
        model.DecisionFunction(new FeatureMatrix([2, 0], 2))[0, 0].Should().BeApproximately(2, 1e-6);
    }

    [Fact]
    public void A_small_C_bounds_both_multipliers()
    {
        // With C = 0.1 < ½ both α stop at the bound: objective ½·0.1²·4 − 0.2 = −0.18.
        var x = new FeatureMatrix([1, 0, -1, 0], 2);
        var model = new SvmClassifier { Kernel = SvmKernelType.Linear, C = 0.1 }.Fit(x, [5, 9]);
        model.TrainingReport!.Objectives[0].Should().BeApproximately(-0.18, 1e-9);
        Math.Abs(model.DualCoefficients()[0, 0]).Should().BeApproximately(0.1, 1e-12);
        model.Predict(x).Should().Equal(5, 9);
    }

    [Theory]
    [InlineData(SvmKernelType.Rbf)]
    [InlineData(SvmKernelType.Polynomial)]
    [InlineData(SvmKernelType.Linear)]
    [InlineData(SvmKernelType.Sigmoid)]
    public void Decision_values_equal_the_kernel_expansion_recomputed_in_double(SvmKernelType kernel)
    {
        var (x, y) = Blobs(40, [3, 7, 11], 5, seed: 1);
        var options = new SvmClassifier { Kernel = kernel, C = 2, Gamma = SvmGamma.Fixed(0.1), Coef0 = 0.5, Degree = 3 };
        var model = options.Fit(x, y);
        var decisions = model.DecisionFunctionOneVsOne(x);
        var coefficients = model.DualCoefficients();
        int k = 3, n = model.SupportVectorCount;
        var start = new int[k];
        for (int c = 1; c < k; c++)
        {
            start[c] = start[c - 1] + model.SupportCounts[c - 1];
        }

        for (int row = 0; row < x.Rows; row += 7)
        {
            int p = 0;
            for (int i = 0; i < k; i++)
            {
                for (int j = i + 1; j < k; j++, p++)
                {
                    double sum = 0;
                    for (int s = start[i]; s < start[i] + model.SupportCounts[i]; s++)
                    {
                        sum += coefficients[j - 1, s] * Kernel(kernel, x.Row(row), model.SupportVectors.Row(s));
                    }

                    for (int s = start[j]; s < start[j] + model.SupportCounts[j]; s++)
                    {
                        sum += coefficients[i, s] * Kernel(kernel, x.Row(row), model.SupportVectors.Row(s));
                    }

                    decisions[row, p].Should().BeApproximately(sum - model.Rho[p], 1e-4 * (1 + Math.Abs(sum)));
                }
            }
        }

        _ = n;
    }

    private static double Kernel(SvmKernelType kernel, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, distance = 0;
        for (int t = 0; t < a.Length; t++)
        {
            dot += (double)a[t] * b[t];
            distance += ((double)a[t] - b[t]) * ((double)a[t] - b[t]);
        }

        return kernel switch
        {
            SvmKernelType.Linear => dot,
            SvmKernelType.Rbf => Math.Exp(-0.1 * distance),
            SvmKernelType.Polynomial => Math.Pow(0.1 * dot + 0.5, 3),
            _ => Math.Tanh(0.1 * dot + 0.5),
        };
    }

    [Fact]
    public void Solution_satisfies_the_KKT_conditions_within_the_tolerance()
    {
        // At the optimum every multiplier is in the box and Σ y α = 0 per pair problem.
        var (x, y) = Blobs(60, [0, 1], 4, seed: 3, spread: 2.0);
        var model = new SvmClassifier { C = 1.5, Gamma = SvmGamma.Fixed(0.3) }.Fit(x, y);
        var coefficients = model.DualCoefficients();
        double sum = 0;
        for (int s = 0; s < model.SupportVectorCount; s++)
        {
            Math.Abs(coefficients[0, s]).Should().BeLessThanOrEqualTo(1.5 + 1e-12).And.BeGreaterThan(0);
            sum += coefficients[0, s];
        }

        sum.Should().BeApproximately(0, 1e-9);
        model.TrainingReport!.ReachedIterationLimit.Should().BeFalse();
    }

    [Fact]
    public void The_same_model_comes_out_whatever_the_compute_budget()
    {
        var (x, y) = Blobs(50, [0, 1, 2, 3], 6, seed: 5);
        var svm = new SvmClassifier { Probability = true, Seed = 9 };
        var one = svm.Fit(x, y, new ComputeBudget(1, ComputeBudget.MinimumMemoryBytes));
        var three = svm.Fit(x, y, new ComputeBudget(3, 1L << 30));
        one.SupportIndices.Should().Equal(three.SupportIndices);
        one.Rho.Should().Equal(three.Rho);
        one.ProbabilityA.Should().Equal(three.ProbabilityA);
        one.DualCoefficients().Should().BeEquivalentTo(three.DualCoefficients(), o => o.WithStrictOrdering());
        one.PredictProbabilities(x, new ComputeBudget(1, ComputeBudget.MinimumMemoryBytes))
            .Should().BeEquivalentTo(three.PredictProbabilities(x, new ComputeBudget(3, 1L << 30)), o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(SvmKernelType.Rbf, 120)]
    [InlineData(SvmKernelType.Polynomial, 120)]
    [InlineData(SvmKernelType.Rbf, 77)]
    public void Precomputed_class_kernels_give_the_same_model_as_rows_computed_per_problem(SvmKernelType kernel, int perClass)
    {
        // The default cache holds each class's own kernel, computed once up front, and a problem's row reads its own
        // class's values there in place; a tiny cache does not, and every row is then computed whole inside its problem,
        // with evictions. Both must give the same bits. (77 per class: the scans' vector loops end in a lone vector and
        // a scalar tail in both pieces of a row, on both vector widths.)
        var (x, y) = Blobs(perClass, [0, 1, 2, 3], 6, seed: 31, spread: 2);
        var options = new SvmClassifier { Kernel = kernel, C = 3, Gamma = SvmGamma.Fixed(0.1), Coef0 = 1 };
        var precomputed = options.Fit(x, y);
        var perProblem = (options with { CacheSizeMegabytes = 0.02 }).Fit(x, y);
        perProblem.SupportIndices.Should().Equal(precomputed.SupportIndices);
        perProblem.Rho.Should().Equal(precomputed.Rho);
        perProblem.TrainingReport!.Iterations.Should().Equal(precomputed.TrainingReport!.Iterations);
        perProblem.DualCoefficients().Should().BeEquivalentTo(precomputed.DualCoefficients(), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Probabilities_sum_to_one_and_mostly_agree_with_the_vote()
    {
        var (x, y) = Blobs(60, [0, 1, 2], 3, seed: 8);
        var model = new SvmClassifier { Probability = true, Seed = 1 }.Fit(x, y);
        var probabilities = model.PredictProbabilities(x);
        var predictions = model.Predict(x);
        int agree = 0;
        for (int row = 0; row < x.Rows; row++)
        {
            double total = 0;
            int best = 0;
            for (int c = 0; c < 3; c++)
            {
                probabilities[row, c].Should().BeInRange(0, 1);
                total += probabilities[row, c];
                if (probabilities[row, c] > probabilities[row, best])
                {
                    best = c;
                }
            }

            total.Should().BeApproximately(1, 1e-9);
            agree += model.Classes[best] == predictions[row] ? 1 : 0;
        }

        agree.Should().BeGreaterThan(x.Rows * 9 / 10);
    }

    [Fact]
    public void Probabilities_need_the_option_and_the_model_says_so()
    {
        var (x, y) = Blobs(10, [0, 1], 2, seed: 2);
        var model = new SvmClassifier().Fit(x, y);
        model.SupportsProbabilities.Should().BeFalse();
        model.SupportsDecisionFunction.Should().BeTrue();
        ((Action)(() => model.PredictProbabilities(x))).Should().Throw<NotSupportedException>().WithMessage("*SvmModel*Probability = true*");
        var pipeline = new Pipeline(new Mnist.Classifiers.Preprocessing.StandardScaler(), new SvmClassifier()).Fit(x, y);
        pipeline.SupportsProbabilities.Should().BeFalse();
        ((Action)(() => pipeline.PredictProbabilities(x))).Should().Throw<NotSupportedException>().WithMessage("*SvmModel*");

        var withProbabilities = new SvmClassifier { Probability = true }.Fit(x, y);
        withProbabilities.SupportsProbabilities.Should().BeTrue();
        withProbabilities.PredictProbabilities(x).GetLength(1).Should().Be(2);
    }

    [Fact]
    public void Class_weights_scale_C_per_class()
    {
        // A huge weight on one class lets its multipliers go far past C, as LIBSVM's -wi does.
        var (x, y) = Blobs(40, [0, 1], 2, seed: 4, spread: 3);
        var plain = new SvmClassifier { C = 0.01, Kernel = SvmKernelType.Linear }.Fit(x, y);
        var weighted = new SvmClassifier { C = 0.01, Kernel = SvmKernelType.Linear, ClassWeights = new Dictionary<int, double> { [1] = 100 } }.Fit(x, y);
        var c = weighted.DualCoefficients();
        double maxPlain = plain.DualCoefficients().Cast<double>().Max(Math.Abs);
        maxPlain.Should().BeLessThanOrEqualTo(0.01 + 1e-12);
        Enumerable.Range(0, weighted.SupportVectorCount).Max(s => Math.Abs(c[0, s])).Should().BeGreaterThan(0.01 + 1e-6);
    }

    [Theory]
    [InlineData("scale")]
    [InlineData("auto")]
    [InlineData("0.25")]
    public void Gamma_is_resolved_as_scikit_learn_defines_it(string text)
    {
        var x = new FeatureMatrix([0, 2, 4, 6, 1, 3], 2);
        var model = new SvmClassifier { Gamma = SvmGamma.Parse(text) }.Fit(x, [0, 1, 0]);
        // Values 0,2,4,6,1,3: mean 8/3, var = (Σx²)/6 − mean² = 66/6 − 64/9 = 35/9.
        double expected = text switch { "scale" => 1 / (2 * 35.0 / 9), "auto" => 0.5, _ => 0.25 };
        model.Gamma.Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Bad_options_and_inputs_are_named_in_the_error()
    {
        var x = new FeatureMatrix([1, 2, 3, 4], 2);
        ((Action)(() => new SvmClassifier { C = 0 }.Fit(x, [0, 1]))).Should().Throw<ArgumentException>().WithMessage("*C must be*");
        ((Action)(() => new SvmClassifier().Fit(x, [0]))).Should().Throw<ArgumentException>().WithMessage("*2 rows*1 labels*");
        ((Action)(() => new SvmClassifier().Fit(x, [4, 4]))).Should().Throw<ArgumentException>().WithMessage("*one class*");
        ((Action)(() => SvmGamma.Parse("fast"))).Should().Throw<FormatException>().WithMessage("*fast*");
        ((Action)(() => new SvmClassifier { ClassWeightMode = ClassWeightMode.BalancedSubsample }.Validate())).Should().Throw<ArgumentException>()
            .WithMessage("*BalancedSubsample is for forests*").Which.ParamName.Should().Be("ClassWeightMode");
        ((Action)(() => new SvmClassifier { ClassWeightMode = ClassWeightMode.Balanced, ClassWeights = new Dictionary<int, double> { [0] = 2 } }.Validate()))
            .Should().Throw<ArgumentException>().Which.ParamName.Should().Be("ClassWeights");
        var model = new SvmClassifier().Fit(x, [0, 1]);
        ((Action)(() => model.Predict(new FeatureMatrix([1, 2, 3], 3)))).Should().Throw<ArgumentException>().WithMessage("*2 features*3*");
    }

    [Fact]
    public void Balanced_class_weights_are_the_given_weights_n_over_k_count()
    {
        // Every row of class 3 and about a quarter of class 7's: balanced weights n / (2 · count) differ by about 4x.
        var (x, y) = Blobs(40, [3, 7], 4, seed: 5, spread: 2.5);
        var keep = Enumerable.Range(0, y.Length).Where(i => y[i] == 3 || i % 4 == 0).ToArray();
        int[] labels = keep.Select(i => y[i]).ToArray();
        var rows = new FeatureMatrix(keep.SelectMany(i => x.Row(i).ToArray()).ToArray(), x.Columns);
        double n = labels.Length, three = labels.Count(l => l == 3), seven = labels.Count(l => l == 7);

        var balanced = new SvmClassifier { C = 0.5, ClassWeightMode = ClassWeightMode.Balanced }.Fit(rows, labels);
        var given = new SvmClassifier { C = 0.5, ClassWeights = new Dictionary<int, double> { [3] = n / (2 * three), [7] = n / (2 * seven) } }.Fit(rows, labels);

        three.Should().NotBe(seven, "the classes must be unbalanced for the test to mean anything");
        balanced.SupportIndices.Should().Equal(given.SupportIndices);
        balanced.DecisionFunction(rows).Cast<double>().Should().Equal(given.DecisionFunction(rows).Cast<double>());
    }
}
