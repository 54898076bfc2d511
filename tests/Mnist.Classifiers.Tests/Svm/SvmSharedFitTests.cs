using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class SvmSharedFitTests
{
    private static readonly double[] Cs = [0.5, 2, 8];

    [Fact]
    public void Variants_that_differ_only_in_C_and_gamma_share_work_and_others_do_not()
    {
        var svm = new SvmClassifier { Gamma = SvmGamma.Auto, Tolerance = 0.01 };

        svm.SharesWorkWith(svm with { C = 8 }).Should().BeTrue();
        svm.SharesWorkWith(svm with { C = 8, Gamma = SvmGamma.Scale }).Should().BeTrue("every γ's kernel is made from the same dot products");
        svm.SharesWorkWith(svm with { Degree = 2 }).Should().BeFalse();
        svm.SharesWorkWith(svm with { Kernel = SvmKernelType.Linear }).Should().BeFalse();
        svm.SharesWorkWith(svm with { C = 8, Tolerance = 0.001 }).Should().BeFalse();
        svm.SharesWorkWith(svm with { Probability = true }).Should().BeFalse("the Platt cross-validation solves problems of its own");
        svm.SharesWorkWith(new DummyClassifier()).Should().BeFalse();
    }

    [Theory]
    [InlineData(1024.0)] // the dot products are computed once and each γ's kernel matrix made from them
    [InlineData(0.2)]    // room for one 160 × 160 matrix but not two: the dot products are computed again for each γ
    [InlineData(0.01)]   // too small for a matrix: each variant is fitted alone
    public void Each_variant_is_bit_for_bit_the_plain_fit(double cacheMegabytes)
    {
        var (x, y) = SvmClassifierTests.Blobs(40, [0, 1, 2, 3], 6, seed: 21, spread: 2.2);
        var (heldOut, _) = SvmClassifierTests.Blobs(10, [0, 1, 2, 3], 6, seed: 22, spread: 2.2);
        var svm = new SvmClassifier { CacheSizeMegabytes = cacheMegabytes };
        var variants = (
            from c in new[] { 8.0, 0.5, 2 }
            from gamma in new[] { SvmGamma.Scale, SvmGamma.Auto, SvmGamma.Fixed(0.3) }
            select (IClassifier)(svm with { C = c, Gamma = gamma })).ToArray();
        var told = new List<(int Variant, IClassifierModel Model)>();

        var models = svm.FitVariants(variants, x, y, heldOut, (v, model) => told.Add((v, model)), new ComputeBudget(2, 1L << 28));

        told.Select(t => t.Variant).Should().BeEquivalentTo(Enumerable.Range(0, variants.Length), "each variant is told once");
        told.Should().OnlyContain(t => ReferenceEquals(t.Model, models[t.Variant]));
        for (int v = 0; v < variants.Length; v++)
        {
            var shared = models[v].Should().BeOfType<SvmModel>().Subject;
            var plain = ((SvmClassifier)variants[v]).Fit(x, y, new ComputeBudget(1, 1L << 28));
            string because = variants[v].ToString()!;
            shared.SupportIndices.Should().Equal(plain.SupportIndices, because);
            shared.DualCoefficients().Should().BeEquivalentTo(plain.DualCoefficients(), o => o.WithStrictOrdering(), because);
            shared.Rho.Should().Equal(plain.Rho, because);
            shared.Gamma.Should().Be(plain.Gamma, because);
            // The held-out rows' kernel values, made once for all the variants, are those the plain model computes.
            shared.DecisionFunctionOneVsOne(heldOut).Should().BeEquivalentTo(plain.DecisionFunctionOneVsOne(heldOut), o => o.WithStrictOrdering(), because);
            shared.Predict(heldOut).Should().Equal(plain.Predict(heldOut), because);
            shared.DecisionFunctionOneVsOne(x).Should().BeEquivalentTo(plain.DecisionFunctionOneVsOne(x), o => o.WithStrictOrdering(), because);
        }

        models.Select(m => ((SvmModel)m).SupportVectorCount).Distinct().Should().HaveCountGreaterThan(3, "the variants make different models");
    }

    [Fact]
    public void A_pipeline_fits_its_steps_once_and_its_variants_equal_plain_fits()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [1, 4, 9], 5, seed: 8, spread: 2.5);
        var (heldOut, _) = SvmClassifierTests.Blobs(10, [1, 4, 9], 5, seed: 9, spread: 2.5);
        var pipeline = new Pipeline(new StandardScaler(), new SvmClassifier());
        var variants = Cs.Select(c => (IClassifier)(pipeline with { Classifier = new SvmClassifier { C = c } })).ToArray();

        var models = pipeline.FitVariants(variants, x, y, heldOut);

        models.Select(m => ((PipelineModel)m).Transforms[0]).Distinct().Should().HaveCount(1, "one scaler is fitted for all variants");
        for (int v = 0; v < Cs.Length; v++)
        {
            var plain = ((Pipeline)variants[v]).Fit(x, y);
            var shared = (SvmModel)((PipelineModel)models[v]).Classifier;
            shared.SupportIndices.Should().Equal(((SvmModel)plain.Classifier).SupportIndices);
            shared.DualCoefficients().Should().BeEquivalentTo(((SvmModel)plain.Classifier).DualCoefficients(), o => o.WithStrictOrdering());
            models[v].Predict(x).Should().Equal(plain.Predict(x));
            models[v].DecisionFunction(heldOut).Should().BeEquivalentTo(plain.DecisionFunction(heldOut), o => o.WithStrictOrdering());
            ((PipelineModel)models[v]).Transform(heldOut).ToArray().Should().Equal(plain.Transform(heldOut).ToArray());
        }
    }

    [Fact]
    public void Pipelines_share_work_only_with_equal_steps_and_sharing_classifiers()
    {
        var pipeline = new Pipeline(new StandardScaler(), new SvmClassifier());

        pipeline.SharesWorkWith(pipeline with { Classifier = new SvmClassifier { C = 4 } }).Should().BeTrue();
        pipeline.SharesWorkWith(new Pipeline(new StandardScaler(), new SvmClassifier { C = 4 })).Should().BeTrue("equal steps, not the same list");
        pipeline.SharesWorkWith(new Pipeline(new StandardScaler(WithMean: false), new SvmClassifier { C = 4 })).Should().BeFalse();
        pipeline.SharesWorkWith(pipeline with { Classifier = new SvmClassifier { Gamma = SvmGamma.Auto } }).Should().BeTrue();
        pipeline.SharesWorkWith(pipeline with { Classifier = new SvmClassifier { Kernel = SvmKernelType.Polynomial } }).Should().BeFalse();
        new Pipeline(new StandardScaler(), new DummyClassifier()).SharesWorkWith(new Pipeline(new StandardScaler(), new DummyClassifier()))
            .Should().BeFalse("the dummy classifier shares no work");
    }

    [Fact]
    public void Variants_that_do_not_share_work_are_refused()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 2, seed: 1);
        var svm = new SvmClassifier();

        new Action(() => svm.FitVariants([svm, svm with { Coef0 = 1 }], x, y))
            .Should().Throw<ArgumentException>().WithMessage("Variant 1 *").WithParameterName("variants");
        new Action(() => svm.FitVariants([svm, svm with { C = -1 }], x, y))
            .Should().Throw<ArgumentException>().WithParameterName("C");
        new Action(() => svm.FitVariants([], x, y)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_cancelled_group_stops_between_variants()
    {
        var (x, y) = SvmClassifierTests.Blobs(40, [0, 1, 2], 3, seed: 2, spread: 2);
        using var cancel = new CancellationTokenSource();
        var svm = new SvmClassifier();
        int told = 0;

        var act = () => svm.FitVariants(
            Cs.Select(c => (IClassifier)(svm with { C = c })).ToArray(), x, y, fitted: (_, _) => { told++; cancel.Cancel(); }, budget: new ComputeBudget(1, 1L << 28, cancel.Token));

        act.Should().Throw<OperationCanceledException>();
        told.Should().Be(1);
    }
}
