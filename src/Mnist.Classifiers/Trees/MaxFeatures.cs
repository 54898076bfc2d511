namespace Mnist.Classifiers.Trees;

/// <summary>
/// How many features each split considers (scikit-learn's <c>max_features</c>): √d, log₂ d, all d, a count or a
/// fraction of d, always at least 1. The default value (<c>default(MaxFeatures)</c>) is <see cref="Sqrt"/>.
/// </summary>
public readonly record struct MaxFeatures
{
    private readonly Rule _rule;
    private readonly int _count;
    private readonly double _fraction;

    private MaxFeatures(Rule rule, int count, double fraction)
    {
        _rule = rule;
        _count = count;
        _fraction = fraction;
    }

    private enum Rule
    {
        Sqrt,
        Log2,
        All,
        Count,
        Fraction,
    }

    /// <summary>max(1, ⌊√d⌋), the default of scikit-learn's forests.</summary>
    public static MaxFeatures Sqrt => default;

    /// <summary>max(1, ⌊log₂ d⌋).</summary>
    public static MaxFeatures Log2 => new(Rule.Log2, 0, 0);

    /// <summary>Every feature (scikit-learn's <c>None</c>, <c>1.0</c>): bagged trees without feature sampling.</summary>
    public static MaxFeatures All => new(Rule.All, 0, 0);

    /// <summary>A fixed number of features, 1 to d (checked against d when fitting).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static MaxFeatures Count(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new(Rule.Count, count, 0);
    }

    /// <summary>max(1, ⌊fraction · d⌋) features, with the fraction in (0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not in (0, 1].</exception>
    public static MaxFeatures Fraction(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction of features must be in (0, 1].");
        }

        return new(Rule.Fraction, 0, fraction);
    }

    /// <summary>Whether this value came from one of the factories (a <c>with</c> or reflection could build another).</summary>
    internal bool IsValid => _rule switch
    {
        Rule.Sqrt or Rule.Log2 or Rule.All => true,
        Rule.Count => _count >= 1,
        Rule.Fraction => _fraction > 0 && _fraction <= 1,
        _ => false,
    };

    /// <summary>The number of features a split considers among <paramref name="featureCount"/>, as scikit-learn resolves it.</summary>
    /// <exception cref="ArgumentException">A <see cref="Count"/> larger than <paramref name="featureCount"/>.</exception>
    public int Resolve(int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        int resolved = _rule switch
        {
            Rule.Sqrt => Math.Max(1, (int)Math.Sqrt(featureCount)),
            Rule.Log2 => Math.Max(1, (int)Math.Log2(featureCount)),
            Rule.All => featureCount,
            Rule.Count => _count,
            _ => Math.Max(1, (int)(_fraction * featureCount)),
        };
        if (resolved > featureCount)
        {
            throw new ArgumentException($"MaxFeatures is {resolved} but the data has only {featureCount} features.", nameof(MaxFeatures));
        }

        return resolved;
    }

    /// <inheritdoc />
    public override string ToString() => _rule switch
    {
        Rule.Count => $"Count({_count})",
        Rule.Fraction => $"Fraction({_fraction})",
        _ => _rule.ToString(),
    };
}
