namespace Mnist.Classifiers.Svm;

/// <summary>What training an <see cref="SvmModel"/> took, per one-vs-one problem in LIBSVM's pair order.</summary>
/// <param name="Iterations">SMO iterations of each pair problem.</param>
/// <param name="Objectives">The dual objective ½αᵀQα − eᵀα reached by each pair problem.</param>
/// <param name="KernelRowsComputed">Kernel rows computed by all the solvers (cache misses).</param>
/// <param name="ReachedIterationLimit">True when some problem stopped at the iteration limit, before the tolerance.</param>
/// <param name="Elapsed">The wall time of the fit.</param>
/// <param name="KernelRowsPrefetched">Kernel rows computed ahead of need (included in <paramref name="KernelRowsComputed"/>).</param>
/// <param name="PrefetchedRowsUsed">Of the prefetched rows, those the solvers read later.</param>
public sealed record SvmTrainingReport(
    IReadOnlyList<long> Iterations,
    IReadOnlyList<double> Objectives,
    long KernelRowsComputed,
    bool ReachedIterationLimit,
    TimeSpan Elapsed,
    long KernelRowsPrefetched = 0,
    long PrefetchedRowsUsed = 0)
{
    /// <summary>The total SMO iterations over all pair problems.</summary>
    public long TotalIterations => Iterations.Sum();
}
