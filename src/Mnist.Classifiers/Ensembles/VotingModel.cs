using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Ensembles;

/// <summary>
/// A fitted <see cref="VotingClassifier"/>: the fitted members, their names, the voting mode and the weights.
/// Immutable and thread-safe. With <see cref="VotingMode.Soft"/> it gives probabilities (the weighted mean of the
/// members'); with <see cref="VotingMode.Hard"/> it gives none, as scikit-learn's has no <c>predict_proba</c> then.
/// It never has a decision function.
/// </summary>
/// <remarks>
/// Prediction asks the members one after another, each with the whole budget, rather than concurrently with a share
/// each as fitting does: every member's prediction is already parallel over rows, so this keeps every thread busy to
/// the end, where concurrent members would leave threads idle while the slowest one finishes.
/// </remarks>
public sealed partial class VotingModel : IClassifierModel
{
    private readonly string[] _names;
    private readonly IClassifierModel[] _members;
    private readonly double[]? _weights;
    private readonly int[] _classes;

    /// <summary>Assembles a model from parts the caller has checked with <see cref="MembersProblem"/> and <see cref="WeightsProblem"/>.</summary>
    internal VotingModel(string[] names, IClassifierModel[] members, VotingMode voting, double[]? weights, TimeSpan? fitTime)
    {
        _names = names;
        _members = members;
        _weights = weights;
        _classes = members[0].Classes.ToArray();
        Voting = voting;
        FitTime = fitTime;
        MemberNames = Array.AsReadOnly(names);
        Members = Array.AsReadOnly(members);
        Weights = weights is null ? null : Array.AsReadOnly(weights);
        Classes = Array.AsReadOnly(_classes);
        FeatureCount = members[0].FeatureCount;
    }

    /// <summary>The members' names, in the order of <see cref="Members"/>.</summary>
    public IReadOnlyList<string> MemberNames { get; }

    /// <summary>The fitted members, in the order the ensemble listed them.</summary>
    public IReadOnlyList<IClassifierModel> Members { get; }

    /// <summary>How the members vote.</summary>
    public VotingMode Voting { get; }

    /// <summary>One weight per member, or null when every member weighs 1.</summary>
    public IReadOnlyList<double>? Weights { get; }

    /// <summary>How long fitting all the members took (wall-clock), when known.</summary>
    public TimeSpan? FitTime { get; }

    /// <inheritdoc />
    /// <remarks>Every member's classes: they were all fitted on the same labels.</remarks>
    public IReadOnlyList<int> Classes { get; }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public bool SupportsProbabilities => Voting == VotingMode.Soft;

    /// <inheritdoc />
    public bool SupportsDecisionFunction => false;

    /// <inheritdoc />
    /// <remarks>
    /// Hard voting: the label whose members' weights sum highest, added in member order, the smallest label among ties
    /// (scikit-learn's <c>argmax(bincount(predictions, weights))</c>). Soft voting: the class of the largest mean
    /// probability, the first among ties.
    /// </remarks>
    public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "voting ensemble");
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, k = _classes.Length;
        var scores = Voting == VotingMode.Soft ? PredictProbabilities(features, budget) : Votes(features, budget);
        var predictions = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (scores[r, c] > scores[r, best])
                {
                    best = c;
                }
            }

            predictions[r] = _classes[best];
        }

        return predictions;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Σ_m w_m · P_m / Σ_m w_m, summed in member order as numpy's <c>average</c> does (scikit-learn's
    /// <c>predict_proba</c>); every weight is 1 when <see cref="Weights"/> is null.
    /// </remarks>
    /// <exception cref="NotSupportedException">The ensemble votes hard.</exception>
    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.Supports(SupportsProbabilities, this, "class probabilities", "fit it with Voting = VotingMode.Soft");
        InputChecks.FeatureCount(features, FeatureCount, "voting ensemble");
        budget = ComputeBudget.OrDefault(budget);
        int rows = features.Rows, k = _classes.Length;
        var mean = new double[rows, k];
        double totalWeight = 0;
        for (int m = 0; m < _members.Length; m++)
        {
            double weight = Weight(m);
            totalWeight += weight;
            var probabilities = _members[m].PredictProbabilities(features, budget);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < k; c++)
                {
                    mean[r, c] += weight * probabilities[r, c];
                }
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < k; c++)
            {
                mean[r, c] /= totalWeight;
            }
        }

        return mean;
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: a vote has no decision function (nor has scikit-learn's).</exception>
    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null) =>
        throw InputChecks.NotSupported(this, "a decision function", Voting == VotingMode.Soft ? "use PredictProbabilities" : null);

    /// <summary>
    /// Why <paramref name="names"/> cannot name the members of an ensemble (as a phrase after "the members'"), or null
    /// when they can: each non-empty, no two the same.
    /// </summary>
    internal static string? NamesProblem(IReadOnlyList<string?> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                return $"name {i} is empty";
            }
        }

        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? null : $"name '{duplicate.Key}' is used twice; names must be unique";
    }

    /// <summary>
    /// Why <paramref name="weights"/> are not the weights of <paramref name="members"/> members (as a phrase after
    /// "the weights"), or null when they are: one per member, each finite and at least 0, with a positive sum.
    /// </summary>
    internal static string? WeightsProblem(IReadOnlyList<double> weights, int members)
    {
        if (weights.Count != members)
        {
            return $"hold {weights.Count} values for {members} members; give one per member";
        }

        for (int i = 0; i < weights.Count; i++)
        {
            if (!(weights[i] >= 0) || !double.IsFinite(weights[i]))
            {
                return $"hold {weights[i]} at index {i}; each weight must be finite and at least 0";
            }
        }

        return weights.Sum() > 0 ? null : "are all 0; at least one must be positive";
    }

    /// <summary>
    /// Why fitted <paramref name="members"/> named <paramref name="names"/> cannot vote together, or null when they
    /// can: every member has the first one's classes and feature count.
    /// </summary>
    internal static string? MembersProblem(string[] names, IClassifierModel[] members)
    {
        for (int m = 1; m < members.Length; m++)
        {
            if (!members[m].Classes.SequenceEqual(members[0].Classes))
            {
                return $"member '{names[m]}' has classes [{string.Join(", ", members[m].Classes)}] but member '{names[0]}' has [{string.Join(", ", members[0].Classes)}]";
            }

            if (members[m].FeatureCount != members[0].FeatureCount)
            {
                return $"member '{names[m]}' takes {members[m].FeatureCount} features but member '{names[0]}' takes {members[0].FeatureCount}";
            }
        }

        return null;
    }

    /// <summary>Each row's weighted votes per class (rows × classes), members added in order.</summary>
    private double[,] Votes(FeatureMatrix features, ComputeBudget budget)
    {
        int rows = features.Rows;
        var votes = new double[rows, _classes.Length];
        for (int m = 0; m < _members.Length; m++)
        {
            double weight = Weight(m);
            int[] predicted = _members[m].Predict(features, budget);
            for (int r = 0; r < rows; r++)
            {
                int c = Array.BinarySearch(_classes, predicted[r]);
                if (c < 0)
                {
                    throw new InvalidOperationException($"Voting member '{_names[m]}' predicted {predicted[r]}, which is not one of its classes.");
                }

                votes[r, c] += weight;
            }
        }

        return votes;
    }

    private double Weight(int member) => _weights?[member] ?? 1.0;
}
