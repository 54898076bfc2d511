using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Onnx.Converters;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Onnx;

/// <summary>
/// The table of converters, one per model or transform kind: each adds its nodes to the graph, reading the tensor
/// named by its input, and returns the names of what it computed. A new kind is one line here and one small converter.
/// </summary>
internal static class OnnxConverters
{
    /// <summary>Adds the nodes of a fitted classifier reading <paramref name="input"/>.</summary>
    /// <param name="graph">The graph to add to.</param>
    /// <param name="model">The fitted classifier.</param>
    /// <param name="input">The name of its float[N, features] input.</param>
    /// <param name="where">Where the model sits, for the error message ("the model", "voting member 'svm'", …).</param>
    /// <exception cref="NotSupportedException">The model or a part of it has no converter.</exception>
    public static ClassifierOutputs Classifier(OnnxGraph graph, IClassifierModel model, string input, string where) => model switch
    {
        DummyModel dummy => DummyConverter.Convert(graph, dummy, input),
        SvmModel svm => SvmConverter.Convert(graph, svm, input),
        ForestModel forest => ForestConverter.Convert(graph, forest, input),
        SgdModel sgd => SgdConverter.Convert(graph, sgd, input),
        PipelineModel pipeline => PipelineConverter.Convert(graph, pipeline, input, where),
        VotingModel voting => VotingConverter.Convert(graph, voting, input, where),
        _ => throw new NotSupportedException(
            $"Cannot export {where} to ONNX: {model.GetType().Name} has no ONNX converter (exportable: scalers, SVM, random forest, extra trees, SGD, pipelines, voting, dummy)."),
    };

    /// <summary>Adds the nodes of a fitted transform reading <paramref name="input"/>; returns the name of its output.</summary>
    /// <param name="graph">The graph to add to.</param>
    /// <param name="transform">The fitted transform.</param>
    /// <param name="input">The name of its float[N, features] input.</param>
    /// <param name="where">Where the transform sits, for the error message ("step 1 of the model", …).</param>
    /// <exception cref="NotSupportedException">The transform has no converter.</exception>
    public static string Transform(OnnxGraph graph, IFittedTransform transform, string input, string where) => transform switch
    {
        FittedStandardScaler standard => ScalerConverters.Convert(graph, standard, input),
        FittedMinMaxScaler minMax => ScalerConverters.Convert(graph, minMax, input),
        FittedPca pca => PcaConverter.Convert(graph, pca, input),
        _ => throw new NotSupportedException(
            $"Cannot export {where} to ONNX: the transform {transform.GetType().Name} has no ONNX converter (exportable transforms: standard scaler, min-max scaler, PCA)."),
    };

    /// <summary>
    /// The label of each row from per-class scores: the first largest column (ArgMax's default, numpy's rule, so ties go
    /// to the smallest class as in the library) mapped to the class label.
    /// </summary>
    public static string LabelOfLargest(OnnxGraph graph, string scores, IReadOnlyList<int> classes)
    {
        string index = graph.Fresh("argmax");
        graph.Node("ArgMax", [scores], [index]).Int("axis", 1).Int("keepdims", 0);
        return graph.Apply("Gather", ClassLabels(graph, classes), index);
    }

    /// <summary>The class labels as an int64 constant [k].</summary>
    public static string ClassLabels(OnnxGraph graph, IReadOnlyList<int> classes) =>
        graph.Int64s(classes.Select(c => (long)c).ToArray(), classes.Count);

    /// <summary>The class labels as int64, for the classlabels_ints attribute of the ai.onnx.ml classifiers.</summary>
    public static IEnumerable<long> Int64Labels(IReadOnlyList<int> classes) => classes.Select(c => (long)c);
}

/// <summary>The names of a converted classifier's outputs.</summary>
/// <param name="Label">int64[N], the predicted class labels.</param>
/// <param name="Probabilities">float[N, k], the class probabilities; null when the model has none.</param>
internal sealed record ClassifierOutputs(string Label, string? Probabilities);
