namespace Mnist.Classifiers;

/// <summary>
/// The cores and memory that one piece of work may use: a fit, a prediction or a transform. Meta-estimators hand
/// it down to their parts (a search to its folds × candidates, an ensemble to its members, the SVM to its pair
/// problems) after dividing it with <see cref="Split"/>, so that nesting never runs more threads than the budget
/// allows or multiplies memory (scikit-learn's <c>n_jobs</c>, made to compose).
/// </summary>
/// <remarks>
/// A budget may also carry a <see cref="Cancellation"/> token, handed down with the threads and memory so that a
/// search or an ensemble can stop the fits it started: long loops check it at coarse points (an SMO solver every
/// few thousand iterations, a forest between trees, SGD between epochs) and throw
/// <see cref="OperationCanceledException"/>; nothing is written by a fit, so a cancelled one leaves nothing behind.
/// It may carry a <see cref="Progress"/> sink too, to which the work reports its coarse steps (pair problems, trees,
/// members, epochs). Only the work the budget is given to reports: <see cref="Split"/> leaves the sink out of the
/// parts' budgets, so a search's fits or an ensemble's members never report as if they were the whole.
/// A budget changes only how fast work runs, never its result: every learner in the library gives the same model
/// for the same seed whatever <see cref="MaxDegreeOfParallelism"/> is (work is divided into blocks whose results do
/// not depend on which thread runs them), and a smaller <see cref="MemoryBytes"/> only means less caching.
/// </remarks>
public sealed record ComputeBudget
{
    /// <summary>The smallest memory budget, so that a deep split still leaves each part a working cache.</summary>
    public const long MinimumMemoryBytes = 16L << 20;

    /// <summary>The share of the memory free at start that <see cref="Default"/> takes.</summary>
    public const double DefaultMemoryFraction = 0.5;

    /// <summary>A budget of <paramref name="maxDegreeOfParallelism"/> threads and <paramref name="memoryBytes"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one thread, or less than <see cref="MinimumMemoryBytes"/>.</exception>
    /// <param name="maxDegreeOfParallelism">The most threads at once.</param>
    /// <param name="memoryBytes">The most memory for buffers and caches.</param>
    /// <param name="cancellation">Stops the work when cancelled; none by default.</param>
    public ComputeBudget(int maxDegreeOfParallelism, long memoryBytes, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBytes, MinimumMemoryBytes);
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        MemoryBytes = memoryBytes;
        Cancellation = cancellation;
    }

    /// <summary>The most threads the work may run at once (at least 1).</summary>
    public int MaxDegreeOfParallelism { get; }

    /// <summary>The most memory the work may use for its own buffers and caches, in bytes.</summary>
    public long MemoryBytes { get; }

    /// <summary>When cancelled, the work stops at its next check with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>
    /// Where the work reports its coarse steps (called from worker threads, so it must be thread-safe); null for
    /// nowhere. Not handed to the parts of a <see cref="Split"/>.
    /// </summary>
    public IProgress<FitProgress>? Progress { get; private init; }

    /// <summary>
    /// Every core of the machine and <see cref="DefaultMemoryFraction"/> of the memory the runtime sees as free now
    /// (the physical or container limit less what is in use).
    /// </summary>
    public static ComputeBudget Default => new(Environment.ProcessorCount, DefaultMemory());

    /// <summary>This budget with at most <paramref name="threads"/> threads (memory unchanged).</summary>
    public ComputeBudget WithThreads(int threads) => new(threads, MemoryBytes, Cancellation) { Progress = Progress };

    /// <summary>This budget with <paramref name="memoryBytes"/> of memory (threads unchanged).</summary>
    public ComputeBudget WithMemory(long memoryBytes) => new(MaxDegreeOfParallelism, memoryBytes, Cancellation) { Progress = Progress };

    /// <summary>This budget, stopped by <paramref name="cancellation"/> (threads and memory unchanged).</summary>
    public ComputeBudget WithCancellation(CancellationToken cancellation) => new(MaxDegreeOfParallelism, MemoryBytes, cancellation) { Progress = Progress };

    /// <summary>This budget, reporting its work's steps to <paramref name="progress"/> (null: to nowhere).</summary>
    public ComputeBudget WithProgress(IProgress<FitProgress>? progress) => new(MaxDegreeOfParallelism, MemoryBytes, Cancellation) { Progress = progress };

    /// <summary>Reports that <paramref name="completed"/> of <paramref name="total"/> steps of <paramref name="stage"/> are done, when a sink is set.</summary>
    internal void Report(string stage, int completed, int total) => Progress?.Report(new FitProgress(stage, completed, total));

    /// <summary>How many of <paramref name="parts"/> independent parts run at once: one per thread, at most all of them.</summary>
    public int ConcurrentParts(int parts) => Math.Clamp(parts, 1, MaxDegreeOfParallelism);

    /// <summary>
    /// The budget of each of <paramref name="parts"/> parts run <see cref="ConcurrentParts"/> at a time: the threads
    /// and the memory divided evenly among the parts that run together (at least one thread each), with the same
    /// cancellation and no <see cref="Progress"/> sink (the whole reports its parts).
    /// </summary>
    public ComputeBudget Split(int parts)
    {
        int concurrent = ConcurrentParts(parts);
        return new ComputeBudget(
            Math.Max(1, MaxDegreeOfParallelism / concurrent), Math.Max(MinimumMemoryBytes, MemoryBytes / concurrent), Cancellation);
    }

    /// <summary>Options for <see cref="Parallel"/> loops that respect the thread budget and its cancellation.</summary>
    public ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = MaxDegreeOfParallelism, CancellationToken = Cancellation };

    /// <summary>The budget given, or <see cref="Default"/> when none was.</summary>
    internal static ComputeBudget OrDefault(ComputeBudget? budget) => budget ?? Default;

    private static long DefaultMemory()
    {
        var info = GC.GetGCMemoryInfo();
        long free = info.TotalAvailableMemoryBytes - Math.Max(info.MemoryLoadBytes, GC.GetTotalMemory(false));
        return Math.Max(MinimumMemoryBytes, (long)(free * DefaultMemoryFraction));
    }
}
