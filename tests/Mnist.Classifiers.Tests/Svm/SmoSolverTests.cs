using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class SmoSolverTests
{
    [Theory]
    [InlineData(SvmKernelType.Rbf, true, 151)]
    [InlineData(SvmKernelType.Rbf, false, 151)]
    [InlineData(SvmKernelType.Linear, true, 151)]
    [InlineData(SvmKernelType.Sigmoid, true, 151)]
    [InlineData(SvmKernelType.Rbf, true, 159)]
    public void Every_vector_width_takes_the_same_steps_to_the_same_solution(SvmKernelType type, bool shrinking, int samples)
    {
        // The vector loops and their scalar tails both run: 151 = 9 · 16 + 7 (the j scan's pairs of 8-float vectors, then
        // the scalar tail), 159 = 9 · 16 + 8 + 7 (a lone vector after the pairs too). The update of v also goes in pairs of
        // vectors: 16 doubles on AVX-512 (151: pairs, tail; 159: a lone vector too), 8 on AVX2 (both: a lone vector).
        var (x, y) = SvmClassifierTests.Blobs(samples, [0, 1], 7, seed: 21, spread: 2.5);
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        var positive = y.Select(label => label == 0).ToArray();
        var kernel = new KernelFunction(type, 0.05, 3, 0.1);
        BinarySolution Solve(VectorWidth width) =>
            SmoSolver.Solve(BinaryKernelProblem.FromRows(x, rows, positive, kernel, null, 1 << 20), 2.0, 2.0, 1e-3, shrinking, 0, vectorWidth: width);

        var widest = Solve(VectorWidth.Widest);
        foreach (var width in new[] { VectorWidth.Bits256, VectorWidth.Scalar })
        {
            var other = Solve(width);
            other.Iterations.Should().Be(widest.Iterations, $"{width}");
            other.Alpha.Should().Equal(widest.Alpha, $"{width}");
            other.Rho.Should().Be(widest.Rho);
            other.Objective.Should().Be(widest.Objective);
        }

        widest.Iterations.Should().BeGreaterThan(10);
        widest.Alpha.Count(a => a > 0).Should().BeGreaterThan(2);
    }

    [Fact]
    public void The_top_candidates_keep_the_largest_keys()
    {
        var top = new TopCandidates(3);
        top.Threshold.Should().Be(double.NegativeInfinity);
        double[] keys = [5, 1, 9, 3, 7, 2, 8];
        for (int i = 0; i < keys.Length; i++)
        {
            top.Offer(keys[i], i);
        }

        top.Indices.ToArray().Order().Should().Equal(2, 4, 6); // keys 9, 7, 8
        top.Threshold.Should().Be(7);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(7)]
    public void The_top_candidates_follow_the_plain_rule_key_by_key(int capacity)
    {
        // The rule: fill up, then a key above the smallest replaces the first smallest. Keys with many ties and zeros of
        // both signs, checked against that rule written plainly after every offer.
        var random = new Random(capacity);
        var top = new TopCandidates(capacity);
        var keys = new List<double>();
        var indices = new List<int>();
        for (int round = 0; round < 3; round++)
        {
            top.Clear();
            keys.Clear();
            indices.Clear();
            for (int i = 0; i < 400; i++)
            {
                double key = random.Next(5) == 0 ? (random.Next(2) == 0 ? 0.0 : -0.0) : random.Next(-30, 30) / 4.0;
                top.Offer(key, i);
                if (keys.Count < capacity)
                {
                    keys.Add(key);
                    indices.Add(i);
                }
                else
                {
                    int first = 0;
                    for (int t = 1; t < keys.Count; t++)
                    {
                        if (keys[t] < keys[first])
                        {
                            first = t;
                        }
                    }

                    if (key > keys[first])
                    {
                        keys[first] = key;
                        indices[first] = i;
                    }
                }

                top.Indices.ToArray().Should().Equal(indices, "after offering key {0} as index {1}", key, i);
                top.Threshold.Should().Be(keys.Count < capacity ? double.NegativeInfinity : keys.Min());
            }
        }
    }
}
