using System.Collections.ObjectModel;
using System.Numerics.Tensors;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Preprocessing;

/// <summary>
/// Maps each feature linearly onto [<see cref="RangeMin"/>, <see cref="RangeMax"/>] using the column's minimum and
/// maximum, as scikit-learn's <c>MinMaxScaler</c> does: <c>x * scale + min</c> with
/// <c>scale = (RangeMax - RangeMin) / (max - min)</c> and <c>min = RangeMin - columnMin * scale</c>. A constant
/// column gets a scale of 1, so its values map to <see cref="RangeMin"/>.
/// </summary>
/// <param name="RangeMin">The lower end of the output range.</param>
/// <param name="RangeMax">The upper end of the output range; must be greater than <paramref name="RangeMin"/>.</param>
/// <param name="Clip">Clamp transformed values of unseen data to the range.</param>
public sealed record MinMaxScaler(double RangeMin = 0, double RangeMax = 1, bool Clip = false) : IUnfittedTransform
{
    /// <inheritdoc />
    public void Validate()
    {
        if (!double.IsFinite(RangeMin) || !double.IsFinite(RangeMax) || !(RangeMin < RangeMax))
        {
            throw new ArgumentException(
                $"The feature range must be finite with RangeMin < RangeMax; got ({RangeMin}, {RangeMax}).", nameof(RangeMin));
        }
    }

    /// <inheritdoc cref="IUnfittedTransform.Fit"/>
    /// <exception cref="ArgumentException">There are no rows, the range is invalid, or a column holds NaN or an infinity.</exception>
    public FittedMinMaxScaler Fit(FeatureMatrix features, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.FittingRows(features);
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, columns = features.Columns;
        var dataMin = features.Row(0).ToArray();
        var dataMax = features.Row(0).ToArray();
        var gate = new object();

        // Minimum and maximum are exact and order-free, so blocks of rows can be reduced in parallel and merged.
        ParallelRows.For(rows, (long)rows * columns, budget, (r0, r1) =>
        {
            var localMin = features.Row(r0).ToArray();
            var localMax = features.Row(r0).ToArray();
            for (int i = r0 + 1; i < r1; i++)
            {
                ReadOnlySpan<float> row = features.Row(i);
                TensorPrimitives.Min(localMin, row, localMin);
                TensorPrimitives.Max(localMax, row, localMax);
            }

            lock (gate)
            {
                TensorPrimitives.Min(dataMin, localMin, dataMin);
                TensorPrimitives.Max(dataMax, localMax, dataMax);
            }
        });

        for (int j = 0; j < columns; j++)
        {
            if (!float.IsFinite(dataMin[j]) || !float.IsFinite(dataMax[j]))
            {
                throw new ArgumentException($"Column {j} contains NaN or an infinity; the scaler needs finite values.", nameof(features));
            }
        }

        // Single precision throughout, as scikit-learn computes on float32 input, so the output matches it bit for bit.
        float low = (float)RangeMin, width = (float)(RangeMax - RangeMin);
        var scale = new float[columns];
        var offset = new float[columns];
        for (int j = 0; j < columns; j++)
        {
            float range = dataMax[j] - dataMin[j];
            // scikit-learn's _handle_zeros_in_scale: a range below 10 float eps counts as zero and becomes 1.
            if (range < 10 * FloatEps)
            {
                range = 1f;
            }

            scale[j] = width / range;
            offset[j] = low - dataMin[j] * scale[j];
        }

        return new FittedMinMaxScaler(RangeMin, RangeMax, Clip, dataMin, dataMax, scale, offset);
    }

    /// <summary>numpy's <c>finfo(float32).eps</c> = 2^-23 (not <see cref="float.Epsilon"/>, the smallest subnormal).</summary>
    private const float FloatEps = 1.1920929E-07f;

    IFittedTransform IUnfittedTransform.Fit(FeatureMatrix features, ComputeBudget? budget) => Fit(features, budget);
}

/// <summary>A fitted <see cref="MinMaxScaler"/>. Immutable and thread-safe.</summary>
public sealed class FittedMinMaxScaler : IFittedTransform, IMonotoneFeatureTransform, IInPlaceTransform, IPersistable
{
    /// <summary>The kind name of fitted min-max scalers in model files.</summary>
    internal const string Kind = "minmax-scaler";

    private readonly float[] _dataMin;
    private readonly float[] _dataMax;
    private readonly float[] _scale;
    private readonly float[] _offset;

    internal FittedMinMaxScaler(double rangeMin, double rangeMax, bool clip, float[] dataMin, float[] dataMax, float[] scale, float[] offset)
    {
        RangeMin = rangeMin;
        RangeMax = rangeMax;
        Clip = clip;
        _dataMin = dataMin;
        _dataMax = dataMax;
        _scale = scale;
        _offset = offset;
        DataMin = Array.AsReadOnly(dataMin);
        DataMax = Array.AsReadOnly(dataMax);
        Scale = Array.AsReadOnly(scale);
        Offset = Array.AsReadOnly(offset);
    }

    /// <summary>The lower end of the output range.</summary>
    public double RangeMin { get; }

    /// <summary>The upper end of the output range.</summary>
    public double RangeMax { get; }

    /// <summary>Whether transformed values are clamped to the range.</summary>
    public bool Clip { get; }

    /// <summary>The minimum of each column seen in fitting (scikit-learn's <c>data_min_</c>).</summary>
    public ReadOnlyCollection<float> DataMin { get; }

    /// <summary>The maximum of each column seen in fitting (scikit-learn's <c>data_max_</c>).</summary>
    public ReadOnlyCollection<float> DataMax { get; }

    /// <summary>The factor of each column (scikit-learn's <c>scale_</c>).</summary>
    public ReadOnlyCollection<float> Scale { get; }

    /// <summary>The term added after scaling (scikit-learn's <c>min_</c>).</summary>
    public ReadOnlyCollection<float> Offset { get; }

    /// <inheritdoc />
    public int FeatureCount => _scale.Length;

    /// <inheritdoc />
    public FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null) => TransformRows(features, ComputeBudget.OrDefault(budget), inPlace: false);

    /// <inheritdoc />
    FeatureMatrix IInPlaceTransform.TransformInPlace(FeatureMatrix owned, ComputeBudget budget) => TransformRows(owned, budget, inPlace: true);

    /// <summary>
    /// <see cref="Transform"/> into a new matrix, or over the rows themselves (TensorPrimitives allows a destination that is
    /// exactly its input).
    /// </summary>
    private FeatureMatrix TransformRows(FeatureMatrix features, ComputeBudget budget, bool inPlace)
    {
        InputChecks.FeatureCount(features, FeatureCount, "min-max scaler");
        float[] scale = _scale, offset = _offset;
        float low = (float)RangeMin, high = (float)RangeMax;
        bool clip = Clip;
        return ParallelRows.MapRows(features, budget, () => (source, destination) =>
        {
            // Multiply, then add: two roundings like numpy's X *= scale_; X += min_ (a fused multiply-add would differ).
            TensorPrimitives.Multiply(source, scale, destination);
            TensorPrimitives.Add(destination, offset, destination);
            if (clip)
            {
                TensorPrimitives.Max(destination, low, destination);
                TensorPrimitives.Min(destination, high, destination);
            }
        }, inPlace);
    }

    /// <inheritdoc />
    bool IMonotoneFeatureTransform.IsNonDecreasing =>
        _scale.All(scale => float.IsFinite(scale) && scale >= 0) && _offset.All(float.IsFinite);

    /// <inheritdoc />
    float IMonotoneFeatureTransform.Map(int feature, float value)
    {
        // The steps of Transform: multiply, add, then clamp (TensorPrimitives.Max and Min, which keep NaN).
        value = (value * _scale[feature]) + _offset[feature];
        if (Clip && !float.IsNaN(value))
        {
            value = Math.Min(Math.Max(value, (float)RangeMin), (float)RangeMax);
        }

        return value;
    }

    /// <inheritdoc />
    /// <remarks>Each rounding step undone at the upper end of what rounds to its result.</remarks>
    double IMonotoneFeatureTransform.EstimateLargestAtMost(int feature, float mapped)
    {
        double product = mapped + IMonotoneFeatureTransform.HalfStepAbove(mapped) - _offset[feature];
        return (product + IMonotoneFeatureTransform.HalfStepAbove(product)) / _scale[feature];
    }

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteDouble(RangeMin);
        writer.WriteDouble(RangeMax);
        writer.WriteBoolean(Clip);
        writer.WriteSingleArray(_dataMin);
        writer.WriteSingleArray(_dataMax);
        writer.WriteSingleArray(_scale);
        writer.WriteSingleArray(_offset);
    }

    /// <summary>Reads what <see cref="IPersistable.Write"/> wrote, checking that the arrays agree.</summary>
    internal static FittedMinMaxScaler Read(ModelReader reader)
    {
        double rangeMin = reader.ReadDouble();
        double rangeMax = reader.ReadDouble();
        bool clip = reader.ReadBoolean();
        float[] dataMin = reader.ReadSingleArray();
        float[] dataMax = reader.ReadSingleArray();
        float[] scale = reader.ReadSingleArray();
        float[] offset = reader.ReadSingleArray();
        if (!double.IsFinite(rangeMin) || !double.IsFinite(rangeMax) || !(rangeMin < rangeMax))
        {
            throw reader.Invalid($"the min-max scaler's range ({rangeMin}, {rangeMax}) is not an increasing finite range");
        }

        int n = scale.Length;
        if (n == 0 || dataMin.Length != n || dataMax.Length != n || offset.Length != n)
        {
            throw reader.Invalid(
                $"the min-max scaler has {dataMin.Length} minima, {dataMax.Length} maxima, {n} scales and {offset.Length} offsets; they must be equal and non-zero");
        }

        for (int j = 0; j < n; j++)
        {
            if (!float.IsFinite(scale[j]) || !float.IsFinite(offset[j]))
            {
                throw reader.Invalid($"the min-max scaler's column {j} has scale {scale[j]} and offset {offset[j]}");
            }
        }

        return new FittedMinMaxScaler(rangeMin, rangeMax, clip, dataMin, dataMax, scale, offset);
    }
}
