namespace Mnist.Classifiers.Svm;

/// <summary>
/// A least-recently-used cache of whole rows of a kernel (Q) matrix, bounded by a byte budget, as LIBSVM's
/// <c>Cache</c> class (Chang &amp; Lin, LIBSVM, 2011, §5.1). Rows are kept in the problem's original sample order and
/// always at full length, so shrinking never invalidates them. Not thread-safe: one solver owns one cache. The row
/// buffers come from a <see cref="KernelRowPool"/> and go back to it when the solver is done (<see cref="ReturnRows"/>).
/// </summary>
internal sealed class KernelRowCache
{
    private readonly float[]?[] _rows;
    private readonly int[] _previous;
    private readonly int[] _next;
    private readonly KernelRowPool _pool;
    private readonly int _capacity;
    private int _count;
    private int _head = -1; // most recently used
    private int _tail = -1; // least recently used

    /// <param name="rowCount">The number of rows, and of values a row holds.</param>
    /// <param name="budgetBytes">The most bytes of row buffers the cache holds at once.</param>
    /// <param name="pool">Where the row buffers come from (rows of at least <paramref name="rowCount"/> floats); a pool of its own when null.</param>
    public KernelRowCache(int rowCount, long budgetBytes, KernelRowPool? pool = null)
    {
        _pool = pool ?? new KernelRowPool(rowCount);
        if (_pool.RowLength < rowCount)
        {
            throw new ArgumentException($"The pool's rows hold {_pool.RowLength} values, fewer than the {rowCount} of this cache's rows.", nameof(pool));
        }

        _rows = new float[]?[rowCount];
        _previous = new int[rowCount];
        _next = new int[rowCount];
        long perRow = Math.Max(1L, (long)_pool.RowLength * sizeof(float));

        // At least two rows: the solver needs Q_i and Q_j at the same time.
        _capacity = (int)Math.Clamp(budgetBytes / perRow, 2L, rowCount);
    }

    public int Capacity => _capacity;

    public long Misses { get; private set; }

    /// <summary>The cached row <paramref name="index"/> (marked most recently used), or null.</summary>
    public float[]? TryGet(int index)
    {
        float[]? row = _rows[index];
        if (row is null)
        {
            Misses++;
            return null;
        }

        MoveToFront(index);
        return row;
    }

    /// <summary>True when the row is cached; does not change the recency order.</summary>
    public bool Contains(int index) => _rows[index] is not null;

    /// <summary>
    /// A buffer for row <paramref name="index"/> (of the pool's row length, at least the row's), which the caller fills
    /// at once: its contents are unspecified until then. Evicts the least recently used
    /// row when full, except the rows <paramref name="pinnedA"/> and <paramref name="pinnedB"/> (those the caller still reads).
    /// </summary>
    public float[] Allocate(int index, int pinnedA = -1, int pinnedB = -1)
    {
        if (_rows[index] is { } existing)
        {
            MoveToFront(index);
            return existing;
        }

        float[] buffer;
        if (_count >= _capacity)
        {
            int victim = _tail;
            while (victim == pinnedA || victim == pinnedB)
            {
                victim = _previous[victim];
            }

            buffer = _rows[victim]!;
            Unlink(victim);
            _rows[victim] = null;
            _count--;
        }
        else
        {
            buffer = _pool.Rent();
        }

        _rows[index] = buffer;
        _count++;
        LinkFront(index);
        return buffer;
    }

    /// <summary>Empties the cache and hands its row buffers back to the pool; the rows it served must no longer be used.</summary>
    public void ReturnRows()
    {
        var rows = new List<float[]>(_count);
        for (int index = _head; index >= 0; index = _next[index])
        {
            rows.Add(_rows[index]!);
            _rows[index] = null;
        }

        _pool.Return(rows);
        _count = 0;
        _head = -1;
        _tail = -1;
    }

    private void MoveToFront(int index)
    {
        if (_head == index)
        {
            return;
        }

        Unlink(index);
        LinkFront(index);
    }

    private void LinkFront(int index)
    {
        _previous[index] = -1;
        _next[index] = _head;
        if (_head >= 0)
        {
            _previous[_head] = index;
        }

        _head = index;
        if (_tail < 0)
        {
            _tail = index;
        }
    }

    private void Unlink(int index)
    {
        int p = _previous[index], n = _next[index];
        if (p >= 0)
        {
            _next[p] = n;
        }
        else
        {
            _head = n;
        }

        if (n >= 0)
        {
            _previous[n] = p;
        }
        else
        {
            _tail = p;
        }
    }
}
