using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Kernels;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// The matrix Q of a two-class C-SVC dual, Q_ij = y_i y_j K(x_i, x_j), served row by row from a
/// <see cref="KernelRowCache"/>. The problem's samples are gathered once into a contiguous block so that
/// kernel rows are dense float32 dot products (SIMD) instead of LIBSVM's sparse double loops.
/// </summary>
internal sealed class BinaryKernelProblem
{
    private readonly float[] _samples;
    private readonly float[] _norms;
    private readonly float[] _signs;
    private readonly KernelFunction _kernel;
    private readonly KernelRowCache _cache;
    private readonly double[] _diagonal;
    private readonly int _columns;
    private readonly bool[] _prefetchedUnused;
    private readonly PackedRows _packed;
    private readonly float[] _batchRows;
    private readonly float[] _batchProducts;

    /// <param name="features">The whole training matrix.</param>
    /// <param name="rows">The rows of <paramref name="features"/> in this problem.</param>
    /// <param name="positive">For each of <paramref name="rows"/>, whether it is in the +1 class.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="cacheBytes">The kernel cache's budget.</param>
    public BinaryKernelProblem(FeatureMatrix features, ReadOnlySpan<int> rows, ReadOnlySpan<bool> positive, KernelFunction kernel, long cacheBytes)
    {
        Length = rows.Length;
        _columns = features.Columns;
        _kernel = kernel;
        _samples = new float[(long)Length * _columns];
        _norms = new float[Length];
        _signs = new float[Length];
        _diagonal = new double[Length];
        Labels = new sbyte[Length];
        for (int i = 0; i < Length; i++)
        {
            var source = features.Row(rows[i]);
            var target = _samples.AsSpan(i * _columns, _columns);
            source.CopyTo(target);
            _norms[i] = TensorPrimitives.Dot(target, target);
            _signs[i] = positive[i] ? 1f : -1f;
            Labels[i] = positive[i] ? (sbyte)1 : (sbyte)-1;
            _diagonal[i] = kernel.Self(_norms[i]);
        }

        _packed = PackedRows.Pack(_samples, Length, _columns);
        _batchRows = new float[PrefetchWidth * _columns];
        _batchProducts = new float[(long)PrefetchWidth * Length];
        _cache = new KernelRowCache(Length, cacheBytes);
        _prefetchedUnused = new bool[Length];
    }

    /// <summary>The number of samples, l.</summary>
    public int Length { get; }

    /// <summary>y_i ∈ {+1, −1}.</summary>
    public sbyte[] Labels { get; }

    /// <summary>Q_ii = K(x_i, x_i).</summary>
    public ReadOnlySpan<double> Diagonal => _diagonal;

    /// <summary>Kernel rows served from the cache.</summary>
    public long CacheHits => _cache.Hits;

    /// <summary>Kernel rows that had to be computed.</summary>
    public long CacheMisses => _cache.Misses;

    /// <summary>How many rows one kernel batch computes at most (the missing row and likely next ones).</summary>
    public int PrefetchWidth { get; } = 16;

    /// <summary>Rows computed ahead of need that the solver later used.</summary>
    public long PrefetchedUsed { get; private set; }

    /// <summary>Rows computed ahead of need.</summary>
    public long Prefetched { get; private set; }

    /// <summary>
    /// Row i of Q (full length). On a cache miss the row is computed in one batch with the missing rows of
    /// <paramref name="candidates"/>, the samples the solver expects to pick soon: a block of rows is a matrix
    /// product that runs near the processor's peak, where one row alone is bound by memory bandwidth
    /// (the batching idea of ThunderSVM, Wen et al. 2018, kept here inside LIBSVM's own sequence of working sets).
    /// <paramref name="pinned"/> is a row the caller still holds.
    /// </summary>
    public float[] GetRow(int i, ReadOnlySpan<int> candidates, int pinned = -1)
    {
        float[]? row = _cache.TryGet(i);
        if (row is not null)
        {
            if (_prefetchedUnused[i])
            {
                _prefetchedUnused[i] = false;
                PrefetchedUsed++;
            }

            return row;
        }

        Span<int> batch = stackalloc int[PrefetchWidth];
        int count = 0;
        int room = Math.Min(PrefetchWidth, _cache.Capacity - 2);
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
        return rows[count - 1];
    }

    /// <summary>Row i of Q without prefetching.</summary>
    public float[] GetRow(int i, int pinned = -1) => GetRow(i, ReadOnlySpan<int>.Empty, pinned);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeRows(ReadOnlySpan<int> indices, float[][] destinations)
    {
        int m = indices.Length;
        for (int b = 0; b < m; b++)
        {
            new ReadOnlySpan<float>(_samples, indices[b] * _columns, _columns).CopyTo(_batchRows.AsSpan(b * _columns, _columns));
        }

        // One blocked product for the whole batch: m rows against every sample of the problem.
        DotProducts.Compute(_batchRows.AsSpan(0, m * _columns), m, _columns, _packed, 0, Length, _batchProducts, Length);
        for (int b = 0; b < m; b++)
        {
            int i = indices[b];
            var destination = destinations[b].AsSpan(0, Length);
            _batchProducts.AsSpan(b * Length, Length).CopyTo(destination);
            _kernel.Apply(destination, _norms[i], _norms);
            TensorPrimitives.Multiply(destination, _signs, destination);
            if (_signs[i] < 0)
            {
                TensorPrimitives.Negate(destination, destination);
            }
        }
    }
}
