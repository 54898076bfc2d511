using Google.Protobuf;
using OnnxProto = global::Onnx;

namespace Mnist.Classifiers.Onnx;

/// <summary>
/// A graph under construction: the converters add nodes and constants to it, each under a fresh name, and
/// <see cref="OnnxExport"/> wraps it in a model. Not thread-safe; one export builds one graph.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The domain of the classic machine-learning operators (Scaler, SVMClassifier, …).</summary>
    public const string MlDomain = "ai.onnx.ml";

    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    /// <summary>The graph proto being built.</summary>
    public OnnxProto.GraphProto Proto { get; } = new() { Name = "mnist_classifiers" };

    /// <summary>A name not used before in this graph, made from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        _counters.TryGetValue(hint, out int count);
        _counters[hint] = count + 1;
        return $"{hint}_{count}";
    }

    /// <summary>Adds a node of <paramref name="opType"/> and returns it, for its attributes to be added.</summary>
    /// <param name="opType">The operator.</param>
    /// <param name="inputs">The input names, in the operator's order.</param>
    /// <param name="outputs">The output names, in the operator's order.</param>
    /// <param name="domain">The operator's domain: "" for ai.onnx, <see cref="MlDomain"/> for ai.onnx.ml.</param>
    public OnnxProto.NodeProto Node(string opType, string[] inputs, string[] outputs, string domain = "")
    {
        var node = new OnnxProto.NodeProto { OpType = opType, Name = Fresh(opType), Domain = domain };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        Proto.Node.Add(node);
        return node;
    }

    /// <summary>Adds a node with one output, named after the operator, and returns that output's name.</summary>
    public string Apply(string opType, params string[] inputs)
    {
        string output = Fresh(opType.ToLowerInvariant());
        Node(opType, inputs, [output]);
        return output;
    }

    /// <summary>A float constant of shape <paramref name="dims"/> (a scalar when empty); returns its name.</summary>
    public string Floats(ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = Tensor(Fresh("const"), OnnxProto.TensorProto.Types.DataType.Float, dims);
        foreach (float value in values)
        {
            tensor.FloatData.Add(value);
        }

        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A double constant of shape <paramref name="dims"/> (a scalar when empty); returns its name.</summary>
    public string Doubles(ReadOnlySpan<double> values, params long[] dims)
    {
        var tensor = Tensor(Fresh("const"), OnnxProto.TensorProto.Types.DataType.Double, dims);
        foreach (double value in values)
        {
            tensor.DoubleData.Add(value);
        }

        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a Cast of <paramref name="input"/> to <paramref name="type"/>; returns the output's name.</summary>
    public string Cast(string input, OnnxProto.TensorProto.Types.DataType type)
    {
        string output = Fresh("cast");
        Node("Cast", [input], [output]).Int("to", (long)type);
        return output;
    }

    /// <summary>An int64 constant of shape <paramref name="dims"/> (a scalar when empty); returns its name.</summary>
    public string Int64s(ReadOnlySpan<long> values, params long[] dims)
    {
        var tensor = Tensor(Fresh("const"), OnnxProto.TensorProto.Types.DataType.Int64, dims);
        foreach (long value in values)
        {
            tensor.Int64Data.Add(value);
        }

        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>The float tensor [N, <paramref name="columns"/>] named <paramref name="name"/>, N symbolic.</summary>
    public static OnnxProto.ValueInfoProto FloatMatrix(string name, long columns) =>
        Value(name, OnnxProto.TensorProto.Types.DataType.Float, Dimension("N"), Dimension(columns));

    /// <summary>The int64 tensor [N] named <paramref name="name"/>, N symbolic.</summary>
    public static OnnxProto.ValueInfoProto Int64Vector(string name) =>
        Value(name, OnnxProto.TensorProto.Types.DataType.Int64, Dimension("N"));

    private static OnnxProto.TensorProto Tensor(string name, OnnxProto.TensorProto.Types.DataType type, long[] dims)
    {
        var tensor = new OnnxProto.TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static OnnxProto.ValueInfoProto Value(string name, OnnxProto.TensorProto.Types.DataType type, params OnnxProto.TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new OnnxProto.TensorShapeProto();
        shape.Dim.Add(dims);
        return new OnnxProto.ValueInfoProto
        {
            Name = name,
            Type = new OnnxProto.TypeProto { TensorType = new OnnxProto.TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static OnnxProto.TensorShapeProto.Types.Dimension Dimension(string symbol) => new() { DimParam = symbol };

    private static OnnxProto.TensorShapeProto.Types.Dimension Dimension(long size) => new() { DimValue = size };
}

/// <summary>Attribute helpers for <see cref="OnnxProto.NodeProto"/>: each adds one attribute and returns the node.</summary>
internal static class NodeAttributes
{
    /// <summary>An INT attribute.</summary>
    public static OnnxProto.NodeProto Int(this OnnxProto.NodeProto node, string name, long value) =>
        node.With(new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static OnnxProto.NodeProto String(this OnnxProto.NodeProto node, string name, string value) =>
        node.With(new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    /// <summary>A FLOATS attribute.</summary>
    public static OnnxProto.NodeProto Floats(this OnnxProto.NodeProto node, string name, IEnumerable<float> values)
    {
        var attribute = new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.Add(values);
        return node.With(attribute);
    }

    /// <summary>An INTS attribute.</summary>
    public static OnnxProto.NodeProto Ints(this OnnxProto.NodeProto node, string name, IEnumerable<long> values)
    {
        var attribute = new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return node.With(attribute);
    }

    /// <summary>A STRINGS attribute (UTF-8).</summary>
    public static OnnxProto.NodeProto Strings(this OnnxProto.NodeProto node, string name, IEnumerable<string> values)
    {
        var attribute = new OnnxProto.AttributeProto { Name = name, Type = OnnxProto.AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.Add(values.Select(ByteString.CopyFromUtf8));
        return node.With(attribute);
    }

    private static OnnxProto.NodeProto With(this OnnxProto.NodeProto node, OnnxProto.AttributeProto attribute)
    {
        node.Attribute.Add(attribute);
        return node;
    }
}
