using BenchmarkDotNet.Attributes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Benchmarks.Trees;

/// <summary>
/// The split search of one tree node: 10,000 rows × 28 features, all 28 searched (histogram build per feature, then the
/// best Gini or entropy split, or one random threshold per feature for extra trees), with bootstrap-like integer weights
/// or with fractional class weights (every row drawn once: 58% more rows than the bootstrap's distinct ones). The data look like scaled pixels: 8-bit values, 80% of them background.
/// Run: <c>dotnet run -c Release --project benchmarks/Mnist.Classifiers.Benchmarks -- --filter '*SplitSearch*'</c>.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class SplitSearchBenchmarks
{
    private const int Rows = 10_000;
    private const int Features = 28;
    private const int Classes = 10;

    private FeatureBins _bins = null!;
    private int[] _labels = [];
    private double[] _bootstrapWeights = [];
    private double[] _classWeights = [];
    private TreeBuilder _best = null!;
    private TreeBuilder _entropy = null!;
    private TreeBuilder _extra = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(7);
        var values = new float[Rows * Features];
        _labels = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            _labels[r] = random.Next(Classes);
            for (int f = 0; f < Features; f++)
            {
                // Background in 80% of the cells; the others an 8-bit level that leans on the class.
                values[(r * Features) + f] = random.NextDouble() < 0.8 ? 0f : (float)Math.Clamp(random.Next(256) / 2 + (_labels[r] * 12), 1, 255) / 255f;
            }
        }

        _bins = FeatureBins.Build(new FeatureMatrix(values, Features), ComputeBudget.Default.WithThreads(1));
        _bootstrapWeights = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            _bootstrapWeights[random.Next(Rows)]++;
        }

        _classWeights = _labels.Select(label => 0.5 + (label * 0.1)).ToArray();
        var settings = new TreeSettings(false, int.MaxValue, 2, 1, 0, Features, 0, false);
        _best = new TreeBuilder(_bins, _labels, Classes, settings);
        _entropy = new TreeBuilder(_bins, _labels, Classes, settings with { Entropy = true });
        _extra = new TreeBuilder(_bins, _labels, Classes, settings with { ExtraTrees = true });
    }

    [Benchmark(Baseline = true, Description = "Best split, bootstrap weights (packed integer histogram)")]
    public int BestBootstrap() => _best.SearchRoot(_bootstrapWeights, new SeededRandom(1));

    [Benchmark(Description = "Best split, class weights (packed units scaled per class)")]
    public int BestClassWeights() => _best.SearchRoot(_classWeights, new SeededRandom(1));

    [Benchmark(Description = "Best split, entropy, bootstrap weights (table of w log2 w)")]
    public int EntropyBootstrap() => _entropy.SearchRoot(_bootstrapWeights, new SeededRandom(1));

    [Benchmark(Description = "Best split, entropy, class weights (table at units, scaled)")]
    public int EntropyClassWeights() => _entropy.SearchRoot(_classWeights, new SeededRandom(1));

    [Benchmark(Description = "Extra trees, bootstrap weights")]
    public int ExtraBootstrap() => _extra.SearchRoot(_bootstrapWeights, new SeededRandom(1));
}
