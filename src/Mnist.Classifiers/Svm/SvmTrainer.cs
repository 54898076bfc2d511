using System.Collections.Concurrent;
using System.Diagnostics;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Svm;

/// <summary>Trains the one-vs-one two-class problems of an <see cref="SvmClassifier"/> and assembles the model as LIBSVM's <c>svm_train</c>.</summary>
internal static class SvmTrainer
{
    private const int ProbabilityFolds = 5;

    public static SvmModel Train(SvmClassifier options, FeatureMatrix features, int[] labels, ComputeBudget budget)
    {
        var watch = Stopwatch.StartNew();
        var layout = Layout.Create(options, features, labels);
        int k = layout.Classes.Length;
        var pairs = layout.Pairs;
        int concurrent = budget.ConcurrentParts(pairs.Count);

        // Each class's samples are packed once and shared by the k − 1 problems that class takes part in.
        var segments = layout.PackSegments(features, budget);

        // When every class's kernel matrix among its own samples fits in half the cache budget (and in one array), keep
        // them, made a row at a time as the problems ask: half of every pair problem's kernel row then comes from them,
        // made once for the class's k − 1 problems (the other half is computed and cached by the problem).
        long kernelBytes = KernelBytes(options, budget);
        long classKernelBytes = layout.Members.Sum(m => KernelSegment.KernelMatrixBytes(m.Count));
        if (k > 2 && classKernelBytes <= kernelBytes / 2 && layout.Members.All(m => (long)m.Count * m.Count <= Array.MaxLength))
        {
            segments = KernelSegment.WithClassKernels(segments, layout.Kernel);

            kernelBytes -= classKernelBytes;
        }

        long cacheBytes = kernelBytes / concurrent;
        var pairBudget = budget.Split(pairs.Count);
        var probabilityA = options.Probability ? new double[pairs.Count] : null;
        var probabilityB = options.Probability ? new double[pairs.Count] : null;
        var solutions = SolvePairs(options, features, layout, segments, cacheBytes, budget, p =>
        {
            if (options.Probability)
            {
                var (ci, cj) = pairs[p];
                int[] rows = [.. layout.Members[ci], .. layout.Members[cj]];
                var positive = new bool[rows.Length];
                positive.AsSpan(0, layout.Members[ci].Count).Fill(true);
                (probabilityA![p], probabilityB![p]) = CrossValidatedSigmoid(
                    features, rows, positive, layout.Kernel, layout.Background, options.C * layout.Weights[ci], options.C * layout.Weights[cj],
                    options, cacheBytes, pairBudget, options.Seed, p);
            }
        });

        return Assemble(features, layout, solutions, probabilityA, probabilityB, watch.Elapsed, budget);
    }

    /// <summary>
    /// Fits <paramref name="variants"/>, which differ from <paramref name="variants"/>[0] only in C and γ (and have no
    /// probabilities), on the same rows. Kernel values depend on γ, never on C, and every γ's kernel is made from the
    /// same dot products; so when an n × n matrix fits in three quarters of the kernel memory (the pair problems'
    /// row caches, which then only spare a copy, get the rest), the dot products of all the rows are computed once,
    /// as one blocked product that runs near the processor's peak (kept for the next γ when a second matrix fits
    /// too), each γ's kernel matrix is made from them, and every pair problem of every variant of that γ copies its
    /// rows from it. The dot products of <paramref name="heldOut"/> with all the rows are computed once too when they
    /// fit beside, and each model predicts those rows from them. Otherwise each variant is fitted alone.
    /// Every model equals the plain fit's bit for bit: the kernel values are the same (every dot product is the same
    /// chain of operations, see <see cref="LinearAlgebra.DotProducts"/>, turned into kernel values by the same
    /// element-wise operations), only where they are kept differs. <paramref name="fitted"/> is told of the variants
    /// γ by γ, each γ's in ascending C.
    /// </summary>
    public static SvmModel[] TrainVariants(
        IReadOnlyList<SvmClassifier> variants, FeatureMatrix features, int[] labels, FeatureMatrix? heldOut, ComputeBudget budget, Action<int, SvmModel>? fitted,
        SharedRowProducts? shared = null)
    {
        var models = new SvmModel[variants.Count];
        var first = variants[0];
        long matrixMemory = KernelBytes(first, budget) / 4 * 3;
        long matrixBytes = KernelSegment.KernelMatrixBytes(labels.Length);
        if (variants.Count == 1 || matrixBytes > matrixMemory)
        {
            for (int v = 0; v < variants.Count; v++)
            {
                models[v] = Train(variants[v], features, labels, budget);
                fitted?.Invoke(v, models[v]);
            }

            return models;
        }

        var watch = Stopwatch.StartNew();
        var gammas = variants.Select(v => v.Gamma).Distinct().ToDictionary(g => g, g => g.Resolve(features));
        // Products gathered from the shared ones must be of rows translated as those were.
        var layout = Layout.Create(first, features, labels, gammas[first.Gamma], shared is not null && shared.Covers(features) ? shared : null);
        var segments = layout.PackSegments(features, budget);
        var byGamma = Enumerable.Range(0, variants.Count).GroupBy(v => gammas[variants[v].Gamma]).ToArray();
        bool keepGram = byGamma.Length > 1 && 2 * matrixBytes <= matrixMemory;
        long used = (keepGram ? 2 : 1) * matrixBytes;
        // The held-out rows' dot products are kept for every γ, and each γ's kernel values made beside them.
        long heldOutBytes = heldOut is null ? 0 : 2 * HeldOutProducts.Bytes(heldOut.Rows, labels.Length);
        bool shareHeldOut = heldOut is not null && used + heldOutBytes <= matrixMemory;
        used += shareHeldOut ? heldOutBytes : 0;
        long cacheBytes = (KernelBytes(first, budget) - used) / budget.ConcurrentParts(layout.Pairs.Count);
        var gram = keepGram ? GramMatrix.Compute(features, layout.Members, layout.Background, budget, shared) : null;
        HeldOutProducts? products = null;
        for (int g = 0; g < byGamma.Length; g++)
        {
            bool last = g == byGamma.Length - 1;
            var kernel = new KernelFunction(first.Kernel, byGamma[g].Key, first.Degree, first.Coef0);
            var gammaGram = gram ?? GramMatrix.Compute(features, layout.Members, layout.Background, budget, shared);
            products ??= shareHeldOut ? gammaGram.ProductsWith(heldOut!, budget) : null;
            var heldOutKernel = products?.ToKernel(kernel, inPlace: last, budget);
            var matrix = gammaGram.ToKernel(kernel, inPlace: !keepGram || last, budget);
            var gammaLayout = layout with { Kernel = kernel };
            var gammaSegments = segments.Select((segment, c) => segment with { Matrix = matrix, Offset = matrix.Offsets[c] }).ToArray();
            // The first variant of each γ is charged with the matrices made for it.
            foreach (int v in byGamma[g].OrderBy(v => variants[v].C))
            {
                var solutions = SolvePairs(variants[v], features, gammaLayout, gammaSegments, cacheBytes, budget, _ => { });
                models[v] = Assemble(features, gammaLayout, solutions, null, null, watch.Elapsed, budget, heldOutKernel);
                fitted?.Invoke(v, models[v]);
                watch.Restart();
            }

            // The models keep no n × n matrix, so the next fit of about as many rows (a search's next fold) may take this
            // one's memory back. It is the dot products' own storage unless they are kept for the next γ (the last γ's
            // kernel is always made in place).
            ReusableMatrices.Return(matrix.Values);
        }

        return models;
    }

    /// <summary>
    /// The point the rows are translated by before their dot products are taken: each column's most common value
    /// (<see cref="ColumnBackground"/>) for the RBF kernel, which depends only on ‖x − y‖²; null for the other kernels,
    /// whose values a translation would change.
    /// </summary>
    internal static float[]? BackgroundFor(SvmKernelType kernel, FeatureMatrix rows) =>
        kernel == SvmKernelType.Rbf ? ColumnBackground.Estimate(rows) : null;

    /// <summary>The most memory for kernel values: the smaller of the option and the budget.</summary>
    private static long KernelBytes(SvmClassifier options, ComputeBudget budget) =>
        Math.Min((long)(options.CacheSizeMegabytes * 1024 * 1024), budget.MemoryBytes);

    /// <summary>Solves every pair problem with the C of <paramref name="options"/>, <paramref name="before"/> running first in each.</summary>
    private static BinarySolution[] SolvePairs(
        SvmClassifier options, FeatureMatrix features, Layout layout, KernelSegment[] segments, long cacheBytes, ComputeBudget budget, Action<int> before)
    {
        var pairs = layout.Pairs;
        var solutions = new BinarySolution[pairs.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.ConcurrentParts(pairs.Count), CancellationToken = budget.Cancellation };
        int solved = 0;
        // The problems solved one after another on a thread reuse each other's kernel-row buffers.
        var rowPool = new KernelRowPool(pairs.Max(pair => segments[pair.First].Rows.Length + segments[pair.Second].Rows.Length));
        // Each problem is solved by one thread; the problems are independent, so the model is the same for any count.
        // They are handed out one at a time in the order (the largest first), so the threads finish together: the
        // default partitioning of an array gives each thread a contiguous range, and on 60,000 MNIST rows one thread
        // then sat idle for the last 0.57 s of a 5.8 s solve (AVX2 path, Intel Xeon).
        var order = Partitioner.Create(layout.Order, EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(order, parallel, p =>
        {
            before(p);
            var (ci, cj) = pairs[p];
            var problem = new BinaryKernelProblem(features, segments[ci], segments[cj], layout.Kernel, cacheBytes, rowPool);
            solutions[p] = SmoSolver.Solve(
                problem, options.C * layout.Weights[ci], options.C * layout.Weights[cj], options.Tolerance, options.Shrinking, options.MaxIterations,
                budget.Cancellation);
            problem.ReturnRows();
            budget.Report("pair problems", Interlocked.Increment(ref solved), pairs.Count);
        });

        return solutions;
    }

    /// <summary>
    /// What every fit of the same rows and kernel shares: the classes, each class's samples, the class weights, the
    /// kernel with its resolved γ, the one-vs-one pairs and the order they are solved in.
    /// </summary>
    private sealed record Layout(
        int[] Classes, List<int>[] Members, double[] Weights, KernelFunction Kernel, List<(int First, int Second)> Pairs, int[] Order, float[]? Background)
    {
        public static Layout Create(
            SvmClassifier options, FeatureMatrix features, int[] labels, double? resolvedGamma = null, SharedRowProducts? shared = null)
        {
            int[] classes = labels.Distinct().Order().ToArray();
            if (classes.Length < 2)
            {
                throw new ArgumentException($"The labels hold only one class ({classes[0]}); at least two are needed.", nameof(labels));
            }

            int k = classes.Length;
            var classOf = new Dictionary<int, int>(k);
            for (int c = 0; c < k; c++)
            {
                classOf[classes[c]] = c;
            }

            // Samples grouped by class, each group in training order (LIBSVM's svm_group_classes with sorted labels,
            // which is what scikit-learn does).
            var members = new List<int>[k];
            for (int c = 0; c < k; c++)
            {
                members[c] = new List<int>();
            }

            for (int i = 0; i < labels.Length; i++)
            {
                members[classOf[labels[i]]].Add(i);
            }

            double gamma = resolvedGamma ?? options.Gamma.Resolve(features);
            var kernel = new KernelFunction(options.Kernel, gamma, options.Degree, options.Coef0);
            var pairs = new List<(int First, int Second)>();
            for (int i = 0; i < k; i++)
            {
                for (int j = i + 1; j < k; j++)
                {
                    pairs.Add((i, j));
                }
            }

            // Largest problems first so that the last ones to finish are short (better balance on few cores).
            int[] order = Enumerable.Range(0, pairs.Count)
                .OrderByDescending(p => members[pairs[p].First].Count + members[pairs[p].Second].Count)
                .ThenBy(p => p)
                .ToArray();
            var background = shared is not null ? shared.Background : BackgroundFor(options.Kernel, features);
            return new Layout(classes, members, ClassWeights(options, classes, members), kernel, pairs, order, background);
        }

        /// <summary>Each class's samples packed once, to be shared by the k − 1 problems that class takes part in.</summary>
        public KernelSegment[] PackSegments(FeatureMatrix features, ComputeBudget budget)
        {
            var segments = new KernelSegment[Classes.Length];
            Parallel.For(0, Classes.Length, budget.ParallelOptions, c => segments[c] = KernelSegment.Create(features, [.. Members[c]], Background));
            return segments;
        }

        private static double[] ClassWeights(SvmClassifier options, int[] classes, List<int>[] members)
        {
            var weights = new double[classes.Length];
            int total = members.Sum(m => m.Count);
            for (int c = 0; c < classes.Length; c++)
            {
                weights[c] = options.ClassWeightMode == ClassWeightMode.Balanced
                    ? total / (double)(classes.Length * members[c].Count)
                    : options.ClassWeights is not null && options.ClassWeights.TryGetValue(classes[c], out double w) ? w : 1.0;
            }

            return weights;
        }
    }

    /// <summary>
    /// LIBSVM's <c>svm_binary_svc_probability</c>: decision values of every sample from a 5-fold cross-validation
    /// (shuffled by stream <paramref name="pair"/> of <paramref name="seed"/>, see <see cref="SeededRandom"/>), then Platt's sigmoid fitted to them.
    /// </summary>
    private static (double A, double B) CrossValidatedSigmoid(
        FeatureMatrix features, int[] rows, bool[] positive, KernelFunction kernel, float[]? background, double cPositive, double cNegative,
        SvmClassifier options, long cacheBytes, ComputeBudget pairBudget, int seed, int pair)
    {
        int l = rows.Length;
        var permutation = Enumerable.Range(0, l).ToArray();
        SeededRandom.ForStream(seed, pair).FisherYatesShuffle<int>(permutation);
        var decisions = new double[l];
        // The folds' problems (each at most l samples) reuse each other's kernel-row buffers.
        var rowPool = new KernelRowPool(l);
        var labels = new sbyte[l];
        for (int i = 0; i < l; i++)
        {
            labels[i] = positive[i] ? (sbyte)1 : (sbyte)-1;
        }

        for (int fold = 0; fold < ProbabilityFolds; fold++)
        {
            int begin = fold * l / ProbabilityFolds, end = (fold + 1) * l / ProbabilityFolds;
            var trainPositions = new List<int>(l - (end - begin));
            trainPositions.AddRange(permutation[..begin]);
            trainPositions.AddRange(permutation[end..]);
            int positives = trainPositions.Count(t => positive[t]);
            int negatives = trainPositions.Count - positives;
            if (positives == 0 || negatives == 0)
            {
                double constant = positives == 0 && negatives == 0 ? 0 : positives > 0 ? 1 : -1;
                for (int t = begin; t < end; t++)
                {
                    decisions[permutation[t]] = constant;
                }

                continue;
            }

            int[] subRows = trainPositions.Select(t => rows[t]).ToArray();
            bool[] subPositive = trainPositions.Select(t => positive[t]).ToArray();
            var problem = BinaryKernelProblem.FromRows(features, subRows, subPositive, kernel, background, cacheBytes, rowPool);
            var solution = SmoSolver.Solve(problem, cPositive, cNegative, options.Tolerance, options.Shrinking, options.MaxIterations, pairBudget.Cancellation);
            problem.ReturnRows();
            // The fold's model as a two-class SvmModel whose first class is the +1 side (the problem orders its +1
            // samples first), so that its one-vs-one decision value has LIBSVM's sign.
            var supportRows = new List<int>();
            var coefficients = new List<double>();
            int supportPositives = 0;
            for (int s = 0; s < problem.Length; s++)
            {
                if (solution.Alpha[s] > 0)
                {
                    supportRows.Add(problem.TrainingRow(s));
                    coefficients.Add(problem.Labels[s] * solution.Alpha[s]);
                    supportPositives += problem.Labels[s] > 0 ? 1 : 0;
                }
            }

            int[] supportArray = [.. supportRows];
            var foldModel = new SvmModel(
                [0, 1], kernel, new SupportVectorSet(features.Subset(supportArray), supportArray, [supportPositives, supportArray.Length - supportPositives]),
                new OneVsOneSolution([.. coefficients], [solution.Rho]), null, null, background);
            int[] heldOut = permutation[begin..end].Select(t => rows[t]).ToArray();
            var heldOutDecisions = foldModel.DecisionFunctionOneVsOne(features.Subset(heldOut), pairBudget);
            for (int t = begin; t < end; t++)
            {
                decisions[permutation[t]] = heldOutDecisions[t - begin, 0];
            }
        }

        return PlattScaling.FitSigmoid(decisions, labels);
    }

    private static SvmModel Assemble(
        FeatureMatrix features, Layout layout, BinarySolution[] solutions, double[]? probabilityA, double[]? probabilityB, TimeSpan elapsed,
        ComputeBudget budget, HeldOutKernel? heldOut = null)
    {
        var (classes, members, pairs, kernel) = (layout.Classes, layout.Members, layout.Pairs, layout.Kernel);
        int k = classes.Length;

        // A sample is a support vector of the model when its α is non-zero in any pair it takes part in. Every training
        // row is a sample, so arrays indexed by row serve (cheaper than a set and a map).
        var isSupport = new bool[features.Rows];
        for (int p = 0; p < pairs.Count; p++)
        {
            var (ci, cj) = pairs[p];
            double[] alpha = solutions[p].Alpha;
            int t = 0;
            foreach (int row in members[ci])
            {
                isSupport[row] |= alpha[t++] > 0;
            }

            foreach (int row in members[cj])
            {
                isSupport[row] |= alpha[t++] > 0;
            }
        }

        var position = new int[features.Rows];
        var supportIndices = new List<int>();
        var supportCounts = new int[k];
        for (int c = 0; c < k; c++)
        {
            foreach (int row in members[c])
            {
                if (isSupport[row])
                {
                    position[row] = supportIndices.Count;
                    supportIndices.Add(row);
                    supportCounts[c]++;
                }
            }
        }

        int total = supportIndices.Count;

        // LIBSVM's sv_coef layout: row r of the (k−1) × nSV matrix holds, for each support vector of class c, its
        // coefficient y·α in the problem of c against the r-th other class (r = other if other < c, else other − 1).
        var coefficients = new double[(k - 1) * total];
        var rho = new double[pairs.Count];
        for (int p = 0; p < pairs.Count; p++)
        {
            var (ci, cj) = pairs[p];
            rho[p] = solutions[p].Rho;
            int t = 0;
            foreach (int row in members[ci])
            {
                double a = solutions[p].Alpha[t++];
                if (a > 0)
                {
                    coefficients[(cj - 1) * total + position[row]] = a;
                }
            }

            foreach (int row in members[cj])
            {
                double a = solutions[p].Alpha[t++];
                if (a > 0)
                {
                    coefficients[ci * total + position[row]] = -a;
                }
            }
        }

        // A view: the model copies its rows, in parallel (SvmModel).
        int[] supportRows = [.. supportIndices];
        var supportVectors = features.Subset(supportRows);
        var report = new SvmTrainingReport(
            solutions.Select(s => s.Iterations).ToArray(),
            solutions.Select(s => s.Objective).ToArray(),
            solutions.Sum(s => s.KernelRowsComputed),
            solutions.Any(s => s.ReachedIterationLimit),
            elapsed,
            solutions.Sum(s => s.RowsPrefetched),
            solutions.Sum(s => s.PrefetchedRowsUsed));
        var sigmoids = probabilityA is null ? null : new PlattSigmoids(probabilityA, probabilityB!);
        return new SvmModel(
            classes, kernel, new SupportVectorSet(supportVectors, supportRows, supportCounts),
            new OneVsOneSolution(coefficients, rho), sigmoids, report, layout.Background, heldOut, budget);
    }
}
