using System.Numerics.Tensors;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>The RBF kernel's one-pass distances and its exponential: bit for bit the element-wise passes they replaced.</summary>
public class KernelFunctionTests
{
    [Fact]
    public void Rbf_values_equal_the_five_element_wise_passes_bit_for_bit()
    {
        var random = new SeededRandom(3);
        var kernel = new KernelFunction(SvmKernelType.Rbf, 0.0123, 3, 0);
        foreach (int n in new[] { 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100, 784, 1000, 6616 })
        {
            var dots = new float[n];
            var norms = new float[n];
            for (int j = 0; j < n; j++)
            {
                norms[j] = (float)(random.NextDouble() * 50);
                // Near-equal rows too, whose distance rounds to a small negative number and is clamped.
                dots[j] = j % 5 == 0 ? norms[j] * 0.5f + 4e-6f : (float)((random.NextDouble() - 0.3) * 40);
            }

            float rowNorm = norms[0];
            var expected = new float[n];
            TensorPrimitives.MultiplyAdd(dots, -2f, norms, expected);
            TensorPrimitives.Add(expected, rowNorm, expected);
            TensorPrimitives.Max(expected, 0f, expected);
            TensorPrimitives.Multiply(expected, (float)-kernel.Gamma, expected);
            TensorPrimitives.Exp(expected, expected);

            var separate = new float[n];
            kernel.Apply(dots, separate, rowNorm, norms);
            var inPlace = (float[])dots.Clone();
            kernel.Apply(inPlace, rowNorm, norms);

            for (int j = 0; j < n; j++)
            {
                BitConverter.SingleToInt32Bits(separate[j]).Should().Be(BitConverter.SingleToInt32Bits(expected[j]), $"n = {n}, j = {j}");
                BitConverter.SingleToInt32Bits(inPlace[j]).Should().Be(BitConverter.SingleToInt32Bits(expected[j]), $"in place, n = {n}, j = {j}");
            }
        }
    }

    [Fact]
    public void The_exponential_in_place_equals_the_tensor_library_bit_for_bit()
    {
        // Every length up to a few vectors (the overlapping last vector, the shorter paths) and a long row; arguments
        // from far below the underflow (e^x = 0) to above the overflow (+∞), with zeros of both signs and a NaN.
        var random = new SeededRandom(11);
        float[] special = [0f, -0f, -1e-30f, -87.3f, -103.9f, -104f, -1e4f, 88.7f, 88.8f, float.NaN, float.NegativeInfinity];
        foreach (int n in Enumerable.Range(1, 70).Append(1000).Append(4099))
        {
            var values = new float[n];
            for (int j = 0; j < n; j++)
            {
                values[j] = j % 7 == 3 ? special[(j / 7) % special.Length] : (float)((random.NextDouble() * 130) - 110);
            }

            var expected = new float[n];
            TensorPrimitives.Exp(values, expected);
            KernelFunction.ExpInPlace(values);
            for (int j = 0; j < n; j++)
            {
                BitConverter.SingleToInt32Bits(values[j]).Should().Be(BitConverter.SingleToInt32Bits(expected[j]), $"n = {n}, j = {j}");
            }
        }
    }
}
