using System.Runtime.ExceptionServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>One learner's cross-validated scores (scikit-learn's <c>cross_validate</c>).</summary>
/// <param name="FoldScores">The score on each fold's held-out rows, in fold order (scikit-learn's <c>cross_val_score</c>).</param>
/// <param name="MeanScore">The mean of <paramref name="FoldScores"/>.</param>
/// <param name="StdScore">Their population standard deviation (numpy's <c>std</c>).</param>
/// <param name="MeanFitTime">The mean time of a fold's fit.</param>
/// <param name="MeanScoreTime">The mean time of scoring a fold.</param>
public sealed record CrossValidationResult(
    IReadOnlyList<double> FoldScores,
    double MeanScore,
    double StdScore,
    TimeSpan MeanFitTime,
    TimeSpan MeanScoreTime);

/// <summary>
/// Cross-validation of one learner: the learner fitted on each fold's training rows and scored on its held-out rows
/// (<see cref="Evaluate"/>, scikit-learn's <c>cross_val_score</c> and <c>cross_validate</c>), or asked to predict them
/// (<see cref="Predict"/>, <c>cross_val_predict</c>). <see cref="Evaluate"/> is a <see cref="GridSearch{TLearner}"/> of
/// that one learner without the refit, so the folds, scorers, budget, parallelism and determinism are the searches'.
/// </summary>
/// <example>
/// <code>
/// var learner = new Pipeline(new StandardScaler(), new SvmClassifier { C = 8, Gamma = SvmGamma.Auto });
/// var result = CrossValidation.Evaluate(learner, x, y, scoring: SearchScorers.F1Macro);
/// Console.WriteLine($"{result.MeanScore:F4} ± {result.StdScore:F4}");
/// </code>
/// </example>
public static class CrossValidation
{
    /// <summary>Fits <paramref name="learner"/> on every fold's training rows and scores it on the fold's held-out rows.</summary>
    /// <param name="learner">The learner; any classifier, pipelines included.</param>
    /// <param name="features">The rows.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="folds">The folds; null for the searches' default, 5 stratified folds shuffled with seed 0
    /// (<c>new StratifiedKFold()</c>, unshuffled, gives scikit-learn's default <c>cv=5</c> folds exactly).</param>
    /// <param name="scoring">The scorer; null for <see cref="SearchScorers.Accuracy"/>.</param>
    /// <param name="budget">The threads, memory and cancellation of all the fits; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <param name="progress">Told after every finished fold (from the thread that ran it); may be null.</param>
    /// <exception cref="ArgumentException">The learner's or the folds' options are invalid, or the shapes disagree.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested.</exception>
    /// <exception cref="InvalidOperationException">A fold's fit or scoring failed; the message names the fold and the reason.</exception>
    public static CrossValidationResult Evaluate(
        IClassifier learner,
        FeatureMatrix features,
        ReadOnlySpan<int> labels,
        StratifiedKFold? folds = null,
        SearchScorer? scoring = null,
        ComputeBudget? budget = null,
        IProgress<SearchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        learner.Validate();
        var search = new GridSearch<IClassifier>(learner, new ParameterGrid<IClassifier>())
        {
            Refit = false,
            Folds = folds ?? CrossValidatedSearch<IClassifier>.DefaultFolds,
            Scoring = scoring ?? SearchScorers.Accuracy,
        };
        var scores = search.Fit(features, labels, budget, progress).Best;
        return new CrossValidationResult(scores.FoldScores, scores.MeanScore, scores.StdScore, scores.MeanFitTime, scores.MeanScoreTime);
    }

    /// <summary>
    /// Every row's prediction by the learner fitted on the folds that hold it out (scikit-learn's
    /// <c>cross_val_predict</c>): an estimate of how the learner does on rows it has not seen, row by row, for a
    /// confusion matrix or a report over all the training rows. The folds are fitted in parallel within the budget, each
    /// with its share; the result does not depend on the thread count.
    /// </summary>
    /// <param name="learner">The learner; any classifier, pipelines included.</param>
    /// <param name="features">The rows.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="folds">The folds; null for 5 stratified folds shuffled with seed 0, as <see cref="Evaluate"/>.</param>
    /// <param name="budget">The threads, memory and cancellation of all the fits; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <returns>One predicted label per row, in row order.</returns>
    /// <exception cref="ArgumentException">The learner's or the folds' options are invalid, or the shapes disagree.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested.</exception>
    /// <exception cref="InvalidOperationException">A fold's fit or prediction failed; the message names the fold and the reason.</exception>
    public static int[] Predict(
        IClassifier learner, FeatureMatrix features, ReadOnlySpan<int> labels, StratifiedKFold? folds = null, ComputeBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        learner.Validate();
        folds ??= CrossValidatedSearch<IClassifier>.DefaultFolds;
        folds.Validate();
        InputChecks.TrainingShapes(features, labels);
        var all = ComputeBudget.OrDefault(budget);
        int[] y = labels.ToArray();
        var split = folds.Split(y);
        var each = all.Split(split.Count);
        var predictions = new int[features.Rows];
        var options = new ParallelOptions { MaxDegreeOfParallelism = all.ConcurrentParts(split.Count), CancellationToken = all.Cancellation };
        try
        {
            Parallel.ForEach(split, options, fold =>
            {
                try
                {
                    var model = learner.Fit(features.Subset(fold.Train.Span), Fold.LabelsOf(y, fold.Train.Span), each);
                    int[] predicted = model.Predict(features.Subset(fold.Test.Span), each);
                    var testRows = fold.Test.Span;
                    for (int i = 0; i < testRows.Length; i++)
                    {
                        predictions[testRows[i]] = predicted[i];
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new InvalidOperationException($"Cross-validation failed on fold {fold.Index}: {e.Message}", e);
                }
            });
        }
        catch (AggregateException e)
        {
            // The first fold's failure as itself (a cancelled fit as the OperationCanceledException it is).
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        return predictions;
    }
}
