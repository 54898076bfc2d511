using System.Diagnostics;
using System.Runtime.InteropServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>A fact that needs /usr/bin/python3 with numpy and scikit-learn; skipped (with the reason) where they are missing.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when the reference interpreter is unavailable.</summary>
    public PythonFactAttribute()
    {
        if (!PythonReference.IsAvailable)
        {
            Skip = $"{PythonReference.Interpreter} with numpy and scikit-learn is not available.";
        }
    }
}

/// <summary>Runs scikit-learn on the same data as a test, exchanging raw little-endian arrays through temp files.</summary>
public static class PythonReference
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            return File.Exists(Interpreter) && Run("import numpy, sklearn\nprint('ok')").Trim() == "ok";
        }
        catch (Exception)
        {
            return false;
        }
    });

    public static bool IsAvailable => Available.Value;

    /// <summary>Runs <paramref name="script"/> and returns its stdout; throws with stderr when it fails.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout;
    }

    /// <summary>A temp file holding the raw bytes of <paramref name="values"/>.</summary>
    public static string WriteRaw<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        string path = Path.Combine(Path.GetTempPath(), $"mnist-ref-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());
        return path;
    }

    public static T[] ReadRaw<T>(string path)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(path)).ToArray();

    public static string NewTempPath() => Path.Combine(Path.GetTempPath(), $"mnist-ref-{Guid.NewGuid():N}.bin");

    /// <summary>Random data with per-column offsets and spreads, a constant column and a near-constant one.</summary>
    public static FeatureMatrix RandomMatrix(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                values[i * columns + j] = j switch
                {
                    0 => 7.25f,
                    1 => 1000f + (i % 2) * 1e-4f,
                    _ => (float)(j * 3.0 + (random.NextDouble() - 0.5) * (j + 1) * 10),
                };
            }
        }

        return new FeatureMatrix(values, columns);
    }
}

/// <summary>A theory that needs /usr/bin/python3 with numpy and scikit-learn; skipped where they are missing.</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets Skip when the reference interpreter is unavailable.</summary>
    public PythonTheoryAttribute()
    {
        if (!PythonReference.IsAvailable)
        {
            Skip = $"{PythonReference.Interpreter} with numpy and scikit-learn is not available.";
        }
    }
}
