using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Ensembles;

/// <summary>
/// An ensemble that fits several classifiers on the same rows and combines their predictions by a weighted vote
/// (scikit-learn's <c>VotingClassifier</c>): <see cref="VotingMode.Hard"/> counts their predicted labels,
/// <see cref="VotingMode.Soft"/> averages their class probabilities. Different learners make different errors, so
/// the vote is often more accurate than its best member (Kuncheva, <i>Combining Pattern Classifiers</i>, 2nd ed.,
/// Wiley 2014, ch. 4).
/// </summary>
/// <param name="Members">The learners with their names, at least one; names must be unique and non-empty.</param>
public sealed record VotingClassifier(IReadOnlyList<VotingMember> Members) : IClassifier
{
    /// <summary>Whether to vote with the members' labels or their probabilities (scikit-learn's default: hard).</summary>
    public VotingMode Voting { get; init; } = VotingMode.Hard;

    /// <summary>
    /// One weight per member, in the order of <see cref="Members"/>: how much its label counts in a hard vote, or its
    /// probabilities in the soft mean. Finite and at least 0, with a positive sum; null weighs every member 1.
    /// </summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <inheritdoc />
    /// <remarks>Also validates every member's options, so that a bad one is reported before anything is fitted.</remarks>
    public void Validate()
    {
        if (Members is null || Members.Count == 0)
        {
            throw new ArgumentException("A voting ensemble needs at least one member.", nameof(Members));
        }

        for (int i = 0; i < Members.Count; i++)
        {
            if (Members[i]?.Classifier is null)
            {
                throw new ArgumentException($"Voting member {i} is null or has no classifier.", nameof(Members));
            }
        }

        if (VotingModel.NamesProblem(Members.Select(m => m.Name).ToArray()) is { } names)
        {
            throw new ArgumentException($"The voting members' {names}.", nameof(Members));
        }

        if (!Enum.IsDefined(Voting))
        {
            throw new ArgumentException($"Unknown voting mode {Voting}; use Hard or Soft.", nameof(Voting));
        }

        if (Weights is not null && VotingModel.WeightsProblem(Weights, Members.Count) is { } weights)
        {
            throw new ArgumentException($"Weights {weights}.", nameof(Weights));
        }

        foreach (var member in Members)
        {
            member.Classifier.Validate();
        }
    }

    /// <summary>
    /// Fits every member on all the rows, <see cref="ComputeBudget.ConcurrentParts"/> members at a time, each with
    /// <see cref="ComputeBudget.Split"/> of the budget; see <see cref="VotingModel"/> for how they vote.
    /// </summary>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One class label per row.</param>
    /// <param name="budget">
    /// The threads and memory of the fit, divided among the members that are fitted at the same time; null for
    /// <see cref="ComputeBudget.Default"/>. The model does not depend on it, since no member's does.
    /// </param>
    /// <exception cref="ArgumentException">
    /// Bad options (the ensemble's or a member's), shapes that disagree, or, with <see cref="VotingMode.Soft"/>, a member
    /// whose fitted model gives no probabilities (named in the message; raised as soon as that member is fitted).
    /// Whatever a member's fit throws is rethrown as it is; when several fail at once, the first member's error.
    /// </exception>
    public VotingModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        budget = ComputeBudget.OrDefault(budget);
        var clock = Stopwatch.StartNew();
        int count = Members.Count;
        int[] y = labels.ToArray();
        var memberBudget = budget.Split(count);
        var models = new IClassifierModel[count];
        var errors = new Exception?[count];

        // Each member is fitted by one task with its share of the budget; members are independent and each gives the
        // same model for any budget, so the ensemble is the same for any thread count. A failure stops members from
        // starting (those running finish), so a soft-voting member without probabilities fails the fit early.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.ConcurrentParts(count), CancellationToken = budget.Cancellation };
        int fitted = 0;
        Parallel.For(0, count, parallel, (m, loop) =>
        {
            try
            {
                models[m] = FitMember(Members[m], features, y, memberBudget);
                budget.Report("members", Interlocked.Increment(ref fitted), count);
            }
            catch (Exception e)
            {
                errors[m] = e;
                loop.Stop();
            }
        });

        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        string[] names = Members.Select(m => m.Name).ToArray();
        if (VotingModel.MembersProblem(names, models) is { } problem)
        {
            throw new InvalidOperationException($"The voting members cannot vote together: {problem}.");
        }

        return new VotingModel(names, models, Voting, Weights?.ToArray(), clock.Elapsed);
    }

    IClassifierModel IClassifier.Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget) => Fit(features, labels, budget);

    private IClassifierModel FitMember(VotingMember member, FeatureMatrix features, int[] labels, ComputeBudget budget)
    {
        var model = member.Classifier.Fit(features, labels, budget);
        // Whether a learner's models will give probabilities is known in general only once it is fitted (an SVM's
        // depend on its Probability option, a pipeline's on its last step), so each is checked as soon as it exists.
        if (Voting == VotingMode.Soft && !model.SupportsProbabilities)
        {
            throw new ArgumentException(
                $"Soft voting averages the members' class probabilities, but member '{member.Name}' ({member.Classifier.GetType().Name}) "
                + "gives none; give it probabilities (an SvmClassifier needs Probability = true) or use hard voting.",
                nameof(Voting));
        }

        return model;
    }
}
