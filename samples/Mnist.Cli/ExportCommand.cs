using System.CommandLine;
using Mnist.Classifiers;
using Mnist.Classifiers.Onnx;
using Mnist.Classifiers.Persistence;

namespace Mnist.Cli;

/// <summary>
/// <c>mnist export</c>: converts a trained model file to ONNX (docs/onnx.md), to serve it with ONNX Runtime or any
/// runtime of ai.onnx 17 and ai.onnx.ml 3.
/// </summary>
public static class ExportCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<string>("--model", "-m")
        {
            Description = "The trained model file (written by mnist train).",
            DefaultValueFactory = _ => "model.bin",
        };
        var outputPath = new Option<string>("--output", "-o")
        {
            Description = "The ONNX file to write (replaced atomically if it exists).",
            DefaultValueFactory = _ => "model.onnx",
        };
        var command = new Command("export", "Export a trained model to ONNX: input 'input' float[N, features], outputs 'label' and 'probabilities'.");
        command.Options.Add(modelPath);
        command.Options.Add(outputPath);
        command.SetAction(parse => Run(
            parse.GetValue(modelPath)!, parse.GetValue(outputPath)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Loads the model and writes it as ONNX; returns 0, or 1 after an error line naming the file and the problem.</summary>
    public static int Run(string modelPath, string outputPath, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        IClassifierModel model;
        try
        {
            model = ModelFile.Load(modelPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot load the model '{modelPath}': {e.Message}");
            return 1;
        }

        try
        {
            OnnxExport.Save(model, outputPath);
        }
        catch (NotSupportedException e)
        {
            error.WriteLine($"error: the model '{modelPath}' cannot be exported: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write '{outputPath}': {e.Message}");
            return 1;
        }

        output.WriteLine(
            $"{outputPath}: {model.GetType().Name}, input float[N, {model.FeatureCount}], outputs label{(model.SupportsProbabilities ? " and probabilities" : "")} "
            + $"(ONNX IR {OnnxExport.IrVersion}, ai.onnx {OnnxExport.OpsetVersion}, ai.onnx.ml {OnnxExport.MlOpsetVersion})");
        return 0;
    }
}
