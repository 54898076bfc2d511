using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Linear;

/// <summary>The model-file form of <see cref="SgdModel"/> (kind <c>sgd</c>, documented in docs/model-format.md).</summary>
public sealed partial class SgdModel : IPersistable
{
    /// <summary>The kind name of SGD models in model files.</summary>
    internal const string Kind = "sgd";

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    /// <remarks>Writes payload version 1: the last and (with averaging) the averaged weights, so that training can continue from a loaded model.</remarks>
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32((int)Loss);
        writer.WriteInt32Array(_classes);
        writer.WriteInt32(FeatureCount);
        writer.WriteDoubleArray(_weights.SelectMany(w => w).ToArray());
        writer.WriteDoubleArray(_intercepts);
        writer.WriteInt32(AverageStart);
        if (AverageStart > 0)
        {
            writer.WriteDoubleArray(_averageWeights!.SelectMany(w => w).ToArray());
            writer.WriteDoubleArray(_averageIntercepts);
        }

        writer.WriteInt64(Updates);
        writer.WriteInt32(Iterations);
        writer.WriteBoolean(FitTime is not null);
        if (FitTime is { } time)
        {
            writer.WriteInt64(time.Ticks);
        }
    }

    /// <summary>
    /// Reads what <see cref="IPersistable.Write"/> wrote and checks it: a known loss, at least two ascending classes, one
    /// problem for two classes and one per class otherwise, arrays of the matching lengths, finite weights, and
    /// non-negative counts.
    /// </summary>
    internal static SgdModel Read(ModelReader reader)
    {
        var loss = (SgdLoss)reader.ReadInt32();
        int[] classes = reader.ReadInt32Array();
        int featureCount = reader.ReadInt32();
        double[] weights = reader.ReadDoubleArray();
        double[] intercepts = reader.ReadDoubleArray();
        int averageStart = reader.ReadInt32();
        double[]? averageWeights = averageStart > 0 ? reader.ReadDoubleArray() : null;
        double[]? averageIntercepts = averageStart > 0 ? reader.ReadDoubleArray() : null;
        long updates = reader.ReadInt64();
        int iterations = reader.ReadInt32();
        TimeSpan? fitTime = reader.ReadBoolean() ? TimeSpan.FromTicks(reader.ReadInt64()) : null;

        if (!Enum.IsDefined(loss))
        {
            throw reader.Invalid($"the SGD model's loss {(int)loss} is unknown");
        }

        int k = classes.Length;
        if (k < 2 || classes.Zip(classes.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw reader.Invalid($"the SGD model has {k} classes or they are not in ascending order");
        }

        int problems = k == 2 ? 1 : k;
        if (featureCount < 1 || (long)problems * featureCount != weights.Length || intercepts.Length != problems)
        {
            throw reader.Invalid($"the SGD model's weights do not form {problems} problems of {featureCount} features");
        }

        if (averageStart < 0 || (averageWeights is not null && (averageWeights.Length != weights.Length || averageIntercepts!.Length != problems)))
        {
            throw reader.Invalid("the SGD model's averaging start or averaged weights are out of range");
        }

        if (!weights.Concat(intercepts).Concat(averageWeights ?? []).Concat(averageIntercepts ?? []).All(double.IsFinite))
        {
            throw reader.Invalid("the SGD model has a weight or intercept that is not finite");
        }

        if (updates < 0 || iterations < 0 || fitTime is { Ticks: < 0 })
        {
            throw reader.Invalid("the SGD model's update count, epoch count or fit time is negative");
        }

        return new SgdModel(
            loss, classes, featureCount, Split(weights, problems, featureCount), intercepts,
            averageWeights is null ? null : Split(averageWeights, problems, featureCount), averageIntercepts, averageStart, updates, iterations, fitTime);
    }

    private static double[][] Split(double[] flat, int problems, int featureCount) =>
        Enumerable.Range(0, problems).Select(p => flat.AsSpan(p * featureCount, featureCount).ToArray()).ToArray();
}
