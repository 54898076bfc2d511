namespace Mnist.Classifiers.Trees;

/// <summary>
/// A random forest (Breiman, "Random forests", Machine Learning 45, 2001): trees grown on bootstrap samples, each
/// split choosing the best threshold among a random subset of the features; probabilities are the mean over the
/// trees of the leaves' class fractions (scikit-learn's <c>RandomForestClassifier</c>). Splits are searched on
/// histograms of the features binned once per fit (exact for features of at most 256 distinct values, such as scaled
/// 8-bit pixels).
/// </summary>
public sealed record RandomForestClassifier : ForestClassifier
{
    /// <summary>Options with scikit-learn's defaults (bootstrap on).</summary>
    public RandomForestClassifier()
    {
        Bootstrap = true;
    }

    /// <inheritdoc />
    private protected override bool RandomThresholds => false;
}
