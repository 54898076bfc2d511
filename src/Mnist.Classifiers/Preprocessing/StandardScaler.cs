using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Preprocessing;

/// <summary>
/// Standardizes each feature to zero mean and unit variance, as scikit-learn's <c>StandardScaler</c> does:
/// <c>z = (x - mean) / scale</c> with the population standard deviation (ddof = 0) as the scale, and a scale of 1
/// for a column whose variance is zero (up to rounding), so constant columns become 0 instead of NaN.
/// </summary>
/// <param name="WithMean">Subtract the column mean.</param>
/// <param name="WithStd">Divide by the column standard deviation.</param>
public sealed record StandardScaler(bool WithMean = true, bool WithStd = true) : IUnfittedTransform
{
    /// <inheritdoc />
    /// <remarks>Every combination of the two flags is valid (both off makes the identity, as in scikit-learn).</remarks>
    public void Validate()
    {
    }

    /// <inheritdoc cref="IUnfittedTransform.Fit"/>
    /// <exception cref="ArgumentException">There are no rows, or a column holds NaN or an infinity.</exception>
    public FittedStandardScaler Fit(FeatureMatrix features, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.FittingRows(features);
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, columns = features.Columns;
        var means = new double[columns];
        var variances = new double[columns];

        // Two passes in double precision, the "corrected two-pass algorithm" of Chan, Golub & LeVeque (1983),
        // "Algorithms for computing the sample variance: analysis and recommendations": the same arithmetic as
        // scikit-learn's _incremental_mean_and_var on a first fit, summed row after row as numpy does for axis=0.
        // Columns are split into blocks, one thread each, so every column is summed in the same order whatever
        // the thread count.
        ParallelRows.For(columns, (long)rows * columns, budget, (c0, c1) =>
        {
            int width = c1 - c0;
            Span<double> sum = new double[width];
            for (int i = 0; i < rows; i++)
            {
                CachePrefetch.RowAhead(features, i, c0..c1);

                AddRow(features.Row(i)[c0..c1], sum);
            }

            Span<double> mean = means.AsSpan(c0, width);
            for (int j = 0; j < width; j++)
            {
                mean[j] = sum[j] / rows;
            }

            if (!WithStd)
            {
                return;
            }

            Span<double> correction = sum; // reused: the sums are no longer needed
            correction.Clear();
            Span<double> squares = new double[width];
            for (int i = 0; i < rows; i++)
            {
                CachePrefetch.RowAhead(features, i, c0..c1);

                AddCentredRow(features.Row(i)[c0..c1], mean, correction, squares);
            }

            for (int j = 0; j < width; j++)
            {
                variances[c0 + j] = (squares[j] - correction[j] * correction[j] / rows) / rows;
            }
        });

        for (int j = 0; j < columns; j++)
        {
            if (!double.IsFinite(means[j]) || !double.IsFinite(variances[j]))
            {
                throw new ArgumentException(
                    $"Column {j} contains NaN or an infinity (or values so large that their sum overflows); the scaler needs finite values.",
                    nameof(features));
            }
        }

        var scales = new double[columns];
        for (int j = 0; j < columns; j++)
        {
            scales[j] = WithStd && !IsConstant(variances[j], means[j], rows) ? Math.Sqrt(variances[j]) : 1.0;
        }

        return new FittedStandardScaler(WithMean, WithStd, rows, means, variances, scales);
    }

    /// <summary><paramref name="sum"/> += x, element by element in double.</summary>
    /// <remarks>
    /// Written out rather than as <c>TensorPrimitives</c> calls: the same operations, but the five generic
    /// instantiations those took cost about 20 ms of JIT compilation before a first fit (the CLI's warm-up spent 23 ms
    /// in a 300-row scaler fit), and these loops compile in a fraction of that.
    /// </remarks>
    private static void AddRow(ReadOnlySpan<float> x, Span<double> sum)
    {
        sum = sum[..x.Length]; // the vector loop reads and writes without bounds checks
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float from = ref MemoryMarshal.GetReference(x);
            ref double to = ref MemoryMarshal.GetReference(sum);
            for (; j <= x.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref from, (nuint)j));
                (Vector256.LoadUnsafe(ref to, (nuint)j) + low).StoreUnsafe(ref to, (nuint)j);
                (Vector256.LoadUnsafe(ref to, (nuint)(j + 4)) + high).StoreUnsafe(ref to, (nuint)(j + 4));
            }
        }

        for (; j < x.Length; j++)
        {
            sum[j] += x[j];
        }
    }

    /// <summary>
    /// With d = x − mean in double: <paramref name="correction"/> += d and <paramref name="squares"/> += d · d, the square
    /// rounded before it is added (no fused multiply–add), as numpy's <c>temp **= 2; sum(temp)</c>.
    /// </summary>
    private static void AddCentredRow(ReadOnlySpan<float> x, ReadOnlySpan<double> mean, Span<double> correction, Span<double> squares)
    {
        // The vector loop reads and writes without bounds checks.
        mean = mean[..x.Length];
        correction = correction[..x.Length];
        squares = squares[..x.Length];
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float from = ref MemoryMarshal.GetReference(x);
            ref double centre = ref MemoryMarshal.GetReference(mean);
            ref double linear = ref MemoryMarshal.GetReference(correction);
            ref double square = ref MemoryMarshal.GetReference(squares);
            for (; j <= x.Length - Vector256<double>.Count; j += Vector256<double>.Count)
            {
                var d = Vector256.WidenLower(Vector128.LoadUnsafe(ref from, (nuint)j).ToVector256Unsafe()) - Vector256.LoadUnsafe(ref centre, (nuint)j);
                (Vector256.LoadUnsafe(ref linear, (nuint)j) + d).StoreUnsafe(ref linear, (nuint)j);
                (Vector256.LoadUnsafe(ref square, (nuint)j) + (d * d)).StoreUnsafe(ref square, (nuint)j);
            }
        }

        for (; j < x.Length; j++)
        {
            double d = x[j] - mean[j];
            correction[j] += d;
            double d2 = d * d;
            squares[j] += d2;
        }
    }

    /// <summary>
    /// scikit-learn's <c>_is_constant_feature</c>: a variance no larger than the rounding error the two-pass
    /// computation can make on a constant column counts as zero.
    /// </summary>
    private static bool IsConstant(double variance, double mean, long samples)
    {
        const double eps = 2.220446049250313e-16; // numpy's finfo(float64).eps = 2^-52
        double meanError = samples * mean * eps;
        double bound = samples * eps * variance + meanError * meanError;
        return variance <= bound;
    }

    IFittedTransform IUnfittedTransform.Fit(FeatureMatrix features, ComputeBudget? budget) => Fit(features, budget);
}

/// <summary>A fitted <see cref="StandardScaler"/>: the column means and scales. Immutable and thread-safe.</summary>
public sealed class FittedStandardScaler : IFittedTransform, IMonotoneFeatureTransform, IInPlaceTransform, IPersistable
{
    /// <summary>The kind name of fitted standard scalers in model files.</summary>
    internal const string Kind = "standard-scaler";

    private readonly double[] _means;
    private readonly double[] _variances;
    private readonly double[] _scales;

    internal FittedStandardScaler(bool withMean, bool withStd, long samplesSeen, double[] means, double[] variances, double[] scales)
    {
        WithMean = withMean;
        WithStd = withStd;
        SamplesSeen = samplesSeen;
        _means = means;
        _variances = variances;
        _scales = scales;
        Means = Array.AsReadOnly(_means);
        Variances = Array.AsReadOnly(_variances);
        Scales = Array.AsReadOnly(_scales);
    }

    /// <summary>Whether <see cref="Transform"/> subtracts the means.</summary>
    public bool WithMean { get; }

    /// <summary>Whether <see cref="Transform"/> divides by the scales.</summary>
    public bool WithStd { get; }

    /// <summary>The number of rows the scaler was fitted on.</summary>
    public long SamplesSeen { get; }

    /// <summary>The mean of each column (always computed, used only when <see cref="WithMean"/>).</summary>
    public ReadOnlyCollection<double> Means { get; }

    /// <summary>The population variance of each column (zero when <see cref="WithStd"/> is off, as it is not computed).</summary>
    public ReadOnlyCollection<double> Variances { get; }

    /// <summary>The divisor of each column: its standard deviation, or 1 for a constant column or when <see cref="WithStd"/> is off.</summary>
    public ReadOnlyCollection<double> Scales { get; }

    /// <inheritdoc />
    public int FeatureCount => _means.Length;

    /// <inheritdoc />
    /// <remarks>
    /// Each step is computed in double precision and rounded to <see cref="float"/>, as numpy does for
    /// <c>X -= mean_; X /= scale_</c> on a float32 matrix, so the output equals scikit-learn's bit for bit (rounding
    /// the means to float first would lose the small spread of a near-constant column with a large offset).
    /// SIMD over each row, parallel over rows for big matrices.
    /// </remarks>
    public FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null) => TransformRows(features, ComputeBudget.OrDefault(budget), inPlace: false);

    /// <inheritdoc />
    FeatureMatrix IInPlaceTransform.TransformInPlace(FeatureMatrix owned, ComputeBudget budget) => TransformRows(owned, budget, inPlace: true);

    /// <summary><see cref="Transform"/> into a new matrix, or over the rows themselves (each value read before its place is written).</summary>
    private FeatureMatrix TransformRows(FeatureMatrix features, ComputeBudget budget, bool inPlace)
    {
        InputChecks.FeatureCount(features, FeatureCount, "standard scaler");
        double[] means = _means, scales = _scales;
        bool withMean = WithMean, withStd = WithStd;
        return ParallelRows.MapRows(features, budget, () => (source, destination) =>
            Standardize(source, destination, withMean ? means : null, withStd ? scales : null), inPlace);
    }

    /// <inheritdoc />
    bool IMonotoneFeatureTransform.IsNonDecreasing =>
        _means.All(double.IsFinite) && _scales.All(scale => double.IsFinite(scale) && scale > 0);

    /// <inheritdoc />
    float IMonotoneFeatureTransform.Map(int feature, float value) =>
        StandardizeValue(value, feature, WithMean ? _means : null, WithStd ? _scales : null);

    /// <inheritdoc />
    /// <remarks>Each rounding step undone at the upper end of what rounds to its result.</remarks>
    double IMonotoneFeatureTransform.EstimateLargestAtMost(int feature, float mapped)
    {
        double value = mapped;
        if (WithStd)
        {
            value = (value + IMonotoneFeatureTransform.HalfStepAbove(value)) * _scales[feature];
        }

        if (WithMean)
        {
            value = value + IMonotoneFeatureTransform.HalfStepAbove(value) + _means[feature];
        }

        return value;
    }

    /// <summary>
    /// destination = (float)((double)(float)((double)x − mean) / scale), each step skipped when its array is null: the
    /// steps of <see cref="Transform"/> in one pass over the row, four values at a time in 256-bit vectors (a double
    /// division's throughput per value is the same at every width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Standardize(ReadOnlySpan<float> source, Span<float> destination, double[]? means, double[]? scales)
    {
        int d = source.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float x = ref MemoryMarshal.GetReference(source);
            ref float z = ref MemoryMarshal.GetReference(destination);
            for (; j <= d - Vector128<float>.Count; j += Vector128<float>.Count)
            {
                var value = Vector128.LoadUnsafe(ref x, (nuint)j);
                if (means is not null)
                {
                    var centred = Vector256.WidenLower(value.ToVector256()) - Vector256.Create(means.AsSpan(j, Vector256<double>.Count));
                    value = Vector256.Narrow(centred, Vector256<double>.Zero).GetLower();
                }

                if (scales is not null)
                {
                    var scaled = Vector256.WidenLower(value.ToVector256()) / Vector256.Create(scales.AsSpan(j, Vector256<double>.Count));
                    value = Vector256.Narrow(scaled, Vector256<double>.Zero).GetLower();
                }

                value.StoreUnsafe(ref z, (nuint)j);
            }
        }

        for (; j < d; j++)
        {
            destination[j] = StandardizeValue(source[j], j, means, scales);
        }
    }

    /// <summary>One value of <see cref="Standardize"/>: (float)((double)(float)((double)x − mean) / scale), each step skipped when its array is null.</summary>
    private static float StandardizeValue(float value, int j, double[]? means, double[]? scales)
    {
        if (means is not null)
        {
            value = (float)(value - means[j]);
        }

        if (scales is not null)
        {
            value = (float)(value / scales[j]);
        }

        return value;
    }

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBoolean(WithMean);
        writer.WriteBoolean(WithStd);
        writer.WriteInt64(SamplesSeen);
        writer.WriteDoubleArray(_means);
        writer.WriteDoubleArray(_variances);
        writer.WriteDoubleArray(_scales);
    }

    /// <summary>Reads what <see cref="IPersistable.Write"/> wrote, checking that the arrays agree.</summary>
    internal static FittedStandardScaler Read(ModelReader reader)
    {
        bool withMean = reader.ReadBoolean();
        bool withStd = reader.ReadBoolean();
        long samples = reader.ReadInt64();
        double[] means = reader.ReadDoubleArray();
        double[] variances = reader.ReadDoubleArray();
        double[] scales = reader.ReadDoubleArray();
        if (samples < 1)
        {
            throw reader.Invalid($"the standard scaler was fitted on {samples} rows");
        }

        if (means.Length == 0 || variances.Length != means.Length || scales.Length != means.Length)
        {
            throw reader.Invalid(
                $"the standard scaler has {means.Length} means, {variances.Length} variances and {scales.Length} scales; they must be equal and non-zero");
        }

        for (int j = 0; j < scales.Length; j++)
        {
            if (!double.IsFinite(means[j]) || !double.IsFinite(variances[j]) || !(scales[j] > 0) || !double.IsFinite(scales[j]))
            {
                throw reader.Invalid($"the standard scaler's column {j} has mean {means[j]}, variance {variances[j]}, scale {scales[j]}");
            }
        }

        return new FittedStandardScaler(withMean, withStd, samples, means, variances, scales);
    }
}
