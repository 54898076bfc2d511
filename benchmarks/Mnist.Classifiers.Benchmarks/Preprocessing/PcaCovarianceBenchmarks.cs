using BenchmarkDotNet.Attributes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Benchmarks.Preprocessing;

/// <summary>
/// The PCA's covariance (the upper triangle of Xcᵀ·Xc in double precision) of 20,000 digit-like rows of 784 features:
/// 20,000 · 784 · 785 ≈ 12.3 GFLOP counting the multiply and the add of each of the triangle's products. The part of
/// <see cref="Pca.Fit"/> that grows with the rows (the 350,000-row SVM recipe fits a PCA on all of them).
/// </summary>
public class PcaCovarianceBenchmarks
{
    private const int Rows = 20_000;
    private const int Columns = 784;
    private FeatureMatrix _features = null!;
    private double[] _mean = [];

    [GlobalSetup]
    public void Setup()
    {
        // About 80% zeros and the rest in (0, 1], as min–max-scaled digits are.
        var random = new Random(7);
        var values = new float[Rows * Columns];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.Next(5) == 0 ? (float)random.NextDouble() : 0f;
        }

        _features = new FeatureMatrix(values, Columns);
        _mean = new double[Columns];
        for (int i = 0; i < Rows; i++)
        {
            var row = _features.Row(i);
            for (int j = 0; j < Columns; j++)
            {
                _mean[j] += row[j];
            }
        }

        for (int j = 0; j < Columns; j++)
        {
            _mean[j] /= Rows;
        }
    }

    [Benchmark(Description = "covariance, 20,000 × 784, 1 thread")]
    public double[] OneThread() => Pca.Covariance(_features, _mean, ComputeBudget.Default.WithThreads(1));

    [Benchmark(Description = "covariance, 20,000 × 784, 2 threads")]
    public double[] TwoThreads() => Pca.Covariance(_features, _mean, ComputeBudget.Default.WithThreads(2));
}
