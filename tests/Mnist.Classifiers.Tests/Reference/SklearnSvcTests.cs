using System.Diagnostics;
using Mnist.Classifiers.Data;
using Xunit.Abstractions;

namespace Mnist.Classifiers.Tests.Reference;

/// <summary>
/// Tests of the scikit-learn reference harness itself: that it runs, that its shapes are consistent and, above all,
/// that the conventions documented in SklearnSvc.cs (pair order, sign of rho, coefficient layout, objective) hold, by
/// checking them against hand-computed cases and by recomputing sklearn's decision values in C#.
/// </summary>
public class SklearnSvcTests(ITestOutputHelper output)
{
    private static readonly SvcReferenceOptions HardMarginLinear = new() { C = 100, Kernel = SvcKernel.Linear, Tolerance = 1e-6 };

    [PythonFact]
    public void Python_self_test_of_the_script_passes()
    {
        string stdout = PythonReference.RunScript(SklearnSvc.ScriptPath, TimeSpan.FromMinutes(2), "--self-test");
        stdout.Should().Contain("self-test passed");
    }

    // Two points at distance d, linear kernel, hard margin: alpha = 2/d² on both, objective −2/d²,
    // w = alpha (x_a − x_b), rho = w·x_a − 1 (the class-a point sits on the +1 margin).
    [PythonFact]
    public void Binary_two_point_case_matches_the_analytic_solution_and_sign_conventions()
    {
        var train = FeatureMatrix.FromArray(new float[,] { { 1, 0 }, { 3, 0 } });
        int[] labels = [7, 2];
        var test = FeatureMatrix.FromArray(new float[,] { { 0, 0 }, { 2.5f, 1 } });

        var r = SklearnSvc.Fit(train, labels, test, HardMarginLinear);

        r.Classes.Should().Equal(2, 7);
        r.Pairs.Should().ContainSingle();
        var pair = r.Pairs[0];
        (pair.ClassA, pair.ClassB, pair.LabelA, pair.LabelB).Should().Be((0, 1, 2, 7));
        // Class 2 (y = +1) is the row at x = 3; d = 2: alpha = 1/2, w = (1, 0), rho = 3 − 1 = 2, f = −1/2.
        pair.Rows.Should().Equal(0, 1);
        pair.Coefficients[0].Should().BeApproximately(-0.5, 1e-9);
        pair.Coefficients[1].Should().BeApproximately(0.5, 1e-9);
        pair.Rho.Should().BeApproximately(2.0, 1e-9);
        pair.Objective.Should().BeApproximately(-0.5, 1e-9);
        pair.LibsvmReportedObjective.Should().BeApproximately(-0.5, 1e-6);
        r.LibsvmReportedRhos![0].Should().BeApproximately(2.0, 1e-6);

        // d(x) = x₁ − 2 in LIBSVM's sign; sklearn's binary decision is its negation and its public intercept is +rho.
        r.PairDecisionValues[0, 0].Should().BeApproximately(-2.0, 1e-9);
        r.PairDecisionValues[1, 0].Should().BeApproximately(0.5, 1e-9);
        r.SklearnDecisionOvo[0, 0].Should().BeApproximately(2.0, 1e-9);
        r.SklearnDecisionOvo[1, 0].Should().BeApproximately(-0.5, 1e-9);
        r.SklearnIntercept.Should().ContainSingle().Which.Should().BeApproximately(2.0, 1e-9);
        r.Predictions.Should().Equal(7, 2);
        r.Kernel.Kernel.Should().Be(SvcKernel.Linear);
    }

    [PythonFact]
    public void Three_class_case_matches_the_analytic_solution_of_every_pair()
    {
        // 1-D: label 0 at 0, label 1 at 2, label 2 at 6, given in a scrambled row order.
        var train = FeatureMatrix.FromArray(new float[,] { { 6 }, { 0 }, { 2 } });
        int[] labels = [2, 0, 1];
        double[] position = [0, 2, 6];
        int[] rowOfClass = [1, 2, 0];
        var test = FeatureMatrix.FromArray(new float[,] { { 0.5f }, { 4.5f } });

        var r = SklearnSvc.Fit(train, labels, test, HardMarginLinear);

        r.Classes.Should().Equal(0, 1, 2);
        r.Pairs.Select(p => (p.ClassA, p.ClassB)).Should().Equal((0, 1), (0, 2), (1, 2));
        for (int p = 0; p < 3; p++)
        {
            var pair = r.Pairs[p];
            double d = position[pair.ClassA] - position[pair.ClassB];
            double alpha = 2 / (d * d), w = alpha * d, rho = w * position[pair.ClassA] - 1;
            pair.Rows.Should().Equal(new[] { rowOfClass[pair.ClassA], rowOfClass[pair.ClassB] }.Order());
            pair.Coefficients[Array.IndexOf(pair.Rows, rowOfClass[pair.ClassA])].Should().BeApproximately(alpha, 1e-9);
            pair.Coefficients[Array.IndexOf(pair.Rows, rowOfClass[pair.ClassB])].Should().BeApproximately(-alpha, 1e-9);
            pair.Objective.Should().BeApproximately(-2 / (d * d), 1e-9);
            pair.Rho.Should().BeApproximately(rho, 1e-9);
            r.SklearnIntercept[p].Should().BeApproximately(-rho, 1e-9, "for k > 2 sklearn's public intercept_ is −rho");
            for (int t = 0; t < test.Rows; t++)
            {
                double expected = w * test[t, 0] - rho;
                r.PairDecisionValues[t, p].Should().BeApproximately(expected, 1e-9);
                r.SklearnDecisionOvo[t, p].Should().BeApproximately(expected, 1e-9, "for k > 2 sklearn's ovo values are LIBSVM's");
            }
        }

        r.Predictions.Should().Equal(0, 2);
    }

    [PythonFact]
    public void Linear_binary_decision_values_recomputed_in_csharp_match_sklearn()
    {
        var data = ReferenceData.SyntheticBinary();
        var options = new SvcReferenceOptions { C = 1, Kernel = SvcKernel.Linear };

        var r = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, options);

        var pair = r.Pairs.Should().ContainSingle().Subject;
        pair.Coefficients.Count(c => Math.Abs(c) >= options.C * (1 - 1e-9)).Should()
            .BePositive("the blobs overlap, so some support vectors are at the bound C");
        for (int t = 0; t < data.Test.Rows; t++)
        {
            var x = data.Test.Row(t);
            double fromPairs = pair.DecisionValue(data.Train, x, r.Kernel);

            // The same value from sklearn's own arrays, as sklearn documents them for a binary SVC:
            // decision = Σ_j dual_coef_[0, j] K(x_support_[j], x) + intercept_[0], positive means Classes[1].
            double fromSklearnArrays = r.SklearnIntercept[0];
            for (int j = 0; j < r.SupportIndices.Length; j++)
            {
                fromSklearnArrays += r.SklearnDualCoef[0, j] * r.Kernel.Evaluate(data.Train.Row(r.SupportIndices[j]), x);
            }

            fromPairs.Should().BeApproximately(r.PairDecisionValues[t, 0], 1e-6);
            fromPairs.Should().BeApproximately(-r.SklearnDecisionOvo[t, 0], 1e-6);
            fromSklearnArrays.Should().BeApproximately(r.SklearnDecisionOvo[t, 0], 1e-6);
            r.Predictions[t].Should().Be(fromPairs > 0 ? r.Classes[0] : r.Classes[1]);
        }
    }

    public static TheoryData<string, SvcKernel> SyntheticConfigurations() => Configurations("synthetic-binary", "synthetic-10class");

    /// <summary>The MNIST rows, skipped (saying why) where the shared MNIST files are missing; the synthetic rows still run.</summary>
    public static TheoryData<string, SvcKernel> MnistConfigurations() => Configurations("mnist-3v5", "mnist-10class");

    private static TheoryData<string, SvcKernel> Configurations(params string[] sets)
    {
        var data = new TheoryData<string, SvcKernel>();
        foreach (var set in sets)
        {
            foreach (var kernel in Enum.GetValues<SvcKernel>())
            {
                data.Add(set, kernel);
            }
        }

        return data;
    }

    /// <summary>The configurations of the SVM agreement tests; also prints sklearn's fit time for each (the CI cost).</summary>
    [PythonTheory]
    [MemberData(nameof(SyntheticConfigurations))]
    [MnistMemberData(nameof(MnistConfigurations))]
    public void Every_agreement_configuration_gives_consistent_results(string set, SvcKernel kernel)
    {
        var data = set switch
        {
            "synthetic-binary" => ReferenceData.SyntheticBinary(),
            "synthetic-10class" => ReferenceData.SyntheticMulticlass(),
            "mnist-3v5" => ReferenceData.MnistBinary(3, 5),
            _ => ReferenceData.MnistSubset(),
        };
        var options = new SvcReferenceOptions { Kernel = kernel };

        var watch = Stopwatch.StartNew();
        var r = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, options);
        watch.Stop();

        output.WriteLine(
            $"{set,-18} {kernel,-8} fit {r.FitSeconds,6:F3} s  predict {r.PredictSeconds,6:F3} s  python call {watch.Elapsed.TotalSeconds,6:F2} s  nSV {r.SupportVectorCount,5}  gamma {r.Kernel.Gamma:G6}  " +
            $"iter {r.IterationsPerPair.Sum(),7}  accuracy {r.Predictions.Zip(data.TestLabels).Count(p => p.First == p.Second) / (double)data.Test.Rows:P1}" +
            (r.FromCache ? "  (cached)" : ""));
        AssertConsistent(r, data, options);
        AssertDecisionValuesRecompute(r, data, maxRows: set.StartsWith("mnist", StringComparison.Ordinal) ? 100 : data.Test.Rows);
        if (set.StartsWith("synthetic", StringComparison.Ordinal))
        {
            foreach (var pair in r.Pairs)
            {
                SvcPairSolution.DualObjective(data.Train, pair.Rows, pair.Coefficients, r.Kernel)
                    .Should().BeApproximately(pair.Objective, 1e-9 * Math.Max(1, Math.Abs(pair.Objective)));
            }
        }
    }

    [PythonFact]
    public void Gamma_rules_resolve_as_sklearn_documents()
    {
        var data = ReferenceData.SyntheticMulticlass();
        var x = data.Train.AsSpan();
        double mean = 0, squares = 0;
        foreach (float v in x)
        {
            mean += v;
        }

        mean /= x.Length;
        foreach (float v in x)
        {
            squares += (v - mean) * (v - mean);
        }

        double variance = squares / x.Length;

        double Gamma(SvcGamma gamma) =>
            SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, new SvcReferenceOptions { Gamma = gamma }).Kernel.Gamma;

        Gamma(SvcGamma.Scale).Should().BeApproximately(1 / (data.Train.Columns * variance), 1e-12);
        Gamma(SvcGamma.Auto).Should().Be(1.0 / data.Train.Columns);
        Gamma(SvcGamma.Of(0.37)).Should().Be(0.37);
    }

    [PythonFact]
    public void Class_weight_scales_the_box_constraint_of_that_class()
    {
        var data = ReferenceData.SyntheticBinary();
        var options = new SvcReferenceOptions { C = 2, ClassWeight = new Dictionary<int, double> { [0] = 0.25 } };

        var r = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, options);

        var pair = r.Pairs[0];
        var class0 = pair.Coefficients.Where(c => c > 0).ToArray();
        var class1 = pair.Coefficients.Where(c => c < 0).Select(Math.Abs).ToArray();
        class0.Max().Should().BeApproximately(0.5, 1e-9, "class 0 rows are bounded by C·0.25 and some reach it");
        class1.Max().Should().BeApproximately(2.0, 1e-9, "class 1 rows keep the bound C");
    }

    [PythonFact]
    public void Probabilities_are_returned_when_asked()
    {
        var data = ReferenceData.SyntheticMulticlass();
        var r = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, new SvcReferenceOptions { Probability = true, RandomState = 0 });

        r.Probabilities.Should().NotBeNull();
        r.Probabilities!.GetLength(0).Should().Be(data.Test.Rows);
        r.Probabilities.GetLength(1).Should().Be(10);
        for (int t = 0; t < data.Test.Rows; t++)
        {
            Enumerable.Range(0, 10).Sum(c => r.Probabilities[t, c]).Should().BeApproximately(1, 1e-9);
        }

        r.LibsvmReportedRhos.Should().BeNull("Platt scaling prints inner fits, so LIBSVM's own lines are not parsed");
        r.Pairs.Should().OnlyContain(p => p.LibsvmReportedObjective == null);
    }

    [PythonFact]
    public void Python_errors_surface_with_their_message()
    {
        var train = FeatureMatrix.FromArray(new float[,] { { 1, 0 }, { 3, 0 } });
        var act = () => SklearnSvc.Fit(train, [4, 4], train, new SvcReferenceOptions { UseCache = false });

        act.Should().Throw<InvalidOperationException>().WithMessage("*exited with code*ValueError*class*");
    }

    [Fact]
    public void Invalid_options_and_shapes_are_rejected_before_python_runs()
    {
        var train = FeatureMatrix.FromArray(new float[,] { { 1, 0 }, { 3, 0 } });
        var narrow = FeatureMatrix.FromArray(new float[,] { { 1 } });
        FluentActions.Invoking(() => SklearnSvc.Fit(train, [1], train, new SvcReferenceOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*1 labels for 2 training rows*");
        FluentActions.Invoking(() => SklearnSvc.Fit(train, [1, 2], narrow, new SvcReferenceOptions()))
            .Should().Throw<ArgumentException>().WithMessage("*1 features*2*");
        FluentActions.Invoking(() => SklearnSvc.Fit(train, [1, 2], train, new SvcReferenceOptions { C = 0 }))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => SvcGamma.Of(-1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static void AssertConsistent(SvcReferenceResult r, ReferenceDataSet data, SvcReferenceOptions options)
    {
        int k = data.Classes.Length;
        r.Classes.Should().Equal(data.Classes);
        r.SupportCountPerClass.Should().HaveCount(k);
        r.SupportCountPerClass.Sum().Should().Be(r.SupportVectorCount);
        r.SupportIndices.Should().OnlyHaveUniqueItems().And.OnlyContain(i => i >= 0 && i < data.Train.Rows);
        r.Pairs.Should().HaveCount(k * (k - 1) / 2);
        r.PairDecisionValues.GetLength(0).Should().Be(data.Test.Rows);
        r.PairDecisionValues.GetLength(1).Should().Be(k * (k - 1) / 2);
        r.SklearnDecisionOvr.GetLength(1).Should().Be(k == 2 ? 1 : k);
        r.SklearnDualCoef.GetLength(0).Should().Be(k - 1);
        r.SklearnDualCoef.GetLength(1).Should().Be(r.SupportVectorCount);
        r.Predictions.Should().HaveCount(data.Test.Rows);
        r.LibsvmReportedRhos.Should().HaveCount(r.Pairs.Count);

        // Support vectors are grouped by class in class order.
        int offset = 0;
        for (int c = 0; c < k; c++)
        {
            r.SupportIndices.Skip(offset).Take(r.SupportCountPerClass[c]).Should().OnlyContain(i => data.TrainLabels[i] == r.Classes[c]);
            offset += r.SupportCountPerClass[c];
        }

        var union = new HashSet<int>();
        int p = 0;
        for (int a = 0; a < k; a++)
        {
            for (int b = a + 1; b < k; b++, p++)
            {
                var pair = r.Pairs[p];
                (pair.ClassA, pair.ClassB).Should().Be((a, b), "pairs come in LIBSVM's order");
                pair.Rows.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
                for (int i = 0; i < pair.Rows.Length; i++)
                {
                    int label = data.TrainLabels[pair.Rows[i]];
                    double c = pair.Coefficients[i];
                    (label == pair.LabelA ? c > 0 : label == pair.LabelB && c < 0).Should().BeTrue("alpha·y is > 0 for class a rows and < 0 for class b rows");
                    Math.Abs(c).Should().BeLessThanOrEqualTo(options.C * (1 + 1e-12));
                    union.Add(pair.Rows[i]);
                }

                pair.Coefficients.Sum().Should().BeApproximately(0, 1e-9 * Math.Max(1, pair.Coefficients.Sum(Math.Abs)), "Σ α_i y_i = 0");
                pair.Objective.Should().BeNegative();
                pair.LibsvmReportedObjective.Should().NotBeNull();
                // LIBSVM prints six decimals, and computes its objective from its gradient, which it accumulates
                // from kernel values rounded to float (its Qfloat cache): about 1e-7 relative from the exact value.
                pair.Objective.Should().BeApproximately(pair.LibsvmReportedObjective!.Value, 5e-7 + 1e-6 * Math.Abs(pair.Objective));
                pair.Rho.Should().BeApproximately(r.LibsvmReportedRhos![p], 5e-7 + 1e-6 * Math.Abs(pair.Rho));
                pair.Iterations.Should().BePositive();
            }
        }

        union.Should().BeEquivalentTo(r.SupportIndices, "every support vector is one of some pair");

        // LIBSVM's vote: d_ab > 0 votes for a, otherwise b; the first class with the most votes wins.
        for (int t = 0; t < data.Test.Rows; t++)
        {
            var votes = new int[k];
            for (int q = 0; q < r.Pairs.Count; q++)
            {
                votes[r.PairDecisionValues[t, q] > 0 ? r.Pairs[q].ClassA : r.Pairs[q].ClassB]++;
            }

            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (votes[c] > votes[best])
                {
                    best = c;
                }
            }

            r.Predictions[t].Should().Be(r.Classes[best]);
        }
    }

    private static void AssertDecisionValuesRecompute(SvcReferenceResult r, ReferenceDataSet data, int maxRows)
    {
        int rows = Math.Min(maxRows, data.Test.Rows);
        var column = new Dictionary<int, int>();
        foreach (int sv in r.SupportIndices)
        {
            column[sv] = column.Count;
        }

        var kernel = new double[rows, column.Count];
        Parallel.For(0, rows, t =>
        {
            foreach (var (sv, j) in column)
            {
                kernel[t, j] = r.Kernel.Evaluate(data.Train.Row(sv), data.Test.Row(t));
            }
        });

        for (int p = 0; p < r.Pairs.Count; p++)
        {
            var pair = r.Pairs[p];
            for (int t = 0; t < rows; t++)
            {
                double value = -pair.Rho;
                for (int i = 0; i < pair.Rows.Length; i++)
                {
                    value += pair.Coefficients[i] * kernel[t, column[pair.Rows[i]]];
                }

                value.Should().BeApproximately(r.PairDecisionValues[t, p], 1e-6 * Math.Max(1, Math.Abs(value)));
                double sklearn = r.Classes.Length == 2 ? -r.SklearnDecisionOvo[t, 0] : r.SklearnDecisionOvo[t, p];
                value.Should().BeApproximately(sklearn, 1e-6 * Math.Max(1, Math.Abs(value)));
            }
        }
    }
}
