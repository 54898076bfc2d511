using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>
/// Asks the cache for memory about to be read. Reading a slice of every row of a large row-major matrix (a block of
/// columns) starts a new stream at each row, 3 KB on from the last for MNIST and across pages, which the hardware
/// prefetchers do not follow: every row then waits a memory latency unless its slice was requested a few rows ahead.
/// </summary>
internal static class CachePrefetch
{
    /// <summary>How many rows ahead a column-block pass over a matrix asks for its slice.</summary>
    public const int RowsAhead = 8;

    /// <summary>Asks for every cache line of <paramref name="values"/> (nothing where x86 prefetch is unavailable).</summary>
    public static unsafe void Lines<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        if (!Sse.IsSupported || values.IsEmpty)
        {
            return;
        }

        fixed (T* start = values)
        {
            byte* end = (byte*)(start + values.Length);
            for (byte* line = (byte*)start; line < end; line += 64)
            {
                Sse.Prefetch0(line);
            }

            Sse.Prefetch0(end - 1);
        }
    }

    /// <summary>
    /// Asks for the cache line of element <paramref name="offset"/> on from <paramref name="start"/>. No bounds check:
    /// a prefetch never faults, so a loop may ask past the end of its array.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(ref float start, int offset) => Line(Unsafe.AsPointer(ref Unsafe.Add(ref start, offset)));

    /// <summary>Asks for the cache line at <paramref name="address"/>; a prefetch never faults.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(void* address)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(address);
        }
    }

    /// <summary>
    /// In a pass over rows of <paramref name="matrix"/> reading <paramref name="columns"/> of each, at row
    /// <paramref name="row"/>: asks for the same columns of the row <see cref="RowsAhead"/> rows on, if there is one.
    /// </summary>
    public static void RowAhead(FeatureMatrix matrix, int row, Range columns)
    {
        if (row + RowsAhead < matrix.Rows)
        {
            Lines(matrix.Row(row + RowsAhead)[columns]);
        }
    }
}
