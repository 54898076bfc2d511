using Mnist.Classifiers.Ensembles;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// A voting ensemble: every member's nodes on the same input, combined by standard operators as scikit-learn's
/// VotingClassifier combines them.
/// </summary>
internal static class VotingConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, VotingModel voting, string input, string where)
    {
        var members = new ClassifierOutputs[voting.Members.Count];
        for (int m = 0; m < members.Length; m++)
        {
            members[m] = OnnxConverters.Classifier(graph, voting.Members[m], input, $"voting member '{voting.MemberNames[m]}' of {where}");
        }

        return voting.Voting == VotingMode.Soft ? Soft(graph, voting, members) : Hard(graph, voting, members);
    }

    /// <summary>
    /// Σ_m w_m · onehot(label_m) per class, then the first largest: the smallest label among ties, scikit-learn's
    /// <c>argmax(bincount(predictions, weights))</c>. The one-hot rows are Equal(label, classes) cast to float.
    /// </summary>
    private static ClassifierOutputs Hard(OnnxGraph graph, VotingModel voting, ClassifierOutputs[] members)
    {
        int k = voting.Classes.Count;
        string classes = graph.Int64s(voting.Classes.Select(c => (long)c).ToArray(), 1, k);
        string column = graph.Int64s([1L], 1);
        var votes = new string[members.Length];
        for (int m = 0; m < members.Length; m++)
        {
            string label = graph.Apply("Unsqueeze", members[m].Label, column);
            string oneHot = graph.Cast(graph.Apply("Equal", label, classes), global::Onnx.TensorProto.Types.DataType.Float);
            votes[m] = graph.Apply("Mul", oneHot, graph.Floats([(float)Weight(voting, m)]));
        }

        return new ClassifierOutputs(OnnxConverters.LabelOfLargest(graph, graph.Apply("Sum", votes), voting.Classes), null);
    }

    /// <summary>Σ_m w_m · P_m / Σ_m w_m, and the class of its first largest value.</summary>
    private static ClassifierOutputs Soft(OnnxGraph graph, VotingModel voting, ClassifierOutputs[] members)
    {
        var weighted = new string[members.Length];
        double total = 0;
        for (int m = 0; m < members.Length; m++)
        {
            // The ensemble was fitted with soft voting, which requires every member to have probabilities.
            string probabilities = members[m].Probabilities
                ?? throw new InvalidOperationException($"Voting member '{voting.MemberNames[m]}' has no probabilities in a soft vote.");
            weighted[m] = graph.Apply("Mul", probabilities, graph.Floats([(float)Weight(voting, m)]));
            total += Weight(voting, m);
        }

        string mean = graph.Apply("Div", graph.Apply("Sum", weighted), graph.Floats([(float)total]));
        return new ClassifierOutputs(OnnxConverters.LabelOfLargest(graph, mean, voting.Classes), mean);
    }

    private static double Weight(VotingModel voting, int member) => voting.Weights?[member] ?? 1.0;
}
