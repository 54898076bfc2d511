using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Tests.LinearAlgebra;

public class PackedRowsTests
{
    private static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(15, 7)]
    [InlineData(16, 784)]
    [InlineData(37, 13)]
    public void Rows_unpack_to_the_original_values(int rows, int columns)
    {
        var values = RandomValues(rows * columns, rows + columns);
        var packed = PackedRows.Pack(values, rows, columns);

        packed.Rows.Should().Be(rows);
        packed.Columns.Should().Be(columns);
        packed.PanelCount.Should().Be((rows + 15) / 16);
        for (int j = 0; j < rows; j++)
        {
            packed.GetRow(j).Should().Equal(values.AsSpan(j * columns, columns).ToArray());
        }
    }

    [Fact]
    public void Squared_norms_match_a_double_precision_sum()
    {
        const int rows = 21, columns = 784;
        var values = RandomValues(rows * columns, 5);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= 255f;
        }

        var norms = PackedRows.Pack(values, rows, columns).SquaredNorms.ToArray();

        norms.Should().HaveCount(rows);
        for (int j = 0; j < rows; j++)
        {
            double expected = 0;
            for (int p = 0; p < columns; p++)
            {
                expected += (double)values[j * columns + p] * values[j * columns + p];
            }

            // Accumulated in double then rounded once: within half an ulp of float.
            ((double)norms[j]).Should().BeApproximately(expected, expected * 6e-8);
        }
    }

    [Theory]
    [InlineData(32, 784, false)] // full panels, eight depths at a time
    [InlineData(37, 21, true)]   // a partial panel, and depths left after the last eight
    [InlineData(16, 7, true)]    // fewer depths than eight
    public void Translated_rows_and_norms_are_the_scalar_definition_bit_for_bit(int rows, int columns, bool indexView)
    {
        // Signed values with zeros of both signs, and a background with zeros of both signs among its values.
        var random = new Random(rows + columns);
        var values = RandomValues((rows + 3) * columns, rows * columns);
        for (int i = 0; i < values.Length; i += 5)
        {
            values[i] = random.Next(2) == 0 ? 0f : -0f;
        }

        var background = RandomValues(columns, 3);
        background[0] = -0f;
        background[columns - 1] = 0f;
        var matrix = new FeatureMatrix(values, columns);
        var source = indexView ? matrix.Subset([.. Enumerable.Range(0, rows).Select(i => rows + 2 - i)]) : matrix.Subset([.. Enumerable.Range(0, rows)]).ToContiguous();

        var packed = PackedRows.Pack(source, background);

        for (int j = 0; j < rows; j++)
        {
            var row = source.Row(j);
            double sum = 0;
            var expected = new float[columns];
            for (int p = 0; p < columns; p++)
            {
                expected[p] = row[p] - background[p];
                sum += (double)expected[p] * expected[p];
            }

            packed.GetRow(j).Select(BitConverter.SingleToInt32Bits).Should().Equal(expected.Select(BitConverter.SingleToInt32Bits), "row {0}", j);
            BitConverter.SingleToInt32Bits(packed.SquaredNorms[j]).Should().Be(BitConverter.SingleToInt32Bits((float)sum), "row {0}'s norm", j);
        }
    }

    [Fact]
    public void Packing_an_index_view_packs_its_rows_in_view_order()
    {
        var values = RandomValues(10 * 3, 9);
        var matrix = new FeatureMatrix(values, 3);
        var view = matrix.Subset([7, 2, 2, 9]);

        var packed = PackedRows.Pack(view);

        packed.Rows.Should().Be(4);
        packed.GetRow(0).Should().Equal(view.Row(0).ToArray());
        packed.GetRow(2).Should().Equal(matrix.Row(2).ToArray());
        packed.GetRow(3).Should().Equal(matrix.Row(9).ToArray());
        packed.SquaredNorms[1].Should().Be(packed.SquaredNorms[2]);
    }

    [Fact]
    public void Zero_rows_pack_to_an_empty_matrix()
    {
        var packed = PackedRows.Pack(ReadOnlySpan<float>.Empty, 0, 5);
        packed.Rows.Should().Be(0);
        packed.PanelCount.Should().Be(0);
        packed.SquaredNorms.Length.Should().Be(0);
    }

    [Fact]
    public void Bad_sizes_are_rejected()
    {
        ((Action)(() => PackedRows.Pack(new float[5], 2, 3))).Should().Throw<ArgumentException>()
            .WithMessage("*5 values*2 rows*3 columns*");
        ((Action)(() => PackedRows.Pack(new float[5], 1, 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => PackedRows.Pack(new float[5], -1, 1))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => PackedRows.Pack(null!))).Should().Throw<ArgumentNullException>();
    }
}
