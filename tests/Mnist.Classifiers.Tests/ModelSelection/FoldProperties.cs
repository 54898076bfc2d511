using Mnist.Classifiers.ModelSelection;

namespace Mnist.Classifiers.Tests.ModelSelection;

/// <summary>What every set of folds must satisfy, shuffled or not.</summary>
internal static class FoldProperties
{
    /// <summary>
    /// Fold f has index f; each fold's train and test rows are ascending and together are all rows; every row is in
    /// exactly one test part; test sizes differ by at most one.
    /// </summary>
    public static void ShouldPartition(this IReadOnlyList<Fold> folds, int rows, int splits)
    {
        folds.Should().HaveCount(splits);
        var timesTested = new int[rows];
        for (var f = 0; f < folds.Count; f++)
        {
            var train = folds[f].Train.ToArray();
            var test = folds[f].Test.ToArray();
            folds[f].Index.Should().Be(f);
            train.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            test.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems().And.NotBeEmpty();
            train.Concat(test).Order().Should().Equal(Enumerable.Range(0, rows));
            foreach (var row in test)
            {
                timesTested[row]++;
            }
        }

        timesTested.Should().AllBeEquivalentTo(1);
        var sizes = folds.Select(f => f.Test.Length).ToArray();
        (sizes.Max() - sizes.Min()).Should().BeLessThanOrEqualTo(1);
    }
}
