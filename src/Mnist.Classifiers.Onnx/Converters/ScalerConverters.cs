using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>The scalers: ai.onnx.ml's Scaler, y = (x − offset) · scale per column.</summary>
internal static class ScalerConverters
{
    /// <summary>
    /// (x − mean) / σ as Scaler(offset = mean, scale = 1/σ), in single precision where the library computes in double
    /// and rounds: outputs differ in the last bits only.
    /// </summary>
    public static string Convert(OnnxGraph graph, FittedStandardScaler scaler, string input)
    {
        var offset = scaler.Means.Select(m => scaler.WithMean ? (float)m : 0f);
        var scale = scaler.Scales.Select(s => scaler.WithStd ? (float)(1.0 / s) : 1f);
        return Scaler(graph, input, offset, scale);
    }

    /// <summary>
    /// x · scale + offset as Scaler(offset = −offset/scale, scale), then Clip to the range when the scaler clips.
    /// </summary>
    public static string Convert(OnnxGraph graph, FittedMinMaxScaler scaler, string input)
    {
        var offset = scaler.Scale.Zip(scaler.Offset, (s, o) => (float)(-(double)o / s));
        string scaled = Scaler(graph, input, offset, scaler.Scale);
        return scaler.Clip
            ? graph.Apply("Clip", scaled, graph.Floats([(float)scaler.RangeMin]), graph.Floats([(float)scaler.RangeMax]))
            : scaled;
    }

    private static string Scaler(OnnxGraph graph, string input, IEnumerable<float> offset, IEnumerable<float> scale)
    {
        string output = graph.Fresh("scaled");
        graph.Node("Scaler", [input], [output], OnnxGraph.MlDomain).Floats("offset", offset).Floats("scale", scale);
        return output;
    }
}
