using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

/// <summary>
/// <see cref="GramMatrix.Symmetric"/>: the dot products of contiguous rows and index views (sizes below, at and across
/// the 240-row blocks), every entry of both triangles the documented chain of fused multiply–adds bit for bit; and the
/// parallel packing of rows the same as the sequential one.
/// </summary>
public class GramMatrixTests
{
    private static FeatureMatrix Pixels(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++)
        {
            // Mostly zero, as digits are, so that the products walk depth lists.
            values[i] = random.NextDouble() < 0.7 ? 0f : (float)(random.NextDouble() * 4 - 1);
        }

        return new FeatureMatrix(values, columns);
    }

    private static float[] Translated(ReadOnlySpan<float> row, float[]? background)
    {
        var values = row.ToArray();
        for (int p = 0; background is not null && p < values.Length; p++)
        {
            values[p] -= background[p];
        }

        return values;
    }

    private static float FmaChain(float[] x, float[] y)
    {
        float acc = 0f;
        for (int p = 0; p < x.Length; p++)
        {
            acc = MathF.FusedMultiplyAdd(x[p], y[p], acc);
        }

        return acc;
    }

    [Fact]
    public void Contiguous_rows_and_index_views_get_all_their_products_bit_for_bit_in_both_triangles()
    {
        const int Columns = 37;
        var storage = Pixels(800, Columns, seed: 3);
        var random = new Random(5);
        var parts = new[]
        {
            storage.Subset(Enumerable.Range(0, 800).OrderBy(_ => random.Next()).Take(481).ToArray()), // a view: two full blocks and a piece
            Pixels(7, Columns, seed: 4), // contiguous, less than a block
            storage.Subset(Enumerable.Range(100, 240).Reverse().ToArray()), // exactly one block
            Pixels(250, Columns, seed: 6), // contiguous, a block and a piece
        };
        var background = Enumerable.Range(0, Columns).Select(p => p % 3 == 0 ? 0.5f : 0f).ToArray();
        var backgrounds = new[] { background, null, null, background };
        var packed = parts.Select((part, p) => PackedRows.Pack(part, backgrounds[p])).ToArray();

        var products = parts.Select((part, p) => GramMatrix.Symmetric(part, packed[p], ComputeBudget.Default.WithThreads(2))).ToArray();

        for (int p = 0; p < parts.Length; p++)
        {
            int n = parts[p].Rows;
            var rows = Enumerable.Range(0, n).Select(i => Translated(parts[p].Row(i), backgrounds[p])).ToArray();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float expected = FmaChain(rows[i], rows[j]);
                    if (BitConverter.SingleToInt32Bits(products[p][i * n + j]) != BitConverter.SingleToInt32Bits(expected))
                    {
                        products[p][i * n + j].Should().Be(expected, "part {0}, row {1}, column {2}", p, i, j);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(71)]
    [InlineData(253)]
    [InlineData(487)]
    public void The_mirror_copies_every_lower_value_up_and_leaves_the_lower_triangle_alone(int n)
    {
        // Distinct values below and on the diagonal, NaN above: every upper value must be written, and by its mirror.
        var values = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                values[(i * n) + j] = j <= i ? (i * 1000f) + j : float.NaN;
            }
        }

        for (int j0 = 0; j0 < n; j0 += GramMatrix.RowBlock)
        {
            GramMatrix.MirrorBlockColumn(values, n, j0, Math.Min(n, j0 + GramMatrix.RowBlock));
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float expected = j <= i ? (i * 1000f) + j : (j * 1000f) + i;
                if (values[(i * n) + j] != expected)
                {
                    values[(i * n) + j].Should().Be(expected, $"row {i}, column {j} of {n}");
                }
            }
        }
    }

    [Fact]
    public void Rows_packed_in_parallel_are_packed_as_by_one_thread()
    {
        var storage = Pixels(300, 29, seed: 8);
        var view = storage.Subset(Enumerable.Range(0, 300).Where(i => i % 7 != 3).Reverse().ToArray()); // 257 rows: a partial last panel
        var background = Enumerable.Range(0, 29).Select(p => p * 0.01f).ToArray();

        var sequential = PackedRows.Pack(view, background);
        var parallel = PackedRows.Pack(view, background, ComputeBudget.Default.WithThreads(2));

        parallel.Rows.Should().Be(257);
        parallel.SquaredNorms.ToArray().Should().Equal(sequential.SquaredNorms.ToArray());
        for (int r = 0; r < view.Rows; r++)
        {
            parallel.GetRow(r).Should().Equal(sequential.GetRow(r));
        }
    }
}
