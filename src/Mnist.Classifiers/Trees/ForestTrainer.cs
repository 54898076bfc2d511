using System.Diagnostics;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Trees;

/// <summary>Grows the trees of a <see cref="RandomForestClassifier"/> or <see cref="ExtraTreesClassifier"/>.</summary>
internal static class ForestTrainer
{
    public static ForestModel Fit(ForestClassifier options, bool extraTrees, FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget budget)
    {
        var clock = Stopwatch.StartNew();
        int n = features.Rows, d = features.Columns;
        int maxFeatures = options.MaxFeatures.Resolve(d);
        var (classes, counts) = InputChecks.ClassCounts(labels);
        int k = classes.Length;
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = Array.BinarySearch(classes, labels[i]);
        }

        double[] classWeights = ClassWeights(options, classes, counts, n);
        int bootstrapSize = options.MaxSamples is { } fraction ? Math.Max(1, (int)Math.Round(n * fraction, MidpointRounding.ToEven)) : n;
        var settings = new TreeSettings(
            options.Criterion != SplitCriterion.Gini, options.MaxDepth ?? int.MaxValue, options.MinSamplesSplit, options.MinSamplesLeaf,
            options.MinImpurityDecrease, maxFeatures, options.MaxLeafNodes ?? 0, extraTrees);

        var bins = FeatureBins.Build(features, budget);
        int treeCount = options.Trees;
        var trees = new GrownTree[treeCount];
        var inBag = options.OutOfBagScore ? new ulong[treeCount][] : null;
        // The budget's cancellation stops the fit between trees.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.ConcurrentParts(treeCount), CancellationToken = budget.Cancellation };
        int grown = 0;
        Parallel.For(
            0, treeCount, parallel,
            () => (Builder: new TreeBuilder(bins, y, k, settings), Weights: new double[n], Draws: new int[n]),
            (t, _, scratch) =>
            {
                var random = SeededRandom.ForStream(options.Seed, t);
                SampleWeights(options, y, k, classWeights, bootstrapSize, random, scratch.Weights, scratch.Draws);
                if (inBag is not null)
                {
                    var bits = new ulong[(n + 63) / 64];
                    for (int r = 0; r < n; r++)
                    {
                        if (scratch.Draws[r] > 0)
                        {
                            bits[r >> 6] |= 1UL << r;
                        }
                    }

                    inBag[t] = bits;
                }

                trees[t] = scratch.Builder.Grow(scratch.Weights, random);
                budget.Report("trees", Interlocked.Increment(ref grown), treeCount);
                return scratch;
            },
            _ => { });

        var model = ForestModel.Assemble(classes, d, extraTrees, trees, fitTime: null, outOfBagScore: null);
        double? oob = inBag is null ? null : model.OutOfBagAccuracy(features, y, inBag, budget);
        return model.WithTraining(oob, clock.Elapsed);
    }

    /// <summary>The weight of each class before bootstrap: 1, the given ones, or balanced over all rows.</summary>
    private static double[] ClassWeights(ForestClassifier options, int[] classes, int[] counts, int n) =>
        ClassWeighting.Resolve(options.ClassWeights, options.ClassWeightMode != ClassWeightMode.None, classes, counts, n, nameof(options.ClassWeights));

    /// <summary>
    /// Each row's weight in tree t: its class weight, times how often the bootstrap drew it (n_b draws with replacement,
    /// scikit-learn's <c>_generate_sample_indices</c>); balanced_subsample's class weights come from those draws.
    /// </summary>
    private static void SampleWeights(
        ForestClassifier options, int[] y, int k, double[] classWeights, int bootstrapSize, SeededRandom random, double[] weights, int[] draws)
    {
        int n = y.Length;
        if (!options.Bootstrap)
        {
            Array.Fill(draws, 1);
            for (int r = 0; r < n; r++)
            {
                weights[r] = classWeights[y[r]];
            }

            return;
        }

        Array.Clear(draws);
        for (int i = 0; i < bootstrapSize; i++)
        {
            draws[random.Next(n)]++;
        }

        var perClass = classWeights;
        if (options.ClassWeightMode == ClassWeightMode.BalancedSubsample)
        {
            var drawnPerClass = new double[k];
            for (int r = 0; r < n; r++)
            {
                drawnPerClass[y[r]] += draws[r];
            }

            int present = drawnPerClass.Count(c => c > 0);
            perClass = new double[k];
            for (int c = 0; c < k; c++)
            {
                perClass[c] = drawnPerClass[c] > 0 ? bootstrapSize / (present * drawnPerClass[c]) : 0;
            }
        }

        for (int r = 0; r < n; r++)
        {
            weights[r] = draws[r] * perClass[y[r]];
        }
    }
}
