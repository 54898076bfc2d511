using Mnist.Classifiers.ModelSelection;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class StratifiedKFoldTests
{
    private static int[] Repeat(params (int Label, int Count)[] groups) =>
        groups.SelectMany(g => Enumerable.Repeat(g.Label, g.Count)).ToArray();

    public static TheoryData<string, int[], int> Cases()
    {
        var random = new SeededRandom(11);
        var shuffledUnbalanced = Repeat((0, 40), (1, 13), (2, 6), (3, 1));
        random.FisherYatesShuffle(shuffledUnbalanced);
        return new TheoryData<string, int[], int>
        {
            { "balanced, sorted", Repeat((0, 10), (1, 10), (2, 10)), 5 },
            { "balanced, interleaved", Enumerable.Range(0, 30).Select(i => i % 3).ToArray(), 5 },
            { "unbalanced, a class smaller than the splits", shuffledUnbalanced, 5 },
            { "first appearance not in sorted order", [7, 7, 3, 9, 3, 7, 9, 9, 3, 7, 1, 7, 3, 9, 1, 7, 7, 3], 3 },
            { "negative and wide labels", [100000, -5, -5, 100000, 2, -5, 100000, 2, -5, -5, 2, 100000], 4 },
            { "rows not divisible by splits", Enumerable.Range(0, 23).Select(i => i * 7 % 4).ToArray(), 4 },
            { "splits equal to the largest class", [1, 0, 1, 1, 0, 1, 2], 4 },
            { "two splits, binary", Repeat((1, 9), (0, 4)), 2 },
            { "ten digits", Enumerable.Range(0, 503).Select(i => (i * 37 + i / 11) % 10).ToArray(), 10 },
        };
    }

    [Fact]
    public void Defaults_are_scikit_learns()
    {
        var stratified = new StratifiedKFold();
        stratified.Splits.Should().Be(5);
        stratified.Shuffle.Should().BeFalse();
        stratified.Seed.Should().BeNull();
        stratified.Validate();
    }

    [Fact]
    public void Folds_follow_the_round_robin_allocation()
    {
        // Classes a (first seen) with 4 rows and b with 2, 3 splits: y_order = a a a a b b, so the positions
        // f, f+3 give fold 0 {a, a}, fold 1 {a, b}, fold 2 {a, b}; a's rows get folds 0 0 1 2, b's rows 1 2.
        int[] labels = [5, 5, 2, 5, 2, 5];
        var folds = new StratifiedKFold { Splits = 3 }.Split(labels);
        folds[0].Test.ToArray().Should().Equal(0, 1);
        folds[1].Test.ToArray().Should().Equal(2, 3);
        folds[2].Test.ToArray().Should().Equal(4, 5);
        folds[0].Train.ToArray().Should().Equal(2, 3, 4, 5);
    }

    [PythonTheory]
    [MemberData(nameof(Cases))]
    public void Unshuffled_folds_equal_scikit_learns(string name, int[] labels, int splits)
    {
        var folds = new StratifiedKFold { Splits = splits }.Split(labels);
        SklearnFolds.StratifiedKFold(labels, splits).ShouldEqual(folds, name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Shuffled_folds_partition_the_rows_and_keep_every_class_within_one_row_of_its_share(
        string name, int[] labels, int splits)
    {
        var shuffled = new StratifiedKFold { Splits = splits, Shuffle = true, Seed = 5 }.Split(labels);
        shuffled.ShouldPartition(labels.Length, splits);

        var plain = new StratifiedKFold { Splits = splits }.Split(labels);
        foreach (var label in labels.Distinct())
        {
            var exactShare = (double)labels.Count(l => l == label) / splits;
            for (var f = 0; f < splits; f++)
            {
                var inFold = CountOf(label, labels, shuffled[f]);
                Math.Abs(inFold - exactShare).Should().BeLessThan(1, $"{name}: label {label} in fold {f}");

                // Shuffling permutes which rows of a class go where, not how many go to each fold.
                inFold.Should().Be(CountOf(label, labels, plain[f]), name);
            }
        }
    }

    private static int CountOf(int label, int[] labels, Fold fold)
    {
        var count = 0;
        foreach (var row in fold.Test.Span)
        {
            count += labels[row] == label ? 1 : 0;
        }

        return count;
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds_and_another_seed_others()
    {
        var labels = Enumerable.Range(0, 300).Select(i => i % 10).ToArray();
        int[][] TestParts(int seed) =>
            new StratifiedKFold { Shuffle = true, Seed = seed }.Split(labels).Select(f => f.Test.ToArray()).ToArray();

        TestParts(42).Should().BeEquivalentTo(TestParts(42), o => o.WithStrictOrdering());
        TestParts(43)[0].Should().NotEqual(TestParts(42)[0]);
        TestParts(42)[0].Should().NotEqual(new StratifiedKFold().Split(labels)[0].Test.ToArray());
    }

    [Fact]
    public void Relabelling_the_classes_does_not_change_the_folds()
    {
        int[] labels = [7, 7, 3, 9, 3, 7, 9, 9, 3, 7, 1, 7, 3, 9, 1, 7, 7, 3];
        var renamed = labels.Select(l => 100 - l).ToArray();
        var options = new StratifiedKFold { Splits = 3, Shuffle = true, Seed = 8 };
        options.Split(renamed).Select(f => f.Test.ToArray()).Should()
            .BeEquivalentTo(options.Split(labels).Select(f => f.Test.ToArray()), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_option()
    {
        ((Action)(() => new StratifiedKFold { Splits = 0 }.Split([0, 1]))).Should().Throw<ArgumentException>()
            .WithMessage("StratifiedKFold.Splits must be at least 2*got 0*").And.ParamName.Should().Be("Splits");
        ((Action)(() => new StratifiedKFold { Seed = 1 }.Validate())).Should().Throw<ArgumentException>()
            .WithMessage("StratifiedKFold.Seed (1) has no effect because Shuffle is false*");
        ((Action)(() => new StratifiedKFold { Shuffle = true }.Validate())).Should().Throw<ArgumentException>()
            .WithMessage("StratifiedKFold.Shuffle = true needs a Seed*");
    }

    [Fact]
    public void More_splits_than_rows_or_than_the_largest_class_are_rejected_with_the_counts()
    {
        ((Action)(() => new StratifiedKFold().Split([0, 1, 0, 1]))).Should().Throw<ArgumentException>()
            .WithMessage("StratifiedKFold.Splits = 5 is more than the 4 rows*").And.ParamName.Should().Be("labels");
        ((Action)(() => new StratifiedKFold { Splits = 4 }.Split([0, 1, 2, 0, 1, 2, 0, 1, 2])))
            .Should().Throw<ArgumentException>()
            .WithMessage("StratifiedKFold.Splits = 4 is more than the rows of every class: the largest of the 3 classes has 3*")
            .And.ParamName.Should().Be("labels");

        // One class of 4 is enough for 4 splits, as in scikit-learn (which only warns about the smaller classes).
        new StratifiedKFold { Splits = 4 }.Split([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]).Should().HaveCount(4);
    }

    [PythonFact]
    public void Scikit_learn_rejects_and_accepts_the_same_boundary_cases()
    {
        SklearnFolds.StratifiedKFold([0, 1, 0, 1], 5).Error.Should().Contain("n_splits=5").And.Contain("n_samples=4");
        SklearnFolds.StratifiedKFold([0, 1, 2, 0, 1, 2, 0, 1, 2], 4).Error
            .Should().Contain("cannot be greater than the number of members in each class");
        SklearnFolds.StratifiedKFold([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], 4).Error.Should().BeNull();
    }
}
