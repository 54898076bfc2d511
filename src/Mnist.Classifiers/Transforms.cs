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
