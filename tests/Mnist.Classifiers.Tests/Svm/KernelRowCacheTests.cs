using Mnist.Classifiers.Data;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>
/// <see cref="KernelRowCache"/>: rows served again without recomputation, least-recently-used eviction within the byte
/// budget, the rows a caller pins for one allocation never evicted by it, the capacity's bounds, and the row buffers handed
/// from one problem to the next through a <see cref="KernelRowPool"/>.
/// </summary>
public class KernelRowCacheTests
{
    private const int RowBytes = 8 * sizeof(float);

    /// <summary>A cache of 8-float rows holding <paramref name="rows"/> of them.</summary>
    private static KernelRowCache CacheOf(int rows) => new(8, rows * RowBytes);

    private static int[] Cached(KernelRowCache cache, int rowCount = 8) =>
        Enumerable.Range(0, rowCount).Where(cache.Contains).ToArray();

    private static float[] Fill(float[] row, float value)
    {
        Array.Fill(row, value);
        return row;
    }

    [Fact]
    public void A_row_is_a_miss_once_and_then_served_from_the_cache()
    {
        var cache = CacheOf(3);

        cache.TryGet(2).Should().BeNull();
        cache.Misses.Should().Be(1);
        cache.Contains(2).Should().BeFalse();

        float[] row = Fill(cache.Allocate(2), 2.5f);
        row.Should().HaveCount(8, "rows are kept at full length");
        cache.Contains(2).Should().BeTrue();

        cache.TryGet(2).Should().BeSameAs(row).And.OnlyContain(v => v == 2.5f);
        cache.TryGet(2).Should().BeSameAs(row);
        cache.Misses.Should().Be(1, "hits do not count as misses");
        cache.Allocate(2).Should().BeSameAs(row, "allocating a cached row hands back its buffer")
            .And.OnlyContain(v => v == 2.5f, "and does not clear it");
    }

    [Fact]
    public void Computing_a_kernel_row_twice_takes_it_from_the_cache()
    {
        // Linear kernel on four 2-D points: row i is (x_i · x_j) over the problem's order (+1 samples, then −1).
        var features = FeatureMatrix.FromArray(new float[,] { { 1, 0 }, { 0, 2 }, { 3, 1 }, { -1, 1 } });
        var kernel = new KernelFunction(SvmKernelType.Linear, 1, 3, 0);
        var problem = BinaryKernelProblem.FromRows(features, [0, 1, 2, 3], [true, true, false, false], kernel, null, 1 << 20);

        var row = problem.GetRow(2);
        Enumerable.Range(0, 4).Select(t => row[t]).Should().Equal(3f, 2f, 10f, -2f);
        problem.CacheMisses.Should().Be(1);
        problem.IsCached(2).Should().BeTrue();

        row.Positives[row.PositivesStart] = -99f; // a recomputation would overwrite this
        problem.GetRow(2).Positives.Should().BeSameAs(row.Positives);
        problem.GetRow(2)[0].Should().Be(-99f);
        problem.CacheMisses.Should().Be(1);
    }

    [Fact]
    public void A_problem_s_kth_batch_computes_at_most_k_plus_one_rows_the_rows_ahead_the_same_as_alone()
    {
        // 300 samples, 150 a class; each call asks for a missing row with every other missing row as a candidate.
        const int n = 300;
        var features = Synthetic.RandomMatrix(n, 5, 3);
        var kernel = new KernelFunction(SvmKernelType.Rbf, 0.2, 3, 0);
        int[] rows = [.. Enumerable.Range(0, n)];
        bool[] positive = [.. rows.Select(r => r < n / 2)];
        var problem = BinaryKernelProblem.FromRows(features, rows, positive, kernel, null, 1 << 21);
        var reference = BinaryKernelProblem.FromRows(features, rows, positive, kernel, null, 1 << 21);

        for (int k = 0; k <= problem.PrefetchWidth; k++)
        {
            int[] missing = [.. rows.Where(r => !problem.IsCached(r))];
            int i = missing[0];
            int[] candidates = missing[1..];
            int ahead = Math.Min(k, problem.PrefetchWidth - 1);
            long before = problem.Prefetched;

            var row = problem.GetRow(i, candidates);

            problem.Prefetched.Should().Be(before + ahead, $"batch {k} computes the missing row and {ahead} ahead");
            candidates.Take(ahead).Where(c => !problem.IsCached(c)).Should().BeEmpty();
            candidates.Skip(ahead).Where(problem.IsCached).Should().BeEmpty();
            foreach (int r in candidates.Take(ahead).Prepend(i))
            {
                var expected = reference.GetRow(r);
                var actual = r == i ? row : problem.GetRow(r);
                rows.Select(t => actual[t]).Should().Equal(rows.Select(t => expected[t]), $"row {r} of batch {k}");
            }
        }
    }

    [Fact]
    public void The_least_recently_used_row_is_evicted_when_the_budget_is_full()
    {
        var cache = CacheOf(3);
        cache.Capacity.Should().Be(3);
        cache.Allocate(0);
        cache.Allocate(1);
        cache.Allocate(2);
        Cached(cache).Should().Equal(0, 1, 2);

        cache.TryGet(0).Should().NotBeNull(); // recency, most recent first: 0 2 1
        cache.Allocate(3);
        Cached(cache).Should().Equal([0, 2, 3], "row 1 was the least recently used");

        cache.Allocate(4); // evicts 2
        Cached(cache).Should().Equal(0, 3, 4);

        cache.Contains(0).Should().BeTrue(); // Contains does not touch the order: 0 is still the least recent
        cache.Allocate(5);
        Cached(cache).Should().Equal(3, 4, 5);

        cache.Allocate(3); // allocating a cached row makes it the most recent: 3 5 4
        cache.Allocate(6);
        Cached(cache).Should().Equal(3, 5, 6);

        cache.TryGet(4).Should().BeNull("an evicted row is a miss again");
    }

    [Fact]
    public void Pinned_rows_are_not_evicted_by_that_allocation_and_are_evictable_again_afterwards()
    {
        var cache = CacheOf(3);
        float[] pinned = Fill(cache.Allocate(0), 7f);
        Fill(cache.Allocate(1), 1f);
        Fill(cache.Allocate(2), 2f); // least recent first: 0 1 2

        Fill(cache.Allocate(3, pinnedA: 0), 3f);
        Cached(cache).Should().Equal([0, 2, 3], "the pinned least recent row 0 is passed over for row 1");

        Fill(cache.Allocate(4, pinnedA: 3, pinnedB: 0), 4f); // least recent first: 0 2 3; 0 and 3 pinned
        Cached(cache).Should().Equal(0, 3, 4);

        Fill(cache.Allocate(5, pinnedB: 0), 5f); // 0 pinned through the second slot: 3 goes
        Cached(cache).Should().Equal(0, 4, 5);
        pinned.Should().OnlyContain(v => v == 7f, "no new row was written into the pinned row's buffer");
        cache.TryGet(0).Should().BeSameAs(pinned);

        Fill(cache.Allocate(6, pinnedA: 0), 6f); // 0 is now the most recent; 4 is the least recent and goes
        Cached(cache).Should().Equal(0, 5, 6);

        cache.Allocate(1); // least recent first: 5 0 6, so 5 goes
        cache.Allocate(2); // then 0, no longer pinned
        Cached(cache).Should().Equal(1, 2, 6);
    }

    [Theory]
    [InlineData(0L, 2)] // no budget: still the two rows the solver holds at once
    [InlineData(-5L, 2)]
    [InlineData(RowBytes - 1L, 2)] // less than one row
    [InlineData(3L * RowBytes, 3)]
    [InlineData(4L * RowBytes - 1, 3)] // whole rows only
    [InlineData(8L * RowBytes, 8)]
    [InlineData(100L * RowBytes, 8)] // never more than the number of rows
    [InlineData(long.MaxValue, 8)]
    public void Capacity_is_the_whole_rows_in_the_budget_between_two_and_the_row_count(long budgetBytes, int capacity)
    {
        var cache = new KernelRowCache(8, budgetBytes);

        cache.Capacity.Should().Be(capacity);
        for (int i = 0; i < 8; i++)
        {
            cache.Allocate(i, pinnedA: i - 1);
        }

        Cached(cache).Should().Equal(Enumerable.Range(8 - capacity, capacity), "the cache holds exactly its capacity");
    }

    [Fact]
    public void A_budget_below_one_row_still_holds_a_pinned_row_and_a_new_one()
    {
        var cache = new KernelRowCache(8, 1);
        float[] first = Fill(cache.Allocate(0), 1f);
        float[] second = Fill(cache.Allocate(1, pinnedA: 0), 2f);

        Cached(cache).Should().Equal(0, 1);
        first.Should().OnlyContain(v => v == 1f);
        second.Should().NotBeSameAs(first);

        cache.Allocate(2, pinnedA: 1); // 0 is the least recent and not pinned
        Cached(cache).Should().Equal(1, 2);
        second.Should().OnlyContain(v => v == 2f);
    }

    [Fact]
    public void Returned_rows_go_to_the_next_cache_of_the_pool_and_the_cache_is_empty_again()
    {
        var pool = new KernelRowPool(10);
        var first = new KernelRowCache(8, long.MaxValue, pool);
        float[][] rows = [first.Allocate(1), first.Allocate(4), first.Allocate(6)];
        rows.Should().AllSatisfy(row => row.Should().HaveCount(10, "rows are the pool's length"));

        first.ReturnRows();
        Cached(first).Should().BeEmpty();
        first.TryGet(4).Should().BeNull("a returned row is no longer served");

        var second = new KernelRowCache(6, long.MaxValue, pool);
        float[][] reused = [second.Allocate(0), second.Allocate(1), second.Allocate(2)];
        reused.Should().OnlyContain(row => rows.Any(old => ReferenceEquals(old, row)), "the buffers are handed on")
            .And.OnlyHaveUniqueItems();
        second.Allocate(3).Should().NotBeSameAs(rows[0]).And.NotBeSameAs(rows[1]).And.NotBeSameAs(rows[2], "the pool was empty: a new buffer");

        var act = () => new KernelRowCache(11, long.MaxValue, pool);
        act.Should().Throw<ArgumentException>().WithMessage("*hold 10 values*11*");
    }

    [Fact]
    public void The_budget_counts_the_pool_s_row_length()
    {
        var cache = new KernelRowCache(8, 3L * 16 * sizeof(float), new KernelRowPool(16));

        cache.Capacity.Should().Be(3, "three rows of 16 floats fit, not six of 8");
    }

    [Theory]
    [InlineData(SvmKernelType.Rbf)]
    [InlineData(SvmKernelType.Polynomial)]
    public void Problems_sharing_a_pool_of_stale_rows_solve_as_with_new_rows(SvmKernelType type)
    {
        // Every buffer the problems get (rows and batch buffers) has been filled with NaN by an earlier user: a kernel
        // value or product not written in full before it is read would change the steps (or make them NaN).
        var (x, y) = SvmClassifierTests.Blobs(120, [0, 1], 7, seed: 5, spread: 2.5);
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        var positive = y.Select(label => label == 0).ToArray();
        var kernel = new KernelFunction(type, 0.05, 3, 0.1);
        var fresh = SmoSolver.Solve(BinaryKernelProblem.FromRows(x, rows, positive, kernel, null, 1 << 20), 2.0, 2.0, 1e-3, true, 0);

        var pool = new KernelRowPool(x.Rows + 9);
        var stale = Enumerable.Range(0, x.Rows).Select(_ => pool.Rent()).ToArray();
        foreach (var row in stale)
        {
            Array.Fill(row, float.NaN);
        }

        pool.Return(stale);
        var staleBatch = pool.RentBatch(2 * 16, x.Columns);
        Array.Fill(staleBatch.Rows, float.NaN);
        Array.Fill(staleBatch.Products, float.NaN);
        pool.ReturnBatch(staleBatch);
        for (int round = 0; round < 2; round++)
        {
            var problem = BinaryKernelProblem.FromRows(x, rows, positive, kernel, null, 1 << 20, pool);
            var pooled = SmoSolver.Solve(problem, 2.0, 2.0, 1e-3, true, 0);
            problem.ReturnRows();

            pooled.Iterations.Should().Be(fresh.Iterations);
            pooled.Alpha.Should().Equal(fresh.Alpha);
            pooled.Rho.Should().Be(fresh.Rho);
            pool.RentBatch(2 * 16, x.Columns).Should().BeSameAs(staleBatch, "the problem handed the batch buffers on");
            pool.ReturnBatch(staleBatch);
        }

        fresh.Iterations.Should().BeGreaterThan(10);
    }
}
