using Mnist.Classifiers.Data;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class SmoSolverTests
{
    [Theory]
    [InlineData(SvmKernelType.Rbf, true, 151)]
    [InlineData(SvmKernelType.Rbf, false, 151)]
    [InlineData(SvmKernelType.Linear, true, 151)]
    [InlineData(SvmKernelType.Sigmoid, true, 151)]
    [InlineData(SvmKernelType.Rbf, true, 159)]
    public void Every_vector_width_takes_the_same_steps_to_the_same_solution(SvmKernelType type, bool shrinking, int samples)
    {
        // The vector loops and their scalar tails both run: 151 = 9 · 16 + 7 (the j scan's pairs of 8-float vectors, then
        // the scalar tail), 159 = 9 · 16 + 8 + 7 (a lone vector after the pairs too). The update of v also goes in pairs of
        // vectors: 16 doubles on AVX-512 (151: pairs, tail; 159: a lone vector too), 8 on AVX2 (both: a lone vector).
        var (x, y) = SvmClassifierTests.Blobs(samples, [0, 1], 7, seed: 21, spread: 2.5);
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        var positive = y.Select(label => label == 0).ToArray();
        var kernel = new KernelFunction(type, 0.05, 3, 0.1);
        BinarySolution Solve(VectorWidth width) =>
            SmoSolver.Solve(BinaryKernelProblem.FromRows(x, rows, positive, kernel, null, 1 << 20), 2.0, 2.0, 1e-3, shrinking, 0, vectorWidth: width);

        var widest = Solve(VectorWidth.Widest);
        foreach (var width in new[] { VectorWidth.Bits256, VectorWidth.Scalar })
        {
            var other = Solve(width);
            other.Iterations.Should().Be(widest.Iterations, $"{width}");
            other.Alpha.Should().Equal(widest.Alpha, $"{width}");
            other.Rho.Should().Be(widest.Rho);
            other.Objective.Should().Be(widest.Objective);
        }

        widest.Iterations.Should().BeGreaterThan(10);
        widest.Alpha.Count(a => a > 0).Should().BeGreaterThan(2);
    }

    [Theory]
    [InlineData(SvmKernelType.Rbf, 68)]
    [InlineData(SvmKernelType.Linear, 72)]
    public void Every_vector_width_breaks_ties_between_identical_samples_the_same_way(SvmKernelType type, int perClass)
    {
        // Each sample three times: the copies have the same v at every step, so the scans meet exact ties and must take
        // the larger index, as LIBSVM's scalar scans do (another copy gets other multipliers). The problem keeps the +1
        // samples first, so the copies of a sample stand perClass apart: 68 = 8 · 8 + 4 puts them in the same lane of
        // the AVX2 update of v but in vectors of the other parity (its even and odd lane sets), 72 = 16 · 4 + 8 does the
        // same for the AVX-512 update and for the j scan's pairs of 8-float vectors.
        var (blobs, labels) = SvmClassifierTests.Blobs(perClass, [0, 1], 5, seed: 3, spread: 2.0);
        int n = blobs.Rows;
        var x = FeatureMatrix.FromRows([.. Enumerable.Range(0, 3 * n).Select(r => blobs.Row(r % n).ToArray())]);
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        var positive = Enumerable.Range(0, x.Rows).Select(r => labels[r % n] == 0).ToArray();
        var kernel = new KernelFunction(type, 0.1, 3, 0);
        BinarySolution Solve(VectorWidth width) =>
            SmoSolver.Solve(BinaryKernelProblem.FromRows(x, rows, positive, kernel, null, 1 << 20), 1.0, 1.0, 1e-3, shrinking: true, 0, vectorWidth: width);

        var scalar = Solve(VectorWidth.Scalar);
        foreach (var width in new[] { VectorWidth.Bits256, VectorWidth.Widest })
        {
            var other = Solve(width);
            other.Iterations.Should().Be(scalar.Iterations, $"{width}");
            other.Alpha.Should().Equal(scalar.Alpha, $"{width}");
        }

        scalar.Iterations.Should().BeGreaterThan(10);
    }

    [Fact]
    public void Kernel_batches_are_made_of_rows_not_cached_yet()
    {
        // The scans offer a batch only samples whose rows the cache lacks, so a problem's batches fill up to PrefetchWidth
        // once under way; offered the best-placed samples outright, most of whose rows were cached, they held 3–5 rows on
        // MNIST. Counts, not times: the solver's steps and the cache's contents do not depend on the machine.
        var (x, y) = SvmClassifierTests.Blobs(1500, [0, 1], 12, seed: 5, spread: 3.0);
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        var positive = y.Select(label => label == 0).ToArray();
        var problem = BinaryKernelProblem.FromRows(x, rows, positive, new KernelFunction(SvmKernelType.Rbf, 0.05, 3, 0), null, 64 << 20);
        var solution = SmoSolver.Solve(problem, 4.0, 4.0, 1e-3, shrinking: true, 0);

        // Here: 346 batches of 7.9 rows on average (8 at most); offered the best-placed samples, 810 batches of 3.4.
        long batches = solution.KernelRowsComputed - solution.RowsPrefetched;
        problem.PrefetchWidth.Should().Be(8, "1,500 samples of 12 features are far below the 8 MiB a batch may read at that width");
        ((double)solution.KernelRowsComputed / batches).Should().BeGreaterThan(0.75 * problem.PrefetchWidth);
        solution.PrefetchedRowsUsed.Should().BeGreaterThan(solution.RowsPrefetched * 9 / 10, "the rows computed ahead are the ones the solver goes on to pick");
    }

    [Theory]
    [InlineData(2_600, 784, 8)] // 8.15 MB of samples a batch reads (both classes': no class kernels here)
    [InlineData(2_700, 784, 16)] // 8.47 MB
    [InlineData(20_000, 100, 8)]
    [InlineData(21_000, 100, 16)]
    public void A_batch_takes_16_rows_when_the_samples_it_reads_pass_8_MiB(int samples, int features, int width)
    {
        var x = Synthetic.RandomMatrix(samples, features, 1);
        var rows = Enumerable.Range(0, samples).ToArray();
        var positive = rows.Select(r => r % 2 == 0).ToArray();
        var problem = BinaryKernelProblem.FromRows(x, rows, positive, new KernelFunction(SvmKernelType.Rbf, 0.05, 3, 0), null, 1 << 20);

        problem.PrefetchWidth.Should().Be(width);
    }

    [Fact]
    public void The_top_candidates_keep_the_largest_keys()
    {
        var top = new TopCandidates(3);
        top.Threshold.Should().Be(double.NegativeInfinity);
        double[] keys = [5, 1, 9, 3, 7, 2, 8];
        for (int i = 0; i < keys.Length; i++)
        {
            top.Offer(keys[i], i);
        }

        top.Indices.ToArray().Order().Should().Equal(2, 4, 6); // keys 9, 7, 8
        top.Threshold.Should().Be(7);
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(7, false)]
    [InlineData(16, true)]
    [InlineData(7, true)]
    public void The_top_candidates_follow_the_plain_rule_key_by_key(int capacity, bool excluding)
    {
        // The rule: excluded indices never enter (the solver excludes the rows already cached); of the others, fill up,
        // then a key above the smallest replaces the first smallest. Keys with many ties and zeros of both signs, checked
        // against that rule written plainly after every offer.
        var random = new Random(capacity);
        Func<int, bool>? excluded = excluding ? i => i % 3 == 1 || (i > 200 && i % 5 == 0) : null;
        var top = new TopCandidates(capacity, excluded);
        var keys = new List<double>();
        var indices = new List<int>();
        for (int round = 0; round < 3; round++)
        {
            top.Clear();
            keys.Clear();
            indices.Clear();
            for (int i = 0; i < 400; i++)
            {
                double key = random.Next(5) == 0 ? (random.Next(2) == 0 ? 0.0 : -0.0) : random.Next(-30, 30) / 4.0;
                top.Offer(key, i);
                bool enters = excluded is null || !excluded(i);
                if (!enters)
                {
                    top.Indices.ToArray().Should().NotContain(i);
                }
                else if (keys.Count < capacity)
                {
                    keys.Add(key);
                    indices.Add(i);
                }
                else
                {
                    int first = 0;
                    for (int t = 1; t < keys.Count; t++)
                    {
                        if (keys[t] < keys[first])
                        {
                            first = t;
                        }
                    }

                    if (key > keys[first])
                    {
                        keys[first] = key;
                        indices[first] = i;
                    }
                }

                top.Indices.ToArray().Should().Equal(indices, "after offering key {0} as index {1}", key, i);
                top.Threshold.Should().Be(keys.Count < capacity ? double.NegativeInfinity : keys.Min());
            }
        }
    }
}
