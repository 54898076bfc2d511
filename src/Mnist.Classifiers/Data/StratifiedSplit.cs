namespace Mnist.Classifiers.Data;

/// <summary>
/// Splits labelled rows into two parts so that every label keeps (as nearly as whole rows allow) the same share in
/// both, like scikit-learn's <c>train_test_split(..., stratify=y)</c>. The split depends only on the labels and the
/// seed: the same input and seed give the same split on every machine and .NET version (the generator is this
/// library's own <see cref="SeededRandom"/>, not <see cref="Random"/>).
/// </summary>
public static class StratifiedSplit
{
    /// <summary>The seed used when none is given (the one the original project used).</summary>
    public const int DefaultSeed = 42;

    /// <summary>
    /// Chooses <paramref name="heldOutCount"/> rows of <paramref name="rows"/> for the held-out part and returns
    /// both parts, each in the original row order.
    /// </summary>
    /// <param name="rows">The rows to split.</param>
    /// <param name="heldOutCount">How many rows go to the held-out (validation) part, 0 to <c>rows.Rows</c>.</param>
    /// <param name="seed">The seed of the shuffle within each label.</param>
    /// <returns>The kept rows and the held-out rows (copies).</returns>
    public static (LabeledImages Kept, LabeledImages HeldOut) Split(LabeledImages rows, int heldOutCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(heldOutCount, rows.Rows);
        var heldOut = HeldOutIndices(rows.Labels, heldOutCount, seed);
        var isHeldOut = new bool[rows.Rows];
        foreach (var index in heldOut)
        {
            isHeldOut[index] = true;
        }

        var kept = Enumerable.Range(0, rows.Rows).Where(i => !isHeldOut[i]).ToArray();
        return (Gather(rows, kept), Gather(rows, heldOut));
    }

    /// <summary>The indices of the held-out rows, ascending.</summary>
    /// <remarks>
    /// Each label <c>k</c> with <c>n_k</c> rows gets <c>floor(n_k · m / n)</c> held-out rows; the rows still missing
    /// to reach <c>m</c> go one each to the labels with the largest remainders (ties to the smaller label).
    /// Within a label the held-out rows are the first of a Fisher–Yates shuffle (<see cref="SeededRandom.FisherYatesShuffle{T}"/>)
    /// drawn from stream <c>label</c> of the seed, so each label's choice depends only on the seed and its own rows.
    /// </remarks>
    internal static int[] HeldOutIndices(ReadOnlySpan<byte> labels, int heldOutCount, int seed)
    {
        var byLabel = new List<int>[256];
        for (var i = 0; i < labels.Length; i++)
        {
            (byLabel[labels[i]] ??= []).Add(i);
        }

        var total = labels.Length;
        var quota = new int[256];
        var remainder = new long[256];
        var assigned = 0;
        for (var label = 0; label < 256; label++)
        {
            if (byLabel[label] is { } members)
            {
                var exact = (long)members.Count * heldOutCount;
                quota[label] = (int)(exact / total);
                remainder[label] = exact % total;
                assigned += quota[label];
            }
        }

        var byRemainder = Enumerable.Range(0, 256)
            .Where(label => byLabel[label] is not null && quota[label] < byLabel[label].Count)
            .OrderByDescending(label => remainder[label]).ThenBy(label => label).ToArray();
        for (var k = 0; assigned < heldOutCount; k++, assigned++)
        {
            quota[byRemainder[k % byRemainder.Length]]++;
        }

        var heldOut = new List<int>(heldOutCount);
        for (var label = 0; label < 256; label++)
        {
            if (byLabel[label] is not { } members || quota[label] == 0)
            {
                continue;
            }

            var shuffled = members.ToArray();
            SeededRandom.ForStream(seed, label).FisherYatesShuffle(shuffled);
            heldOut.AddRange(shuffled.AsSpan(0, quota[label]));
        }

        var result = heldOut.ToArray();
        Array.Sort(result);
        return result;
    }

    private static LabeledImages Gather(LabeledImages rows, int[] indices)
    {
        var columns = rows.Columns;
        var pixels = new byte[(long)indices.Length * columns];
        var labels = new byte[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            rows.Pixels.AsSpan(indices[i] * columns, columns).CopyTo(pixels.AsSpan(i * columns, columns));
            labels[i] = rows.Labels[indices[i]];
        }

        return new LabeledImages(pixels, labels, columns);
    }
}
