using System.Runtime.CompilerServices;
using System.Numerics.Tensors;

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
                TensorPrimitives.MultiplyAdd(dots, -2f, columnNorms, values);
                TensorPrimitives.Add(values, rowNorm, values);
                TensorPrimitives.Max(values, 0f, values);
                TensorPrimitives.Multiply(values, (float)-Gamma, values);
                TensorPrimitives.Exp(values, values);
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
