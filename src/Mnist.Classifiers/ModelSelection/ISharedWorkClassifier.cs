using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// A learner that can fit several variants of itself on the same rows at once, doing once the work they have in
/// common: an <see cref="Svm.SvmClassifier"/> whose variants differ only in C and γ computes the dot products of the
/// rows once and one kernel matrix per γ; a <see cref="Pipeline"/> whose variants have equal steps fits the steps once and hands its classifiers on.
/// A cross-validated search groups its candidates by <see cref="SharesWorkWith"/> and fits each group on each fold
/// with <see cref="FitVariants"/>.
/// </summary>
/// <remarks>
/// Sharing changes speed, never results: every model <see cref="FitVariants"/> returns equals what the variant's own
/// <see cref="IClassifier.Fit"/> would return on the same rows.
/// </remarks>
public interface ISharedWorkClassifier : IClassifier
{
    /// <summary>Whether <paramref name="other"/> can be fitted in one group with this learner.</summary>
    /// <param name="other">Another learner; false when it is not of this learner's kind.</param>
    bool SharesWorkWith(IClassifier other);

    /// <summary>
    /// Fits every variant on the same rows. <paramref name="fitted"/> is told of each model as soon as it is done (so
    /// that a search can score it and report progress without waiting for the group), in the order the learner fits
    /// them, which need not be the order of the list.
    /// </summary>
    /// <param name="variants">The learners to fit; each must share work with this one (this one need not be among them).</param>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One class label per row.</param>
    /// <param name="heldOut">
    /// Rows the caller will ask every model about (a search's held-out fold), or null. A learner may compute once
    /// what the models' answers about them share (the SVM: their dot products with the training rows); a model then
    /// answers about this very matrix (the same instance) from it, with the same results as without.
    /// </param>
    /// <param name="fitted">Told (variant index, model) once per variant after its fit, on the fitting thread; may be null.</param>
    /// <param name="budget">The threads, memory and cancellation of the whole group; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <returns>The models, one per variant, in the order of <paramref name="variants"/>.</returns>
    /// <exception cref="ArgumentException">A variant is invalid or does not share work with this one, or the shapes disagree.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested.</exception>
    IReadOnlyList<IClassifierModel> FitVariants(
        IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut = null,
        Action<int, IClassifierModel>? fitted = null, ComputeBudget? budget = null);
}
