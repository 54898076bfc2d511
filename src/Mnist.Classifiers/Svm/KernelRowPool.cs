namespace Mnist.Classifiers.Svm;

/// <summary>
/// Kernel-row buffers handed from one pair problem's <see cref="KernelRowCache"/> to the next. A one-vs-one fit solves
/// k(k − 1)/2 problems a few at a time and each fills its cache with new rows: on 10,000 MNIST rows about 20,000 rows
/// of 8 KB, 160 MB of new memory, whose page faults and zero-filling took about a sixth of the fit's time. A problem
/// that ends hands its rows back (<see cref="KernelRowCache.ReturnRows"/>) and the next one reuses them, so the fit
/// touches only the rows of the problems solved at once, which are already mapped and often still in cache.
/// </summary>
/// <remarks>
/// Every buffer is <see cref="RowLength"/> floats, the longest problem's row; a shorter problem uses the first floats of
/// each. A rented buffer's contents are whatever its last user left: the caches hand out rows that are written in full
/// before they are read. The buffers are allocated on the pinned heap, since they live through many collections (the
/// whole fit) and would otherwise be copied from generation to generation. The problems' batch buffers
/// (<see cref="RentBatch"/>) go from problem to problem the same way: new for each of the 45 problems of 10,000 MNIST rows
/// they were 16 MB of first-written pages. Thread-safe.
/// </remarks>
internal sealed class KernelRowPool
{
    private readonly Stack<float[]> _free = new();
    private readonly Stack<KernelBatchBuffers> _freeBatches = new();

    /// <param name="rowLength">The length of every buffer: at least the longest row of the problems that share the pool.</param>
    public KernelRowPool(int rowLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowLength);
        RowLength = rowLength;
    }

    /// <summary>The length of every buffer.</summary>
    public int RowLength { get; }

    /// <summary>A buffer of <see cref="RowLength"/> floats with unspecified contents.</summary>
    public float[] Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var row))
            {
                return row;
            }
        }

        return GC.AllocateUninitializedArray<float>(RowLength, pinned: true);
    }

    /// <summary>Takes back buffers that nothing reads or writes any more.</summary>
    public void Return(IEnumerable<float[]> rows)
    {
        lock (_free)
        {
            foreach (var row in rows)
            {
                _free.Push(row);
            }
        }
    }

    /// <summary>
    /// Buffers for a problem's kernel-row batches, with unspecified contents: room for <paramref name="rows"/> samples of
    /// <paramref name="columns"/> values and for their products with <see cref="RowLength"/> samples.
    /// </summary>
    public KernelBatchBuffers RentBatch(int rows, int columns)
    {
        lock (_free)
        {
            if (_freeBatches.TryPop(out var batch) && batch.Rows.Length >= rows * columns)
            {
                return batch;
            }
        }

        return new KernelBatchBuffers(
            GC.AllocateUninitializedArray<float>(rows * columns), GC.AllocateUninitializedArray<float>(checked(rows * RowLength)));
    }

    /// <summary>Takes back batch buffers that nothing reads or writes any more.</summary>
    public void ReturnBatch(KernelBatchBuffers batch)
    {
        lock (_free)
        {
            _freeBatches.Push(batch);
        }
    }
}

/// <summary>A problem's kernel-row batch buffers (<see cref="KernelRowPool.RentBatch"/>).</summary>
/// <param name="Rows">The batch's samples, row after row.</param>
/// <param name="Products">Their dot products, a row of the pool's row length per sample.</param>
internal sealed record KernelBatchBuffers(float[] Rows, float[] Products);
