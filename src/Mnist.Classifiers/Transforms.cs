using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>An unfitted feature transformation (for example a scaler): options only.</summary>
public interface IUnfittedTransform
{
    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    void Validate();

    /// <summary>Learns the transformation's parameters from <paramref name="features"/>.</summary>
    IFittedTransform Fit(FeatureMatrix features);
}

/// <summary>A fitted, immutable, thread-safe feature transformation.</summary>
public interface IFittedTransform
{
    /// <summary>The number of features every input row must have.</summary>
    int FeatureCount { get; }

    /// <summary>Returns a new contiguous matrix with the transformation applied; the input is unchanged.</summary>
    FeatureMatrix Transform(FeatureMatrix features);
}
