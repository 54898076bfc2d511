using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Linear;

/// <summary>
/// The two vector operations of SGD between double weights and a float row, widening the row to double in registers
/// (float → double is exact) so that the arithmetic is double like scikit-learn's while the rows stay float in memory:
/// half the memory traffic of a widened copy of the data, which matters because every problem streams every row each
/// epoch. Vector512 where the processor accelerates it, else Vector256, else scalar; the results differ from a
/// sequential double loop only by the order of the additions in <see cref="Dot"/> and by the fused multiply–add.
/// </summary>
internal static class WidenedKernels
{
    /// <summary>Σ w[j]·x[j] over the row, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<float> x)
    {
        Debug.Assert(w.Length == x.Length, "The weights and the row have the same length.");
        int n = x.Length, j = 0;
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref float xr = ref MemoryMarshal.GetReference(x);
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            // Four accumulators hide the latency of the fused multiply–add (four cycles, two per cycle).
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; j <= n - 32; j += 32)
            {
                var (l0, h0) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)j));
                var (l1, h1) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)(j + 16)));
                a0 = Vector512.FusedMultiplyAdd(l0, Vector512.LoadUnsafe(ref wr, (nuint)j), a0);
                a1 = Vector512.FusedMultiplyAdd(h0, Vector512.LoadUnsafe(ref wr, (nuint)(j + 8)), a1);
                a2 = Vector512.FusedMultiplyAdd(l1, Vector512.LoadUnsafe(ref wr, (nuint)(j + 16)), a2);
                a3 = Vector512.FusedMultiplyAdd(h1, Vector512.LoadUnsafe(ref wr, (nuint)(j + 24)), a3);
            }

            for (; j <= n - 16; j += 16)
            {
                var (l0, h0) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)j));
                a0 = Vector512.FusedMultiplyAdd(l0, Vector512.LoadUnsafe(ref wr, (nuint)j), a0);
                a1 = Vector512.FusedMultiplyAdd(h0, Vector512.LoadUnsafe(ref wr, (nuint)(j + 8)), a1);
            }

            sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; j <= n - 16; j += 16)
            {
                var (l0, h0) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)j));
                var (l1, h1) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)(j + 8)));
                a0 = Vector256.FusedMultiplyAdd(l0, Vector256.LoadUnsafe(ref wr, (nuint)j), a0);
                a1 = Vector256.FusedMultiplyAdd(h0, Vector256.LoadUnsafe(ref wr, (nuint)(j + 4)), a1);
                a2 = Vector256.FusedMultiplyAdd(l1, Vector256.LoadUnsafe(ref wr, (nuint)(j + 8)), a2);
                a3 = Vector256.FusedMultiplyAdd(h1, Vector256.LoadUnsafe(ref wr, (nuint)(j + 12)), a3);
            }

            for (; j <= n - 8; j += 8)
            {
                var (l0, h0) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)j));
                a0 = Vector256.FusedMultiplyAdd(l0, Vector256.LoadUnsafe(ref wr, (nuint)j), a0);
                a1 = Vector256.FusedMultiplyAdd(h0, Vector256.LoadUnsafe(ref wr, (nuint)(j + 4)), a1);
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }

        for (; j < n; j++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref wr, j), Unsafe.Add(ref xr, j), sum);
        }

        return sum;
    }

    /// <summary>y[j] += a·x[j] over the row, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double a, ReadOnlySpan<float> x, Span<double> y)
    {
        Debug.Assert(y.Length == x.Length, "The weights and the row have the same length.");
        int n = x.Length, j = 0;
        ref double yr = ref MemoryMarshal.GetReference(y);
        ref float xr = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
        {
            var av = Vector512.Create(a);
            for (; j <= n - 16; j += 16)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref xr, (nuint)j));
                Vector512.FusedMultiplyAdd(av, lo, Vector512.LoadUnsafe(ref yr, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
                Vector512.FusedMultiplyAdd(av, hi, Vector512.LoadUnsafe(ref yr, (nuint)(j + 8))).StoreUnsafe(ref yr, (nuint)(j + 8));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var av = Vector256.Create(a);
            for (; j <= n - 8; j += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref xr, (nuint)j));
                Vector256.FusedMultiplyAdd(av, lo, Vector256.LoadUnsafe(ref yr, (nuint)j)).StoreUnsafe(ref yr, (nuint)j);
                Vector256.FusedMultiplyAdd(av, hi, Vector256.LoadUnsafe(ref yr, (nuint)(j + 4))).StoreUnsafe(ref yr, (nuint)(j + 4));
            }
        }

        for (; j < n; j++)
        {
            Unsafe.Add(ref yr, j) = Math.FusedMultiplyAdd(a, Unsafe.Add(ref xr, j), Unsafe.Add(ref yr, j));
        }
    }
}
