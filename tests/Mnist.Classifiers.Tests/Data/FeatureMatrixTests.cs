using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class FeatureMatrixTests
{
    private static FeatureMatrix ThreeByTwo() => new([1, 2, 3, 4, 5, 6], 2);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Bytes_convert_to_the_same_floats_whatever_the_thread_count(int threads)
    {
        // 1,001 rows of 333 columns: above the parallel threshold, rows not a multiple of the blocks.
        var bytes = new byte[1001 * 333];
        new Random(5).NextBytes(bytes);
        var m = FeatureMatrix.FromBytes(bytes, 333, ComputeBudget.Default.WithThreads(threads));
        m.Rows.Should().Be(1001);
        m.AsSpan().ToArray().Should().Equal(bytes.Select(b => (float)b));
        FluentActions.Invoking(() => FeatureMatrix.FromBytes(bytes.AsSpan(0, 1000), 333, ComputeBudget.Default.WithThreads(threads)))
            .Should().Throw<ArgumentException>().WithParameterName("storage");
    }

    [Fact]
    public void Rows_are_row_major_slices()
    {
        var m = ThreeByTwo();
        m.Rows.Should().Be(3);
        m.Columns.Should().Be(2);
        m.Row(1).ToArray().Should().Equal(3f, 4f);
        m[2, 1].Should().Be(6f);
    }

    [Fact]
    public void Subset_shares_storage_and_composes()
    {
        var m = ThreeByTwo();
        var s = m.Subset([2, 0]);
        s.IsContiguous.Should().BeFalse();
        s.Row(0).ToArray().Should().Equal(5f, 6f);
        var ss = s.Subset([1]);
        ss.Row(0).ToArray().Should().Equal(1f, 2f);
        ss.ToContiguous().AsSpan().ToArray().Should().Equal(1f, 2f);
    }

    [Fact]
    public void Bad_shapes_and_indices_are_rejected()
    {
        var act = () => new FeatureMatrix([1, 2, 3], 2);
        act.Should().Throw<ArgumentException>().WithMessage("*3 values*2 columns*");
        var m = ThreeByTwo();
        ((Action)(() => m.Subset([3]))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => m.Subset([0]).AsSpan())).Should().Throw<InvalidOperationException>();
    }
}
