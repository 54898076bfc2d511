using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Ensembles;

/// <summary>
/// A learner whose model answers from tables: row r of the input (the row whose first feature is r) is predicted
/// <c>Predictions[r]</c> with probabilities <c>Probabilities[r, ·]</c>, so a test fixes exactly what each member says.
/// Its classes are the training labels', or <see cref="Classes"/> when given.
/// </summary>
internal sealed record TableClassifier(int[] Predictions, double[,]? Probabilities = null) : IClassifier
{
    /// <summary>Classes the model claims instead of the training labels' (to make members disagree).</summary>
    public int[]? Classes { get; init; }

    /// <summary>Called with the budget of each fit, from the thread that runs it.</summary>
    public Action<ComputeBudget>? OnFit { get; init; }

    /// <summary>The feature matrix whose row r is (r): the rows the tables answer for.</summary>
    public static FeatureMatrix Rows(int count) => new(Enumerable.Range(0, count).Select(r => (float)r).ToArray(), 1);

    public void Validate()
    {
    }

    public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        OnFit?.Invoke(budget!);
        return new TableModel(this, Classes ?? labels.ToArray().Distinct().Order().ToArray(), features.Columns);
    }

    private sealed class TableModel(TableClassifier table, int[] classes, int featureCount) : IClassifierModel
    {
        public IReadOnlyList<int> Classes => classes;

        public int FeatureCount => featureCount;

        public bool SupportsProbabilities => table.Probabilities is not null;

        public bool SupportsDecisionFunction => false;

        public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null) =>
            Enumerable.Range(0, features.Rows).Select(i => table.Predictions[(int)features[i, 0]]).ToArray();

        public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
        {
            InputChecks.Supports(SupportsProbabilities, this, "class probabilities");
            int k = table.Probabilities!.GetLength(1);
            var result = new double[features.Rows, k];
            for (int i = 0; i < features.Rows; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    result[i, c] = table.Probabilities[(int)features[i, 0], c];
                }
            }

            return result;
        }

        public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null) =>
            throw InputChecks.NotSupported(this, "a decision function");
    }
}
