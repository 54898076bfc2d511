namespace Mnist.Classifiers.Trees;

/// <summary>Checks forest options the way scikit-learn's parameter validation does, naming the option.</summary>
internal static class ForestOptionChecks
{
    public static void Validate(ForestClassifier o)
    {
        if (o.Trees < 1)
        {
            throw new ArgumentException($"Trees must be 1 or more, not {o.Trees}.", nameof(o.Trees));
        }

        if (!Enum.IsDefined(o.Criterion))
        {
            throw new ArgumentException($"Unknown split criterion {o.Criterion}.", nameof(o.Criterion));
        }

        if (o.MaxDepth is < 1)
        {
            throw new ArgumentException($"MaxDepth must be 1 or more (or null for no limit), not {o.MaxDepth}.", nameof(o.MaxDepth));
        }

        if (o.MinSamplesSplit < 2)
        {
            throw new ArgumentException($"MinSamplesSplit must be 2 or more, not {o.MinSamplesSplit}.", nameof(o.MinSamplesSplit));
        }

        if (o.MinSamplesLeaf < 1)
        {
            throw new ArgumentException($"MinSamplesLeaf must be 1 or more, not {o.MinSamplesLeaf}.", nameof(o.MinSamplesLeaf));
        }

        if (!(o.MinImpurityDecrease >= 0) || !double.IsFinite(o.MinImpurityDecrease))
        {
            throw new ArgumentException($"MinImpurityDecrease must be 0 or more, not {o.MinImpurityDecrease}.", nameof(o.MinImpurityDecrease));
        }

        if (!o.MaxFeatures.IsValid)
        {
            throw new ArgumentException($"MaxFeatures {o.MaxFeatures} is invalid; use MaxFeatures.Sqrt, Log2, All, Count(n ≥ 1) or Fraction(0 < f ≤ 1).", nameof(o.MaxFeatures));
        }

        if (o.MaxLeafNodes is < 2)
        {
            throw new ArgumentException($"MaxLeafNodes must be 2 or more (or null for no limit), not {o.MaxLeafNodes}.", nameof(o.MaxLeafNodes));
        }

        if (o.MaxSamples is { } fraction && !(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentException($"MaxSamples must be a fraction in (0, 1] (or null for all rows), not {fraction}.", nameof(o.MaxSamples));
        }

        if (o.MaxSamples is not null && !o.Bootstrap)
        {
            throw new ArgumentException("MaxSamples needs Bootstrap: without bootstrap every tree sees every row.", nameof(o.MaxSamples));
        }

        if (o.OutOfBagScore && !o.Bootstrap)
        {
            throw new ArgumentException("OutOfBagScore needs Bootstrap: without bootstrap no row is out of bag.", nameof(o.OutOfBagScore));
        }

        if (!Enum.IsDefined(o.ClassWeightMode))
        {
            throw new ArgumentException($"Unknown class weight mode {o.ClassWeightMode}.", nameof(o.ClassWeightMode));
        }

        if (o.ClassWeights is not null && o.ClassWeightMode != ClassWeightMode.None)
        {
            throw new ArgumentException("Give either ClassWeights or a ClassWeightMode, not both.", nameof(o.ClassWeights));
        }

        if (o.ClassWeights is not null)
        {
            foreach (var (label, weight) in o.ClassWeights)
            {
                if (!(weight > 0) || !double.IsFinite(weight))
                {
                    throw new ArgumentException($"The weight of class {label} must be positive, not {weight}.", nameof(o.ClassWeights));
                }
            }
        }
    }
}
