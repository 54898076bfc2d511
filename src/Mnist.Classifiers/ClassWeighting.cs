namespace Mnist.Classifiers;

/// <summary>
/// Class weights as scikit-learn's <c>class_weight</c>: a weight per label, or "balanced" (n / (k · count(class)),
/// its <c>compute_class_weight</c>), or 1 for every class. One implementation for the learners that take them.
/// </summary>
internal static class ClassWeighting
{
    /// <summary>
    /// Checks the options of a learner without bootstrap samples: a known mode other than
    /// <see cref="ClassWeightMode.BalancedSubsample"/>, not both kinds at once, and every given weight finite and positive.
    /// </summary>
    /// <exception cref="ArgumentException">The message and parameter name say which option is wrong.</exception>
    public static void Validate(IReadOnlyDictionary<int, double>? given, ClassWeightMode mode, string givenName, string modeName)
    {
        if (mode is not (ClassWeightMode.None or ClassWeightMode.Balanced))
        {
            throw new ArgumentException(
                $"{modeName} must be None or Balanced here, not {mode} (BalancedSubsample is for forests, which draw bootstrap samples).", modeName);
        }

        if (mode != ClassWeightMode.None && given is not null)
        {
            throw new ArgumentException($"Give either {givenName} or {modeName}, not both.", givenName);
        }

        foreach (var (label, weight) in given ?? new Dictionary<int, double>())
        {
            if (!(weight > 0) || !double.IsFinite(weight))
            {
                throw new ArgumentException($"The weight of class {label} must be positive, not {weight}.", givenName);
            }
        }
    }

    /// <summary>
    /// The weight of each of <paramref name="classes"/> (ascending, with <paramref name="counts"/> rows each out of
    /// <paramref name="rows"/>): the given weights (classes not named weigh 1), else balanced, else 1.
    /// </summary>
    /// <exception cref="ArgumentException">A given weight names a class that is not among the training labels.</exception>
    public static double[] Resolve(IReadOnlyDictionary<int, double>? given, bool balanced, int[] classes, int[] counts, int rows, string givenName)
    {
        var weights = new double[classes.Length];
        Array.Fill(weights, 1.0);
        if (given is not null)
        {
            foreach (var (label, weight) in given)
            {
                int c = Array.BinarySearch(classes, label);
                if (c < 0)
                {
                    throw new ArgumentException($"{givenName} names class {label}, which is not among the training labels.", givenName);
                }

                weights[c] = weight;
            }
        }
        else if (balanced)
        {
            for (int c = 0; c < classes.Length; c++)
            {
                weights[c] = rows / (classes.Length * (double)counts[c]);
            }
        }

        return weights;
    }
}
