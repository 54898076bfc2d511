using System.Diagnostics;
using System.Globalization;
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
/// pair problems, a forest over its trees) never runs more threads than the budget has. The same work units, run as
/// shards on many machines and merged, give the same result (<see cref="Plan"/>). Results never depend on the
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
    public StratifiedKFold Folds { get; init; } = DefaultFolds;

    /// <summary>The searches' and <see cref="CrossValidation"/>'s default folds: 5, stratified, shuffled with seed 0.</summary>
    internal static StratifiedKFold DefaultFolds { get; } = new() { Shuffle = true, Seed = 0 };

    /// <summary>How a fitted candidate is scored on held-out rows; accuracy by default.</summary>
    public SearchScorer Scoring { get; init; } = SearchScorers.Accuracy;

    /// <summary>Whether to fit the best candidate on all rows at the end (scikit-learn's <c>refit</c>, true by default).</summary>
    public bool Refit { get; init; } = true;

    /// <summary>
    /// Whether candidates whose learners share work (<see cref="ISharedWorkClassifier"/>) are fitted together on each
    /// fold, true by default. False fits every candidate on every fold alone: the same scores (sharing changes speed,
    /// never results), slower on one machine, but one work unit per fit, so that a search split into shards
    /// (<see cref="Plan"/>) spreads over candidates × folds machines instead of groups × folds.
    /// </summary>
    public bool ShareWork { get; init; } = true;

    /// <summary>
    /// Whether the steps of the learner, a <see cref="Pipeline"/> (every candidate's steps equal), are fitted once on all
    /// the training rows instead of inside every fold; false by default, as scikit-learn's <c>GridSearchCV</c> over a
    /// <c>Pipeline</c> refits them per fold. True is faster (the steps run once, and an SVM's dot products are then
    /// computed once for all folds instead of per fold) but the held-out rows take part in fitting the steps (a
    /// StandardScaler's means and deviations), so the cross-validated scores can differ slightly from per-fold fitting.
    /// The refit of the best candidate is the same either way.
    /// </summary>
    public bool FitStepsOnce { get; init; }

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
        if (FitStepsOnce)
        {
            var candidates = Candidates();
            if (candidates.FirstOrDefault(c => c.Learner is not Pipeline) is { } notPipeline)
            {
                throw new ArgumentException(
                    $"FitStepsOnce needs pipelines, but search candidate {notPipeline.Index} is a {notPipeline.Learner.GetType().Name}.", nameof(FitStepsOnce));
            }

            var steps = ((Pipeline)(object)candidates[0].Learner).Steps;
            if (candidates.FirstOrDefault(c => !((Pipeline)(object)c.Learner).Steps.SequenceEqual(steps)) is { } other)
            {
                throw new ArgumentException(
                    $"FitStepsOnce fits the pipeline's steps once for all candidates, but search candidate {other.Index} ({other.Describe()}) has other steps than candidate 0.",
                    nameof(FitStepsOnce));
            }
        }

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

    /// <summary>Runs the search: every work unit of its <see cref="Plan"/>, then the ranking and the refit.</summary>
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
        var plan = Plan(features, labels);
        var watch = Stopwatch.StartNew();
        var results = plan.Run(plan.Units, budget, progress);
        return plan.Finish(results, watch.Elapsed, budget);
    }

    /// <summary>
    /// The search's work on these rows as numbered work units (candidates × folds), to run here
    /// (<see cref="SearchPlan{TLearner}.Run"/>, which <see cref="Fit"/> does) or as shards on many machines
    /// (<see cref="SearchPlan{TLearner}.RunShard"/>, then <see cref="SearchPlan{TLearner}.Merge"/>): docs/scale-out.md.
    /// </summary>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One label per row.</param>
    /// <exception cref="ArgumentException">Bad options or candidates, or shapes that disagree.</exception>
    public SearchPlan<TLearner> Plan(FeatureMatrix features, ReadOnlySpan<int> labels)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        return new SearchPlan<TLearner>(this, features, labels.ToArray());
    }

    /// <summary>
    /// What decides the search's results besides the rows, as text for <see cref="SearchPlan{TLearner}.SearchHash"/>:
    /// the folds, the scorer (its method's name: the same build gives the same name), the refit, the work sharing, and every
    /// candidate's number, parameters and learner (<see cref="SearchHashes.Learner"/>).
    /// </summary>
    internal string Describe()
    {
        var text = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"folds\t{Folds.Splits}\t{Folds.Shuffle}\t{Folds.Seed}\n");
        text.Append(c, $"scoring\t{Scoring.Method.DeclaringType?.FullName}.{Scoring.Method.Name}\n");
        text.Append(c, $"refit\t{Refit}\n");
        text.Append(c, $"share_work\t{ShareWork}\n");
        if (FitStepsOnce)
        {
            // Only when set, so that the hash of every search without it stays what it was.
            text.Append(c, $"fit_steps_once\t{FitStepsOnce}\n");
        }

        foreach (var candidate in Candidates())
        {
            text.Append(c, $"candidate\t{candidate.Index}\t{candidate.Describe()}\t{SearchHashes.Learner(candidate.Learner)}\n");
        }

        return text.ToString();
    }
}
