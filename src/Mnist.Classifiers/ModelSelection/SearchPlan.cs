using System.Collections.Concurrent;
using System.Diagnostics;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// A cross-validated search's work on one dataset, as ordered work units: each unit is one group of candidates that
/// share their work (<see cref="ISharedWorkClassifier"/>; a single candidate when they share nothing) on one fold.
/// The local search (<see cref="CrossValidatedSearch{TLearner}.Fit"/>) runs every unit of its plan; a scale-out
/// search runs them as shards on many machines (<see cref="RunShard"/>), each unit writing one results file, and
/// <see cref="Merge"/> reads them back into the very <see cref="SearchResult{TLearner}"/> the local search returns.
/// </summary>
/// <remarks>
/// <para>
/// The unit is what the local search computes in one call, so a merged search is the local search, bit for bit,
/// whatever the number of shards: a group of SVM candidates shares one kernel matrix per fold, and splitting it
/// would be other work (<see cref="CrossValidatedSearch{TLearner}.ShareWork"/> = false makes every fit its own unit). Units are numbered group after group, fold after fold within a group (unit
/// <c>g · folds + f</c>), and shard K of N runs the units whose number modulo N is K: a stable rule that needs nothing
/// but the plan, so every shard agrees on it without talking to the others, and the results never depend on N.
/// </para>
/// <para>
/// The plan carries two SHA-256 hashes that every results file repeats and the merge checks: <see cref="DataHash"/>
/// of the rows and labels, and <see cref="SearchHash"/> of what decides the results besides the data (see
/// <see cref="CrossValidatedSearch{TLearner}.Describe"/>). They are computed when first asked for, so a local
/// search, which needs neither, does not pay for hashing its rows.
/// </para>
/// </remarks>
/// <typeparam name="TLearner">The learner searched.</typeparam>
public sealed class SearchPlan<TLearner>
    where TLearner : IClassifier
{
    private readonly CrossValidatedSearch<TLearner> _search;
    private readonly FeatureMatrix _features;
    private readonly int[] _labels;
    private readonly Lazy<string> _dataHash;
    private readonly Lazy<string> _searchHash;
    private readonly object _stepsGate = new();
    private (FeatureMatrix Rows, object? Shared)? _steppedRows;

    internal SearchPlan(CrossValidatedSearch<TLearner> search, FeatureMatrix features, int[] labels)
    {
        _search = search;
        _features = features;
        _labels = labels;
        Candidates = search.Candidates();
        Folds = search.Folds.Split(labels);
        var units = new List<SearchWorkUnit>();
        var groups = search.ShareWork ? ShareGroups(Candidates) : Candidates.Select(c => new[] { c.Index }).ToList();
        foreach (var group in groups)
        {
            foreach (var fold in Folds)
            {
                units.Add(new SearchWorkUnit(units.Count, fold.Index, group));
            }
        }

        Units = units;
        _dataHash = new Lazy<string>(() => SearchHashes.Data(features, labels));
        _searchHash = new Lazy<string>(() => SearchHashes.Text(search.Describe()));
    }

    /// <summary>The candidates, in order.</summary>
    public IReadOnlyList<SearchCandidate<TLearner>> Candidates { get; }

    /// <summary>The cross-validation folds of the rows.</summary>
    public IReadOnlyList<Fold> Folds { get; }

    /// <summary>The work units, numbered from 0 in the order the local search hands them out.</summary>
    public IReadOnlyList<SearchWorkUnit> Units { get; }

    /// <summary>Candidates × folds: the fits of the whole search.</summary>
    public int TotalFits => Candidates.Count * Folds.Count;

    /// <summary>The SHA-256 (lowercase hex) of the rows' shape, features and labels.</summary>
    public string DataHash => _dataHash.Value;

    /// <summary>The SHA-256 (lowercase hex) of the search's description: candidates, learners, folds, scorer, refit.</summary>
    public string SearchHash => _searchHash.Value;

    /// <summary>The units shard <paramref name="index"/> of <paramref name="count"/> runs: those whose number modulo <paramref name="count"/> is <paramref name="index"/>.</summary>
    /// <param name="index">The shard, 0 to <paramref name="count"/> − 1.</param>
    /// <param name="count">The number of shards, at least 1; more shards than units leaves some shards without work.</param>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or the index is outside 0 to count − 1.</exception>
    public IReadOnlyList<SearchWorkUnit> Shard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A shard index must be 0 to {count - 1} for {count} shard(s).");
        }

        return Units.Where(u => u.Index % count == index).ToArray();
    }

    /// <summary>
    /// Fits and scores <paramref name="units"/>, a few at a time within the budget as the local search does, and
    /// returns their results in the order given.
    /// </summary>
    /// <param name="units">Units of this plan.</param>
    /// <param name="budget">The threads, memory and cancellation of the whole run; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <param name="progress">Told after every finished fit (from the thread that ran it); may be null.</param>
    /// <exception cref="ArgumentException">A unit is not one of this plan's.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested.</exception>
    /// <exception cref="InvalidOperationException">A candidate's fit or scoring failed; the message names the candidate and fold.</exception>
    public IReadOnlyList<SearchUnitResult> Run(
        IReadOnlyList<SearchWorkUnit> units, ComputeBudget? budget = null, IProgress<SearchProgress>? progress = null) =>
        RunUnits(units, budget, progress, finished: null);

    /// <summary>
    /// Runs shard <paramref name="index"/> of <paramref name="count"/> (<see cref="Shard"/>) and writes each unit's
    /// results file into <paramref name="directory"/> as soon as the unit is done (<see cref="SearchUnitFile"/>:
    /// atomic, named after the unit, so a rerun of the shard overwrites its files with the same results).
    /// </summary>
    /// <param name="index">The shard, 0 to <paramref name="count"/> − 1.</param>
    /// <param name="count">The number of shards.</param>
    /// <param name="directory">Where the results files go; created when missing.</param>
    /// <param name="budget">The threads, memory and cancellation of the shard; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <param name="progress">Told after every finished fit; may be null.</param>
    /// <returns>The shard's results, in unit order; empty when the shard has no unit.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The shard index or count is out of range.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested; the units already finished keep their files.</exception>
    public IReadOnlyList<SearchUnitResult> RunShard(
        int index, int count, string directory, ComputeBudget? budget = null, IProgress<SearchProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var units = Shard(index, count);
        Directory.CreateDirectory(directory);
        return RunUnits(units, budget, progress, result => SearchUnitFile.Write(directory, result, this));
    }

    /// <summary>
    /// Reads the results files of every unit from <paramref name="directory"/> (all shards' files, gathered in one
    /// place), checks that each unit is there exactly once and that all were computed on these rows for this search,
    /// ranks the candidates and refits the best as the local search does.
    /// </summary>
    /// <remarks>
    /// Scores, ranks, the best candidate and the refitted model are the local search's exactly. The fit and score times
    /// are those the shards measured; <see cref="SearchResult{TLearner}.SearchTime"/> is the wall time of the merge
    /// itself (reading and checking the files), since the shards' wall times overlap on machines this one never saw.
    /// </remarks>
    /// <param name="directory">The directory holding the <c>unit-*.txt</c> files; other files are ignored.</param>
    /// <param name="budget">The threads, memory and cancellation of the refit; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is malformed, was computed on other rows or for another search, a unit is in two files, or units are
    /// missing; the message names the files and units.
    /// </exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested during the refit.</exception>
    public SearchResult<TLearner> Merge(string directory, ComputeBudget? budget = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var watch = Stopwatch.StartNew();
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The search results directory '{directory}' does not exist.");
        }

        var found = new SearchUnitResult?[Units.Count];
        var foundIn = new string?[Units.Count];
        foreach (string path in Directory.GetFiles(directory, SearchUnitFile.Pattern).Order(StringComparer.Ordinal))
        {
            var result = SearchUnitFile.Read(path, this);
            int unit = result.Unit.Index;
            if (foundIn[unit] is { } first)
            {
                throw new InvalidDataException(
                    $"Work unit {unit} is in two results files, '{Path.GetFileName(first)}' and '{Path.GetFileName(path)}': "
                    + "remove the copy (each unit must be merged exactly once).");
            }

            (found[unit], foundIn[unit]) = (result, path);
        }

        var missing = Units.Where(u => found[u.Index] is null).ToArray();
        if (missing.Length > 0)
        {
            const int Shown = 20;
            string names = string.Join("; ", missing.Take(Shown).Select(u => $"{u.Index} (fold {u.Fold}, {CandidatesText(u)})"))
                + (missing.Length > Shown ? $"; and {missing.Length - Shown} more" : string.Empty);
            throw new InvalidDataException(
                $"{missing.Length} of the {Units.Count} work units have no results file in '{directory}': {names}. "
                + "Shard K of N runs the units whose number modulo N is K; rerun the shards that ran them.");
        }

        return Finish(found.Select(r => r!).ToArray(), watch.Elapsed, budget);
    }

    /// <summary>The candidates of a unit as <c>candidate 3</c> or <c>candidates 0-7</c>.</summary>
    internal static string CandidatesText(SearchWorkUnit unit) => unit.Candidates.Count == 1
        ? $"candidate {unit.Candidates[0]}"
        : $"candidates {string.Join(", ", unit.Candidates)}";

    /// <summary>Ranks the units' results as scikit-learn does and refits the best when the search refits.</summary>
    internal SearchResult<TLearner> Finish(IReadOnlyList<SearchUnitResult> results, TimeSpan searchTime, ComputeBudget? budget)
    {
        budget = ComputeBudget.OrDefault(budget);
        int folds = Folds.Count;
        var scores = new double[TotalFits];
        var fitTimes = new TimeSpan[TotalFits];
        var scoreTimes = new TimeSpan[TotalFits];
        foreach (var result in results)
        {
            for (int member = 0; member < result.Unit.Candidates.Count; member++)
            {
                int slot = result.Unit.Candidates[member] * folds + result.Unit.Fold;
                (scores[slot], fitTimes[slot], scoreTimes[slot]) = (result.Scores[member], result.FitTimes[member], result.ScoreTimes[member]);
            }
        }

        var ranked = Rank(Candidates, folds, scores, fitTimes, scoreTimes);
        if (!_search.Refit)
        {
            return new SearchResult<TLearner>(ranked, folds, searchTime, null, null);
        }

        var best = ranked.First(r => r.Rank == 1);
        var watch = Stopwatch.StartNew();
        var model = best.Candidate.Learner.Fit(_features, _labels, budget);
        return new SearchResult<TLearner>(ranked, folds, searchTime, model, watch.Elapsed);
    }

    private IReadOnlyList<SearchUnitResult> RunUnits(
        IReadOnlyList<SearchWorkUnit> units, ComputeBudget? budget, IProgress<SearchProgress>? progress, Action<SearchUnitResult>? finished)
    {
        ArgumentNullException.ThrowIfNull(units);
        foreach (var unit in units)
        {
            if (unit is null || unit.Index < 0 || unit.Index >= Units.Count || !ReferenceEquals(Units[unit.Index], unit))
            {
                throw new ArgumentException($"Work unit {unit?.Index.ToString() ?? "null"} is not one of this plan's.", nameof(units));
            }
        }

        budget = ComputeBudget.OrDefault(budget);
        var results = new SearchUnitResult[units.Count];
        int total = units.Sum(u => u.Candidates.Count);
        int concurrent = Concurrency(units.Count, budget.MaxDegreeOfParallelism);
        var partBudget = budget.Split(concurrent);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrent, CancellationToken = budget.Cancellation };
        int completed = 0;
        // The units' n × n kernel matrices are about the same size from fold to fold: recycled, not mapped afresh.
        using var matrices = ReusableMatrices.Open();
        try
        {
            // One unit per work item, handed out one at a time (no chunking) so that slow units balance.
            var order = Partitioner.Create(Enumerable.Range(0, units.Count), EnumerablePartitionerOptions.NoBuffering);
            Parallel.ForEach(order, parallel, item =>
            {
                var unit = units[item];
                var fold = Folds[unit.Fold];
                int members = unit.Candidates.Count;
                var (scores, fitTimes, scoreTimes) = (new double[members], new TimeSpan[members], new TimeSpan[members]);
                try
                {
                    FitAndScore(unit.Candidates.Select(c => Candidates[c].Learner).ToArray(), fold, partBudget, (member, score, fitTime, scoreTime) =>
                    {
                        (scores[member], fitTimes[member], scoreTimes[member]) = (score, fitTime, scoreTime);
                        progress?.Report(new SearchProgress(Interlocked.Increment(ref completed), total, unit.Candidates[member], fold.Index, score));
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    string names = string.Join("; ", unit.Candidates.Select(c => $"{c} ({Candidates[c].Describe()})"));
                    throw new InvalidOperationException(
                        $"Search candidate{(members > 1 ? "s" : "")} {names} failed on fold {fold.Index}: {e.Message}", e);
                }

                results[item] = new SearchUnitResult(unit, scores, fitTimes, scoreTimes);
                finished?.Invoke(results[item]);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OperationCanceledException))
        {
            throw new OperationCanceledException("The search was cancelled.", e, budget.Cancellation);
        }
        catch (AggregateException e)
        {
            throw e.InnerExceptions.First(inner => inner is not OperationCanceledException);
        }

        return results;
    }

    /// <summary>
    /// How many of <paramref name="items"/> similar work items to run at once on <paramref name="threads"/> threads,
    /// each with <paramref name="threads"/> / that many threads: the count whose rounds take the least thread time,
    /// ⌈items / c⌉ · c, the largest of those on a tie. The library's learners are parallel inside a fit (the SVM over
    /// its dot products and pair problems, a forest over its trees), so 5 SVM groups on 2 threads run one at a time
    /// with both threads (5 half-length rounds) rather than two at a time with one each (3 full-length rounds, the last
    /// with a thread idle); 40 fits on 2 threads still run two at a time.
    /// </summary>
    private static int Concurrency(int items, int threads)
    {
        int best = 1;
        for (int c = 2; c <= Math.Min(items, threads); c++)
        {
            if ((items + c - 1) / c * c <= (items + best - 1) / best * best)
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>
    /// The candidates in groups fitted together (<see cref="ISharedWorkClassifier"/>): each candidate joins the first
    /// group whose first learner shares work with it, else starts a group. Learners that share nothing are groups of one.
    /// </summary>
    private static List<int[]> ShareGroups(IReadOnlyList<SearchCandidate<TLearner>> candidates)
    {
        var groups = new List<List<int>>();
        for (int c = 0; c < candidates.Count; c++)
        {
            var group = groups.FirstOrDefault(g =>
                candidates[g[0]].Learner is ISharedWorkClassifier first && first.SharesWorkWith(candidates[c].Learner));
            if (group is null)
            {
                groups.Add([c]);
            }
            else
            {
                group.Add(c);
            }
        }

        return groups.Select(g => g.ToArray()).ToList();
    }

    /// <summary>
    /// Fits the learners of one group of candidates on the fold's training rows (together when there are several)
    /// and scores each on its held-out rows as soon as it is fitted. A candidate's fit time is the time since the
    /// previous one of the group was scored: the first of a group carries the work the group shares. With
    /// <see cref="CrossValidatedSearch{TLearner}.FitStepsOnce"/> the candidates' classifiers are fitted on the fold's view
    /// of the rows the pipeline's steps produced once for all folds, and a group that can share work across the views
    /// (the SVM's dot products of all rows) reads it from what was made once for all folds.
    /// </summary>
    private void FitAndScore(TLearner[] learners, Fold fold, ComputeBudget budget, Action<int, double, TimeSpan, TimeSpan> scored)
    {
        budget.Cancellation.ThrowIfCancellationRequested();
        var train = fold.Train.Span;
        var test = fold.Test.Span;
        int[] trainLabels = Fold.LabelsOf(_labels, train), testLabels = Fold.LabelsOf(_labels, test);
        var (rows, shared) = _search.FitStepsOnce ? SteppedRows(budget) : (_features, null);
        IClassifier[] classifiers = _search.FitStepsOnce
            ? learners.Select(l => ((Pipeline)(object)l).Classifier).ToArray()
            : learners.Select(l => (IClassifier)l).ToArray();
        var trainRows = rows.Subset(train);
        var testRows = rows.Subset(test);
        var watch = Stopwatch.StartNew();
        void Score(int member, IClassifierModel model)
        {
            var fitTime = watch.Elapsed;
            watch.Restart();
            double score = _search.Scoring(model, testRows, testLabels, budget);
            scored(member, score, fitTime, watch.Elapsed);
            watch.Restart();
        }

        if (classifiers.Length == 1)
        {
            Score(0, classifiers[0].Fit(trainRows, trainLabels, budget));
        }
        else if (shared is not null)
        {
            ((IFoldSharedWork)classifiers[0]).FitVariants(shared, classifiers, trainRows, trainLabels, testRows, Score, budget);
        }
        else
        {
            ((ISharedWorkClassifier)classifiers[0]).FitVariants(classifiers, trainRows, trainLabels, testRows, Score, budget);
        }
    }

    /// <summary>
    /// The training rows after the pipeline's steps, fitted once on all of them (the first unit to need them fits them with
    /// its budget; the others wait), and what the classifiers' groups share across folds, if anything.
    /// </summary>
    private (FeatureMatrix Rows, object? Shared) SteppedRows(ComputeBudget budget)
    {
        lock (_stepsGate)
        {
            if (_steppedRows is null)
            {
                var pipeline = (Pipeline)(object)Candidates[0].Learner;
                var rows = pipeline.FitSteps(_features, budget).Output.ToContiguous();
                object? shared = _search.ShareWork && Candidates.Count > 1 && pipeline.Classifier is IFoldSharedWork sharing
                    ? sharing.ShareAcrossViews(rows, budget)
                    : null;
                _steppedRows = (rows, shared);
            }

            return _steppedRows.Value;
        }
    }

    /// <summary>Means, standard deviations and scikit-learn's ranks (<c>rankdata(-means, method="min")</c>).</summary>
    private static CandidateResult<TLearner>[] Rank(
        IReadOnlyList<SearchCandidate<TLearner>> candidates, int folds, double[] scores, TimeSpan[] fitTimes, TimeSpan[] scoreTimes)
    {
        int n = candidates.Count;
        var means = new double[n];
        var stds = new double[n];
        for (int c = 0; c < n; c++)
        {
            // numpy's mean and std over a handful of values: a left-to-right sum divided by the count.
            var fold = scores.AsSpan(c * folds, folds);
            double sum = 0;
            foreach (double s in fold)
            {
                sum += s;
            }

            means[c] = sum / folds;
            double squares = 0;
            foreach (double s in fold)
            {
                squares += (s - means[c]) * (s - means[c]);
            }

            stds[c] = Math.Sqrt(squares / folds);
        }

        var results = new CandidateResult<TLearner>[n];
        for (int c = 0; c < n; c++)
        {
            // A NaN mean (a scorer that could not score) ranks with the worst, as scikit-learn does.
            int better = means.Count(m => Better(m, means[c]));
            results[c] = new CandidateResult<TLearner>(
                candidates[c],
                scores.AsSpan(c * folds, folds).ToArray(),
                means[c],
                stds[c],
                better + 1,
                Mean(fitTimes.AsSpan(c * folds, folds)),
                Mean(scoreTimes.AsSpan(c * folds, folds)));
        }

        return results;

        static bool Better(double other, double mine) => double.IsNaN(mine) ? !double.IsNaN(other) : other > mine;

        static TimeSpan Mean(ReadOnlySpan<TimeSpan> times)
        {
            long ticks = 0;
            foreach (var t in times)
            {
                ticks += t.Ticks;
            }

            return TimeSpan.FromTicks(ticks / times.Length);
        }
    }
}

/// <summary>One work unit of a <see cref="SearchPlan{TLearner}"/>: a group of candidates fitted together on one fold.</summary>
/// <param name="Index">The unit's number in the plan, from 0.</param>
/// <param name="Fold">The fold's index.</param>
/// <param name="Candidates">The candidates' indexes, ascending; one unless their learners share work.</param>
public sealed record SearchWorkUnit(int Index, int Fold, IReadOnlyList<int> Candidates);

/// <summary>What one work unit found: per candidate of the unit, in its order, the score and the times.</summary>
/// <param name="Unit">The unit.</param>
/// <param name="Scores">Each candidate's score on the fold's held-out rows.</param>
/// <param name="FitTimes">Each candidate's fit time (the first of a group carries the work the group shares).</param>
/// <param name="ScoreTimes">Each candidate's scoring time.</param>
public sealed record SearchUnitResult(
    SearchWorkUnit Unit, IReadOnlyList<double> Scores, IReadOnlyList<TimeSpan> FitTimes, IReadOnlyList<TimeSpan> ScoreTimes);
