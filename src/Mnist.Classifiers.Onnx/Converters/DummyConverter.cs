namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The dummy model: its most frequent class and its one-hot probabilities broadcast to every row (Expand to the
/// input's row count).
/// </summary>
internal static class DummyConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, DummyModel model, string input)
    {
        int k = model.Classes.Count;
        string rows = graph.Fresh("rows");
        graph.Node("Shape", [input], [rows]).Int("start", 0).Int("end", 1);
        string label = graph.Apply("Expand", graph.Int64s([(long)model.MostFrequentClass], 1), rows);
        var oneHot = new float[k];
        oneHot[model.Classes.ToList().IndexOf(model.MostFrequentClass)] = 1f;
        string shape = graph.Fresh("shape");
        graph.Node("Concat", [rows, graph.Int64s([1L], 1)], [shape]).Int("axis", 0);
        return new ClassifierOutputs(label, graph.Apply("Expand", graph.Floats(oneHot, 1, k), shape));
    }
}
