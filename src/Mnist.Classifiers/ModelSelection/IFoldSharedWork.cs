using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// A learner whose fits on several views of the same rows (a search's folds, when the pipeline's steps are fitted once)
/// can share work across those views, beyond what <see cref="ISharedWorkClassifier"/> shares within one: the SVM's dot
/// products of all the rows. Sharing changes speed, never results.
/// </summary>
internal interface IFoldSharedWork : ISharedWorkClassifier
{
    /// <summary>
    /// What fits on views of <paramref name="rows"/> (contiguous) can share, to be computed when first needed; null when
    /// nothing is worth sharing or it would not fit in <paramref name="budget"/>'s memory.
    /// </summary>
    object? ShareAcrossViews(FeatureMatrix rows, ComputeBudget budget);

    /// <summary><see cref="ISharedWorkClassifier.FitVariants"/> on a view of the rows <paramref name="shared"/> was made for.</summary>
    IReadOnlyList<IClassifierModel> FitVariants(
        object shared, IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut,
        Action<int, IClassifierModel>? fitted, ComputeBudget budget);
}
