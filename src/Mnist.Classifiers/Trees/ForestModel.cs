using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Trees;

/// <summary>
/// A fitted forest (<see cref="RandomForestClassifier"/> or <see cref="ExtraTreesClassifier"/>): every tree's nodes in
/// contiguous arrays. Immutable and thread-safe. Probabilities are the mean over the trees of the class fractions of
/// the leaf each row reaches (scikit-learn's <c>predict_proba</c>); there is no decision function.
/// </summary>
public sealed partial class ForestModel : IClassifierModel
{
    private const int PredictionBlockRows = 256;
    private const int WalkLanes = 64;

    private readonly int[] _classes;
    private readonly int[] _treeStarts;
    private readonly TreeNode[] _nodes;
    private readonly double[] _leafValues;
    private readonly double[] _importances;

    /// <summary>Assembles a model from parts the caller has checked (the trainer or the model-file reader).</summary>
    private ForestModel(
        int[] classes, int featureCount, bool isExtraTrees, int[] treeStarts, TreeNode[] nodes, double[] leafValues, double[] importances,
        double? outOfBagScore, TimeSpan? fitTime)
    {
        _classes = classes;
        FeatureCount = featureCount;
        IsExtraTrees = isExtraTrees;
        _treeStarts = treeStarts;
        _nodes = nodes;
        _leafValues = leafValues;
        _importances = importances;
        OutOfBagScore = outOfBagScore;
        FitTime = fitTime;
        MaxDepthReached = Depth(treeStarts, nodes);
        Classes = Array.AsReadOnly(classes);
        FeatureImportances = Array.AsReadOnly(importances);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Classes { get; }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <inheritdoc />
    public bool SupportsProbabilities => true;

    /// <inheritdoc />
    public bool SupportsDecisionFunction => false;

    /// <summary>The number of trees.</summary>
    public int TreeCount => _treeStarts.Length - 1;

    /// <summary>Whether the trees are extremely randomized (<see cref="ExtraTreesClassifier"/>).</summary>
    public bool IsExtraTrees { get; }

    /// <summary>
    /// Mean decrease in impurity per feature (scikit-learn's <c>feature_importances_</c>): each tree's weighted impurity
    /// decreases per feature normalised to sum to 1, averaged over the trees that split at all and normalised again; all
    /// zero when no tree split.
    /// </summary>
    public IReadOnlyList<double> FeatureImportances { get; }

    /// <summary>
    /// The accuracy on the out-of-bag rows when <c>OutOfBagScore</c> was asked: each training row that some tree did not
    /// draw is predicted by the mean probabilities of those trees, and the score is over those rows (NaN if there were
    /// none); null when not asked.
    /// </summary>
    public double? OutOfBagScore { get; }

    /// <summary>The depth of the deepest leaf (a lone root has depth 0).</summary>
    public int MaxDepthReached { get; }

    /// <summary>The number of nodes of all trees.</summary>
    public long NodeCount => _nodes.Length;

    /// <summary>How long the fit took, when known.</summary>
    public TimeSpan? FitTime { get; }

    /// <summary>Every tree's nodes, tree after tree (for tests and diagnostics).</summary>
    internal ReadOnlySpan<TreeNode> Nodes => _nodes;

    /// <summary>Where each tree's nodes start in <see cref="Nodes"/>, and the node count at the end.</summary>
    internal ReadOnlySpan<int> TreeStarts => _treeStarts;

    /// <summary>Leaf count × class count class fractions; leaf i is the node whose <c>Left</c> is ~i.</summary>
    internal ReadOnlySpan<double> LeafValues => _leafValues;

    /// <inheritdoc />
    public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null)
    {
        var probabilities = PredictProbabilities(features, budget);
        if (probabilities.Length == 0)
        {
            return []; // no rows: there is no probabilities[0, 0] to take a span from
        }

        int k = _classes.Length;
        var flat = MemoryMarshal.CreateReadOnlySpan(ref probabilities[0, 0], probabilities.Length);
        var predictions = new int[features.Rows];
        for (int r = 0; r < predictions.Length; r++)
        {
            predictions[r] = _classes[ArgMax(flat.Slice(r * k, k))];
        }

        return predictions;
    }

    /// <inheritdoc />
    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "forest");
        int rows = features.Rows, k = _classes.Length;
        var result = new double[rows, k];
        if (rows == 0)
        {
            return result;
        }

        long work = (long)rows * TreeCount * Math.Max(1, MaxDepthReached);
        ParallelRows.For(rows, work, ComputeBudget.OrDefault(budget), (r0, r1) =>
        {
            var output = MemoryMarshal.CreateSpan(ref result[0, 0], result.Length);
            float[]? copy = features.IsContiguous ? null : new float[PredictionBlockRows * FeatureCount];
            for (int b0 = r0; b0 < r1; b0 += PredictionBlockRows)
            {
                int b1 = Math.Min(r1, b0 + PredictionBlockRows);
                ReadOnlySpan<float> block;
                if (copy is null)
                {
                    block = features.AsSpan().Slice(b0 * FeatureCount, (b1 - b0) * FeatureCount);
                }
                else
                {
                    for (int r = b0; r < b1; r++)
                    {
                        features.Row(r).CopyTo(copy.AsSpan((r - b0) * FeatureCount));
                    }

                    block = copy.AsSpan(0, (b1 - b0) * FeatureCount);
                }

                AccumulateBlock(block, b1 - b0, output.Slice(b0 * k, (b1 - b0) * k));
            }
        });

        return result;
    }

    /// <summary>
    /// Adds the mean over the trees of the leaf values of <paramref name="count"/> contiguous rows to
    /// <paramref name="output"/> (count × classes). Rows walk each tree <see cref="WalkLanes"/> at a time, one step of
    /// every walk per round, so that the node loads of different rows overlap instead of waiting for each other; each
    /// step asks the cache for both children of its node, so the next round finds the one it takes already loaded
    /// (together 20–35% off a 100-tree forest's prediction, against 16 lanes without the requests, which more lanes
    /// alone did not change; the eighteenth session's log). A walk
    /// that reaches its leaf adds the leaf's values and takes the next row; when no row is left its lane is closed by
    /// moving the last open lane into it, so every round steps only open lanes. Each row's sums are added tree by tree
    /// in tree order, whatever the lanes do.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void AccumulateBlock(ReadOnlySpan<float> block, int count, Span<double> output)
    {
        int k = _classes.Length, d = FeatureCount;
        int* laneRow = stackalloc int[WalkLanes];
        int* laneNode = stackalloc int[WalkLanes];
        int* laneOffset = stackalloc int[WalkLanes];
        fixed (float* x = block)
        fixed (TreeNode* nodes = _nodes)
        fixed (double* sums = output)
        fixed (double* leafValues = _leafValues)
        {
            for (int t = 0; t < TreeCount; t++)
            {
                int root = _treeStarts[t];
                int lanes = Math.Min(WalkLanes, count), nextRow = lanes;
                for (int j = 0; j < lanes; j++)
                {
                    laneRow[j] = j;
                    laneOffset[j] = j * d;
                    laneNode[j] = root;
                }

                while (lanes > 0)
                {
                    for (int j = 0; j < lanes; j++)
                    {
                        TreeNode* node = nodes + laneNode[j];
                        if (node->Left >= 0)
                        {
                            // Both children are asked for now, while the row's feature is read: this walk steps
                            // into one of them in the next round, WalkLanes steps later, when its line has come (the
                            // deep nodes of a large forest are in L3 or memory).
                            CachePrefetch.Line(nodes + node->Left);
                            CachePrefetch.Line(nodes + node->Right);

                            // Branch-free: which way a row goes is a coin flip to the branch predictor. Right is the
                            // field after Left; NaN goes right, as with x <= threshold.
                            bool right = !(x[laneOffset[j] + node->Feature] <= node->Threshold);
                            laneNode[j] = (&node->Left)[Unsafe.As<bool, byte>(ref right)];
                            continue;
                        }

                        // A leaf: add its values. A pure leaf's values are a 1 and zeros, so adding the 1 alone gives the
                        // same sums (adding +0 changes no sum, none being −0) without reading the leaf's values: a cache
                        // miss per row and tree in a forest of deep trees (MarkPureLeaves).
                        double* sum = sums + ((long)laneRow[j] * k);
                        if (node->Right >= 0)
                        {
                            sum[node->Right] += 1.0;
                        }
                        else
                        {
                            double* values = leafValues + ((long)~node->Left * k);
                            for (int c = 0; c < k; c++)
                            {
                                sum[c] += values[c];
                            }
                        }

                        if (nextRow < count)
                        {
                            laneRow[j] = nextRow;
                            laneOffset[j] = nextRow * d;
                            laneNode[j] = root;
                            nextRow++;
                        }
                        else
                        {
                            // Close this lane: the last open lane takes its place and steps in this round (j again).
                            lanes--;
                            laneRow[j] = laneRow[lanes];
                            laneOffset[j] = laneOffset[lanes];
                            laneNode[j] = laneNode[lanes];
                            j--;
                        }
                    }
                }
            }
        }

        double scale = 1.0 / TreeCount;
        foreach (ref double p in output[..(count * k)])
        {
            p *= scale;
        }
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: forests give probabilities, not decision values.</exception>
    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null) =>
        throw InputChecks.NotSupported(this, "a decision function", "use PredictProbabilities");

    /// <summary>The leaf index <paramref name="x"/> reaches in the tree whose root is <paramref name="root"/>.</summary>
    private int Leaf(int root, ReadOnlySpan<float> x)
    {
        var nodes = _nodes;
        int node = root;
        while (true)
        {
            ref readonly var current = ref nodes[node];
            if (current.Left < 0)
            {
                return ~current.Left;
            }

            node = x[current.Feature] <= current.Threshold ? current.Left : current.Right;
        }
    }

    /// <summary>The first index of the largest value: ties go to the first class, as numpy's argmax does.</summary>
    private static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
        {
            if (values[c] > values[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>Concatenates grown trees into a model (no training statistics yet).</summary>
    internal static ForestModel Assemble(int[] classes, int featureCount, bool isExtraTrees, GrownTree[] trees, TimeSpan? fitTime, double? outOfBagScore)
    {
        int k = classes.Length;
        var starts = new int[trees.Length + 1];
        long nodeTotal = 0, leafTotal = 0;
        for (int t = 0; t < trees.Length; t++)
        {
            nodeTotal += trees[t].Nodes.Length;
            leafTotal += trees[t].LeafValues.Length;
            if (nodeTotal > Array.MaxLength || leafTotal > Array.MaxLength)
            {
                throw new InvalidOperationException("The forest has more nodes than one array can hold; limit MaxDepth or MaxLeafNodes.");
            }

            starts[t + 1] = (int)nodeTotal;
        }

        var nodes = new TreeNode[nodeTotal];
        var leaves = new double[leafTotal];
        int leafOffset = 0;
        for (int t = 0; t < trees.Length; t++)
        {
            int start = starts[t];
            var tree = trees[t];
            for (int i = 0; i < tree.Nodes.Length; i++)
            {
                var node = tree.Nodes[i];
                if (node.IsLeaf)
                {
                    node.Left = ~(~node.Left + leafOffset);
                }
                else
                {
                    node.Left += start;
                    node.Right += start;
                }

                nodes[start + i] = node;
            }

            tree.LeafValues.CopyTo(leaves, (long)leafOffset * k);
            leafOffset += tree.LeafValues.Length / k;
        }

        var importances = new double[featureCount];
        int splitting = 0;
        foreach (var tree in trees)
        {
            if (tree.Importances is { } treeImportances)
            {
                splitting++;
                for (int f = 0; f < featureCount; f++)
                {
                    importances[f] += treeImportances[f];
                }
            }
        }

        if (splitting > 0)
        {
            // numpy's mean, then the division by the sum as scikit-learn's forests do.
            for (int f = 0; f < featureCount; f++)
            {
                importances[f] /= splitting;
            }

            double sum = importances.Sum();
            if (sum > 0)
            {
                for (int f = 0; f < featureCount; f++)
                {
                    importances[f] /= sum;
                }
            }
        }

        MarkPureLeaves(nodes, leaves, k);
        return new ForestModel(classes, featureCount, isExtraTrees, starts, nodes, leaves, importances, outOfBagScore, fitTime);
    }

    /// <summary>This model with its out-of-bag score and fit time.</summary>
    internal ForestModel WithTraining(double? outOfBagScore, TimeSpan? fitTime) =>
        new(_classes, FeatureCount, IsExtraTrees, _treeStarts, _nodes, _leafValues, _importances, outOfBagScore, fitTime);

    /// <summary>
    /// The accuracy over the training rows that at least one tree left out (bit r of <paramref name="inBag"/>[t] clear),
    /// each predicted by the summed probabilities of those trees; NaN when every tree drew every row.
    /// </summary>
    internal double OutOfBagAccuracy(FeatureMatrix features, int[] classIndices, ulong[][] inBag, ComputeBudget budget)
    {
        int n = features.Rows, k = _classes.Length;
        var correct = new bool[n];
        var seen = new bool[n];
        ParallelRows.For(n, (long)n * TreeCount * Math.Max(1, MaxDepthReached), budget, (r0, r1) =>
        {
            var sum = new double[k];
            for (int r = r0; r < r1; r++)
            {
                Array.Clear(sum);
                var x = features.Row(r);
                for (int t = 0; t < TreeCount; t++)
                {
                    if ((inBag[t][r >> 6] & (1UL << r)) == 0)
                    {
                        seen[r] = true;
                        var values = _leafValues.AsSpan(Leaf(_treeStarts[t], x) * k, k);
                        for (int c = 0; c < k; c++)
                        {
                            sum[c] += values[c];
                        }
                    }
                }

                correct[r] = seen[r] && ArgMax(sum) == classIndices[r];
            }
        });

        int rows = seen.Count(s => s);
        return rows == 0 ? double.NaN : (double)correct.Count(c => c) / rows;
    }

    /// <summary>
    /// Sets each leaf's <see cref="TreeNode.Right"/>, which no walk follows, to the class whose fraction is 1 when the
    /// leaf is pure (every other fraction 0), and to −1 otherwise; model files still write −1 (see <see cref="TreeNode"/>).
    /// Called once where a node array is made (<see cref="Assemble"/> and the model-file reader), before any model reads it.
    /// </summary>
    private static void MarkPureLeaves(TreeNode[] nodes, double[] leafValues, int k)
    {
        for (int i = 0; i < nodes.Length; i++)
        {
            if (!nodes[i].IsLeaf)
            {
                continue;
            }

            var values = leafValues.AsSpan(~nodes[i].Left * k, k);
            int pure = values.IndexOf(1.0);
            bool zerosElsewhere = pure >= 0;
            for (int c = 0; c < k && zerosElsewhere; c++)
            {
                zerosElsewhere = c == pure || BitConverter.DoubleToInt64Bits(values[c]) == 0;
            }

            nodes[i].Right = zerosElsewhere ? pure : -1;
        }
    }

    /// <summary>The deepest leaf over all trees; children come after their parent, so one forward pass finds every depth.</summary>
    private static int Depth(int[] treeStarts, TreeNode[] nodes)
    {
        var depth = new int[nodes.Length];
        int deepest = 0;
        for (int t = 0; t + 1 < treeStarts.Length; t++)
        {
            depth[treeStarts[t]] = 0;
            for (int i = treeStarts[t]; i < treeStarts[t + 1]; i++)
            {
                deepest = Math.Max(deepest, depth[i]);
                if (!nodes[i].IsLeaf)
                {
                    depth[nodes[i].Left] = Math.Max(depth[nodes[i].Left], depth[i] + 1);
                    depth[nodes[i].Right] = Math.Max(depth[nodes[i].Right], depth[i] + 1);
                }
            }
        }

        return deepest;
    }
}
