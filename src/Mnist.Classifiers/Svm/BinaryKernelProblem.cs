using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Svm;

/// <summary>The samples of one side of a two-class problem, packed once for the dot-product kernel.</summary>
/// <param name="Rows">The rows of the training matrix, in the problem's order.</param>
/// <param name="Packed">Those rows packed as the B operand of <see cref="DotProducts"/> (with their squared norms).</param>
/// <param name="ClassKernel">
/// When not null, the kernel matrix of these samples among themselves, filled row by row as the problems the class
/// takes part in need them (<see cref="ClassKernelRows"/>).
/// </param>
/// <param name="Matrix">When not null, the kernel matrix of all the fit's samples, in which these samples are the rows and columns from <paramref name="Offset"/> on.</param>
/// <param name="Offset">Where these samples start in <paramref name="Matrix"/>.</param>
internal sealed record KernelSegment(int[] Rows, PackedRows Packed, ClassKernelRows? ClassKernel = null, KernelMatrix? Matrix = null, int Offset = 0)
{
    /// <summary>Packs <paramref name="rows"/> of <paramref name="features"/>, translated by <paramref name="background"/> (see <see cref="PackedRows.Background"/>).</summary>
    public static KernelSegment Create(FeatureMatrix features, int[] rows, float[]? background) =>
        new(rows, PackedRows.Pack(features.Subset(rows), background));

    /// <summary>
    /// The bytes of an n × n float kernel matrix of <paramref name="count"/> samples: a segment's class kernel, or the
    /// kernel matrix of a whole fit.
    /// </summary>
    public static long KernelMatrixBytes(long count) => count * count * sizeof(float);

    /// <summary>
    /// The segments with their class kernels, each made a row at a time as the pair problems ask (<see cref="ClassKernelRows"/>):
    /// a class's row is then computed once for its k − 1 problems, in the batches the problems compute their rows in.
    /// </summary>
    public static KernelSegment[] WithClassKernels(IReadOnlyList<KernelSegment> segments, KernelFunction kernel) =>
        segments.Select(segment => segment with { ClassKernel = new ClassKernelRows(segment.Packed, kernel) }).ToArray();
}

/// <summary>
/// A kernel matrix of all the samples of a fit, the samples grouped by class, computed once when several fits of the
/// same rows (an SVM's variants that differ only in C and γ) read it: every pair problem's kernel row is then two
/// contiguous pieces of one of its rows.
/// </summary>
/// <param name="Values">The n × n values, row-major.</param>
/// <param name="Size">n.</param>
/// <param name="Offsets">Where each class's samples start.</param>
internal sealed record KernelMatrix(float[] Values, int Size, int[] Offsets);

/// <summary>
/// The dot products of all the samples of a fit, the samples grouped by class, and the samples packed: what the
/// kernel matrices of every γ are made from.
/// </summary>
/// <param name="Values">The n × n dot products, row-major.</param>
/// <param name="Size">n.</param>
/// <param name="Offsets">Where each class's samples start.</param>
/// <param name="Rows">The training row of each sample, in the matrix's order.</param>
/// <param name="Packed">The samples packed, in the matrix's order (with their squared norms).</param>
/// <param name="Shared">When not null, the products of all rows of the matrix the training rows are a view of, which the values were gathered from.</param>
/// <param name="StorageRows">With <paramref name="Shared"/>, each sample's row in the shared matrix.</param>
internal sealed record GramMatrix(float[] Values, int Size, int[] Offsets, int[] Rows, PackedRows Packed, SharedRowProducts? Shared = null, int[]? StorageRows = null)
{
    /// <summary>How many rows of the lower triangle one work item computes (a multiple of both tile heights, 6 and 12).</summary>
    internal const int RowBlock = 240;

    /// <summary>
    /// The dot products of the samples <paramref name="members"/> (class after class). The matrix is symmetric, so
    /// only the blocks on and below the diagonal are computed (half the work of the full product) and the rest is
    /// mirrored: x_i·x_j and x_j·x_i are the same chain of fused multiply–adds of the same products, so the mirrored
    /// values are bit for bit those a full product (or the plain fit's kernel rows) computes. With
    /// <paramref name="shared"/> covering <paramref name="features"/> (a view of its rows), the values are gathered
    /// from it instead: the same chains, so the same values.
    /// </summary>
    public static GramMatrix Compute(
        FeatureMatrix features, IReadOnlyList<List<int>> members, float[]? background, ComputeBudget budget, SharedRowProducts? shared = null)
    {
        var offsets = new int[members.Count];
        for (int c = 1; c < members.Count; c++)
        {
            offsets[c] = offsets[c - 1] + members[c - 1].Count;
        }

        int[] rows = [.. members.SelectMany(m => m)];
        int n = rows.Length;
        var samples = features.Subset(rows);
        var packed = PackedRows.Pack(samples, background);
        if (shared is not null && shared.Covers(features))
        {
            var storageRows = rows.Select(features.StorageRow).ToArray();
            var gathered = ReusableMatrices.Rent(checked(n * n));
            shared.Gather(n, a => storageRows[a], storageRows, gathered, budget);
            return new GramMatrix(gathered, n, offsets, rows, packed, shared, storageRows);
        }

        return new GramMatrix(Symmetric(samples, packed, budget), n, offsets, rows, packed);
    }

    /// <summary>
    /// All dot products of the rows of <paramref name="samples"/> (contiguous or an index view; <paramref name="packed"/>
    /// the same rows packed), n × n row-major. Only the lower triangle is computed, in blocks of rows, the longest first
    /// so that the threads finish together, and mirrored: the products are symmetric bit for bit. Each block of an index
    /// view is gathered into a scratch buffer of the thread (no copy of the whole matrix).
    /// </summary>
    internal static float[] Symmetric(FeatureMatrix samples, PackedRows packed, ComputeBudget budget)
    {
        // The products fill the lower triangle and the mirror the upper one: every value is written.
        int n = samples.Rows, k = samples.Columns;
        var values = ReusableMatrices.Rent(checked(n * n));
        var blocks = new List<(int First, int End)>();
        for (int r0 = 0; r0 < n; r0 += RowBlock)
        {
            blocks.Add((r0, Math.Min(n, r0 + RowBlock)));
        }

        // A block of rows [r0, r1) costs (r1 − r0) · r1 products: handed out one at a time, the most costly first.
        var ordered = Partitioner.Create(blocks.OrderByDescending(block => (long)(block.End - block.First) * block.End), EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(ordered, budget.ParallelOptions, () => new float[RowBlock * k], (block, _, scratch) =>
        {
            var (r0, r1) = block;
            ReadOnlySpan<float> rows;
            if (samples.IsContiguous)
            {
                rows = samples.AsSpan().Slice(r0 * k, (r1 - r0) * k);
            }
            else
            {
                for (int r = r0; r < r1; r++)
                {
                    samples.Row(r).CopyTo(scratch.AsSpan((r - r0) * k, k));
                }

                rows = scratch.AsSpan(0, (r1 - r0) * k);
            }

            DotProducts.Compute(rows, r1 - r0, k, packed, 0, r1, values.AsSpan(r0 * n), n);
            return scratch;
        }, _ => { });
        // Each block of rows [j0, j1) of the lower triangle is also the block of columns the mirror copies up.
        Parallel.For(0, blocks.Count, budget.ParallelOptions, item => MirrorBlockColumn(values, n, blocks[item].First, blocks[item].End));
        return values;
    }

    /// <summary>
    /// The kernel matrix of <paramref name="kernel"/>, row by row in parallel as the plain fit turns dot products into
    /// kernel values; in the Gram matrix's own storage when <paramref name="inPlace"/> (it is then no longer a Gram matrix).
    /// </summary>
    public KernelMatrix ToKernel(KernelFunction kernel, bool inPlace, ComputeBudget budget)
    {
        // Every value is written below: no need to clear a new array first.
        float[] values = inPlace ? Values : ReusableMatrices.Rent(checked(Size * Size));
        int n = Size;
        Parallel.For(0, n, budget.ParallelOptions, i =>
            kernel.Apply(Values.AsSpan(i * n, n), values.AsSpan(i * n, n), Packed.SquaredNorms[i], Packed.SquaredNorms));
        return new KernelMatrix(values, n, Offsets);
    }

    /// <summary>The dot products of <paramref name="rows"/> with every sample, for the kernels of every γ (<see cref="HeldOutProducts"/>).</summary>
    public HeldOutProducts ProductsWith(FeatureMatrix rows, ComputeBudget budget)
    {
        // Not recycled (ReusableMatrices) as the Gram matrix is: the models of the last γ keep these values as their
        // held-out kernel, made in place.
        var values = GC.AllocateUninitializedArray<float>(checked(rows.Rows * Size));
        if (Shared is not null && Shared.Covers(rows))
        {
            // Gathered from the shared products: the same chains of fused multiply–adds, so the same values.
            Shared.Gather(rows.Rows, rows.StorageRow, StorageRows!, values, budget);
        }
        else
        {
            var a = rows.IsContiguous ? rows : rows.ToContiguous();
            int k = a.Columns, blocks = (a.Rows + RowBlock - 1) / RowBlock;
            Parallel.For(0, blocks, budget.ParallelOptions, b =>
            {
                int r0 = b * RowBlock, r1 = Math.Min(a.Rows, r0 + RowBlock);
                DotProducts.Compute(a.AsSpan().Slice(r0 * k, (r1 - r0) * k), r1 - r0, k, Packed, 0, Size, values.AsSpan(r0 * Size), Size);
            });
        }

        var columnOf = new int[Rows.Max() + 1];
        for (int p = 0; p < Rows.Length; p++)
        {
            columnOf[Rows[p]] = p;
        }

        var norms = new float[rows.Rows];
        for (int r = 0; r < rows.Rows; r++)
        {
            norms[r] = Packed.SquaredNormOf(rows.Row(r));
        }

        return new HeldOutProducts(rows, values, columnOf, norms, Packed);
    }

    /// <summary>
    /// Copies the lower triangle's columns [j0, j1) into the upper triangle's rows [j0, j1), in tiles that stay in cache:
    /// 8 × 8 blocks wholly below the diagonal as register transposes (AVX), the rest element by element. The element
    /// loop alone took 0.42 s of the 1.7 s a 60,000-row fit spent on the classes' own kernels when it made them whole
    /// (AVX2 path, Intel Xeon).
    /// </summary>
    internal static void MirrorBlockColumn(float[] values, int n, int j0, int j1)
    {
        const int Tile = 64;
        for (int i0 = j0; i0 < n; i0 += Tile)
        {
            int i1 = Math.Min(n, i0 + Tile);
            int j = j0;
            if (Avx.IsSupported)
            {
                for (; j + 8 <= j1; j += 8)
                {
                    // Rows i ≥ j + 8 are below the diagonal for all eight columns; the rows above that are copied one by one.
                    int blocksStart = Math.Max(i0, j + 8), i = blocksStart;
                    for (; i + 8 <= i1; i += 8)
                    {
                        Transpose8(values, n, i, j);
                    }

                    for (int column = j; column < j + 8; column++)
                    {
                        CopyColumnUp(values, n, column, Math.Max(i0, column + 1), Math.Min(blocksStart, i1));
                        CopyColumnUp(values, n, column, i, i1);
                    }
                }
            }

            for (; j < j1; j++)
            {
                CopyColumnUp(values, n, j, Math.Max(i0, j + 1), i1);
            }
        }
    }

    /// <summary>values[column, i] = values[i, column] for i in [first, end).</summary>
    private static void CopyColumnUp(float[] values, int n, int column, int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            values[(long)column * n + i] = values[(long)i * n + column];
        }
    }

    /// <summary>The 8 × 8 block at rows [i, i + 8), columns [j, j + 8) copied transposed to rows [j, j + 8), columns [i, i + 8).</summary>
    private static unsafe void Transpose8(float[] values, int n, int i, int j)
    {
        fixed (float* v = values)
        {
            float* source = v + ((long)i * n) + j;
            var r0 = Avx.LoadVector256(source);
            var r1 = Avx.LoadVector256(source + n);
            var r2 = Avx.LoadVector256(source + (2L * n));
            var r3 = Avx.LoadVector256(source + (3L * n));
            var r4 = Avx.LoadVector256(source + (4L * n));
            var r5 = Avx.LoadVector256(source + (5L * n));
            var r6 = Avx.LoadVector256(source + (6L * n));
            var r7 = Avx.LoadVector256(source + (7L * n));
            Transpose.Block8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            float* target = v + ((long)j * n) + i;
            Avx.Store(target, r0);
            Avx.Store(target + n, r1);
            Avx.Store(target + (2L * n), r2);
            Avx.Store(target + (3L * n), r3);
            Avx.Store(target + (4L * n), r4);
            Avx.Store(target + (5L * n), r5);
            Avx.Store(target + (6L * n), r6);
            Avx.Store(target + (7L * n), r7);
        }
    }
}

/// <summary>
/// The dot products of rows that every variant's model will be asked to predict (a search's held-out fold) with all
/// the samples of the fit, computed once: each model's prediction of them then only gathers its support vectors'
/// columns instead of computing its own product.
/// </summary>
/// <param name="Rows">The rows, the very matrix the models will be given.</param>
/// <param name="Values">Their dot products with the samples, one row of n per row, in the Gram matrix's sample order.</param>
/// <param name="ColumnOf">For each training row, its column in <paramref name="Values"/>.</param>
/// <param name="RowNorms">The squared norm of each row, computed as a model's prediction computes it.</param>
/// <param name="Samples">The samples packed (their squared norms are the column norms).</param>
internal sealed record HeldOutProducts(FeatureMatrix Rows, float[] Values, int[] ColumnOf, float[] RowNorms, PackedRows Samples)
{
    /// <summary>The bytes of the dot products of <paramref name="rows"/> rows with <paramref name="samples"/> samples.</summary>
    public static long Bytes(long rows, long samples) => rows * samples * sizeof(float);

    /// <summary>
    /// The kernel values of <paramref name="kernel"/>, made as a model's prediction makes them (the same element-wise
    /// operations on the same dot products and norms, so the same values); in place when <paramref name="inPlace"/>.
    /// </summary>
    public HeldOutKernel ToKernel(KernelFunction kernel, bool inPlace, ComputeBudget budget)
    {
        float[] values = inPlace ? Values : GC.AllocateUninitializedArray<float>(Values.Length);
        int n = Samples.Rows;
        Parallel.For(0, Rows.Rows, budget.ParallelOptions, r =>
            kernel.Apply(Values.AsSpan(r * n, n), values.AsSpan(r * n, n), RowNorms[r], Samples.SquaredNorms));
        return new HeldOutKernel(Rows, values, n, ColumnOf);
    }
}

/// <summary>The kernel values of held-out rows against all the samples of a fit (see <see cref="HeldOutProducts"/>).</summary>
/// <param name="Rows">The rows, the very matrix the models will be given.</param>
/// <param name="Values">Row-major, <paramref name="Columns"/> values per row.</param>
/// <param name="Columns">The number of samples.</param>
/// <param name="ColumnOf">For each training row, its column in <paramref name="Values"/>.</param>
internal sealed record HeldOutKernel(FeatureMatrix Rows, float[] Values, int Columns, int[] ColumnOf);

/// <summary>
/// The kernel matrix K of a two-class C-SVC problem, served row by row from a <see cref="KernelRowCache"/>:
/// the +1 samples first, then the −1 samples. Each class's samples are packed once per fit and shared by every
/// one-vs-one problem of that class, so a kernel row is two dense float32 blocked products (SIMD) instead of
/// LIBSVM's sparse double loops over a private copy.
/// </summary>
internal sealed class BinaryKernelProblem
{
    /// <summary>The most bytes of packed samples a kernel batch reads for <see cref="PrefetchWidth"/> to take its narrower value.</summary>
    private const long CacheResidentPassBytes = 8L << 20;

    private readonly FeatureMatrix _features;
    private readonly KernelSegment _positive;
    private readonly KernelSegment _negative;
    private readonly float[] _norms;
    private readonly KernelFunction _kernel;
    private readonly KernelRowCache _cache;
    private readonly double[] _diagonal;
    private readonly int _columns;
    private readonly bool[] _prefetchedUnused;
    private readonly KernelRowPool _pool;
    private KernelBatchBuffers? _batch;

    /// <param name="features">The training rows.</param>
    /// <param name="positive">The +1 samples.</param>
    /// <param name="negative">The −1 samples.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="cacheBytes">The most bytes of kernel rows cached at once.</param>
    /// <param name="rowPool">Where the cached rows' buffers come from (see <see cref="ReturnRows"/>); a pool of the problem's own when null.</param>
    public BinaryKernelProblem(
        FeatureMatrix features, KernelSegment positive, KernelSegment negative, KernelFunction kernel, long cacheBytes, KernelRowPool? rowPool = null)
    {
        _features = features;
        _positive = positive;
        _negative = negative;
        _kernel = kernel;
        _columns = features.Columns;
        int positives = positive.Rows.Length;
        Length = positives + negative.Rows.Length;
        _norms = new float[Length];
        positive.Packed.SquaredNorms.CopyTo(_norms);
        negative.Packed.SquaredNorms.CopyTo(_norms.AsSpan(positives));
        _diagonal = new double[Length];
        Labels = new sbyte[Length];
        for (int i = 0; i < Length; i++)
        {
            Labels[i] = i < positives ? (sbyte)1 : (sbyte)-1;
            _diagonal[i] = kernel.Self(_norms[i]);
        }

        _pool = rowPool ?? new KernelRowPool(Length);
        _cache = new KernelRowCache(Length, cacheBytes, _pool);
        _prefetchedUnused = new bool[Length];

        // A batch reads the packed samples it is multiplied with once, whatever its size: the other class's when the
        // classes' own kernels are kept (the rows' own-class values are mostly made already), else both classes'. While
        // those fit in a cache a pass costs little, and 8 rows a batch waste fewer rows computed ahead of need; beyond,
        // they stream from memory and 16 rows share each pass. Measured (docs/benchmarks-log.md, fifteenth session): 10,000
        // MNIST rows (3 MB a pass) 8 rows 4% faster than 16; 60,000 (19 MB) the same; the 350,000-row set on 100 PCA
        // components (28 MB) 16 rows 20% faster than 8.
        long samplesPerPass = ClassKernelsKept ? Math.Max(positives, negative.Rows.Length) : Length;
        PrefetchWidth = samplesPerPass * _columns * sizeof(float) <= CacheResidentPassBytes ? 8 : 16;
    }

    /// <summary>A problem over <paramref name="rows"/>, packing them itself (used by the probability cross-validation).</summary>
    public static BinaryKernelProblem FromRows(
        FeatureMatrix features, ReadOnlySpan<int> rows, ReadOnlySpan<bool> positive, KernelFunction kernel, float[]? background, long cacheBytes,
        KernelRowPool? rowPool = null)
    {
        var positives = new List<int>();
        var negatives = new List<int>();
        for (int i = 0; i < rows.Length; i++)
        {
            (positive[i] ? positives : negatives).Add(rows[i]);
        }

        return new BinaryKernelProblem(
            features, KernelSegment.Create(features, [.. positives], background), KernelSegment.Create(features, [.. negatives], background), kernel, cacheBytes,
            rowPool);
    }

    /// <summary>The number of samples, l.</summary>
    public int Length { get; }

    /// <summary>y_i ∈ {+1, −1}.</summary>
    public sbyte[] Labels { get; }

    /// <summary>The row of the training matrix of sample <paramref name="i"/>.</summary>
    public int TrainingRow(int i) => i < _positive.Rows.Length ? _positive.Rows[i] : _negative.Rows[i - _positive.Rows.Length];

    /// <summary>K_ii.</summary>
    public ReadOnlySpan<double> Diagonal => _diagonal;

    /// <summary>Kernel rows that had to be computed on demand (cache misses).</summary>
    public long CacheMisses => _cache.Misses;

    /// <summary>How many rows one kernel batch computes at most (the missing row and likely next ones): 8 or 16, by the bytes a batch reads.</summary>
    public int PrefetchWidth { get; }

    /// <summary>Rows computed ahead of need that the solver later used.</summary>
    public long PrefetchedUsed { get; private set; }

    /// <summary>Rows computed ahead of need.</summary>
    public long Prefetched { get; private set; }

    /// <summary>
    /// Row i of K. On a cache miss the row is computed in one batch with the missing rows of
    /// <paramref name="candidates"/>, the samples the solver expects to pick soon: a block of rows is a matrix
    /// product that runs near the processor's peak, where one row alone is bound by memory bandwidth
    /// (the batching idea of ThunderSVM, Wen et al. 2018, kept here inside LIBSVM's own sequence of working sets).
    /// <paramref name="pinned"/> is a row the caller still holds.
    /// </summary>
    public KernelRow GetRow(int i, ReadOnlySpan<int> candidates, int pinned = -1)
    {
        if (WholeFitMatrix is { } matrix)
        {
            // Read in place from the fit's kernel matrix: a sample's values against the +1 samples, then against the
            // −1 samples, each a contiguous piece of its row there. Nothing is computed, copied or cached.
            int positives = _positive.Rows.Length;
            int start = (i < positives ? _positive.Offset + i : _negative.Offset + i - positives) * matrix.Size;
            return new KernelRow(matrix.Values, start + _positive.Offset, matrix.Values, start + _negative.Offset, positives);
        }

        float[]? row = _cache.TryGet(i);
        if (row is not null)
        {
            if (_prefetchedUnused[i])
            {
                _prefetchedUnused[i] = false;
                PrefetchedUsed++;
            }

            return RowOf(i, row);
        }

        Span<int> batch = stackalloc int[PrefetchWidth];
        int count = 0;
        // A problem's k-th batch (from 0), its (k + 1)-th cache miss, takes at most k + 1 rows, up to PrefetchWidth. At the
        // start every α is 0 and every gradient −1, so the candidates are ties in index order and forecast the next working
        // sets badly: counted over a 10,000-row MNIST fit with 16 rows from the first batch on, 18% of the rows computed
        // ahead in each problem's first batch were used later, 40–58% in the next six, 85% in the rest. Growing the
        // batches computed 18,075 rows instead of 19,622 (60,000 rows: 56,038 instead of 58,141) for the same solver steps;
        // with candidates whose rows are not cached yet and 8 rows a batch, 18,240 instead of 18,844 (10,000 rows).
        int room = (int)Math.Min(Math.Min(PrefetchWidth, CacheMisses), _cache.Capacity - 2);
        foreach (int c in candidates)
        {
            if (count >= room - 1)
            {
                break;
            }

            if (c != i && !_cache.Contains(c) && batch[..count].IndexOf(c) < 0)
            {
                batch[count++] = c;
            }
        }

        Prefetched += count;
        batch[count++] = i; // last, so that it is the most recently used
        var rows = new float[count][];
        for (int b = 0; b < count; b++)
        {
            rows[b] = _cache.Allocate(batch[b], pinned, i);
            _prefetchedUnused[batch[b]] = b < count - 1;
        }

        ComputeRows(batch[..count], rows);
        return RowOf(i, rows[count - 1]);
    }

    /// <summary>
    /// Row <paramref name="i"/> from its cached values: the whole row, or with the classes' own kernels only its values
    /// against the other class (first), the rest read in place from its own class's kernel.
    /// </summary>
    private KernelRow RowOf(int i, float[] cached)
    {
        int positives = _positive.Rows.Length;
        if (!ClassKernelsKept)
        {
            return KernelRow.Whole(cached, positives);
        }

        return i < positives
            ? new KernelRow(_positive.ClassKernel!.Values, i * positives, cached, 0, positives)
            : new KernelRow(cached, 0, _negative.ClassKernel!.Values, (i - positives) * (Length - positives), positives);
    }

    /// <summary>Whether both classes' own kernels are kept (and not a kernel matrix of the whole fit).</summary>
    private bool ClassKernelsKept => _positive.ClassKernel is not null && _negative.ClassKernel is not null && WholeFitMatrix is null;

    /// <summary>
    /// Hands the cached rows' buffers back to the row pool for the next problem (see <see cref="KernelRowPool"/>); call it
    /// when the solver is done. The rows served before must no longer be used.
    /// </summary>
    public void ReturnRows()
    {
        _cache.ReturnRows();
        if (_batch is not null)
        {
            _pool.ReturnBatch(_batch);
            _batch = null;
        }
    }

    /// <summary>Whether row <paramref name="i"/> is in the cache.</summary>
    public bool IsCached(int i) => _cache.Contains(i);

    /// <summary>
    /// Whether a missing row is computed in a batch with likely next ones (see <see cref="GetRow(int, ReadOnlySpan{int}, int)"/>);
    /// not when rows are read from the fit's kernel matrix, so the solver need not collect candidates then.
    /// </summary>
    public bool Prefetches => WholeFitMatrix is null;

    /// <summary>The fit's kernel matrix when both classes' rows are in it (rows are then read in place).</summary>
    private KernelMatrix? WholeFitMatrix => _positive.Matrix is { } matrix && ReferenceEquals(matrix, _negative.Matrix) ? matrix : null;

    /// <summary>Row i of K without prefetching.</summary>
    public KernelRow GetRow(int i, int pinned = -1) => GetRow(i, ReadOnlySpan<int>.Empty, pinned);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeRows(ReadOnlySpan<int> indices, float[][] destinations)
    {
        // With the classes' own kernels a batch's product may also take each row's own-class row: up to twice the rows.
        _batch ??= _pool.RentBatch((ClassKernelsKept ? 2 : 1) * PrefetchWidth, _columns);
        if (ClassKernelsKept)
        {
            ComputeRowsWithClassKernels(indices, destinations);
            return;
        }

        int m = indices.Length, positives = _positive.Rows.Length;
        for (int b = 0; b < m; b++)
        {
            CopyBatchRow(b, TrainingRow(indices[b]));
        }

        // One blocked product per side for the whole batch: m rows against every sample of the problem.
        var a = _batch.Rows.AsSpan(0, m * _columns);
        DotProducts.Compute(a, m, _columns, _positive.Packed, 0, positives, _batch.Products, Length);
        DotProducts.Compute(a, m, _columns, _negative.Packed, 0, Length - positives, _batch.Products.AsSpan(positives), Length);
        for (int b = 0; b < m; b++)
        {
            // Straight from the products into the row: the same operations as in place, without copying them first.
            _kernel.Apply(_batch.Products.AsSpan(b * Length, Length), destinations[b].AsSpan(0, Length), _norms[indices[b]], _norms);
        }
    }

    private void CopyBatchRow(int slot, int trainingRow) => _features.Row(trainingRow).CopyTo(_batch!.Rows.AsSpan(slot * _columns, _columns));

    /// <summary>
    /// Rows when both classes' own kernels are kept: only a sample's kernel values against the other class are computed
    /// and cached here; those against its own class are made in its class's kernel if no problem made them before
    /// (<see cref="ClassKernelRows.Missing"/>, in the same products), and <see cref="RowOf"/> reads them there in place.
    /// </summary>
    private void ComputeRowsWithClassKernels(ReadOnlySpan<int> indices, float[][] destinations)
    {
        int positives = _positive.Rows.Length, negatives = Length - positives;
        Span<int> order = stackalloc int[indices.Length];
        int firstNegative = 0;
        foreach (int i in indices)
        {
            if (i < positives)
            {
                order[firstNegative++] = i;
            }
        }

        int count = firstNegative;
        foreach (int i in indices)
        {
            if (i >= positives)
            {
                order[count++] = i;
            }
        }

        // The rows' values against their own classes, made once for all the classes' problems: those not made yet are
        // computed in the same product as the batch's rows against that class (one pass over its packed samples).
        Span<int> negativeSamples = stackalloc int[count - firstNegative];
        for (int b = firstNegative; b < count; b++)
        {
            negativeSamples[b - firstNegative] = order[b] - positives;
        }

        Span<int> positiveOwn = stackalloc int[firstNegative];
        Span<int> negativeOwn = stackalloc int[count - firstNegative];
        int positiveOwnCount = _positive.ClassKernel!.Missing(order[..firstNegative], positiveOwn);
        int negativeOwnCount = _negative.ClassKernel!.Missing(negativeSamples, negativeOwn);

        // Against the −1 samples: the +1 rows, then the −1 samples whose own rows are missing. Against the +1 samples:
        // the −1 rows, then the +1 samples whose own rows are missing.
        int againstNegatives = firstNegative + negativeOwnCount;
        int againstPositives = count - firstNegative + positiveOwnCount;
        var batch = _batch!;
        int r = 0;
        for (int b = 0; b < firstNegative; b++)
        {
            CopyBatchRow(r++, TrainingRow(order[b]));
        }

        foreach (int s in negativeOwn[..negativeOwnCount])
        {
            CopyBatchRow(r++, _negative.Rows[s]);
        }

        for (int b = firstNegative; b < count; b++)
        {
            CopyBatchRow(r++, TrainingRow(order[b]));
        }

        foreach (int s in positiveOwn[..positiveOwnCount])
        {
            CopyBatchRow(r++, _positive.Rows[s]);
        }

        if (againstNegatives > 0)
        {
            DotProducts.Compute(batch.Rows.AsSpan(0, againstNegatives * _columns), againstNegatives, _columns, _negative.Packed, 0, negatives, batch.Products, Length);
        }

        if (againstPositives > 0)
        {
            DotProducts.Compute(batch.Rows.AsSpan(againstNegatives * _columns, againstPositives * _columns), againstPositives, _columns, _positive.Packed, 0, positives,
                batch.Products.AsSpan(againstNegatives * Length), Length);
        }

        for (int b = 0; b < negativeOwnCount; b++)
        {
            _negative.ClassKernel!.Store(negativeOwn[b], batch.Products.AsSpan((firstNegative + b) * Length, negatives));
        }

        for (int b = 0; b < positiveOwnCount; b++)
        {
            _positive.ClassKernel!.Store(positiveOwn[b], batch.Products.AsSpan((againstNegatives + count - firstNegative + b) * Length, positives));
        }

        for (int b = 0; b < count; b++)
        {
            int i = order[b];
            var destination = destinations[indices.IndexOf(i)];
            var products = batch.Products.AsSpan((b < firstNegative ? b : againstNegatives + b - firstNegative) * Length);
            if (i < positives)
            {
                _kernel.Apply(products[..negatives], destination.AsSpan(0, negatives), _norms[i], _norms.AsSpan(positives));
            }
            else
            {
                _kernel.Apply(products[..positives], destination.AsSpan(0, positives), _norms[i], _norms.AsSpan(0, positives));
            }
        }
    }
}
