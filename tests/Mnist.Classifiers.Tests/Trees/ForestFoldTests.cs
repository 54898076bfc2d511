using Mnist.Classifiers.Data;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

/// <summary>A forest after scalers predicts raw rows with its thresholds carried back through the scalers (ForestModel.Fold.cs).</summary>
public class ForestFoldTests
{
    public static TheoryData<string> Scalers() =>
        ["standard", "standard-no-mean", "standard-no-std", "minmax", "minmax-clip", "minmax-range", "standard+minmax-clip"];

    private static IUnfittedTransform[] Steps(string scalers) => scalers switch
    {
        "standard" => [new StandardScaler()],
        "standard-no-mean" => [new StandardScaler(WithMean: false)],
        "standard-no-std" => [new StandardScaler(WithStd: false)],
        "minmax" => [new MinMaxScaler()],
        "minmax-clip" => [new MinMaxScaler(Clip: true)],
        "minmax-range" => [new MinMaxScaler(-3, 7)],
        _ => [new StandardScaler(), new MinMaxScaler(Clip: true)],
    };

    /// <summary>
    /// 8-bit values, some features shifted by 1,000 or scaled by 10⁻⁴: with a large mean, thousands of floats round to one
    /// standardised value, the case where the carried-back threshold is hardest to find.
    /// </summary>
    private static (FeatureMatrix X, int[] Y) PixelLike(int rows, int seed)
    {
        var (x, y) = ForestTestData.Continuous(rows, 10, 3, 4, seed);
        var values = x.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            int feature = i % 10;
            float pixel = MathF.Round(values[i] * 255);
            values[i] = feature % 3 == 1 ? pixel + 1000 : feature % 3 == 2 ? pixel * 1e-4f : pixel;
        }

        return (new FeatureMatrix(values, 10), y);
    }

    [Theory]
    [MemberData(nameof(Scalers))]
    public void Raw_rows_reach_the_leaves_their_transformed_rows_reach(string scalers)
    {
        var (x, y) = PixelLike(500, 3);
        foreach (ForestClassifier forest in new ForestClassifier[] { new RandomForestClassifier { Trees = 8, Seed = 4 }, new ExtraTreesClassifier { Trees = 8, Seed = 4 } })
        {
            var model = new Pipeline(Steps(scalers), forest).Fit(x, y);
            model.PredictsWithoutTransforms.Should().BeTrue();
            var maps = model.Transforms.Cast<IMonotoneFeatureTransform>().ToArray();
            var classifier = (ForestModel)model.Classifier;

            // Probes: the training rows, and for every split a row whose feature sits on the carried-back threshold, one
            // float below and one above it; then large values and −0 in every feature (rows and their transforms must be finite).
            var probes = new List<float>(x.AsSpan().ToArray());
            var baseRow = x.Row(0).ToArray();
            foreach (var node in classifier.Nodes)
            {
                if (node.Left < 0)
                {
                    continue;
                }

                float raw = ForestModel.LargestMappedAtMost(maps, node.Feature, node.Threshold);
                foreach (float value in new[] { raw, MathF.BitDecrement(raw), MathF.BitIncrement(raw) }.Where(float.IsFinite))
                {
                    var row = (float[])baseRow.Clone();
                    row[node.Feature] = value;
                    probes.AddRange(row);
                }
            }

            foreach (float special in new[] { -1e6f, 1e6f, -0f })
            {
                probes.AddRange(Enumerable.Repeat(special, 10));
            }

            var probe = new FeatureMatrix(probes.ToArray(), 10);
            var expected = classifier.PredictProbabilities(model.Transform(probe));
            var actual = model.PredictProbabilities(probe);
            actual.Cast<double>().Should().Equal(expected.Cast<double>(), $"{scalers} then {forest.GetType().Name}: the same leaves, so the same sums bit for bit");
            model.Predict(probe).Should().Equal(classifier.Predict(model.Transform(probe)));
        }
    }

    [Fact]
    public void Values_that_scale_to_an_infinity_are_refused_as_without_the_fold()
    {
        // Feature 1 spreads over 1e-30: its standard deviation is 5e-31, so a raw 1e10 scales past float's range.
        var (x, y) = PixelLike(400, 8);
        var values = x.ToArray();
        for (int r = 0; r < x.Rows; r++)
        {
            values[(r * 10) + 1] = r % 2 == 0 ? 0f : 1e-30f;
        }

        var model = new Pipeline([new StandardScaler()], new RandomForestClassifier { Trees = 4, Seed = 2 }).Fit(new FeatureMatrix(values, 10), y);
        model.PredictsWithoutTransforms.Should().BeTrue();
        var probe = x.Row(0).ToArray();
        probe[1] = 1e10f;
        var row = new FeatureMatrix(probe, 10);
        var expected = FluentActions.Invoking(() => model.Classifier.Predict(model.Transform(row))).Should().Throw<ArgumentException>().Which.Message;
        FluentActions.Invoking(() => model.Predict(row)).Should().Throw<ArgumentException>().Which.Message.Should().Be(expected);
        FluentActions.Invoking(() => model.PredictProbabilities(row)).Should().Throw<ArgumentException>();
        probe[1] = 1e-30f;
        model.Predict(new FeatureMatrix(probe, 10)).Should().Equal(model.Classifier.Predict(model.Transform(new FeatureMatrix(probe, 10))));
    }

    [Fact]
    public void Pipelines_whose_steps_mix_features_transform_first()
    {
        var (x, y) = PixelLike(200, 5);
        new Pipeline([new Pca(Components: 3)], new RandomForestClassifier { Trees = 2 }).Fit(x, y).PredictsWithoutTransforms.Should().BeFalse();
        new Pipeline([new StandardScaler()], new DummyClassifier()).Fit(x, y).PredictsWithoutTransforms.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Scalers))]
    public void The_carried_back_threshold_is_the_largest_float_that_maps_at_or_below_it(string scalers)
    {
        var (x, _) = PixelLike(300, 6);
        var maps = new List<IMonotoneFeatureTransform>();
        var current = x;
        foreach (var step in Steps(scalers))
        {
            var fitted = step.Fit(current);
            maps.Add((IMonotoneFeatureTransform)fitted);
            current = fitted.Transform(current);
        }

        var chain = maps.ToArray();
        float Map(int feature, float value) => chain.Aggregate(value, (v, map) => map.Map(feature, v));
        var random = new Random(7);
        for (int trial = 0; trial < 3000; trial++)
        {
            int feature = random.Next(10);
            float threshold = trial % 10 == 0 ? (float)(random.NextDouble() * 40 - 20) : current.Row(random.Next(current.Rows))[feature] + (float)(random.NextDouble() * 1e-3);
            float raw = ForestModel.LargestMappedAtMost(chain, feature, threshold);
            if (float.IsNaN(raw))
            {
                Map(feature, float.NegativeInfinity).Should().BeGreaterThan(threshold, "NaN only when nothing maps at or below the threshold");
                continue;
            }

            Map(feature, raw).Should().BeLessThanOrEqualTo(threshold);
            if (!float.IsPositiveInfinity(raw))
            {
                Map(feature, MathF.BitIncrement(raw)).Should().BeGreaterThan(threshold, $"feature {feature}, threshold {threshold:R}: {raw:R} is the largest");
            }
        }
    }
}
