using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Linear;

/// <summary>
/// A fitted <see cref="SgdClassifier"/>: one linear function w·x + b per binary problem (one problem for two classes,
/// positive for <c>Classes[1]</c>; one per class, one-vs-rest, otherwise). Immutable and thread-safe. The decision
/// function is those scores; probabilities exist for <see cref="SgdLoss.LogLoss"/> and <see cref="SgdLoss.ModifiedHuber"/>
/// only, by scikit-learn's formulas.
/// </summary>
/// <remarks>
/// With averaging the model also keeps the last (unaveraged) weights, which <see cref="SgdClassifier.PartialFit"/>
/// continues from, as scikit-learn keeps <c>_standard_coef</c> beside <c>coef_</c>.
/// </remarks>
public sealed partial class SgdModel : IClassifierModel
{
    private readonly int[] _classes;
    private readonly double[][] _weights;
    private readonly double[] _intercepts;
    private readonly double[][]? _averageWeights;
    private readonly double[]? _averageIntercepts;

    /// <summary>Assembles a model from parts the caller has checked (the trainer or the model-file reader); the arrays become the model's.</summary>
    internal SgdModel(
        SgdLoss loss, int[] classes, int featureCount, double[][] weights, double[] intercepts, double[][]? averageWeights,
        double[]? averageIntercepts, int averageStart, long updates, int iterations, TimeSpan? fitTime)
    {
        Loss = loss;
        _classes = classes;
        FeatureCount = featureCount;
        _weights = weights;
        _intercepts = intercepts;
        _averageWeights = averageWeights;
        _averageIntercepts = averageIntercepts;
        AverageStart = averageStart;
        Updates = updates;
        Iterations = iterations;
        FitTime = fitTime;
        Classes = Array.AsReadOnly(classes);
        Intercepts = Array.AsReadOnly(UsesAverage ? averageIntercepts! : intercepts);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Classes { get; }

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The loss the model was trained with.</summary>
    public SgdLoss Loss { get; }

    /// <inheritdoc />
    /// <remarks>True for <see cref="SgdLoss.LogLoss"/> and <see cref="SgdLoss.ModifiedHuber"/>, the losses scikit-learn gives <c>predict_proba</c>.</remarks>
    public bool SupportsProbabilities => Loss is SgdLoss.LogLoss or SgdLoss.ModifiedHuber;

    /// <inheritdoc />
    public bool SupportsDecisionFunction => true;

    /// <summary>The number of binary problems: 1 for two classes, the class count otherwise.</summary>
    public int ProblemCount => _weights.Length;

    /// <summary>The intercept b of each binary problem (scikit-learn's <c>intercept_</c>), averaged when the coefficients are.</summary>
    public IReadOnlyList<double> Intercepts { get; }

    /// <summary>The number of epochs of the last fit call: the most of any problem (scikit-learn's <c>n_iter_</c>).</summary>
    public int Iterations { get; }

    /// <summary>
    /// The update count: every row of every epoch of every call, held-out rows included (scikit-learn's <c>t_ − 1</c>); the
    /// learning-rate schedule and averaging of a following <see cref="SgdClassifier.PartialFit"/> continue from it.
    /// </summary>
    public long Updates { get; }

    /// <summary>The <see cref="SgdClassifier.Average"/> the model was trained with (0: no averaging).</summary>
    public int AverageStart { get; }

    /// <summary>How long the last fit call took, when known.</summary>
    public TimeSpan? FitTime { get; }

    /// <summary>
    /// Whether <see cref="Coefficients"/> and <see cref="Intercepts"/> are the averaged weights: with averaging, once more
    /// updates than <see cref="AverageStart"/> have been made (scikit-learn's <c>average &lt;= t_ − 1</c>).
    /// </summary>
    public bool UsesAverage => AverageStart > 0 && AverageStart <= Updates;

    /// <summary>
    /// The coefficients w of binary problem <paramref name="problem"/>, one per feature (row <paramref name="problem"/> of
    /// scikit-learn's <c>coef_</c>); averaged when <see cref="UsesAverage"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The problem is not in [0, <see cref="ProblemCount"/>).</exception>
    public ReadOnlySpan<double> Coefficients(int problem)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(problem);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(problem, ProblemCount);
        return UsesAverage ? _averageWeights![problem] : _weights[problem];
    }

    /// <summary>The last (unaveraged) weights of a problem, which training continues from.</summary>
    internal ReadOnlySpan<double> StandardCoefficients(int problem) => _weights[problem];

    /// <summary>The last (unaveraged) intercept of a problem.</summary>
    internal double StandardIntercept(int problem) => _intercepts[problem];

    /// <summary>The running averaged weights of a problem; only with averaging.</summary>
    internal ReadOnlySpan<double> AverageCoefficients(int problem) => _averageWeights![problem];

    /// <summary>The running averaged intercept of a problem; only with averaging.</summary>
    internal double AverageIntercept(int problem) => _averageIntercepts![problem];

    /// <inheritdoc />
    public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null)
    {
        var scores = DecisionFunction(features, budget);
        var predictions = new int[features.Rows];
        for (int r = 0; r < predictions.Length; r++)
        {
            if (ProblemCount == 1)
            {
                predictions[r] = _classes[scores[r, 0] > 0 ? 1 : 0];
                continue;
            }

            // The first largest score wins, as numpy's argmax.
            int best = 0;
            for (int c = 1; c < ProblemCount; c++)
            {
                if (scores[r, c] > scores[r, best])
                {
                    best = c;
                }
            }

            predictions[r] = _classes[best];
        }

        return predictions;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="SgdLoss.LogLoss"/>: each problem's logistic σ(w·x + b); two classes give (1 − σ, σ), more are
    /// normalised to sum to 1 (scikit-learn's <c>_predict_proba_lr</c>, one-vs-rest). <see cref="SgdLoss.ModifiedHuber"/>:
    /// (clip(score, −1, 1) + 1) / 2 (Zhang 2004), normalised over the classes, and uniform where every class gets 0.
    /// </remarks>
    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.Supports(SupportsProbabilities, this, "probabilities", "train with Loss = LogLoss or ModifiedHuber");
        var scores = DecisionFunction(features, budget);
        int rows = features.Rows, k = _classes.Length;
        var probabilities = new double[rows, k];
        for (int r = 0; r < rows; r++)
        {
            if (ProblemCount == 1)
            {
                double positive = Loss == SgdLoss.LogLoss ? Logistic(scores[r, 0]) : (Math.Clamp(scores[r, 0], -1, 1) + 1) / 2;
                probabilities[r, 0] = 1 - positive;
                probabilities[r, 1] = positive;
                continue;
            }

            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double p = Loss == SgdLoss.LogLoss ? Logistic(scores[r, c]) : (Math.Clamp(scores[r, c], -1, 1) + 1) / 2;
                probabilities[r, c] = p;
                sum += p;
            }

            if (sum == 0)
            {
                // Every score at or below -1: no class is favoured.
                for (int c = 0; c < k; c++)
                {
                    probabilities[r, c] = 1.0 / k;
                }

                continue;
            }

            for (int c = 0; c < k; c++)
            {
                probabilities[r, c] /= sum;
            }
        }

        return probabilities;
    }

    /// <inheritdoc />
    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "SGD model");
        int rows = features.Rows, problems = ProblemCount;
        var scores = new double[rows, problems];
        ParallelRows.For(rows, (long)rows * problems * FeatureCount, ComputeBudget.OrDefault(budget), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                var row = features.Row(r);
                for (int p = 0; p < problems; p++)
                {
                    scores[r, p] = WidenedKernels.Dot(Coefficients(p), row) + Intercepts[p];
                }
            }
        });

        return scores;
    }

    /// <summary>Checks that <paramref name="options"/> can continue this model on rows of <paramref name="columns"/> features.</summary>
    internal void CheckContinuable(SgdClassifier options, int columns)
    {
        if (columns != FeatureCount)
        {
            throw new ArgumentException($"The model was fitted on {FeatureCount} features, but the batch has {columns}.", "features");
        }

        if (options.Loss != Loss)
        {
            throw new ArgumentException($"The model was trained with the {Loss} loss, not {options.Loss}.", nameof(options.Loss));
        }

        if (options.Average != AverageStart)
        {
            throw new ArgumentException($"The model was trained with Average = {AverageStart}, not {options.Average}.", nameof(options.Average));
        }
    }

    /// <summary>σ(z) = 1 / (1 + e^(−z)), scipy's <c>expit</c>.</summary>
    private static double Logistic(double z) => 1.0 / (1.0 + Math.Exp(-z));
}
