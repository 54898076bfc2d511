namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// Exhaustive cross-validated search over one or more parameter grids, like scikit-learn's <c>GridSearchCV</c>.
/// </summary>
/// <example>
/// <code>
/// var grid = new ParameterGrid&lt;Pipeline&gt;()
///     .Add("C", [1.0, 2, 4, 8], PipelineAxis.Classifier((SvmClassifier svm, double c) =&gt; svm with { C = c }))
///     .Add("gamma", [SvmGamma.Scale, SvmGamma.Auto], PipelineAxis.Classifier((SvmClassifier svm, SvmGamma g) =&gt; svm with { Gamma = g }));
/// var result = new GridSearch&lt;Pipeline&gt;(new Pipeline(new StandardScaler(), new SvmClassifier()), grid).Fit(x, y);
/// Console.WriteLine($"{result.BestScore:F4} with {string.Join(", ", result.BestParameters)}");
/// </code>
/// </example>
/// <typeparam name="TLearner">The learner searched.</typeparam>
public sealed record GridSearch<TLearner> : CrossValidatedSearch<TLearner>
    where TLearner : IClassifier
{
    /// <summary>A search of <paramref name="learner"/> over every candidate of <paramref name="grids"/>, grid after grid.</summary>
    public GridSearch(TLearner learner, params IReadOnlyList<ParameterGrid<TLearner>> grids)
        : base(learner)
    {
        Grids = grids;
    }

    /// <summary>The grids; their candidates are searched in order (scikit-learn's list of dicts).</summary>
    public IReadOnlyList<ParameterGrid<TLearner>> Grids { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<SearchCandidate<TLearner>> Candidates()
    {
        var candidates = new List<SearchCandidate<TLearner>>();
        foreach (var grid in Grids)
        {
            candidates.AddRange(grid.Candidates(Learner, candidates.Count));
        }

        return candidates;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        if (Grids is null || Grids.Count == 0 || Grids.Any(g => g is null))
        {
            throw new ArgumentException("A grid search needs at least one grid, and no null grid.", nameof(Grids));
        }

        base.Validate();
    }
}
