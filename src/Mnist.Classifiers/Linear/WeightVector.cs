namespace Mnist.Classifiers.Linear;

/// <summary>
/// One binary problem's weights while it trains, kept as w = scale · v (scikit-learn's <c>WeightVector</c>): the L2
/// shrink w ← (1 − ηαλ)w of every step is then one multiplication of <see cref="Scale"/> instead of a pass over the
/// features (Bottou 2010, §5 "Tricks"; Shalev-Shwartz et al., Pegasos, 2007). When the scale falls below 10⁻⁹ it is
/// folded into v to keep v's values in range. With averaging it also keeps the running mean of the weights in the
/// same lazy form, ā = (a + averageA · v) / averageB (Xu, "Towards optimal one pass large scale learning with averaged
/// stochastic gradient descent", 2011; Bottou, "Stochastic Gradient Descent Tricks", 2012), so that an update costs
/// one pass over the row's features instead of one over every average weight.
/// </summary>
internal sealed class WeightVector
{
    private const double RescaleThreshold = 1e-9;

    private readonly double[] _v;
    private readonly double[]? _average;
    private double _averageA;
    private double _averageB = 1;

    /// <summary>Works in place on <paramref name="weights"/> and (with averaging) <paramref name="average"/>, which hold w and ā.</summary>
    public WeightVector(double[] weights, double[]? average)
    {
        _v = weights;
        _average = average;
    }

    /// <summary>The scale s of w = s · v.</summary>
    public double Scale { get; private set; } = 1;

    /// <summary>v, the unscaled weights (for the L1 penalty, which works on them directly).</summary>
    public Span<double> Unscaled => _v;

    /// <summary>w · x.</summary>
    public double Dot(ReadOnlySpan<float> x) => WidenedKernels.Dot(_v, x) * Scale;

    /// <summary>w ← w + c · x.</summary>
    public void Add(ReadOnlySpan<float> x, double c) => WidenedKernels.Axpy(c / Scale, x, _v);

    /// <summary>w ← c · w, folding the scale into v when it gets tiny (c = 0 zeroes the weights).</summary>
    public void Multiply(double c)
    {
        Scale *= c;
        if (Scale < RescaleThreshold)
        {
            ResetScale();
        }
    }

    /// <summary>
    /// Takes the step c · x just added to w into the running mean over <paramref name="count"/> weight vectors
    /// (scikit-learn's <c>add_average</c>).
    /// </summary>
    public void AddAverage(ReadOnlySpan<float> x, double c, double count)
    {
        double mu = 1.0 / count;
        if (c != 0)
        {
            WidenedKernels.Axpy(_averageA * (-c / Scale), x, _average!);
        }

        if (count > 1)
        {
            _averageB /= 1.0 - mu;
        }

        _averageA += mu * _averageB * Scale;
    }

    /// <summary>Writes w into the weights array (scale 1) and ā into the average array.</summary>
    public void ResetScale()
    {
        if (_average is not null)
        {
            // scikit-learn's axpy then scal by the reciprocal, in that order.
            double inverseB = 1.0 / _averageB;
            for (int j = 0; j < _average.Length; j++)
            {
                _average[j] = (_average[j] + (_averageA * _v[j])) * inverseB;
            }

            _averageA = 0;
            _averageB = 1;
        }

        for (int j = 0; j < _v.Length; j++)
        {
            _v[j] *= Scale;
        }

        Scale = 1;
    }
}
