using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>
/// <see cref="ClassKernelRows"/>: a class's kernel rows made on demand are the rows of the whole kernel matrix made at
/// once (all dot products, then the kernel function row by row) bit for bit, each made once, whichever thread asks.
/// </summary>
public class ClassKernelRowsTests
{
    private const int Columns = 29;

    /// <summary>A class of <paramref name="count"/> samples, taken out of order from a larger matrix (an index view, as in a fit).</summary>
    private static (FeatureMatrix Features, int[] Rows) Samples(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[(count + 40) * Columns];
        for (int i = 0; i < values.Length; i++)
        {
            // Mostly one background value, as standardised digits are, so that the translated products skip depths.
            values[i] = random.NextDouble() < 0.6 ? -0.25f : (float)(random.NextDouble() * 3 - 1);
        }

        var rows = Enumerable.Range(0, count + 40).OrderBy(_ => random.Next()).Take(count).ToArray();
        return (new FeatureMatrix(values, Columns), rows);
    }

    /// <summary>The whole matrix the old way: all products of the class at once, then the kernel function on every row.</summary>
    private static float[] WholeMatrix(FeatureMatrix features, int[] rows, PackedRows packed, KernelFunction kernel)
    {
        int n = rows.Length;
        var values = GramMatrix.Symmetric(features.Subset(rows), packed, ComputeBudget.Default.WithThreads(2));
        for (int s = 0; s < n; s++)
        {
            kernel.Apply(values.AsSpan(s * n, n), packed.SquaredNorms[s], packed.SquaredNorms);
        }

        return values;
    }

    /// <summary>
    /// What a pair problem does for the rows of <paramref name="samples"/>: asks which are missing, computes their products
    /// with the class's packed samples (outside the lock, as a problem does in its batch) and stores them.
    /// </summary>
    private static void Make(ClassKernelRows lazy, FeatureMatrix features, int[] rows, PackedRows packed, ReadOnlySpan<int> samples)
    {
        var missing = new int[samples.Length];
        int m = lazy.Missing(samples, missing);
        int columns = features.Columns;
        var batch = new float[m * columns];
        var products = new float[m * lazy.Size];
        for (int b = 0; b < m; b++)
        {
            features.Row(rows[missing[b]]).CopyTo(batch.AsSpan(b * columns, columns));
        }

        DotProducts.Compute(batch, m, columns, packed, 0, lazy.Size, products, lazy.Size);
        for (int b = 0; b < m; b++)
        {
            lazy.Store(missing[b], products.AsSpan(b * lazy.Size, lazy.Size));
        }
    }

    [Theory]
    [InlineData(SvmKernelType.Rbf, 83)]
    [InlineData(SvmKernelType.Polynomial, 83)]
    [InlineData(SvmKernelType.Rbf, 7)]
    public void Rows_made_on_demand_are_the_whole_matrix_rows_bit_for_bit(SvmKernelType type, int count)
    {
        var (features, rows) = Samples(count, seed: count);
        var kernel = new KernelFunction(type, gamma: 0.05, degree: 3, coef0: 1);
        var background = SvmTrainer.BackgroundFor(type, features);
        var packed = PackedRows.Pack(features.Subset(rows), background);
        var whole = WholeMatrix(features, rows, packed, kernel);
        var lazy = new ClassKernelRows(packed, kernel);

        // Batches of several sizes, out of order, with repeats and rows made before.
        int[][] batches = [[count - 1, 0, 3], [3, 3, 1], [.. Enumerable.Range(0, count).Where(s => s % 5 == 2)], [.. Enumerable.Range(0, count).Reverse()]];
        foreach (var batch in batches)
        {
            Make(lazy, features, rows, packed, batch);
            foreach (int s in batch)
            {
                lazy.Values.AsSpan(s * count, count).ToArray().Select(BitConverter.SingleToInt32Bits)
                    .Should().Equal(whole.AsSpan(s * count, count).ToArray().Select(BitConverter.SingleToInt32Bits), "row {0}", s);
            }
        }

        lazy.RowsMade.Should().Be(count, "each row is made once");
    }

    [Fact]
    public void Rows_are_made_only_when_asked_for_and_once()
    {
        var (features, rows) = Samples(40, seed: 3);
        var kernel = new KernelFunction(SvmKernelType.Rbf, gamma: 0.1, degree: 3, coef0: 0);
        var packed = PackedRows.Pack(features.Subset(rows), SvmTrainer.BackgroundFor(SvmKernelType.Rbf, features));
        var lazy = new ClassKernelRows(packed, kernel);

        lazy.RowsMade.Should().Be(0);
        Make(lazy, features, rows, packed, [5, 9, 5]);
        lazy.RowsMade.Should().Be(2);
        Make(lazy, features, rows, packed, [9, 5]);
        lazy.RowsMade.Should().Be(2);
        Make(lazy, features, rows, packed, [9, 10]);
        lazy.RowsMade.Should().Be(3);
        Make(lazy, features, rows, packed, []);
        lazy.RowsMade.Should().Be(3);
    }

    [Fact]
    public void Threads_asking_for_the_same_rows_at_once_get_the_same_values_stored_once()
    {
        const int Count = 300;
        var (features, rows) = Samples(Count, seed: 11);
        var kernel = new KernelFunction(SvmKernelType.Rbf, gamma: 0.05, degree: 3, coef0: 0);
        var packed = PackedRows.Pack(features.Subset(rows), SvmTrainer.BackgroundFor(SvmKernelType.Rbf, features));
        var whole = WholeMatrix(features, rows, packed, kernel);
        var lazy = new ClassKernelRows(packed, kernel);

        // Four threads walk overlapping batches of up to 16 rows in different orders.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
        {
            var random = new Random(thread);
            var order = Enumerable.Range(0, Count).OrderBy(_ => random.Next()).ToArray();
            for (int start = 0; start < Count; start += 16)
            {
                Make(lazy, features, rows, packed, order.AsSpan(start, Math.Min(16, Count - start)));
            }
        });

        lazy.RowsMade.Should().Be(Count);
        lazy.Values.Select(BitConverter.SingleToInt32Bits).Should().Equal(whole.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_problem_keeping_both_classes_own_kernels_serves_the_rows_of_a_problem_without_them_bit_for_bit()
    {
        // Two classes from one matrix; a second problem of the +1 class makes some of its own rows first, as another
        // pair problem of that class would. Batches mix both sides, own rows missing or made, repeats and cached rows.
        var (features, all) = Samples(90, seed: 5);
        int[] positives = all[..50], negatives = all[50..];
        var kernel = new KernelFunction(SvmKernelType.Rbf, gamma: 0.05, degree: 3, coef0: 0);
        var background = SvmTrainer.BackgroundFor(SvmKernelType.Rbf, features);
        var segments = KernelSegment.WithClassKernels(
            [KernelSegment.Create(features, positives, background), KernelSegment.Create(features, negatives, background)], kernel);
        int[] rows = [.. positives, .. negatives];
        bool[] isPositive = [.. rows.Select((_, i) => i < positives.Length)];
        var plain = BinaryKernelProblem.FromRows(features, rows, isPositive, kernel, background, 1 << 20);
        Make(segments[0].ClassKernel!, features, positives, segments[0].Packed, [3, 7, 11]);
        var problem = new BinaryKernelProblem(features, segments[0], segments[1], kernel, 1 << 20);

        int[][] batches = [[60], [0, 55, 3, 70], [7, 8, 9, 10, 11, 12, 51, 52], [.. Enumerable.Range(0, 90).Reverse()]];
        foreach (var batch in batches)
        {
            var row = problem.GetRow(batch[0], batch[1..]);
            foreach (int i in batch)
            {
                var actual = i == batch[0] ? row : problem.GetRow(i);
                var expected = plain.GetRow(i);
                Enumerable.Range(0, 90).Select(t => BitConverter.SingleToInt32Bits(actual[t]))
                    .Should().Equal(Enumerable.Range(0, 90).Select(t => BitConverter.SingleToInt32Bits(expected[t])), "row {0}", i);
            }
        }

        segments[0].ClassKernel!.RowsMade.Should().Be(50, "every +1 row was asked for once, three of them made before");
        segments[1].ClassKernel!.RowsMade.Should().Be(40);
    }
}
