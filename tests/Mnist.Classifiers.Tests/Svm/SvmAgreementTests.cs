using Mnist.Classifiers.Data;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Reference;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>
/// The SVM against scikit-learn's SVC (LIBSVM) on the same float32 data and hyperparameters: the dual objective of
/// every one-vs-one problem within 1e-3 relative, the support-vector count within 1%, every bias (−ρ) within 1e-2
/// and the predictions equal on at least 99.9% of the test rows.
/// </summary>
public class SvmAgreementTests
{
    public static TheoryData<string, SvcKernel, bool> SyntheticConfigurations() => Configurations("synthetic");

    /// <summary>The MNIST rows, skipped (saying why) where the shared MNIST files are missing; the synthetic rows still run.</summary>
    public static TheoryData<string, SvcKernel, bool> MnistConfigurations() => Configurations("mnist");

    private static TheoryData<string, SvcKernel, bool> Configurations(string set)
    {
        var data = new TheoryData<string, SvcKernel, bool>();
        foreach (var kernel in new[] { SvcKernel.Rbf, SvcKernel.Poly, SvcKernel.Linear, SvcKernel.Sigmoid })
        {
            data.Add(set, kernel, true);
            data.Add(set, kernel, false);
        }

        return data;
    }

    [PythonTheory]
    [MemberData(nameof(SyntheticConfigurations))]
    [MnistMemberData(nameof(MnistConfigurations))]
    public void Agrees_with_scikit_learn(string set, SvcKernel kernel, bool binary)
    {
        var data = set switch
        {
            "synthetic" => binary ? ReferenceData.SyntheticBinary() : ReferenceData.SyntheticMulticlass(),
            _ => binary ? ReferenceData.MnistBinary() : ReferenceData.MnistSubset(),
        };

        // The seed project's settings on MNIST (C = 8, γ = auto); scikit-learn's defaults on the synthetic sets, but
        // for the sigmoid kernel there a γ under its saturation: the sigmoid kernel is not positive semi-definite, the
        // dual is not convex, and with γ = scale one pair problem of the 10-class set ends at another stationary
        // point (0.1% lower objective than LIBSVM's) when float32 kernel values differ from LIBSVM's in the last bit.
        // That case is covered by Non_convex_sigmoid_problems_end_no_worse_than_libsvm below.
        var gamma = set == "mnist" ? SvcGamma.Auto : kernel == SvcKernel.Sigmoid ? SvcGamma.Of(0.03) : SvcGamma.Scale;
        var reference = new SvcReferenceOptions
        {
            Kernel = kernel,
            C = set == "mnist" ? 8 : 1,
            Gamma = gamma,
            Coef0 = kernel is SvcKernel.Poly && set == "synthetic" ? 0.5 : 0,
        };
        var expected = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, reference);
        var model = new SvmClassifier
        {
            Kernel = ToKernel(kernel),
            C = reference.C,
            Gamma = gamma.Rule switch
            {
                SvcGammaRule.Auto => SvmGamma.Auto,
                SvcGammaRule.Scale => SvmGamma.Scale,
                _ => SvmGamma.Fixed(gamma.Value),
            },
            Coef0 = reference.Coef0,
        }.Fit(data.Train, data.TrainLabels);

        AssertAgreement(model, expected, data.Test, $"{set} {kernel} {(binary ? "binary" : "10-class")}");
    }

    [PythonFact]
    public void Non_convex_sigmoid_problems_end_no_worse_than_libsvm()
    {
        // γ = scale saturates the sigmoid kernel on this set: every pair problem must still reach LIBSVM's objective
        // or a lower one, and the predictions must agree.
        var data = ReferenceData.SyntheticMulticlass();
        var expected = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, new SvcReferenceOptions { Kernel = SvcKernel.Sigmoid });
        var model = new SvmClassifier { Kernel = SvmKernelType.Sigmoid }.Fit(data.Train, data.TrainLabels);
        for (int p = 0; p < expected.Pairs.Count; p++)
        {
            double reference = expected.PairObjectives[p];
            model.TrainingReport!.Objectives[p].Should().BeLessThanOrEqualTo(reference + 1e-3 * Math.Abs(reference), $"pair {p}");
        }

        model.SupportVectorCount.Should().BeCloseTo(expected.SupportVectorCount, (uint)Math.Ceiling(0.01 * expected.SupportVectorCount));
        int equal = model.Predict(data.Test).Zip(expected.Predictions).Count(t => t.First == t.Second);
        equal.Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(0.999 * data.Test.Rows));
    }

    [PythonFact]
    public void Agrees_with_scikit_learn_with_class_weights_and_without_shrinking()
    {
        var data = ReferenceData.SyntheticMulticlass();
        var weights = new Dictionary<int, double> { [data.Classes[0]] = 3, [data.Classes[1]] = 0.5 };
        var expected = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test,
            new SvcReferenceOptions { C = 2, ClassWeight = weights, Shrinking = false });
        var model = new SvmClassifier { C = 2, ClassWeights = weights, Shrinking = false }.Fit(data.Train, data.TrainLabels);
        AssertAgreement(model, expected, data.Test, "class weights");
    }

    [PythonFact]
    public void Probabilities_are_close_to_scikit_learns()
    {
        // The 5-fold split behind Platt scaling is random on both sides (LIBSVM's rand() there, a seeded shuffle
        // here), so the sigmoids differ a little; the probabilities must still agree closely on average.
        var data = ReferenceData.SyntheticMulticlass();
        var expected = SklearnSvc.Fit(data.Train, data.TrainLabels, data.Test, new SvcReferenceOptions { Probability = true, RandomState = 0 });
        var model = new SvmClassifier { Probability = true, Seed = 0 }.Fit(data.Train, data.TrainLabels);
        var ours = model.PredictProbabilities(data.Test);
        var theirs = expected.Probabilities!;
        double total = 0;
        for (int r = 0; r < data.Test.Rows; r++)
        {
            for (int c = 0; c < model.Classes.Count; c++)
            {
                total += Math.Abs(ours[r, c] - theirs[r, c]);
            }
        }

        (total / (data.Test.Rows * model.Classes.Count)).Should().BeLessThan(0.02);
    }

    private static void AssertAgreement(SvmModel model, SvcReferenceResult expected, FeatureMatrix test, string because)
    {
        model.Classes.Should().Equal(expected.Classes, because);
        model.Gamma.Should().BeApproximately(expected.Kernel.Gamma, 1e-9 * expected.Kernel.Gamma, because);
        var objectives = model.TrainingReport!.Objectives;
        for (int p = 0; p < expected.Pairs.Count; p++)
        {
            double reference = expected.PairObjectives[p];
            objectives[p].Should().BeApproximately(reference, 1e-3 * Math.Abs(reference), $"{because}: objective of pair {p}");
            (-model.Rho[p]).Should().BeApproximately(-expected.Rhos[p], 1e-2, $"{because}: bias of pair {p}");
        }

        model.SupportVectorCount.Should().BeCloseTo(expected.SupportVectorCount, (uint)Math.Ceiling(0.01 * expected.SupportVectorCount), because);

        // Decision values in both of scikit-learn's shapes: LIBSVM's one-vs-one values, and the default
        // (one column with the sign of classes_[1] for two classes, votes plus confidences for more).
        AssertClose(model.DecisionFunctionOneVsOne(test), expected.PairDecisionValues, $"{because}: ovo decision values");
        // The one-vs-rest shape counts votes: rows where some pair decision is within the tolerance of 0 may count a
        // vote differently, so they are left out of that comparison (they are in the one-vs-one one above).
        var decided = Enumerable.Range(0, test.Rows)
            .Where(r => Enumerable.Range(0, expected.Pairs.Count).All(p => Math.Abs(expected.PairDecisionValues[r, p]) > 1e-2))
            .ToArray();
        decided.Length.Should().BeGreaterThan(test.Rows / 2, $"{because}: most rows have no pair decision near 0");
        AssertClose(Rows(model.DecisionFunction(test), decided), Rows(expected.Classes.Length == 2 ? expected.SklearnDecisionOvo : expected.SklearnDecisionOvr, decided), $"{because}: decision_function");
        int[] predictions = model.Predict(test);
        int equal = predictions.Zip(expected.Predictions).Count(t => t.First == t.Second);
        equal.Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(0.999 * test.Rows), because);
    }

    /// <summary>
    /// Every value of at least 99.9% of the rows within 1e-2 (relative to 1 + |value|), the bias tolerance: both solvers stop
    /// within ε = 1e-3 of the optimum, not at one point; a pair decision near 0 may flip its vote, which moves that row's
    /// one-vs-rest values by 1.
    /// </summary>
    private static void AssertClose(double[,] actual, double[,] expected, string because)
    {
        actual.GetLength(0).Should().Be(expected.GetLength(0), because);
        actual.GetLength(1).Should().Be(expected.GetLength(1), because);
        int rows = actual.GetLength(0), close = 0;
        for (int r = 0; r < rows; r++)
        {
            bool rowClose = true;
            for (int c = 0; c < actual.GetLength(1); c++)
            {
                rowClose &= Math.Abs(actual[r, c] - expected[r, c]) <= 1e-2 * (1 + Math.Abs(expected[r, c]));
            }

            close += rowClose ? 1 : 0;
        }

        close.Should().BeGreaterThanOrEqualTo((int)Math.Ceiling(0.999 * rows), because);
    }

    private static double[,] Rows(double[,] values, int[] rows)
    {
        var result = new double[rows.Length, values.GetLength(1)];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int c = 0; c < values.GetLength(1); c++)
            {
                result[r, c] = values[rows[r], c];
            }
        }

        return result;
    }

    private static SvmKernelType ToKernel(SvcKernel kernel) => kernel switch
    {
        SvcKernel.Rbf => SvmKernelType.Rbf,
        SvcKernel.Poly => SvmKernelType.Polynomial,
        SvcKernel.Linear => SvmKernelType.Linear,
        _ => SvmKernelType.Sigmoid,
    };
}
