using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

public class FeatureBinsTests
{
    /// <summary>1,003 rows × 37 columns (neither a multiple of 8 nor of the 64-feature chunks): column j draws from j + 2 values, −0 among them, in runs.</summary>
    private static FeatureMatrix FewValues()
    {
        const int n = 1003, d = 37;
        var random = new Random(11);
        var values = new float[n * d];
        for (int j = 0; j < d; j++)
        {
            var pool = Enumerable.Range(0, j + 2).Select(v => (float)((v * 1.7) - 3)).ToArray();
            pool[0] = -0f;
            float current = 0;
            for (int r = 0; r < n; r++)
            {
                if (random.Next(3) == 0)
                {
                    current = pool[random.Next(pool.Length)];
                }

                values[(r * d) + j] = current;
            }
        }

        return new FeatureMatrix(values, d);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Exact_bins_number_the_distinct_values_in_order_and_the_row_codes_are_their_transpose(int threads)
    {
        var x = FewValues();
        var bins = FeatureBins.Build(x, ComputeBudget.Default.WithThreads(threads));
        for (int f = 0; f < x.Columns; f++)
        {
            var distinct = Enumerable.Range(0, x.Rows).Select(r => x.Row(r)[f] + 0f).Distinct().Order().ToArray();
            bins.Low[f].Should().Equal(distinct, $"feature {f}'s bins are its distinct values (−0 as +0), ascending");
            bins.High[f].Should().Equal(distinct);
            for (int r = 0; r < x.Rows; r++)
            {
                int code = bins.Codes[(f * x.Rows) + r];
                bins.Low[f][code].Should().Be(x.Row(r)[f] + 0f);
                bins.RowCodes[(r * x.Columns) + f].Should().Be((byte)code);
            }
        }
    }

    [Fact]
    public void Quantile_bins_keep_the_order_of_the_values_and_hold_each_value_between_its_edges()
    {
        const int n = 3001, d = 3;
        var random = new Random(12);
        var values = Enumerable.Range(0, n * d).Select(_ => (float)random.NextDouble()).ToArray();
        var x = new FeatureMatrix(values, d);
        var bins = FeatureBins.Build(x, ComputeBudget.Default);
        for (int f = 0; f < d; f++)
        {
            bins.High[f].Length.Should().BeLessThanOrEqualTo(FeatureBins.MaxBins);
            var byValue = Enumerable.Range(0, n).OrderBy(r => x.Row(r)[f]).ToArray();
            for (int i = 0; i < n; i++)
            {
                int r = byValue[i], code = bins.Codes[(f * n) + r];
                x.Row(r)[f].Should().BeInRange(bins.Low[f][code], bins.High[f][code]);
                bins.RowCodes[(r * d) + f].Should().Be((byte)code);
                if (i > 0)
                {
                    code.Should().BeGreaterThanOrEqualTo(bins.Codes[(f * n) + byValue[i - 1]], "a larger value never gets a smaller bin");
                }
            }
        }
    }
}
