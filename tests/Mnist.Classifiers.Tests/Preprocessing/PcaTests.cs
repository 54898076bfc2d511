using System.Globalization;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Tests.Preprocessing;

public class PcaTests
{
    [Fact]
    public void Points_on_a_line_have_one_component_along_it()
    {
        // y = 2x + 1 with a little noise across the line: the first axis is (1, 2)/√5, nearly all the variance.
        var rows = new float[40, 2];
        for (int i = 0; i < 40; i++)
        {
            // Each x twice, once on each side of the line, so the noise is uncorrelated with x.
            float x = i / 2 - 10, noise = i % 2 == 0 ? 0.05f : -0.05f;
            rows[i, 0] = x - 2 * noise;
            rows[i, 1] = 2 * x + 1 + noise;
        }

        var fitted = new Pca(Components: 1).Fit(FeatureMatrix.FromArray(rows));
        fitted.ComponentCount.Should().Be(1);
        fitted.Component(0)[0].Should().BeApproximately(1 / Math.Sqrt(5), 1e-7, "the inputs are floats");
        fitted.Component(0)[1].Should().BeApproximately(2 / Math.Sqrt(5), 1e-7);
        fitted.Mean[0].Should().BeApproximately(-0.5, 1e-6);
        fitted.ExplainedVarianceRatio[0].Should().BeGreaterThan(0.9999);
        fitted.NoiseVariance.Should().BeApproximately(5 * 0.05 * 0.05 * 40 / 39, 1e-6, "the variance across the line, divisor n − 1");

        var projected = fitted.Transform(FeatureMatrix.FromArray(rows));
        projected.Columns.Should().Be(1);
        // Row 0 is the line's point (-10, -19) moved across it: centred (-9.5, -19) along it, projection -47.5/√5.
        projected[0, 0].Should().BeApproximately((float)(-47.5 / Math.Sqrt(5)), 1e-4f);
    }

    [Fact]
    public void Validate_names_the_bad_option()
    {
        ((Action)(() => new Pca(Components: 0).Validate())).Should().Throw<ArgumentException>().WithParameterName("Components");
        ((Action)(() => new Pca(VarianceFraction: 1).Validate())).Should().Throw<ArgumentException>().WithParameterName("VarianceFraction");
        ((Action)(() => new Pca(3, 0.5).Validate())).Should().Throw<ArgumentException>().WithMessage("*either Components or VarianceFraction*");
        ((Action)(() => new Pca(Components: 4).Fit(Synthetic.RandomMatrix(3, 10, 1)))).Should().Throw<ArgumentException>()
            .WithMessage("*Components is 4, but 3 rows of 10 features have at most 3*");
    }

    [Fact]
    public void The_fit_does_not_depend_on_the_thread_count_and_survives_a_model_file()
    {
        var x = Synthetic.RandomMatrix(700, 60, 3);
        var one = new Pca(Components: 7, Whiten: true).Fit(x, ComputeBudget.Default.WithThreads(1));
        var four = new Pca(Components: 7, Whiten: true).Fit(x, ComputeBudget.Default.WithThreads(4));
        four.ExplainedVariance.Should().Equal(one.ExplainedVariance);
        Enumerable.Range(0, 7).SelectMany(four.Component).Should().Equal(Enumerable.Range(0, 7).SelectMany(one.Component));
        var projected = one.Transform(x, ComputeBudget.Default.WithThreads(1)).ToArray();
        four.Transform(x, ComputeBudget.Default.WithThreads(4)).ToArray().Should().Equal(projected);

        // Whitened projections have unit variance on the fitting rows.
        var column = Enumerable.Range(0, x.Rows).Select(i => (double)projected[i * 7 + 2]).ToArray();
        double mean = column.Average();
        (column.Sum(v => (v - mean) * (v - mean)) / (x.Rows - 1)).Should().BeApproximately(1, 1e-4);

        using var dir = new TempDirectory();
        var model = new PipelineModel([one], new DummyClassifier().Fit(one.Transform(x), new int[x.Rows]));
        ModelFile.Save(model, dir.File("pca.bin"));
        var loaded = (FittedPca)ModelFile.Load<PipelineModel>(dir.File("pca.bin")).Transforms[0];
        loaded.Whiten.Should().BeTrue();
        loaded.ExplainedVarianceRatio.Should().Equal(one.ExplainedVarianceRatio);
        loaded.Transform(x).ToArray().Should().Equal(projected);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(130, 13)]
    [InlineData(200, 29)]
    [InlineData(2_100, 64)] // 2 bands on 2 threads (at 4·2²² products a band), 1 on 1
    public void The_covariance_s_upper_triangle_is_the_plain_sum_and_the_same_on_any_thread_count(int rows, int columns)
    {
        var x = Synthetic.RandomMatrix(rows, columns, rows + columns);
        var mean = Enumerable.Range(0, columns).Select(j => Enumerable.Range(0, rows).Average(i => (double)x.Row(i)[j])).ToArray();
        var one = Pca.Covariance(x, mean, ComputeBudget.Default.WithThreads(1));
        var two = Pca.Covariance(x, mean, ComputeBudget.Default.WithThreads(2));
        for (int i = 0; i < columns; i++)
        {
            for (int j = i; j < columns; j++)
            {
                double expected = 0, magnitude = 0;
                for (int r = 0; r < rows; r++)
                {
                    double term = (x.Row(r)[i] - mean[i]) * (x.Row(r)[j] - mean[j]);
                    expected += term;
                    magnitude += Math.Abs(term);
                }

                one[(i * columns) + j].Should().BeApproximately(expected, 1e-13 * (magnitude + 1), $"entry ({i}, {j})");
                BitConverter.DoubleToInt64Bits(two[(i * columns) + j]).Should().Be(BitConverter.DoubleToInt64Bits(one[(i * columns) + j]), $"entry ({i}, {j})");
            }
        }
    }

    [Fact]
    public void Constant_columns_leave_the_other_components_as_they_are_and_take_unit_vectors_after_them()
    {
        // 120 rows of 9 varying columns, and the same rows with 4 constant columns put among them (a border of zeros,
        // and a column of 3s): the EVD runs on the varying columns only, so the components are the reduced data's,
        // bit for bit, with zeros in the constant columns; the constant columns' unit vectors come last, with variance 0.
        var random = Synthetic.RandomMatrix(120, 10, 8); // its column 0 is constant: left out
        var reduced = new FeatureMatrix([.. Enumerable.Range(0, 120).SelectMany(i => random.Row(i)[1..].ToArray())], 9);
        int[] constantAt = [0, 4, 5, 12];
        var values = new float[120 * 13];
        for (int i = 0; i < 120; i++)
        {
            int source = 0;
            for (int j = 0; j < 13; j++)
            {
                values[(i * 13) + j] = constantAt.Contains(j) ? (j == 4 ? 3f : 0f) : reduced.Row(i)[source++];
            }
        }

        var widened = new Pca().Fit(new FeatureMatrix(values, 13));
        var alone = new Pca().Fit(reduced);
        widened.ComponentCount.Should().Be(13);
        widened.ExplainedVariance.Take(9).Should().Equal(alone.ExplainedVariance);
        widened.ExplainedVariance.Skip(9).Should().AllBeEquivalentTo(0.0);
        for (int k = 0; k < 9; k++)
        {
            widened.Component(k).Where((_, j) => !constantAt.Contains(j)).Should().Equal(alone.Component(k), $"component {k}");
            widened.Component(k).Where((_, j) => constantAt.Contains(j)).Should().AllBeEquivalentTo(0.0);
        }

        for (int k = 9; k < 13; k++)
        {
            widened.Component(k).Should().Equal(Enumerable.Range(0, 13).Select(j => j == constantAt[k - 9] ? 1.0 : 0.0), $"component {k}");
        }

        widened.Transform(new FeatureMatrix(values, 13)).ToArray().Should().OnlyContain(v => float.IsFinite(v));
    }

    [Theory]
    [InlineData(64, 29)]
    [InlineData(37, 64)]
    public void A_block_s_products_have_the_same_bits_whichever_tile_or_edge_makes_them(int count, int columns)
    {
        // Rows split at odd places go through tiles that start elsewhere, the 4-column and 1-column edges and the
        // single-row path: every entry must come out the same as in one pass over all rows.
        var x = Synthetic.RandomMatrix(count, columns, 5);
        var block = Enumerable.Range(0, count * columns).Select(k => (double)x.Row(k / columns)[k % columns] - 0.4).ToArray();
        var whole = new double[columns * columns];
        Pca.AddBlockProducts(block, count, columns, 0, columns, whole);
        var split = new double[columns * columns];
        int[] cuts = [0, 1, 3, 10, 11, 17, columns];
        for (int c = 0; c + 1 < cuts.Length; c++)
        {
            Pca.AddBlockProducts(block, count, columns, cuts[c], cuts[c + 1], split);
        }

        for (int i = 0; i < columns; i++)
        {
            for (int j = i; j < columns; j++)
            {
                BitConverter.DoubleToInt64Bits(split[(i * columns) + j]).Should().Be(BitConverter.DoubleToInt64Bits(whole[(i * columns) + j]), $"entry ({i}, {j})");
            }
        }
    }

    [PythonFact]
    public void Agrees_with_scikit_learn_full_svd_up_to_sign()
    {
        // Correlated columns, as pixels are: a random mix of 8 latent factors of distinct scales (so that the leading
        // eigenvalues are well apart and their eigenvectors well defined) plus a little noise, and an offset.
        var random = new Random(11);
        const int rows = 900, columns = 50, factors = 8;
        var mixing = new double[factors, columns];
        for (int f = 0; f < factors; f++)
        {
            for (int j = 0; j < columns; j++)
            {
                mixing[f, j] = random.NextDouble() - 0.5;
            }
        }

        var data = new float[rows * columns];
        var latent = new double[factors];
        for (int i = 0; i < rows; i++)
        {
            for (int f = 0; f < factors; f++)
            {
                latent[f] = (random.NextDouble() - 0.5) * (factors - f) * 4;
            }

            for (int j = 0; j < columns; j++)
            {
                double value = 3 + 0.01 * (random.NextDouble() - 0.5);
                for (int f = 0; f < factors; f++)
                {
                    value += latent[f] * mixing[f, j];
                }

                data[i * columns + j] = (float)value;
            }
        }

        var x = new FeatureMatrix(data, columns);
        foreach (var (pca, argument) in new[] { (new Pca(Components: 8), "8"), (new Pca(VarianceFraction: 0.9), "0.9") })
        {
            var ours = pca.Fit(x);
            string input = PythonReference.WriteRaw<float>(data);
            try
            {
                var lines = PythonReference.Run("""
                    import sys, numpy as np
                    from sklearn.decomposition import PCA
                    X = np.fromfile(sys.argv[1], dtype='<f4').reshape(-1, int(sys.argv[2])).astype(np.float64)
                    k = float(sys.argv[3]) if '.' in sys.argv[3] else int(sys.argv[3])
                    p = PCA(n_components=k, svd_solver='full').fit(X)
                    print(' '.join(repr(float(v)) for v in p.explained_variance_))
                    print(' '.join(repr(float(v)) for v in p.explained_variance_ratio_))
                    print(' '.join(repr(float(v)) for v in p.mean_))
                    print(repr(float(p.noise_variance_)))
                    for c in p.components_:
                        print(' '.join(repr(float(v)) for v in c))
                    print(' '.join(repr(float(v)) for v in p.transform(X[:5]).ravel()))
                    """, input, columns.ToString(CultureInfo.InvariantCulture), argument).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var variances = Numbers(lines[0]);
                ours.ComponentCount.Should().Be(variances.Length, $"scikit-learn keeps {variances.Length} components for n_components={argument}");
                ours.ExplainedVariance.Should().Equal(variances, (a, b) => Math.Abs(a - b) <= 1e-6 * variances[0]);
                ours.ExplainedVarianceRatio.Should().Equal(Numbers(lines[1]), (a, b) => Math.Abs(a - b) <= 1e-7);
                ours.Mean.Should().Equal(Numbers(lines[2]), (a, b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b)));
                ours.NoiseVariance.Should().BeApproximately(double.Parse(lines[3], CultureInfo.InvariantCulture), 1e-6 * variances[0]);
                var signs = new double[variances.Length];
                for (int k = 0; k < variances.Length; k++)
                {
                    var reference = Numbers(lines[4 + k]);
                    var component = ours.Component(k);
                    signs[k] = Math.Sign(component.Zip(reference, (a, b) => a * b).Sum());
                    component.Zip(reference, (a, b) => Math.Abs(a - signs[k] * b)).Max().Should().BeLessThan(1e-6, $"component {k}, up to its sign");
                }

                var projected = ours.Transform(x.Take(5)).ToArray();
                var expected = Numbers(lines[4 + variances.Length]);
                for (int i = 0; i < projected.Length; i++)
                {
                    projected[i].Should().BeApproximately((float)(signs[i % variances.Length] * expected[i]), 2e-3f);
                }
            }
            finally
            {
                File.Delete(input);
            }
        }
    }

    private static double[] Numbers(string line) => line.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
