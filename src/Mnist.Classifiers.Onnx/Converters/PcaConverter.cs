using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// PCA as standard operators: Sub of the mean, then MatMul by the components (divided by √variance when whitening),
/// both in single precision as the library's <see cref="FittedPca.Transform"/> computes them. MatMul sums in its own
/// order, so the projections agree with the library's to float rounding, not bit for bit.
/// </summary>
internal static class PcaConverter
{
    public static string Convert(OnnxGraph graph, FittedPca pca, string input)
    {
        int features = pca.FeatureCount, count = pca.ComponentCount;
        var mean = pca.Mean.Select(v => (float)v).ToArray();
        // MatMul wants [features, components]: the transposed axes, scaled as the library scales them.
        var axes = new float[features * count];
        for (int k = 0; k < count; k++)
        {
            double variance = pca.ExplainedVariance[k];
            double scale = pca.Whiten && variance > 0 ? 1 / Math.Sqrt(variance) : 1;
            double[] component = pca.Component(k);
            for (int j = 0; j < features; j++)
            {
                axes[j * count + k] = (float)(component[j] * scale);
            }
        }

        string centred = graph.Apply("Sub", input, graph.Floats(mean, features));
        return graph.Apply("MatMul", centred, graph.Floats(axes, features, count));
    }
}
