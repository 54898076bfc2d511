namespace Mnist.Classifiers.Svm;

/// <summary>
/// Row i of a pair problem's kernel matrix, K_it for t &lt; l, as two contiguous pieces: the values against the +1
/// samples, t &lt; <see cref="Split"/>, and those against the −1 samples. When the classes' own kernels are known, one
/// piece is read in place from the sample's own class's kernel and only the other one is computed and cached
/// (<see cref="BinaryKernelProblem.GetRow(int, ReadOnlySpan{int}, int)"/>): no copy, and half the cache per row.
/// </summary>
/// <param name="Positives">The array holding the values against the +1 samples.</param>
/// <param name="PositivesStart">Where they start in it.</param>
/// <param name="Negatives">The array holding the values against the −1 samples (may be <paramref name="Positives"/>).</param>
/// <param name="NegativesStart">Where they start in it.</param>
/// <param name="Split">The number of +1 samples.</param>
internal readonly record struct KernelRow(float[] Positives, int PositivesStart, float[] Negatives, int NegativesStart, int Split)
{
    /// <summary>A whole row in one array: the +1 samples' values first, then the −1 samples'.</summary>
    public static KernelRow Whole(float[] row, int split) => new(row, 0, row, split, split);

    /// <summary>K_it.</summary>
    public float this[int t] => t < Split ? Positives[PositivesStart + t] : Negatives[NegativesStart + t - Split];
}
