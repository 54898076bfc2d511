// The side-by-side comparison runner: fits and predicts with this library (`mnist train --json`), with
// scikit-learn (sklearn_train.py, the seed project's StandardScaler + model pipeline) and, with --mlnet, with
// ML.NET (benchmarks/Mnist.MlNet, the .NET user's alternative) on the same HDF5 file, in one run, alternating them
// so that all see the same machine load, and writes medians and ratios to a Markdown file.
//
//   dotnet run -c Release --project benchmarks/Mnist.Comparison -- \
//       --dataset data.h5 --train-size 10000 --repeats 3 --output docs/benchmarks-log.md [--label "10,000 rows"]
//       [-M svm -C 8 -G auto | -M forest -E 100 -D 64 | -M extra -E 100 -D 16 | -M sgd -L hinge -P l2 -A 0.0001 [--max-iter N] [--average N]
//        | -M voting -C 1 -G scale -E 100 --voting hard] [--scaler standard|minmax|none] [--pca N] [-g [--scoring NAME]] [--mlnet]
//       [--criterion gini|entropy|log_loss] [--class-weight balanced|balanced_subsample] (the forests' options)
//       [--skip-sklearn] [--avx2-path] [--fit-target N]
//
// With -g both sides run their grid search (`mnist train -g`, GridSearchCV(n_jobs=-1, cv=5) over the same grid, both
// scoring with --scoring's scikit-learn scorer, accuracy by default) and the table adds the search time and the best
// cross-validated score and parameters. --preprocess-once gives ours `mnist train --preprocess-once` (the scaler fitted
// once on all rows, not per fold; scikit-learn's side is unchanged).
//
// --avx2-path runs ours a second time per repeat with DOTNET_EnableAVX512=0 (on an AVX-512 host: the kernels an
// AVX2-only host runs), in the same alternation, so both paths are compared with the same scikit-learn runs.
// --fit-target N adds a line saying whether each fit ratio against scikit-learn is at least N (issue 17: 20 at
// 10,000 rows, 30 at 60,000). benchmarks/svm-targets.sh runs issue 17's whole check on a host.
//
// It builds nothing itself: build the solution in Release first (the runner starts samples/Mnist.Cli's mnist.dll
// and benchmarks/Mnist.MlNet's Mnist.MlNet.dll).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

// Our runs' names in the report: the default path, and with --avx2-path the AVX2 one.
const string Ours = "Mnist.Classifiers";
const string OursAvx2 = "Mnist.Classifiers, AVX2 path";

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
string mlNet = Path.Combine(root, "benchmarks", "Mnist.MlNet", "bin", "Release", "net10.0", "Mnist.MlNet.dll");
if (options.MlNet && !File.Exists(mlNet))
{
    Console.Error.WriteLine($"error: {mlNet} does not exist; run `dotnet build Mnist.Classifiers.sln -c Release` first.");
    return 1;
}

RunResult RunOurs(string name, Dictionary<string, string> environment)
{
    string modelPath = Path.Combine(Path.GetTempPath(), $"comparison-{Environment.ProcessId}.model");
    var arguments = new List<string> { "exec", cli, "train", "-d", options.Dataset, "--json", "-o", modelPath };
    arguments.AddRange(options.ModelArguments());
    arguments.AddRange(options.SearchArguments());

    if (options.PreprocessOnce)
    {
        arguments.Add("--preprocess-once");
    }

    if (options.TrainSize > 0)
    {
        arguments.AddRange(["--train-size", options.TrainSize.ToString(CultureInfo.InvariantCulture)]);
    }

    var result = Run("dotnet", arguments, name, environment);
    File.Delete(modelPath);
    return result;
}

var peers = new List<(string Name, Func<RunResult> Run)> { (Ours, () => RunOurs(Ours, [])) };
if (options.AvxTwoPath)
{
    // The runner's own process sees the processor as the child will without the variable.
    if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
    {
        peers.Add((OursAvx2, () => RunOurs(OursAvx2, new() { ["DOTNET_EnableAVX512"] = "0" })));
    }
    else
    {
        Console.Error.WriteLine("--avx2-path: this processor runs no AVX-512 (or it is switched off), so ours runs the AVX2 kernels already; measured once.");
    }
}

if (!options.SkipSklearn)
{
    peers.Add(("scikit-learn", () => Run(
        "/usr/bin/python3",
        [script, "-d", options.Dataset, .. options.ModelArguments(), .. options.SearchArguments(),
         "--train-size", options.TrainSize.ToString(CultureInfo.InvariantCulture)],
        "scikit-learn", [])));
}

if (options.MlNet)
{
    foreach (string trainer in MlNetTrainers(options.Model))
    {
        peers.Add(($"ML.NET {trainer}", () => Run(
            "dotnet",
            ["exec", mlNet, "-d", options.Dataset, "--trainer", trainer, "--trees", options.Estimators, "--train-size", options.TrainSize.ToString(CultureInfo.InvariantCulture)],
            $"ML.NET {trainer}", [])));
    }
}

var runs = peers.ToDictionary(p => p.Name, _ => new List<RunResult>());
for (int repeat = 0; repeat < options.Repeats; repeat++)
{
    foreach (var (name, run) in peers)
    {
        runs[name].Add(run());
    }
}

string section = Report(options, runs);
Console.WriteLine(section);
if (options.Output is not null)
{
    WriteSection(options.Output, options.Label!, section);
    Console.Error.WriteLine($"wrote the section '{options.Label}' of {options.Output}");
}

return 0;

static RunResult Run(string program, List<string> arguments, string who, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string a in arguments)
    {
        start.ArgumentList.Add(a);
    }

    foreach (var (variable, value) in environment)
    {
        start.Environment[variable] = value;
    }

    string variables = string.Concat(environment.Select(e => $"{e.Key}={e.Value} "));
    Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {who}: {variables}{program} {string.Join(' ', arguments)}");
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
        e.TryGetProperty("n_support", out var s) ? s.GetInt64()
            : e.TryGetProperty("n_nodes", out var n) ? n.GetInt64()
            : e.TryGetProperty("n_iter", out var epochs) ? epochs.GetInt64() : 0,
        e.TryGetProperty("peak_memory_mb", out var m) ? m.GetDouble() : double.NaN,
        e.GetProperty("n_train").GetInt32(),
        e.TryGetProperty("search_seconds", out var search) ? search.GetDouble() : null,
        e.TryGetProperty("best_score", out var best) ? best.GetDouble() : null,
        e.TryGetProperty("best_params", out var parameters) ? parameters.GetRawText() : null);
    if (result.SearchSeconds is { } seconds)
    {
        Console.Error.WriteLine($"    search {seconds:F2} s, best score {result.BestScore:F4}, best parameters {result.BestParameters}");
    }

    Console.Error.WriteLine($"    fit {result.FitSeconds:F2} s, predict {result.PredictSeconds:F2} s, accuracy {result.Accuracy:F4}, size {result.ModelSize}, peak {result.PeakMemoryMb:F0} MB");
    return result;
}

static string Report(Options o, Dictionary<string, List<RunResult>> runs)
{
    var c = CultureInfo.InvariantCulture;
    var ours = runs[Ours];
    var ourRuns = runs.Where(r => r.Key.StartsWith(Ours, StringComparison.Ordinal)).ToList();
    var peerRuns = runs.Where(r => !r.Key.StartsWith(Ours, StringComparison.Ordinal)).ToList();
    var text = new StringBuilder();
    text.AppendLine(c, $"### {o.Label}");
    text.AppendLine();
    text.AppendLine(c, $"Measured {DateTime.UtcNow:yyyy-MM-dd} on {Environment.ProcessorCount} cores ({MachineName()}), {ours[0].TrainRows:N0} training rows, test = the 10,000 test rows, {o.DescribeSteps()} then {o.Describe()}, {o.Repeats} run(s) each, alternating; medians.{(ourRuns.Count > 1 ? " \"AVX2 path\": ours again with DOTNET_EnableAVX512=0." : "")}");
    text.AppendLine();
    text.AppendLine(c, $"| | fit s | predict s | accuracy | {o.ModelSizeName()} | peak memory MB |");
    text.AppendLine("|---|---|---|---|---|---|");
    foreach (var (name, results) in runs)
    {
        text.AppendLine(c, $"| {name} | {Median(results, r => r.FitSeconds):F2} | {Median(results, r => r.PredictSeconds):F2} | {results[0].Accuracy:F4} | {(results[0].ModelSize > 0 ? results[0].ModelSize.ToString(c) : "")} | {Median(results, r => r.PeakMemoryMb):F0} |");
    }

    foreach (var (name, results) in peerRuns)
    {
        foreach (var (ourName, mine) in ourRuns)
        {
            text.AppendLine(c, $"| **ratio** ({name} / {OurLabel(ourName)}) | **{Ratio(results, mine, r => r.FitSeconds):F1}x** | **{Ratio(results, mine, r => r.PredictSeconds):F1}x** | {mine[0].Accuracy - results[0].Accuracy:+0.0000;-0.0000} | | |");
        }
    }

    if (o.GridSearch)
    {
        text.AppendLine();
        text.AppendLine("| grid search | search s | best cross-validated score | best parameters |");
        text.AppendLine("|---|---|---|---|");
        foreach (var (name, results) in runs)
        {
            text.AppendLine(c, $"| {name} | {Median(results, r => r.SearchSeconds ?? double.NaN):F2} | {results[0].BestScore:F4} | `{results[0].BestParameters}` |");
        }

        foreach (var (name, results) in peerRuns)
        {
            foreach (var (ourName, mine) in ourRuns)
            {
                text.AppendLine(c, $"| **ratio** ({name} / {OurLabel(ourName)}) | **{Ratio(results, mine, r => r.SearchSeconds ?? double.NaN):F1}x** | | |");
            }
        }
    }

    if (o.Scoring is not null && !o.GridSearch)
    {
        throw new ArgumentException("--scoring chooses how -g scores its candidates: give -g too.");
    }

    if (o.FitTarget is { } target && runs.TryGetValue("scikit-learn", out var reference))
    {
        // A grid search is held to its search time, a plain fit to its fit time.
        Func<RunResult, double> seconds = o.GridSearch ? r => r.SearchSeconds ?? double.NaN : r => r.FitSeconds;
        var verdicts = ourRuns.Select(p => (Label: OurLabel(p.Key), Ratio: Ratio(reference, p.Value, seconds)));
        text.AppendLine();
        text.AppendLine(c, $"Target: {(o.GridSearch ? "search" : "fit")} at least {target:0.#}x scikit-learn's. {string.Join("; ", verdicts.Select(v => $"{v.Label}: {v.Ratio:F1}x, {(v.Ratio >= target ? "**met**" : "**not met**")}"))}.");
    }

    text.AppendLine();
    text.AppendLine("All runs (fit s / predict s):");
    text.AppendLine();
    foreach (var (name, results) in runs)
    {
        text.AppendLine(c, $"- {name}: {string.Join(", ", results.Select(r => $"{r.FitSeconds:F2} / {r.PredictSeconds:F2}"))}");
    }

    text.AppendLine();
    text.AppendLine(c, $"Command: `dotnet run -c Release --project benchmarks/Mnist.Comparison -- --dataset {o.Dataset} --train-size {o.TrainSize} --repeats {o.Repeats} {string.Join(' ', [.. o.ModelArguments(), .. o.SearchArguments()])}{(o.PreprocessOnce ? " --preprocess-once" : "")}{(o.MlNet ? " --mlnet" : "")}{(ourRuns.Count > 1 ? " --avx2-path" : "")}{(o.FitTarget is { } t ? FormattableString.Invariant($" --fit-target {t:0.#}") : "")}`");
    return text.ToString();
}

// "ours", or "ours, AVX2 path" for the run with DOTNET_EnableAVX512=0.
static string OurLabel(string name) => name == Ours ? "ours" : "ours, AVX2 path";

// The ML.NET trainers that stand beside each of our models: forests beside FastForest (one-versus-all) and
// LightGBM, the SGD classifier beside LinearSvm (one-versus-all) and SdcaMaximumEntropy; none beside the SVM (ML.NET
// has no kernel SVM) nor the voting ensemble (it has no voting).
static string[] MlNetTrainers(string model) => model switch
{
    "forest" or "extra" => ["fastforest", "lightgbm"],
    "sgd" => ["linearsvm", "sdca"],
    _ => [],
};

// How many times as long the peer took as ours: the medians' quotient.
static double Ratio(List<RunResult> theirs, List<RunResult> ours, Func<RunResult, double> value) => Median(theirs, value) / Median(ours, value);

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
            case "-M" or "--model": o.Model = Next(); break;
            case "-C": o.C = Next(); break;
            case "-G": o.Gamma = Next(); break;
            case "-E": o.Estimators = Next(); break;
            case "-D": o.MaxDepth = Next(); break;
            case "--criterion": o.Criterion = Next(); break;
            case "--class-weight": o.ClassWeight = Next(); break;
            case "-L": o.Loss = Next(); break;
            case "-P": o.Penalty = Next(); break;
            case "-A": o.Alpha = Next(); break;
            case "--max-iter": o.MaxIterations = Next(); break;
            case "--average": o.Average = Next(); break;
            case "--voting": o.Voting = Next(); break;
            case "--scaler": o.Scaler = Next(); break;
            case "--pca": o.Pca = Next(); break;
            case "--skip-sklearn": o.SkipSklearn = true; break;
            case "--mlnet": o.MlNet = true; break;
            case "-g" or "--gridsearch": o.GridSearch = true; break;
            case "--preprocess-once": o.PreprocessOnce = true; break;
            case "--scoring": o.Scoring = Next(); break;
            case "--avx2-path": o.AvxTwoPath = true; break;
            case "--fit-target": o.FitTarget = double.Parse(Next(), CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }

    if (o.Model is not ("svm" or "forest" or "extra" or "sgd" or "voting"))
    {
        throw new ArgumentException($"-M must be svm, forest, extra, sgd or voting, not '{o.Model}'.");
    }

    if (o.Scaler is not ("standard" or "minmax" or "none"))
    {
        throw new ArgumentException($"--scaler must be standard, minmax or none, not '{o.Scaler}'.");
    }

    if (o.Scoring is not null && !o.GridSearch)
    {
        throw new ArgumentException("--scoring chooses how -g scores its candidates: give -g too.");
    }

    if (o.FitTarget is { } target && (!(target > 0) || o.SkipSklearn))
    {
        throw new ArgumentException(o.SkipSklearn
            ? "--fit-target compares with scikit-learn's runs, which --skip-sklearn leaves out."
            : $"--fit-target must be a positive ratio, not {target.ToString(CultureInfo.InvariantCulture)}.");
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
    public string Model { get; set; } = "svm";
    public string C { get; set; } = "8";
    public string Gamma { get; set; } = "auto";
    public string Estimators { get; set; } = "100";
    public string? MaxDepth { get; set; }
    public string? Criterion { get; set; }
    public string? ClassWeight { get; set; }
    public string Loss { get; set; } = "hinge";
    public string Penalty { get; set; } = "l2";
    public string Alpha { get; set; } = "0.0001";
    public string? MaxIterations { get; set; }
    public string? Average { get; set; }
    public string Voting { get; set; } = "hard";
    public string Scaler { get; set; } = "standard";
    public string? Pca { get; set; }
    public bool SkipSklearn { get; set; }
    public bool MlNet { get; set; }
    public bool GridSearch { get; set; }
    public bool PreprocessOnce { get; set; }
    public string? Scoring { get; set; }
    public bool AvxTwoPath { get; set; }
    public double? FitTarget { get; set; }

    // The flags both `mnist train` and sklearn_train.py take for the preprocessing and the model.
    public string[] ModelArguments()
    {
        string[] trees = [.. (MaxDepth is null ? Array.Empty<string>() : ["-D", MaxDepth]),
            .. (Criterion is null ? Array.Empty<string>() : ["--criterion", Criterion]), .. (ClassWeight is null ? Array.Empty<string>() : ["--class-weight", ClassWeight])];
        string[] steps = [.. (Scaler == "standard" ? Array.Empty<string>() : ["--scaler", Scaler]), .. (Pca is null ? Array.Empty<string>() : ["--pca", Pca])];
        string[] model = Model switch
        {
            "svm" => ["-M", "svm", "-C", C, "-G", Gamma],
            "sgd" => ["-M", "sgd", "-L", Loss, "-P", Penalty, "-A", Alpha, .. (MaxIterations is null ? Array.Empty<string>() : ["--max-iter", MaxIterations]),
                .. (Average is null ? Array.Empty<string>() : ["--average", Average])],
            "voting" => ["-M", "voting", "-C", C, "-G", Gamma, "-E", Estimators, .. trees, "--voting", Voting],
            _ => ["-M", Model, "-E", Estimators, .. trees],
        };
        return [.. steps, .. model];
    }

    // The search's flags, the same for both sides: -g and, when given, its scorer by scikit-learn's name.
    public string[] SearchArguments() =>
        GridSearch ? ["-g", .. (Scoring is null ? Array.Empty<string>() : ["--scoring", Scoring])] : [];

    public string DescribeSteps() =>
        (Scaler switch { "minmax" => "MinMaxScaler", "none" => "no scaler", _ => "StandardScaler" })
        + (Pca is null ? "" : $", PCA({Pca})");

    public string Describe() => Model switch
    {
        "svm" => $"SVC(C={C}, gamma={Gamma})",
        "forest" => $"RandomForest({Estimators} trees, max_depth={MaxDepth ?? "None"}{TreeOptions()})",
        "extra" => $"ExtraTrees({Estimators} trees, max_depth={MaxDepth ?? "None"}{TreeOptions()})",
        "sgd" => $"SGDClassifier(loss={Loss}, penalty={Penalty}, alpha={Alpha}{(MaxIterations is null ? "" : $", max_iter={MaxIterations}")}{(Average is null ? "" : $", average={Average}")})",
        _ => $"{Voting} Voting(SVC(C={C}, gamma={Gamma}), RandomForest and ExtraTrees({Estimators} trees, max_depth={MaxDepth ?? "None"}))",
    };

    private string TreeOptions() =>
        (Criterion is null ? "" : $", criterion={Criterion}") + (ClassWeight is null ? "" : $", class_weight={ClassWeight}");

    // What the size column counts: support vectors, nodes, or the SGD's epochs.
    public string ModelSizeName() => Model switch { "svm" => "support vectors", "sgd" => "epochs", "voting" => "", _ => "nodes" };
}

// ModelSize: support vectors of an SVM, nodes of a forest, epochs of an SGD fit (0 when the peer does not say).
// With -g: the search's time (refit excluded), its best cross-validated score and parameters (JSON).
sealed record RunResult(
    double FitSeconds, double PredictSeconds, double Accuracy, long ModelSize, double PeakMemoryMb, int TrainRows,
    double? SearchSeconds, double? BestScore, string? BestParameters);
