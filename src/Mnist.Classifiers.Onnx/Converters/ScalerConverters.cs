using Mnist.Classifiers.Preprocessing;
using OnnxProto = global::Onnx;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The scalers, as standard arithmetic operators that round exactly where the library rounds, so that the exported
/// pipeline sees bit for bit the features the library's classifier saw.
/// </summary>
/// <remarks>
/// ai.onnx.ml's Scaler computes (x − offset) · scale in single precision: for the min-max scaler (x · scale + offset,
/// two roundings, as numpy) and the standard scaler (in double, rounded to float after each step) that differs in the
/// last bit, and on MNIST that moved one of 2,000 test rows across a tree's threshold (measured with a min-max scaled
/// forest). The operators below reproduce the library's arithmetic instead.
/// </remarks>
internal static class ScalerConverters
{
    /// <summary>
    /// (x − mean) / σ as the library computes it: x widened to double, minus the double means, rounded to float, then
    /// widened again, divided by the double scales and rounded to float.
    /// </summary>
    public static string Convert(OnnxGraph graph, FittedStandardScaler scaler, string input)
    {
        int n = scaler.FeatureCount;
        string current = input;
        if (scaler.WithMean)
        {
            current = ToFloat(graph, graph.Apply("Sub", ToDouble(graph, current), graph.Doubles(scaler.Means.ToArray(), n)));
        }

        if (scaler.WithStd)
        {
            current = ToFloat(graph, graph.Apply("Div", ToDouble(graph, current), graph.Doubles(scaler.Scales.ToArray(), n)));
        }

        return current == input ? graph.Apply("Identity", input) : current;
    }

    /// <summary>x · scale + offset in single precision, multiply then add, then Clip to the range when the scaler clips.</summary>
    public static string Convert(OnnxGraph graph, FittedMinMaxScaler scaler, string input)
    {
        int n = scaler.FeatureCount;
        string scaled = graph.Apply("Add", graph.Apply("Mul", input, graph.Floats(scaler.Scale.ToArray(), n)), graph.Floats(scaler.Offset.ToArray(), n));
        return scaler.Clip
            ? graph.Apply("Clip", scaled, graph.Floats([(float)scaler.RangeMin]), graph.Floats([(float)scaler.RangeMax]))
            : scaled;
    }

    private static string ToDouble(OnnxGraph graph, string input) => graph.Cast(input, OnnxProto.TensorProto.Types.DataType.Double);

    private static string ToFloat(OnnxGraph graph, string input) => graph.Cast(input, OnnxProto.TensorProto.Types.DataType.Float);
}
