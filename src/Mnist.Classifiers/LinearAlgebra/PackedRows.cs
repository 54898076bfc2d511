using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.LinearAlgebra;

/// <summary>
/// An immutable copy of a row-major matrix B (<see cref="Rows"/> × <see cref="Columns"/>) rearranged into the
/// panel layout that the dot-product micro-kernels of <see cref="DotProducts"/> stream through, together with
/// the squared Euclidean norm of every row.
/// </summary>
/// <remarks>
/// <para>
/// The layout is the packed "B panel" of GotoBLAS and BLIS (Goto &amp; van de Geijn, "Anatomy of
/// High-Performance Matrix Multiplication", ACM TOMS 2008; Van Zee &amp; van de Geijn, "BLIS: A Framework for
/// Rapidly Instantiating BLAS Functionality", ACM TOMS 2015): the rows are cut into panels of
/// <see cref="PanelWidth"/> consecutive rows, and inside a panel the values are stored column by column, so
/// that for each depth index p the <see cref="PanelWidth"/> values B[j..j+16, p] are one contiguous, 64-byte
/// aligned cache line. The micro-kernel then loads two 8-lane vectors per depth step with unit stride. The
/// last panel is padded with zero rows.
/// </para>
/// <para>
/// Unlike a BLAS routine, which packs B afresh on every call, this type packs once: the kernel SVM computes
/// thousands of kernel rows against the same training rows, so the packing cost is paid once per fit. Because
/// a panel holds the whole depth contiguously, any depth block (k-block) of a panel is itself contiguous,
/// which leaves the blocking free to be chosen per call.
/// </para>
/// <para>The instance is never written after construction and is safe to share between threads.</para>
/// </remarks>
internal sealed class PackedRows
{
    /// <summary>The number of rows of B in one panel: the column width of the micro-kernel's register tile.</summary>
    public const int PanelWidth = 16;

    // 64-byte alignment: one depth step of a panel is exactly one cache line.
    private const int AlignmentFloats = 16;

    private readonly float[] _storage;
    private readonly int _offset;
    private readonly float[] _squaredNorms;

    private PackedRows(float[] storage, int offset, float[] squaredNorms, int rows, int columns, float[]? background)
    {
        _storage = storage;
        _offset = offset;
        _squaredNorms = squaredNorms;
        Rows = rows;
        Columns = columns;
        Background = background;
    }

    /// <summary>
    /// The point c the rows were translated by before packing (b_j − c, each value rounded once to float), or null. The
    /// products of <see cref="DotProducts"/> translate the rows of A by the same c, so they are (a − c)·(b − c): what an
    /// RBF kernel needs, since ‖a − b‖² does not change; and with c the rows' most common values, most translated values
    /// are 0, which the products skip (<see cref="ColumnBackground"/>).
    /// </summary>
    public float[]? Background { get; }

    /// <summary>The number of rows of B (the count of vectors that were packed).</summary>
    public int Rows { get; }

    /// <summary>The number of columns of B: the length of every row, the depth k of the dot products.</summary>
    public int Columns { get; }

    /// <summary>The number of panels, <c>ceil(Rows / PanelWidth)</c>.</summary>
    public int PanelCount => (Rows + PanelWidth - 1) / PanelWidth;

    /// <summary>
    /// ‖b_j − c‖² for every row j (c the <see cref="Background"/>, or 0), accumulated in <see cref="double"/> and rounded
    /// once to <see cref="float"/> (the RBF kernel uses ‖x − y‖² = ‖x‖² + ‖y‖² − 2·x·y).
    /// </summary>
    public ReadOnlySpan<float> SquaredNorms => _squaredNorms;

    /// <summary>
    /// The squared norm of a row of A as the products see it: ‖a − c‖² as <see cref="SquaredNorms"/> computes it with a
    /// <see cref="Background"/>, else ‖a‖² in float (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float SquaredNormOf(ReadOnlySpan<float> row)
    {
        if (Background is not { } c)
        {
            return TensorPrimitives.Dot(row, row);
        }

        double sum = 0;
        for (int p = 0; p < row.Length; p++)
        {
            float v = row[p] - c[p];
            sum += (double)v * v;
        }

        return (float)sum;
    }

    /// <summary>The number of floats from the start of one panel to the start of the next.</summary>
    internal long PanelStride => (long)Columns * PanelWidth;

    /// <summary>The packed panels, starting at the 64-byte aligned first panel (the array is pinned).</summary>
    internal float[] Storage => _storage;

    /// <summary>The index in <see cref="Storage"/> where panel 0 starts.</summary>
    internal int Offset => _offset;

    /// <summary>Row <paramref name="row"/> of B unpacked again (for tests and diagnostics; allocates).</summary>
    public float[] GetRow(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        var values = new float[Columns];
        long start = _offset + (row / PanelWidth) * PanelStride + (row % PanelWidth);
        for (int p = 0; p < Columns; p++)
        {
            values[p] = _storage[start + (long)p * PanelWidth];
        }

        return values;
    }

    /// <summary>Packs a row-major matrix given as one span.</summary>
    /// <param name="rowMajor">At least <paramref name="rows"/> × <paramref name="columns"/> values, row after row.</param>
    /// <param name="rows">The number of rows, 0 or more.</param>
    /// <param name="columns">The row length, at least 1.</param>
    /// <exception cref="ArgumentException">The span is shorter than <paramref name="rows"/> × <paramref name="columns"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or the packed copy would exceed the largest array.</exception>
    public static PackedRows Pack(ReadOnlySpan<float> rowMajor, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns > rowMajor.Length)
        {
            throw new ArgumentException(
                $"The span holds {rowMajor.Length} values, fewer than {rows} rows × {columns} columns.", nameof(rowMajor));
        }

        var builder = Allocate(rows, columns, null);
        WritePanels(builder, rowMajor, rows, columns, static j => j, 0, builder.Result.PanelCount);
        return builder.Result;
    }

    /// <summary>Packs the rows of a feature matrix (contiguous or an index view), in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    public static PackedRows Pack(FeatureMatrix matrix) => Pack(matrix, null);

    /// <summary>
    /// Packs the rows of a feature matrix, translated by <paramref name="background"/> (see <see cref="Background"/>),
    /// panels in parallel within <paramref name="budget"/> (each panel is written by one thread, so the result is the same).
    /// </summary>
    internal static PackedRows Pack(FeatureMatrix matrix, float[]? background, ComputeBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (background is not null && background.Length != matrix.Columns)
        {
            throw new ArgumentException($"The background has {background.Length} values for {matrix.Columns} columns.", nameof(background));
        }

        var builder = Allocate(matrix.Rows, matrix.Columns, background);
        ParallelRows.For(
            builder.Result.PanelCount, (long)matrix.Rows * matrix.Columns, budget ?? ComputeBudget.Default.WithThreads(1),
            (first, end) => WritePanels(builder, matrix.Storage, matrix.Rows, matrix.Columns, matrix.StorageRow, first, end));
        return builder.Result;
    }

    /// <summary>Writes panels [<paramref name="first"/>, <paramref name="end"/>), row j being row <paramref name="storageRow"/>(j) of the row-major <paramref name="source"/>.</summary>
    private static void WritePanels(
        Builder builder, ReadOnlySpan<float> source, int rows, int columns, Func<int, int> storageRow, int first, int end)
    {
        Span<long> starts = stackalloc long[PanelWidth];
        for (int panel = first; panel < end; panel++)
        {
            int j0 = panel * PanelWidth, count = Math.Min(PanelWidth, rows - j0);
            for (int r = 0; r < count; r++)
            {
                starts[r] = (long)storageRow(j0 + r) * columns;
            }

            builder.WritePanel(panel, source, starts[..count]);
        }
    }

    private static Builder Allocate(int rows, int columns, float[]? background)
    {
        long panels = (rows + (long)PanelWidth - 1) / PanelWidth;
        long length = panels * columns * PanelWidth + AlignmentFloats;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rows), rows, $"{rows} rows × {columns} columns are too many to pack into one array.");
        }

        // Pinned (pinned object heap) so that the kernels may take raw pointers without pinning on every call,
        // and so that the 64-byte alignment computed here stays valid.
        var storage = GC.AllocateArray<float>((int)length, pinned: true);
        int offset;
        unsafe
        {
            fixed (float* start = storage)
            {
                long misalignment = ((long)start & 63) / sizeof(float);
                offset = misalignment == 0 ? 0 : (int)(AlignmentFloats - misalignment);
            }
        }

        return new Builder(new PackedRows(storage, offset, new float[rows], rows, columns, background));
    }

    private readonly struct Builder(PackedRows result)
    {
        public PackedRows Result => result;

        /// <summary>
        /// Writes panel <paramref name="panel"/>: its rows r start at <paramref name="source"/>[<paramref name="starts"/>[r]].
        /// Depth by depth, so that each depth's 16 values are one cache line written at once (row by row, each value went
        /// to another line), with a sum per row: each norm is still accumulated over p = 0, 1, … in double.
        /// </summary>
        public void WritePanel(int panel, ReadOnlySpan<float> source, ReadOnlySpan<long> starts)
        {
            var storage = result._storage.AsSpan((int)(result._offset + (panel * result.PanelStride)), (int)result.PanelStride);
            var background = result.Background;
            int count = starts.Length, columns = result.Columns;
            Span<double> sums = stackalloc double[PanelWidth];
            sums.Clear();
            int p = count == PanelWidth && Avx.IsSupported ? WriteFullPanelDepths(storage, source, starts, background, columns, sums) : 0;
            for (; p < columns; p++)
            {
                float shift = background is null ? 0f : background[p];
                var line = storage.Slice(p * PanelWidth, PanelWidth);
                for (int r = 0; r < count; r++)
                {
                    float value = source[(int)(starts[r] + p)];
                    float v = background is null ? value : value - shift;
                    line[r] = v;
                    sums[r] += (double)v * v;
                }
            }

            for (int r = 0; r < count; r++)
            {
                result._squaredNorms[(panel * PanelWidth) + r] = (float)sums[r];
            }
        }

        /// <summary>
        /// <see cref="WritePanel"/> for a panel of 16 rows, eight depths at a time while eight remain: each row's eight
        /// values are loaded as one vector (translated), two 8 × 8 register transposes turn them into the depths' lines,
        /// and the squares are added to the rows' double sums depth after depth, as the scalar loop adds them (the same
        /// operations in the same order, so the same bits). Element by element, the loads from 16 rows 3 KB apart took
        /// 2.7% of a 10,000-row fit's time (AVX2 path, AMD EPYC Zen 5). Returns the first depth not written.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe int WriteFullPanelDepths(Span<float> storage, ReadOnlySpan<float> source, ReadOnlySpan<long> starts, float[]? background, int columns, Span<double> sums)
        {
            int p = 0;
            fixed (float* target = storage)
            fixed (float* from = source)
            fixed (float* shift = background)
            fixed (long* rowStarts = starts)
            {
                bool translate = shift is not null;
                var sum0 = Vector256<double>.Zero;
                var sum1 = Vector256<double>.Zero;
                var sum2 = Vector256<double>.Zero;
                var sum3 = Vector256<double>.Zero;
                for (; p <= columns - 8; p += 8)
                {
                    float* at = from + p;
                    var c = shift is null ? Vector256<float>.Zero : Avx.LoadVector256(shift + p);
                    var r0 = Row(at, rowStarts[0], c, translate); var r1 = Row(at, rowStarts[1], c, translate); var r2 = Row(at, rowStarts[2], c, translate); var r3 = Row(at, rowStarts[3], c, translate);
                    var r4 = Row(at, rowStarts[4], c, translate); var r5 = Row(at, rowStarts[5], c, translate); var r6 = Row(at, rowStarts[6], c, translate); var r7 = Row(at, rowStarts[7], c, translate);
                    Transpose.Block8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                    var u0 = Row(at, rowStarts[8], c, translate); var u1 = Row(at, rowStarts[9], c, translate); var u2 = Row(at, rowStarts[10], c, translate); var u3 = Row(at, rowStarts[11], c, translate);
                    var u4 = Row(at, rowStarts[12], c, translate); var u5 = Row(at, rowStarts[13], c, translate); var u6 = Row(at, rowStarts[14], c, translate); var u7 = Row(at, rowStarts[15], c, translate);
                    Transpose.Block8x8(ref u0, ref u1, ref u2, ref u3, ref u4, ref u5, ref u6, ref u7);
                    // Depth after depth: each row's sum takes its squares in the order of p.
                    float* line = target + ((nint)p * PanelWidth);
                    Line(line, r0, u0, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + PanelWidth, r1, u1, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (2 * PanelWidth), r2, u2, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (3 * PanelWidth), r3, u3, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (4 * PanelWidth), r4, u4, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (5 * PanelWidth), r5, u5, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (6 * PanelWidth), r6, u6, ref sum0, ref sum1, ref sum2, ref sum3);
                    Line(line + (7 * PanelWidth), r7, u7, ref sum0, ref sum1, ref sum2, ref sum3);
                }

                sum0.CopyTo(sums);
                sum1.CopyTo(sums[4..]);
                sum2.CopyTo(sums[8..]);
                sum3.CopyTo(sums[12..]);
            }

            return p;

            // Without a background nothing is subtracted, as in the scalar loop.
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            static Vector256<float> Row(float* at, long start, Vector256<float> c, bool translate) =>
                translate ? Avx.Subtract(Avx.LoadVector256(at + start), c) : Avx.LoadVector256(at + start);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            static void Line(float* line, Vector256<float> low, Vector256<float> high, ref Vector256<double> sum0, ref Vector256<double> sum1, ref Vector256<double> sum2, ref Vector256<double> sum3)
            {
                Avx.Store(line, low);
                Avx.Store(line + 8, high);
                sum0 = Avx.Add(sum0, Square(low.GetLower()));
                sum1 = Avx.Add(sum1, Square(low.GetUpper()));
                sum2 = Avx.Add(sum2, Square(high.GetLower()));
                sum3 = Avx.Add(sum3, Square(high.GetUpper()));
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            static Vector256<double> Square(Vector128<float> values)
            {
                var wide = Avx.ConvertToVector256Double(values);
                return Avx.Multiply(wide, wide);
            }
        }
    }
}
