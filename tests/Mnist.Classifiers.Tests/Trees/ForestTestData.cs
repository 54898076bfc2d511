using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

/// <summary>Data and tree walks for the forest tests.</summary>
internal static class ForestTestData
{
    /// <summary>
    /// Rows of <paramref name="features"/> uniform continuous features (no two values equal), labels 0..classes−1 set by
    /// the first <paramref name="informative"/> features (the class is the bucket of their sum); the rest is noise.
    /// </summary>
    public static (FeatureMatrix X, int[] Y) Continuous(int rows, int features, int classes, int informative, int seed, double labelNoise = 0)
    {
        var random = new Random(seed);
        var values = new float[rows * features];
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int f = 0; f < features; f++)
            {
                float v = (float)random.NextDouble();
                values[i * features + f] = v;
                if (f < informative)
                {
                    sum += v;
                }
            }

            int label = Math.Min(classes - 1, (int)(sum / informative * classes));
            if (random.NextDouble() < labelNoise)
            {
                label = random.Next(classes);
            }

            labels[i] = label;
        }

        return (new FeatureMatrix(values, features), labels);
    }

    /// <summary>The nodes of tree <paramref name="tree"/>, with child indices relative to the tree's first node.</summary>
    public static TreeNode[] Tree(ForestModel model, int tree)
    {
        int start = model.TreeStarts[tree], end = model.TreeStarts[tree + 1];
        var nodes = model.Nodes[start..end].ToArray();
        for (int i = 0; i < nodes.Length; i++)
        {
            if (!nodes[i].IsLeaf)
            {
                nodes[i].Left -= start;
                nodes[i].Right -= start;
            }
        }

        return nodes;
    }

    /// <summary>The nodes (tree-relative ids) row <paramref name="x"/> visits in <paramref name="nodes"/>, root first.</summary>
    public static List<int> Path(TreeNode[] nodes, ReadOnlySpan<float> x)
    {
        var path = new List<int> { 0 };
        int node = 0;
        while (!nodes[node].IsLeaf)
        {
            node = x[nodes[node].Feature] <= nodes[node].Threshold ? nodes[node].Left : nodes[node].Right;
            path.Add(node);
        }

        return path;
    }

    /// <summary>Per node, the training rows that reach it.</summary>
    public static List<int>[] RowsPerNode(TreeNode[] nodes, FeatureMatrix x)
    {
        var rows = Enumerable.Range(0, nodes.Length).Select(_ => new List<int>()).ToArray();
        for (int r = 0; r < x.Rows; r++)
        {
            foreach (int node in Path(nodes, x.Row(r)))
            {
                rows[node].Add(r);
            }
        }

        return rows;
    }

    /// <summary>The depth of every node.</summary>
    public static int[] Depths(TreeNode[] nodes)
    {
        var depth = new int[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            if (!nodes[i].IsLeaf)
            {
                depth[nodes[i].Left] = depth[i] + 1;
                depth[nodes[i].Right] = depth[i] + 1;
            }
        }

        return depth;
    }
}
