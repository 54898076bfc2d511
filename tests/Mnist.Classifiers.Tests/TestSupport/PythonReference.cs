using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Runs a Python interpreter (by default the system one, with numpy, scipy, h5py and scikit-learn from Debian) for
/// reference results, exchanging raw little-endian arrays through temp files. The one place the tests start Python.
/// </summary>
/// <remarks>
/// The environment variable <c>MNIST_TEST_PYTHON</c> (<see cref="InterpreterVariable"/>) names another interpreter,
/// an absolute path or a name looked up on the PATH; unset or empty, it is <c>/usr/bin/python3</c>
/// (<see cref="DefaultInterpreter"/>). The tests that need Python say which modules through
/// <see cref="PythonFactAttribute"/> and <see cref="PythonTheoryAttribute"/>, and are skipped, naming what is
/// missing, where the interpreter or one of those modules is not there.
/// </remarks>
public static class PythonReference
{
    /// <summary>The environment variable that overrides <see cref="DefaultInterpreter"/>.</summary>
    public const string InterpreterVariable = "MNIST_TEST_PYTHON";

    /// <summary>The interpreter used when <see cref="InterpreterVariable"/> is unset: the one that has scikit-learn (the Debian package).</summary>
    public const string DefaultInterpreter = "/usr/bin/python3";

    /// <summary>The modules a test needs when its attribute names none: numpy and scikit-learn.</summary>
    public static readonly IReadOnlyList<string> DefaultModules = ["numpy", "sklearn"];

    // Imports each module named on the command line; prints "missing<TAB>module<TAB>error" for those that fail.
    // Python 2 syntax too, so that any interpreter the variable names gets as far as saying what it lacks.
    private const string ImportProbe = """
        import importlib, sys
        for name in sys.argv[1:]:
            try:
                importlib.import_module(name)
            except Exception as e:
                sys.stdout.write('missing\t%s\t%s: %s\n' % (name, type(e).__name__, str(e).replace('\n', ' ')))
        """;

    private static readonly ConcurrentDictionary<string, Lazy<string?>> Probes = new();

    /// <summary>The interpreter the tests run: <c>$MNIST_TEST_PYTHON</c>, or <see cref="DefaultInterpreter"/>.</summary>
    public static string Interpreter { get; } =
        Environment.GetEnvironmentVariable(InterpreterVariable) is { Length: > 0 } path ? path : DefaultInterpreter;

    /// <summary>
    /// Why a test that imports <paramref name="modules"/> cannot run here (the interpreter is missing or cannot import
    /// some of them, named in the reason), or null when it can. Probed once per set of modules.
    /// </summary>
    public static string? SkipReason(IEnumerable<string> modules)
    {
        string[] names = modules.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return Probes.GetOrAdd(string.Join(' ', names), _ => new Lazy<string?>(() => Probe(names))).Value;
    }

    /// <summary>Runs <paramref name="code"/> with the given arguments (as sys.argv[1:]) and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">Python failed; the message holds its standard error.</exception>
    public static string Run(string code, params string[] arguments) =>
        Execute(["-c", code, .. arguments], Timeout.InfiniteTimeSpan);

    /// <summary>Runs the script file <paramref name="scriptPath"/> with the given arguments and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">Python failed; the message holds its standard error and output.</exception>
    /// <exception cref="TimeoutException">Python ran longer than <paramref name="timeout"/> and was killed.</exception>
    public static string RunScript(string scriptPath, TimeSpan timeout, params string[] arguments) =>
        Execute([scriptPath, .. arguments], timeout);

    /// <summary>
    /// Runs <paramref name="code"/> on a labelled matrix: <c>sys.argv[1]</c> is a raw float32 file of <paramref name="x"/>'s
    /// rows, <c>sys.argv[2]</c> a raw int32 file of <paramref name="y"/>, <c>sys.argv[3]</c> and <c>[4]</c> the row and
    /// column counts; the files are deleted afterwards. Returns its standard output.
    /// </summary>
    public static string RunOnRows(string code, Mnist.Classifiers.Data.FeatureMatrix x, int[] y)
    {
        string xPath = WriteRaw<float>(x.AsSpan()), yPath = WriteRaw<int>(y);
        try
        {
            return Run(code, xPath, yPath, x.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
                x.Columns.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(xPath);
            File.Delete(yPath);
        }
    }

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

    private static string? Probe(string[] modules)
    {
        string needed = string.Join(", ", modules);
        string choose = $"{InterpreterVariable} names the interpreter to use";
        if (Path.IsPathRooted(Interpreter) && !File.Exists(Interpreter))
        {
            return $"The Python interpreter {Interpreter} does not exist ({choose}; these tests need {needed}).";
        }

        string output;
        try
        {
            output = Execute(["-c", ImportProbe, .. modules], TimeSpan.FromMinutes(1));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return $"The Python interpreter {Interpreter} could not be run ({choose}): {e.Message.Split('\n')[0]}";
        }

        var missing = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("missing\t", StringComparison.Ordinal))
            .Select(line => line.Split('\t', 3))
            .ToArray();
        if (missing.Length == 0)
        {
            return null;
        }

        string names = string.Join(", ", missing.Select(m => m[1]));
        string errors = string.Join("; ", missing.Select(m => m.Length > 2 ? m[2] : "no error text"));
        return $"Python module{(missing.Length > 1 ? "s" : "")} {names} {(missing.Length > 1 ? "are" : "is")} missing: {Interpreter} cannot import "
            + $"{(missing.Length > 1 ? "them" : "it")} ({errors}); {choose}.";
    }
}

/// <summary>
/// A fact that needs <see cref="PythonReference.Interpreter"/> with the given Python modules (numpy and scikit-learn
/// when none are named); skipped, naming what is missing, where they are not there.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the interpreter cannot import <paramref name="modules"/>.</summary>
    /// <param name="modules">The modules the test imports, as <c>import</c> names ("h5py", "scipy.ndimage").</param>
    public PythonFactAttribute(params string[] modules)
    {
        Modules = modules.Length > 0 ? modules : [.. PythonReference.DefaultModules];
        Skip = References.Skip(PythonReference.SkipReason(Modules));
    }

    /// <summary>The modules the test needs.</summary>
    public IReadOnlyList<string> Modules { get; }
}

/// <summary>
/// A theory that needs <see cref="PythonReference.Interpreter"/> with the given Python modules (numpy and scikit-learn
/// when none are named); skipped, naming what is missing, where they are not there.
/// </summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the interpreter cannot import <paramref name="modules"/>.</summary>
    /// <param name="modules">The modules the test imports, as <c>import</c> names ("h5py", "scipy.ndimage").</param>
    public PythonTheoryAttribute(params string[] modules)
    {
        Modules = modules.Length > 0 ? modules : [.. PythonReference.DefaultModules];
        Skip = References.Skip(PythonReference.SkipReason(Modules));
    }

    /// <summary>The modules the test needs.</summary>
    public IReadOnlyList<string> Modules { get; }
}
