using System.Runtime.CompilerServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Trees;

/// <summary>
/// The training features binned once per fit: each feature's values mapped to at most 256 ordered bins, stored as one
/// byte per row, column-major (a feature's codes are contiguous, which is what a node's histogram reads). A feature
/// with at most 256 distinct values gets one bin per value, so splitting between bins is exactly splitting between
/// distinct values, as scikit-learn's exact search does; otherwise the bins hold equal shares of the rows (quantiles).
/// </summary>
internal sealed class FeatureBins
{
    /// <summary>The most bins a feature has: codes are bytes.</summary>
    public const int MaxBins = 256;

    /// <summary>
    /// Features binned together. Gathering a chunk's columns reads a slice of every row, each from a different page, so
    /// the cost is about one memory latency per row and chunk: wide chunks (64 floats, four cache lines of a row) make
    /// few passes, at 256 bytes per row of scratch per thread.
    /// </summary>
    private const int ChunkFeatures = 64;

    /// <summary>Rows transposed together into the row-major codes (64 rows of 784 features: 50 KB, about the L1 cache).</summary>
    private const int TransposeRows = 64;

    private FeatureBins(int rows, int features, byte[] codes, byte[] rowCodes, float[][] low, float[][] high)
    {
        Rows = rows;
        Features = features;
        Codes = codes;
        RowCodes = rowCodes;
        Low = low;
        High = high;
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The number of features.</summary>
    public int Features { get; }

    /// <summary>Code of row r for feature f at <c>f · Rows + r</c>.</summary>
    public byte[] Codes { get; }

    /// <summary>The same codes row-major: row r's codes at <c>r · Features</c> (copied by the trees' local subtrees).</summary>
    public byte[] RowCodes { get; }

    /// <summary>Per feature, the smallest training value in each bin.</summary>
    public float[][] Low { get; }

    /// <summary>Per feature, the largest training value in each bin (equal to <see cref="Low"/> for exact bins).</summary>
    public float[][] High { get; }

    /// <summary>Bins every feature of <paramref name="x"/>, features in parallel within the budget.</summary>
    /// <remarks>The values are finite: every fit refuses NaN and infinities first (<see cref="InputChecks.TrainingShapes"/>).</remarks>
    public static FeatureBins Build(FeatureMatrix x, ComputeBudget budget)
    {
        int n = x.Rows, d = x.Columns;
        var codes = new byte[(long)n * d];
        var low = new float[d][];
        var high = new float[d][];
        int chunks = (d + ChunkFeatures - 1) / ChunkFeatures;
        Parallel.For(0, chunks, budget.ParallelOptions, () => new float[ChunkFeatures * n], (chunk, _, columns) =>
        {
            int f0 = chunk * ChunkFeatures, width = Math.Min(ChunkFeatures, d - f0);
            for (int r = 0; r < n; r++)
            {
                CachePrefetch.RowAhead(x, r, f0..(f0 + width)); // this halved the gather's time on an Intel Xeon

                var row = x.Row(r).Slice(f0, width);
                for (int j = 0; j < width; j++)
                {
                    float v = row[j];
                    columns[j * n + r] = v == 0 ? 0f : v; // −0 and +0 are one value
                }
            }

            for (int j = 0; j < width; j++)
            {
                int f = f0 + j;
                var column = columns.AsSpan(j * n, n);
                var target = codes.AsSpan((int)((long)f * n), n);
                if (!ExactBins(column, target, out low[f], out high[f]))
                {
                    QuantileBins(column, target, out low[f], out high[f]);
                }
            }

            return columns;
        }, _ => { });

        var rowCodes = GC.AllocateUninitializedArray<byte>(n * d);
        ParallelRows.For(n, (long)n * d, budget, (r0, r1) => Transpose(codes, rowCodes, n, d, r0, r1));
        return new FeatureBins(n, d, codes, rowCodes, low, high);
    }

    /// <summary>
    /// Writes rows [r0, r1) of the row-major <paramref name="rowCodes"/> from the column-major <paramref name="codes"/>,
    /// tile by tile so that a tile's rows stay in cache while every column writes into them. Inside a tile, blocks of
    /// eight rows by eight features are transposed as 64-bit words (<see cref="Transpose8x8"/>).
    /// </summary>
    private static unsafe void Transpose(byte[] codes, byte[] rowCodes, int n, int d, int r0, int r1)
    {
        fixed (byte* source = codes)
        fixed (byte* target = rowCodes)
        {
            for (int t0 = r0; t0 < r1; t0 += TransposeRows)
            {
                int t1 = Math.Min(r1, t0 + TransposeRows);
                int f = 0;
                for (; f + 8 <= d; f += 8)
                {
                    int r = t0;
                    for (; r + 8 <= t1; r += 8)
                    {
                        Transpose8x8(source + ((long)f * n) + r, n, target + ((long)r * d) + f, d);
                    }

                    for (; r < t1; r++)
                    {
                        for (int j = f; j < f + 8; j++)
                        {
                            target[((long)r * d) + j] = source[((long)j * n) + r];
                        }
                    }
                }

                for (; f < d; f++)
                {
                    for (int r = t0; r < t1; r++)
                    {
                        target[((long)r * d) + f] = source[((long)f * n) + r];
                    }
                }
            }
        }
    }

    /// <summary>
    /// Transposes the 8×8 bytes whose rows start at <paramref name="source"/> + i · <paramref name="sourceStride"/> into
    /// rows at <paramref name="target"/> + i · <paramref name="targetStride"/>, as eight 64-bit words: swapping the 4×4,
    /// then 2×2, then 1×1 blocks off the diagonal (Warren, Hacker's Delight, 7–3).
    /// </summary>
    private static unsafe void Transpose8x8(byte* source, long sourceStride, byte* target, long targetStride)
    {
        ulong a0 = Unsafe.ReadUnaligned<ulong>(source), a1 = Unsafe.ReadUnaligned<ulong>(source + sourceStride);
        ulong a2 = Unsafe.ReadUnaligned<ulong>(source + (2 * sourceStride)), a3 = Unsafe.ReadUnaligned<ulong>(source + (3 * sourceStride));
        ulong a4 = Unsafe.ReadUnaligned<ulong>(source + (4 * sourceStride)), a5 = Unsafe.ReadUnaligned<ulong>(source + (5 * sourceStride));
        ulong a6 = Unsafe.ReadUnaligned<ulong>(source + (6 * sourceStride)), a7 = Unsafe.ReadUnaligned<ulong>(source + (7 * sourceStride));
        SwapFour(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, 32, 0x00000000FFFFFFFFUL);
        SwapFour(ref a0, ref a1, ref a4, ref a5, ref a2, ref a3, ref a6, ref a7, 16, 0x0000FFFF0000FFFFUL);
        SwapFour(ref a0, ref a2, ref a4, ref a6, ref a1, ref a3, ref a5, ref a7, 8, 0x00FF00FF00FF00FFUL);
        Unsafe.WriteUnaligned(target, a0);
        Unsafe.WriteUnaligned(target + targetStride, a1);
        Unsafe.WriteUnaligned(target + (2 * targetStride), a2);
        Unsafe.WriteUnaligned(target + (3 * targetStride), a3);
        Unsafe.WriteUnaligned(target + (4 * targetStride), a4);
        Unsafe.WriteUnaligned(target + (5 * targetStride), a5);
        Unsafe.WriteUnaligned(target + (6 * targetStride), a6);
        Unsafe.WriteUnaligned(target + (7 * targetStride), a7);
    }

    /// <summary>Swaps, for each i, the bits of x_i shifted right by <paramref name="shift"/> with those of y_i under <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SwapFour(
        ref ulong x0, ref ulong x1, ref ulong x2, ref ulong x3, ref ulong y0, ref ulong y1, ref ulong y2, ref ulong y3, int shift, ulong mask)
    {
        ulong t0 = ((x0 >> shift) ^ y0) & mask, t1 = ((x1 >> shift) ^ y1) & mask;
        ulong t2 = ((x2 >> shift) ^ y2) & mask, t3 = ((x3 >> shift) ^ y3) & mask;
        y0 ^= t0;
        y1 ^= t1;
        y2 ^= t2;
        y3 ^= t3;
        x0 ^= t0 << shift;
        x1 ^= t1 << shift;
        x2 ^= t2 << shift;
        x3 ^= t3 << shift;
    }

    /// <summary>One bin per distinct value, when there are at most <see cref="MaxBins"/>; false otherwise.</summary>
    /// <remarks>
    /// One hashing pass gives each row the number of its value in order of first appearance; the values are then
    /// sorted and those numbers replaced by ranks through a 256-entry table. A row with the same value as the row before
    /// (a blank pixel after a blank pixel) skips the hash.
    /// </remarks>
    private static bool ExactBins(ReadOnlySpan<float> column, Span<byte> codes, out float[] low, out float[] high)
    {
        // Open addressing on the float bits: 1024 slots for at most 256 keys keeps probes short.
        const int Slots = 1024;
        Span<uint> keys = stackalloc uint[Slots];
        Span<short> slotNumber = stackalloc short[Slots];
        slotNumber.Fill(-1);
        Span<float> distinct = stackalloc float[MaxBins];
        int count = 0;
        uint previousBits = 0;
        int previousNumber = -1;
        for (int r = 0; r < column.Length; r++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(column[r]);
            if (bits != previousBits || previousNumber < 0)
            {
                int slot = (int)((bits * 0x9E3779B1u) >> 22);
                while (slotNumber[slot] >= 0 && keys[slot] != bits)
                {
                    slot = (slot + 1) & (Slots - 1);
                }

                if (slotNumber[slot] < 0)
                {
                    if (count == MaxBins)
                    {
                        low = high = [];
                        return false;
                    }

                    keys[slot] = bits;
                    slotNumber[slot] = (short)count;
                    distinct[count++] = column[r];
                }

                previousBits = bits;
                previousNumber = slotNumber[slot];
            }

            codes[r] = (byte)previousNumber;
        }

        var values = distinct[..count].ToArray();
        Array.Sort(values);
        Span<byte> rank = stackalloc byte[MaxBins];
        for (int v = 0; v < count; v++)
        {
            rank[v] = (byte)Array.BinarySearch(values, distinct[v]);
        }

        for (int r = 0; r < codes.Length; r++)
        {
            codes[r] = rank[codes[r]];
        }

        low = values;
        high = values;
        return true;
    }

    /// <summary>
    /// <see cref="MaxBins"/> bins of about equal row counts: bin j holds the values up to the value at sorted position
    /// (j + 1)·n/256 − 1, so the bin edges are training values and a split between bins is a split between them.
    /// </summary>
    private static void QuantileBins(ReadOnlySpan<float> column, Span<byte> codes, out float[] low, out float[] high)
    {
        var sorted = column.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        var highs = new List<float>(MaxBins);
        for (int j = 0; j < MaxBins; j++)
        {
            float edge = sorted[(int)((long)(j + 1) * n / MaxBins) - 1]; // n > 256 here: never below index 0
            if (highs.Count == 0 || edge > highs[^1])
            {
                highs.Add(edge);
            }
        }

        if (highs[^1] < sorted[^1])
        {
            highs[^1] = sorted[^1];
        }

        high = highs.ToArray();
        low = new float[high.Length];
        low[0] = sorted[0];
        for (int j = 1; j < high.Length; j++)
        {
            // The smallest value above the previous bin's largest.
            int at = UpperBound(sorted, high[j - 1]);
            low[j] = sorted[at];
        }

        for (int r = 0; r < column.Length; r++)
        {
            codes[r] = (byte)LowerBound(high, column[r]);
        }
    }

    /// <summary>The first index whose value is greater than <paramref name="value"/>.</summary>
    private static int UpperBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The first index whose value is at least <paramref name="value"/>.</summary>
    private static int LowerBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
