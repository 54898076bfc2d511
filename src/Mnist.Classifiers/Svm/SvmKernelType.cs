namespace Mnist.Classifiers.Svm;

/// <summary>The kernel functions of <see cref="SvmClassifier"/>, defined as in LIBSVM and scikit-learn.</summary>
public enum SvmKernelType
{
    /// <summary>K(x, y) = x·y.</summary>
    Linear = 0,

    /// <summary>K(x, y) = (γ x·y + coef0)^degree.</summary>
    Polynomial = 1,

    /// <summary>K(x, y) = exp(−γ ‖x − y‖²), the radial basis function (the default).</summary>
    Rbf = 2,

    /// <summary>K(x, y) = tanh(γ x·y + coef0).</summary>
    Sigmoid = 3,
}

/// <summary>How the kernel coefficient γ is chosen: a fixed value, or derived from the training data as scikit-learn does.</summary>
public readonly record struct SvmGamma
{
    private SvmGamma(GammaMode mode, double value)
    {
        Mode = mode;
        Value = value;
    }

    /// <summary>How γ is found.</summary>
    public GammaMode Mode { get; }

    /// <summary>The fixed value when <see cref="Mode"/> is <see cref="GammaMode.Fixed"/>; otherwise 0.</summary>
    public double Value { get; }

    /// <summary>γ = 1 / (n_features · Var(X)), where Var is over every value of the training matrix (scikit-learn's <c>"scale"</c>, its default).</summary>
    public static SvmGamma Scale => new(GammaMode.Scale, 0);

    /// <summary>γ = 1 / n_features (scikit-learn's <c>"auto"</c>).</summary>
    public static SvmGamma Auto => new(GammaMode.Auto, 0);

    /// <summary>A fixed γ, which must be positive.</summary>
    public static SvmGamma Fixed(double value) => new(GammaMode.Fixed, value);

    /// <summary>Parses <c>scale</c>, <c>auto</c> or a positive number (invariant culture).</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static SvmGamma Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t.Equals("scale", StringComparison.OrdinalIgnoreCase))
        {
            return Scale;
        }

        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return Auto;
        }

        if (double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)
            && v > 0 && double.IsFinite(v))
        {
            return Fixed(v);
        }

        throw new FormatException($"Gamma must be 'scale', 'auto' or a positive number, not '{text}'.");
    }

    /// <summary>The γ to use for <paramref name="features"/>.</summary>
    public double Resolve(Data.FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        switch (Mode)
        {
            case GammaMode.Auto:
                return 1.0 / features.Columns;
            case GammaMode.Scale:
                // Var over all values (numpy's X.var()), two passes in double for accuracy, each in eight running sums
                // (a single running sum is bound by the latency of the addition: ~20 ms a pass over 8,000 MNIST rows).
                double sum = 0;
                for (int i = 0; i < features.Rows; i++)
                {
                    sum += WidenedSum(features.Row(i));
                }

                double count = (double)features.Rows * features.Columns;
                double mean = sum / count, squares = 0;
                for (int i = 0; i < features.Rows; i++)
                {
                    squares += WidenedSquaredDeviations(features.Row(i), mean);
                }

                double variance = squares / count;
                return variance > 0 ? 1.0 / (features.Columns * variance) : 1.0;
            default:
                return Value;
        }
    }

    /// <summary>
    /// Σ x over <paramref name="values"/> in double, in eight running sums (element j into sum j mod 8) added in a fixed
    /// order, then the remainder: eight independent additions in flight instead of one chain, and the same result on
    /// every processor (no vector width decides the order).
    /// </summary>
    private static double WidenedSum(ReadOnlySpan<float> values)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = values.Length, j = 0;
        for (; j <= n - 8; j += 8)
        {
            s0 += values[j];
            s1 += values[j + 1];
            s2 += values[j + 2];
            s3 += values[j + 3];
            s4 += values[j + 4];
            s5 += values[j + 5];
            s6 += values[j + 6];
            s7 += values[j + 7];
        }

        double sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; j < n; j++)
        {
            sum += values[j];
        }

        return sum;
    }

    /// <summary>Σ (x − mean)² over <paramref name="values"/> in double, in the order of <see cref="WidenedSum"/>.</summary>
    private static double WidenedSquaredDeviations(ReadOnlySpan<float> values, double mean)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int n = values.Length, j = 0;
        for (; j <= n - 8; j += 8)
        {
            double d0 = values[j] - mean, d1 = values[j + 1] - mean, d2 = values[j + 2] - mean, d3 = values[j + 3] - mean;
            double d4 = values[j + 4] - mean, d5 = values[j + 5] - mean, d6 = values[j + 6] - mean, d7 = values[j + 7] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }

        double sum = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        for (; j < n; j++)
        {
            double d = values[j] - mean;
            sum += d * d;
        }

        return sum;
    }

    /// <inheritdoc />
    public override string ToString() => Mode switch
    {
        GammaMode.Scale => "scale",
        GammaMode.Auto => "auto",
        _ => Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The ways of choosing γ.</summary>
public enum GammaMode
{
    /// <summary>A value given by the user.</summary>
    Fixed = 0,

    /// <summary>1 / (n_features · Var(X)).</summary>
    Scale = 1,

    /// <summary>1 / n_features.</summary>
    Auto = 2,
}
