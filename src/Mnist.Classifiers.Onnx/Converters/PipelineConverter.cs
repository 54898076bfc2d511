namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>A fitted pipeline: its transforms' nodes one after the other, then its classifier's on their output.</summary>
internal static class PipelineConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, PipelineModel pipeline, string input, string where)
    {
        string current = input;
        for (int i = 0; i < pipeline.Transforms.Count; i++)
        {
            current = OnnxConverters.Transform(graph, pipeline.Transforms[i], current, $"step {i} of {where}");
        }

        return OnnxConverters.Classifier(graph, pipeline.Classifier, current, $"the classifier of {where}");
    }
}
