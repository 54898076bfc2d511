namespace Mnist.Classifiers.Data;

/// <summary>What an HDF5 dataset file says about how it was made (stored as attributes of the file's root).</summary>
/// <param name="Source">Where the images came from, e.g. <c>openml:mnist_784</c> or <c>idx:/path/to/dir</c>.</param>
/// <param name="SplitSeed">The seed of the stratified train/validation split.</param>
/// <param name="Augmentation">The augmentation applied to the train split: <c>none</c>, <c>shift</c>, <c>rotate</c> or <c>shift+rotate</c>.</param>
/// <param name="FormatVersion">The version of the file layout.</param>
public sealed record DatasetInfo(string Source, int SplitSeed, string Augmentation, int FormatVersion);

/// <summary>
/// The MNIST dataset as this library stores it: train, validation and test splits of 28×28 8-bit images,
/// in one HDF5 file with datasets <c>X_train</c>, <c>y_train</c>, <c>X_val</c>, <c>y_val</c>, <c>X_test</c>, <c>y_test</c>.
/// </summary>
public sealed class MnistDataset
{
    /// <summary>The training split (augmented copies included, if any).</summary>
    public required LabeledImages Train { get; init; }

    /// <summary>The validation split, held out of the training rows.</summary>
    public required LabeledImages Validation { get; init; }

    /// <summary>The test split.</summary>
    public required LabeledImages Test { get; init; }

    /// <summary>How the file was made.</summary>
    public required DatasetInfo Info { get; init; }

    /// <summary>Reads a dataset file written by <see cref="Save"/> or by h5py with the same layout.</summary>
    /// <remarks>
    /// Images and labels of any integer type are accepted when their values fit a byte, and images shaped
    /// (rows, height, width) are flattened. Missing attributes read as: source and augmentation <c>unknown</c>,
    /// split seed −1, format version 0 (the files of the original Python project carry no attributes).
    /// </remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not HDF5, or a dataset or attribute is missing, misshaped or
    /// of the wrong type (the message names the file and the dataset).</exception>
    public static MnistDataset Load(string path) => MnistDatasetFile.Load(path);

    /// <summary>Writes the dataset to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    /// <remarks>The file records <see cref="Info"/> as root attributes <c>source</c>, <c>split_seed</c>,
    /// <c>augmentation</c> and <c>format_version</c> (always the current version, 1).</remarks>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist.</exception>
    public void Save(string path) => MnistDatasetFile.Save(this, path);
}

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
    /// <param name="budget">Threads for the conversion (the machine's by default).</param>
    public FeatureMatrix ToFeatures(ComputeBudget? budget = null) => FeatureMatrix.FromBytes(Pixels, Columns, budget);

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
