namespace Mnist.Classifiers.Metrics;

/// <summary>The scores of one class: scikit-learn's <c>precision_recall_fscore_support</c> for that label.</summary>
/// <param name="Label">The class label.</param>
/// <param name="Precision">Correct predictions of the class over all predictions of it (0 when it was never predicted).</param>
/// <param name="Recall">Correct predictions of the class over its true rows (0 when it never occurs).</param>
/// <param name="F1">The harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">The number of rows whose true label is the class.</param>
public sealed record ClassScores(int Label, double Precision, double Recall, double F1, int Support);

/// <summary>Averaged scores over classes.</summary>
/// <param name="Precision">The averaged precision.</param>
/// <param name="Recall">The averaged recall.</param>
/// <param name="F1">The averaged F1 score.</param>
/// <param name="Support">The total number of rows.</param>
public sealed record AverageScores(double Precision, double Recall, double F1, int Support);

/// <summary>
/// Classification metrics with scikit-learn's definitions and arithmetic, including its zero-division rule
/// (an undefined ratio counts as 0). Labels are the sorted union of the true and the predicted labels.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Where <see cref="LogLoss"/> clips probabilities: 2⁻⁵², <c>np.finfo(np.float64).eps</c>.</summary>
    internal const double LogLossEpsilon = 1.0 / (1L << 52);

    /// <summary>The share of rows whose prediction equals the truth.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double Accuracy(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        CheckLengths(truth, predicted);
        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (truth[i] == predicted[i])
            {
                correct++;
            }
        }

        return (double)correct / truth.Length;
    }

    /// <summary>Precision, recall, F1 and support of every label in the sorted union of both spans.</summary>
    public static IReadOnlyList<ClassScores> PerClass(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        var matrix = ConfusionMatrix.Compute(truth, predicted);
        int n = matrix.Labels.Count;
        var scores = new ClassScores[n];
        for (int k = 0; k < n; k++)
        {
            int truePositives = matrix[k, k];
            int predictedCount = 0, trueCount = 0;
            for (int j = 0; j < n; j++)
            {
                predictedCount += matrix[j, k];
                trueCount += matrix[k, j];
            }

            var (precision, recall, f1) = Scores(truePositives, predictedCount, trueCount);
            scores[k] = new ClassScores(matrix.Labels[k], precision, recall, f1, trueCount);
        }

        return scores;
    }

    /// <summary>The unweighted mean of the per-class scores (scikit-learn's <c>average="macro"</c>).</summary>
    public static AverageScores MacroAverage(IReadOnlyList<ClassScores> perClass)
    {
        ArgumentNullException.ThrowIfNull(perClass);
        return new AverageScores(
            NumpyArithmetic.Mean(perClass.Select(s => s.Precision).ToArray()),
            NumpyArithmetic.Mean(perClass.Select(s => s.Recall).ToArray()),
            NumpyArithmetic.Mean(perClass.Select(s => s.F1).ToArray()),
            perClass.Sum(s => s.Support));
    }

    /// <summary>The support-weighted mean of the per-class scores (scikit-learn's <c>average="weighted"</c>).</summary>
    public static AverageScores WeightedAverage(IReadOnlyList<ClassScores> perClass)
    {
        ArgumentNullException.ThrowIfNull(perClass);
        int[] support = perClass.Select(s => s.Support).ToArray();
        int total = support.Sum();
        if (total == 0)
        {
            return new AverageScores(0, 0, 0, 0);
        }

        return new AverageScores(
            NumpyArithmetic.WeightedAverage(perClass.Select(s => s.Precision).ToArray(), support),
            NumpyArithmetic.WeightedAverage(perClass.Select(s => s.Recall).ToArray(), support),
            NumpyArithmetic.WeightedAverage(perClass.Select(s => s.F1).ToArray(), support),
            total);
    }

    /// <summary>
    /// Scores from the counts of all classes pooled (scikit-learn's <c>average="micro"</c>); for single-label data
    /// all three equal the accuracy (up to the rounding of the F1 formula).
    /// </summary>
    public static AverageScores MicroAverage(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        CheckLengths(truth, predicted);
        int correct = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (truth[i] == predicted[i])
            {
                correct++;
            }
        }

        var (precision, recall, f1) = Scores(correct, truth.Length, truth.Length);
        return new AverageScores(precision, recall, f1, truth.Length);
    }

    /// <summary>
    /// The mean of the classes' recalls (scikit-learn's <c>balanced_accuracy_score</c>): the accuracy each class would
    /// give on its own, averaged, so that a large class cannot hide a neglected small one. Labels that are only
    /// predicted, never true, have no recall and are left out, as scikit-learn does (it warns).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static double BalancedAccuracy(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        CheckLengths(truth, predicted);
        var matrix = ConfusionMatrix.Compute(truth, predicted);
        int n = matrix.Labels.Count;
        var recalls = new List<double>(n);
        for (int k = 0; k < n; k++)
        {
            int trueCount = 0;
            for (int j = 0; j < n; j++)
            {
                trueCount += matrix[k, j];
            }

            if (trueCount > 0)
            {
                recalls.Add((double)matrix[k, k] / trueCount);
            }
        }

        return NumpyArithmetic.Mean(recalls.ToArray());
    }

    /// <summary>
    /// The mean negative log-likelihood of the true labels under predicted probabilities (scikit-learn's
    /// <c>log_loss</c>, natural logarithm): each probability clipped to [ε, 1 − ε] with ε = 2⁻⁵² (float64's machine
    /// epsilon, scikit-learn 1.2's <c>eps="auto"</c>), each row divided by its sum, then −ln p of the true class,
    /// averaged; the same arithmetic in the same order, so the same value to the last bit. Smaller is better; 0 is
    /// certainty on every row.
    /// </summary>
    /// <param name="truth">The true label of each row; every one must be in <paramref name="classes"/>.</param>
    /// <param name="probabilities">One row per label and one column per class (<see cref="IClassifierModel.PredictProbabilities"/>).</param>
    /// <param name="classes">The label of each column, as <see cref="IClassifierModel.Classes"/>: at least two.</param>
    /// <exception cref="ArgumentException">The shapes disagree, there are no rows, fewer than two classes, or a true
    /// label is not among the classes (the message names it and its row).</exception>
    public static double LogLoss(ReadOnlySpan<int> truth, double[,] probabilities, IReadOnlyList<int> classes)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(classes);
        if (truth.Length == 0)
        {
            throw new ArgumentException("There are no labels to score.", nameof(truth));
        }

        if (classes.Count < 2)
        {
            throw new ArgumentException($"The log loss needs at least two classes; got {classes.Count}.", nameof(classes));
        }

        if (probabilities.GetLength(0) != truth.Length || probabilities.GetLength(1) != classes.Count)
        {
            throw new ArgumentException(
                $"The probabilities are {probabilities.GetLength(0)} × {probabilities.GetLength(1)} but there are {truth.Length} labels and {classes.Count} classes.",
                nameof(probabilities));
        }

        var column = new Dictionary<int, int>(classes.Count);
        for (int c = 0; c < classes.Count; c++)
        {
            column[classes[c]] = c;
        }

        var row = new double[classes.Count];
        var losses = new double[truth.Length];
        for (int i = 0; i < truth.Length; i++)
        {
            if (!column.TryGetValue(truth[i], out int trueColumn))
            {
                throw new ArgumentException(
                    $"Row {i}'s true label {truth[i]} is not among the model's classes ({string.Join(", ", classes)}).", nameof(truth));
            }

            for (int c = 0; c < row.Length; c++)
            {
                row[c] = Math.Clamp(probabilities[i, c], LogLossEpsilon, 1 - LogLossEpsilon);
            }

            // numpy: y_pred / y_pred.sum(axis=1), then -xlogy(onehot, y_pred).sum(axis=1): the zeros of the other
            // classes add nothing, so the row's loss is -log of the true class's renormalised probability.
            losses[i] = -Math.Log(row[trueColumn] / NumpyArithmetic.Sum(row));
        }

        return NumpyArithmetic.Mean(losses);
    }

    /// <summary>Same operations in the same order as scikit-learn's <c>_prf_divide</c> and F-beta with beta = 1.</summary>
    private static (double Precision, double Recall, double F1) Scores(int truePositives, int predictedCount, int trueCount)
    {
        double precision = predictedCount == 0 ? 0.0 : (double)truePositives / predictedCount;
        double recall = trueCount == 0 ? 0.0 : (double)truePositives / trueCount;
        double denominator = precision + recall;
        double f1 = denominator == 0.0 ? 0.0 : 2.0 * precision * recall / denominator;
        return (precision, recall, f1);
    }

    internal static void CheckLengths(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        if (truth.Length != predicted.Length)
        {
            throw new ArgumentException(
                $"There are {truth.Length} true labels but {predicted.Length} predictions; they must pair up.", nameof(predicted));
        }

        if (truth.Length == 0)
        {
            throw new ArgumentException("There are no labels to score.", nameof(truth));
        }
    }
}
