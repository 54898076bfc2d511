using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Data;

/// <summary>
/// The one feature type of the library: a table of <see cref="float"/> values stored contiguously in
/// row-major order, optionally seen through a list of row indices so that cross-validation folds and
/// other subsets cost an <see cref="int"/> array instead of a copy of the features.
/// </summary>
/// <remarks>
/// Instances are immutable once built: the storage is never written after construction, so a matrix can be
/// shared between threads and between fitted models freely.
/// </remarks>
public sealed class FeatureMatrix
{
    private readonly float[] _storage;
    private readonly int[]? _rowIndex;

    /// <summary>Wraps <paramref name="storage"/> (row-major, <paramref name="columns"/> values a row) without copying it.</summary>
    /// <param name="storage">The values; its length must be a multiple of <paramref name="columns"/>. The caller must not change it afterwards.</param>
    /// <param name="columns">The number of features per row, at least 1.</param>
    /// <exception cref="ArgumentException">The storage length is not a multiple of the column count.</exception>
    public FeatureMatrix(float[] storage, int columns)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (storage.Length % columns != 0)
        {
            throw new ArgumentException(
                $"The storage holds {storage.Length} values, which is not a whole number of rows of {columns} columns.",
                nameof(storage));
        }

        _storage = storage;
        Columns = columns;
        Rows = storage.Length / columns;
    }

    private FeatureMatrix(float[] storage, int columns, int[] rowIndex)
    {
        _storage = storage;
        Columns = columns;
        _rowIndex = rowIndex;
        Rows = rowIndex.Length;
    }

    /// <summary>The number of rows (samples).</summary>
    public int Rows { get; }

    /// <summary>The number of columns (features).</summary>
    public int Columns { get; }

    /// <summary>True when the rows are the storage itself, in order, with no index in between.</summary>
    public bool IsContiguous => _rowIndex is null;

    /// <summary>The features of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> Row(int row)
    {
        if ((uint)row >= (uint)Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The matrix has {Rows} rows.");
        }

        int physical = _rowIndex is null ? row : _rowIndex[row];
        return new ReadOnlySpan<float>(_storage, physical * Columns, Columns);
    }

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public float this[int row, int column] => Row(row)[column];

    /// <summary>
    /// The whole storage as one span when the matrix is contiguous (<see cref="IsContiguous"/>);
    /// otherwise throws, so that callers that need a dense block call <see cref="ToContiguous"/> first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The matrix is an index view.</exception>
    public ReadOnlySpan<float> AsSpan()
    {
        if (_rowIndex is not null)
        {
            throw new InvalidOperationException("This matrix is a view through a row index; call ToContiguous() first.");
        }

        return _storage;
    }

    /// <summary>
    /// A view of the rows listed in <paramref name="rows"/> (in that order, repeats allowed) that shares this
    /// matrix's storage: only the indices are copied.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or not below <see cref="Rows"/>.</exception>
    public FeatureMatrix Subset(ReadOnlySpan<int> rows)
    {
        var index = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index {r} at position {i} is outside the {Rows} rows.");
            }

            index[i] = _rowIndex is null ? r : _rowIndex[r];
        }

        return new FeatureMatrix(_storage, Columns, index);
    }

    /// <summary>The storage the rows live in, shared by a matrix and its views.</summary>
    internal float[] Storage => _storage;

    /// <summary>The row of <see cref="Storage"/> that row <paramref name="row"/> of this matrix is.</summary>
    internal int StorageRow(int row) => _rowIndex is null ? row : _rowIndex[row];

    /// <summary>The first <paramref name="count"/> rows, as a view.</summary>
    public FeatureMatrix Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Rows);
        if (_rowIndex is null)
        {
            return new FeatureMatrix(_storage, Columns, Enumerable.Range(0, count).ToArray());
        }

        return new FeatureMatrix(_storage, Columns, _rowIndex[..count]);
    }

    /// <summary>This matrix when it is already contiguous; otherwise a contiguous copy of its rows.</summary>
    public FeatureMatrix ToContiguous()
    {
        if (_rowIndex is null)
        {
            return this;
        }

        var copy = new float[(long)Rows * Columns];
        for (int i = 0; i < Rows; i++)
        {
            Row(i).CopyTo(copy.AsSpan(i * Columns, Columns));
        }

        return new FeatureMatrix(copy, Columns);
    }

    /// <summary>A contiguous copy of the values as a new array (row-major).</summary>
    public float[] ToArray() => _rowIndex is null ? (float[])_storage.Clone() : ToContiguous()._storage;

    /// <summary>Builds a matrix from bytes (for example 8-bit pixels), converting each value to <see cref="float"/> unchanged.</summary>
    /// <param name="values">The values, row-major.</param>
    /// <param name="columns">The number of columns.</param>
    /// <param name="budget">Threads for a large conversion (the machine's by default).</param>
    /// <remarks>
    /// Large matrices are converted by row blocks in parallel: the cost is mostly first touches of the new array's pages
    /// (about 1.6 µs per 4 KB page on a VM), which the threads take in parallel; 10,000 MNIST rows took 13 ms on one.
    /// </remarks>
    public static unsafe FeatureMatrix FromBytes(ReadOnlySpan<byte> values, int columns, ComputeBudget? budget = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        // Every value is written: no need to clear the array first.
        var storage = GC.AllocateUninitializedArray<float>(values.Length);
        int rows = values.Length / columns;
        fixed (byte* source = values)
        {
            nint address = (nint)source;
            ParallelRows.For(rows, values.Length, ComputeBudget.OrDefault(budget), (r0, r1) =>
            {
                long start = (long)r0 * columns, end = r1 == rows ? storage.Length : (long)r1 * columns;
                var from = new ReadOnlySpan<byte>((byte*)address + start, (int)(end - start));
                System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(from, storage.AsSpan((int)start, (int)(end - start)));
            });
        }

        return new FeatureMatrix(storage, columns);
    }

    /// <summary>Builds a contiguous matrix by copying a rectangular array.</summary>
    public static FeatureMatrix FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var storage = new float[rows * columns];
        if (storage.Length == 0)
        {
            return new FeatureMatrix(storage, Math.Max(columns, 1));
        }

        MemoryMarshal.CreateReadOnlySpan(ref values[0, 0], storage.Length).CopyTo(storage);
        return new FeatureMatrix(storage, columns);
    }

    /// <summary>Builds a contiguous matrix by copying jagged rows, which must all have the same length.</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("At least one row is needed to know the column count.", nameof(rows));
        }

        int columns = rows[0].Length;
        var storage = new float[rows.Count * columns];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != columns)
            {
                throw new ArgumentException($"Row {i} has {rows[i].Length} values; row 0 has {columns}.", nameof(rows));
            }

            rows[i].CopyTo(storage, i * columns);
        }

        return new FeatureMatrix(storage, columns);
    }
}
