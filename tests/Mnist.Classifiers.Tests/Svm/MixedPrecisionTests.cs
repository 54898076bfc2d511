using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>The one-vs-one sums: the four-rows-at-a-time dot products must equal the one-row ones bit for bit.</summary>
public class MixedPrecisionTests
{
    [Fact]
    public void DotRows_equals_Dot_row_by_row_bit_for_bit()
    {
        var random = new SeededRandom(7);
        foreach (int length in new[] { 0, 1, 7, 8, 9, 15, 16, 17, 37, 256, 1001 })
        {
            foreach (int rows in new[] { 1, 3, 4, 5, 9, 13 })
            {
                int stride = length + 3, offset = 2;
                var coefficients = new double[(rows * stride) + offset];
                for (int i = 0; i < coefficients.Length; i++)
                {
                    coefficients[i] = (random.NextDouble() - 0.5) * 1e3;
                }

                var values = new float[length];
                for (int i = 0; i < length; i++)
                {
                    values[i] = (float)random.NextDouble();
                }

                var results = new double[rows];
                MixedPrecision.DotRows(coefficients, stride, offset, values, results);
                for (int r = 0; r < rows; r++)
                {
                    double expected = MixedPrecision.Dot(coefficients.AsSpan((r * stride) + offset, length), values);
                    BitConverter.DoubleToInt64Bits(results[r]).Should().Be(BitConverter.DoubleToInt64Bits(expected), $"length {length}, row {r} of {rows}");
                }
            }
        }
    }
}
