using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// A fitted kernel SVM: support vectors, their dual coefficients and the thresholds of the one-vs-one problems,
/// laid out as LIBSVM's <c>svm_model</c>. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Pair p = (i, j), i &lt; j, enumerates (0,1), (0,2), …, (0,k−1), (1,2), … over <see cref="Classes"/>. Its decision
/// value is Σ coef·K(sv, x) − ρ_p and is positive for class i (LIBSVM's sign; scikit-learn's <c>intercept_</c> is −ρ).
/// </remarks>
public sealed partial class SvmModel : IClassifierModel
{
    private const int PredictionBlockRows = 64;
    private readonly int[] _classes;
    private readonly int[] _supportIndices;
    private readonly int[] _supportCounts;
    private readonly int[] _supportStarts;
    private readonly double[] _coefficients;
    private readonly double[] _rho;
    private readonly PlattSigmoids? _sigmoids;
    private readonly KernelFunction _kernel;
    private readonly PackedRows? _packedSupport;
    private readonly HeldOutKernel? _heldOut;
    private readonly float[]? _background;

    /// <summary>The point the kernel's dot products translate rows by (see <see cref="PackedRows.Background"/>), or null.</summary>
    internal float[]? Background => _background;

    /// <summary>Assembles a model from its named parts, which the caller has checked to agree with each other.</summary>
    /// <param name="classes">The class labels, ascending.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="support">The support vectors.</param>
    /// <param name="solution">The pair problems' coefficients and thresholds.</param>
    /// <param name="sigmoids">Platt's sigmoids, or null.</param>
    /// <param name="trainingReport">How training went, or null.</param>
    /// <param name="background">The point the kernel's dot products translate rows by (see <see cref="PackedRows.Background"/>), or null.</param>
    /// <param name="heldOut">
    /// When not null, the kernel values of rows this model will be asked about against all the training rows (made
    /// once for several models fitted together): predictions of exactly that matrix gather them instead of computing.
    /// </param>
    /// <param name="budget">The threads that copy and pack the support vectors (one when null).</param>
    internal SvmModel(
        int[] classes, KernelFunction kernel, SupportVectorSet support, OneVsOneSolution solution, PlattSigmoids? sigmoids, SvmTrainingReport? trainingReport,
        float[]? background, HeldOutKernel? heldOut = null, ComputeBudget? budget = null)
    {
        _heldOut = heldOut;
        _classes = classes;
        _kernel = kernel;
        budget ??= ComputeBudget.Default.WithThreads(1);
        // A contiguous copy of the support vectors (an index view of the training rows), rows copied in parallel.
        SupportVectors = support.Vectors.IsContiguous
            ? support.Vectors
            : ParallelRows.MapRows(support.Vectors, budget, static () => static (row, copy) => row.CopyTo(copy));
        FeatureCount = SupportVectors.Columns;
        _supportIndices = support.TrainingRows;
        _supportCounts = support.CountsPerClass;
        _coefficients = solution.Coefficients;
        _rho = solution.Rho;
        _sigmoids = sigmoids;
        TrainingReport = trainingReport;
        _supportStarts = new int[classes.Length];
        for (int c = 1; c < classes.Length; c++)
        {
            _supportStarts[c] = _supportStarts[c - 1] + _supportCounts[c - 1];
        }

        _packedSupport = SupportVectors.Rows > 0 ? PackedRows.Pack(SupportVectors, background, budget) : null;
        _background = background;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The kernel function.</summary>
    public SvmKernelType Kernel => _kernel.Type;

    /// <summary>The γ used (resolved from <c>scale</c> or <c>auto</c> at fit time).</summary>
    public double Gamma => _kernel.Gamma;

    /// <summary>The polynomial degree.</summary>
    public int Degree => _kernel.Degree;

    /// <summary>The kernel's constant term.</summary>
    public double Coef0 => _kernel.Coef0;

    /// <summary>The support vectors, grouped by class in the order of <see cref="Classes"/>.</summary>
    public FeatureMatrix SupportVectors { get; }

    /// <summary>For each support vector, its row in the training matrix.</summary>
    public IReadOnlyList<int> SupportIndices => _supportIndices;

    /// <summary>The number of support vectors of each class.</summary>
    public IReadOnlyList<int> SupportCounts => _supportCounts;

    /// <summary>The total number of support vectors.</summary>
    public int SupportVectorCount => _supportIndices.Length;

    /// <summary>ρ of each pair problem (the decision value is Σ coef·K − ρ).</summary>
    public IReadOnlyList<double> Rho => _rho;

    /// <summary>
    /// True when the model was fitted with probability estimates (<see cref="SvmClassifier.Probability"/>): only then
    /// does <see cref="PredictProbabilities"/> work.
    /// </summary>
    public bool SupportsProbabilities => _sigmoids is not null;

    /// <inheritdoc />
    /// <remarks>Always true: see <see cref="DecisionFunction"/> and <see cref="DecisionFunctionOneVsOne"/>.</remarks>
    public bool SupportsDecisionFunction => true;

    /// <summary>Platt's A of each pair (null without probability estimates).</summary>
    public IReadOnlyList<double>? ProbabilityA => _sigmoids?.A;

    /// <summary>Platt's B of each pair (null without probability estimates).</summary>
    public IReadOnlyList<double>? ProbabilityB => _sigmoids?.B;

    /// <summary>What training took; null for a model loaded from a file that did not record it.</summary>
    public SvmTrainingReport? TrainingReport { get; }

    /// <summary>How long the fit took (<see cref="SvmTrainingReport.Elapsed"/>, as <c>FitTime</c> on the other models); null when unknown.</summary>
    public TimeSpan? FitTime => TrainingReport?.Elapsed;

    /// <summary>The number of one-vs-one problems, k(k−1)/2.</summary>
    public int PairCount => _rho.Length;

    /// <summary>
    /// A copy of the dual coefficients in LIBSVM's (k−1) × nSV layout (scikit-learn's <c>dual_coef_</c> for k &gt; 2).
    /// </summary>
    public double[,] DualCoefficients()
    {
        int n = SupportVectorCount;
        var result = new double[_classes.Length - 1, n];
        for (int r = 0; r < _classes.Length - 1; r++)
        {
            for (int s = 0; s < n; s++)
            {
                result[r, s] = _coefficients[r * n + s];
            }
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>One-vs-one voting as LIBSVM: each pair's winner gets a vote; ties go to the class first in <see cref="Classes"/>.</remarks>
    public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null)
    {
        var decisions = DecisionFunctionOneVsOne(features, budget);
        int k = _classes.Length;
        var predictions = new int[features.Rows];
        Span<int> votes = stackalloc int[k];
        for (int row = 0; row < features.Rows; row++)
        {
            votes.Clear();
            int p = 0;
            for (int i = 0; i < k; i++)
            {
                for (int j = i + 1; j < k; j++)
                {
                    votes[decisions[row, p++] > 0 ? i : j]++;
                }
            }

            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (votes[c] > votes[best])
                {
                    best = c;
                }
            }

            predictions[row] = _classes[best];
        }

        return predictions;
    }

    /// <inheritdoc />
    /// <remarks>
    /// scikit-learn's default <c>decision_function</c> (<c>decision_function_shape="ovr"</c>): with two classes the
    /// pair's value with the sign turned, so positive favours <c>Classes[1]</c>; with more, per class its votes plus a
    /// confidence term in (−1/3, 1/3) from the summed pair values.
    /// </remarks>
    public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null)
    {
        var ovo = DecisionFunctionOneVsOne(features, budget);
        int k = _classes.Length;
        if (k == 2)
        {
            var binary = new double[features.Rows, 1];
            for (int row = 0; row < features.Rows; row++)
            {
                binary[row, 0] = -ovo[row, 0];
            }

            return binary;
        }

        var ovr = new double[features.Rows, k];
        var confidence = new double[k];
        for (int row = 0; row < features.Rows; row++)
        {
            Array.Clear(confidence);
            int p = 0;
            for (int i = 0; i < k; i++)
            {
                for (int j = i + 1; j < k; j++)
                {
                    double d = ovo[row, p++];
                    confidence[i] += d;
                    confidence[j] -= d;
                    ovr[row, d > 0 ? i : j] += 1;
                }
            }

            for (int c = 0; c < k; c++)
            {
                ovr[row, c] += confidence[c] / (3 * (Math.Abs(confidence[c]) + 1));
            }
        }

        return ovr;
    }

    /// <summary>
    /// The decision value of every pair problem, one column per pair (0,1), (0,2), …, (1,2), … in LIBSVM's sign
    /// (positive for the pair's first class); scikit-learn's <c>decision_function_shape="ovo"</c> with the sign turned.
    /// </summary>
    /// <param name="features">Rows of <see cref="FeatureCount"/> features.</param>
    /// <param name="budget">The threads prediction may use; null for <see cref="ComputeBudget.Default"/>.</param>
    public double[,] DecisionFunctionOneVsOne(FeatureMatrix features, ComputeBudget? budget = null)
    {
        InputChecks.FeatureCount(features, FeatureCount, "SVM");
        int rows = features.Rows, pairCount = PairCount, nSupport = SupportVectorCount;
        var result = new double[rows, pairCount];
        int blocks = (rows + PredictionBlockRows - 1) / PredictionBlockRows;
        // Each support vector's column among the held-out kernel values, looked up once rather than once per row.
        int[]? heldOutColumns = _heldOut is { } held && ReferenceEquals(features, held.Rows)
            ? Array.ConvertAll(_supportIndices, s => held.ColumnOf[s])
            : null;
        // Blocks of rows are independent, so the result does not depend on how many threads run them.
        Parallel.For(0, blocks, ComputeBudget.OrDefault(budget).ParallelOptions, () => new float[PredictionBlockRows * Math.Max(nSupport, 1)], (block, _, kernelValues) =>
        {
            int first = block * PredictionBlockRows, count = Math.Min(PredictionBlockRows, rows - first);
            if (_heldOut is { } heldOut && ReferenceEquals(features, heldOut.Rows))
            {
                GatherHeldOut(heldOut, heldOutColumns!, first, count, kernelValues);
            }
            else
            {
                KernelBlock(features, first, count, kernelValues);
            }

            for (int r = 0; r < count; r++)
            {
                var values = new ReadOnlySpan<float>(kernelValues, r * nSupport, nSupport);
                PairDecisions(values, result, first + r);
            }

            return kernelValues;
        }, _ => { });
        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Platt's sigmoid of each pair's decision value, coupled into class probabilities by Wu, Lin &amp; Weng (2004),
    /// as LIBSVM's <c>svm_predict_probability</c>.
    /// </remarks>
    /// <exception cref="NotSupportedException">The model was trained without <see cref="SvmClassifier.Probability"/>.</exception>
    public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null)
    {
        var sigmoids = _sigmoids ?? throw InputChecks.NotSupported(this, "class probabilities", "train it with Probability = true");
        const double minProbability = 1e-7;
        var ovo = DecisionFunctionOneVsOne(features, budget);
        int k = _classes.Length;
        var result = new double[features.Rows, k];
        var pairwise = new double[k, k];
        var p = new double[k];
        var scratch = new double[k * k + k];
        for (int row = 0; row < features.Rows; row++)
        {
            int pair = 0;
            for (int i = 0; i < k; i++)
            {
                for (int j = i + 1; j < k; j++)
                {
                    double sigmoid = PlattScaling.Sigmoid(ovo[row, pair], sigmoids.A[pair], sigmoids.B[pair]);
                    pairwise[i, j] = Math.Min(Math.Max(sigmoid, minProbability), 1 - minProbability);
                    pairwise[j, i] = 1 - pairwise[i, j];
                    pair++;
                }
            }

            if (k == 2)
            {
                p[0] = pairwise[0, 1];
                p[1] = pairwise[1, 0];
            }
            else
            {
                PlattScaling.Couple(k, pairwise, p, scratch);
            }

            for (int c = 0; c < k; c++)
            {
                result[row, c] = p[c];
            }
        }

        return result;
    }

    /// <summary>K(x_r, sv_s) for the rows [first, first + count) into <paramref name="destination"/> (row-major, nSV columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KernelBlock(FeatureMatrix features, int first, int count, float[] destination)
    {
        int nSupport = SupportVectorCount, columns = FeatureCount;
        if (_packedSupport is null)
        {
            return;
        }

        // Test rows × support vectors as one blocked product (the rows gathered into a contiguous block first).
        float[] rows = System.Buffers.ArrayPool<float>.Shared.Rent(count * columns);
        for (int r = 0; r < count; r++)
        {
            features.Row(first + r).CopyTo(rows.AsSpan(r * columns, columns));
        }

        DotProducts.Compute(rows.AsSpan(0, count * columns), count, columns, _packedSupport, 0, nSupport, destination, nSupport);
        for (int r = 0; r < count; r++)
        {
            var x = rows.AsSpan(r * columns, columns);
            _kernel.Apply(destination.AsSpan(r * nSupport, nSupport), _packedSupport.SquaredNormOf(x), _packedSupport.SquaredNorms);
        }

        System.Buffers.ArrayPool<float>.Shared.Return(rows);
    }

    /// <summary>
    /// What <see cref="KernelBlock"/> computes, gathered from the held-out rows' kernel values: they are the same
    /// element-wise operations on the same dot products and norms, so the values are the same.
    /// </summary>
    private void GatherHeldOut(HeldOutKernel heldOut, int[] columns, int first, int count, float[] destination)
    {
        int nSupport = SupportVectorCount;
        for (int r = 0; r < count; r++)
        {
            var source = heldOut.Values.AsSpan((first + r) * heldOut.Columns, heldOut.Columns);
            var target = destination.AsSpan(r * nSupport, nSupport);
            for (int s = 0; s < nSupport; s++)
            {
                target[s] = source[columns[s]];
            }
        }
    }

    /// <summary>
    /// The one-vs-one decision values of one row: pair (i, j) is Σ over class i's support vectors of their coefficient
    /// for j times their kernel value, plus the same over class j's, minus ρ. Each class's support vectors take part in
    /// all k − 1 pairs of their class, with one coefficient row each, so the k − 1 sums over a class's kernel values are
    /// made in one pass (<see cref="MixedPrecision.DotRows"/>, bit for bit the separate dot products).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PairDecisions(ReadOnlySpan<float> kernelValues, double[,] result, int row)
    {
        int k = _classes.Length, n = SupportVectorCount, p = 0;
        int width = k - 1;
        Span<double> perClass = k * width <= 1024 ? stackalloc double[k * width] : new double[k * width];
        for (int c = 0; c < k; c++)
        {
            // Row r of the coefficients holds class c's coefficients for the pair with class r (r < c) or r + 1 (r ≥ c).
            MixedPrecision.DotRows(_coefficients, n, _supportStarts[c], kernelValues.Slice(_supportStarts[c], _supportCounts[c]), perClass.Slice(c * width, width));
        }

        for (int i = 0; i < k; i++)
        {
            for (int j = i + 1; j < k; j++)
            {
                result[row, p] = perClass[(i * width) + j - 1] + perClass[(j * width) + i] - _rho[p];
                p++;
            }
        }
    }
}

/// <summary>The support vectors of an SVM: the rows, their rows in the training matrix, and how many belong to each class.</summary>
/// <param name="Vectors">The support vectors, grouped by class in the order of the model's classes.</param>
/// <param name="TrainingRows">For each support vector, its row in the training matrix.</param>
/// <param name="CountsPerClass">The number of support vectors of each class.</param>
internal sealed record SupportVectorSet(FeatureMatrix Vectors, int[] TrainingRows, int[] CountsPerClass);

/// <summary>The solution of the one-vs-one problems in LIBSVM's layout.</summary>
/// <param name="Coefficients">The dual coefficients y·α, (k − 1) × nSV row-major (LIBSVM's <c>sv_coef</c>).</param>
/// <param name="Rho">ρ of each pair problem.</param>
internal sealed record OneVsOneSolution(double[] Coefficients, double[] Rho);

/// <summary>Platt's sigmoid 1 / (1 + exp(A·f + B)) of each pair problem (Platt 1999; Lin, Lin &amp; Weng 2007).</summary>
/// <param name="A">A of each pair.</param>
/// <param name="B">B of each pair.</param>
internal sealed record PlattSigmoids(double[] A, double[] B);
