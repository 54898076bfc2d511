using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Tests.TestSupport;

namespace Mnist.Classifiers.Tests.LinearAlgebra;

public class ColumnBackgroundTests
{
    /// <summary>The reference: sort the column and take its first longest run of equal values (ties to the smaller value).</summary>
    private static (float Value, int Count) SortedMode(ReadOnlySpan<float> column)
    {
        var sorted = column.ToArray();
        Array.Sort(sorted);
        float best = 0;
        int bestRun = 0;
        for (int start = 0; start < sorted.Length;)
        {
            int end = start + 1;
            while (end < sorted.Length && sorted[end].Equals(sorted[start]))
            {
                end++;
            }

            if (end - start > bestRun)
            {
                (best, bestRun) = (sorted[start], end - start);
            }

            start = end;
        }

        return (best, bestRun);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Finds_the_value_that_fills_a_fifth_as_sorting_does(int seed)
    {
        var random = new Random(seed);
        // Few distinct values, so that modes of every size and exact ties occur; NaN and both zeros among them.
        float[] palette = [-0f, 0f, float.NaN, 1.5f, -2.25f, 3f, 7f, -7f, 1e-30f, float.PositiveInfinity];
        for (int trial = 0; trial < 2000; trial++)
        {
            int length = random.Next(1, 300);
            int distinct = random.Next(1, palette.Length + 1);
            var column = new float[length];
            for (int i = 0; i < length; i++)
            {
                column[i] = palette[random.Next(distinct)];
            }

            var (value, count) = ColumnBackground.MostCommon(column);
            var (expectedValue, expectedCount) = SortedMode(column);
            if (5 * expectedCount > length)
            {
                count.Should().Be(expectedCount, "trial {0}: [{1}]", trial, string.Join(", ", column));
                // −0 and 0 are one value by Equals; which of the two a column reports does not matter (0 means no background).
                (value.Equals(expectedValue) || (value == 0 && expectedValue == 0)).Should().BeTrue(
                    "trial {0}: {1} against {2} in [{3}]", trial, value, expectedValue, string.Join(", ", column));
            }
            else
            {
                (5 * count).Should().BeLessThanOrEqualTo(length, "no value fills more than a fifth, so none is claimed to");
            }
        }
    }

    [Fact]
    public void Finds_each_standardized_pixel_columns_background()
    {
        // The fit's own use: standardized MNIST-like digits, whose blank pixels share one value per column.
        var images = Synthetic.DigitBlobs(40, seed: 4, digits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], lit: 200, dark: 0, noise: 0);
        var raw = images.ToFeatures();
        var rows = new StandardScaler().Fit(raw).Transform(raw);
        var background = ColumnBackground.Estimate(rows);

        background.Should().NotBeNull();
        for (int j = 0; j < rows.Columns; j++)
        {
            var column = Enumerable.Range(0, ColumnBackground.SampleRows).Select(s => rows[(int)((long)s * rows.Rows / ColumnBackground.SampleRows), j]).ToArray();
            var (mode, count) = SortedMode(column);
            float expected = 4 * count >= column.Length && float.IsFinite(mode) && mode != 0 ? mode : 0;
            background![j].Should().Be(expected, "column {0}", j);
        }
    }
}
