using Mnist.Classifiers.ModelSelection;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class KFoldTests
{
    [Fact]
    public void Defaults_are_scikit_learns()
    {
        var kFold = new KFold();
        kFold.Splits.Should().Be(5);
        kFold.Shuffle.Should().BeFalse();
        kFold.Seed.Should().BeNull();
        kFold.Validate();
    }

    [Fact]
    public void The_first_rows_mod_k_folds_get_one_extra_contiguous_row()
    {
        // 11 rows in 3 folds: sizes 4, 4, 3 (hand-computed).
        var folds = new KFold { Splits = 3 }.Split(11);
        folds[0].Test.ToArray().Should().Equal(0, 1, 2, 3);
        folds[1].Test.ToArray().Should().Equal(4, 5, 6, 7);
        folds[2].Test.ToArray().Should().Equal(8, 9, 10);
        folds[1].Train.ToArray().Should().Equal(0, 1, 2, 3, 8, 9, 10);
    }

    [PythonTheory]
    [InlineData(10, 5)]
    [InlineData(11, 3)]
    [InlineData(23, 4)]
    [InlineData(7, 7)]
    [InlineData(100, 2)]
    [InlineData(101, 10)]
    public void Unshuffled_folds_equal_scikit_learns(int rows, int splits)
    {
        var folds = new KFold { Splits = splits }.Split(rows);
        SklearnFolds.KFold(rows, splits).ShouldEqual(folds, $"{rows} rows, {splits} splits");
    }

    [Theory]
    [InlineData(10, 5)]
    [InlineData(23, 4)]
    [InlineData(1000, 7)]
    public void Shuffled_folds_partition_the_rows_with_the_unshuffled_sizes(int rows, int splits)
    {
        var shuffled = new KFold { Splits = splits, Shuffle = true, Seed = 3 }.Split(rows);
        shuffled.ShouldPartition(rows, splits);
        var plain = new KFold { Splits = splits }.Split(rows);
        shuffled.Select(f => f.Test.Length).Should().Equal(plain.Select(f => f.Test.Length));
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds_and_another_seed_others()
    {
        static int[][] TestParts(int seed) =>
            new KFold { Shuffle = true, Seed = seed }.Split(200).Select(f => f.Test.ToArray()).ToArray();

        TestParts(42).Should().BeEquivalentTo(TestParts(42), o => o.WithStrictOrdering());
        TestParts(43)[0].Should().NotEqual(TestParts(42)[0]);
        TestParts(42)[0].Should().NotEqual(new KFold().Split(200)[0].Test.ToArray());
    }

    [Fact]
    public void Fewer_than_two_splits_are_rejected_naming_the_option()
    {
        var act = () => new KFold { Splits = 1 }.Validate();
        act.Should().Throw<ArgumentException>().WithMessage("KFold.Splits must be at least 2*got 1*")
            .And.ParamName.Should().Be("Splits");
    }

    [Fact]
    public void A_seed_without_shuffle_and_a_shuffle_without_seed_are_rejected()
    {
        // scikit-learn rejects a random_state without shuffle; a shuffle without a seed breaks this library's policy.
        ((Action)(() => new KFold { Seed = 1 }.Validate())).Should().Throw<ArgumentException>()
            .WithMessage("KFold.Seed (1) has no effect because Shuffle is false*").And.ParamName.Should().Be("Seed");
        ((Action)(() => new KFold { Shuffle = true }.Split(10))).Should().Throw<ArgumentException>()
            .WithMessage("KFold.Shuffle = true needs a Seed*").And.ParamName.Should().Be("Seed");
    }

    [Fact]
    public void More_splits_than_rows_are_rejected_with_both_counts()
    {
        ((Action)(() => new KFold().Split(4))).Should().Throw<ArgumentException>()
            .WithMessage("KFold.Splits = 5 is more than the 4 rows*").And.ParamName.Should().Be("rows");
        ((Action)(() => new KFold().Split(-1))).Should().Throw<ArgumentOutOfRangeException>();
        new KFold().Split(5).Should().HaveCount(5);
    }

    [PythonFact]
    public void Scikit_learn_rejects_more_splits_than_rows_too()
    {
        SklearnFolds.KFold(4, 5).Error.Should().Contain("n_splits=5").And.Contain("n_samples=4");
    }
}
