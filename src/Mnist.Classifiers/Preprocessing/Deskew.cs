using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Preprocessing;

/// <summary>
/// Straightens slanted 28×28 digits: the shear that makes the ink's principal axis vertical, the "deskewing" of
/// the preprocessing column of LeCun et al.'s MNIST table (LeCun, Bottou, Bengio &amp; Haffner, "Gradient-based
/// learning applied to document recognition", Proc. IEEE 1998) that lowers the error of the SVMs and k-NN there.
/// It learns nothing; <see cref="Fit"/> only checks that the rows are 28×28 images, so it can be a pipeline step.
/// </summary>
/// <remarks>
/// The pixel values are the ink's weights, so the step must see non-negative intensities (raw pixels or pixels
/// scaled by a positive constant): put it before a scaler that centres the data. See <see cref="FittedDeskew"/>
/// for the transformation.
/// </remarks>
public sealed record Deskew : IUnfittedTransform
{
    /// <inheritdoc />
    /// <remarks>Deskewing has no options, so there is nothing to check.</remarks>
    public void Validate()
    {
    }

    /// <inheritdoc cref="IUnfittedTransform.Fit"/>
    /// <exception cref="ArgumentException">There are no rows, or the rows do not have 784 features.</exception>
    public FittedDeskew Fit(FeatureMatrix features, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.FittingRows(features);
        FittedDeskew.CheckImageRows(features);
        return FittedDeskew.Instance;
    }

    IFittedTransform IUnfittedTransform.Fit(FeatureMatrix features, ComputeBudget? budget) => Fit(features, budget);
}

/// <summary>
/// The fitted <see cref="Deskew"/> (stateless): each 28×28 image is resampled with bilinear interpolation so that its
/// ink's centre of mass lands on the image centre (14, 14) and its rows are sheared by
/// <c>alpha = cov(row, column) / var(row)</c> of the ink. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Output pixel (r, c) takes the input at row <c>mr + (r − 14)</c> and column <c>mc + alpha·(r − 14) + (c − 14)</c>,
/// where (mr, mc) is the centre of mass: the widely used numpy/scipy deskew (the moments of the image, then
/// <c>scipy.ndimage.affine_transform(image, [[1, 0], [alpha, 1]], offset = centre − matrix·(14, 14))</c>), here
/// with bilinear interpolation (<c>order=1</c>) and zeros outside the image that are interpolated with the border
/// pixels (<c>mode='grid-constant'</c>), like <see cref="ImageAugmentation.Rotate(ReadOnlySpan{byte}, Span{byte}, int, int, double)"/>.
/// An image without ink, or whose ink lies on one row, has no slant to remove and is only copied.
/// </remarks>
public sealed class FittedDeskew : IFittedTransform, IPersistable
{
    /// <summary>The kind name of deskewing steps in model files.</summary>
    internal const string Kind = "deskew";

    /// <summary>The side of the square images, in pixels.</summary>
    public const int Side = 28;

    private const int Pixels = Side * Side;

    // The reference centres on shape / 2 = 14, not on the middle pixel 13.5: kept so the outputs agree.
    private const double Centre = Side / 2.0;

    private FittedDeskew()
    {
    }

    /// <summary>The one instance: deskewing has no fitted state.</summary>
    internal static FittedDeskew Instance { get; } = new();

    /// <inheritdoc />
    public int FeatureCount => Pixels;

    /// <inheritdoc />
    /// <remarks>Each row is independent; rows are processed in parallel for big matrices.</remarks>
    public FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null)
    {
        CheckImageRows(features);
        return ParallelRows.MapRows(features, ComputeBudget.OrDefault(budget), () => DeskewImage);
    }

    /// <summary>Throws unless the rows are 28×28 images.</summary>
    internal static void CheckImageRows(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Columns != Pixels)
        {
            throw new ArgumentException(
                $"Deskewing works on {Side}x{Side} images ({Pixels} features a row); the rows have {features.Columns} features.",
                nameof(features));
        }
    }

    /// <summary>Writes the deskewed <paramref name="image"/> (28×28, row-major) into <paramref name="destination"/>.</summary>
    internal static void DeskewImage(ReadOnlySpan<float> image, Span<float> destination)
    {
        // The moments in double precision: sums of 784 products of pixel and coordinate.
        double total = 0, sumRow = 0, sumColumn = 0;
        for (int r = 0; r < Side; r++)
        {
            ReadOnlySpan<float> line = image.Slice(r * Side, Side);
            for (int c = 0; c < Side; c++)
            {
                double ink = line[c];
                total += ink;
                sumRow += r * ink;
                sumColumn += c * ink;
            }
        }

        if (!(total > 0))
        {
            image.CopyTo(destination);
            return;
        }

        double meanRow = sumRow / total, meanColumn = sumColumn / total;
        double varianceRow = 0, covariance = 0;
        for (int r = 0; r < Side; r++)
        {
            ReadOnlySpan<float> line = image.Slice(r * Side, Side);
            double dr = r - meanRow;
            for (int c = 0; c < Side; c++)
            {
                double ink = line[c];
                varianceRow += dr * dr * ink;
                covariance += dr * (c - meanColumn) * ink;
            }
        }

        if (!(varianceRow > 0))
        {
            image.CopyTo(destination);
            return;
        }

        double alpha = covariance / varianceRow; // the totals cancel
        for (int r = 0; r < Side; r++)
        {
            double sourceRow = meanRow + (r - Centre);
            double rowStart = meanColumn + alpha * (r - Centre) - Centre;
            int r0 = (int)Math.Floor(sourceRow);
            double fr = sourceRow - r0;
            Span<float> output = destination.Slice(r * Side, Side);
            for (int c = 0; c < Side; c++)
            {
                double sourceColumn = rowStart + c;
                int c0 = (int)Math.Floor(sourceColumn);
                double fc = sourceColumn - c0;
                double value = (1 - fr) * ((1 - fc) * Pixel(image, r0, c0) + fc * Pixel(image, r0, c0 + 1))
                    + fr * ((1 - fc) * Pixel(image, r0 + 1, c0) + fc * Pixel(image, r0 + 1, c0 + 1));
                output[c] = (float)value;
            }
        }
    }

    /// <summary>The pixel at (row, column), or 0 outside the image.</summary>
    private static double Pixel(ReadOnlySpan<float> image, int row, int column) =>
        (uint)row < Side && (uint)column < Side ? image[row * Side + column] : 0.0;

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    /// <remarks>The payload is the image size (two int32: width and height), so a file states the geometry it expects.</remarks>
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32(Side);
        writer.WriteInt32(Side);
    }

    /// <summary>Reads what <see cref="IPersistable.Write"/> wrote, checking that the images are 28×28.</summary>
    internal static FittedDeskew Read(ModelReader reader)
    {
        int width = reader.ReadInt32();
        int height = reader.ReadInt32();
        if (width != Side || height != Side)
        {
            throw reader.Invalid($"the deskewing step is for {width}x{height} images; only {Side}x{Side} is supported");
        }

        return Instance;
    }
}
