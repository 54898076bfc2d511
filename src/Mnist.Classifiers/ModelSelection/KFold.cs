namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// K-fold cross-validation over rows, like scikit-learn's <c>KFold</c> (same option names and defaults): the rows
/// are cut into <see cref="Splits"/> contiguous blocks, the first <c>rows % Splits</c> of them one row longer, and
/// each block is the test part of one fold. Unshuffled, the folds are exactly scikit-learn's.
/// </summary>
public sealed record KFold
{
    /// <summary>The number of folds, at least 2 (scikit-learn's <c>n_splits</c>, default 5).</summary>
    public int Splits { get; init; } = 5;

    /// <summary>
    /// Whether to shuffle the rows before cutting them into blocks (scikit-learn's <c>shuffle</c>, default false).
    /// Needs a <see cref="Seed"/>.
    /// </summary>
    public bool Shuffle { get; init; }

    /// <summary>
    /// The seed of the shuffle (scikit-learn's <c>random_state</c>): set exactly when <see cref="Shuffle"/> is true.
    /// The same seed gives the same folds on every machine and .NET version (<see cref="SeededRandom"/>); the
    /// folds are not scikit-learn's shuffled folds, whose generator is numpy's.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException"><see cref="Splits"/> is below 2, <see cref="Seed"/> is set without
    /// <see cref="Shuffle"/> (scikit-learn rejects that too), or <see cref="Shuffle"/> has no seed (this library's
    /// rule: every random result is reproducible). The message names the option.</exception>
    public void Validate() => FoldAssignment.ValidateOptions(nameof(KFold), Splits, Shuffle, Seed);

    /// <summary>The <see cref="Splits"/> folds of <paramref name="rows"/> rows, in order of their test blocks.</summary>
    /// <remarks>
    /// Shuffled, the rows are permuted by <see cref="SeededRandom.FisherYatesShuffle{T}"/> of
    /// <c>new SeededRandom(Seed)</c> and the permuted sequence is cut as above (as scikit-learn does with numpy's
    /// generator); each fold's indices are still returned in ascending order.
    /// </remarks>
    /// <param name="rows">The number of rows to split.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Validate"/>), or there are fewer
    /// rows than <see cref="Splits"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    public IReadOnlyList<Fold> Split(int rows)
    {
        Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        FoldAssignment.RequireRowsForEveryFold(nameof(KFold), Splits, rows, nameof(rows));

        var order = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        if (Shuffle)
        {
            new SeededRandom(Seed!.Value).FisherYatesShuffle(order);
        }

        // scikit-learn's _iter_test_indices: fold sizes rows / Splits, the first rows % Splits of them one more.
        var testFoldOfRow = new int[rows];
        var start = 0;
        for (var fold = 0; fold < Splits; fold++)
        {
            var size = (rows / Splits) + (fold < rows % Splits ? 1 : 0);
            foreach (var row in order.AsSpan(start, size))
            {
                testFoldOfRow[row] = fold;
            }

            start += size;
        }

        return FoldAssignment.ToFolds(testFoldOfRow, Splits);
    }
}
