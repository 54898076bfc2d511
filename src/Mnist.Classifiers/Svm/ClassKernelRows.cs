using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// The kernel matrix of one class's samples among themselves (row-major, n × n), filled a row at a time when a pair
/// problem first needs that row, and shared by the k − 1 problems the class takes part in. A pair problem's kernel
/// row is then its values against the other class, computed and cached by the problem, and its values against its
/// own class, read in place here (<see cref="KernelRow"/>).
/// </summary>
/// <remarks>
/// <para>
/// Only the rows of samples that some working set picks are ever needed: on the 60,000 MNIST training rows 14,646 of
/// them (the support vectors and a few more), a quarter. The whole matrices computed up front (as until 2026-11-26:
/// lower triangles as blocked products, a mirror, the kernel function over 1.44 GB) cost more than those rows computed
/// in the problems' batches. Rows never asked for keep their pages untouched, so they take no memory either.
/// </para>
/// <para>
/// A row is the same bits however it is made: each value is one chain of fused multiply–adds over the depths in order
/// (<see cref="DotProducts"/>), then <see cref="KernelFunction.Apply(ReadOnlySpan{float}, Span{float}, float, ReadOnlySpan{float})"/>,
/// whichever problem and thread compute it, so the models do not depend on the order the problems run in.
/// Thread-safe: rows are made under a lock, and a problem reads a row only after <see cref="Ensure"/> returned for it.
/// </para>
/// </remarks>
internal sealed class ClassKernelRows
{
    private readonly FeatureMatrix _features;
    private readonly int[] _rows;
    private readonly PackedRows _packed;
    private readonly KernelFunction _kernel;
    private readonly bool[] _known;
    private readonly Lock _lock = new();
    private float[] _batchRows = [];
    private float[] _batchProducts = [];

    /// <param name="features">The training rows.</param>
    /// <param name="rows">The class's samples: rows of <paramref name="features"/>, in the problems' order.</param>
    /// <param name="packed">The same rows packed (with their squared norms).</param>
    /// <param name="kernel">The kernel.</param>
    public ClassKernelRows(FeatureMatrix features, int[] rows, PackedRows packed, KernelFunction kernel)
    {
        _features = features;
        _rows = rows;
        _packed = packed;
        _kernel = kernel;
        Size = rows.Length;
        // Not cleared: a row's pages are first written when the row is made.
        Values = GC.AllocateUninitializedArray<float>(checked(Size * Size));
        _known = new bool[Size];
    }

    /// <summary>The number of samples, n.</summary>
    public int Size { get; }

    /// <summary>The n × n values, row-major; row s holds meaning only once <see cref="Ensure"/> has covered s.</summary>
    public float[] Values { get; }

    /// <summary>How many rows have been made.</summary>
    public int RowsMade { get; private set; }

    /// <summary>Makes the rows of the samples <paramref name="samples"/> (indices into the class) that are not made yet, in one batch.</summary>
    public void Ensure(ReadOnlySpan<int> samples)
    {
        lock (_lock)
        {
            Span<int> missing = samples.Length <= 64 ? stackalloc int[samples.Length] : new int[samples.Length];
            int m = 0;
            foreach (int s in samples)
            {
                if (!_known[s] && missing[..m].IndexOf(s) < 0)
                {
                    missing[m++] = s;
                }
            }

            if (m == 0)
            {
                return;
            }

            int columns = _features.Columns;
            if (_batchRows.Length < m * columns)
            {
                _batchRows = new float[m * columns];
                _batchProducts = new float[(long)m * Size];
            }

            for (int b = 0; b < m; b++)
            {
                _features.Row(_rows[missing[b]]).CopyTo(_batchRows.AsSpan(b * columns, columns));
            }

            DotProducts.Compute(_batchRows.AsSpan(0, m * columns), m, columns, _packed, 0, Size, _batchProducts, Size);
            var norms = _packed.SquaredNorms;
            for (int b = 0; b < m; b++)
            {
                int s = missing[b];
                _kernel.Apply(_batchProducts.AsSpan(b * Size, Size), Values.AsSpan(s * Size, Size), norms[s], norms);
                _known[s] = true;
            }

            RowsMade += m;
        }
    }
}
