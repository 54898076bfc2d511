using System.Reflection;
using Google.Protobuf;
using Mnist.Classifiers.IO;
using OnnxProto = global::Onnx;

namespace Mnist.Classifiers.Onnx;

/// <summary>
/// Writes a fitted model as an ONNX file that ONNX Runtime (or any runtime of the same operator sets) runs with the
/// library's predictions: input <c>input</c> float[N, <see cref="IClassifierModel.FeatureCount"/>], outputs
/// <c>label</c> int64[N] (the model's class labels) and, when the model has them, <c>probabilities</c> float[N, k]
/// in the order of <see cref="IClassifierModel.Classes"/>.
/// </summary>
/// <remarks>
/// The file is ONNX IR version <see cref="IrVersion"/> with operator sets ai.onnx <see cref="OpsetVersion"/> and
/// ai.onnx.ml <see cref="MlOpsetVersion"/>, the newest that ONNX 1.12 knows, so that its checker and every
/// runtime since accept it. Each model kind has one small converter; docs/onnx.md lists the operators each uses. The
/// protobuf messages are compiled from ONNX 1.12's own <c>onnx.proto</c>.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX IR version of the files written (8, ONNX 1.10–1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default operator set (ai.onnx) the files import.</summary>
    public const long OpsetVersion = 17;

    /// <summary>The version of the ai.onnx.ml operator set the files import.</summary>
    public const long MlOpsetVersion = 3;

    /// <summary>The name of the graph's input, float[N, features].</summary>
    public const string InputName = "input";

    /// <summary>The name of the predicted labels output, int64[N].</summary>
    public const string LabelName = "label";

    /// <summary>The name of the class probabilities output, float[N, classes]; present when the model has probabilities.</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>The model as the bytes of an ONNX file.</summary>
    /// <param name="model">A fitted model of the library's own kinds.</param>
    /// <exception cref="NotSupportedException">
    /// The model, or a step or member inside it, is of a kind with no ONNX converter; the message names it and where
    /// it sits.
    /// </exception>
    public static byte[] ToBytes(IClassifierModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Build(model).ToByteArray();
    }

    /// <summary>Writes the model as an ONNX file at <paramref name="path"/>, atomically (<see cref="AtomicFile"/>).</summary>
    /// <param name="model">A fitted model of the library's own kinds.</param>
    /// <param name="path">The file to write; an existing file is replaced only once the new one is complete.</param>
    /// <exception cref="NotSupportedException">The model, or a part of it, has no ONNX converter (nothing is written).</exception>
    public static void Save(IClassifierModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        // Built before the file is opened, so an unsupported model leaves no file behind.
        var proto = Build(model);
        AtomicFile.WriteStream(path, proto.WriteTo);
    }

    /// <summary>The package version without the source revision the SDK appends after '+', so a file does not depend on the commit.</summary>
    private static string ProducerVersion =>
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "";

    private static OnnxProto.ModelProto Build(IClassifierModel model)
    {
        var graph = new OnnxGraph();
        var outputs = OnnxConverters.Classifier(graph, model, InputName, "the model");
        graph.Proto.Input.Add(OnnxGraph.FloatMatrix(InputName, model.FeatureCount));
        graph.Node("Identity", [outputs.Label], [LabelName]);
        graph.Proto.Output.Add(OnnxGraph.Int64Vector(LabelName));
        if (outputs.Probabilities is { } probabilities)
        {
            graph.Node("Identity", [probabilities], [ProbabilitiesName]);
            graph.Proto.Output.Add(OnnxGraph.FloatMatrix(ProbabilitiesName, model.Classes.Count));
        }

        var proto = new OnnxProto.ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Mnist.Classifiers.Onnx",
            ProducerVersion = ProducerVersion,
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        proto.OpsetImport.Add(new OnnxProto.OperatorSetIdProto { Domain = OnnxGraph.MlDomain, Version = MlOpsetVersion });
        return proto;
    }
}
