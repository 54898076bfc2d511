using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class PlattScalingTests
{
    [Fact]
    public void The_sigmoid_fit_recovers_the_generating_parameters()
    {
        // Labels drawn from P(+1 | f) = 1 / (1 + exp(A f + B)) with A = −2, B = 0.5: maximum likelihood finds them.
        var random = new Random(11);
        int n = 40_000;
        var f = new double[n];
        var labels = new sbyte[n];
        for (int i = 0; i < n; i++)
        {
            f[i] = random.NextDouble() * 6 - 3;
            double p = 1 / (1 + Math.Exp(-2 * f[i] + 0.5));
            labels[i] = random.NextDouble() < p ? (sbyte)1 : (sbyte)-1;
        }

        var (a, b) = PlattScaling.FitSigmoid(f, labels);
        a.Should().BeApproximately(-2, 0.08);
        b.Should().BeApproximately(0.5, 0.06);
    }

    [Fact]
    public void Coupling_consistent_pairwise_probabilities_returns_the_class_probabilities()
    {
        // r_ij = p_i / (p_i + p_j) exactly: the coupled solution is p itself.
        double[] truth = [0.5, 0.3, 0.2];
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                r[i, j] = i == j ? 0 : truth[i] / (truth[i] + truth[j]);
            }
        }

        var p = new double[3];
        PlattScaling.Couple(3, r, p, new double[12]);
        p.Should().BeEquivalentTo(truth, o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 2e-3)).WhenTypeIs<double>());
    }

    [Fact]
    public void The_sigmoid_never_overflows()
    {
        PlattScaling.Sigmoid(1e6, 1, 0).Should().Be(0);
        PlattScaling.Sigmoid(-1e6, 1, 0).Should().Be(1);
        PlattScaling.Sigmoid(0, 1, 0).Should().Be(0.5);
    }
}
