using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Linear;

/// <summary>
/// One binary problem of <see cref="SgdClassifier"/> for one call (scikit-learn 1.2's <c>_plain_sgd</c> on dense rows):
/// rows of class <see cref="Positive"/> have target +1, the others −1.
/// </summary>
internal sealed class SgdProblem
{
    /// <summary>scikit-learn's bound on the loss derivative, against overflow on badly scaled data.</summary>
    private const double MaxDerivative = 1e12;

    private readonly SgdClassifier _options;
    private readonly FeatureMatrix _x;
    private readonly int[] _y;
    private readonly bool[]? _validation;

    /// <summary>A problem over <paramref name="x"/> with class indices <paramref name="y"/>; rows marked in <paramref name="validation"/> are held out.</summary>
    public SgdProblem(SgdClassifier options, FeatureMatrix x, int[] y, bool[]? validation, int positive, double positiveWeight, double negativeWeight)
    {
        _options = options;
        _x = x;
        _y = y;
        _validation = validation;
        Positive = positive;
        PositiveWeight = positiveWeight;
        NegativeWeight = negativeWeight;
    }

    /// <summary>The class index whose rows have target +1.</summary>
    public int Positive { get; }

    /// <summary>The weight of the positive rows' steps.</summary>
    public double PositiveWeight { get; }

    /// <summary>The weight of the negative rows' steps.</summary>
    public double NegativeWeight { get; }

    /// <summary>
    /// Runs up to <paramref name="maxIterations"/> epochs from the weights in <paramref name="weights"/> and
    /// <paramref name="intercept"/> (and the averages, when averaging) with the update counter starting at
    /// <paramref name="t"/>, updating them in place; returns the number of epochs run.
    /// </summary>
    /// <exception cref="ArithmeticException">A weight or the intercept stopped being finite.</exception>
    public int Run(double[] weights, ref double intercept, double[]? averageWeights, ref double averageIntercept, double t, int maxIterations, SeededRandom random)
    {
        var o = _options;
        int n = _x.Rows;
        var w = new WeightVector(weights, averageWeights);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        // The cumulative L1 penalty (Tsuruoka, Tsujii & Ananiadou, ACL 2009): u is the total L1 shrink every weight
        // should have had so far, q[j] what weight j actually received; each step clips weight j towards 0 by the
        // difference without crossing it.
        double l1Ratio = o.Penalty switch { SgdPenalty.L2 => 0.0, SgdPenalty.L1 => 1.0, _ => o.L1Ratio };
        bool shrinks = o.Penalty is SgdPenalty.L2 or SgdPenalty.ElasticNet;
        double[]? q = o.Penalty is SgdPenalty.L1 or SgdPenalty.ElasticNet ? new double[weights.Length] : null;
        double u = 0;

        double alpha = o.Alpha, eta = o.Eta0;
        double optimalInit = 0;
        if (o.LearningRate == SgdLearningRate.Optimal)
        {
            // Bottou's heuristic (his sgd code, as scikit-learn): the typical weight size typw = sqrt(1/sqrt(alpha)) and
            // t0 such that the first step is typw / max(1, -loss'(-typw, 1)).
            double typw = Math.Sqrt(1.0 / Math.Sqrt(alpha));
            double initialEta = typw / Math.Max(1.0, SgdLosses.Derivative(o.Loss, o.Epsilon, -typw, 1.0));
            optimalInit = 1.0 / (initialEta * alpha);
        }

        bool earlyStopping = _validation is not null;
        double tolerance = o.Tolerance ?? double.NegativeInfinity;
        double bestLoss = double.PositiveInfinity, bestScore = double.NegativeInfinity;
        int noImprovement = 0, epoch = 0;
        while (epoch < maxIterations)
        {
            epoch++;
            double sumLoss = 0;
            if (o.Shuffle)
            {
                random.FisherYatesShuffle(order.AsSpan());
            }

            foreach (int i in order)
            {
                if (earlyStopping && _validation![i])
                {
                    continue;
                }

                var row = _x.Row(i);
                double y = _y[i] == Positive ? 1.0 : -1.0;
                double p = w.Dot(row) + intercept;
                if (o.LearningRate == SgdLearningRate.Optimal)
                {
                    eta = 1.0 / (alpha * (optimalInit + t - 1));
                }
                else if (o.LearningRate == SgdLearningRate.InvScaling)
                {
                    eta = o.Eta0 / Math.Pow(t, o.PowerT);
                }

                if (!earlyStopping)
                {
                    sumLoss += SgdLosses.Loss(o.Loss, o.Epsilon, p, y);
                }

                double classWeight = y > 0 ? PositiveWeight : NegativeWeight;
                double derivative = Math.Clamp(SgdLosses.Derivative(o.Loss, o.Epsilon, p, y), -MaxDerivative, MaxDerivative);
                double update = -eta * derivative;
                update *= classWeight;

                if (shrinks)
                {
                    // Never a negative scale when eta·alpha is large: the weights become 0 instead.
                    w.Multiply(Math.Max(0, 1.0 - ((1.0 - l1Ratio) * eta * alpha)));
                }

                if (update != 0)
                {
                    w.Add(row, update);
                    if (o.FitIntercept)
                    {
                        intercept += update;
                    }
                }

                if (o.Average > 0 && o.Average <= t)
                {
                    // Every update counts towards the mean, also those that changed nothing.
                    double count = t - o.Average + 1;
                    w.AddAverage(row, update, count);
                    averageIntercept += (intercept - averageIntercept) / count;
                }

                if (q is not null)
                {
                    u += l1Ratio * eta * alpha;
                    ApplyL1(w, q, u);
                }

                t++;
            }

            if (!double.IsFinite(intercept) || !AllFinite(weights))
            {
                throw new ArithmeticException(
                    $"The weights overflowed in epoch {epoch}; scaling the features (StandardScaler or MinMaxScaler) might help.");
            }

            if (earlyStopping)
            {
                double score = ValidationAccuracy(w, intercept);
                noImprovement = score < bestScore + tolerance ? noImprovement + 1 : 0;
                bestScore = Math.Max(bestScore, score);
            }
            else
            {
                // scikit-learn 1.2's rule: the summed loss must beat the best sum by tol per row (all rows counted).
                noImprovement = sumLoss > bestLoss - (tolerance * n) ? noImprovement + 1 : 0;
                bestLoss = Math.Min(bestLoss, sumLoss);
            }

            if (noImprovement >= o.IterationsWithNoChange)
            {
                if (o.LearningRate == SgdLearningRate.Adaptive && eta > 1e-6)
                {
                    eta /= 5;
                    noImprovement = 0;
                }
                else
                {
                    break;
                }
            }
        }

        w.ResetScale();
        return epoch;
    }

    /// <summary>Clips each weight towards 0 by what it is owed of the cumulative L1 penalty <paramref name="u"/> (scikit-learn's <c>l1penalty</c>).</summary>
    private static void ApplyL1(WeightVector w, double[] q, double u)
    {
        double scale = w.Scale;
        var v = w.Unscaled;
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

    /// <summary>The share of the held-out rows whose sign of w·x + b is their target's (scikit-learn's validation score).</summary>
    private double ValidationAccuracy(WeightVector w, double intercept)
    {
        int total = 0, correct = 0;
        for (int i = 0; i < _y.Length; i++)
        {
            if (_validation![i])
            {
                total++;
                bool positive = w.Dot(_x.Row(i)) + intercept > 0;
                correct += positive == (_y[i] == Positive) ? 1 : 0;
            }
        }

        return (double)correct / total;
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
