using System.Collections.Concurrent;
using System.Diagnostics;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// What <see cref="GridSearch{TLearner}"/> and <see cref="RandomizedSearch{TLearner}"/> share (scikit-learn's
/// <c>BaseSearchCV</c>): each candidate is fitted on every fold's training rows and scored on its held-out rows, the
/// candidates are ranked by mean score, and the best is refitted on all rows.
/// </summary>
/// <remarks>
/// Candidates whose learners share work (<see cref="ISharedWorkClassifier"/>: an SVM's Cs and γs, within equal
/// pipeline steps) are fitted together on each fold, so that what they have in common (the scaler, the dot products
/// of the fold's rows) is done once per fold. The groups × folds run in parallel, a few at a time, each with its
/// share of the budget (<see cref="ComputeBudget.Split"/>), so a learner that is parallel itself (the SVM over its
/// pair problems, a forest over its trees) never runs more threads than the budget has. Results never depend on the
/// thread count: every fit is deterministic and lands in its own slot. The budget's
/// <see cref="ComputeBudget.Cancellation"/> stops the search: no new fit starts, running fits stop at their next
/// check, and <see cref="OperationCanceledException"/> is thrown; a search writes nothing, so nothing is left half done.
/// </remarks>
/// <typeparam name="TLearner">The learner searched: any classifier, pipelines included.</typeparam>
public abstract record CrossValidatedSearch<TLearner>
    where TLearner : IClassifier
{
    private protected CrossValidatedSearch(TLearner learner)
    {
        Learner = learner;
    }

    /// <summary>The learner whose options the candidates change.</summary>
    public TLearner Learner { get; init; }

    /// <summary>
    /// The cross-validation folds: stratified, 5, shuffled with seed 0 by default. Set
    /// <c>new StratifiedKFold()</c> (unshuffled) for exactly scikit-learn's default <c>cv=5</c> folds.
    /// </summary>
    public StratifiedKFold Folds { get; init; } = new() { Shuffle = true, Seed = 0 };

    /// <summary>How a fitted candidate is scored on held-out rows; accuracy by default.</summary>
    public SearchScorer Scoring { get; init; } = SearchScorers.Accuracy;

    /// <summary>Whether to fit the best candidate on all rows at the end (scikit-learn's <c>refit</c>, true by default).</summary>
    public bool Refit { get; init; } = true;

    /// <summary>The candidates this search fits, in order.</summary>
    public abstract IReadOnlyList<SearchCandidate<TLearner>> Candidates();

    /// <summary>Checks the search's options and every candidate's; the message names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option or a candidate is invalid.</exception>
    public virtual void Validate()
    {
        if (Learner is null)
        {
            throw new ArgumentException("The search has no learner.", nameof(Learner));
        }

        if (Folds is null)
        {
            throw new ArgumentException("The search has no folds.", nameof(Folds));
        }

        Folds.Validate();
        if (Scoring is null)
        {
            throw new ArgumentException("The search has no scorer.", nameof(Scoring));
        }

        foreach (var candidate in Candidates())
        {
            try
            {
                candidate.Learner.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Search candidate {candidate.Index} ({candidate.Describe()}) is invalid: {e.Message}", e.ParamName, e);
            }
        }
    }

    /// <summary>Runs the search.</summary>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One label per row.</param>
    /// <param name="budget">The threads, memory and cancellation of the whole search; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <param name="progress">Told after every finished fit (from the thread that ran it); may be null.</param>
    /// <exception cref="ArgumentException">Bad options or candidates, or shapes that disagree.</exception>
    /// <exception cref="OperationCanceledException">The budget's cancellation was requested.</exception>
    /// <exception cref="InvalidOperationException">A candidate's fit or scoring failed; the message names the candidate and fold.</exception>
    public SearchResult<TLearner> Fit(
        FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null, IProgress<SearchProgress>? progress = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        budget = ComputeBudget.OrDefault(budget);
        var candidates = Candidates();
        var folds = Folds.Split(labels);
        int[] allLabels = labels.ToArray();
        int total = candidates.Count * folds.Count;
        var scores = new double[total];
        var fitTimes = new TimeSpan[total];
        var scoreTimes = new TimeSpan[total];
        var groups = ShareGroups(candidates);
        int items = groups.Count * folds.Count;
        int concurrent = Concurrency(items, budget.MaxDegreeOfParallelism);
        var partBudget = budget.Split(concurrent);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrent, CancellationToken = budget.Cancellation };
        int completed = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            // One group of candidates on one fold per work item, handed out one at a time (no chunking) so that slow
            // items balance.
            var order = Partitioner.Create(Enumerable.Range(0, items), EnumerablePartitionerOptions.NoBuffering);
            Parallel.ForEach(order, parallel, item =>
            {
                var group = groups[item / folds.Count];
                var fold = folds[item % folds.Count];
                try
                {
                    FitAndScore(group.Select(c => candidates[c].Learner).ToArray(), features, allLabels, fold, partBudget, (member, score, fitTime, scoreTime) =>
                    {
                        var candidate = candidates[group[member]];
                        int slot = candidate.Index * folds.Count + fold.Index;
                        (scores[slot], fitTimes[slot], scoreTimes[slot]) = (score, fitTime, scoreTime);
                        progress?.Report(new SearchProgress(Interlocked.Increment(ref completed), total, candidate.Index, fold.Index, score));
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    string names = string.Join("; ", group.Select(c => $"{candidates[c].Index} ({candidates[c].Describe()})"));
                    throw new InvalidOperationException(
                        $"Search candidate{(group.Length > 1 ? "s" : "")} {names} failed on fold {fold.Index}: {e.Message}", e);
                }
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

        var searchTime = watch.Elapsed;
        var results = Rank(candidates, folds.Count, scores, fitTimes, scoreTimes);
        if (!Refit)
        {
            return new SearchResult<TLearner>(results, folds.Count, searchTime, null, null);
        }

        var best = results.First(r => r.Rank == 1);
        watch.Restart();
        var model = best.Candidate.Learner.Fit(features, labels, budget);
        return new SearchResult<TLearner>(results, folds.Count, searchTime, model, watch.Elapsed);
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
    /// previous one of the group was scored: the first of a group carries the work the group shares.
    /// </summary>
    private void FitAndScore(
        TLearner[] learners, FeatureMatrix features, int[] labels, Fold fold, ComputeBudget budget, Action<int, double, TimeSpan, TimeSpan> scored)
    {
        budget.Cancellation.ThrowIfCancellationRequested();
        var train = fold.Train.Span;
        var test = fold.Test.Span;
        int[] trainLabels = Pick(labels, train), testLabels = Pick(labels, test);

        var testRows = features.Subset(test);
        var watch = Stopwatch.StartNew();
        void Score(int member, IClassifierModel model)
        {
            var fitTime = watch.Elapsed;
            watch.Restart();
            double score = Scoring(model, testRows, testLabels, budget);
            scored(member, score, fitTime, watch.Elapsed);
            watch.Restart();
        }

        if (learners.Length == 1)
        {
            Score(0, learners[0].Fit(features.Subset(train), trainLabels, budget));
        }
        else
        {
            ((ISharedWorkClassifier)learners[0]).FitVariants(
                learners.Select(l => (IClassifier)l).ToArray(), features.Subset(train), trainLabels, testRows, Score, budget);
        }
    }

    /// <summary>The labels of <paramref name="rows"/>, in their order.</summary>
    private static int[] Pick(int[] labels, ReadOnlySpan<int> rows)
    {
        var picked = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            picked[i] = labels[rows[i]];
        }

        return picked;
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
