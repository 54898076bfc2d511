using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Trees;

/// <summary>
/// One node of a fitted tree: rows with <c>x[Feature] &lt;= Threshold</c> go to <see cref="Left"/>, the others to
/// <see cref="Right"/>. A leaf has <see cref="Left"/> = ~(its leaf index), a negative number, and
/// <see cref="Feature"/> = 0 with <see cref="Threshold"/> = 0, so that a walk may evaluate a leaf's test harmlessly
/// (model files write −1 for a leaf's feature). In a model, a leaf's <see cref="Right"/> is the class whose fraction is 1
/// when the leaf is pure, else −1 (model files write −1), so that prediction need not read a pure leaf's values.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TreeNode
{
    public int Feature;
    public float Threshold;
    public int Left;
    public int Right;

    public readonly bool IsLeaf => Left < 0;
}

/// <summary>A tree as its builder returns it: nodes in id order, its leaves' class fractions in node order.</summary>
/// <param name="Nodes">The nodes; children have larger ids than their parent, leaves are numbered from 0 in node order.</param>
/// <param name="LeafValues">Leaf count × class count class fractions.</param>
/// <param name="Importances">The tree's normalised impurity decrease per feature, or null for a single-leaf tree.</param>
internal sealed record GrownTree(TreeNode[] Nodes, double[] LeafValues, double[]? Importances);

/// <summary>The options of one tree, resolved against the data.</summary>
internal readonly record struct TreeSettings(
    bool Entropy, int MaxDepth, int MinSamplesSplit, int MinSamplesLeaf, double MinImpurityDecrease, int MaxFeatures, int MaxLeafNodes, bool ExtraTrees);
