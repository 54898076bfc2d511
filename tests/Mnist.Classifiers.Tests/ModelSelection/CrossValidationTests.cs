using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class CrossValidationTests
{
    [Fact]
    public void Fold_scores_are_the_learner_fitted_and_scored_fold_by_fold()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [0, 1, 2], 5, seed: 4, spread: 3.0);
        var learner = new Pipeline(new StandardScaler(), new RandomForestClassifier { Trees = 5, Seed = 2 });
        var folds = new StratifiedKFold { Splits = 4, Shuffle = true, Seed = 7 };

        var result = CrossValidation.Evaluate(learner, x, y, folds, SearchScorers.F1Macro);

        double[] expected = folds.Split(y).Select(fold =>
        {
            var model = learner.Fit(x.Subset(fold.Train.Span), GridSearchTests.Gather(y, fold.Train.Span));
            return SearchScorers.F1Macro(model, x.Subset(fold.Test.Span), GridSearchTests.Gather(y, fold.Test.Span), ComputeBudget.Default);
        }).ToArray();
        result.FoldScores.Should().Equal(expected);
        result.FoldScores.Should().OnlyContain(s => s < 1.0, "the blobs overlap, so a score of 1 everywhere would prove nothing");
        result.MeanScore.Should().Be(expected.Sum() / expected.Length);
        result.StdScore.Should().BeApproximately(Math.Sqrt(expected.Select(s => (s - result.MeanScore) * (s - result.MeanScore)).Sum() / expected.Length), 1e-15);
        result.MeanFitTime.Should().BePositive();
    }

    [Fact]
    public void The_default_folds_and_scorer_are_the_searches()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1, 2], 4, seed: 6, spread: 3.0);
        var learner = new RandomForestClassifier { Trees = 3, Seed = 5 };

        var result = CrossValidation.Evaluate(learner, x, y);

        var search = new GridSearch<RandomForestClassifier>(learner, new ParameterGrid<RandomForestClassifier>()) { Refit = false }.Fit(x, y);
        result.FoldScores.Should().Equal(search.Best.FoldScores);
        result.FoldScores.Should().HaveCount(5);
    }

    [Fact]
    public void The_scores_do_not_depend_on_the_thread_count()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1, 2, 3], 4, seed: 9, spread: 3.0);
        var learner = new Pipeline(new StandardScaler(), new SvmClassifier { C = 2 });
        var reports = new List<SearchProgress>();

        var one = CrossValidation.Evaluate(learner, x, y, budget: ComputeBudget.Default.WithThreads(1), progress: new Recorder(reports));
        var three = CrossValidation.Evaluate(learner, x, y, budget: ComputeBudget.Default.WithThreads(3));

        three.FoldScores.Should().Equal(one.FoldScores);
        reports.Select(r => r.Fold).Should().BeEquivalentTo([0, 1, 2, 3, 4], "one report per fold");
    }

    [Fact]
    public void A_bad_learner_is_refused_in_its_own_words()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 2, seed: 1);

        var act = () => CrossValidation.Evaluate(new SvmClassifier { C = -1 }, x, y);

        act.Should().Throw<ArgumentException>().WithMessage("*C*").Which.Message.Should().NotContain("candidate");
    }

    [Fact]
    public void A_scorer_that_cannot_score_the_model_names_the_fold()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 2, seed: 3);

        var act = () => CrossValidation.Evaluate(new SvmClassifier(), x, y, scoring: SearchScorers.NegativeLogLoss);

        act.Should().Throw<InvalidOperationException>().WithMessage("*fold*neg_log_loss scorer needs probabilities*");
    }

    [PythonFact]
    public void Scores_agree_with_scikit_learns_cross_val_score()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2, 3], 5, seed: 12, spread: 2.6);
        var learner = new SvmClassifier { C = 4, Gamma = SvmGamma.Fixed(0.02) };

        var result = CrossValidation.Evaluate(learner, x, y, new StratifiedKFold(), SearchScorers.BalancedAccuracy);

        const string script = """
            import json, sys, numpy as np
            from sklearn.model_selection import cross_val_score
            from sklearn.svm import SVC
            rows, cols = int(sys.argv[3]), int(sys.argv[4])
            X = np.fromfile(sys.argv[1], dtype='<f4').reshape(rows, cols).astype(np.float64)
            y = np.fromfile(sys.argv[2], dtype='<i4')
            print(json.dumps([float(s) for s in cross_val_score(SVC(C=4, gamma=0.02), X, y, scoring='balanced_accuracy')]))
            """;
        var expected = JsonSerializer.Deserialize<double[]>(PythonReference.RunOnRows(script, x, y))!;
        // LIBSVM's and this solver's models agree to 1e-6 in objective, and on every held-out row of this data (a row
        // exactly on a boundary could fall either way; none does), so the scores are equal.
        result.FoldScores.Should().Equal(expected);
        expected.Should().OnlyContain(s => s < 1.0, "the folds have errors to agree on");
    }

    [Fact]
    public void Out_of_fold_predictions_are_each_folds_model_on_its_held_out_rows()
    {
        var (x, y) = SvmClassifierTests.Blobs(25, [3, 5, 9], 5, seed: 4, spread: 3.0);
        var learner = new Pipeline(new StandardScaler(), new RandomForestClassifier { Trees = 5, Seed = 2 });
        var folds = new StratifiedKFold { Splits = 4, Shuffle = true, Seed = 7 };

        int[] predicted = CrossValidation.Predict(learner, x, y, folds, ComputeBudget.Default.WithThreads(1));

        var expected = new int[x.Rows];
        foreach (var fold in folds.Split(y))
        {
            var model = learner.Fit(x.Subset(fold.Train.Span), GridSearchTests.Gather(y, fold.Train.Span));
            var answers = model.Predict(x.Subset(fold.Test.Span));
            for (int i = 0; i < answers.Length; i++)
            {
                expected[fold.Test.Span[i]] = answers[i];
            }
        }

        predicted.Should().Equal(expected);
        predicted.Should().NotEqual(y, "the blobs overlap, so some held-out rows are predicted wrong");
        CrossValidation.Predict(learner, x, y, folds, ComputeBudget.Default.WithThreads(3)).Should().Equal(predicted, "the thread count changes nothing");
    }

    [Fact]
    public void Out_of_fold_prediction_names_the_fold_that_failed_and_stops_when_cancelled()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 2, seed: 1);

        var failing = () => CrossValidation.Predict(new FailingClassifier(), x, y);
        failing.Should().Throw<InvalidOperationException>().WithMessage("Cross-validation failed on fold ?: the test learner fails.");

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var cancelled = () => CrossValidation.Predict(new SvmClassifier(), x, y, budget: ComputeBudget.Default.WithCancellation(cancel.Token));
        cancelled.Should().Throw<OperationCanceledException>();
    }

    [PythonFact]
    public void Out_of_fold_predictions_agree_with_scikit_learns_cross_val_predict()
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [0, 1, 2, 3], 5, seed: 12, spread: 2.6);

        int[] predicted = CrossValidation.Predict(new SvmClassifier { C = 4, Gamma = SvmGamma.Fixed(0.02) }, x, y, new StratifiedKFold());

        const string script = """
            import json, sys, numpy as np
            from sklearn.model_selection import cross_val_predict
            from sklearn.svm import SVC
            rows, cols = int(sys.argv[3]), int(sys.argv[4])
            X = np.fromfile(sys.argv[1], dtype='<f4').reshape(rows, cols).astype(np.float64)
            y = np.fromfile(sys.argv[2], dtype='<i4')
            print(json.dumps([int(v) for v in cross_val_predict(SVC(C=4, gamma=0.02), X, y)]))
            """;
        var expected = JsonSerializer.Deserialize<int[]>(PythonReference.RunOnRows(script, x, y))!;
        // The same models as LIBSVM's to 1e-6 in objective, and no held-out row on a boundary (as above).
        predicted.Should().Equal(expected);
        expected.Should().NotEqual(y, "some rows are predicted wrong, so agreeing on them means something");
    }

    private sealed record FailingClassifier : IClassifier
    {
        public void Validate()
        {
        }

        public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null) =>
            throw new InvalidDataException("the test learner fails.");
    }

    private sealed class Recorder(List<SearchProgress> reports) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
