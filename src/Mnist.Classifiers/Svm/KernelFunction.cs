using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// A kernel with its resolved parameters. Kernel values are computed from dot products: the expensive part
/// (x·y for many pairs) is one blocked matrix product, and this type turns a block of dot products into kernel
/// values with vectorised element-wise operations. For RBF it uses ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y with the
/// squared norms computed once per row.
/// </summary>
internal readonly struct KernelFunction
{
    public KernelFunction(SvmKernelType type, double gamma, int degree, double coef0)
    {
        Type = type;
        Gamma = gamma;
        Degree = degree;
        Coef0 = coef0;
    }

    public SvmKernelType Type { get; }

    public double Gamma { get; }

    public int Degree { get; }

    public double Coef0 { get; }

    /// <summary>K(x, x) from the squared norm ‖x‖² (the diagonal of the kernel matrix).</summary>
    public double Self(double squaredNorm) => Type switch
    {
        SvmKernelType.Rbf => 1.0,
        SvmKernelType.Linear => squaredNorm,
        SvmKernelType.Polynomial => Math.Pow(Gamma * squaredNorm + Coef0, Degree),
        SvmKernelType.Sigmoid => Math.Tanh(Gamma * squaredNorm + Coef0),
        _ => throw new InvalidOperationException($"Unknown kernel {Type}."),
    };

    /// <summary>
    /// Turns <paramref name="values"/>, the dot products of one row x (squared norm <paramref name="rowNorm"/>)
    /// with rows y_j (squared norms <paramref name="columnNorms"/>), into kernel values K(x, y_j) in place.
    /// </summary>
    public void Apply(Span<float> values, float rowNorm, ReadOnlySpan<float> columnNorms) => Apply(values, values, rowNorm, columnNorms);

    /// <summary>
    /// Writes into <paramref name="values"/> the kernel values K(x, y_j) of the dot products <paramref name="dots"/> (the
    /// same span, or one of the same length that stays unchanged): the same operations as in place, so the same values,
    /// without first copying the dot products when they must be kept (a Gram matrix shared by several γ).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<float> dots, Span<float> values, float rowNorm, ReadOnlySpan<float> columnNorms)
    {
        switch (Type)
        {
            case SvmKernelType.Linear:
                dots.CopyTo(values);
                return;
            case SvmKernelType.Rbf:
                // −γ(‖x‖² + ‖y‖² − 2x·y), clamped at 0 from above: rounding can make a tiny distance negative.
                ScaledSquaredDistances(dots, values, rowNorm, columnNorms, (float)-Gamma);
                ExpInPlace(values);
                return;
            case SvmKernelType.Polynomial:
                TensorPrimitives.Multiply(dots, (float)Gamma, values);
                TensorPrimitives.Add(values, (float)Coef0, values);
                IntegerPower(values, Degree);
                return;
            case SvmKernelType.Sigmoid:
                TensorPrimitives.Multiply(dots, (float)Gamma, values);
                TensorPrimitives.Add(values, (float)Coef0, values);
                TensorPrimitives.Tanh(values, values);
                return;
            default:
                throw new InvalidOperationException($"Unknown kernel {Type}.");
        }
    }

    /// <summary>
    /// values[j] = max((dots[j] · −2 + columnNorms[j]) + rowNorm, 0) · scale in one pass: the same float operations in the
    /// same order as the four element-wise passes they replace (multiply, add, add, max, multiply; no fused
    /// multiply–add), so the same values, with one read and one write of the row instead of four of each.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaledSquaredDistances(ReadOnlySpan<float> dots, Span<float> values, float rowNorm, ReadOnlySpan<float> columnNorms, float scale)
    {
        int n = values.Length, j = 0;
        if (dots.Length != n || columnNorms.Length != n)
        {
            throw new ArgumentException("The dot products, values and column norms differ in length.", nameof(values));
        }

        ref float d = ref MemoryMarshal.GetReference(dots);
        ref float c = ref MemoryMarshal.GetReference(columnNorms);
        ref float v = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated)
        {
            var minusTwo = Vector512.Create(-2f);
            var row = Vector512.Create(rowNorm);
            var factor = Vector512.Create(scale);
            for (; j <= n - 16; j += 16)
            {
                var t = (Vector512.LoadUnsafe(ref d, (nuint)j) * minusTwo) + Vector512.LoadUnsafe(ref c, (nuint)j);
                t = Vector512.Max(t + row, Vector512<float>.Zero);
                (t * factor).StoreUnsafe(ref v, (nuint)j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var minusTwo = Vector256.Create(-2f);
            var row = Vector256.Create(rowNorm);
            var factor = Vector256.Create(scale);
            for (; j <= n - 8; j += 8)
            {
                var t = (Vector256.LoadUnsafe(ref d, (nuint)j) * minusTwo) + Vector256.LoadUnsafe(ref c, (nuint)j);
                t = Vector256.Max(t + row, Vector256<float>.Zero);
                (t * factor).StoreUnsafe(ref v, (nuint)j);
            }
        }

        for (; j < n; j++)
        {
            float t = (Unsafe.Add(ref d, j) * -2f) + Unsafe.Add(ref c, j);
            Unsafe.Add(ref v, j) = Math.Max(t + rowNorm, 0f) * scale;
        }
    }

    /// <summary>
    /// <see cref="TensorPrimitives.Exp(ReadOnlySpan{float}, Span{float})"/> in place, the same values: the same vector
    /// exponential (<see cref="Vector512.Exp(Vector512{float})"/> or <see cref="Vector256.Exp(Vector256{float})"/>) over
    /// the same vectors, the last one overlapping the one before it, and the library's own call for spans shorter than a
    /// vector. Written out here because an application's first tier of compiled code (tiered compilation, on by default)
    /// runs the library method's vector operations one call at a time, through the processor-neutral precompiled code
    /// of the runtime's library: it took 40% of a first 10,000-row fit. This loop is compiled fully optimized at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ExpInPlace(Span<float> values)
    {
        int n = values.Length;
        ref float v = ref MemoryMarshal.GetReference(values);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            // The last vector is taken before the loop writes over its first elements.
            int last = n - Vector512<float>.Count;
            var tail = Vector512.Exp(Vector512.LoadUnsafe(ref v, (nuint)last));
            for (int j = 0; j < last; j += Vector512<float>.Count)
            {
                Vector512.Exp(Vector512.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
            }

            tail.StoreUnsafe(ref v, (nuint)last);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            int last = n - Vector256<float>.Count;
            var tail = Vector256.Exp(Vector256.LoadUnsafe(ref v, (nuint)last));
            for (int j = 0; j < last; j += Vector256<float>.Count)
            {
                Vector256.Exp(Vector256.LoadUnsafe(ref v, (nuint)j)).StoreUnsafe(ref v, (nuint)j);
            }

            tail.StoreUnsafe(ref v, (nuint)last);
        }
        else
        {
            TensorPrimitives.Exp(values, values);
        }
    }

    private static void IntegerPower(Span<float> values, int degree)
    {
        if (degree == 1)
        {
            return;
        }

        if (degree == 0)
        {
            values.Fill(1f);
            return;
        }

        // Exponentiation by squaring on whole vectors; small degrees (2, 3) cost one or two passes.
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(values.Length);
        var power = rented.AsSpan(0, values.Length);
        values.CopyTo(power);
        bool first = true;
        int e = degree;
        while (e > 0)
        {
            if ((e & 1) != 0)
            {
                if (first)
                {
                    power.CopyTo(values);
                    first = false;
                }
                else
                {
                    TensorPrimitives.Multiply(values, power, values);
                }
            }

            e >>= 1;
            if (e > 0)
            {
                TensorPrimitives.Multiply(power, power, power);
            }
        }

        System.Buffers.ArrayPool<float>.Shared.Return(rented);
    }
}
