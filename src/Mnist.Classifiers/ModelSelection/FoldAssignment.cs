namespace Mnist.Classifiers.ModelSelection;

/// <summary>What <see cref="KFold"/> and <see cref="StratifiedKFold"/> share: the option checks and the folds built
/// from each row's test fold.</summary>
internal static class FoldAssignment
{
    /// <summary>
    /// The checks of scikit-learn's <c>_BaseKFold.__init__</c> (at least 2 splits; a seed only with shuffling), plus
    /// this library's rule that a shuffle needs a seed (docs/randomness.md: every random result is reproducible).
    /// </summary>
    /// <param name="splitter">The splitter's name, for the messages.</param>
    /// <param name="splits">The Splits option.</param>
    /// <param name="shuffle">The Shuffle option.</param>
    /// <param name="seed">The Seed option.</param>
    /// <exception cref="ArgumentException">An option is out of range or the options contradict each other.</exception>
    public static void ValidateOptions(string splitter, int splits, bool shuffle, int? seed)
    {
        if (splits < 2)
        {
            throw new ArgumentException(
                $"{splitter}.Splits must be at least 2 (cross-validation needs at least one train/test split); got {splits}.",
                "Splits");
        }

        if (!shuffle && seed is not null)
        {
            throw new ArgumentException(
                $"{splitter}.Seed ({seed}) has no effect because Shuffle is false: leave Seed unset or set Shuffle = true.",
                "Seed");
        }

        if (shuffle && seed is null)
        {
            throw new ArgumentException(
                $"{splitter}.Shuffle = true needs a Seed: every random result of this library is reproducible from one.",
                "Seed");
        }
    }

    /// <summary>The check of scikit-learn's <c>_BaseKFold.split</c>: every fold needs at least one test row.</summary>
    /// <exception cref="ArgumentException">There are fewer rows than splits.</exception>
    public static void RequireRowsForEveryFold(string splitter, int splits, int rows, string paramName)
    {
        if (splits > rows)
        {
            throw new ArgumentException(
                $"{splitter}.Splits = {splits} is more than the {rows} rows: every fold needs at least one test row.",
                paramName);
        }
    }

    /// <summary>
    /// The folds for rows whose test folds are <paramref name="testFoldOfRow"/> (values 0 to
    /// <paramref name="splits"/> − 1): fold f tests the rows assigned to f and trains on all others, both in
    /// ascending row order, as scikit-learn's <c>BaseCrossValidator.split</c> returns them from its test masks.
    /// </summary>
    public static Fold[] ToFolds(ReadOnlySpan<int> testFoldOfRow, int splits)
    {
        var testSizes = new int[splits];
        foreach (var fold in testFoldOfRow)
        {
            testSizes[fold]++;
        }

        var folds = new Fold[splits];
        for (var fold = 0; fold < splits; fold++)
        {
            var train = new int[testFoldOfRow.Length - testSizes[fold]];
            var test = new int[testSizes[fold]];
            int trainCount = 0, testCount = 0;
            for (var row = 0; row < testFoldOfRow.Length; row++)
            {
                if (testFoldOfRow[row] == fold)
                {
                    test[testCount++] = row;
                }
                else
                {
                    train[trainCount++] = row;
                }
            }

            folds[fold] = new Fold(fold, train, test);
        }

        return folds;
    }
}
