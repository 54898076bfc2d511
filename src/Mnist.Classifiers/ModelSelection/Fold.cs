namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// One train/test split of a cross-validation: the row indices to fit on and the row indices to score on, each
/// ascending (as scikit-learn returns them) and together covering every row exactly once. Pass them to
/// <see cref="Data.FeatureMatrix.Subset"/> (<c>features.Subset(fold.Train.Span)</c>) for views that copy no features.
/// </summary>
public sealed class Fold
{
    internal Fold(int index, int[] train, int[] test)
    {
        Index = index;
        Train = train;
        Test = test;
    }

    /// <summary>The fold's position, 0 to <c>Splits − 1</c>: the fold whose test rows these are.</summary>
    public int Index { get; }

    /// <summary>The rows to fit on (every row not in <see cref="Test"/>), ascending.</summary>
    public ReadOnlyMemory<int> Train { get; }

    /// <summary>The rows to score on, ascending.</summary>
    public ReadOnlyMemory<int> Test { get; }

    /// <summary>The labels of <paramref name="rows"/> (a fold's <see cref="Train"/> or <see cref="Test"/>), in their order.</summary>
    internal static int[] LabelsOf(int[] labels, ReadOnlySpan<int> rows)
    {
        var picked = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            picked[i] = labels[rows[i]];
        }

        return picked;
    }
}
