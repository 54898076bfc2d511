using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>
/// An untrained learner: it holds only its options. <see cref="Fit"/> is pure (it never changes the learner)
/// and returns an immutable, thread-safe <see cref="IClassifierModel"/>.
/// </summary>
public interface IClassifier
{
    /// <summary>Checks the options and throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    void Validate();

    /// <summary>Trains on <paramref name="features"/> with one label per row; the labels may be any ints.</summary>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One class label per row.</param>
    /// <param name="budget">The threads and memory the fit may use; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="ArgumentException">The shapes disagree, there are no rows, or an option is invalid.</exception>
    IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null);
}

/// <summary>
/// A fitted classifier: immutable and safe to call from several threads at once. What it can do besides
/// <see cref="Predict"/> it says in <see cref="SupportsProbabilities"/> and <see cref="SupportsDecisionFunction"/>,
/// and what it says always holds: generic code (soft voting, search scoring) checks those properties, and a call
/// the model does not support throws <see cref="NotSupportedException"/>.
/// </summary>
public interface IClassifierModel
{
    /// <summary>The distinct class labels seen in training, in ascending order.</summary>
    IReadOnlyList<int> Classes { get; }

    /// <summary>The number of features every input row must have.</summary>
    int FeatureCount { get; }

    /// <summary>Whether <see cref="PredictProbabilities"/> works for this model (scikit-learn's <c>hasattr(model, "predict_proba")</c>).</summary>
    bool SupportsProbabilities { get; }

    /// <summary>Whether <see cref="DecisionFunction"/> works for this model.</summary>
    bool SupportsDecisionFunction { get; }

    /// <summary>The predicted class label of each row.</summary>
    /// <param name="features">Rows of <see cref="FeatureCount"/> features.</param>
    /// <param name="budget">The threads and memory prediction may use; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="ArgumentException">The rows have another number of features.</exception>
    int[] Predict(FeatureMatrix features, ComputeBudget? budget = null);

    /// <summary>
    /// Class probabilities: one row per input row and one column per entry of <see cref="Classes"/>; each row sums to 1.
    /// </summary>
    /// <param name="features">Rows of <see cref="FeatureCount"/> features.</param>
    /// <param name="budget">The threads and memory prediction may use; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="NotSupportedException"><see cref="SupportsProbabilities"/> is false.</exception>
    /// <exception cref="ArgumentException">The rows have another number of features.</exception>
    double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null);

    /// <summary>
    /// Confidence scores in scikit-learn's shape, the same for every model: with two classes one column whose
    /// positive values favour <c>Classes[1]</c>; with k &gt; 2 classes one column per class (larger favours it), so
    /// the predicted class is the column of the largest score. (The SVM's pairwise values have their own method,
    /// <c>SvmModel.DecisionFunctionOneVsOne</c>.)
    /// </summary>
    /// <param name="features">Rows of <see cref="FeatureCount"/> features.</param>
    /// <param name="budget">The threads and memory prediction may use; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="NotSupportedException"><see cref="SupportsDecisionFunction"/> is false.</exception>
    /// <exception cref="ArgumentException">The rows have another number of features.</exception>
    double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null);
}
