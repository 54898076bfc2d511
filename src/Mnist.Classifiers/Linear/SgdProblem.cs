using System.Runtime.CompilerServices;

namespace Mnist.Classifiers.Linear;

/// <summary>
/// One binary problem of <see cref="SgdClassifier"/> during one fit call, stepped row by row (scikit-learn 1.2's
/// <c>_plain_sgd</c> on dense rows, split into <see cref="Step"/> and <see cref="EndEpoch"/> so that the trainer can
/// pass each row to several problems while it is in cache): rows of class <see cref="Positive"/> have target +1, the
/// others −1. The weights and intercepts it is given are updated in place.
/// </summary>
internal sealed class SgdProblem
{
    /// <summary>scikit-learn's bound on the loss derivative, against overflow on badly scaled data.</summary>
    private const double MaxDerivative = 1e12;

    private readonly SgdClassifier _options;
    private readonly double _positiveWeight;
    private readonly double _negativeWeight;
    private readonly double[] _weights;
    private readonly WeightVector _w;
    private readonly double _l1Ratio;
    private readonly bool _shrinks;
    private readonly double[]? _q;
    private readonly double _optimalInit;
    private readonly double _tolerance;
    private readonly int _rows;
    private double _u;
    private double _eta;
    private double _t;
    private double _sumLoss;
    private double _bestLoss = double.PositiveInfinity;
    private double _bestScore = double.NegativeInfinity;
    private int _noImprovement;

    /// <summary>
    /// A problem that starts from <paramref name="weights"/>, <paramref name="intercept"/> (and the averages, when
    /// averaging) with the update counter at <paramref name="t"/>, over <paramref name="rows"/> rows (held-out ones included).
    /// </summary>
    public SgdProblem(
        SgdClassifier options, int positive, double positiveWeight, double negativeWeight, double[] weights, double intercept,
        double[]? averageWeights, double averageIntercept, double t, int rows)
    {
        _options = options;
        Positive = positive;
        _positiveWeight = positiveWeight;
        _negativeWeight = negativeWeight;
        _weights = weights;
        _w = new WeightVector(weights, averageWeights);
        Intercept = intercept;
        AverageIntercept = averageIntercept;
        _t = t;
        _rows = rows;

        // The cumulative L1 penalty (Tsuruoka, Tsujii & Ananiadou, ACL 2009): u is the total L1 shrink every weight
        // should have had so far, q[j] what weight j actually received; each step moves weight j towards 0 by the
        // difference without crossing it.
        _l1Ratio = options.Penalty switch { SgdPenalty.L2 => 0.0, SgdPenalty.L1 => 1.0, _ => options.L1Ratio };
        _shrinks = options.Penalty is SgdPenalty.L2 or SgdPenalty.ElasticNet;
        _q = options.Penalty is SgdPenalty.L1 or SgdPenalty.ElasticNet ? new double[weights.Length] : null;
        _eta = options.Eta0;
        _tolerance = options.Tolerance ?? double.NegativeInfinity;
        if (options.LearningRate == SgdLearningRate.Optimal)
        {
            // Bottou's heuristic (his sgd code, as scikit-learn): the typical weight size typw = sqrt(1/sqrt(alpha)), and
            // t0 such that the first step is typw / max(1, -loss'(-typw, 1)).
            double typw = Math.Sqrt(1.0 / Math.Sqrt(options.Alpha));
            double initialEta = typw / Math.Max(1.0, SgdLosses.Derivative(options.Loss, options.Epsilon, -typw, 1.0));
            _optimalInit = 1.0 / (initialEta * options.Alpha);
        }
    }

    /// <summary>The class index whose rows have target +1.</summary>
    public int Positive { get; }

    /// <summary>The intercept b.</summary>
    public double Intercept { get; private set; }

    /// <summary>The averaged intercept (with averaging).</summary>
    public double AverageIntercept { get; private set; }

    /// <summary>The epochs run so far.</summary>
    public int Epochs { get; private set; }

    /// <summary>Whether the stopping rule has ended this problem.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Starts an epoch.</summary>
    public void BeginEpoch()
    {
        Epochs++;
        _sumLoss = 0;
    }

    /// <summary>One stochastic gradient step on a training row of class index <paramref name="label"/>, in scikit-learn's order of operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step(ReadOnlySpan<float> row, int label, bool addLoss)
    {
        var o = _options;
        double y = label == Positive ? 1.0 : -1.0;
        double p = _w.Dot(row) + Intercept;
        if (o.LearningRate == SgdLearningRate.Optimal)
        {
            _eta = 1.0 / (o.Alpha * (_optimalInit + _t - 1));
        }
        else if (o.LearningRate == SgdLearningRate.InvScaling)
        {
            _eta = o.Eta0 / Math.Pow(_t, o.PowerT);
        }

        if (addLoss)
        {
            _sumLoss += SgdLosses.Loss(o.Loss, o.Epsilon, p, y);
        }

        double classWeight = y > 0 ? _positiveWeight : _negativeWeight;
        double update = -_eta * Math.Clamp(SgdLosses.Derivative(o.Loss, o.Epsilon, p, y), -MaxDerivative, MaxDerivative);
        update *= classWeight;

        if (_shrinks)
        {
            // Never a negative scale when eta·alpha is large: the weights become 0 instead.
            _w.Multiply(Math.Max(0, 1.0 - ((1.0 - _l1Ratio) * _eta * o.Alpha)));
        }

        if (update != 0)
        {
            _w.Add(row, update);
            if (o.FitIntercept)
            {
                Intercept += update;
            }
        }

        if (o.Average > 0 && o.Average <= _t)
        {
            // Every step counts towards the mean, also those that changed nothing.
            double count = _t - o.Average + 1;
            _w.AddAverage(row, update, count);
            AverageIntercept += (Intercept - AverageIntercept) / count;
        }

        if (_q is not null)
        {
            _u += _l1Ratio * _eta * o.Alpha;
            ApplyL1();
        }

        _t++;
    }

    /// <summary>w · x + b with the current weights.</summary>
    public double Score(ReadOnlySpan<float> row) => _w.Dot(row) + Intercept;

    /// <summary>
    /// Ends an epoch: checks that the weights are finite and applies the stopping rule to the epoch's summed training loss
    /// or, with early stopping, to <paramref name="validationScore"/>; sets <see cref="Stopped"/> when it ends the problem.
    /// </summary>
    /// <exception cref="ArithmeticException">A weight or the intercept stopped being finite.</exception>
    public void EndEpoch(double? validationScore)
    {
        if (!double.IsFinite(Intercept) || !AllFinite(_weights))
        {
            throw new ArithmeticException(
                $"The weights overflowed in epoch {Epochs}; scaling the features (StandardScaler or MinMaxScaler) might help.");
        }

        if (validationScore is { } score)
        {
            _noImprovement = score < _bestScore + _tolerance ? _noImprovement + 1 : 0;
            _bestScore = Math.Max(_bestScore, score);
        }
        else
        {
            // scikit-learn 1.2's rule: the summed loss must beat the best sum by tol per row (held-out rows counted).
            _noImprovement = _sumLoss > _bestLoss - (_tolerance * _rows) ? _noImprovement + 1 : 0;
            _bestLoss = Math.Min(_bestLoss, _sumLoss);
        }

        if (_noImprovement >= _options.IterationsWithNoChange)
        {
            if (_options.LearningRate == SgdLearningRate.Adaptive && _eta > 1e-6)
            {
                _eta /= 5;
                _noImprovement = 0;
            }
            else
            {
                Stopped = true;
            }
        }
    }

    /// <summary>Writes the final weights (and averages) into the arrays the problem was given.</summary>
    public void Finish() => _w.ResetScale();

    /// <summary>Moves each weight towards 0 by what it is owed of the cumulative L1 penalty (scikit-learn's <c>l1penalty</c>).</summary>
    private void ApplyL1()
    {
        double scale = _w.Scale, u = _u;
        var v = _w.Unscaled;
        var q = _q!;
        for (int j = 0; j < v.Length; j++)
        {
            double z = v[j];
            if (scale * z > 0)
            {
                v[j] = Math.Max(0, z - ((u + q[j]) / scale));
            }
            else if (scale * z < 0)
            {
                v[j] = Math.Min(0, z + ((u - q[j]) / scale));
            }

            q[j] += scale * (v[j] - z);
        }
    }

    private static bool AllFinite(double[] values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
