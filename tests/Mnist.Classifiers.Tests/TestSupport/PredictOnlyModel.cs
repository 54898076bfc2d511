using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>A base for test doubles that only predict: they say so, and refuse the rest as every model does.</summary>
internal abstract class PredictOnlyModel : IClassifierModel
{
    public abstract IReadOnlyList<int> Classes { get; }

    public abstract int FeatureCount { get; }

    public bool SupportsProbabilities => false;

    public bool SupportsDecisionFunction => false;

    public abstract int[] Predict(FeatureMatrix features, ComputeBudget? budget = null);

    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null) =>
        throw InputChecks.NotSupported(this, "class probabilities");

    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null) =>
        throw InputChecks.NotSupported(this, "a decision function");
}
