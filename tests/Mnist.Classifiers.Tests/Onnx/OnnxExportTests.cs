using Mnist.Classifiers.Data;
using Mnist.Classifiers.Onnx;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>What OnnxExport writes and refuses, on small synthetic models (no MNIST, no runtime needed).</summary>
public class OnnxExportTests
{
    private static readonly FeatureMatrix Rows = new([0, 0, 1, 1, 0, 1, 1, 0], 2);
    private static readonly int[] Labels = [0, 1, 1, 0];

    [Fact]
    public void The_file_declares_its_ir_version_opsets_input_and_outputs()
    {
        var model = new Pipeline(new StandardScaler(), new DummyClassifier()).Fit(Rows, Labels);

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));

        proto.IrVersion.Should().Be(8);
        proto.OpsetImport.Select(o => (o.Domain, o.Version)).Should().BeEquivalentTo([("", 17L), ("ai.onnx.ml", 3L)]);
        proto.Graph.Input.Select(i => i.Name).Should().Equal("input");
        proto.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimParam + d.DimValue).Should().Equal("N0", "2");
        proto.Graph.Output.Select(o => o.Name).Should().Equal("label", "probabilities");
    }

    [Fact]
    public void Save_writes_the_bytes_of_ToBytes()
    {
        using var directory = new TempDirectory();
        var model = new DummyClassifier().Fit(Rows, Labels);
        string path = directory.File("dummy.onnx");

        OnnxExport.Save(model, path);

        File.ReadAllBytes(path).Should().Equal(OnnxExport.ToBytes(model));
    }

    [Fact]
    public void A_transform_without_converter_is_refused_naming_the_step_and_nothing_is_written()
    {
        using var directory = new TempDirectory();
        var model = new PipelineModel([new StandardScaler().Fit(Rows), new Negate(2)], new DummyClassifier().Fit(Rows, Labels));
        string path = directory.File("refused.onnx");

        var save = () => OnnxExport.Save(model, path);

        save.Should().Throw<NotSupportedException>().WithMessage("*step 1 of the model*Negate*");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void Deskewing_has_no_standard_operator_and_is_refused_naming_its_step()
    {
        var images = Synthetic.Images(4, seed: 3).ToFeatures();
        var model = new PipelineModel([new Deskew().Fit(images)], new DummyClassifier().Fit(images, [0, 1, 0, 1]));

        var export = () => OnnxExport.ToBytes(model);

        export.Should().Throw<NotSupportedException>().WithMessage("*step 0 of the model*Deskew*");
    }

    [Fact]
    public void A_model_without_converter_is_refused_naming_it()
    {
        var export = () => OnnxExport.ToBytes(new Constant());

        export.Should().Throw<NotSupportedException>().WithMessage("*the model*Constant*");
    }

    /// <summary>A transform the exporter does not know.</summary>
    private sealed class Negate(int features) : IFittedTransform
    {
        public int FeatureCount => features;

        public FeatureMatrix Transform(FeatureMatrix input, ComputeBudget? budget = null) =>
            new(input.ToContiguous().AsSpan().ToArray().Select(x => -x).ToArray(), input.Columns);
    }

    /// <summary>A model the exporter does not know.</summary>
    private sealed class Constant : PredictOnlyModel
    {
        public override IReadOnlyList<int> Classes => [0, 1];

        public override int FeatureCount => 2;

        public override int[] Predict(FeatureMatrix features, ComputeBudget? budget = null) => new int[features.Rows];
    }
}
