using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

public class TreeBuilderTests
{
    /// <summary>The definition: the last bin in [first, last] whose values are all ≤ t, then the straddling bin's midpoint rule.</summary>
    private static int ReferenceCut(float[] low, float[] high, int first, int last, double t)
    {
        int cut = first - 1;
        for (int b = first; b <= last && high[b] <= t; b++)
        {
            cut = b;
        }

        int straddling = cut + 1;
        return straddling <= last && low[straddling] <= t && t >= (low[straddling] / 2.0) + (high[straddling] / 2.0) ? straddling : cut;
    }

    [Theory]
    [InlineData(2000, 0)]
    [InlineData(2000, 1)]
    [InlineData(2000, 1000)]
    [InlineData(2000, 1999)]
    [InlineData(2003, 2001)]
    public void A_feature_that_differs_in_one_row_of_a_large_node_is_not_taken_for_constant(int rows, int odd)
    {
        // Above the local subtrees (more than 1,536 rows) a drawn feature is first tested for a single code. Here one row
        // differs in feature 0 and is alone in its class, and the other features are constant: the only split, and the
        // tree must find it wherever the row is (first, in the four-row tests, in their remainder).
        var values = new float[rows * 3];
        var labels = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            values[r * 3] = r == odd ? 1f : 0f;
            values[(r * 3) + 1] = 5f;
            values[(r * 3) + 2] = -2f;
            labels[r] = r == odd ? 1 : 0;
        }

        var x = new FeatureMatrix(values, 3);
        foreach (IClassifier learner in new IClassifier[]
        {
            new RandomForestClassifier { Trees = 1, Bootstrap = false, MaxFeatures = MaxFeatures.All, Seed = 2 },
            new ExtraTreesClassifier { Trees = 1, MaxFeatures = MaxFeatures.All, Seed = 2 },
            new RandomForestClassifier { Trees = 1, Bootstrap = false, MaxFeatures = MaxFeatures.All, MaxLeafNodes = 4, Seed = 2 },
        })
        {
            var model = (ForestModel)learner.Fit(x, labels);
            model.NodeCount.Should().Be(3, $"{learner}: one split on feature 0, two pure leaves");
            model.Predict(x).Should().Equal(labels, $"{learner}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_random_cut_is_the_last_bin_at_or_below_the_threshold_for_even_and_uneven_bins(bool quantile)
    {
        var random = new Random(13);
        for (int trial = 0; trial < 2000; trial++)
        {
            int bins = random.Next(1, 257);
            // Evenly spread values (scaled pixels), clustered ones (interpolation guesses far off), or quantile bins (low < high).
            var high = new float[bins];
            float value = (float)(random.NextDouble() * 10 - 5);
            for (int b = 0; b < bins; b++)
            {
                value += trial % 3 == 0 ? 0.25f : (float)(random.NextDouble() < 0.9 ? 1e-3 : 50 * random.NextDouble()) + 1e-3f;
                high[b] = value;
            }

            var low = quantile ? high.Select((h, b) => b == 0 ? h - 0.1f : MathF.BitIncrement(high[b - 1])).Select((l, b) => Math.Min(l, high[b])).ToArray() : high;
            int first = random.Next(bins), last = random.Next(first, bins);
            double min = low[first], max = high[last];
            for (int k = 0; k < 5; k++)
            {
                double t = k == 4 ? min : min + ((max - min) * random.NextDouble());
                TreeBuilder.RandomCut(low, high, first, last, t).Should().Be(ReferenceCut(low, high, first, last, t), $"trial {trial}, bins {first}..{last}, t = {t}");
            }
        }
    }
}
