using System.Numerics.Tensors;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers;

/// <summary>The shape checks every learner and model makes, worded the same way everywhere.</summary>
internal static class InputChecks
{
    /// <summary>Checks that there is at least one row, exactly one label per row and no NaN or infinite feature.</summary>
    public static void TrainingShapes(FeatureMatrix features, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rows == 0)
        {
            throw new ArgumentException("The training matrix has no rows; at least one is needed.", nameof(features));
        }

        if (labels.Length != features.Rows)
        {
            throw new ArgumentException(
                $"The training matrix has {features.Rows} rows but {labels.Length} labels were given; there must be one label per row.",
                nameof(labels));
        }

        Finite(features, "training matrix");
    }

    /// <summary>Checks that there is at least one row to fit a transform on.</summary>
    public static void FittingRows(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rows == 0)
        {
            throw new ArgumentException("The matrix has no rows; at least one is needed to fit.", nameof(features));
        }
    }

    /// <summary>
    /// Checks that <paramref name="features"/> has the column count the model was fitted with and no NaN or infinite
    /// value.
    /// </summary>
    public static void FeatureCount(FeatureMatrix features, int expected, string modelName)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Columns != expected)
        {
            throw new ArgumentException(
                $"The {modelName} was fitted on {expected} features, but the input has {features.Columns}.",
                nameof(features));
        }

        Finite(features, "input");
    }

    /// <summary>
    /// Refuses NaN and infinities, which no learner can use: an SVM's kernel turns them into NaN everywhere and its
    /// solver then runs to its iteration limit, SGD's weights become NaN silently, and a tree would send them down one
    /// arbitrary side. Every fit and every prediction checks, so the error names the row and column where the value is
    /// instead of surfacing as a wrong model (scikit-learn's <c>check_array</c> refuses them the same way).
    /// </summary>
    private static void Finite(FeatureMatrix features, string what)
    {
        for (int r = 0; r < features.Rows; r++)
        {
            var row = features.Row(r);
            if (!TensorPrimitives.IsFiniteAll(row))
            {
                int c = IndexOfNonFinite(row);
                throw new ArgumentException(
                    $"The {what} holds {row[c]} at row {r}, column {c}; features must be finite numbers (no NaN or infinity).",
                    nameof(features));
            }
        }

        static int IndexOfNonFinite(ReadOnlySpan<float> row)
        {
            int c = 0;
            while (float.IsFinite(row[c]))
            {
                c++;
            }

            return c;
        }
    }

    /// <summary>The distinct labels in ascending order and how many rows carry each.</summary>
    public static (int[] Classes, int[] Counts) ClassCounts(ReadOnlySpan<int> labels)
    {
        var counts = new SortedDictionary<int, int>();
        foreach (int label in labels)
        {
            counts[label] = counts.TryGetValue(label, out int c) ? c + 1 : 1;
        }

        return (counts.Keys.ToArray(), counts.Values.ToArray());
    }

    /// <summary>
    /// Throws <see cref="NotSupported"/>'s exception unless <paramref name="supported"/>.
    /// </summary>
    public static void Supports(bool supported, IClassifierModel model, string capability, string? hint = null)
    {
        if (!supported)
        {
            throw NotSupported(model, capability, hint);
        }
    }

    /// <summary>
    /// The <see cref="NotSupportedException"/> naming the model and the capability it lacks; every model words an
    /// unsupported call this way. <paramref name="hint"/> says how to get a model that has it, where there is a way.
    /// </summary>
    public static NotSupportedException NotSupported(IClassifierModel model, string capability, string? hint = null)
    {
        string name = model is PipelineModel pipeline ? $"pipeline whose classifier is a {pipeline.Classifier.GetType().Name}" : model.GetType().Name;
        return new NotSupportedException(
            $"This {name} does not provide {capability}{(hint is null ? "" : $" ({hint})")}; check the model's Supports… properties first.");
    }
}
