using System.Diagnostics;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests;

/// <summary>A fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mnist-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the system Python (with numpy, h5py, scipy) on a snippet.</summary>
internal static class Python
{
    public const string Executable = "/usr/bin/python3";

    /// <summary>Runs <paramref name="code"/> with the given arguments (as sys.argv[1:]) and returns its standard output.</summary>
    public static string Run(string code, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, $"python failed: {error}");
        return output.Result;
    }
}

/// <summary>Small random MNIST-shaped data for tests.</summary>
internal static class Synthetic
{
    /// <summary><paramref name="count"/> random images of <paramref name="side"/>² pixels, labels cycling 0–9.</summary>
    public static LabeledImages Images(int count, int seed, int side = 28)
    {
        var random = new Random(seed);
        var pixels = new byte[count * side * side];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)((i * 7 + seed) % 10)).ToArray();
        return new LabeledImages(pixels, labels, side * side);
    }

    /// <summary>Writes the four IDX files of a small MNIST into <paramref name="directory"/> (gzip or raw).</summary>
    public static RawMnist WriteIdxDirectory(string directory, int trainCount, int testCount, bool gzip)
    {
        var train = Images(trainCount, 1);
        var test = Images(testCount, 2);
        var suffix = gzip ? ".gz" : "";
        IdxFile.WriteImages(Path.Combine(directory, MnistFiles.TrainImages + suffix), new IdxImages(train.Pixels, trainCount, 28, 28), gzip);
        IdxFile.WriteLabels(Path.Combine(directory, MnistFiles.TrainLabels + suffix), train.Labels, gzip);
        IdxFile.WriteImages(Path.Combine(directory, MnistFiles.TestImages + suffix), new IdxImages(test.Pixels, testCount, 28, 28), gzip);
        IdxFile.WriteLabels(Path.Combine(directory, MnistFiles.TestLabels + suffix), test.Labels, gzip);
        return new RawMnist(train, test, "synthetic");
    }
}

/// <summary>Finds the real MNIST files (shared/data/mnist beside some ancestor of the test directory).</summary>
internal static class SharedData
{
    public static string? MnistDirectory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "shared", "data", "mnist");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}
