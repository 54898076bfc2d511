namespace Mnist.Classifiers.ModelSelection;

/// <summary>What a search reports after each fit of a candidate on a fold.</summary>
/// <param name="CompletedFits">Fits finished so far, this one included.</param>
/// <param name="TotalFits">Candidates × folds.</param>
/// <param name="Candidate">The candidate just fitted.</param>
/// <param name="Fold">Its fold.</param>
/// <param name="Score">Its score on the fold's held-out rows.</param>
public readonly record struct SearchProgress(int CompletedFits, int TotalFits, int Candidate, int Fold, double Score);

/// <summary>One row of a search's results table (scikit-learn's <c>cv_results_</c>, one candidate).</summary>
/// <param name="Candidate">The candidate: its number, learner and parameters.</param>
/// <param name="FoldScores">Its score on each fold's held-out rows, in fold order.</param>
/// <param name="MeanScore">The mean of <paramref name="FoldScores"/>.</param>
/// <param name="StdScore">Their population standard deviation (numpy's <c>std</c>, as scikit-learn reports).</param>
/// <param name="Rank">1 for the best mean score; ties share the smallest rank (scikit-learn's <c>rankdata(method="min")</c>).</param>
/// <param name="MeanFitTime">The mean time of its fits.</param>
/// <param name="MeanScoreTime">The mean time of scoring them.</param>
public sealed record CandidateResult<TLearner>(
    SearchCandidate<TLearner> Candidate,
    IReadOnlyList<double> FoldScores,
    double MeanScore,
    double StdScore,
    int Rank,
    TimeSpan MeanFitTime,
    TimeSpan MeanScoreTime)
    where TLearner : IClassifier;

/// <summary>The outcome of a cross-validated search: every candidate's scores, the best, and its refitted model.</summary>
/// <typeparam name="TLearner">The learner searched.</typeparam>
public sealed class SearchResult<TLearner>
    where TLearner : IClassifier
{
    internal SearchResult(
        IReadOnlyList<CandidateResult<TLearner>> candidates, int folds, TimeSpan searchTime, IClassifierModel? bestModel, TimeSpan? refitTime)
    {
        Candidates = candidates;
        Folds = folds;
        SearchTime = searchTime;
        BestModel = bestModel;
        RefitTime = refitTime;
        // scikit-learn's best_index_: the first candidate of rank 1.
        Best = candidates.First(c => c.Rank == 1);
    }

    /// <summary>Every candidate's row, in candidate order.</summary>
    public IReadOnlyList<CandidateResult<TLearner>> Candidates { get; }

    /// <summary>The number of folds each candidate was fitted on.</summary>
    public int Folds { get; }

    /// <summary>Candidates × folds.</summary>
    public int TotalFits => Candidates.Count * Folds;

    /// <summary>The best candidate: the first of rank 1.</summary>
    public CandidateResult<TLearner> Best { get; }

    /// <summary>The best candidate's mean cross-validated score (scikit-learn's <c>best_score_</c>).</summary>
    public double BestScore => Best.MeanScore;

    /// <summary>The best candidate's parameters (scikit-learn's <c>best_params_</c>).</summary>
    public IReadOnlyList<SearchParameter> BestParameters => Best.Candidate.Parameters;

    /// <summary>The best candidate's learner, unfitted.</summary>
    public TLearner BestLearner => Best.Candidate.Learner;

    /// <summary>The best learner fitted on all the rows, or null when the search was told not to refit.</summary>
    public IClassifierModel? BestModel { get; }

    /// <summary>The wall time of the cross-validation (all candidates × folds), refit excluded.</summary>
    public TimeSpan SearchTime { get; }

    /// <summary>The wall time of the refit, or null without one.</summary>
    public TimeSpan? RefitTime { get; }
}
