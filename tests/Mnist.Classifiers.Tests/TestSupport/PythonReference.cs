using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Runs the system Python (numpy, scipy, h5py, scikit-learn from Debian) for reference results, exchanging raw
/// little-endian arrays through temp files. The one place the tests start Python.
/// </summary>
public static class PythonReference
{
    /// <summary>The interpreter that has scikit-learn (the Debian package).</summary>
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(Probe);

    /// <summary>True when <see cref="Interpreter"/> exists and imports numpy and sklearn.svm.</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Runs <paramref name="code"/> with the given arguments (as sys.argv[1:]) and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">Python failed; the message holds its standard error.</exception>
    public static string Run(string code, params string[] arguments) =>
        Execute(["-c", code, .. arguments], Timeout.InfiniteTimeSpan);

    /// <summary>Runs the script file <paramref name="scriptPath"/> with the given arguments and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">Python failed; the message holds its standard error and output.</exception>
    /// <exception cref="TimeoutException">Python ran longer than <paramref name="timeout"/> and was killed.</exception>
    public static string RunScript(string scriptPath, TimeSpan timeout, params string[] arguments) =>
        Execute([scriptPath, .. arguments], timeout);

    /// <summary>A temp file holding the raw bytes of <paramref name="values"/>.</summary>
    public static string WriteRaw<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        string path = NewTempPath();
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());
        return path;
    }

    /// <summary>The values in a raw little-endian file written by Python (numpy's <c>tofile</c>).</summary>
    public static T[] ReadRaw<T>(string path)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(File.ReadAllBytes(path)).ToArray();

    /// <summary>A fresh path in the temp directory for Python to write to.</summary>
    public static string NewTempPath() => Path.Combine(Path.GetTempPath(), $"mnist-ref-{Guid.NewGuid():N}.bin");

    private static string Execute(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // LIBSVM is single-threaded; keep numpy's BLAS from grabbing every core of a shared machine.
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        string command = string.Join(' ', start.ArgumentList.Select(a => a.Contains('\n') ? "<code>" : a));

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {Interpreter}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Interpreter} {command} ran longer than {timeout} and was killed. Standard error:\n{stderr.Result}");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Interpreter} {command} exited with code {process.ExitCode}. Standard error:\n{stderr.Result}\nStandard output:\n{stdout.Result}");
        }

        return stdout.Result;
    }

    private static bool Probe()
    {
        if (!File.Exists(Interpreter))
        {
            return false;
        }

        try
        {
            Execute(["-c", "import numpy, sklearn.svm"], TimeSpan.FromMinutes(1));
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that needs /usr/bin/python3 with numpy and scikit-learn; skipped (with the reason) where they are missing.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the reference interpreter is unavailable.</summary>
    public PythonFactAttribute()
    {
        if (!PythonReference.IsAvailable)
        {
            Skip = $"{PythonReference.Interpreter} with numpy and scikit-learn is not available.";
        }
    }
}

/// <summary>A theory that needs /usr/bin/python3 with numpy and scikit-learn; skipped where they are missing.</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the reference interpreter is unavailable.</summary>
    public PythonTheoryAttribute()
    {
        if (!PythonReference.IsAvailable)
        {
            Skip = $"{PythonReference.Interpreter} with numpy and scikit-learn is not available.";
        }
    }
}
