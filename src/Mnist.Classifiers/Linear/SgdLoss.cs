namespace Mnist.Classifiers.Linear;

/// <summary>
/// The loss <see cref="SgdClassifier"/> minimises, scikit-learn's <c>loss</c> of <c>SGDClassifier</c>. Each binary
/// problem scores p = w·x + b against the target y ∈ {−1, +1}; the regression losses treat y as a number to fit.
/// </summary>
public enum SgdLoss
{
    /// <summary><c>hinge</c>: max(0, 1 − py), a linear SVM.</summary>
    Hinge,

    /// <summary><c>log_loss</c>: ln(1 + e^(−py)), logistic regression; gives probabilities.</summary>
    LogLoss,

    /// <summary>
    /// <c>modified_huber</c>: (max(0, 1 − py))² when py ≥ −1, else −4py (Zhang 2004, a quadratically smoothed SVM);
    /// gives probabilities.
    /// </summary>
    ModifiedHuber,

    /// <summary><c>squared_hinge</c>: (max(0, 1 − py))².</summary>
    SquaredHinge,

    /// <summary><c>perceptron</c>: max(0, −py), the hinge without a margin.</summary>
    Perceptron,

    /// <summary><c>squared_error</c>: (p − y)² / 2.</summary>
    SquaredError,

    /// <summary><c>huber</c>: (p − y)² / 2 when |p − y| ≤ ε, else ε|p − y| − ε²/2.</summary>
    Huber,

    /// <summary><c>epsilon_insensitive</c>: max(0, |y − p| − ε).</summary>
    EpsilonInsensitive,

    /// <summary><c>squared_epsilon_insensitive</c>: max(0, |y − p| − ε)².</summary>
    SquaredEpsilonInsensitive,
}

/// <summary>The penalty on the weights (scikit-learn's <c>penalty</c>).</summary>
public enum SgdPenalty
{
    /// <summary>No penalty (scikit-learn's <c>None</c>).</summary>
    None,

    /// <summary><c>l2</c>: α‖w‖²/2.</summary>
    L2,

    /// <summary><c>l1</c>: α‖w‖₁, applied by the cumulative penalty of Tsuruoka, Tsujii &amp; Ananiadou (ACL 2009).</summary>
    L1,

    /// <summary><c>elasticnet</c>: α(ρ‖w‖₁ + (1 − ρ)‖w‖²/2) with ρ = <see cref="SgdClassifier.L1Ratio"/>.</summary>
    ElasticNet,
}

/// <summary>The step size schedule (scikit-learn's <c>learning_rate</c>); t counts the updates from 1.</summary>
public enum SgdLearningRate
{
    /// <summary><c>optimal</c>: η = 1 / (α(t₀ + t − 1)), with t₀ from Bottou's heuristic (see <see cref="SgdClassifier.LearningRate"/>).</summary>
    Optimal,

    /// <summary><c>constant</c>: η = η₀.</summary>
    Constant,

    /// <summary><c>invscaling</c>: η = η₀ / t^power_t.</summary>
    InvScaling,

    /// <summary>
    /// <c>adaptive</c>: η = η₀ until the stopping rule sees no improvement for <see cref="SgdClassifier.IterationsWithNoChange"/>
    /// epochs, then η/5 (and the count starts again), stopping when η falls to 10⁻⁶ or below.
    /// </summary>
    Adaptive,
}

/// <summary>
/// The losses and their derivatives with respect to the score p, exactly as scikit-learn 1.2's
/// <c>sklearn/linear_model/_sgd_fast.pyx</c> computes them (including the cut-offs of the logistic loss at |py| &gt; 18,
/// which save a logarithm where the two forms agree to double precision).
/// </summary>
internal static class SgdLosses
{
    /// <summary>The loss of score <paramref name="p"/> against target <paramref name="y"/>.</summary>
    public static double Loss(SgdLoss loss, double epsilon, double p, double y)
    {
        double z = p * y;
        switch (loss)
        {
            case SgdLoss.Hinge:
                return z <= 1 ? 1 - z : 0;
            case SgdLoss.Perceptron:
                return z <= 0 ? -z : 0;
            case SgdLoss.SquaredHinge:
                double margin = 1 - z;
                return margin > 0 ? margin * margin : 0;
            case SgdLoss.LogLoss:
                return z > 18 ? Math.Exp(-z) : z < -18 ? -z : Math.Log(1 + Math.Exp(-z));
            case SgdLoss.ModifiedHuber:
                return z >= 1 ? 0 : z >= -1 ? (1 - z) * (1 - z) : -4 * z;
            case SgdLoss.SquaredError:
                return 0.5 * (p - y) * (p - y);
            case SgdLoss.Huber:
                double r = p - y, absR = Math.Abs(r);
                return absR <= epsilon ? 0.5 * r * r : (epsilon * absR) - (0.5 * epsilon * epsilon);
            case SgdLoss.EpsilonInsensitive:
                double excess = Math.Abs(y - p) - epsilon;
                return excess > 0 ? excess : 0;
            case SgdLoss.SquaredEpsilonInsensitive:
                double squaredExcess = Math.Abs(y - p) - epsilon;
                return squaredExcess > 0 ? squaredExcess * squaredExcess : 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
    }

    /// <summary>The derivative of the loss with respect to <paramref name="p"/> (a subgradient at the kinks, scikit-learn's choice).</summary>
    public static double Derivative(SgdLoss loss, double epsilon, double p, double y)
    {
        double z = p * y;
        switch (loss)
        {
            case SgdLoss.Hinge:
                return z <= 1 ? -y : 0;
            case SgdLoss.Perceptron:
                return z <= 0 ? -y : 0;
            case SgdLoss.SquaredHinge:
                double margin = 1 - z;
                return margin > 0 ? -2 * y * margin : 0;
            case SgdLoss.LogLoss:
                return z > 18 ? Math.Exp(-z) * -y : z < -18 ? -y : -y / (Math.Exp(z) + 1);
            case SgdLoss.ModifiedHuber:
                return z >= 1 ? 0 : z >= -1 ? 2 * (1 - z) * -y : -4 * y;
            case SgdLoss.SquaredError:
                return p - y;
            case SgdLoss.Huber:
                double r = p - y;
                return Math.Abs(r) <= epsilon ? r : r > 0 ? epsilon : -epsilon;
            case SgdLoss.EpsilonInsensitive:
                return y - p > epsilon ? -1 : p - y > epsilon ? 1 : 0;
            case SgdLoss.SquaredEpsilonInsensitive:
                double d = y - p;
                return d > epsilon ? -2 * (d - epsilon) : d < -epsilon ? 2 * (-d - epsilon) : 0;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }
    }
}
