// The side-by-side comparison runner: fits and predicts with this library (`mnist train --json`) and with
// scikit-learn (sklearn_train.py, the seed project's StandardScaler + SVC pipeline) on the same HDF5 file, in one
// run, alternating the two so that both see the same machine load, and writes medians and ratios to a Markdown file.
//
//   dotnet run -c Release --project benchmarks/Mnist.Comparison -- \
//       --dataset data.h5 --train-size 10000 --repeats 3 --output docs/benchmarks.md [--label "10,000 rows"]
//
// It builds nothing itself: build the solution in Release first (the runner starts samples/Mnist.Cli's mnist.dll).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

var options = ParseArguments(args);
string root = FindRepositoryRoot();
string cli = Path.Combine(root, "samples", "Mnist.Cli", "bin", "Release", "net10.0", "mnist.dll");
if (!File.Exists(cli))
{
    Console.Error.WriteLine($"error: {cli} does not exist; run `dotnet build Mnist.Classifiers.sln -c Release` first.");
    return 1;
}

if (!File.Exists(options.Dataset))
{
    Console.Error.WriteLine($"error: the dataset '{options.Dataset}' does not exist; write it with `mnist fetch`.");
    return 1;
}

string script = Path.Combine(AppContext.BaseDirectory, "sklearn_train.py");
var ours = new List<RunResult>();
var theirs = new List<RunResult>();
for (int repeat = 0; repeat < options.Repeats; repeat++)
{
    string modelPath = Path.Combine(Path.GetTempPath(), $"comparison-{Environment.ProcessId}.model");
    var trainArguments = new List<string> { "exec", cli, "train", "-d", options.Dataset, "-M", "svm", "-C", options.C, "-G", options.Gamma, "--json", "-o", modelPath };
    if (options.TrainSize > 0)
    {
        trainArguments.AddRange(["--train-size", options.TrainSize.ToString(CultureInfo.InvariantCulture)]);
    }

    ours.Add(Run("dotnet", trainArguments, "Mnist.Classifiers"));
    File.Delete(modelPath);
    if (!options.SkipSklearn)
    {
        var sklearnArguments = new List<string> { script, "-d", options.Dataset, "-C", options.C, "-G", options.Gamma, "--train-size", options.TrainSize.ToString(CultureInfo.InvariantCulture) };
        theirs.Add(Run("/usr/bin/python3", sklearnArguments, "scikit-learn"));
    }
}

string section = Report(options, ours, theirs);
Console.WriteLine(section);
if (options.Output is not null)
{
    WriteSection(options.Output, options.Label!, section);
    Console.Error.WriteLine($"wrote the section '{options.Label}' of {options.Output}");
}

return 0;

static RunResult Run(string program, List<string> arguments, string who)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string a in arguments)
    {
        start.ArgumentList.Add(a);
    }

    Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {who}: {program} {string.Join(' ', arguments)}");
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
    var stderr = process.StandardError.ReadToEndAsync();
    string stdout = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{who} failed with exit code {process.ExitCode}:\n{stderr.Result}\n{stdout}");
    }

    string json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
    using var document = JsonDocument.Parse(json);
    var e = document.RootElement;
    var result = new RunResult(
        e.GetProperty("fit_seconds").GetDouble(),
        e.GetProperty("predict_seconds").GetDouble(),
        e.GetProperty("accuracy").GetDouble(),
        e.TryGetProperty("n_support", out var s) ? s.GetInt32() : 0,
        e.TryGetProperty("peak_memory_mb", out var m) ? m.GetDouble() : double.NaN,
        e.GetProperty("n_train").GetInt32());
    Console.Error.WriteLine($"    fit {result.FitSeconds:F2} s, predict {result.PredictSeconds:F2} s, accuracy {result.Accuracy:F4}, {result.SupportVectors} SVs, peak {result.PeakMemoryMb:F0} MB");
    return result;
}

static string Report(Options o, List<RunResult> ours, List<RunResult> theirs)
{
    var c = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    text.AppendLine(c, $"### {o.Label}");
    text.AppendLine();
    text.AppendLine(c, $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores ({MachineName()}), {ours[0].TrainRows:N0} training rows, test = the 10,000 test rows, StandardScaler then SVC(C={o.C}, gamma={o.Gamma}), {o.Repeats} run(s) each, alternating; medians.");
    text.AppendLine();
    text.AppendLine("| | fit s | predict s | accuracy | support vectors | peak memory MB |");
    text.AppendLine("|---|---|---|---|---|---|");
    text.AppendLine(c, $"| Mnist.Classifiers | {Median(ours, r => r.FitSeconds):F2} | {Median(ours, r => r.PredictSeconds):F2} | {ours[0].Accuracy:F4} | {ours[0].SupportVectors} | {Median(ours, r => r.PeakMemoryMb):F0} |");
    if (theirs.Count > 0)
    {
        text.AppendLine(c, $"| scikit-learn | {Median(theirs, r => r.FitSeconds):F2} | {Median(theirs, r => r.PredictSeconds):F2} | {theirs[0].Accuracy:F4} | {theirs[0].SupportVectors} | {Median(theirs, r => r.PeakMemoryMb):F0} |");
        text.AppendLine(c, $"| **ratio** (scikit-learn / ours) | **{Median(theirs, r => r.FitSeconds) / Median(ours, r => r.FitSeconds):F1}x** | **{Median(theirs, r => r.PredictSeconds) / Median(ours, r => r.PredictSeconds):F1}x** | {ours[0].Accuracy - theirs[0].Accuracy:+0.0000;-0.0000} | | |");
    }

    text.AppendLine();
    text.AppendLine("All runs (fit s / predict s):");
    text.AppendLine();
    text.AppendLine(c, $"- Mnist.Classifiers: {string.Join(", ", ours.Select(r => $"{r.FitSeconds:F2} / {r.PredictSeconds:F2}"))}");
    if (theirs.Count > 0)
    {
        text.AppendLine(c, $"- scikit-learn: {string.Join(", ", theirs.Select(r => $"{r.FitSeconds:F2} / {r.PredictSeconds:F2}"))}");
    }

    text.AppendLine();
    text.AppendLine(c, $"Command: `dotnet run -c Release --project benchmarks/Mnist.Comparison -- --dataset {o.Dataset} --train-size {o.TrainSize} --repeats {o.Repeats} -C {o.C} -G {o.Gamma}`");
    return text.ToString();
}

static double Median(List<RunResult> runs, Func<RunResult, double> value)
{
    var sorted = runs.Select(value).Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string MachineName()
{
    try
    {
        string? model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return model is null ? "unknown processor" : model[(model.IndexOf(':') + 1)..].Trim();
    }
    catch (IOException)
    {
        return "unknown processor";
    }
}

// Replaces the section that starts with "### {label}" up to the next "### " (or the end), or appends it; the file is
// written to a temporary name and renamed.
static void WriteSection(string path, string label, string section)
{
    string existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n";
    string header = $"### {label}";
    int start = existing.IndexOf(header + "\n", StringComparison.Ordinal);
    string updated;
    if (start < 0)
    {
        updated = existing.TrimEnd('\n') + "\n\n" + section;
    }
    else
    {
        int end = existing.IndexOf("\n### ", start + header.Length, StringComparison.Ordinal);
        updated = existing[..start] + section + (end < 0 ? string.Empty : existing[(end + 1)..]);
    }

    string temporary = path + ".tmp";
    File.WriteAllText(temporary, updated);
    File.Move(temporary, path, overwrite: true);
}

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Mnist.Classifiers.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Mnist.Classifiers.sln was not found above the runner.");
}

static Options ParseArguments(string[] args)
{
    var o = new Options();
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--dataset" or "-d": o.Dataset = Next(); break;
            case "--train-size": o.TrainSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--repeats": o.Repeats = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--output": o.Output = Next(); break;
            case "--label": o.Label = Next(); break;
            case "-C": o.C = Next(); break;
            case "-G": o.Gamma = Next(); break;
            case "--skip-sklearn": o.SkipSklearn = true; break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }

    o.Label ??= o.TrainSize > 0 ? $"{o.TrainSize:N0} training rows" : "all training rows";
    return o;
}

sealed class Options
{
    public string Dataset { get; set; } = "data.h5";
    public int TrainSize { get; set; }
    public int Repeats { get; set; } = 3;
    public string? Output { get; set; }
    public string? Label { get; set; }
    public string C { get; set; } = "8";
    public string Gamma { get; set; } = "auto";
    public bool SkipSklearn { get; set; }
}

sealed record RunResult(double FitSeconds, double PredictSeconds, double Accuracy, int SupportVectors, double PeakMemoryMb, int TrainRows);
