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
        var problems = new SgdProblem[problemCount];
        for (int p = 0; p < problemCount; p++)
        {
            // Two classes make one problem for Classes[1] whose negative rows take Classes[0]'s weight; one-vs-rest
            // problems weigh their negative rows 1 (scikit-learn's fit_binary arguments).
            problems[p] = problemCount == 1
                ? new SgdProblem(options, 1, classWeights[1], classWeights[0], weights[0], intercepts[0], averages?[0], averageIntercepts[0], t, n)
                : new SgdProblem(options, p, classWeights[p], 1.0, weights[p], intercepts[p], averages?[p], averageIntercepts[p], t, n);
        }

        RunEpochs(options, problems, features, y, validation, maxIterations, budget);
        for (int p = 0; p < problemCount; p++)
        {
            intercepts[p] = problems[p].Intercept;
            averageIntercepts[p] = problems[p].AverageIntercept;
        }

        // scikit-learn's bookkeeping: n_iter_ is the most epochs of any problem, and t_ advances by n_iter_ times every
        // row (held-out rows included).
        int iterations = problems.Max(p => p.Epochs);
        long updates = (long)(t - 1) + ((long)iterations * n);
        return new SgdModel(
            options.Loss, classes, d, weights, intercepts, averages, averages is null ? null : averageIntercepts, options.Average, updates,
            iterations, clock.Elapsed);
    }

    /// <summary>
    /// Runs the epochs of every problem. All problems visit the rows in one order per epoch (a Fisher–Yates shuffle from
    /// <c>SeededRandom.ForStream(seed, 0)</c>, or the rows' order), so each row is read from memory once per epoch for a
    /// whole group of problems instead of once per problem: the epoch loop is bound by memory bandwidth (a 60,000-row
    /// MNIST epoch streams 188 MB), and ten problems sharing one pass cut that traffic by the number of problems per
    /// thread (measured on 60,000 MNIST rows, hinge: 2.6x less CPU per problem-epoch with ten problems on two threads than
    /// one problem alone). The problems that have not stopped are divided into <see cref="ComputeBudget.ConcurrentParts"/>
    /// contiguous groups anew each epoch, one thread per group; a problem's steps depend only on the order and its own
    /// state, so the model is the same for any thread count or grouping.
    /// </summary>
    private static void RunEpochs(
        SgdClassifier options, SgdProblem[] problems, FeatureMatrix features, int[] y, bool[]? validation, int maxIterations, ComputeBudget budget)
    {
        int n = features.Rows;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        var random = SeededRandom.ForStream(options.Seed, 0);
        var active = new SgdProblem[problems.Length];
        var scores = new double?[problems.Length];
        for (int epoch = 0; epoch < maxIterations; epoch++)
        {
            // The budget's cancellation stops the fit between epochs.
            budget.Cancellation.ThrowIfCancellationRequested();
            int count = 0;
            foreach (var problem in problems)
            {
                if (!problem.Stopped)
                {
                    active[count++] = problem;
                }
            }

            if (count == 0)
            {
                break;
            }

            budget.Report("epochs (at most)", epoch, maxIterations);

            if (options.Shuffle)
            {
                random.FisherYatesShuffle(order.AsSpan());
            }

            int groups = budget.ConcurrentParts(count);
            Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = groups }, g =>
            {
                int first = count * g / groups, end = count * (g + 1) / groups;
                var group = active.AsSpan(first, end - first);
                foreach (var problem in group)
                {
                    problem.BeginEpoch();
                }

                Pass(group, features, y, validation, order);
                for (int k = first; k < end; k++)
                {
                    scores[k] = validation is null ? null : ValidationAccuracy(active[k], features, y, validation);
                }
            });

            for (int k = 0; k < count; k++)
            {
                active[k].EndEpoch(scores[k]);
            }
        }

        foreach (var problem in problems)
        {
            problem.Finish();
        }
    }

    /// <summary>One epoch of a group of problems: each training row, in <paramref name="order"/>, steps every problem of the group.</summary>
    private static void Pass(Span<SgdProblem> group, FeatureMatrix features, int[] y, bool[]? validation, int[] order)
    {
        bool addLoss = validation is null;
        int n = order.Length;
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            if (validation is not null && validation[i])
            {
                continue;
            }

            if (k + 1 < n)
            {
                // The next row is elsewhere in memory when shuffled; ask for it while this one is worked on.
                Prefetch(features.Row(order[k + 1]));
            }

            var row = features.Row(i);
            foreach (var problem in group)
            {
                problem.Step(row, y[i], addLoss);
            }
        }
    }

    /// <summary>Hints the processor to load <paramref name="row"/> into the cache, one hint per 64-byte line.</summary>
    private static unsafe void Prefetch(ReadOnlySpan<float> row)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            return;
        }

        fixed (float* start = row)
        {
            byte* bytes = (byte*)start;
            for (int offset = 0; offset < row.Length * sizeof(float); offset += 64)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(bytes + offset);
            }
        }
    }

    /// <summary>The share of the held-out rows whose sign of w·x + b is their target's (scikit-learn's validation score).</summary>
    private static double ValidationAccuracy(SgdProblem problem, FeatureMatrix features, int[] y, bool[] validation)
    {
        int total = 0, correct = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (validation[i])
            {
                total++;
                bool positive = problem.Score(features.Row(i)) > 0;
                correct += positive == (y[i] == problem.Positive) ? 1 : 0;
            }
        }

        return (double)correct / total;
    }

    /// <summary>The weight of each class: 1, the given ones, or balanced over the rows.</summary>
    private static double[] ClassWeights(SgdClassifier options, int[] classes, int[] counts, int n) =>
        ClassWeighting.Resolve(options.ClassWeights, options.ClassWeightMode != ClassWeightMode.None, classes, counts, n, nameof(options.ClassWeights));

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
