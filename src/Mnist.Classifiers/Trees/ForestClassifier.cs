using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Trees;

/// <summary>
/// The options a random forest and extra trees share, with scikit-learn's names and defaults (its <c>BaseForest</c>),
/// so that one validator and one trainer serve both. Use <see cref="RandomForestClassifier"/> or
/// <see cref="ExtraTreesClassifier"/>; they differ in how a split's threshold is chosen and in the default of
/// <see cref="Bootstrap"/>.
/// </summary>
public abstract record ForestClassifier : IClassifier
{
    /// <summary>Only the two forests of this library derive from it.</summary>
    private protected ForestClassifier()
    {
    }

    /// <summary>The number of trees (scikit-learn's <c>n_estimators</c>).</summary>
    public int Trees { get; init; } = 100;

    /// <summary>The impurity the splits reduce.</summary>
    public SplitCriterion Criterion { get; init; } = SplitCriterion.Gini;

    /// <summary>The deepest a leaf may be (the root has depth 0); null grows until the leaves are pure or the other limits stop it.</summary>
    public int? MaxDepth { get; init; }

    /// <summary>The fewest rows a node needs to be split (distinct rows: a row drawn twice by the bootstrap counts once, as in scikit-learn).</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>The fewest rows each child of a split must keep.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>
    /// A node is split only if the split decreases the weighted impurity by at least this much:
    /// N_t / N · (impurity − N_tR / N_t · right impurity − N_tL / N_t · left impurity), with weighted row counts.
    /// </summary>
    public double MinImpurityDecrease { get; init; }

    /// <summary>How many features each split considers; more are drawn when those are constant in the node, as scikit-learn does.</summary>
    public MaxFeatures MaxFeatures { get; init; } = MaxFeatures.Sqrt;

    /// <summary>The most leaves per tree; when set, trees grow best-first (the split with the largest impurity decrease first).</summary>
    public int? MaxLeafNodes { get; init; }

    /// <summary>
    /// Whether each tree learns from a bootstrap sample (rows drawn with replacement, as weights) instead of all rows;
    /// true by default for <see cref="RandomForestClassifier"/>, false for <see cref="ExtraTreesClassifier"/>, as in scikit-learn.
    /// </summary>
    public bool Bootstrap { get; init; }

    /// <summary>The bootstrap sample's size as a fraction in (0, 1] of the rows (rounded, at least 1); null for all. Needs <see cref="Bootstrap"/>.</summary>
    public double? MaxSamples { get; init; }

    /// <summary>Whether to compute <see cref="ForestModel.OutOfBagScore"/>. Needs <see cref="Bootstrap"/>.</summary>
    public bool OutOfBagScore { get; init; }

    /// <summary>Per-class weights (class label → weight &gt; 0); classes not listed weigh 1. Not together with <see cref="ClassWeightMode"/>.</summary>
    public IReadOnlyDictionary<int, double>? ClassWeights { get; init; }

    /// <summary>Balanced class weights, over all rows or per bootstrap sample.</summary>
    public ClassWeightMode ClassWeightMode { get; init; } = ClassWeightMode.None;

    /// <summary>
    /// The seed: tree t draws its bootstrap rows, feature subsets and thresholds from <c>SeededRandom.ForStream(Seed, t)</c>,
    /// so a seed gives the same forest for any thread count.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>True when each candidate feature gets one random threshold (extra trees) instead of its best one.</summary>
    private protected abstract bool RandomThresholds { get; }

    /// <inheritdoc />
    public void Validate() => ForestOptionChecks.Validate(this);

    /// <summary>Grows the forest; see <see cref="ForestModel"/> for what it holds.</summary>
    /// <param name="features">The training rows (finite values).</param>
    /// <param name="labels">One class label per row.</param>
    /// <param name="budget">The threads (trees grow that many at a time) and memory of the fit; null for <see cref="ComputeBudget.Default"/>. The model does not depend on it.</param>
    /// <exception cref="ArgumentException">Bad options, shapes that disagree, non-finite values, or class weights for labels not in the data.</exception>
    public ForestModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        return ForestTrainer.Fit(this, RandomThresholds, features, labels, ComputeBudget.OrDefault(budget));
    }

    IClassifierModel IClassifier.Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget) => Fit(features, labels, budget);
}
