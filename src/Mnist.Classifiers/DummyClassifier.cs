using System.Collections.ObjectModel;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers;

/// <summary>
/// A baseline that ignores the features and always predicts the most frequent training label (the smallest label
/// among ties), like scikit-learn's <c>DummyClassifier(strategy="most_frequent")</c>. Useful as a floor to beat and
/// as a test vehicle for pipelines, metrics and persistence.
/// </summary>
public sealed record DummyClassifier : IClassifier
{
    /// <inheritdoc />
    /// <remarks>The baseline has no options, so there is nothing to reject.</remarks>
    public void Validate()
    {
    }

    /// <inheritdoc cref="IClassifier.Fit"/>
    public DummyModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        var (classes, counts) = InputChecks.ClassCounts(labels);
        return new DummyModel(features.Columns, classes, counts);
    }

    IClassifierModel IClassifier.Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget) => Fit(features, labels, budget);
}

/// <summary>
/// A fitted <see cref="DummyClassifier"/>. Immutable and thread-safe. It gives probabilities but, like scikit-learn's,
/// no decision function.
/// </summary>
public sealed class DummyModel : IClassifierModel, IPersistable
{
    /// <summary>The kind name of dummy models in model files.</summary>
    internal const string Kind = "dummy";

    private readonly int[] _classes;
    private readonly int[] _counts;
    private readonly int _mostFrequentIndex;

    internal DummyModel(int featureCount, int[] classes, int[] counts)
    {
        FeatureCount = featureCount;
        _classes = classes;
        _counts = counts;
        Classes = Array.AsReadOnly(classes);
        ClassCounts = Array.AsReadOnly(counts);
        long total = counts.Sum(c => (long)c);
        Priors = Array.AsReadOnly(Array.ConvertAll(counts, c => (double)c / total));

        // The first maximum in ascending label order: ties go to the smallest label, as numpy's argmax does.
        for (int k = 1; k < counts.Length; k++)
        {
            if (counts[k] > counts[_mostFrequentIndex])
            {
                _mostFrequentIndex = k;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Classes { get; }

    /// <summary>How many training rows carried each class (aligned with <see cref="Classes"/>).</summary>
    public ReadOnlyCollection<int> ClassCounts { get; }

    /// <summary>The share of training rows of each class (scikit-learn's <c>class_prior_</c>).</summary>
    public ReadOnlyCollection<double> Priors { get; }

    /// <summary>The label every prediction returns.</summary>
    public int MostFrequentClass => _classes[_mostFrequentIndex];

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public bool SupportsProbabilities => true;

    /// <inheritdoc />
    public bool SupportsDecisionFunction => false;

    /// <inheritdoc />
    public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "dummy classifier");
        var predictions = new int[features.Rows];
        Array.Fill(predictions, MostFrequentClass);
        return predictions;
    }

    /// <inheritdoc />
    /// <remarks>One-hot on the most frequent class, as scikit-learn's <c>most_frequent</c> strategy returns.</remarks>
    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "dummy classifier");
        var probabilities = new double[features.Rows, _classes.Length];
        for (int i = 0; i < features.Rows; i++)
        {
            probabilities[i, _mostFrequentIndex] = 1.0;
        }

        return probabilities;
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the baseline has no decision function.</exception>
    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null) =>
        throw InputChecks.NotSupported(this, "a decision function");

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32(FeatureCount);
        writer.WriteInt32Array(_classes);
        writer.WriteInt32Array(_counts);
    }

    /// <summary>Reads what <see cref="IPersistable.Write"/> wrote, checking that it describes a valid model.</summary>
    internal static DummyModel Read(ModelReader reader)
    {
        int featureCount = reader.ReadInt32();
        int[] classes = reader.ReadInt32Array();
        int[] counts = reader.ReadInt32Array();
        if (featureCount < 1)
        {
            throw reader.Invalid($"the dummy model has {featureCount} features");
        }

        if (classes.Length == 0 || counts.Length != classes.Length)
        {
            throw reader.Invalid($"the dummy model has {classes.Length} classes and {counts.Length} class counts");
        }

        for (int k = 0; k < classes.Length; k++)
        {
            if ((k > 0 && classes[k] <= classes[k - 1]) || counts[k] < 1)
            {
                throw reader.Invalid("the dummy model's classes are not strictly ascending with positive counts");
            }
        }

        return new DummyModel(featureCount, classes, counts);
    }
}
