using MathNet.Numerics.Distributions;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// Where a randomized search draws one option's values from. The draws use MathNet.Numerics' distributions
/// (<see cref="ContinuousUniform"/>, <see cref="DiscreteUniform"/>) with the generator the search seeds.
/// </summary>
/// <typeparam name="TValue">The option's type.</typeparam>
public abstract class SearchDistribution<TValue>
{
    private protected SearchDistribution()
    {
    }

    /// <summary>The finite list of values when the distribution is a plain choice among them, else null.</summary>
    internal virtual IReadOnlyList<TValue>? Choices => null;

    /// <summary>One draw.</summary>
    internal abstract TValue Sample(Random random);
}

/// <summary>The distributions a <see cref="RandomizedSearch{TLearner}"/> draws from.</summary>
public static class SearchDistribution
{
    /// <summary>
    /// Log-uniform on [<paramref name="lower"/>, <paramref name="upper"/>] (scipy's <c>loguniform</c>): every factor
    /// of ten equally likely, the usual prior for <c>C</c>, <c>gamma</c> and <c>alpha</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite with 0 &lt; lower &lt; upper.</exception>
    public static SearchDistribution<double> LogUniform(double lower, double upper)
    {
        if (!(lower > 0 && upper > lower && double.IsFinite(upper)))
        {
            throw new ArgumentOutOfRangeException(nameof(lower), $"A log-uniform distribution needs 0 < lower < upper < ∞; got [{lower}, {upper}].");
        }

        return new LogUniformDistribution(Math.Log(lower), Math.Log(upper));
    }

    /// <summary>Uniform on [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite with lower &lt; upper.</exception>
    public static SearchDistribution<double> Uniform(double lower, double upper)
    {
        if (!(double.IsFinite(lower) && double.IsFinite(upper) && lower < upper))
        {
            throw new ArgumentOutOfRangeException(nameof(lower), $"A uniform distribution needs finite lower < upper; got [{lower}, {upper}].");
        }

        return new UniformDistribution(lower, upper);
    }

    /// <summary>An integer uniform on [<paramref name="lower"/>, <paramref name="upper"/>], both included.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="upper"/> is below <paramref name="lower"/>.</exception>
    public static SearchDistribution<int> UniformInteger(int lower, int upper)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(upper, lower);
        return new UniformIntegerDistribution(lower, upper);
    }

    /// <summary>One of <paramref name="values"/>, each equally likely.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static SearchDistribution<TValue> Choice<TValue>(params IEnumerable<TValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("A choice needs at least one value.", nameof(values));
        }

        return new ChoiceDistribution<TValue>(list);
    }

    private sealed class LogUniformDistribution(double logLower, double logUpper) : SearchDistribution<double>
    {
        internal override double Sample(Random random) => Math.Exp(ContinuousUniform.Sample(random, logLower, logUpper));
    }

    private sealed class UniformDistribution(double lower, double upper) : SearchDistribution<double>
    {
        internal override double Sample(Random random) => ContinuousUniform.Sample(random, lower, upper);
    }

    private sealed class UniformIntegerDistribution(int lower, int upper) : SearchDistribution<int>
    {
        internal override int Sample(Random random) => DiscreteUniform.Sample(random, lower, upper);
    }

    private sealed class ChoiceDistribution<TValue>(TValue[] values) : SearchDistribution<TValue>
    {
        internal override IReadOnlyList<TValue> Choices => values;

        internal override TValue Sample(Random random) => values[DiscreteUniform.Sample(random, 0, values.Length - 1)];
    }
}
