using System.Globalization;

namespace Mnist.Classifiers.Tests.Reference;

/// <summary>The kernels of scikit-learn's <c>SVC</c> that the reference harness supports (LIBSVM's definitions).</summary>
public enum SvcKernel
{
    /// <summary>K(x, y) = exp(-gamma |x - y|²).</summary>
    Rbf,

    /// <summary>K(x, y) = (gamma x·y + coef0)^degree.</summary>
    Poly,

    /// <summary>K(x, y) = x·y.</summary>
    Linear,

    /// <summary>K(x, y) = tanh(gamma x·y + coef0).</summary>
    Sigmoid,
}

/// <summary>How <c>SVC</c> chooses gamma: <c>'scale'</c>, <c>'auto'</c> or a given number.</summary>
public readonly record struct SvcGamma
{
    private SvcGamma(SvcGammaRule rule, double value)
    {
        Rule = rule;
        Value = value;
    }

    /// <summary>Which rule applies.</summary>
    public SvcGammaRule Rule { get; }

    /// <summary>The number when <see cref="Rule"/> is <see cref="SvcGammaRule.Value"/>; otherwise 0.</summary>
    public double Value { get; }

    /// <summary>1 / (n_features · X.var()), the variance over all training values (sklearn's default).</summary>
    public static SvcGamma Scale => new(SvcGammaRule.Scale, 0);

    /// <summary>1 / n_features.</summary>
    public static SvcGamma Auto => new(SvcGammaRule.Auto, 0);

    /// <summary>A given positive gamma.</summary>
    public static SvcGamma Of(double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        return new(SvcGammaRule.Value, gamma);
    }

    /// <inheritdoc />
    public override string ToString() => Rule switch
    {
        SvcGammaRule.Scale => "scale",
        SvcGammaRule.Auto => "auto",
        _ => Value.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>The rules of <see cref="SvcGamma"/>.</summary>
public enum SvcGammaRule
{
    /// <summary>sklearn's <c>'scale'</c>.</summary>
    Scale,

    /// <summary>sklearn's <c>'auto'</c>.</summary>
    Auto,

    /// <summary>An explicit number.</summary>
    Value,
}

/// <summary>
/// The hyperparameters handed to <c>sklearn.svm.SVC</c> (same names and defaults as scikit-learn 1.2), plus how
/// the harness runs it. <c>decision_function_shape</c> is always <c>'ovo'</c>; the <c>'ovr'</c> values are computed too.
/// </summary>
public sealed record SvcReferenceOptions
{
    /// <summary>Regularisation C (box constraint), &gt; 0.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>The kernel.</summary>
    public SvcKernel Kernel { get; init; } = SvcKernel.Rbf;

    /// <summary>Gamma for rbf, poly and sigmoid.</summary>
    public SvcGamma Gamma { get; init; } = SvcGamma.Scale;

    /// <summary>Degree of the poly kernel.</summary>
    public int Degree { get; init; } = 3;

    /// <summary>Independent term of the poly and sigmoid kernels.</summary>
    public double Coef0 { get; init; }

    /// <summary>LIBSVM's stopping tolerance (maximal violating pair gap).</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>LIBSVM's shrinking heuristic.</summary>
    public bool Shrinking { get; init; } = true;

    /// <summary>Per-label weights multiplying C (sklearn's <c>class_weight</c> dictionary), or null.</summary>
    public IReadOnlyDictionary<int, double>? ClassWeight { get; init; }

    /// <summary>sklearn's <c>class_weight='balanced'</c>; cannot be combined with <see cref="ClassWeight"/>.</summary>
    public bool BalancedClassWeight { get; init; }

    /// <summary>Fit Platt scaling (LIBSVM's internal 5-fold cross-validation) and return <c>predict_proba</c>.</summary>
    public bool Probability { get; init; }

    /// <summary>sklearn's <c>random_state</c> (only used by the probability cross-validation), or null.</summary>
    public int? RandomState { get; init; }

    /// <summary>LIBSVM kernel cache in MB.</summary>
    public double CacheSizeMb { get; init; } = 200;

    /// <summary>LIBSVM iteration limit, -1 for none.</summary>
    public int MaxIterations { get; init; } = -1;

    /// <summary>
    /// Fit sklearn's <c>StandardScaler</c> (float32) on the training rows inside python before the SVC. Off by default:
    /// prefer scaling in C# so both sides see the same floats (and so that values recomputed from the training rows
    /// match, which they do not when this is on).
    /// </summary>
    public bool Standardize { get; init; }

    /// <summary>How long python may run before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Reuse a result stored on disk for exactly the same script, data and hyperparameters.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Throws when a value is outside what SVC accepts.</summary>
    public void Validate()
    {
        if (!(C > 0) || double.IsInfinity(C))
        {
            throw new ArgumentOutOfRangeException(nameof(C), C, "C must be a finite positive number.");
        }

        if (Degree < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Degree), Degree, "Degree must be non-negative.");
        }

        if (!(Tolerance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be positive.");
        }

        if (!double.IsFinite(Coef0))
        {
            throw new ArgumentOutOfRangeException(nameof(Coef0), Coef0, "Coef0 must be finite.");
        }

        if (ClassWeight is not null && BalancedClassWeight)
        {
            throw new ArgumentException("Give either ClassWeight or BalancedClassWeight, not both.", nameof(ClassWeight));
        }

        if (MaxIterations is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "MaxIterations must be -1 or positive.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive.");
        }
    }
}
