using System.Collections.ObjectModel;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Metrics;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// Scores a fitted model on held-out rows; larger is better (scikit-learn's <c>scoring</c> callables).
/// </summary>
/// <param name="model">The model fitted on the other folds.</param>
/// <param name="features">The held-out rows.</param>
/// <param name="labels">Their labels.</param>
/// <param name="budget">The threads and memory the scoring may use.</param>
public delegate double SearchScorer(IClassifierModel model, FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget budget);

/// <summary>
/// The scorers the library provides, each the scikit-learn scorer of the same name (<see cref="ByName"/>) computed with
/// its arithmetic: larger is better, so losses are negated (<c>neg_log_loss</c>).
/// </summary>
public static class SearchScorers
{
    /// <summary>The fraction of rows predicted right (scikit-learn's <c>"accuracy"</c>, the default).</summary>
    public static SearchScorer Accuracy { get; } = (model, features, labels, budget) =>
    {
        int[] predicted = model.Predict(features, budget);
        int right = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            right += predicted[i] == labels[i] ? 1 : 0;
        }

        return predicted.Length == 0 ? double.NaN : (double)right / predicted.Length;
    };

    /// <summary>The mean of the classes' recalls (<c>"balanced_accuracy"</c>; <see cref="ClassificationMetrics.BalancedAccuracy"/>).</summary>
    public static SearchScorer BalancedAccuracy { get; } = (model, features, labels, budget) =>
        ClassificationMetrics.BalancedAccuracy(labels, model.Predict(features, budget));

    /// <summary>The unweighted mean of the classes' F1 scores (<c>"f1_macro"</c>).</summary>
    public static SearchScorer F1Macro { get; } = (model, features, labels, budget) =>
        ClassificationMetrics.MacroAverage(ClassificationMetrics.PerClass(labels, model.Predict(features, budget))).F1;

    /// <summary>The support-weighted mean of the classes' F1 scores (<c>"f1_weighted"</c>).</summary>
    public static SearchScorer F1Weighted { get; } = (model, features, labels, budget) =>
        ClassificationMetrics.WeightedAverage(ClassificationMetrics.PerClass(labels, model.Predict(features, budget))).F1;

    /// <summary>
    /// The negated log loss of the model's probabilities (<c>"neg_log_loss"</c>; <see cref="ClassificationMetrics.LogLoss"/>).
    /// With two classes it takes, as scikit-learn's scorer does, the second class's probability p and scores [1 − p, p].
    /// The model must give probabilities (an SVM fitted with <c>Probability</c>, the forests, SGD with <c>log_loss</c> or
    /// <c>modified_huber</c>); a search reports the failed fit otherwise.
    /// </summary>
    public static SearchScorer NegativeLogLoss { get; } = (model, features, labels, budget) =>
    {
        if (!model.SupportsProbabilities)
        {
            throw new NotSupportedException(
                $"The neg_log_loss scorer needs probabilities, and this {model.GetType().Name} gives none (fit it with probabilities, or score with another scorer).");
        }

        double[,] probabilities = model.PredictProbabilities(features, budget);
        if (model.Classes.Count == 2)
        {
            // scikit-learn's _ProbaScorer passes the positive column only; log_loss clips it and appends 1 - p.
            for (int i = 0; i < probabilities.GetLength(0); i++)
            {
                double positive = Math.Clamp(probabilities[i, 1], ClassificationMetrics.LogLossEpsilon, 1 - ClassificationMetrics.LogLossEpsilon);
                probabilities[i, 0] = 1 - positive;
                probabilities[i, 1] = positive;
            }
        }

        return -ClassificationMetrics.LogLoss(labels, probabilities, model.Classes);
    };

    /// <summary>The scorers by scikit-learn's names: accuracy, balanced_accuracy, f1_macro, f1_weighted, neg_log_loss.</summary>
    public static ReadOnlyDictionary<string, SearchScorer> ByName { get; } = new(new Dictionary<string, SearchScorer>(StringComparer.Ordinal)
    {
        ["accuracy"] = Accuracy,
        ["balanced_accuracy"] = BalancedAccuracy,
        ["f1_macro"] = F1Macro,
        ["f1_weighted"] = F1Weighted,
        ["neg_log_loss"] = NegativeLogLoss,
    });
}
