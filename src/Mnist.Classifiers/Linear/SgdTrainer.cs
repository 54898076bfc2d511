using System.Diagnostics;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Linear;

/// <summary>Runs the binary problems of one <see cref="SgdClassifier.Fit"/> or <see cref="SgdClassifier.PartialFit"/> call.</summary>
internal static class SgdTrainer
{
    /// <summary>
    /// Trains from <paramref name="start"/> (null: zero weights, the update counter t at 1) for up to
    /// <paramref name="maxIterations"/> epochs per problem, the problems in parallel.
    /// </summary>
    public static SgdModel Train(
        SgdClassifier options, SgdModel? start, int[] classes, int[] counts, FeatureMatrix features, ReadOnlySpan<int> labels,
        int maxIterations, bool earlyStopping, ComputeBudget budget)
    {
        var clock = Stopwatch.StartNew();
        int n = features.Rows, d = features.Columns, k = classes.Length;
        int problemCount = k == 2 ? 1 : k;
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = Array.BinarySearch(classes, labels[i]);
        }

        double[] classWeights = ClassWeights(options, classes, counts, n);
        bool[]? validation = earlyStopping ? ValidationMask(y, counts, options.ValidationFraction, options.Seed) : null;
        bool averaging = options.Average > 0;
        var weights = new double[problemCount][];
        var averages = averaging ? new double[problemCount][] : null;
        var intercepts = new double[problemCount];
        var averageIntercepts = new double[problemCount];
        for (int p = 0; p < problemCount; p++)
        {
            weights[p] = start is null ? new double[d] : start.StandardCoefficients(p).ToArray();
            if (averages is not null)
            {
                averages[p] = start is null ? new double[d] : start.AverageCoefficients(p).ToArray();
                averageIntercepts[p] = start?.AverageIntercept(p) ?? 0;
            }

            intercepts[p] = start?.StandardIntercept(p) ?? 0;
        }

        double t = start is null ? 1 : start.Updates + 1.0;
        var epochs = new int[problemCount];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.ConcurrentParts(problemCount) };
        Parallel.For(0, problemCount, parallel, p =>
        {
            // Two classes make one problem for Classes[1] whose negative rows take Classes[0]'s weight; one-vs-rest
            // problems weigh their negative rows 1 (scikit-learn's fit_binary arguments).
            var problem = problemCount == 1
                ? new SgdProblem(options, features, y, validation, positive: 1, classWeights[1], classWeights[0])
                : new SgdProblem(options, features, y, validation, positive: p, classWeights[p], 1.0);
            epochs[p] = problem.Run(
                weights[p], ref intercepts[p], averages?[p], ref averageIntercepts[p], t, maxIterations, SeededRandom.ForStream(options.Seed, p));
        });

        // scikit-learn's bookkeeping: n_iter_ is the most epochs of any problem, and t_ advances by n_iter_ times every
        // row (held-out rows included).
        int iterations = epochs.Max();
        long updates = (long)(t - 1) + ((long)iterations * n);
        return new SgdModel(
            options.Loss, classes, d, weights, intercepts, averages, averages is null ? null : averageIntercepts, options.Average, updates,
            iterations, clock.Elapsed);
    }

    /// <summary>The weight of each class: 1, the given ones, or balanced over the rows.</summary>
    private static double[] ClassWeights(SgdClassifier options, int[] classes, int[] counts, int n)
    {
        var weights = new double[classes.Length];
        Array.Fill(weights, 1.0);
        if (options.ClassWeights is { } given)
        {
            foreach (var (label, weight) in given)
            {
                int c = Array.BinarySearch(classes, label);
                if (c < 0)
                {
                    throw new ArgumentException($"ClassWeights names class {label}, which is not among the classes.", nameof(options.ClassWeights));
                }

                weights[c] = weight;
            }
        }
        else if (options.BalancedClassWeights)
        {
            for (int c = 0; c < classes.Length; c++)
            {
                weights[c] = (double)n / (classes.Length * (double)counts[c]);
            }
        }

        return weights;
    }

    /// <summary>
    /// The rows held out for early stopping: ⌈fraction · n⌉ of them (scikit-learn's <c>StratifiedShuffleSplit</c> size),
    /// each class giving ⌊count · m / n⌋ rows and the rows still missing going one each to the classes with the largest
    /// remainders (ties to the smaller class); a class's rows are the first of its rows shuffled by
    /// <c>new SeededRandom(seed)</c>, class after class. scikit-learn draws the split from numpy's generator, so the
    /// rows differ from its; the sizes per class agree except where it breaks remainder ties at random.
    /// </summary>
    private static bool[] ValidationMask(int[] y, int[] counts, double fraction, int seed)
    {
        int n = y.Length, k = counts.Length;
        int held = (int)Math.Ceiling(fraction * n);
        if (held >= n)
        {
            throw new ArgumentException(
                $"Holding out ValidationFraction = {fraction} of {n} rows leaves no rows to train on; lower it, add rows, or turn EarlyStopping off.",
                nameof(SgdClassifier.ValidationFraction));
        }

        var quota = new int[k];
        var remainder = new long[k];
        int assigned = 0;
        for (int c = 0; c < k; c++)
        {
            long exact = (long)counts[c] * held;
            quota[c] = (int)(exact / n);
            remainder[c] = exact % n;
            assigned += quota[c];
        }

        foreach (int c in Enumerable.Range(0, k).Where(c => quota[c] < counts[c]).OrderByDescending(c => remainder[c]).ThenBy(c => c))
        {
            if (assigned == held)
            {
                break;
            }

            quota[c]++;
            assigned++;
        }

        var random = new SeededRandom(seed);
        var mask = new bool[n];
        for (int c = 0; c < k; c++)
        {
            int[] members = Enumerable.Range(0, n).Where(i => y[i] == c).ToArray();
            random.FisherYatesShuffle(members.AsSpan());
            foreach (int i in members.AsSpan(0, quota[c]))
            {
                mask[i] = true;
            }
        }

        return mask;
    }
}
