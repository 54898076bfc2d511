using Mnist.Classifiers.Data;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Tests.Preprocessing;

public class MinMaxScalerTests
{
    [Fact]
    public void Hand_computed_range_and_constant_column()
    {
        var x = FeatureMatrix.FromArray(new float[,] { { -1, 3 }, { 1, 3 }, { 3, 3 } });
        var fitted = new MinMaxScaler().Fit(x);
        fitted.DataMin.Should().Equal(-1f, 3f);
        fitted.DataMax.Should().Equal(3f, 3f);
        fitted.Transform(x).ToArray().Should().Equal(0f, 0f, 0.5f, 0f, 1f, 0f);
    }

    [Fact]
    public void Custom_range_and_clip()
    {
        var x = FeatureMatrix.FromArray(new float[,] { { 0 }, { 10 } });
        var fitted = new MinMaxScaler(-1, 1).Fit(x);
        fitted.Transform(FeatureMatrix.FromArray(new float[,] { { 5 }, { 20 } })).ToArray().Should().Equal(0f, 3f);
        var clipped = new MinMaxScaler(-1, 1, Clip: true).Fit(x);
        clipped.Transform(FeatureMatrix.FromArray(new float[,] { { -10 }, { 20 } })).ToArray().Should().Equal(-1f, 1f);
    }

    [Fact]
    public void Validate_rejects_an_empty_range()
    {
        var act = () => new MinMaxScaler(1, 1).Validate();
        act.Should().Throw<ArgumentException>().WithMessage("*RangeMin < RangeMax*");
    }

    [PythonFact]
    public void Matches_scikit_learn_bit_for_bit()
    {
        foreach (var (rows, columns, seed, low, high) in new[] { (41, 7, 5, 0.0, 1.0), (1500, 100, 6, -2.0, 3.0) })
        {
            var x = Synthetic.RandomMatrix(rows, columns, seed);
            float[] ours = new MinMaxScaler(low, high).Fit(x).Transform(x).ToArray();
            string input = PythonReference.WriteRaw<float>(x.ToArray());
            string output = PythonReference.NewTempPath();
            try
            {
                PythonReference.Run(
                    """
                    import sys, numpy as np
                    from sklearn.preprocessing import MinMaxScaler
                    X = np.fromfile(sys.argv[1], dtype='<f4').reshape(int(sys.argv[3]), -1)
                    r = (float(sys.argv[4]), float(sys.argv[5]))
                    MinMaxScaler(feature_range=r).fit(X).transform(X).astype('<f4').tofile(sys.argv[2])
                    """,
                    input, output, rows.ToString(), low.ToString("R"), high.ToString("R"));
                ours.Should().Equal(PythonReference.ReadRaw<float>(output));
            }
            finally
            {
                File.Delete(input);
                File.Delete(output);
            }
        }
    }
}
