using System.Globalization;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Benchmarks;

/// <summary>
/// Dot-product blocks C = A·Bᵀ (M rows of A, N packed rows of B, depth K) with the blocked micro-kernel on one and on
/// both cores, against <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per pair. The
/// shapes are the derived classes' parameters.
/// Run: <c>dotnet run -c Release --project benchmarks/Mnist.Classifiers.Benchmarks -- --filter '*KernelBlock*'</c>.
/// </summary>
[Config(typeof(KernelBlockConfig))]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public abstract class KernelBlockBenchmarks
{
    private protected float[] _a = [];
    private protected float[] _b = [];
    private protected FeatureMatrix _aMatrix = null!;
    private protected PackedRows _packed = null!;
    private protected float[] _c = [];

    /// <summary>Rows of A.</summary>
    public abstract int M { get; set; }

    /// <summary>Rows of B (packed).</summary>
    public abstract int N { get; set; }

    /// <summary>Depth (features).</summary>
    public abstract int K { get; set; }

    /// <summary>The seed of A's values; B's is the next one.</summary>
    protected abstract int Seed { get; }

    [GlobalSetup]
    public void Setup()
    {
        _a = KernelBlockData.Random(M * K, Seed);
        _b = KernelBlockData.Random(N * K, Seed + 1);
        _aMatrix = new FeatureMatrix(_a, K);
        _packed = PackedRows.Pack(_b, N, K);
        _c = new float[M * N];
    }

    [Benchmark(Description = "Packed micro-kernel, 1 thread")]
    public void MicroKernelOneThread() => DotProducts.Compute(_a, M, K, _packed, 0, N, _c, N);

    [Benchmark(Description = "Packed micro-kernel, 2 threads")]
    public void MicroKernelTwoThreads() => DotProducts.Compute(_aMatrix, _packed, _c, N, 2);

    [Benchmark(Baseline = true, Description = "TensorPrimitives.Dot per pair, 1 thread")]
    public void TensorPrimitivesDotOneThread()
    {
        int k = K, n = N;
        for (int i = 0; i < M; i++)
        {
            var x = _a.AsSpan(i * k, k);
            var row = _c.AsSpan(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] = TensorPrimitives.Dot(x, _b.AsSpan(j * k, k));
            }
        }
    }
}

/// <summary>
/// All pairs of dot products, 2016 × 784 by 2048 × 784 (a kernel-matrix block); also the AVX2 kernels forced and
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> on both cores.
/// </summary>
public class KernelBlockAllPairsBenchmarks : KernelBlockBenchmarks
{
    /// <inheritdoc />
    [Params(2016)]
    public override int M { get; set; }

    /// <inheritdoc />
    [Params(2048)]
    public override int N { get; set; }

    /// <inheritdoc />
    [Params(784)]
    public override int K { get; set; }

    /// <inheritdoc />
    protected override int Seed => 1;

    // The AVX2 kernels forced, as on a processor without AVX-512 (Zen 3): on these mostly-zero rows the 2 x 48 tile,
    // on dense ones the 6 x 16 tile.
    [Benchmark(Description = "Packed AVX2 micro-kernel, 1 thread")]
    public void Avx2MicroKernelOneThread() =>
        DotProducts.Compute(_a, M, K, _packed, 0, N, _c, N, DotProducts.DefaultBlocking, KernelSet.Avx2);

    [Benchmark(Description = "Packed AVX2 micro-kernel, 2 threads")]
    public void Avx2MicroKernelTwoThreads() =>
        DotProducts.Compute(_aMatrix, _packed, _c, N, 2, DotProducts.DefaultBlocking, KernelSet.Avx2);

    // The AVX-512 kernels forced where they exist (else the default), to compare with the AVX2 rows on a processor whose
    // default is AVX2 although it has AVX-512 (a Zen 4: KernelSets.HalfRate512).
    [Benchmark(Description = "Packed AVX-512 micro-kernel (if any), 1 thread")]
    public void Avx512MicroKernelOneThread() =>
        DotProducts.Compute(_a, M, K, _packed, 0, N, _c, N, DotProducts.DefaultBlocking,
            KernelSets.IsSupported(KernelSet.Avx512) ? KernelSet.Avx512 : KernelSets.Best);

    [Benchmark(Description = "TensorPrimitives.Dot per pair, 2 threads")]
    public void TensorPrimitivesDotTwoThreads()
    {
        int k = K, n = N;
        float[] a = _a, b = _b, c = _c;
        Parallel.For(0, M, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var x = a.AsSpan(i * k, k);
            var row = c.AsSpan(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] = TensorPrimitives.Dot(x, b.AsSpan(j * k, k));
            }
        });
    }
}

/// <summary>
/// The SVM's kernel-row shapes: a handful of rows against 12,000 packed training rows of 784 features.
/// </summary>
public class KernelBlockRowsBenchmarks : KernelBlockBenchmarks
{
    /// <summary>Rows of A (kernel rows computed together).</summary>
    [Params(1, 8, 32, 128)]
    public override int M { get; set; }

    /// <summary>Packed training rows.</summary>
    [Params(12000)]
    public override int N { get; set; }

    /// <inheritdoc />
    [Params(784)]
    public override int K { get; set; }

    /// <inheritdoc />
    protected override int Seed => 3;
}

internal static class KernelBlockData
{
    /// <summary>MNIST-like scaled pixels: mostly zeros, the rest in (0, 1].</summary>
    public static float[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = random.NextDouble() < 0.8 ? 0f : random.Next(1, 256) / 255f;
        }

        return values;
    }
}

/// <summary>Adds the GFLOP/s column (2·M·N·K floating-point operations per call over the median time).</summary>
public sealed class KernelBlockConfig : ManualConfig
{
    public KernelBlockConfig()
    {
        AddColumn(new GflopsColumn());
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>
/// GFLOP/s = 2·M·N·K / median time, with M, N, K read from the benchmark's parameters (a multiply and an add
/// per term of every dot product).
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s (median)";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·M·N·K floating-point operations divided by the median time per call, in 10^9 per second";

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || statistics.Median <= 0)
        {
            return "-";
        }

        double flops = 2.0;
        foreach (string name in new[] { "M", "N", "K" })
        {
            flops *= Convert.ToDouble(benchmarkCase.Parameters[name], CultureInfo.InvariantCulture);
        }

        // ResultStatistics are in nanoseconds: flops / ns = GFLOP/s.
        return (flops / statistics.Median).ToString("F1", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
