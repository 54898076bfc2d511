using Mnist.Classifiers.Onnx;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>Every exported model kind passes ONNX's own checker (Debian's python3-onnx 1.12), shape inference included.</summary>
public class OnnxCheckerTests
{
    // Loads the file, runs the full check (which also infers every node's output shapes against the operator
    // schemas) and prints the IR version and the imported operator sets for the test to compare.
    private const string CheckScript = """
        import sys
        import onnx
        model = onnx.load(sys.argv[1])
        onnx.checker.check_model(model, full_check=True)
        print(model.ir_version, *sorted(f"{o.domain or 'ai.onnx'}:{o.version}" for o in model.opset_import))
        """;

    public static TheoryData<string> Cases() => new(OnnxTestModels.Names);

    [PythonTheory("onnx")]
    [MnistMemberData(nameof(Cases))]
    public void The_exported_file_passes_the_onnx_checker(string name)
    {
        using var directory = new TempDirectory();
        string path = directory.File(name + ".onnx");
        OnnxExport.Save(OnnxTestModels.Model(name), path);

        string output = PythonReference.Run(CheckScript, path);

        output.Trim().Should().Be($"{OnnxExport.IrVersion} ai.onnx.ml:{OnnxExport.MlOpsetVersion} ai.onnx:{OnnxExport.OpsetVersion}");
    }
}
