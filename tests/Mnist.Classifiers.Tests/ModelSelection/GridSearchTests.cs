using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class GridSearchTests
{
    private static readonly ParameterGrid<SvmClassifier> SvmGrid = new ParameterGrid<SvmClassifier>()
        .Add("C", [0.5, 4.0], (svm, c) => svm with { C = c })
        .Add("gamma", [SvmGamma.Fixed(0.02), SvmGamma.Fixed(0.5)], (svm, g) => svm with { Gamma = g });

    [Fact]
    public void The_grid_numbers_its_candidates_with_the_last_axis_fastest()
    {
        var candidates = new GridSearch<SvmClassifier>(new SvmClassifier { Tolerance = 0.01 }, SvmGrid).Candidates();

        candidates.Select(c => c.Describe()).Should().Equal(
            "C=0.5, gamma=0.02", "C=0.5, gamma=0.5", "C=4, gamma=0.02", "C=4, gamma=0.5");
        candidates.Select(c => c.Index).Should().Equal(0, 1, 2, 3);
        candidates[2].Learner.Should().Be(new SvmClassifier { Tolerance = 0.01, C = 4, Gamma = SvmGamma.Fixed(0.02) });
    }

    [Fact]
    public void Several_grids_are_searched_one_after_the_other()
    {
        var linear = new ParameterGrid<SvmClassifier>()
            .Add("kernel", [SvmKernelType.Linear], (svm, k) => svm with { Kernel = k })
            .Add("C", [1.0, 10.0], (svm, c) => svm with { C = c });
        var candidates = new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid, linear).Candidates();

        candidates.Should().HaveCount(6);
        candidates[5].Describe().Should().Be("kernel=Linear, C=10");
        candidates[5].Index.Should().Be(5);
    }

    [Fact]
    public void Fold_scores_and_the_best_candidate_are_those_of_separate_plain_fits()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2], 4, seed: 5, spread: 2.2);
        var search = new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid) { Folds = new StratifiedKFold { Splits = 4, Shuffle = true, Seed = 3 } };

        var result = search.Fit(x, y);

        var folds = search.Folds.Split(y);
        var means = new List<double>();
        foreach (var row in result.Candidates)
        {
            var expected = folds.Select(fold =>
            {
                var model = row.Candidate.Learner.Fit(x.Subset(fold.Train.Span), Gather(y, fold.Train.Span));
                var predicted = model.Predict(x.Subset(fold.Test.Span));
                return predicted.Zip(Gather(y, fold.Test.Span)).Count(p => p.First == p.Second) / (double)predicted.Length;
            }).ToArray();
            row.FoldScores.Should().Equal(expected, row.Candidate.Describe());
            row.MeanScore.Should().Be(expected.Sum() / expected.Length);
            means.Add(row.MeanScore);
        }

        result.BestScore.Should().Be(means.Max());
        result.Best.Candidate.Index.Should().Be(means.IndexOf(means.Max()), "the best is the first of the best mean score");
        result.BestParameters.Should().BeSameAs(result.Best.Candidate.Parameters);
        result.BestModel.Should().BeOfType<SvmModel>()
            .Which.Predict(x).Should().Equal(result.BestLearner.Fit(x, y).Predict(x), "the refit is the best learner fitted on all rows");
        result.TotalFits.Should().Be(16);
    }

    [Fact]
    public void A_pipeline_grid_fitted_in_shared_groups_scores_as_separate_plain_fits()
    {
        // The CLI's SVM grid in small: C × gamma in scale, auto over a scaler and an SVM; the Cs of each gamma share
        // one scaler and one kernel matrix per fold.
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2, 3], 6, seed: 14, spread: 2.4);
        var grid = new ParameterGrid<Pipeline>()
            .Add("C", [1.0, 2, 4, 8], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }))
            .Add("gamma", [SvmGamma.Scale, SvmGamma.Auto], PipelineAxis.Classifier((SvmClassifier svm, SvmGamma g) => svm with { Gamma = g }));
        var search = new GridSearch<Pipeline>(new Pipeline(new StandardScaler(), new SvmClassifier()), grid);

        var result = search.Fit(x, y, new ComputeBudget(2, 1L << 28));

        var folds = search.Folds.Split(y);
        foreach (var row in result.Candidates)
        {
            var expected = folds.Select(fold =>
            {
                var model = row.Candidate.Learner.Fit(x.Subset(fold.Train.Span), Gather(y, fold.Train.Span), new ComputeBudget(1, 1L << 28));
                var predicted = model.Predict(x.Subset(fold.Test.Span));
                return predicted.Zip(Gather(y, fold.Test.Span)).Count(p => p.First == p.Second) / (double)predicted.Length;
            }).ToArray();
            row.FoldScores.Should().Equal(expected, row.Candidate.Describe());
        }

        var means = result.Candidates.Select(c => c.MeanScore).ToList();
        result.Best.Candidate.Index.Should().Be(means.IndexOf(means.Max()));
    }

    [Fact]
    public void Candidates_that_share_work_are_fitted_together_on_each_fold()
    {
        var calls = new System.Collections.Concurrent.ConcurrentQueue<int[]>();
        int[] y = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 10)];
        var x = new FeatureMatrix(new float[y.Length], 1);
        var grid = new ParameterGrid<SharingConstantClassifier>()
            .Add("answer", [0, 1, 0, 1, 1], (c, a) => c with { Answer = a })
            .Add("group", [7, 8], (c, g) => c with { Group = g });
        var reports = new List<SearchProgress>();

        var result = new GridSearch<SharingConstantClassifier>(new SharingConstantClassifier(calls), grid)
            .Fit(x, y, new ComputeBudget(2, 1L << 28), new SynchronousProgress(p => { lock (reports) { reports.Add(p); } }));

        calls.Should().HaveCount(2 * 5, "one call per group and fold");
        calls.Select(c => c.Length).Should().OnlyContain(n => n == 5);
        calls.Select(c => string.Join(",", c)).Distinct().Should().BeEquivalentTo("0,1,0,1,1");
        reports.Should().HaveCount(result.TotalFits, "progress is still reported per fit");
        result.Candidates.Select(c => c.MeanScore).Should().Equal(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
    }

    [Fact]
    public void Ties_share_the_smallest_rank_and_the_first_tied_candidate_is_best()
    {
        // Each candidate predicts one label for every row; with equal class counts in every fold, labels 0 and 1 tie.
        int[] y = [.. Enumerable.Repeat(0, 20), .. Enumerable.Repeat(1, 20), .. Enumerable.Repeat(2, 10)];
        var x = new FeatureMatrix(new float[y.Length], 1);
        var grid = new ParameterGrid<ConstantClassifier>().Add("answer", [2, 1, 0, 7], (c, a) => c with { Answer = a });

        var result = new GridSearch<ConstantClassifier>(new ConstantClassifier(), grid).Fit(x, y);

        result.Candidates.Select(c => c.MeanScore).Should().Equal(0.2, 0.4, 0.4, 0.0);
        result.Candidates.Select(c => c.Rank).Should().Equal(3, 1, 1, 4);
        result.Best.Candidate.Index.Should().Be(1);
        result.Candidates[1].StdScore.Should().Be(0);
    }

    [Fact]
    public void The_result_is_the_same_for_one_and_for_several_threads()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [3, 5, 8], 3, seed: 9, spread: 2.5);
        var search = new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid);

        var one = search.Fit(x, y, new ComputeBudget(1, 1L << 28));
        var three = search.Fit(x, y, new ComputeBudget(3, 1L << 28));

        three.Candidates.Select(c => c.FoldScores).Should().BeEquivalentTo(one.Candidates.Select(c => c.FoldScores), o => o.WithStrictOrdering());
        three.Candidates.Select(c => c.Rank).Should().Equal(one.Candidates.Select(c => c.Rank));
        three.BestModel!.Predict(x).Should().Equal(one.BestModel!.Predict(x));
    }

    [Fact]
    public void Progress_reports_every_fit_once()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1], 2, seed: 1);
        var reports = new List<SearchProgress>();
        var progress = new SynchronousProgress(p => { lock (reports) { reports.Add(p); } });

        var result = new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid).Fit(x, y, progress: progress);

        reports.Should().HaveCount(result.TotalFits);
        reports.Select(r => r.CompletedFits).Order().Should().Equal(Enumerable.Range(1, 20));
        reports.Select(r => (r.Candidate, r.Fold)).Should().OnlyHaveUniqueItems();
        reports.Should().OnlyContain(r => r.TotalFits == 20 && r.Score == result.Candidates[r.Candidate].FoldScores[r.Fold]);
    }

    [Fact]
    public void Cancellation_stops_the_search_promptly_with_OperationCanceledException()
    {
        var (x, y) = SvmClassifierTests.Blobs(40, [0, 1, 2], 3, seed: 2, spread: 2);
        using var cancel = new CancellationTokenSource();
        int reports = 0;
        var progress = new SynchronousProgress(_ =>
        {
            Interlocked.Increment(ref reports);
            cancel.Cancel();
        });
        var grid = new ParameterGrid<SvmClassifier>().Add("C", Enumerable.Range(1, 20).Select(c => (double)c), (svm, c) => svm with { C = c });

        var act = () => new GridSearch<SvmClassifier>(new SvmClassifier(), grid)
            .Fit(x, y, new ComputeBudget(2, 1L << 28, cancel.Token), progress);

        act.Should().Throw<OperationCanceledException>();
        reports.Should().BeLessThanOrEqualTo(2, "no fit starts after the cancellation; at most the one running beside the first finishes");
    }

    [Fact]
    public void Cancellation_reaches_inside_a_running_svm_fit()
    {
        var (x, y) = SvmClassifierTests.Blobs(300, [0, 1], 5, seed: 4, spread: 3);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var act = () => new SvmClassifier { C = 100 }.Fit(x, y, new ComputeBudget(1, 1L << 28, cancel.Token));

        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Pipeline_axes_reach_the_classifier_and_the_steps()
    {
        var grid = new ParameterGrid<Pipeline>()
            .Add("scale", [true, false], PipelineAxis.Step(0, (StandardScaler s, bool on) => s with { WithStd = on }))
            .Add("C", [1.0, 8.0], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }));
        var learner = new Pipeline(new StandardScaler(), new SvmClassifier());

        var candidates = new GridSearch<Pipeline>(learner, grid).Candidates();

        candidates[1].Learner.Steps[0].Should().Be(new StandardScaler { WithStd = true });
        ((SvmClassifier)candidates[1].Learner.Classifier).C.Should().Be(8);
        candidates[2].Learner.Steps[0].Should().Be(new StandardScaler { WithStd = false });
        learner.Classifier.Should().Be(new SvmClassifier(), "applying an axis never changes the learner it is given");

        var wrong = new ParameterGrid<Pipeline>().Add("C", [1.0], PipelineAxis.Classifier((DummyClassifier d, double _) => d));
        var act = () => new GridSearch<Pipeline>(learner, wrong).Candidates();
        act.Should().Throw<InvalidOperationException>().WithMessage("*DummyClassifier*SvmClassifier*");
    }

    [Fact]
    public void A_pipeline_search_fits_the_scaler_inside_each_fold()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1], 3, seed: 8, spread: 2);
        var grid = new ParameterGrid<Pipeline>().Add("C", [1.0, 4.0], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }));
        var search = new GridSearch<Pipeline>(new Pipeline(new StandardScaler(), new SvmClassifier()), grid);

        var result = search.Fit(x, y);

        var fold = search.Folds.Split(y)[0];
        var candidate = result.Candidates[1].Candidate.Learner;
        var model = candidate.Fit(x.Subset(fold.Train.Span), Gather(y, fold.Train.Span));
        double expected = model.Predict(x.Subset(fold.Test.Span)).Zip(Gather(y, fold.Test.Span)).Count(p => p.First == p.Second) / (double)fold.Test.Length;
        result.Candidates[1].FoldScores[0].Should().Be(expected);
        result.BestModel.Should().BeOfType<PipelineModel>();
    }

    [Fact]
    public void Bad_options_and_bad_candidates_are_refused_naming_them()
    {
        var grid = new ParameterGrid<SvmClassifier>().Add("C", [1.0, -2.0], (svm, c) => svm with { C = c });
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 2, seed: 1);

        new Action(() => new GridSearch<SvmClassifier>(new SvmClassifier(), grid).Fit(x, y))
            .Should().Throw<ArgumentException>().WithMessage("*candidate 1 (C=-2)*");
        new Action(() => new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid) { Folds = new StratifiedKFold { Splits = 1 } }.Validate())
            .Should().Throw<ArgumentException>().WithMessage("*Splits*");
        new Action(() => new GridSearch<SvmClassifier>(new SvmClassifier()).Validate())
            .Should().Throw<ArgumentException>().WithParameterName("Grids");
        new Action(() => new ParameterGrid<SvmClassifier>().Add("C", Array.Empty<double>(), (svm, c) => svm with { C = c }))
            .Should().Throw<ArgumentException>().WithMessage("*'C' has no values*");
        new Action(() => SvmGrid.Add("C", [1.0], (svm, c) => svm with { C = c }))
            .Should().Throw<ArgumentException>().WithMessage("*already has an axis named 'C'*");
    }

    [PythonFact]
    public void Scores_ranks_and_best_parameters_agree_with_scikit_learns_GridSearchCV()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2, 3], 5, seed: 12, spread: 2.6);
        var search = new GridSearch<SvmClassifier>(new SvmClassifier(), SvmGrid) { Folds = new StratifiedKFold() };

        var result = search.Fit(x, y);

        var reference = SklearnGridSearch(x, y);
        for (int c = 0; c < result.Candidates.Count; c++)
        {
            // LIBSVM's and this solver's models agree to 1e-6 in objective; a held-out row exactly on a decision
            // boundary could still fall either way, so allow one row per fold (none differ on this data today).
            result.Candidates[c].FoldScores.Should().Equal(reference.Scores[c], (a, b) => Math.Abs(a - b) <= 1.0 / 24 + 1e-12);
        }

        result.Candidates.Select(c => c.Rank).Should().Equal(reference.Ranks);
        result.Best.Candidate.Index.Should().Be(reference.BestIndex);
    }

    private static (double[][] Scores, int[] Ranks, int BestIndex) SklearnGridSearch(FeatureMatrix x, int[] y)
    {
        const string script = """
            import json, sys, numpy as np
            from sklearn.model_selection import GridSearchCV
            from sklearn.svm import SVC
            rows, cols = int(sys.argv[3]), int(sys.argv[4])
            X = np.fromfile(sys.argv[1], dtype='<f4').reshape(rows, cols).astype(np.float64)
            y = np.fromfile(sys.argv[2], dtype='<i4')
            search = GridSearchCV(SVC(), {'C': [0.5, 4.0], 'gamma': [0.02, 0.5]}, cv=5).fit(X, y)
            r = search.cv_results_
            print(json.dumps({'scores': [[float(r['split%d_test_score' % f][c]) for f in range(5)] for c in range(4)],
                              'ranks': [int(v) for v in r['rank_test_score']], 'best': int(search.best_index_)}))
            """;
        using var output = JsonDocument.Parse(PythonReference.RunOnRows(script, x, y));
        var root = output.RootElement;
        return (root.GetProperty("scores").Deserialize<double[][]>()!, root.GetProperty("ranks").Deserialize<int[]>()!, root.GetProperty("best").GetInt32());
    }

    /// <summary>The labels of <paramref name="rows"/>, in their order.</summary>
    internal static int[] Gather(int[] labels, ReadOnlySpan<int> rows)
    {
        var result = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            result[i] = labels[rows[i]];
        }

        return result;
    }

    /// <summary>Reports on the thread that reports (Progress&lt;T&gt; would post to the thread pool and race the asserts).</summary>
    private sealed class SynchronousProgress(Action<SearchProgress> report) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value) => report(value);
    }
}

/// <summary>
/// A test learner that answers <see cref="Answer"/> and shares work with learners of its <see cref="Group"/>; it notes
/// the answers of every group it is asked to fit together in <paramref name="Calls"/>.
/// </summary>
internal sealed record SharingConstantClassifier(System.Collections.Concurrent.ConcurrentQueue<int[]> Calls) : ISharedWorkClassifier
{
    public int Answer { get; init; }

    public int Group { get; init; }

    public void Validate()
    {
    }

    public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null) =>
        new ConstantClassifier { Answer = Answer }.Fit(features, labels, budget);

    public bool SharesWorkWith(IClassifier other) => other is SharingConstantClassifier s && s.Group == Group;

    public IReadOnlyList<IClassifierModel> FitVariants(
        IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut = null,
        Action<int, IClassifierModel>? fitted = null, ComputeBudget? budget = null)
    {
        Calls.Enqueue(variants.Select(v => ((SharingConstantClassifier)v).Answer).ToArray());
        var models = new IClassifierModel[variants.Count];
        for (int v = 0; v < variants.Count; v++)
        {
            models[v] = variants[v].Fit(features, labels, budget);
            fitted?.Invoke(v, models[v]);
        }

        return models;
    }
}

/// <summary>A test learner that always answers <see cref="Answer"/>, so that a search's scores are known exactly.</summary>
internal sealed record ConstantClassifier : IClassifier
{
    public int Answer { get; init; }

    public void Validate()
    {
    }

    public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null) =>
        new Model(InputChecks.ClassCounts(labels).Classes, features.Columns, Answer);

    private sealed class Model(IReadOnlyList<int> classes, int featureCount, int answer) : PredictOnlyModel
    {
        public override IReadOnlyList<int> Classes => classes;

        public override int FeatureCount => featureCount;

        public override int[] Predict(FeatureMatrix features, ComputeBudget? budget = null) => Enumerable.Repeat(answer, features.Rows).ToArray();
    }
}
