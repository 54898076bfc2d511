using System.Globalization;
using System.Numerics;
using System.Text;

namespace Mnist.Classifiers.Metrics;

/// <summary>
/// The few numpy and Python behaviours the reports must reproduce exactly so that their text is identical to
/// scikit-learn's: numpy's pairwise summation order and Python's correctly rounded, round-half-even formatting.
/// </summary>
internal static class NumpyArithmetic
{
    /// <summary>
    /// <c>np.sum</c> of a contiguous double vector: the identity 0 plus numpy's pairwise sum (8 interleaved partial
    /// sums over blocks of up to 128 values, halves above that), so the rounding matches bit for bit.
    /// </summary>
    public static double Sum(ReadOnlySpan<double> values) => 0.0 + PairwiseSum(values);

    /// <summary><c>np.mean</c>: the numpy sum divided by the count.</summary>
    public static double Mean(ReadOnlySpan<double> values) => Sum(values) / values.Length;

    /// <summary><c>np.average(values, weights=weights)</c>: sum(values × weights) / sum(weights).</summary>
    public static double WeightedAverage(ReadOnlySpan<double> values, ReadOnlySpan<int> weights)
    {
        var products = new double[values.Length];
        var weightsAsDouble = new double[weights.Length];
        for (int i = 0; i < values.Length; i++)
        {
            products[i] = values[i] * weights[i];
            weightsAsDouble[i] = weights[i];
        }

        return Sum(products) / Sum(weightsAsDouble);
    }

    private static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double sum = 0.0;
            foreach (double v in a)
            {
                sum += v;
            }

            return sum;
        }

        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }

            double result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                result += a[i];
            }

            return result;
        }

        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(a[..half]) + PairwiseSum(a[half..]);
    }

    /// <summary>
    /// Python's <c>format(value, ".{digits}f")</c>: the exact binary value rounded to <paramref name="digits"/>
    /// decimals, ties to even. (.NET rounds exact ties such as 0.125 away from zero, Python to even: "0.12".)
    /// </summary>
    public static string FormatFixed(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(digits);
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }

        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exponentBits = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        int exponent = (exponentBits == 0 ? 1 : exponentBits) - 1075; // value = mantissa × 2^exponent

        BigInteger scaled = mantissa * BigInteger.Pow(10, digits);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = scaled << exponent;
        }
        else
        {
            BigInteger denominator = BigInteger.One << -exponent;
            rounded = BigInteger.DivRem(scaled, denominator, out BigInteger remainder);
            int comparison = (remainder * 2).CompareTo(denominator);
            if (comparison > 0 || (comparison == 0 && !rounded.IsEven))
            {
                rounded += 1;
            }
        }

        string magnitude = rounded.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        var text = new StringBuilder();
        if (negative)
        {
            text.Append('-');
        }

        text.Append(magnitude, 0, magnitude.Length - digits);
        if (digits > 0)
        {
            text.Append('.').Append(magnitude, magnitude.Length - digits, digits);
        }

        return text.ToString();
    }
}
