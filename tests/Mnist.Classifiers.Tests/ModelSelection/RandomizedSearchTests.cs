using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class RandomizedSearchTests
{
    private static readonly ParameterDistributions<SvmClassifier> Continuous = new ParameterDistributions<SvmClassifier>()
        .Add("C", SearchDistribution.LogUniform(0.1, 100), (svm, c) => svm with { C = c })
        .Add("gamma", SearchDistribution.LogUniform(1e-3, 1), (svm, g) => svm with { Gamma = SvmGamma.Fixed(g) })
        .Add("degree", SearchDistribution.UniformInteger(2, 4), (svm, d) => svm with { Degree = d })
        .Add("coef0", SearchDistribution.Uniform(-1, 1), (svm, c) => svm with { Coef0 = c });

    [Fact]
    public void The_same_seed_draws_the_same_candidates_and_another_seed_others()
    {
        var search = new RandomizedSearch<SvmClassifier>(new SvmClassifier(), Continuous) { Iterations = 25, Seed = 7 };

        var first = search.Candidates().Select(c => c.Learner).ToArray();
        var again = search.Candidates().Select(c => c.Learner).ToArray();
        var other = (search with { Seed = 8 }).Candidates().Select(c => c.Learner).ToArray();

        first.Should().HaveCount(25).And.Equal(again);
        other.Should().NotEqual(first);
    }

    [Fact]
    public void Draws_stay_within_their_distributions_and_log_uniform_spreads_over_the_decades()
    {
        var candidates = new RandomizedSearch<SvmClassifier>(new SvmClassifier(), Continuous) { Iterations = 2000, Seed = 1 }.Candidates();
        var learners = candidates.Select(c => c.Learner).ToArray();

        learners.Should().OnlyContain(s => s.C >= 0.1 && s.C <= 100 && s.Degree >= 2 && s.Degree <= 4 && s.Coef0 >= -1 && s.Coef0 <= 1);
        learners.Select(s => s.Degree).Distinct().Order().Should().Equal(2, 3, 4);
        // Log-uniform on [0.1, 100]: each of the three decades holds a third of the draws (± 5 standard errors).
        foreach (var (low, high) in new[] { (0.1, 1.0), (1.0, 10.0), (10.0, 100.0) })
        {
            double share = learners.Count(s => s.C >= low && s.C < high) / 2000.0;
            share.Should().BeApproximately(1 / 3.0, 5 * Math.Sqrt(2.0 / 9 / 2000), $"the decade [{low}, {high})");
        }

        candidates[0].Parameters.Select(p => p.Name).Should().Equal("C", "gamma", "degree", "coef0");
    }

    [Fact]
    public void Choices_alone_are_drawn_without_replacement_like_scikit_learns_ParameterSampler()
    {
        var choices = new ParameterDistributions<SvmClassifier>()
            .Add("C", SearchDistribution.Choice(1.0, 2, 4, 8), (svm, c) => svm with { C = c })
            .Add("kernel", SearchDistribution.Choice(SvmKernelType.Rbf, SvmKernelType.Linear), (svm, k) => svm with { Kernel = k });

        var some = new RandomizedSearch<SvmClassifier>(new SvmClassifier(), choices) { Iterations = 5, Seed = 3 }.Candidates();
        var all = new RandomizedSearch<SvmClassifier>(new SvmClassifier(), choices) { Iterations = 50, Seed = 3 }.Candidates();

        some.Select(c => c.Describe()).Should().HaveCount(5).And.OnlyHaveUniqueItems();
        all.Select(c => c.Describe()).Should().HaveCount(8).And.OnlyHaveUniqueItems("a grid of 8 points gives each once");
        all.Select(c => c.Index).Should().Equal(Enumerable.Range(0, 8));
    }

    [Fact]
    public void A_seeded_randomized_search_is_reproducible_end_to_end()
    {
        var (x, y) = SvmClassifierTests.Blobs(20, [0, 1, 2], 3, seed: 6, spread: 2);
        var distributions = new ParameterDistributions<SvmClassifier>()
            .Add("C", SearchDistribution.LogUniform(0.1, 10), (svm, c) => svm with { C = c });
        var search = new RandomizedSearch<SvmClassifier>(new SvmClassifier(), distributions) { Iterations = 4, Seed = 11 };

        var first = search.Fit(x, y);
        var second = search.Fit(x, y, new ComputeBudget(1, 1L << 28));

        second.Candidates.Select(c => c.Candidate.Learner).Should().Equal(first.Candidates.Select(c => c.Candidate.Learner));
        second.Candidates.Select(c => c.FoldScores).Should().BeEquivalentTo(first.Candidates.Select(c => c.FoldScores), o => o.WithStrictOrdering());
        second.BestParameters.Should().BeEquivalentTo(first.BestParameters);
    }

    [Fact]
    public void Bad_distributions_and_options_are_refused()
    {
        new Action(() => SearchDistribution.LogUniform(0, 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*0 < lower < upper*");
        new Action(() => SearchDistribution.Uniform(2, 1)).Should().Throw<ArgumentOutOfRangeException>();
        new Action(() => SearchDistribution.UniformInteger(3, 2)).Should().Throw<ArgumentOutOfRangeException>();
        new Action(() => SearchDistribution.Choice<int>()).Should().Throw<ArgumentException>();
        new Action(() => new RandomizedSearch<SvmClassifier>(new SvmClassifier(), Continuous) { Iterations = 0 }.Validate())
            .Should().Throw<ArgumentException>().WithParameterName("Iterations");
    }
}
