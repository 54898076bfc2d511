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
/// Thread-safe: rows are stored under a lock, and a problem reads a row only once it stored it or <see cref="Missing"/>
/// no longer named it.
/// </para>
/// <para>
/// The class does not compute products itself: a pair problem asks which of its batch's rows are <see cref="Missing"/>
/// and computes their products with the class's packed samples in the same product as its batch's other rows against
/// that class (one pass over the packed samples instead of two; 10,000 MNIST rows, `mnist train`, AMD EPYC Zen 5:
/// 0.239 → 0.236 s on the AVX2 path, 0.205 → 0.200 s with AVX-512, medians of 10 alternated runs), then hands them to
/// <see cref="Store"/>.
/// </para>
/// </remarks>
internal sealed class ClassKernelRows
{
    private readonly PackedRows _packed;
    private readonly KernelFunction _kernel;
    private readonly bool[] _known;
    private readonly Lock _lock = new();

    /// <param name="packed">The class's samples packed (with their squared norms), in the problems' order.</param>
    /// <param name="kernel">The kernel.</param>
    public ClassKernelRows(PackedRows packed, KernelFunction kernel)
    {
        _packed = packed;
        _kernel = kernel;
        Size = packed.Rows;
        // Not cleared: a row's pages are first written when the row is made.
        Values = GC.AllocateUninitializedArray<float>(checked(Size * Size));
        _known = new bool[Size];
    }

    /// <summary>The number of samples, n.</summary>
    public int Size { get; }

    /// <summary>The n × n values, row-major; row s holds meaning only once <see cref="Store"/> made it.</summary>
    public float[] Values { get; }

    /// <summary>How many rows have been made.</summary>
    public int RowsMade { get; private set; }

    /// <summary>
    /// Writes into <paramref name="missing"/> the samples of <paramref name="samples"/> whose rows are not made yet, each
    /// once, and returns how many. A pair problem computes their dot products with the class's packed samples in the same
    /// product as its other rows against that class, then hands them to <see cref="Store"/>.
    /// </summary>
    public int Missing(ReadOnlySpan<int> samples, Span<int> missing)
    {
        lock (_lock)
        {
            int m = 0;
            foreach (int s in samples)
            {
                if (!_known[s] && missing[..m].IndexOf(s) < 0)
                {
                    missing[m++] = s;
                }
            }

            return m;
        }
    }

    /// <summary>
    /// Makes row <paramref name="sample"/> from its dot products with the class's samples (in the class's order), unless
    /// another problem made it since <see cref="Missing"/> said it was missing: the values would be the same bits, so the
    /// first one stays.
    /// </summary>
    public void Store(int sample, ReadOnlySpan<float> products)
    {
        lock (_lock)
        {
            if (_known[sample])
            {
                return;
            }

            var norms = _packed.SquaredNorms;
            _kernel.Apply(products[..Size], Values.AsSpan(sample * Size, Size), norms[sample], norms);
            _known[sample] = true;
            RowsMade++;
        }
    }
}
