using System.Globalization;
using System.Text;

namespace Mnist.Classifiers.Metrics;

/// <summary>
/// Per-class precision, recall, F1 and support with their accuracy, macro and weighted averages: the content of
/// scikit-learn's <c>classification_report</c>, which <see cref="ToText"/> lays out character for character.
/// Immutable.
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<ClassScores> perClass, AverageScores micro, double accuracy)
    {
        PerClass = perClass;
        Micro = micro;
        Accuracy = accuracy;
        MacroAverage = ClassificationMetrics.MacroAverage(perClass);
        WeightedAverage = ClassificationMetrics.WeightedAverage(perClass);
    }

    /// <summary>The scores of each label of the sorted union of true and predicted labels.</summary>
    public IReadOnlyList<ClassScores> PerClass { get; }

    /// <summary>The share of correct predictions.</summary>
    public double Accuracy { get; }

    /// <summary>The unweighted mean over classes.</summary>
    public AverageScores MacroAverage { get; }

    /// <summary>The support-weighted mean over classes.</summary>
    public AverageScores WeightedAverage { get; }

    /// <summary>The pooled (micro) scores; their F1 is the "accuracy" line of the text report.</summary>
    public AverageScores Micro { get; }

    /// <summary>Scores <paramref name="predicted"/> against <paramref name="truth"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or are empty.</exception>
    public static ClassificationReport Compute(ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted) =>
        new(ClassificationMetrics.PerClass(truth, predicted),
            ClassificationMetrics.MicroAverage(truth, predicted),
            ClassificationMetrics.Accuracy(truth, predicted));

    /// <summary>
    /// The report laid out exactly as scikit-learn's <c>classification_report(y_true, y_pred, digits=digits)</c>
    /// (labels as names), ending with a newline.
    /// </summary>
    public string ToText(int digits = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        const string lastHeading = "weighted avg";
        string[] names = PerClass.Select(s => s.Label.ToString(CultureInfo.InvariantCulture)).ToArray();
        int width = Math.Max(Math.Max(names.Max(n => n.Length), lastHeading.Length), digits);

        var report = new StringBuilder();
        report.Append(new string(' ', width)).Append(' ');
        foreach (string header in new[] { "precision", "recall", "f1-score", "support" })
        {
            report.Append(' ').Append(header.PadLeft(9));
        }

        report.Append("\n\n");
        for (int k = 0; k < PerClass.Count; k++)
        {
            var s = PerClass[k];
            AppendRow(report, names[k], width, digits, s.Precision, s.Recall, s.F1, s.Support);
        }

        report.Append('\n');
        report.Append("accuracy".PadLeft(width)).Append(' ')
            .Append(' ').Append(new string(' ', 9))
            .Append(' ').Append(new string(' ', 9))
            .Append(' ').Append(NumpyArithmetic.FormatFixed(Micro.F1, digits).PadLeft(9))
            .Append(' ').Append(Micro.Support.ToString(CultureInfo.InvariantCulture).PadLeft(9))
            .Append('\n');
        AppendRow(report, "macro avg", width, digits, MacroAverage.Precision, MacroAverage.Recall, MacroAverage.F1, MacroAverage.Support);
        AppendRow(report, lastHeading, width, digits, WeightedAverage.Precision, WeightedAverage.Recall, WeightedAverage.F1, WeightedAverage.Support);
        return report.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToText();

    private static void AppendRow(StringBuilder report, string name, int width, int digits, double precision, double recall, double f1, int support)
    {
        report.Append(name.PadLeft(width)).Append(' ');
        foreach (double value in new[] { precision, recall, f1 })
        {
            report.Append(' ').Append(NumpyArithmetic.FormatFixed(value, digits).PadLeft(9));
        }

        report.Append(' ').Append(support.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
    }
}
