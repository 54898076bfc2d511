namespace Mnist.Classifiers.Trees;

/// <summary>
/// Extremely randomized trees (Geurts, Ernst &amp; Wehenkel, "Extremely randomized trees", Machine Learning 63, 2006):
/// like <see cref="RandomForestClassifier"/>, but each candidate feature gets one threshold drawn uniformly between
/// its minimum and maximum in the node, and the best of those splits is taken; no bootstrap by default
/// (scikit-learn's <c>ExtraTreesClassifier</c>).
/// </summary>
public sealed record ExtraTreesClassifier : ForestClassifier
{
    /// <summary>Options with scikit-learn's defaults (bootstrap off).</summary>
    public ExtraTreesClassifier()
    {
        Bootstrap = false;
    }

    /// <inheritdoc />
    private protected override bool RandomThresholds => true;
}
