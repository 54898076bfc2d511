using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mnist.Classifiers.Onnx;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>
/// A second runtime outside .NET: npm's onnxruntime-node, run by node on tests/onnx-node/predict.mjs, loads the exported
/// SVM and forest files and gives the library's labels on the 2,000 MNIST test rows (SVM rows within rounding of a
/// tie excepted, as in <see cref="OnnxRuntimeAgreementTests"/>; here they must be as few). Skipped, saying why, where
/// node or the package (`npm ci` in tests/onnx-node) is missing; required in CI.
/// </summary>
public class OnnxNodeTests
{
    private static readonly Lazy<(string? Directory, string? SkipReason)> Setup = new(Find);

    public static TheoryData<string> Cases() => ["svm-rbf", "svm-rbf-binary", "random-forest", "extra-trees"];

    public static string? SkipReason => References.Skip(Setup.Value.SkipReason);

    [SkippableNodeTheory]
    [MnistMemberData(nameof(Cases))]
    public void Onnxruntime_node_predicts_the_librarys_labels(string name)
    {
        var model = OnnxTestModels.Model(name);
        var test = OnnxTestModels.Data(name).Test;
        using var directory = new TempDirectory();
        string modelPath = directory.File(name + ".onnx"), featuresPath = directory.File("features.bin");
        OnnxExport.Save(model, modelPath);
        File.WriteAllBytes(featuresPath, MemoryMarshal.AsBytes(test.ToContiguous().AsSpan()).ToArray());

        string output = RunNode(Setup.Value.Directory!, modelPath, featuresPath, test.Rows, test.Columns);

        long[] labels = JsonSerializer.Deserialize<long[]>(output)!;
        int[] expected = model.Predict(test);
        labels.Should().HaveCount(test.Rows);
        int differing = Enumerable.Range(0, test.Rows).Count(r => labels[r] != expected[r]);
        // The same runtime as Microsoft.ML.OnnxRuntime underneath: no more ties than there.
        differing.Should().BeLessThanOrEqualTo(model is Mnist.Classifiers.Svm.SvmModel ? 2 : 0);
    }

    private static string RunNode(string directory, params object[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("predict.mjs");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(Convert.ToString(argument, System.Globalization.CultureInfo.InvariantCulture)!);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromMinutes(2)).Should().BeTrue("node must finish within two minutes");
        process.ExitCode.Should().Be(0, stderr.Result);
        return stdout.Result;
    }

    /// <summary>tests/onnx-node beside an ancestor of the test directory, with node on the PATH and the package installed.</summary>
    private static (string?, string?) Find()
    {
        string? directory = null;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null && directory is null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "onnx-node");
            directory = File.Exists(Path.Combine(candidate, "predict.mjs")) ? candidate : null;
        }

        if (directory is null)
        {
            return (null, $"tests/onnx-node was not found above {AppContext.BaseDirectory}.");
        }

        if (!Directory.Exists(Path.Combine(directory, "node_modules", "onnxruntime-node")))
        {
            return (null, $"onnxruntime-node is not installed: run `npm ci` in {directory}.");
        }

        try
        {
            using var probe = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            probe.WaitForExit();
            return probe.ExitCode == 0 ? (directory, null) : (null, "`node --version` failed.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, $"node is not on the PATH ({e.Message}).");
        }
    }
}

/// <summary>A theory skipped, saying why, where node or onnxruntime-node is missing (<see cref="OnnxNodeTests.SkipReason"/>).</summary>
public sealed class SkippableNodeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="OnnxNodeTests.SkipReason"/>.</summary>
    public SkippableNodeTheoryAttribute()
    {
        Skip = OnnxNodeTests.SkipReason;
    }
}
