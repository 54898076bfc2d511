using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests;

public class ParallelRowsTests
{
    [Theory]
    [InlineData(1, 1_000_000)]
    [InlineData(2, 1_000_000)]
    [InlineData(7, 1_000_000)]
    [InlineData(4, 10)] // below the threshold: one block
    public void Blocks_cover_every_index_once_in_contiguous_ranges(int threads, long totalValues)
    {
        const int count = 1001;
        var hits = new int[count];
        var blocks = new System.Collections.Concurrent.ConcurrentBag<(int Start, int End)>();
        ParallelRows.For(count, totalValues, new ComputeBudget(threads, ComputeBudget.MinimumMemoryBytes), (start, end) =>
        {
            blocks.Add((start, end));
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref hits[i]);
            }
        });

        hits.Should().OnlyContain(h => h == 1);
        var ordered = blocks.OrderBy(b => b.Start).ToArray();
        ordered[0].Start.Should().Be(0);
        ordered[^1].End.Should().Be(count);
        ordered.Zip(ordered.Skip(1)).All(pair => pair.First.End == pair.Second.Start).Should().BeTrue("each block starts where the previous one ends");
        if (totalValues < ParallelRows.ParallelThreshold || threads == 1)
        {
            ordered.Should().ContainSingle("small work or one thread runs as one block");
        }
        else
        {
            ordered.Length.Should().Be(threads * 4);
        }
    }

    [Fact]
    public void No_more_blocks_run_at_once_than_the_budget_allows()
    {
        int running = 0, most = 0;
        ParallelRows.For(64, long.MaxValue, new ComputeBudget(2, ComputeBudget.MinimumMemoryBytes), (_, _) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
        });

        most.Should().BeInRange(1, 2);
    }

    [Fact]
    public void MapRows_gives_the_same_matrix_for_any_thread_count_and_views()
    {
        var source = Synthetic.RandomMatrix(700, 300, seed: 4);
        var view = source.Subset(Enumerable.Range(0, 700).Reverse().ToArray());
        FeatureMatrix Map(FeatureMatrix m, int threads) => ParallelRows.MapRows(m, new ComputeBudget(threads, ComputeBudget.MinimumMemoryBytes), () =>
        {
            var scratch = new float[m.Columns]; // per block, never shared
            return (row, destination) =>
            {
                row.CopyTo(scratch);
                for (int j = 0; j < scratch.Length; j++)
                {
                    destination[j] = scratch[j] * 2 + j;
                }
            };
        });

        var one = Map(view, 1);
        one.Rows.Should().Be(700);
        one[0, 5].Should().Be(source[699, 5] * 2 + 5);
        Map(view, 2).ToArray().Should().Equal(one.ToArray());
        Map(view, 5).ToArray().Should().Equal(one.ToArray());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
