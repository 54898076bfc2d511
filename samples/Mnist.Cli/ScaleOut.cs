using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;

namespace Mnist.Cli;

/// <summary>
/// The flags of <c>mnist train -g</c> past one machine (docs/scale-out.md): <c>--shard K/N --results DIR</c> fits
/// one shard's share of the search and writes its results files; <c>--merge DIR</c> merges every shard's files.
/// </summary>
/// <param name="Shard">The shard as <c>K/N</c> (<c>--shard</c>); null to take it from the environment.</param>
/// <param name="ShardCount">The number of shards when the index comes from Kubernetes' <c>JOB_COMPLETION_INDEX</c> (<c>--shard-count</c>).</param>
/// <param name="ResultsDirectory">Where a shard writes its results files (<c>--results</c>); null when not running a shard.</param>
/// <param name="MergeDirectory">Where the results files to merge are (<c>--merge</c>); null when not merging.</param>
/// <param name="UnitPerFit">
/// Make every candidate × fold its own work unit (<c>--unit-per-fit</c>; <see cref="CrossValidatedSearch{TLearner}.ShareWork"/> false):
/// the SVM grid's 40 fits become 40 units instead of 5 (one per fold), for more shards.
/// </param>
public sealed record ScaleOutSettings(
    string? Shard = null, int? ShardCount = null, string? ResultsDirectory = null, string? MergeDirectory = null, bool UnitPerFit = false);

/// <summary>The shard runs and merges of <c>mnist train -g</c>, thin over <see cref="SearchPlan{TLearner}"/>.</summary>
public static class ScaleOut
{
    /// <summary>The environment variable that gives the number of shards of a Kubernetes Indexed Job when <c>--shard-count</c> does not.</summary>
    public const string ShardCountVariable = "MNIST_SHARD_COUNT";

    /// <summary>The <c>-g</c> search of <paramref name="model"/>'s default grid, its work units as the flags ask.</summary>
    internal static GridSearch<Pipeline> Search(string model, Pipeline learner, TrainSettings settings) =>
        DefaultGrids.Create(model, learner, settings.Seed) with
        {
            ShareWork = !settings.ScaleOut.UnitPerFit,
            FitStepsOnce = settings.PreprocessOnce,
            Scoring = SearchScorers.ByName[settings.Scoring],
        };

    /// <summary>
    /// Checks the scale-out flags against each other and <c>-g</c>, and resolves the shard of a shard run: from
    /// <c>--shard K/N</c>, else Slurm's <c>SLURM_ARRAY_TASK_ID</c> / <c>SLURM_ARRAY_TASK_COUNT</c> (numbered from
    /// <c>SLURM_ARRAY_TASK_MIN</c> in steps of <c>SLURM_ARRAY_TASK_STEP</c>, so <c>--array=1-8</c> works too), else
    /// Kubernetes' <c>JOB_COMPLETION_INDEX</c> with the count from <c>--shard-count</c> or <see cref="ShardCountVariable"/>.
    /// </summary>
    /// <param name="settings">The flags.</param>
    /// <param name="gridSearch">Whether <c>-g</c> was given.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <returns>The shard (index, count) of a shard run; null when the flags ask for no shard run.</returns>
    /// <exception cref="ArgumentException">The flags contradict each other or no shard can be found; the message says what to give.</exception>
    public static (int Index, int Count)? Resolve(ScaleOutSettings settings, bool gridSearch, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        bool shardFlags = settings.Shard is not null || settings.ShardCount is not null;
        if (!gridSearch && (shardFlags || settings.ResultsDirectory is not null || settings.MergeDirectory is not null || settings.UnitPerFit))
        {
            throw new ArgumentException("--shard, --shard-count, --results, --merge and --unit-per-fit split a grid search: give -g too.");
        }

        if (settings.ResultsDirectory is not null && settings.MergeDirectory is not null)
        {
            throw new ArgumentException("--results (run a shard) and --merge (merge the shards' results) are two separate steps: give one.");
        }

        if (settings.ResultsDirectory is null)
        {
            return shardFlags
                ? throw new ArgumentException("--shard and --shard-count need --results DIR, where the shard writes its results files.")
                : null;
        }

        if (settings.Shard is { } text)
        {
            string[] parts = text.Split('/');
            return parts.Length == 2 && Parse(parts[0]) is { } k && Parse(parts[1]) is { } n
                ? Checked(k, n, $"--shard {text}")
                : throw new ArgumentException($"--shard must be K/N, the shard K (0 to N-1) of N; got '{text}'.");
        }

        if (environment("SLURM_ARRAY_TASK_ID") is { } id)
        {
            string? count = environment("SLURM_ARRAY_TASK_COUNT");
            if (Parse(id) is not { } task || Parse(count) is not { } tasks || Parse(environment("SLURM_ARRAY_TASK_MIN") ?? "0") is not { } min
                || Parse(environment("SLURM_ARRAY_TASK_STEP") ?? "1") is not { } step || step == 0 || (task - min) % step != 0)
            {
                throw new ArgumentException(
                    $"SLURM_ARRAY_TASK_ID={id} with SLURM_ARRAY_TASK_COUNT={count ?? "(unset)"} does not name a shard: submit with sbatch --array=0-(N-1), or give --shard K/N.");
            }

            return Checked((task - min) / step, tasks, $"SLURM_ARRAY_TASK_ID={id} of SLURM_ARRAY_TASK_COUNT={count}");
        }

        if (environment("JOB_COMPLETION_INDEX") is { } index)
        {
            string? count = settings.ShardCount?.ToString(CultureInfo.InvariantCulture) ?? environment(ShardCountVariable);
            if (Parse(index) is not { } k || Parse(count) is not { } n)
            {
                throw new ArgumentException(
                    $"JOB_COMPLETION_INDEX={index} needs the number of shards, the Indexed Job's completions: give --shard-count N or set {ShardCountVariable}.");
            }

            return Checked(k, n, $"JOB_COMPLETION_INDEX={index} of {n}");
        }

        throw new ArgumentException(
            $"--results needs a shard: give --shard K/N, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --shard-count or {ShardCountVariable}).");

        static int? Parse(string? text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;

        static (int, int) Checked(int k, int n, string source) => n >= 1 && k < n
            ? (k, n)
            : throw new ArgumentException($"{source} is not a shard: the count must be at least 1 and the shard 0 to count-1.");
    }

    /// <summary>
    /// Fits shard <paramref name="shard"/>'s share of <paramref name="search"/>, writes its results files, and says
    /// what it did (a line on stdout; with <c>--json</c> a JSON line too). No refit: the merge does that.
    /// </summary>
    /// <returns>The exit code: 0, or 1 when the results cannot be written.</returns>
    internal static int RunShard(
        GridSearch<Pipeline> search, (int Index, int Count) shard, string directory, FeatureMatrix features, int[] labels,
        ComputeBudget budget, bool json, TextWriter output, TextWriter error)
    {
        var plan = search.Plan(features, labels);
        var units = plan.Shard(shard.Index, shard.Count);
        int fits = units.Sum(u => u.Candidates.Count);
        var clock = Stopwatch.StartNew();
        try
        {
            ProgressDisplay.Run(error, lines: false, progress =>
                plan.RunShard(
                    shard.Index, shard.Count, directory, budget,
                    new CallbackProgress<SearchProgress>(p => progress.Show($"Shard {shard.Index}/{shard.Count}: fits", p.CompletedFits, Math.Max(fits, 1)))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the search results to '{directory}': {e.Message}");
            return 1;
        }

        var c = CultureInfo.InvariantCulture;
        double seconds = clock.Elapsed.TotalSeconds;
        string what = units.Count == 0
            ? $"no work unit (the search has {plan.Units.Count}, fewer than the {shard.Count} shards); nothing written"
            : $"{units.Count} of {plan.Units.Count} work units ({string.Join("; ", units.Select(u => $"unit {u.Index}: fold {u.Fold}, {(u.Candidates.Count == 1 ? "candidate " : "candidates ")}{string.Join(",", u.Candidates)}"))}), "
                + $"{fits} of {plan.TotalFits} fits, written to {directory} in {seconds.ToString("F2", c)}s";
        output.WriteLine($"Shard {shard.Index}/{shard.Count}: {what}. Merge all shards' files with: mnist train -g --merge {directory} (same dataset and flags).");
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("shard", shard.Index);
                writer.WriteNumber("shards", shard.Count);
                writer.WriteNumber("units", units.Count);
                writer.WriteNumber("total_units", plan.Units.Count);
                writer.WriteNumber("fits", fits);
                writer.WriteNumber("total_fits", plan.TotalFits);
                writer.WriteNumber("seconds", seconds);
                writer.WriteString("results", directory);
                writer.WriteString("data_sha256", plan.DataHash);
                writer.WriteString("search_sha256", plan.SearchHash);
                writer.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        }

        return 0;
    }
}
