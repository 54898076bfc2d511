using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class FeatureMatrixTests
{
    private static FeatureMatrix ThreeByTwo() => new([1, 2, 3, 4, 5, 6], 2);

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
