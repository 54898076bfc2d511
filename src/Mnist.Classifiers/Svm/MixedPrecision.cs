using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Svm;

/// <summary>Dot products of double coefficients with float kernel values, accumulated in double as LIBSVM does.</summary>
internal static class MixedPrecision
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> coefficients, ReadOnlySpan<float> values)
    {
        int n = coefficients.Length;
        if (values.Length != n)
        {
            throw new ArgumentException("The spans differ in length.", nameof(values));
        }

        int t = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            ref double c = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(coefficients);
            ref float v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
            for (; t <= n - 8; t += 8)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref v, (nuint)t));
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c, (nuint)t), low, acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c, (nuint)(t + 4)), high, acc1);
            }

            sum = Vector256.Sum(acc0 + acc1);
        }

        for (; t < n; t++)
        {
            sum += coefficients[t] * values[t];
        }

        return sum;
    }

    /// <summary>
    /// <c>results[r] = Dot(coefficients.Slice(r · stride + offset, values.Length), values)</c> for every r, bit for bit as
    /// <see cref="Dot"/> computes each (the same two accumulator chains per row over the same elements in the same order,
    /// the same final sum and tail), but four rows at a time: the values are loaded and widened once per four rows, and
    /// eight independent chains keep the fused multiply–adds busy where one row's two chains wait on their latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(ReadOnlySpan<double> coefficients, int stride, int offset, ReadOnlySpan<float> values, Span<double> results)
    {
        int n = values.Length, rows = results.Length, r = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            for (; r + 4 <= rows; r += 4)
            {
                FourRows(coefficients, (r * stride) + offset, stride, values, results.Slice(r, 4));
            }
        }

        for (; r < rows; r++)
        {
            results[r] = Dot(coefficients.Slice((r * stride) + offset, n), values);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FourRows(ReadOnlySpan<double> coefficients, int start, int stride, ReadOnlySpan<float> values, Span<double> results)
    {
        int n = values.Length, t = 0;
        _ = coefficients.Slice(start + (3 * stride), n); // bounds: the fourth row ends inside the span
        ref double c0 = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(coefficients), start);
        ref double c1 = ref Unsafe.Add(ref c0, stride);
        ref double c2 = ref Unsafe.Add(ref c1, stride);
        ref double c3 = ref Unsafe.Add(ref c2, stride);
        ref float v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        Vector256<double> a00 = Vector256<double>.Zero, a01 = Vector256<double>.Zero, a10 = Vector256<double>.Zero, a11 = Vector256<double>.Zero;
        Vector256<double> a20 = Vector256<double>.Zero, a21 = Vector256<double>.Zero, a30 = Vector256<double>.Zero, a31 = Vector256<double>.Zero;
        for (; t <= n - 8; t += 8)
        {
            var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref v, (nuint)t));
            a00 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, (nuint)t), low, a00);
            a01 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c0, (nuint)(t + 4)), high, a01);
            a10 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, (nuint)t), low, a10);
            a11 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c1, (nuint)(t + 4)), high, a11);
            a20 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, (nuint)t), low, a20);
            a21 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c2, (nuint)(t + 4)), high, a21);
            a30 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, (nuint)t), low, a30);
            a31 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref c3, (nuint)(t + 4)), high, a31);
        }

        double s0 = Vector256.Sum(a00 + a01), s1 = Vector256.Sum(a10 + a11), s2 = Vector256.Sum(a20 + a21), s3 = Vector256.Sum(a30 + a31);
        for (; t < n; t++)
        {
            double x = values[t];
            s0 += Unsafe.Add(ref c0, t) * x;
            s1 += Unsafe.Add(ref c1, t) * x;
            s2 += Unsafe.Add(ref c2, t) * x;
            s3 += Unsafe.Add(ref c3, t) * x;
        }

        results[0] = s0;
        results[1] = s1;
        results[2] = s2;
        results[3] = s3;
    }
}
