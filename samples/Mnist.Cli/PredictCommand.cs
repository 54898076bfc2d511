using System.CommandLine;
using System.Globalization;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;

namespace Mnist.Cli;

/// <summary>
/// <c>mnist predict</c>: loads a model and predicts the digit in each image file, one line per file. Files that cannot
/// be read get an error line and do not stop the others; the exit code is 1 when any failed.
/// </summary>
public static class PredictCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var modelPath = new Option<string>("--model", "-m")
        {
            Description = "The trained model file (written by mnist train).",
            DefaultValueFactory = _ => "model.bin",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print each class's probability, when the model has them." };
        var images = new Argument<string[]>("images")
        {
            Description = "PNG, JPEG, BMP or GIF pictures of one digit each: any size, colour or grey, dark ink on light paper or the reverse.",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("predict", "Predict the digit (0-9) drawn in each image with a trained model.");
        command.Options.Add(modelPath);
        command.Options.Add(verbose);
        command.Arguments.Add(images);
        command.SetAction(parse => Run(
            parse.GetValue(modelPath)!, parse.GetValue(images)!, parse.GetValue(verbose),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Predicts each image; returns 0 when all were predicted, 1 when the model or any image failed.</summary>
    public static int Run(string modelPath, IReadOnlyList<string> images, bool verbose, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        IClassifierModel model;
        try
        {
            model = DigitImage.LoadDigitModel(modelPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot load the model '{modelPath}': {e.Message}");
            return 1;
        }

        int failed = 0;
        var c = CultureInfo.InvariantCulture;
        foreach (string path in images)
        {
            float[] pixels;
            try
            {
                pixels = DigitImage.LoadMnistPixels(path);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {path}: {e.Message}");
                failed++;
                continue;
            }

            var row = new FeatureMatrix(pixels, pixels.Length);
            int digit = model.Predict(row)[0];
            if (verbose && model.SupportsProbabilities)
            {
                var probabilities = model.PredictProbabilities(row);
                var parts = model.Classes.Select((label, k) => $"{label}: {probabilities[0, k].ToString("F3", c)}");
                output.WriteLine($"{path}: {digit} ({string.Join(", ", parts)})");
            }
            else
            {
                output.WriteLine($"{path}: {digit}");
            }
        }

        return failed == 0 ? 0 : 1;
    }
}
