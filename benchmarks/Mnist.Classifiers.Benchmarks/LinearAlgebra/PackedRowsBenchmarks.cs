using BenchmarkDotNet.Attributes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Benchmarks.LinearAlgebra;

/// <summary>
/// Packing 10,000 MNIST-like rows of 784 features into the micro-kernels' 16-row panels (with their squared norms), as
/// an SVM fit does once for its training rows and a prediction for its test rows: with and without a column
/// background subtracted on the way. Run: <c>dotnet run -c Release --project
/// benchmarks/Mnist.Classifiers.Benchmarks -- --filter '*PackedRows*'</c>; <c>DOTNET_EnableAVX512=0</c> for the AVX2
/// path's register budget.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PackedRowsBenchmarks
{
    private const int Rows = 10_000;
    private const int Columns = 784;

    private FeatureMatrix _matrix = null!;
    private float[] _background = [];

    [GlobalSetup]
    public void Setup()
    {
        _matrix = new FeatureMatrix(KernelBlockData.Random(Rows * Columns, 5), Columns);
        // A background like a standardised pixel's most common value (the background of blank pixels), one per column.
        _background = Enumerable.Range(0, Columns).Select(j => -0.1f - (j % 7 * 0.05f)).ToArray();
    }

    [Benchmark(Baseline = true, Description = "Pack 10,000 × 784, no background, 1 thread")]
    public object Plain() => PackedRows.Pack(_matrix, null, ComputeBudget.Default.WithThreads(1));

    [Benchmark(Description = "Pack 10,000 × 784, background subtracted, 1 thread")]
    public object Translated() => PackedRows.Pack(_matrix, _background, ComputeBudget.Default.WithThreads(1));
}
