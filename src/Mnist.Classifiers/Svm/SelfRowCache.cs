namespace Mnist.Classifiers.Svm;

/// <summary>
/// Kernel rows of samples against their own class, shared by every one-vs-one problem of one fit: a sample of class
/// c has the same row K(x, class c) in each of the k − 1 problems c takes part in, and on MNIST a sample whose row is
/// needed at all is needed in 2.8 problems on average. Thread-safe: problems solved at once share it.
/// </summary>
/// <remarks>
/// Rows are never reused as buffers once evicted (the slot is just cleared), so a reader that got a row keeps a
/// valid array whatever the other threads do; eviction is first-in, first-out under a byte budget. The values do not
/// depend on which problem computed them (the dot-product kernel gives the same bits for any batch), so sharing
/// keeps fits deterministic.
/// </remarks>
internal sealed class SelfRowCache
{
    private readonly float[]?[][] _rows;
    private readonly Queue<(int Class, int Position)> _order = new();
    private readonly Lock _lock = new();
    private readonly long _budgetBytes;
    private long _bytes;

    public SelfRowCache(IReadOnlyList<int> classSizes, long budgetBytes)
    {
        _rows = classSizes.Select(n => new float[]?[n]).ToArray();
        _budgetBytes = budgetBytes;
    }

    /// <summary>Rows found in the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    private long _hits;

    /// <summary>The row of sample <paramref name="position"/> of class <paramref name="classIndex"/>, or null.</summary>
    public float[]? TryGet(int classIndex, int position)
    {
        float[]? row = Volatile.Read(ref _rows[classIndex][position]);
        if (row is not null)
        {
            Interlocked.Increment(ref _hits);
        }

        return row;
    }

    /// <summary>Keeps <paramref name="row"/> (which the caller must not change afterwards), evicting the oldest rows over budget.</summary>
    public void Add(int classIndex, int position, float[] row)
    {
        long size = (long)row.Length * sizeof(float);
        if (size > _budgetBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_rows[classIndex][position] is not null)
            {
                return;
            }

            while (_bytes + size > _budgetBytes && _order.TryDequeue(out var oldest))
            {
                float[]? evicted = _rows[oldest.Class][oldest.Position];
                if (evicted is not null)
                {
                    _bytes -= (long)evicted.Length * sizeof(float);
                    Volatile.Write(ref _rows[oldest.Class][oldest.Position], null);
                }
            }

            Volatile.Write(ref _rows[classIndex][position], row);
            _order.Enqueue((classIndex, position));
            _bytes += size;
        }
    }
}
