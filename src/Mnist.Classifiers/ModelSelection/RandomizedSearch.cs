using MathNet.Numerics;
using MathNet.Numerics.Random;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// Cross-validated search over <see cref="Iterations"/> candidates drawn from distributions, like scikit-learn's
/// <c>RandomizedSearchCV</c> (Bergstra &amp; Bengio 2012: for the same number of fits, random draws cover the
/// options that matter better than a grid).
/// </summary>
/// <remarks>
/// The draws come from one MathNet.Numerics <see cref="MersenneTwister"/> seeded with <see cref="Seed"/>: candidate
/// after candidate, axis after axis in the order they were added. When every axis is a
/// <see cref="SearchDistribution.Choice{TValue}"/>, the candidates are distinct points of that grid drawn without
/// replacement (all of them, in random order, when the grid has no more than <see cref="Iterations"/>), as
/// scikit-learn's <c>ParameterSampler</c> does.
/// </remarks>
/// <typeparam name="TLearner">The learner searched.</typeparam>
public sealed record RandomizedSearch<TLearner> : CrossValidatedSearch<TLearner>
    where TLearner : IClassifier
{
    /// <summary>A search of <paramref name="learner"/> over candidates drawn from <paramref name="distributions"/>.</summary>
    public RandomizedSearch(TLearner learner, ParameterDistributions<TLearner> distributions)
        : base(learner)
    {
        Distributions = distributions;
    }

    /// <summary>Where each option's values are drawn from.</summary>
    public ParameterDistributions<TLearner> Distributions { get; init; }

    /// <summary>How many candidates to draw (scikit-learn's <c>n_iter</c>, 10 by default).</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>The seed of the draws: the same seed gives the same candidates.</summary>
    public int Seed { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<SearchCandidate<TLearner>> Candidates()
    {
        var random = new MersenneTwister(Seed, threadSafe: false);
        return Distributions.Sample(Learner, Iterations, random);
    }

    /// <inheritdoc />
    public override void Validate()
    {
        if (Distributions is null)
        {
            throw new ArgumentException("A randomized search needs its distributions.", nameof(Distributions));
        }

        if (Iterations < 1)
        {
            throw new ArgumentException($"Iterations must be at least 1; got {Iterations}.", nameof(Iterations));
        }

        base.Validate();
    }
}

/// <summary>The options a <see cref="RandomizedSearch{TLearner}"/> draws and where from. Immutable: Add returns a new one.</summary>
/// <typeparam name="TLearner">The learner the options belong to.</typeparam>
public sealed class ParameterDistributions<TLearner>
    where TLearner : IClassifier
{
    private readonly Axis[] _axes;

    /// <summary>No options: every draw is the learner unchanged.</summary>
    public ParameterDistributions()
        : this([])
    {
    }

    private ParameterDistributions(Axis[] axes) => _axes = axes;

    /// <summary>These distributions with one more option, drawn from <paramref name="distribution"/>.</summary>
    /// <exception cref="ArgumentException">An axis of the same name is already there.</exception>
    public ParameterDistributions<TLearner> Add<TValue>(SearchAxis<TLearner, TValue> axis, SearchDistribution<TValue> distribution)
    {
        ArgumentNullException.ThrowIfNull(axis);
        ArgumentNullException.ThrowIfNull(distribution);
        if (_axes.Any(a => a.Name == axis.Name))
        {
            throw new ArgumentException($"The distributions already have an axis named '{axis.Name}'.", nameof(axis));
        }

        var choices = distribution.Choices;
        return new ParameterDistributions<TLearner>([.. _axes, new Axis(
            axis.Name,
            choices?.Count,
            (learner, random) => axis.Apply(learner, distribution.Sample(random)),
            (learner, index) => axis.Apply(learner, choices![index]))]);
    }

    /// <summary>These distributions with one more option named <paramref name="name"/>, set by <paramref name="apply"/>.</summary>
    public ParameterDistributions<TLearner> Add<TValue>(string name, SearchDistribution<TValue> distribution, Func<TLearner, TValue, TLearner> apply) =>
        Add(new SearchAxis<TLearner, TValue>(name, apply), distribution);

    internal IReadOnlyList<SearchCandidate<TLearner>> Sample(TLearner learner, int count, Random random)
    {
        var candidates = new List<SearchCandidate<TLearner>>(count);
        if (_axes.All(a => a.ChoiceCount is not null))
        {
            // A grid: distinct points without replacement.
            long gridSize = _axes.Aggregate(1L, (size, a) => size * a.ChoiceCount!.Value);
            int draws = (int)Math.Min(count, gridSize);
            int[] points = gridSize <= int.MaxValue
                ? Combinatorics.GenerateVariation((int)gridSize, draws, random)
                : throw new ArgumentException($"The choices make a grid of {gridSize} points, too many to draw from without replacement.");
            foreach (int point in points)
            {
                // The point's digits as ParameterGrid numbers its points, applied in axis order as the grid does.
                var digits = new int[_axes.Length];
                MixedRadix.Digits(point, _axes.Select(a => a.ChoiceCount!.Value).ToArray(), digits);

                var current = learner;
                var parameters = new SearchParameter[_axes.Length];
                for (int a = 0; a < _axes.Length; a++)
                {
                    (current, parameters[a]) = _axes[a].ApplyChoice(current, digits[a]);
                }

                candidates.Add(new SearchCandidate<TLearner>(candidates.Count, current, parameters));
            }

            return candidates;
        }

        for (int c = 0; c < count; c++)
        {
            var current = learner;
            var parameters = new SearchParameter[_axes.Length];
            for (int a = 0; a < _axes.Length; a++)
            {
                (current, parameters[a]) = _axes[a].Draw(current, random);
            }

            candidates.Add(new SearchCandidate<TLearner>(c, current, parameters));
        }

        return candidates;
    }

    private sealed record Axis(
        string Name,
        int? ChoiceCount,
        Func<TLearner, Random, (TLearner Learner, SearchParameter Parameter)> Draw,
        Func<TLearner, int, (TLearner Learner, SearchParameter Parameter)> ApplyChoice);
}
