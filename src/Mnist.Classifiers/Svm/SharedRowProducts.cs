using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// The dot products of all the rows of one matrix, computed once, when first asked for, and read by every fit on a
/// view of its rows: a cross-validated search whose pipeline steps are fitted once
/// (<see cref="ModelSelection.CrossValidatedSearch{TLearner}.FitStepsOnce"/>) fits each fold on a view of the same
/// transformed rows, so each fold's Gram matrix and its held-out rows' products are gathered from here instead of
/// computed: for 5 folds of 10,000 rows, one product of 10,000 rows instead of five of 8,000 plus five held-out blocks.
/// </summary>
/// <remarks>
/// Every dot product is the same chain of fused multiply–adds whichever rows it is computed among
/// (<see cref="DotProducts"/>), so the gathered values are bit for bit those a fold computes itself, and a search
/// gives the same results with and without this sharing.
/// </remarks>
internal sealed class SharedRowProducts
{
    private readonly FeatureMatrix _rows;
    private readonly object _gate = new();
    private float[]? _values;

    /// <summary>
    /// Shares the products of the rows of <paramref name="rows"/> (contiguous), translated by <paramref name="background"/>
    /// (see <see cref="PackedRows.Background"/>; fits that gather from them must translate by the same).
    /// </summary>
    public SharedRowProducts(FeatureMatrix rows, float[]? background)
    {
        Background = background;
        if (!rows.IsContiguous)
        {
            throw new ArgumentException("The shared rows must be a contiguous matrix.", nameof(rows));
        }

        _rows = rows;
    }

    /// <summary>The point the rows are translated by before their products are taken, or null.</summary>
    public float[]? Background { get; }

    /// <summary>The number of rows, n: the products are n × n.</summary>
    public int Size => _rows.Rows;

    /// <summary>The bytes of the products of <paramref name="rows"/> rows.</summary>
    public static long Bytes(long rows) => rows * rows * sizeof(float);

    /// <summary>Whether <paramref name="view"/>'s rows are rows of this matrix (it, or a view of it).</summary>
    public bool Covers(FeatureMatrix view) => ReferenceEquals(view.Storage, _rows.Storage) && view.Columns == _rows.Columns;

    /// <summary>
    /// Fills <paramref name="target"/> (row-major, <paramref name="columns"/>.Length values per row) with the products of
    /// <paramref name="rowCount"/> rows, row r being row <paramref name="storageRowOf"/>(r) of the shared matrix, with the
    /// shared rows <paramref name="columns"/>; rows in parallel with <paramref name="budget"/>'s threads.
    /// </summary>
    public void Gather(int rowCount, Func<int, int> storageRowOf, int[] columns, float[] target, ComputeBudget budget)
    {
        var all = Values(budget);
        int size = Size, width = columns.Length;
        Parallel.For(0, rowCount, budget.ParallelOptions, r =>
        {
            var source = all.AsSpan(storageRowOf(r) * size, size);
            var row = target.AsSpan(r * width, width);
            for (int c = 0; c < width; c++)
            {
                row[c] = source[columns[c]];
            }
        });
    }

    /// <summary>The n × n products, row-major, computed on the first call with <paramref name="budget"/>'s threads.</summary>
    public float[] Values(ComputeBudget budget)
    {
        lock (_gate)
        {
            return _values ??= GramMatrix.Symmetric(_rows, PackedRows.Pack(_rows, Background), budget);
        }
    }
}
