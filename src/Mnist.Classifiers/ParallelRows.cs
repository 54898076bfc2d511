using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>Writes one output row from one input row of the same width.</summary>
internal delegate void RowMap(ReadOnlySpan<float> source, Span<float> destination);

/// <summary>
/// Splits work over rows or columns into contiguous blocks and runs them in parallel, within a
/// <see cref="ComputeBudget"/>, when the matrix is big enough for threads to pay. Callers keep results independent
/// of the thread count: a block either writes only its own rows or columns, or merges an order-free result
/// (a minimum, a maximum).
/// </summary>
internal static class ParallelRows
{
    /// <summary>Below this many values a single thread is faster than scheduling tasks.</summary>
    public const long ParallelThreshold = 1 << 17;

    /// <summary>Runs <paramref name="body"/> on blocks [start, end) covering [0, <paramref name="count"/>).</summary>
    /// <param name="count">The number of rows (or columns) to split.</param>
    /// <param name="totalValues">The size of the work in values, to decide whether threads pay.</param>
    /// <param name="budget">The most threads to use.</param>
    /// <param name="body">Called with the start and the (exclusive) end of each block.</param>
    public static void For(int count, long totalValues, ComputeBudget budget, Action<int, int> body)
    {
        int workers = budget.MaxDegreeOfParallelism;
        if (totalValues < ParallelThreshold || workers == 1 || count < 2)
        {
            body(0, count);
            return;
        }

        // A few blocks per worker balances uneven progress without much scheduling overhead.
        int blocks = Math.Min(count, workers * 4);
        Parallel.For(0, blocks, budget.ParallelOptions, b =>
        {
            int start = (int)((long)count * b / blocks);
            int end = (int)((long)count * (b + 1) / blocks);
            body(start, end);
        });
    }

    /// <summary>
    /// A new matrix of the shape of <paramref name="features"/> whose row i is <c>map(features.Row(i))</c>, blocks of
    /// rows in parallel when the matrix is big enough. Each block asks <paramref name="mapForBlock"/> for its own
    /// <see cref="RowMap"/>, so a map may keep scratch buffers without sharing them between threads. With
    /// <paramref name="inPlace"/> the rows are written over their source (<see cref="IInPlaceTransform"/>): the map then
    /// gets the same row as source and destination, which suits a map that reads each value before writing its place.
    /// </summary>
    public static FeatureMatrix MapRows(FeatureMatrix features, ComputeBudget budget, Func<RowMap> mapForBlock, bool inPlace = false)
    {
        int rows = features.Rows, columns = features.Columns;
        if (inPlace && !features.IsContiguous)
        {
            throw new ArgumentException("Only a contiguous matrix can be transformed in place.", nameof(features));
        }

        // Every map writes its whole destination row, so the array need not be cleared first: its pages are then first
        // touched by the threads that fill them, in parallel, instead of by one thread clearing them.
        var output = inPlace ? features.Storage : GC.AllocateUninitializedArray<float>(checked(rows * columns));
        For(rows, (long)rows * columns, budget, (r0, r1) =>
        {
            RowMap map = mapForBlock();
            for (int i = r0; i < r1; i++)
            {
                map(features.Row(i), output.AsSpan(i * columns, columns));
            }
        });

        return new FeatureMatrix(output, columns);
    }
}
