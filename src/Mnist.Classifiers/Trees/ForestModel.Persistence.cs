using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Trees;

/// <summary>The model-file form of <see cref="ForestModel"/> (kinds <c>forest</c> and <c>extra</c>, documented in docs/model-format.md).</summary>
public sealed partial class ForestModel : IPersistable
{
    /// <summary>The kind name of random forests in model files.</summary>
    internal const string ForestKind = "forest";

    /// <summary>The kind name of extra-trees forests in model files.</summary>
    internal const string ExtraTreesKind = "extra";

    string IPersistable.PersistenceKind => IsExtraTrees ? ExtraTreesKind : ForestKind;

    /// <inheritdoc />
    /// <remarks>Writes payload version 1 of both kinds (the same layout).</remarks>
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int count = _nodes.Length;
        var features = new int[count];
        var thresholds = new float[count];
        var left = new int[count];
        var right = new int[count];
        for (int i = 0; i < count; i++)
        {
            var node = _nodes[i];
            bool leaf = node.IsLeaf;
            features[i] = leaf ? -1 : node.Feature;
            thresholds[i] = leaf ? 0 : node.Threshold;
            left[i] = leaf ? -1 : node.Left;
            right[i] = leaf ? -1 : node.Right;
        }

        writer.WriteInt32Array(_classes);
        writer.WriteInt32(FeatureCount);
        writer.WriteInt32Array(_treeStarts);
        writer.WriteInt32Array(features);
        writer.WriteSingleArray(thresholds);
        writer.WriteInt32Array(left);
        writer.WriteInt32Array(right);
        writer.WriteDoubleArray(_leafValues);
        writer.WriteDoubleArray(_importances);
        writer.WriteBoolean(OutOfBagScore is not null);
        if (OutOfBagScore is { } oob)
        {
            writer.WriteDouble(oob);
        }

        writer.WriteBoolean(FitTime is not null);
        if (FitTime is { } time)
        {
            writer.WriteInt64(time.Ticks);
        }
    }

    /// <summary>Reads a random forest (kind <c>forest</c>).</summary>
    internal static ForestModel ReadForest(ModelReader reader) => Read(reader, isExtraTrees: false);

    /// <summary>Reads an extra-trees forest (kind <c>extra</c>).</summary>
    internal static ForestModel ReadExtraTrees(ModelReader reader) => Read(reader, isExtraTrees: true);

    /// <summary>
    /// Reads what <see cref="IPersistable.Write"/> wrote and checks that it is a forest prediction can walk safely:
    /// every child index lies after its parent and inside its tree (so every walk ends at a leaf), every feature index
    /// is below the feature count, thresholds are finite and every leaf's class fractions are finite, non-negative
    /// and sum to 1.
    /// </summary>
    private static ForestModel Read(ModelReader reader, bool isExtraTrees)
    {
        int[] classes = reader.ReadInt32Array();
        int featureCount = reader.ReadInt32();
        int[] starts = reader.ReadInt32Array();
        int[] features = reader.ReadInt32Array();
        float[] thresholds = reader.ReadSingleArray();
        int[] left = reader.ReadInt32Array();
        int[] right = reader.ReadInt32Array();
        double[] leafValues = reader.ReadDoubleArray();
        double[] importances = reader.ReadDoubleArray();
        double? oob = reader.ReadBoolean() ? reader.ReadDouble() : null;
        TimeSpan? fitTime = reader.ReadBoolean() ? TimeSpan.FromTicks(reader.ReadInt64()) : null;

        int k = classes.Length, count = features.Length;
        if (k < 1 || classes.Zip(classes.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw reader.Invalid($"the forest has {k} classes or they are not in ascending order");
        }

        if (featureCount < 1 || importances.Length != featureCount || importances.Any(v => !(v >= 0) || !double.IsFinite(v)))
        {
            throw reader.Invalid("the forest's feature count or feature importances are out of range");
        }

        if (thresholds.Length != count || left.Length != count || right.Length != count)
        {
            throw reader.Invalid("the forest's node arrays differ in length");
        }

        if (starts.Length < 2 || starts[0] != 0 || starts[^1] != count || starts.Zip(starts.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw reader.Invalid("the forest's tree offsets do not divide its nodes into non-empty trees");
        }

        if ((oob is { } score && !double.IsNaN(score) && !(score >= 0 && score <= 1)) || fitTime is { Ticks: < 0 })
        {
            throw reader.Invalid("the forest's out-of-bag score or fit time is out of range");
        }

        var nodes = new TreeNode[count];
        int leaves = 0;
        for (int t = 0; t + 1 < starts.Length; t++)
        {
            int end = starts[t + 1];
            for (int i = starts[t]; i < end; i++)
            {
                if (features[i] == -1)
                {
                    if (left[i] != -1 || right[i] != -1 || thresholds[i] != 0)
                    {
                        throw reader.Invalid($"leaf node {i} of the forest has children or a threshold");
                    }

                    nodes[i] = new TreeNode { Feature = 0, Left = ~leaves, Right = -1 };
                    leaves++;
                }
                else
                {
                    if ((uint)features[i] >= (uint)featureCount || !float.IsFinite(thresholds[i])
                        || left[i] <= i || left[i] >= end || right[i] <= i || right[i] >= end || left[i] == right[i])
                    {
                        throw reader.Invalid($"node {i} of the forest has a feature, threshold or child out of range");
                    }

                    nodes[i] = new TreeNode { Feature = features[i], Threshold = thresholds[i], Left = left[i], Right = right[i] };
                }
            }
        }

        if ((long)leaves * k != leafValues.Length)
        {
            throw reader.Invalid($"the forest has {leaves} leaves and {k} classes but {leafValues.Length} leaf values");
        }

        for (int leaf = 0; leaf < leaves; leaf++)
        {
            double sum = 0;
            foreach (double v in leafValues.AsSpan(leaf * k, k))
            {
                if (!(v >= 0) || !double.IsFinite(v))
                {
                    throw reader.Invalid($"leaf {leaf} of the forest has a class fraction that is negative or not finite");
                }

                sum += v;
            }

            if (Math.Abs(sum - 1) > 1e-9)
            {
                throw reader.Invalid($"the class fractions of leaf {leaf} of the forest sum to {sum}, not 1");
            }
        }

        MarkPureLeaves(nodes, leafValues, classes.Length);
        return new ForestModel(classes, featureCount, isExtraTrees, starts, nodes, leafValues, importances, oob, fitTime);
    }
}
