namespace Mnist.Classifiers.Data;

/// <summary>
/// One labelled part of a dataset: 8-bit images flattened to rows (row-major, <see cref="Columns"/> bytes a row)
/// and their labels.
/// </summary>
public sealed class LabeledImages
{
    /// <summary>Wraps the arrays without copying them.</summary>
    /// <exception cref="ArgumentException">The pixel count is not <paramref name="labels"/>.Length × <paramref name="columns"/>.</exception>
    public LabeledImages(byte[] pixels, byte[] labels, int columns)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)labels.Length * columns != pixels.Length)
        {
            throw new ArgumentException(
                $"{pixels.Length} pixels do not make {labels.Length} rows of {columns} columns.", nameof(pixels));
        }

        Pixels = pixels;
        Labels = labels;
        Columns = columns;
    }

    /// <summary>The pixels, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>One label per row.</summary>
    public byte[] Labels { get; }

    /// <summary>The number of pixels per row (784 for MNIST).</summary>
    public int Columns { get; }

    /// <summary>The number of rows.</summary>
    public int Rows => Labels.Length;

    /// <summary>The pixels as floats (0–255, unscaled) for the classifiers.</summary>
    public FeatureMatrix ToFeatures() => FeatureMatrix.FromBytes(Pixels, Columns);

    /// <summary>The labels as ints for the classifiers.</summary>
    public int[] LabelsAsInts() => Array.ConvertAll(Labels, b => (int)b);

    /// <summary>The first <paramref name="count"/> rows (copied).</summary>
    public LabeledImages Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Rows);
        return new LabeledImages(Pixels[..(count * Columns)], Labels[..count], Columns);
    }
}
