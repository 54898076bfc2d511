using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Linear;

/// <summary>
/// A linear classifier trained by stochastic gradient descent (Bottou, "Large-Scale Machine Learning with Stochastic
/// Gradient Descent", COMPSTAT 2010) with scikit-learn 1.2's <c>SGDClassifier</c> semantics: the same losses,
/// penalties, learning-rate schedules, stopping rule, averaging and class weights, and one-vs-rest over several
/// classes (one binary problem per class, targets +1 for the class and −1 for the rest, solved in parallel). Two
/// classes make one problem whose positive class is <c>Classes[1]</c>. The options record is immutable;
/// <see cref="Fit"/> and <see cref="PartialFit"/> return an immutable <see cref="SgdModel"/>.
/// </summary>
/// <remarks>
/// Each problem visits the rows one at a time in order (or in a fresh shuffle each epoch); per row it computes the
/// score, the step size, the loss derivative, shrinks the weights for the L2 part of the penalty, adds the gradient
/// step, updates the averages, and applies the L1 part — the order of scikit-learn's <c>_plain_sgd</c>. Weights and
/// arithmetic are double; rows are widened from float on the fly. All problems of a fit visit the rows in the same
/// order each epoch (one shuffle per epoch from <c>SeededRandom.ForStream(Seed, 0)</c>), so that a thread can step its
/// problems on each row while the row is in cache; a problem's steps depend only on that order and its own state, so the
/// model is the same for any thread count. (scikit-learn gives each problem its own seed; the shuffled orders cannot
/// equal its anyway, since it draws from its own generator. With <see cref="Shuffle"/> off the weights agree with
/// scikit-learn's to rounding.)
/// </remarks>
public sealed record SgdClassifier : IClassifier
{
    /// <summary>The loss (scikit-learn's <c>loss</c>).</summary>
    public SgdLoss Loss { get; init; } = SgdLoss.Hinge;

    /// <summary>The penalty (scikit-learn's <c>penalty</c>).</summary>
    public SgdPenalty Penalty { get; init; } = SgdPenalty.L2;

    /// <summary>The penalty's strength α ≥ 0 (positive for <see cref="SgdLearningRate.Optimal"/>, whose step size divides by it).</summary>
    public double Alpha { get; init; } = 1e-4;

    /// <summary>The elastic net's share ρ ∈ [0, 1] of L1 (0 is L2, 1 is L1); used only with <see cref="SgdPenalty.ElasticNet"/>.</summary>
    public double L1Ratio { get; init; } = 0.15;

    /// <summary>Whether to fit an intercept; otherwise it stays 0.</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>The most epochs (passes over the rows) per problem (scikit-learn's <c>max_iter</c>); <see cref="PartialFit"/> makes one.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>
    /// The stopping tolerance (scikit-learn's <c>tol</c>): an epoch improves when its summed training loss is below the
    /// best so far minus <c>Tolerance · rows</c> (with <see cref="EarlyStopping"/>: when its validation accuracy is above
    /// the best so far plus <c>Tolerance</c>); null never stops early, running <see cref="MaxIterations"/> epochs.
    /// </summary>
    public double? Tolerance { get; init; } = 1e-3;

    /// <summary>Whether to visit the rows in a new random order every epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The ε ≥ 0 of <see cref="SgdLoss.Huber"/>, <see cref="SgdLoss.EpsilonInsensitive"/> and <see cref="SgdLoss.SquaredEpsilonInsensitive"/>.</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>
    /// The step size schedule. <see cref="SgdLearningRate.Optimal"/> starts at t₀ = 1 / (η₀′α) with Bottou's typical
    /// weight size typw = √(1/√α) and η₀′ = typw / max(1, −loss′(−typw, 1)) (scikit-learn's heuristic, from Bottou's
    /// sgd code), so that the first step is η₀′.
    /// </summary>
    public SgdLearningRate LearningRate { get; init; } = SgdLearningRate.Optimal;

    /// <summary>The initial step size η₀ ≥ 0 (positive for the constant, inverse-scaling and adaptive schedules; unused by optimal).</summary>
    public double Eta0 { get; init; }

    /// <summary>The exponent of <see cref="SgdLearningRate.InvScaling"/>.</summary>
    public double PowerT { get; init; } = 0.5;

    /// <summary>
    /// Whether to stop on a held-out validation part of the rows (stratified by class, <see cref="ValidationFraction"/>
    /// of them, drawn from <c>new SeededRandom(Seed)</c>) instead of on the training loss: the problems do not learn from
    /// those rows, and each stops when its validation accuracy stops improving. Not with <see cref="PartialFit"/>.
    /// </summary>
    public bool EarlyStopping { get; init; }

    /// <summary>The share in (0, 1) of the rows held out by <see cref="EarlyStopping"/> (rounded up, as scikit-learn's <c>StratifiedShuffleSplit</c>).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>How many epochs without improvement stop a problem (or divide an adaptive step size by 5); at least 1.</summary>
    public int IterationsWithNoChange { get; init; } = 5;

    /// <summary>
    /// Per-class weights (class label → weight &gt; 0) multiplying the gradient steps of rows of that class; classes not
    /// listed weigh 1. As in scikit-learn, a one-vs-rest problem weighs its positive rows by their class's weight and its
    /// negative rows by 1; the two-class problem weighs each side by its class's weight.
    /// </summary>
    public IReadOnlyDictionary<int, double>? ClassWeights { get; init; }

    /// <summary>
    /// <see cref="ClassWeightMode.Balanced"/>: weights are n_samples / (n_classes · count(class)) (scikit-learn's
    /// <c>class_weight="balanced"</c>); not together with <see cref="ClassWeights"/>, and not with <see cref="PartialFit"/> (as in scikit-learn).
    /// </summary>
    public ClassWeightMode ClassWeightMode { get; init; }

    /// <summary>
    /// Averaged SGD (Polyak &amp; Juditsky 1992; Bottou 2010 §4): 0 keeps the last weights; n ≥ 1 makes the model's
    /// coefficients the mean of the weights after every update from update n on (1 is scikit-learn's
    /// <c>average=True</c>), once more than n updates have been made.
    /// </summary>
    public int Average { get; init; }

    /// <summary>The seed of the epochs' shuffles (<c>SeededRandom.ForStream(Seed, 0)</c>) and of the validation split (<c>new SeededRandom(Seed)</c>).</summary>
    public int Seed { get; init; }

    /// <inheritdoc />
    public void Validate()
    {
        if (!Enum.IsDefined(Loss))
        {
            throw new ArgumentException($"Unknown loss {Loss}.", nameof(Loss));
        }

        if (!Enum.IsDefined(Penalty))
        {
            throw new ArgumentException($"Unknown penalty {Penalty}.", nameof(Penalty));
        }

        if (!Enum.IsDefined(LearningRate))
        {
            throw new ArgumentException($"Unknown learning rate {LearningRate}.", nameof(LearningRate));
        }

        if (!(Alpha >= 0) || !double.IsFinite(Alpha))
        {
            throw new ArgumentException($"Alpha must be 0 or more, not {Alpha}.", nameof(Alpha));
        }

        if (LearningRate == SgdLearningRate.Optimal && Alpha == 0)
        {
            throw new ArgumentException("Alpha must be positive with the optimal learning rate, whose step size is 1 / (Alpha · t).", nameof(Alpha));
        }

        if (!(L1Ratio >= 0 && L1Ratio <= 1))
        {
            throw new ArgumentException($"L1Ratio must be in [0, 1], not {L1Ratio}.", nameof(L1Ratio));
        }

        if (MaxIterations < 1)
        {
            throw new ArgumentException($"MaxIterations must be 1 or more, not {MaxIterations}.", nameof(MaxIterations));
        }

        if (Tolerance is { } tolerance && !double.IsFinite(tolerance))
        {
            throw new ArgumentException($"Tolerance must be a finite number (or null for none), not {tolerance}.", nameof(Tolerance));
        }

        if (!(Epsilon >= 0) || !double.IsFinite(Epsilon))
        {
            throw new ArgumentException($"Epsilon must be 0 or more, not {Epsilon}.", nameof(Epsilon));
        }

        if (!(Eta0 >= 0) || !double.IsFinite(Eta0))
        {
            throw new ArgumentException($"Eta0 must be 0 or more, not {Eta0}.", nameof(Eta0));
        }

        if (LearningRate != SgdLearningRate.Optimal && Eta0 <= 0)
        {
            throw new ArgumentException($"Eta0 must be positive with the {LearningRate} learning rate, not {Eta0}.", nameof(Eta0));
        }

        if (!double.IsFinite(PowerT))
        {
            throw new ArgumentException($"PowerT must be finite, not {PowerT}.", nameof(PowerT));
        }

        if (!(ValidationFraction > 0 && ValidationFraction < 1))
        {
            throw new ArgumentException($"ValidationFraction must be in (0, 1), not {ValidationFraction}.", nameof(ValidationFraction));
        }

        if (IterationsWithNoChange < 1)
        {
            throw new ArgumentException($"IterationsWithNoChange must be 1 or more, not {IterationsWithNoChange}.", nameof(IterationsWithNoChange));
        }

        ClassWeighting.Validate(ClassWeights, ClassWeightMode, nameof(ClassWeights), nameof(ClassWeightMode));

        if (Average < 0)
        {
            throw new ArgumentException($"Average must be 0 (off) or more, not {Average}.", nameof(Average));
        }
    }

    /// <summary>Trains from zero weights for up to <see cref="MaxIterations"/> epochs; see <see cref="SgdModel"/> for what it holds.</summary>
    /// <param name="features">The training rows (finite values; standard-scaled rows suit SGD best).</param>
    /// <param name="labels">One class label per row, at least two distinct.</param>
    /// <param name="budget">The threads (the one-vs-rest problems run that many at a time) of the fit; null for <see cref="ComputeBudget.Default"/>. The model does not depend on it.</param>
    /// <exception cref="ArgumentException">Bad options, shapes that disagree, fewer than two classes, class weights for labels not in the data, or a validation split with an empty part.</exception>
    /// <exception cref="ArithmeticException">The weights overflowed (scikit-learn's advice: scale the features).</exception>
    public SgdModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        var (classes, counts) = InputChecks.ClassCounts(labels);
        if (classes.Length < 2)
        {
            throw new ArgumentException($"SGD needs at least two classes; the labels hold only {classes.Length}.", nameof(labels));
        }

        return SgdTrainer.Train(this, start: null, classes, counts, features, labels, MaxIterations, EarlyStopping, ComputeBudget.OrDefault(budget));
    }

    /// <summary>
    /// One epoch over <paramref name="features"/> continuing <paramref name="model"/> (scikit-learn's <c>partial_fit</c>):
    /// the weights, intercepts, averages and update count carry on from it, and a new model is returned (the given one
    /// is unchanged). The step size schedule continues from the model's update count; the stopping rule does not apply.
    /// </summary>
    /// <param name="model">The model to continue, or null for the first batch (zero weights).</param>
    /// <param name="features">The batch's rows.</param>
    /// <param name="labels">One label per row, each among the classes.</param>
    /// <param name="classes">
    /// Every class the stream will hold: required on the first call (a batch need not hold them all), and when given
    /// later it must equal the model's classes.
    /// </param>
    /// <param name="budget">The threads of the epoch; null for <see cref="ComputeBudget.Default"/>.</param>
    /// <exception cref="ArgumentException">
    /// Bad options, <see cref="EarlyStopping"/> or a balanced <see cref="ClassWeightMode"/> set, no classes on the first call,
    /// classes that differ from the model's, a label not among them, or a model of another loss, feature count or
    /// averaging.
    /// </exception>
    /// <exception cref="ArithmeticException">The weights overflowed.</exception>
    public SgdModel PartialFit(
        SgdModel? model, FeatureMatrix features, ReadOnlySpan<int> labels, IReadOnlyList<int>? classes = null, ComputeBudget? budget = null)
    {
        Validate();
        if (EarlyStopping)
        {
            throw new ArgumentException("EarlyStopping must be off for PartialFit, which makes one epoch over each batch.", nameof(EarlyStopping));
        }

        if (ClassWeightMode != ClassWeightMode.None)
        {
            throw new ArgumentException(
                "A balanced ClassWeightMode cannot be used with PartialFit: one batch's class counts are not the stream's (compute the weights and give ClassWeights).",
                nameof(ClassWeightMode));
        }

        InputChecks.TrainingShapes(features, labels);
        int[] known = PartialFitClasses(model, classes);
        if (model is not null)
        {
            model.CheckContinuable(this, features.Columns);
        }

        var counts = new int[known.Length];
        foreach (int label in labels)
        {
            int c = Array.BinarySearch(known, label);
            if (c < 0)
            {
                throw new ArgumentException($"The label {label} is not among the classes [{string.Join(", ", known)}].", nameof(labels));
            }

            counts[c]++;
        }

        return SgdTrainer.Train(this, model, known, counts, features, labels, maxIterations: 1, earlyStopping: false, ComputeBudget.OrDefault(budget));
    }

    IClassifierModel IClassifier.Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget) => Fit(features, labels, budget);

    /// <summary>The classes of a <see cref="PartialFit"/> call: given on the first, and equal to the model's if given later.</summary>
    private static int[] PartialFitClasses(SgdModel? model, IReadOnlyList<int>? classes)
    {
        if (classes is null)
        {
            return model is null
                ? throw new ArgumentException("The classes must be given on the first call of PartialFit (a batch need not hold every class).", nameof(classes))
                : model.Classes.ToArray();
        }

        int[] sorted = classes.Distinct().Order().ToArray();
        if (sorted.Length != classes.Count)
        {
            throw new ArgumentException("The classes given to PartialFit repeat a label.", nameof(classes));
        }

        if (sorted.Length < 2)
        {
            throw new ArgumentException($"SGD needs at least two classes; {sorted.Length} were given.", nameof(classes));
        }

        if (model is not null && !sorted.SequenceEqual(model.Classes))
        {
            throw new ArgumentException(
                $"The classes [{string.Join(", ", sorted)}] differ from the model's [{string.Join(", ", model.Classes)}].", nameof(classes));
        }

        return sorted;
    }
}
