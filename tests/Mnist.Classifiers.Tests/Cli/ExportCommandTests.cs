using Mnist.Classifiers.Onnx;
using Mnist.Classifiers.Persistence;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist export`: a model file becomes an ONNX file; a bad model or output path gets an error naming it.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_model_file_is_written_as_onnx()
    {
        string model = _directory.File("bars.model"), onnx = _directory.File("bars.onnx");
        ModelFile.Save(BarPictures.Model(), model);
        var (output, error) = (new StringWriter(), new StringWriter());

        int code = ExportCommand.Run(model, onnx, output, error);

        code.Should().Be(0, error.ToString());
        File.ReadAllBytes(onnx).Should().Equal(OnnxExport.ToBytes(ModelFile.Load(model)));
        output.ToString().Should().Contain(onnx).And.Contain("label and probabilities");
    }

    [Fact]
    public void A_missing_model_file_is_an_error_naming_it()
    {
        string model = _directory.File("missing.model");
        var error = new StringWriter();

        ExportCommand.Run(model, _directory.File("out.onnx"), TextWriter.Null, error).Should().Be(1);

        error.ToString().Should().StartWith($"error: cannot load the model '{model}'");
        File.Exists(_directory.File("out.onnx")).Should().BeFalse();
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("not-a-model")]
    public void A_damaged_model_file_is_an_error_naming_it_and_nothing_is_written(string damage)
    {
        string model = _directory.File($"{damage}.model"), onnx = _directory.File($"{damage}.onnx");
        ModelFile.Save(BarPictures.Model(), model);
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "flipped" => bytes.Select((b, i) => i == bytes.Length - 9 ? (byte)(b ^ 0x10) : b).ToArray(),
            _ => "PNG? no: plain text"u8.ToArray(),
        });
        var error = new StringWriter();

        ExportCommand.Run(model, onnx, TextWriter.Null, error).Should().Be(1);

        error.ToString().Should().StartWith($"error: cannot load the model '{model}'");
        File.Exists(onnx).Should().BeFalse();
    }

    [Fact]
    public void An_output_in_a_missing_directory_is_an_error_naming_it()
    {
        string model = _directory.File("bars.model"), onnx = Path.Combine(_directory.Path, "no-such-directory", "bars.onnx");
        ModelFile.Save(BarPictures.Model(), model);
        var error = new StringWriter();

        ExportCommand.Run(model, onnx, TextWriter.Null, error).Should().Be(1);

        error.ToString().Should().StartWith($"error: cannot write '{onnx}'");
    }
}
