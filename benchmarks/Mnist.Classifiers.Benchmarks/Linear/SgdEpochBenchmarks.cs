using BenchmarkDotNet.Attributes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;

namespace Mnist.Classifiers.Benchmarks.Linear;

/// <summary>
/// Five epochs of <see cref="SgdClassifier"/> (stopping rule off) on 20,000 rows × 784 standard-normal features in ten
/// classes: one binary problem alone (bound by streaming the rows from memory) and ten one-vs-rest problems on one
/// and two threads (the problems of a thread share each row while it is in cache), for the hinge and the log loss.
/// Run: <c>dotnet run -c Release --project benchmarks/Mnist.Classifiers.Benchmarks -- --filter '*SgdEpoch*'</c>.
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
public class SgdEpochBenchmarks
{
    private const int Rows = 20_000;
    private const int Features = 784;
    private const int Classes = 10;

    private FeatureMatrix _x = null!;
    private int[] _labels = [];
    private int[] _binaryLabels = [];

    /// <summary>The loss of the fit.</summary>
    [Params(SgdLoss.Hinge, SgdLoss.LogLoss)]
    public SgdLoss Loss { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(3);
        var values = new float[Rows * Features];
        _labels = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            _labels[r] = random.Next(Classes);
            for (int f = 0; f < Features; f++)
            {
                // Box–Muller normals, shifted per class on a few features so that the problems are learnable.
                double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                values[(r * Features) + f] = (float)(normal + (f % Classes == _labels[r] ? 0.5 : 0));
            }
        }

        _x = new FeatureMatrix(values, Features);
        _binaryLabels = _labels.Select(label => label == 3 ? 1 : 0).ToArray();
    }

    private SgdClassifier Options => new() { Loss = Loss, MaxIterations = 5, Tolerance = null, Seed = 1 };

    [Benchmark(Baseline = true, Description = "One binary problem, 1 thread")]
    public double Binary() => Options.Fit(_x, _binaryLabels, ComputeBudget.Default.WithThreads(1)).Intercepts[0];

    [Benchmark(Description = "Ten one-vs-rest problems, 1 thread")]
    public double OneVsRestOneThread() => Options.Fit(_x, _labels, ComputeBudget.Default.WithThreads(1)).Intercepts[0];

    [Benchmark(Description = "Ten one-vs-rest problems, 2 threads")]
    public double OneVsRestTwoThreads() => Options.Fit(_x, _labels, ComputeBudget.Default.WithThreads(2)).Intercepts[0];
}
