using Mnist.Classifiers.Data;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Tests.Preprocessing;

public class StandardScalerTests
{
    [Fact]
    public void Hand_computed_means_population_std_and_constant_column()
    {
        // Column 0: 1, 2, 3, 6 -> mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
        // Column 1: constant 5 -> scale 1, so it maps to 0.
        var x = FeatureMatrix.FromArray(new float[,] { { 1, 5 }, { 2, 5 }, { 3, 5 }, { 6, 5 } });
        var fitted = new StandardScaler().Fit(x);

        fitted.Means.Should().Equal(3.0, 5.0);
        fitted.Variances.Should().Equal(3.5, 0.0);
        fitted.Scales.Should().Equal(Math.Sqrt(3.5), 1.0);

        var z = fitted.Transform(x);
        for (int i = 0; i < 4; i++)
        {
            z[i, 0].Should().BeApproximately((float)((x[i, 0] - 3.0) / Math.Sqrt(3.5)), 1e-6f);
            z[i, 1].Should().Be(0f);
        }
    }

    [Fact]
    public void Flags_switch_centering_and_scaling_off()
    {
        var x = FeatureMatrix.FromArray(new float[,] { { 0 }, { 4 } }); // mean 2, std 2
        new StandardScaler(WithMean: false).Fit(x).Transform(x).ToArray().Should().Equal(0f, 2f);
        new StandardScaler(WithStd: false).Fit(x).Transform(x).ToArray().Should().Equal(-2f, 2f);
        var identity = new StandardScaler(false, false).Fit(x);
        identity.Scales.Should().Equal(1.0);
        identity.Transform(x).ToArray().Should().Equal(0f, 4f);
    }

    [Fact]
    public void Transform_works_on_index_views_and_rejects_wrong_width()
    {
        var x = Synthetic.RandomMatrix(50, 6, 3);
        var fitted = new StandardScaler().Fit(x);
        var view = x.Subset([7, 3, 3]);
        var viaView = fitted.Transform(view);
        viaView.Row(0).ToArray().Should().Equal(fitted.Transform(x).Row(7).ToArray());

        var act = () => fitted.Transform(new FeatureMatrix(new float[5], 5));
        act.Should().Throw<ArgumentException>().WithMessage("*fitted on 6 features*input has 5*");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Means_and_variances_are_the_two_pass_sums_in_row_order_bit_for_bit(int threads)
    {
        // 37 columns: vectors of 8 and 4 values and a scalar tail. Expected: the formula itself, in double, rows in order,
        // each square rounded before it is added (numpy's two passes).
        const int rows = 203, columns = 37;
        var x = Synthetic.RandomMatrix(rows, columns, 8);
        var fitted = new StandardScaler().Fit(x, ComputeBudget.Default.WithThreads(threads));

        for (int j = 0; j < columns; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += x.Row(i)[j];
            }

            double mean = sum / rows, correction = 0, squares = 0;
            for (int i = 0; i < rows; i++)
            {
                double d = x.Row(i)[j] - mean;
                correction += d;
                double square = d * d;
                squares += square;
            }

            fitted.Means[j].Should().Be(mean, $"column {j}");
            fitted.Variances[j].Should().Be((squares - correction * correction / rows) / rows, $"column {j}");
        }
    }

    [Fact]
    public void Fitting_on_a_view_equals_fitting_on_its_copy()
    {
        var x = Synthetic.RandomMatrix(300, 20, 4);
        int[] rows = Enumerable.Range(0, 150).Select(i => (i * 7) % 300).ToArray();
        var a = new StandardScaler().Fit(x.Subset(rows));
        var b = new StandardScaler().Fit(x.Subset(rows).ToContiguous());
        a.Means.Should().Equal(b.Means);
        a.Scales.Should().Equal(b.Scales);
    }

    [Fact]
    public void Rejects_empty_and_non_finite_input()
    {
        var empty = new FeatureMatrix([], 3);
        var act = () => new StandardScaler().Fit(empty);
        act.Should().Throw<ArgumentException>().WithMessage("*no rows*");

        var nan = FeatureMatrix.FromArray(new float[,] { { 1, float.NaN }, { 2, 3 } });
        var act2 = () => new StandardScaler().Fit(nan);
        act2.Should().Throw<ArgumentException>().WithMessage("Column 1*NaN*");
    }

    [PythonFact]
    public void Matches_scikit_learn_on_random_data_including_a_parallel_sized_matrix()
    {
        foreach (var (rows, columns, seed) in new[] { (37, 9, 1), (2000, 130, 2) })
        {
            var x = Synthetic.RandomMatrix(rows, columns, seed);
            var fitted = new StandardScaler().Fit(x);
            float[] ours = fitted.Transform(x).ToArray();

            string input = PythonReference.WriteRaw<float>(x.ToArray());
            string output = PythonReference.NewTempPath();
            string stats = PythonReference.NewTempPath();
            try
            {
                PythonReference.Run(
                    """
                    import sys, numpy as np
                    from sklearn.preprocessing import StandardScaler
                    X = np.fromfile(sys.argv[1], dtype='<f4').reshape(int(sys.argv[4]), -1)
                    s = StandardScaler().fit(X)
                    s.transform(X).astype('<f4').tofile(sys.argv[2])
                    np.concatenate([s.mean_, s.var_, s.scale_]).astype('<f8').tofile(sys.argv[3])
                    """,
                    input, output, stats, rows.ToString());
                double[] reference = PythonReference.ReadRaw<double>(stats);
                float[] expected = PythonReference.ReadRaw<float>(output);

                for (int j = 0; j < columns; j++)
                {
                    fitted.Means[j].Should().BeApproximately(reference[j], 1e-12 * Math.Max(1, Math.Abs(reference[j])));
                    fitted.Variances[j].Should().BeApproximately(reference[columns + j], 1e-12 * Math.Max(1, reference[columns + j]));
                    fitted.Scales[j].Should().BeApproximately(reference[2 * columns + j], 1e-12 * Math.Max(1, reference[2 * columns + j]));
                }

                fitted.Scales[0].Should().Be(1.0, "column 0 is constant");
                // Same operations and roundings as numpy: the transformed values are identical.
                ours.Should().Equal(expected);
            }
            finally
            {
                File.Delete(input);
                File.Delete(output);
                File.Delete(stats);
            }
        }
    }
}
