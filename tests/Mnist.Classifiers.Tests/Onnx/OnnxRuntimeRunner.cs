using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Onnx;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>Runs an exported model in ONNX Runtime (Microsoft.ML.OnnxRuntime) on a feature matrix.</summary>
internal static class OnnxRuntimeRunner
{
    /// <summary>The labels and, when the file has that output, the probabilities ONNX Runtime computes.</summary>
    public static (long[] Labels, float[,]? Probabilities) Run(byte[] model, FeatureMatrix features)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(features.ToContiguous().AsSpan().ToArray(), [features.Rows, features.Columns]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, input)]);
        long[] labels = results.Single(r => r.Name == OnnxExport.LabelName).AsTensor<long>().ToArray();
        var probabilities = results.SingleOrDefault(r => r.Name == OnnxExport.ProbabilitiesName)?.AsTensor<float>();
        if (probabilities is null)
        {
            return (labels, null);
        }

        probabilities.Dimensions.ToArray().Should().Equal(features.Rows, probabilities.Dimensions[1]);
        var matrix = new float[features.Rows, probabilities.Dimensions[1]];
        for (int r = 0; r < matrix.GetLength(0); r++)
        {
            for (int c = 0; c < matrix.GetLength(1); c++)
            {
                matrix[r, c] = probabilities[r, c];
            }
        }

        return (labels, matrix);
    }
}
