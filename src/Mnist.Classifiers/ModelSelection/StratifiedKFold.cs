namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// Stratified k-fold cross-validation over a label array, like scikit-learn's <c>StratifiedKFold</c> (same option
/// names and defaults, the algorithm of scikit-learn 0.22 and later): every test part holds each class in (as
/// nearly as whole rows allow) its share of all rows, and the test parts differ in size by at most one row.
/// Unshuffled, the folds are exactly scikit-learn's.
/// </summary>
/// <remarks>
/// The algorithm of scikit-learn's <c>StratifiedKFold._make_test_folds</c>: the classes are numbered in order of
/// first appearance (so relabelling the classes does not change the folds); with <c>y_order</c> the class numbers
/// sorted, fold f gets <c>allocation[f, c]</c> = the number of rows of class c among positions f, f + k,
/// f + 2k, … of <c>y_order</c>; and class c's rows, in row order, are assigned the fold numbers
/// 0, …, 0, 1, …, 1, … (fold f repeated <c>allocation[f, c]</c> times). A class with fewer rows than
/// <see cref="Splits"/> is absent from some test parts; scikit-learn warns about it and this class allows it silently.
/// </remarks>
public sealed record StratifiedKFold
{
    /// <summary>The number of folds, at least 2 (scikit-learn's <c>n_splits</c>, default 5).</summary>
    public int Splits { get; init; } = 5;

    /// <summary>
    /// Whether to shuffle each class's fold numbers before assigning them to its rows (scikit-learn's
    /// <c>shuffle</c>, default false). The number of rows of each class in each fold does not change. Needs a
    /// <see cref="Seed"/>.
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
    public void Validate() => FoldAssignment.ValidateOptions(nameof(StratifiedKFold), Splits, Shuffle, Seed);

    /// <summary>The <see cref="Splits"/> folds of the rows labelled <paramref name="labels"/>.</summary>
    /// <remarks>
    /// Shuffled, one <c>new SeededRandom(Seed)</c> shuffles each class's fold numbers in turn, classes in order of
    /// first appearance, by <see cref="SeededRandom.FisherYatesShuffle{T}"/> (as scikit-learn does with one numpy
    /// generator); each fold's indices are still returned in ascending order.
    /// </remarks>
    /// <param name="labels">The class of each row; any integers.</param>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="Validate"/>), there are fewer
    /// rows than <see cref="Splits"/>, or every class has fewer rows than <see cref="Splits"/> (the cases in which
    /// scikit-learn raises).</exception>
    public IReadOnlyList<Fold> Split(ReadOnlySpan<int> labels)
    {
        Validate();
        FoldAssignment.RequireRowsForEveryFold(nameof(StratifiedKFold), Splits, labels.Length, nameof(labels));

        // Each row's class number, classes numbered in order of first appearance; the rows of each class in order.
        var classOfLabel = new Dictionary<int, int>();
        var rowsOfClass = new List<List<int>>();
        for (var row = 0; row < labels.Length; row++)
        {
            if (!classOfLabel.TryGetValue(labels[row], out var classNumber))
            {
                classNumber = classOfLabel.Count;
                classOfLabel.Add(labels[row], classNumber);
                rowsOfClass.Add([]);
            }

            rowsOfClass[classNumber].Add(row);
        }

        var largestClass = rowsOfClass.Max(rows => rows.Count);
        if (Splits > largestClass)
        {
            throw new ArgumentException(
                $"StratifiedKFold.Splits = {Splits} is more than the rows of every class: the largest of the " +
                $"{rowsOfClass.Count} classes has {largestClass}, so no class could fill every fold.",
                nameof(labels));
        }

        // allocation[f, c]: the rows of class c among positions f, f + k, f + 2k, … of the sorted class numbers
        // (scikit-learn's round robin over y_order).
        var allocation = new int[Splits, rowsOfClass.Count];
        var position = 0;
        for (var classNumber = 0; classNumber < rowsOfClass.Count; classNumber++)
        {
            for (var member = 0; member < rowsOfClass[classNumber].Count; member++, position++)
            {
                allocation[position % Splits, classNumber]++;
            }
        }

        var random = Shuffle ? new SeededRandom(Seed!.Value) : null;
        var testFoldOfRow = new int[labels.Length];
        for (var classNumber = 0; classNumber < rowsOfClass.Count; classNumber++)
        {
            var members = rowsOfClass[classNumber];
            var foldsForClass = new int[members.Count];
            var next = 0;
            for (var fold = 0; fold < Splits; fold++)
            {
                foldsForClass.AsSpan(next, allocation[fold, classNumber]).Fill(fold);
                next += allocation[fold, classNumber];
            }

            random?.FisherYatesShuffle(foldsForClass);
            for (var member = 0; member < members.Count; member++)
            {
                testFoldOfRow[members[member]] = foldsForClass[member];
            }
        }

        return FoldAssignment.ToFolds(testFoldOfRow, Splits);
    }
}
