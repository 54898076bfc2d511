namespace Mnist.Classifiers.Svm;

/// <summary>
/// The <see cref="Capacity"/> indices with the largest keys seen so far (unordered), leaving out the excluded ones: the
/// samples most likely to be picked for the next working sets whose kernel rows are not cached yet, worth computing in
/// the same batch as a missing one.
/// </summary>
internal sealed class TopCandidates
{
    private readonly double[] _keys;
    private readonly int[] _indices;
    private readonly Func<int, bool>? _excluded;
    private int _minimumPosition;

    /// <summary>An empty list that takes nothing: the scans skip the candidate bookkeeping with it.</summary>
    public static TopCandidates None { get; } = new(0);

    /// <param name="capacity">How many indices the list keeps.</param>
    /// <param name="excluded">
    /// Indices never taken (the solver passes the rows already cached). Asked only for keys that would enter, which
    /// after the first few offers of a scan are rare.
    /// </param>
    public TopCandidates(int capacity, Func<int, bool>? excluded = null)
    {
        _keys = new double[capacity];
        _indices = new int[capacity];
        _excluded = excluded;
    }

    public int Capacity => _keys.Length;

    public int Count { get; private set; }

    /// <summary>The key a new index must exceed to enter: −∞ until the list is full.</summary>
    public double Threshold => _keys.Length == 0 ? double.PositiveInfinity : Count < _keys.Length ? double.NegativeInfinity : _keys[_minimumPosition];

    public ReadOnlySpan<int> Indices => _indices.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Offer(double key, int index)
    {
        if (_keys.Length == 0)
        {
            return;
        }

        if ((Count == _keys.Length && key <= _keys[_minimumPosition]) || (_excluded is not null && _excluded(index)))
        {
            return;
        }

        if (Count < _keys.Length)
        {
            _keys[Count] = key;
            _indices[Count] = index;
            if (Count == 0 || key < _keys[_minimumPosition])
            {
                _minimumPosition = Count;
            }

            Count++;
            return;
        }

        _keys[_minimumPosition] = key;
        _indices[_minimumPosition] = index;
        int minimum = 0;
        for (int t = 1; t < _keys.Length; t++)
        {
            if (_keys[t] < _keys[minimum])
            {
                minimum = t;
            }
        }

        _minimumPosition = minimum;
    }
}
