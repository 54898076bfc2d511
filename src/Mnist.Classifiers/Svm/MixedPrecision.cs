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
}
