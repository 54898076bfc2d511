using System.Collections.ObjectModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Preprocessing;

/// <summary>
/// Principal component analysis, as scikit-learn's <c>PCA(svd_solver="full")</c>: the rows are centred and projected
/// onto the leading eigenvectors of their covariance matrix (the right singular vectors of the centred data), so
/// <see cref="FittedPca.Transform"/> gives <c>(x − mean) · componentsᵀ</c>, divided by √(explained variance) when
/// whitening.
/// </summary>
/// <param name="Components">
/// How many components to keep (scikit-learn's integer <c>n_components</c>), at most min(rows, features); null for
/// <paramref name="VarianceFraction"/>, or for all min(rows, features) components when that is null too.
/// </param>
/// <param name="VarianceFraction">
/// Keep the fewest components whose explained variance ratios add up to more than this fraction, strictly between 0
/// and 1 (scikit-learn's fractional <c>n_components</c>); null when <paramref name="Components"/> decides.
/// </param>
/// <param name="Whiten">Scale each projected component to unit variance (scikit-learn's <c>whiten</c>).</param>
public sealed record Pca(int? Components = null, double? VarianceFraction = null, bool Whiten = false) : IUnfittedTransform
{
    /// <summary>The rows this many at a time are centred into a double-precision block that stays in the L2 cache.</summary>
    private const int RowBlock = 64;

    /// <inheritdoc />
    public void Validate()
    {
        if (Components is < 1)
        {
            throw new ArgumentException($"Components must be at least 1 (or null); got {Components}.", nameof(Components));
        }

        if (VarianceFraction is { } fraction && !(fraction > 0 && fraction < 1))
        {
            throw new ArgumentException($"VarianceFraction must be strictly between 0 and 1 (or null); got {fraction}.", nameof(VarianceFraction));
        }

        if (Components is not null && VarianceFraction is not null)
        {
            throw new ArgumentException(
                "Give either Components or VarianceFraction, not both: they are two ways of choosing how many components to keep.",
                nameof(VarianceFraction));
        }
    }

    /// <inheritdoc cref="IUnfittedTransform.Fit"/>
    /// <exception cref="ArgumentException">
    /// There are no rows, a value is NaN or infinite, or <see cref="Components"/> exceeds min(rows, features).
    /// </exception>
    /// <remarks>
    /// The covariance Xcᵀ·Xc / (rows − 1) of the centred rows Xc is accumulated in double precision, in blocks of
    /// rows, each thread owning a band of the matrix's rows so that every entry is summed in the same order whatever
    /// the thread count; its eigen-decomposition is MathNet.Numerics' symmetric EVD (Householder tridiagonalisation
    /// and the implicit QL method, as in EISPACK's tred2/tql2) of the covariance among the non-constant columns, a
    /// constant column adding an eigenvalue 0 with its unit vector after the other components. The eigenvalues are the explained variances
    /// S²/(rows − 1) of scikit-learn's SVD and the eigenvectors its right singular vectors; forming the covariance
    /// squares the condition number, which costs nothing that matters for the leading components of image data.
    /// </remarks>
    public FittedPca Fit(FeatureMatrix features, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.FittingRows(features);
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, columns = features.Columns;
        int rank = Math.Min(rows, columns);
        if (Components > rank)
        {
            throw new ArgumentException(
                $"Components is {Components}, but {rows} rows of {columns} features have at most {rank} principal components.", nameof(Components));
        }

        double[] mean = ColumnMeans(features, budget);
        double[] covariance = Covariance(features, mean, budget);
        int divisor = Math.Max(rows - 1, 1); // one row: scikit-learn divides by n − 1 = 0; its variance is 0 either way

        // A column whose centred values are all zero (a constant one, such as a digit image's empty border) has an exactly
        // zero row and column in the covariance: its eigenvalue is 0 with its unit vector as eigenvector, and the rest
        // of the spectrum is the covariance's among the other columns. The EVD, O(n³), runs on those only (raw MNIST:
        // 717 of 784 columns, 24% less) and the constant columns' unit vectors come after their components.
        int[] varying = [.. Enumerable.Range(0, columns).Where(j => covariance[((long)j * columns) + j] > 0)];
        int m = varying.Length;
        double[] eigenvalues = [];
        Matrix<double>? vectors = null;
        if (m > 0)
        {
            var matrix = Matrix<double>.Build.Dense(
                m, m, (a, b) => covariance[((long)varying[Math.Min(a, b)] * columns) + varying[Math.Max(a, b)]] / divisor);
            var evd = matrix.Evd(Symmetricity.Symmetric);

            // MathNet sorts the eigenvalues in ascending order: the principal components are the last ones.
            eigenvalues = evd.EigenValues.Select(v => v.Real).ToArray();
            vectors = evd.EigenVectors;
        }

        double total = 0;
        foreach (double value in eigenvalues)
        {
            total += Math.Max(value, 0);
        }

        var variances = new double[rank];
        var ratios = new double[rank];
        for (int k = 0; k < rank; k++)
        {
            // Rounding leaves the null space's eigenvalues a little below zero; the SVD's squares are never negative.
            variances[k] = k < m ? Math.Max(eigenvalues[m - 1 - k], 0) : 0;
            ratios[k] = total > 0 ? variances[k] / total : 0;
        }

        int kept = Components ?? (VarianceFraction is { } fraction ? CountForFraction(ratios, fraction) : rank);
        var components = new double[(long)kept * columns];
        int[] constant = [.. Enumerable.Range(0, columns).Except(varying)];
        for (int k = 0; k < kept; k++)
        {
            Span<double> component = components.AsSpan(k * columns, columns);
            if (k < m)
            {
                for (int a = 0; a < m; a++)
                {
                    component[varying[a]] = vectors![a, m - 1 - k];
                }
            }
            else
            {
                component[constant[k - m]] = 1;
            }

            // An eigenvector's sign is arbitrary; fix it as scikit-learn's svd_flip does on Vᵀ (its choice for PCA
            // from 1.5 on): the entry of largest magnitude is positive, so the same data always gives the same signs.
            if (component[TensorPrimitives.IndexOfMaxMagnitude<double>(component)] < 0)
            {
                TensorPrimitives.Negate<double>(component, component);
            }
        }

        double noise = kept < rank ? variances.AsSpan(kept).ToArray().Average() : 0;
        return new FittedPca(
            Whiten, rows, mean, components, variances[..kept], ratios[..kept], noise);
    }

    /// <summary>
    /// scikit-learn's choice for a fractional <c>n_components</c>: the number of leading ratios whose running sum first
    /// exceeds <paramref name="fraction"/> (<c>searchsorted(cumsum, fraction, side="right") + 1</c>), at most all.
    /// </summary>
    private static int CountForFraction(double[] ratios, double fraction)
    {
        double sum = 0;
        for (int k = 0; k < ratios.Length; k++)
        {
            sum += ratios[k];
            if (sum > fraction)
            {
                return k + 1;
            }
        }

        return ratios.Length;
    }

    /// <summary>The column means in double precision; blocks of columns in parallel, each summed row after row.</summary>
    private static double[] ColumnMeans(FeatureMatrix features, ComputeBudget budget)
    {
        int rows = features.Rows, columns = features.Columns;
        var means = new double[columns];
        ParallelRows.For(columns, (long)rows * columns, budget, (c0, c1) =>
        {
            int width = c1 - c0;
            var row = new double[width];
            Span<double> sum = means.AsSpan(c0, width);
            for (int i = 0; i < rows; i++)
            {
                CachePrefetch.RowAhead(features, i, c0..c1);

                TensorPrimitives.ConvertChecked<float, double>(features.Row(i)[c0..c1], row);
                TensorPrimitives.Add(sum, row, sum);
            }

            TensorPrimitives.Divide(sum, rows, sum);
        });

        for (int j = 0; j < columns; j++)
        {
            if (!double.IsFinite(means[j]))
            {
                throw new ArgumentException($"Column {j} contains NaN or an infinity; PCA needs finite values.", nameof(features));
            }
        }

        return means;
    }

    /// <summary>
    /// The upper triangle (j ≥ i) of Xcᵀ·Xc, row-major in a columns × columns array (the entries below it are left
    /// unspecified): the centred rows are taken a block at a time, and each thread owns a band of the matrix's rows of
    /// about equal triangle area, so every entry is summed in the same order whatever the thread count.
    /// </summary>
    internal static double[] Covariance(FeatureMatrix features, double[] mean, ComputeBudget budget)
    {
        int rows = features.Rows, columns = features.Columns;
        var product = new double[(long)columns * columns];
        int bands = budget.ConcurrentParts(Math.Max(1, (int)Math.Min(columns, (long)rows * columns * columns / (1L << 22))));
        var bandStarts = new int[bands + 1];
        for (int b = 0; b <= bands; b++)
        {
            // Band b covers the triangle's rows from 1 − sqrt(1 − b/bands) of the way down, for equal areas, starting
            // at a multiple of 4 so that its rows go through the tiles of 4 (only the matrix's last rows may not).
            bandStarts[b] = b == bands ? columns : Math.Min(columns, 4 * (int)Math.Round(columns * (1 - Math.Sqrt(1 - (double)b / bands)) / 4));
        }

        // The centred blocks are shared by the bands. While the bands add one block's products, they centre the next
        // block's rows between them into the other buffer (a share of rows each), so no thread centres alone.
        var block = new double[(long)RowBlock * columns];
        var nextBlock = new double[(long)RowBlock * columns];
        Centre(features, mean, 0, Math.Min(RowBlock, rows), block);
        for (int start = 0; start < rows; start += RowBlock)
        {
            budget.Cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(RowBlock, rows - start);
            int nextStart = start + count, nextCount = Math.Min(RowBlock, rows - nextStart);
            var current = block;
            var next = nextBlock;
            Parallel.For(0, bands, budget.ParallelOptions, b =>
            {
                int first = nextCount * b / bands, end = nextCount * (b + 1) / bands;
                Centre(features, mean, nextStart + first, end - first, next.AsSpan(first * columns));
                AddBlockProducts(current, count, columns, bandStarts[b], bandStarts[b + 1], product);
            });
            (block, nextBlock) = (nextBlock, block);
        }

        return product;
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) minus the mean, in double, one after another into <paramref name="destination"/>.</summary>
    private static void Centre(FeatureMatrix features, double[] mean, int start, int count, Span<double> destination)
    {
        int columns = features.Columns;
        for (int r = 0; r < count; r++)
        {
            Span<double> centred = destination.Slice(r * columns, columns);
            TensorPrimitives.ConvertChecked<float, double>(features.Row(start + r), centred);
            TensorPrimitives.Subtract(centred, mean, centred);
        }
    }

    /// <summary>
    /// Adds to matrix rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of the upper triangle the products
    /// of one block of <paramref name="count"/> centred rows: entry (i, j) gains Σ_r x_ri·x_rj, the sum taken by fused
    /// multiply–adds in the block's row order and then added to the entry. Tiles of 4 matrix rows × 12 columns keep
    /// their 12 sums in vector registers across the block (the register blocking of Goto &amp; van de Geijn 2008, in
    /// double precision): about 105 GFLOP/s on two cores of an AMD EPYC Zen 5, where adding one block row at a time to a
    /// whole matrix row, which loads and stores that row for every block row, ran at about 34. Every tile and edge sums
    /// an entry the same way, so where the bands and tiles start never changes a bit.
    /// </summary>
    internal static void AddBlockProducts(double[] block, int count, int columns, int firstRow, int endRow, double[] product)
    {
        int i = firstRow;
        for (; i + 4 <= endRow; i += 4)
        {
            FourMatrixRows(block, count, columns, i, product);
        }

        ref double x = ref MemoryMarshal.GetArrayDataReference(block);
        ref double p = ref MemoryMarshal.GetArrayDataReference(product);
        for (; i < endRow; i++)
        {
            int j = i;
            for (; j + 4 <= columns; j += 4)
            {
                Vector256<double> sum = default;
                for (int r = 0; r < count; r++)
                {
                    ref double row = ref Unsafe.Add(ref x, r * columns);
                    sum = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref row, i)), Vector256.LoadUnsafe(ref row, (nuint)j), sum);
                }

                AddTo(ref p, (i * columns) + j, sum);
            }

            for (; j < columns; j++)
            {
                Unsafe.Add(ref p, (i * columns) + j) += ScalarSum(ref x, count, columns, i, j);
            }
        }
    }

    /// <summary>Σ_r x_ri·x_rj over a block by fused multiply–adds in row order, as every tile's lanes sum.</summary>
    private static double ScalarSum(ref double block, int count, int columns, int i, int j)
    {
        double sum = 0;
        for (int r = 0; r < count; r++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref block, (r * columns) + i), Unsafe.Add(ref block, (r * columns) + j), sum);
        }

        return sum;
    }

    /// <summary>Matrix rows i0 … i0 + 3 of <see cref="AddBlockProducts"/>, from column i0 on (entries below the diagonal included: they are never read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourMatrixRows(double[] block, int count, int columns, int i0, double[] product)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(block);
        ref double p = ref MemoryMarshal.GetArrayDataReference(product);
        int j = i0;
        for (; j + 12 <= columns; j += 12)
        {
            Vector256<double> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
            Vector256<double> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
            for (int r = 0; r < count; r++)
            {
                ref double row = ref Unsafe.Add(ref x, r * columns);
                var y0 = Vector256.LoadUnsafe(ref row, (nuint)j);
                var y1 = Vector256.LoadUnsafe(ref row, (nuint)(j + 4));
                var y2 = Vector256.LoadUnsafe(ref row, (nuint)(j + 8));
                MultiplyAdd(Unsafe.Add(ref row, i0), y0, y1, y2, ref s00, ref s01, ref s02);
                MultiplyAdd(Unsafe.Add(ref row, i0 + 1), y0, y1, y2, ref s10, ref s11, ref s12);
                MultiplyAdd(Unsafe.Add(ref row, i0 + 2), y0, y1, y2, ref s20, ref s21, ref s22);
                MultiplyAdd(Unsafe.Add(ref row, i0 + 3), y0, y1, y2, ref s30, ref s31, ref s32);
            }

            AddTo(ref p, (i0 * columns) + j, s00, s01, s02);
            AddTo(ref p, ((i0 + 1) * columns) + j, s10, s11, s12);
            AddTo(ref p, ((i0 + 2) * columns) + j, s20, s21, s22);
            AddTo(ref p, ((i0 + 3) * columns) + j, s30, s31, s32);
        }

        for (; j + 4 <= columns; j += 4)
        {
            Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int r = 0; r < count; r++)
            {
                ref double row = ref Unsafe.Add(ref x, r * columns);
                var y = Vector256.LoadUnsafe(ref row, (nuint)j);
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref row, i0)), y, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref row, i0 + 1)), y, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref row, i0 + 2)), y, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref row, i0 + 3)), y, s3);
            }

            AddTo(ref p, (i0 * columns) + j, s0);
            AddTo(ref p, ((i0 + 1) * columns) + j, s1);
            AddTo(ref p, ((i0 + 2) * columns) + j, s2);
            AddTo(ref p, ((i0 + 3) * columns) + j, s3);
        }

        for (; j < columns; j++)
        {
            for (int k = 0; k < 4; k++)
            {
                Unsafe.Add(ref p, ((i0 + k) * columns) + j) += ScalarSum(ref x, count, columns, i0 + k, j);
            }
        }
    }

    /// <summary>One matrix row's three sums of a tile gain x_ri times the block row's 12 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(
        double xri, Vector256<double> y0, Vector256<double> y1, Vector256<double> y2, ref Vector256<double> s0, ref Vector256<double> s1, ref Vector256<double> s2)
    {
        var a = Vector256.Create(xri);
        s0 = Vector256.FusedMultiplyAdd(a, y0, s0);
        s1 = Vector256.FusedMultiplyAdd(a, y1, s1);
        s2 = Vector256.FusedMultiplyAdd(a, y2, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref double product, int offset, Vector256<double> s0, Vector256<double> s1, Vector256<double> s2)
    {
        AddTo(ref product, offset, s0);
        AddTo(ref product, offset + 4, s1);
        AddTo(ref product, offset + 8, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(ref double product, int offset, Vector256<double> sum)
    {
        ref double entry = ref Unsafe.Add(ref product, offset);
        (Vector256.LoadUnsafe(ref entry) + sum).StoreUnsafe(ref entry);
    }

    IFittedTransform IUnfittedTransform.Fit(FeatureMatrix features, ComputeBudget? budget) => Fit(features, budget);
}

/// <summary>
/// A fitted <see cref="Pca"/>: the mean, the principal axes and their variances. Immutable and thread-safe.
/// Names follow scikit-learn's attributes (<c>components_</c>, <c>explained_variance_</c>,
/// <c>explained_variance_ratio_</c>, <c>mean_</c>, <c>noise_variance_</c>).
/// </summary>
public sealed class FittedPca : IFittedTransform, IPersistable
{
    /// <summary>The kind name of fitted PCAs in model files.</summary>
    internal const string Kind = "pca";

    private readonly double[] _mean;
    private readonly double[] _components;
    private readonly double[] _variances;
    private readonly double[] _ratios;

    // The transform's own copies: the mean and the axes (divided by √variance when whitening) in single precision,
    // the axes packed for the GEMM kernels.
    private readonly float[] _meanSingle;
    private readonly PackedRows _axes;

    internal FittedPca(bool whiten, long samplesSeen, double[] mean, double[] components, double[] variances, double[] ratios, double noiseVariance)
    {
        Whiten = whiten;
        SamplesSeen = samplesSeen;
        NoiseVariance = noiseVariance;
        _mean = mean;
        _components = components;
        _variances = variances;
        _ratios = ratios;
        Mean = Array.AsReadOnly(_mean);
        ExplainedVariance = Array.AsReadOnly(_variances);
        ExplainedVarianceRatio = Array.AsReadOnly(_ratios);
        _meanSingle = mean.Select(v => (float)v).ToArray();
        _axes = PackedRows.Pack(ProjectionAxes(), variances.Length, mean.Length);
    }

    /// <summary>
    /// The axes <see cref="Transform"/> projects on, in single precision, row-major components × features: each
    /// component, divided by √variance when whitening (the ONNX export writes the same values).
    /// </summary>
    internal float[] ProjectionAxes()
    {
        int features = _mean.Length, count = _variances.Length;
        var axes = new float[(long)count * features];
        for (int k = 0; k < count; k++)
        {
            // A component of zero variance (constant data) is left unscaled, as scikit-learn's division would give NaN.
            double scale = Whiten && _variances[k] > 0 ? 1 / Math.Sqrt(_variances[k]) : 1;
            for (int j = 0; j < features; j++)
            {
                axes[k * features + j] = (float)(_components[k * features + j] * scale);
            }
        }

        return axes;
    }

    /// <summary>Whether <see cref="Transform"/> divides each projection by the square root of its explained variance.</summary>
    public bool Whiten { get; }

    /// <summary>The number of rows the PCA was fitted on.</summary>
    public long SamplesSeen { get; }

    /// <summary>The number of components kept: the width of <see cref="Transform"/>'s output.</summary>
    public int ComponentCount => _variances.Length;

    /// <summary>The mean of each input feature, subtracted before projecting.</summary>
    public ReadOnlyCollection<double> Mean { get; }

    /// <summary>The variance of the data along each kept component (the covariance's eigenvalues, divisor rows − 1), largest first.</summary>
    public ReadOnlyCollection<double> ExplainedVariance { get; }

    /// <summary>Each kept component's share of the total variance of all components.</summary>
    public ReadOnlyCollection<double> ExplainedVarianceRatio { get; }

    /// <summary>The mean of the variances of the components not kept (0 when all are kept), scikit-learn's probabilistic-PCA noise estimate.</summary>
    public double NoiseVariance { get; }

    /// <inheritdoc />
    public int FeatureCount => _mean.Length;

    /// <summary>Component <paramref name="k"/> (0 is the principal one): a unit vector of <see cref="FeatureCount"/> values.</summary>
    /// <param name="k">The component, from 0 to <see cref="ComponentCount"/> − 1.</param>
    public double[] Component(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, ComponentCount);
        return _components.AsSpan(k * FeatureCount, FeatureCount).ToArray();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Returns <see cref="ComponentCount"/> columns. Blocks of rows are centred in single precision (as numpy does for
    /// float32 data) and multiplied by the axes with the SVM's GEMM kernels, in parallel over blocks; every output is
    /// the same chain of operations whatever the thread count.
    /// </remarks>
    public FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "PCA");
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, columns = FeatureCount, count = ComponentCount;
        var output = new float[(long)rows * count];
        float[] mean = _meanSingle;
        PackedRows axes = _axes;
        ParallelRows.For(rows, (long)rows * columns * count / 64, budget, (r0, r1) =>
        {
            const int chunk = 256;
            var centred = new float[chunk * columns];
            for (int start = r0; start < r1; start += chunk)
            {
                int n = Math.Min(chunk, r1 - start);
                for (int r = 0; r < n; r++)
                {
                    TensorPrimitives.Subtract(features.Row(start + r), mean, centred.AsSpan(r * columns, columns));
                }

                DotProducts.Compute(centred.AsSpan(0, n * columns), n, columns, axes, 0, count, output.AsSpan(start * count, n * count), count);
            }
        });

        return new FeatureMatrix(output, count);
    }

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBoolean(Whiten);
        writer.WriteInt64(SamplesSeen);
        writer.WriteDouble(NoiseVariance);
        writer.WriteDoubleArray(_mean);
        writer.WriteDoubleArray(_variances);
        writer.WriteDoubleArray(_ratios);
        writer.WriteDoubleArray(_components);
    }

    /// <summary>Reads what <see cref="IPersistable.Write"/> wrote, checking that the arrays agree.</summary>
    internal static FittedPca Read(ModelReader reader)
    {
        bool whiten = reader.ReadBoolean();
        long samples = reader.ReadInt64();
        double noise = reader.ReadDouble();
        double[] mean = reader.ReadDoubleArray();
        double[] variances = reader.ReadDoubleArray();
        double[] ratios = reader.ReadDoubleArray();
        double[] components = reader.ReadDoubleArray();
        if (samples < 1 || !(noise >= 0) || !double.IsFinite(noise))
        {
            throw reader.Invalid($"the PCA was fitted on {samples} rows with noise variance {noise}");
        }

        if (mean.Length == 0 || variances.Length == 0 || ratios.Length != variances.Length
            || variances.Length > mean.Length || components.Length != (long)variances.Length * mean.Length)
        {
            throw reader.Invalid(
                $"the PCA has {mean.Length} means, {variances.Length} variances, {ratios.Length} ratios and {components.Length} component values; "
                + "they must be F > 0 means, K (1 to F) variances and ratios, and K x F component values");
        }

        if (!mean.All(double.IsFinite) || !components.All(double.IsFinite) || !variances.All(v => v >= 0 && double.IsFinite(v))
            || !ratios.All(v => v >= 0 && v <= 1))
        {
            throw reader.Invalid("the PCA holds a non-finite mean or component value, a negative variance or a ratio outside [0, 1]");
        }

        return new FittedPca(whiten, samples, mean, components, variances, ratios, noise);
    }
}
