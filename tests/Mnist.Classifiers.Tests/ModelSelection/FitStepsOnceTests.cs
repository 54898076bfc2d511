using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.ModelSelection;

/// <summary>
/// <see cref="CrossValidatedSearch{TLearner}.FitStepsOnce"/>: the pipeline's steps fitted once on all rows, the
/// classifiers cross-validated on views of their output, the SVM's dot products shared by all folds.
/// </summary>
public class FitStepsOnceTests
{
    private static readonly ParameterGrid<Pipeline> CliLikeGrid = new ParameterGrid<Pipeline>()
        .Add("C", [1.0, 2, 4, 8], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }))
        .Add("gamma", [SvmGamma.Scale, SvmGamma.Auto], PipelineAxis.Classifier((SvmClassifier svm, SvmGamma g) => svm with { Gamma = g }));

    [Fact]
    public void Scores_are_those_of_plain_fits_on_the_rows_scaled_once()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2, 3], 6, seed: 21, spread: 2.4);
        var search = new GridSearch<Pipeline>(new Pipeline(new StandardScaler(), new SvmClassifier()), CliLikeGrid) { FitStepsOnce = true };

        var result = search.Fit(x, y, new ComputeBudget(2, 1L << 28));

        // The reference: the scaler fitted on every row, each candidate's SVM fitted alone on each fold's scaled rows.
        var scaled = new StandardScaler().Fit(x).Transform(x);
        var folds = search.Folds.Split(y);
        foreach (var row in result.Candidates)
        {
            var svm = (SvmClassifier)row.Candidate.Learner.Classifier;
            var expected = folds.Select(fold =>
            {
                var predicted = svm.Fit(scaled.Subset(fold.Train.Span), Gather(y, fold.Train.Span), new ComputeBudget(1, 1L << 28))
                    .Predict(scaled.Subset(fold.Test.Span));
                return predicted.Zip(Gather(y, fold.Test.Span)).Count(p => p.First == p.Second) / (double)predicted.Length;
            }).ToArray();
            row.FoldScores.Should().Equal(expected, row.Candidate.Describe());
        }

        result.BestModel.Should().BeOfType<PipelineModel>()
            .Which.Predict(x).Should().Equal(result.BestLearner.Fit(x, y).Predict(x), "the refit is the best pipeline fitted on all rows");
    }

    [Fact]
    public void The_svm_gives_the_same_models_with_the_dot_products_shared_across_views()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [0, 1, 2], 5, seed: 5, spread: 2);
        var train = Enumerable.Range(0, y.Length).Where(i => i % 5 != 2).ToArray();
        var test = Enumerable.Range(0, y.Length).Where(i => i % 5 == 2).ToArray();
        var trainRows = x.Subset(train);
        var testRows = x.Subset(test);
        var labels = Gather(y, train);
        IClassifier[] variants = [new SvmClassifier { C = 1 }, new SvmClassifier { C = 4, Gamma = SvmGamma.Auto }, new SvmClassifier { C = 4 }];
        var budget = new ComputeBudget(2, 1L << 28);
        var first = (SvmClassifier)variants[0];

        var plain = first.FitVariants(variants, trainRows, labels, testRows, budget: budget);
        var sharing = (IFoldSharedWork)first;
        var shared = sharing.ShareAcrossViews(x, budget);
        shared.Should().NotBeNull("400 values fit in any budget");
        var fromShared = sharing.FitVariants(shared!, variants, trainRows, labels, testRows, fitted: null, budget);

        for (int v = 0; v < variants.Length; v++)
        {
            var a = (SvmModel)plain[v];
            var b = (SvmModel)fromShared[v];
            b.SupportIndices.Should().Equal(a.SupportIndices);
            b.Rho.Should().Equal(a.Rho);
            b.DecisionFunctionOneVsOne(testRows).Should().BeEquivalentTo(a.DecisionFunctionOneVsOne(testRows), o => o.WithStrictOrdering());
            b.DecisionFunctionOneVsOne(testRows).Should().BeEquivalentTo(a.DecisionFunctionOneVsOne(testRows.ToContiguous()), "the gathered held-out products equal computed ones");
        }
    }

    [Fact]
    public void Sharded_units_in_any_order_give_the_local_scores()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1, 2], 4, seed: 3, spread: 2.2);
        var search = new GridSearch<Pipeline>(new Pipeline(new StandardScaler(), new SvmClassifier()), CliLikeGrid) { FitStepsOnce = true };
        var local = search.Fit(x, y, new ComputeBudget(2, 1L << 28));

        var plan = search.Plan(x, y);
        var units = plan.Units.Reverse().ToArray();
        var results = units.Select(u => plan.Run([u], new ComputeBudget(1, 1L << 28))[0]).ToArray();
        var merged = plan.Finish(results, TimeSpan.Zero, new ComputeBudget(1, 1L << 28));

        merged.Candidates.Select(c => c.FoldScores).Should().BeEquivalentTo(local.Candidates.Select(c => c.FoldScores), o => o.WithStrictOrdering());
        plan.SearchHash.Should().NotBe((search with { FitStepsOnce = false }).Plan(x, y).SearchHash, "shards of the two kinds of search must not be merged together");
    }

    [Fact]
    public void Needs_pipelines_with_the_same_steps()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 2, seed: 1);
        var plainGrid = new ParameterGrid<SvmClassifier>().Add("C", [1.0, 2.0], (svm, c) => svm with { C = c });
        var notPipeline = () => new GridSearch<SvmClassifier>(new SvmClassifier(), plainGrid) { FitStepsOnce = true }.Fit(x, y);
        notPipeline.Should().Throw<ArgumentException>().WithMessage("*FitStepsOnce needs pipelines*SvmClassifier*");

        var stepsGrid = new ParameterGrid<Pipeline>().Add(
            "scaler", ["standard", "minmax"], (p, s) => p with { Steps = s == "standard" ? [new StandardScaler()] : [new MinMaxScaler()] });
        var otherSteps = () => new GridSearch<Pipeline>(new Pipeline(new StandardScaler(), new SvmClassifier()), stepsGrid) { FitStepsOnce = true }.Fit(x, y);
        otherSteps.Should().Throw<ArgumentException>().WithMessage("*candidate 1*other steps*");
    }

    private static int[] Gather(int[] labels, ReadOnlySpan<int> rows) => GridSearchTests.Gather(labels, rows);
}
