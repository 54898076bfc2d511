using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// Random forests and extra trees: every tree's nodes in ai.onnx.ml's TreeEnsembleRegressor with one target per class,
/// each leaf adding its class fractions; the sums times 1/trees are the probabilities (the mean over the trees, as the
/// library and scikit-learn's <c>predict_proba</c> compute them) and the label is their first largest column.
/// </summary>
/// <remarks>
/// TreeEnsembleClassifier would give the same sums for three classes or more, but ONNX Runtime treats two classes
/// specially (onnxruntime/core/providers/cpu/ml/tree_ensemble_aggregator.h: the label from the second score's sign and
/// rewritten score columns), so the regressor with an explicit ArgMax serves every class count the same way. The leaves
/// hold the fractions themselves, not fractions / trees: pure leaves then add exact ones, so tied votes stay exactly tied
/// in single precision and go to the first class as in the library.
/// </remarks>
internal static class ForestConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, ForestModel model, string input)
    {
        int k = model.Classes.Count;
        var nodes = model.Nodes;
        var starts = model.TreeStarts;
        var leafValues = model.LeafValues;
        var treeIds = new List<long>(nodes.Length);
        var nodeIds = new List<long>(nodes.Length);
        var features = new List<long>(nodes.Length);
        var modes = new List<string>(nodes.Length);
        var thresholds = new List<float>(nodes.Length);
        var trueIds = new List<long>(nodes.Length);
        var falseIds = new List<long>(nodes.Length);
        var targetTrees = new List<long>();
        var targetNodes = new List<long>();
        var targetIds = new List<long>();
        var targetWeights = new List<float>();
        for (int t = 0; t < model.TreeCount; t++)
        {
            int root = starts[t];
            for (int n = root; n < starts[t + 1]; n++)
            {
                var node = nodes[n];
                treeIds.Add(t);
                nodeIds.Add(n - root);
                if (node.IsLeaf)
                {
                    features.Add(0);
                    modes.Add("LEAF");
                    thresholds.Add(0);
                    trueIds.Add(0);
                    falseIds.Add(0);
                    var values = leafValues.Slice(~node.Left * k, k);
                    for (int c = 0; c < k; c++)
                    {
                        // Zero fractions add nothing; leaving them out keeps the file small (most leaves are pure).
                        if (values[c] != 0)
                        {
                            targetTrees.Add(t);
                            targetNodes.Add(n - root);
                            targetIds.Add(c);
                            targetWeights.Add((float)values[c]);
                        }
                    }
                }
                else
                {
                    // x <= threshold goes left, NaN right: BRANCH_LEQ's true and false branches.
                    features.Add(node.Feature);
                    modes.Add("BRANCH_LEQ");
                    thresholds.Add(node.Threshold);
                    trueIds.Add(node.Left - root);
                    falseIds.Add(node.Right - root);
                }
            }
        }

        string sums = graph.Fresh("tree_sums");
        graph.Node("TreeEnsembleRegressor", [input], [sums], OnnxGraph.MlDomain)
            .Int("n_targets", k)
            .String("aggregate_function", "SUM")
            .String("post_transform", "NONE")
            .Ints("nodes_treeids", treeIds)
            .Ints("nodes_nodeids", nodeIds)
            .Ints("nodes_featureids", features)
            .Strings("nodes_modes", modes)
            .Floats("nodes_values", thresholds)
            .Ints("nodes_truenodeids", trueIds)
            .Ints("nodes_falsenodeids", falseIds)
            .Ints("target_treeids", targetTrees)
            .Ints("target_nodeids", targetNodes)
            .Ints("target_ids", targetIds)
            .Floats("target_weights", targetWeights);
        string probabilities = graph.Apply("Mul", sums, graph.Floats([(float)(1.0 / model.TreeCount)]));
        return new ClassifierOutputs(OnnxConverters.LabelOfLargest(graph, probabilities, model.Classes), probabilities);
    }
}
