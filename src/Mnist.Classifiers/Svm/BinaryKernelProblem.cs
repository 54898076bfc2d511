using System.Numerics.Tensors;
using Mnist.Classifiers.Data;

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

        _cache = new KernelRowCache(Length, cacheBytes);
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

    /// <summary>Row i of Q (full length), computing it on a cache miss; <paramref name="pinned"/> is a row the caller still holds.</summary>
    public float[] GetRow(int i, int pinned = -1)
    {
        float[]? row = _cache.TryGet(i);
        if (row is not null)
        {
            return row;
        }

        row = _cache.Allocate(i, pinned);
        ComputeRow(i, row);
        return row;
    }

    private void ComputeRow(int i, Span<float> destination)
    {
        var x = new ReadOnlySpan<float>(_samples, i * _columns, _columns);
        for (int j = 0; j < Length; j++)
        {
            destination[j] = TensorPrimitives.Dot(x, new ReadOnlySpan<float>(_samples, j * _columns, _columns));
        }

        _kernel.Apply(destination, _norms[i], _norms);
        TensorPrimitives.Multiply(destination, _signs, destination);
        if (_signs[i] < 0)
        {
            TensorPrimitives.Negate(destination, destination);
        }
    }
}
