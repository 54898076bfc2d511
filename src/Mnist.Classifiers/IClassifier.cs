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
    /// <exception cref="ArgumentException">The shapes disagree, there are no rows, or an option is invalid.</exception>
    IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels);
}

/// <summary>A fitted classifier: immutable and safe to call from several threads at once.</summary>
public interface IClassifierModel
{
    /// <summary>The distinct class labels seen in training, in ascending order.</summary>
    IReadOnlyList<int> Classes { get; }

    /// <summary>The number of features every input row must have.</summary>
    int FeatureCount { get; }

    /// <summary>The predicted class label of each row.</summary>
    int[] Predict(FeatureMatrix features);
}

/// <summary>A fitted model that estimates class probabilities.</summary>
public interface IProbabilisticModel : IClassifierModel
{
    /// <summary>
    /// Class probabilities, one row per input row and one column per entry of <see cref="IClassifierModel.Classes"/>;
    /// each row sums to 1.
    /// </summary>
    double[,] PredictProbabilities(FeatureMatrix features);
}

/// <summary>A fitted model with a real-valued decision function (for example a margin).</summary>
public interface IDecisionFunctionModel : IClassifierModel
{
    /// <summary>Decision values, one row per input row; the column layout is the model's (see its documentation).</summary>
    double[,] DecisionFunction(FeatureMatrix features);
}
