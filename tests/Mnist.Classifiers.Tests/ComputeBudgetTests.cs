namespace Mnist.Classifiers.Tests;

public class ComputeBudgetTests
{
    private const long Gigabyte = 1L << 30;

    [Fact]
    public void The_default_is_every_core_and_a_share_of_free_memory()
    {
        var budget = ComputeBudget.Default;
        budget.MaxDegreeOfParallelism.Should().Be(Environment.ProcessorCount);
        budget.MemoryBytes.Should().BeGreaterThanOrEqualTo(ComputeBudget.MinimumMemoryBytes);
        budget.MemoryBytes.Should().BeLessThanOrEqualTo(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    [Theory]
    [InlineData(8, 3, 3, 2)]   // three parts at once, two threads each (8 / 3 rounds down)
    [InlineData(8, 20, 8, 1)]  // more parts than threads: one thread each, eight at a time
    [InlineData(2, 1, 1, 2)]   // a single part keeps the whole budget
    [InlineData(1, 45, 1, 1)]
    public void Split_divides_threads_and_memory_among_the_parts_that_run_together(int threads, int parts, int concurrent, int threadsEach)
    {
        var budget = new ComputeBudget(threads, 8 * Gigabyte);
        budget.ConcurrentParts(parts).Should().Be(concurrent);
        var each = budget.Split(parts);
        each.MaxDegreeOfParallelism.Should().Be(threadsEach);
        each.MemoryBytes.Should().Be(8 * Gigabyte / concurrent);
        (each.MaxDegreeOfParallelism * concurrent).Should().BeLessThanOrEqualTo(threads, "nesting never oversubscribes the cores");
    }

    [Fact]
    public void Splitting_never_goes_below_the_minimum_memory()
    {
        var budget = new ComputeBudget(64, ComputeBudget.MinimumMemoryBytes);
        budget.Split(64).MemoryBytes.Should().Be(ComputeBudget.MinimumMemoryBytes);
        budget.WithThreads(3).Should().Be(new ComputeBudget(3, ComputeBudget.MinimumMemoryBytes));
        budget.WithMemory(Gigabyte).MemoryBytes.Should().Be(Gigabyte);
        budget.ParallelOptions.MaxDegreeOfParallelism.Should().Be(64);
    }

    [Fact]
    public void Bad_budgets_are_refused()
    {
        ((Action)(() => _ = new ComputeBudget(0, Gigabyte))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxDegreeOfParallelism");
        ((Action)(() => _ = new ComputeBudget(1, 1024))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("memoryBytes");
    }

    [Fact]
    public void The_cancellation_is_handed_down_with_every_derived_budget()
    {
        using var cancel = new CancellationTokenSource();
        var budget = new ComputeBudget(4, Gigabyte, cancel.Token);

        foreach (var derived in new[] { budget.Split(3), budget.WithThreads(1), budget.WithMemory(2 * Gigabyte) })
        {
            derived.Cancellation.Should().Be(cancel.Token);
        }

        budget.ParallelOptions.CancellationToken.Should().Be(cancel.Token);
        budget.WithCancellation(CancellationToken.None).Cancellation.Should().Be(CancellationToken.None);
        ComputeBudget.Default.Cancellation.CanBeCanceled.Should().BeFalse();
    }
}
