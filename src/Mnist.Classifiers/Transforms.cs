using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>
/// An unfitted feature transformation (for example a scaler): options only. <see cref="Fit"/> learns its
/// parameters and returns an <see cref="IFittedTransform"/> (what ML.NET calls a transformer is the fitted one).
/// </summary>
public interface IUnfittedTransform
{
    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    void Validate();

    /// <summary>Learns the transformation's parameters from <paramref name="features"/>.</summary>
    /// <param name="features">The rows to learn from.</param>
    /// <param name="budget">The threads and memory fitting may use; null for <see cref="ComputeBudget.Default"/>.</param>
    IFittedTransform Fit(FeatureMatrix features, ComputeBudget? budget = null);
}

/// <summary>A fitted, immutable, thread-safe feature transformation.</summary>
public interface IFittedTransform
{
    /// <summary>The number of features every input row must have.</summary>
    int FeatureCount { get; }

    /// <summary>Returns a new contiguous matrix with the transformation applied; the input is unchanged.</summary>
    /// <param name="features">Rows of <see cref="FeatureCount"/> features.</param>
    /// <param name="budget">The threads and memory the transform may use; null for <see cref="ComputeBudget.Default"/>.</param>
    FeatureMatrix Transform(FeatureMatrix features, ComputeBudget? budget = null);
}

/// <summary>
/// A fitted transform that maps each feature on its own by a non-decreasing function (the scalers). A model that only
/// compares single features with thresholds (a forest) can then compare the untransformed values with thresholds
/// carried back through the maps, and skip the transform (<see cref="Trees.ForestModel.WithInputMaps"/>).
/// </summary>
internal interface IMonotoneFeatureTransform : IFittedTransform
{
    /// <summary>Half the distance from <paramref name="value"/> to the next float up: where rounding to float turns up.</summary>
    static double HalfStepAbove(double value) => ((double)MathF.BitIncrement((float)value) - (float)value) / 2;

    /// <summary>Whether every feature's map is non-decreasing with these parameters (otherwise nothing may be folded).</summary>
    bool IsNonDecreasing { get; }

    /// <summary>What <see cref="IFittedTransform.Transform"/> makes of <paramref name="value"/> in <paramref name="feature"/>, bit for bit.</summary>
    float Map(int feature, float value);

    /// <summary>
    /// About the largest value whose map is at most <paramref name="mapped"/> (a starting point for an exact search, so
    /// it should be within a few floats of it: the upper end of the values that round to <paramref name="mapped"/>).
    /// </summary>
    double EstimateLargestAtMost(int feature, float mapped);
}

/// <summary>
/// A fitted transform whose every output value depends only on the input value in its place (the scalers), so it may
/// write its output over its input. A pipeline that made the input matrix itself (from images' pixels,
/// <see cref="Pipeline.Fit(LabeledImages, ComputeBudget?)"/>) hands it over to its first step, which spares a copy of
/// the rows: on 10,000 MNIST rows 31 MB of fresh memory, whose first touch cost the CLI's fit more than the transform's
/// arithmetic (docs/benchmarks-log.md, fourteenth session: fit 0.2205 → 0.2124 s, prediction 0.1585 → 0.1510 s).
/// </summary>
internal interface IInPlaceTransform : IFittedTransform
{
    /// <summary>
    /// What <see cref="IFittedTransform.Transform"/> returns, bit for bit, written over the storage of
    /// <paramref name="owned"/>: a contiguous matrix the caller built and shares with no one, and must not use again
    /// (its values are replaced; the result is a new matrix over the same storage).
    /// </summary>
    FeatureMatrix TransformInPlace(FeatureMatrix owned, ComputeBudget budget);
}
