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
        // MatMul wants [features, components]: the library's own axes, transposed.
        float[] rows = pca.ProjectionAxes();
        var axes = new float[features * count];
        for (int k = 0; k < count; k++)
        {
            for (int j = 0; j < features; j++)
            {
                axes[j * count + k] = rows[k * features + j];
            }
        }

        string centred = graph.Apply("Sub", input, graph.Floats(mean, features));
        return graph.Apply("MatMul", centred, graph.Floats(axes, features, count));
    }
}
