using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace Mnist.Classifiers.Metrics;

/// <summary>
/// Counts of (true label, predicted label) pairs: row <c>i</c> is the true label <c>Labels[i]</c>, column <c>j</c>
/// the predicted label <c>Labels[j]</c>, over the sorted union of the labels that occur, as scikit-learn's
/// <c>confusion_matrix</c>. Immutable.
/// </summary>
public sealed class ConfusionMatrix
{
    /// <summary>numpy's default line width for printing arrays.</summary>
    private const int NumpyLineWidth = 75;

    private readonly int[,] _counts;

    private ConfusionMatrix(int[] labels, int[,] counts)
    {
        Labels = Array.AsReadOnly(labels);
        _counts = counts;
    }

    /// <summary>The labels of the rows and columns, ascending.</summary>
    public ReadOnlyCollection<int> Labels { get; }

    /// <summary>The number of rows with true label <c>Labels[trueIndex]</c> predicted as <c>Labels[predictedIndex]</c>.</summary>
    public int this[int trueIndex, int predictedIndex] => _counts[trueIndex, predictedIndex];

    /// <summary>A copy of the counts.</summary>
    public int[,] ToArray() => (int[,])_counts.Clone();

    /// <summary>Counts the pairs.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static ConfusionMatrix Compute(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted)
    {
        ClassificationMetrics.CheckLengths(truth, predicted);
        var distinct = new SortedSet<int>();
        foreach (int label in truth)
        {
            distinct.Add(label);
        }

        foreach (int label in predicted)
        {
            distinct.Add(label);
        }

        int[] labels = distinct.ToArray();
        var index = new Dictionary<int, int>(labels.Length);
        for (int k = 0; k < labels.Length; k++)
        {
            index[labels[k]] = k;
        }

        var counts = new int[labels.Length, labels.Length];
        for (int i = 0; i < truth.Length; i++)
        {
            counts[index[truth[i]], index[predicted[i]]]++;
        }

        return new ConfusionMatrix(labels, counts);
    }

    /// <summary>
    /// The counts laid out as numpy prints an integer array (<c>print(confusion_matrix(...))</c>): right-aligned in a
    /// common width, rows in brackets, long rows wrapped at numpy's 75-character line width. Unlike numpy, matrices
    /// of more than 1000 entries are printed in full rather than summarised with "...".
    /// </summary>
    public string ToText()
    {
        int n = Labels.Count;
        int min = int.MaxValue, max = int.MinValue;
        foreach (int c in _counts)
        {
            min = Math.Min(min, c);
            max = Math.Max(max, c);
        }

        int width = Math.Max(Invariant(max).Length, Invariant(min).Length);
        var text = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            text.Append(i == 0 ? "[" : " ").Append(FormatRow(i, width));
            text.Append(i == n - 1 ? "]" : "\n");
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToText();

    /// <summary>One row as numpy's _formatArray lays it out with a two-space hanging indent.</summary>
    private string FormatRow(int row, int width)
    {
        const string indent = "  ";
        // The line width minus the outer and this level's closing brackets.
        int elementWidth = NumpyLineWidth - 1 - 1;
        var done = new StringBuilder();
        var line = new StringBuilder(indent);
        int n = Labels.Count;
        for (int j = 0; j < n; j++)
        {
            string word = Invariant(_counts[row, j]).PadLeft(width);
            if (line.Length + word.Length > elementWidth && line.Length > indent.Length)
            {
                done.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
            }

            line.Append(word);
            if (j < n - 1)
            {
                line.Append(' ');
            }
        }

        done.Append(line);
        return "[" + done.ToString(indent.Length, done.Length - indent.Length) + "]";
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
