using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.LinearAlgebra;

/// <summary>
/// Each column's most common value, the "background" of rows such as images: translated by it, most values become 0,
/// which <see cref="DotProducts"/> skips. A standard-scaled MNIST pixel that was blank takes the same value −μ/σ in every
/// row, about four in five of them; after the translation a digit has about 150 non-zero values of 784, as the raw
/// pixels had (<see cref="PackedRows.Background"/>).
/// </summary>
internal static class ColumnBackground
{
    /// <summary>Rows looked at: enough to find a value that a quarter of the rows share.</summary>
    private const int SampleRows = 256;

    /// <summary>
    /// The most common value of each column among up to 256 evenly spaced rows, where it is at least a quarter of them
    /// (else 0); null when every column's is 0 (nothing to translate). Deterministic: the same rows give the same values.
    /// Any point would give the same kernel values up to rounding; this one only makes the products cheaper.
    /// </summary>
    public static float[]? Estimate(FeatureMatrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int n = rows.Rows, d = rows.Columns;
        if (n == 0)
        {
            return null;
        }

        int sample = Math.Min(n, SampleRows);
        var values = new float[d * sample];
        for (int s = 0; s < sample; s++)
        {
            var row = rows.Row((int)((long)s * n / sample));
            for (int j = 0; j < d; j++)
            {
                values[(j * sample) + s] = row[j];
            }
        }

        var background = new float[d];
        bool any = false;
        for (int j = 0; j < d; j++)
        {
            var column = values.AsSpan(j * sample, sample);
            column.Sort();
            float best = 0;
            int bestRun = 0;
            for (int start = 0; start < sample;)
            {
                int end = start + 1;
                while (end < sample && column[end].Equals(column[start]))
                {
                    end++;
                }

                if (end - start > bestRun)
                {
                    (best, bestRun) = (column[start], end - start);
                }

                start = end;
            }

            if (4 * bestRun >= sample && float.IsFinite(best) && best != 0)
            {
                background[j] = best;
                any = true;
            }
        }

        return any ? background : null;
    }
}
