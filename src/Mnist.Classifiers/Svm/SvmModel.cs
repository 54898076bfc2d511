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
public sealed partial class SvmModel : IProbabilisticModel, IDecisionFunctionModel
{
    private const int PredictionBlockRows = 64;
    private readonly int[] _classes;
    private readonly int[] _supportIndices;
    private readonly int[] _supportCounts;
    private readonly int[] _supportStarts;
    private readonly double[] _coefficients;
    private readonly double[] _rho;
    private readonly double[]? _probabilityA;
    private readonly double[]? _probabilityB;
    private readonly KernelFunction _kernel;
    private readonly PackedRows? _packedSupport;

    internal SvmModel(
        int[] classes, int featureCount, SvmKernelType kernel, double gamma, int degree, double coef0,
        FeatureMatrix supportVectors, int[] supportIndices, int[] supportCounts, double[] coefficients, double[] rho,
        double[]? probabilityA, double[]? probabilityB, SvmTrainingReport? trainingReport)
    {
        _classes = classes;
        FeatureCount = featureCount;
        Kernel = kernel;
        Gamma = gamma;
        Degree = degree;
        Coef0 = coef0;
        SupportVectors = supportVectors.ToContiguous();
        _supportIndices = supportIndices;
        _supportCounts = supportCounts;
        _coefficients = coefficients;
        _rho = rho;
        _probabilityA = probabilityA;
        _probabilityB = probabilityB;
        TrainingReport = trainingReport;
        _kernel = new KernelFunction(kernel, gamma, degree, coef0);
        _supportStarts = new int[classes.Length];
        for (int c = 1; c < classes.Length; c++)
        {
            _supportStarts[c] = _supportStarts[c - 1] + supportCounts[c - 1];
        }

        _packedSupport = SupportVectors.Rows > 0 ? PackedRows.Pack(SupportVectors) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Classes => _classes;

    /// <inheritdoc />
    public int FeatureCount { get; }

    /// <summary>The kernel function.</summary>
    public SvmKernelType Kernel { get; }

    /// <summary>The γ used (resolved from <c>scale</c> or <c>auto</c> at fit time).</summary>
    public double Gamma { get; }

    /// <summary>The polynomial degree.</summary>
    public int Degree { get; }

    /// <summary>The kernel's constant term.</summary>
    public double Coef0 { get; }

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

    /// <summary>True when the model was fitted with probability estimates.</summary>
    public bool HasProbability => _probabilityA is not null;

    /// <summary>Platt's A of each pair (null without probability estimates).</summary>
    public IReadOnlyList<double>? ProbabilityA => _probabilityA;

    /// <summary>Platt's B of each pair (null without probability estimates).</summary>
    public IReadOnlyList<double>? ProbabilityB => _probabilityB;

    /// <summary>What training took; null for a model loaded from a file that did not record it.</summary>
    public SvmTrainingReport? TrainingReport { get; }

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
    public int[] Predict(FeatureMatrix features)
    {
        var decisions = DecisionFunctionOneVsOne(features);
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

    /// <summary>
    /// scikit-learn's default <c>decision_function</c>: with two classes one column, positive for
    /// <c>Classes[1]</c>; with more, the one-vs-rest shape (votes plus a confidence term in (−1/3, 1/3)), one column per class.
    /// </summary>
    public double[,] DecisionFunction(FeatureMatrix features)
    {
        var ovo = DecisionFunctionOneVsOne(features);
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

    /// <summary>The decision value of every pair problem, one column per pair in LIBSVM's order and sign.</summary>
    public double[,] DecisionFunctionOneVsOne(FeatureMatrix features)
    {
        CheckFeatures(features);
        int rows = features.Rows, pairCount = PairCount, nSupport = SupportVectorCount;
        var result = new double[rows, pairCount];
        int blocks = (rows + PredictionBlockRows - 1) / PredictionBlockRows;
        Parallel.For(0, blocks, () => new float[PredictionBlockRows * Math.Max(nSupport, 1)], (block, _, kernelValues) =>
        {
            int first = block * PredictionBlockRows, count = Math.Min(PredictionBlockRows, rows - first);
            KernelBlock(features, first, count, kernelValues);
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
    /// <exception cref="InvalidOperationException">The model was trained without <see cref="SvmClassifier.Probability"/>.</exception>
    public double[,] PredictProbabilities(FeatureMatrix features)
    {
        if (_probabilityA is null || _probabilityB is null)
        {
            throw new InvalidOperationException("This SVM was trained without probability estimates; set Probability = true to have them.");
        }

        const double minProbability = 1e-7;
        var ovo = DecisionFunctionOneVsOne(features);
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
                    double sigmoid = PlattScaling.Sigmoid(ovo[row, pair], _probabilityA[pair], _probabilityB[pair]);
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

    private void CheckFeatures(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Columns != FeatureCount)
        {
            throw new ArgumentException($"The model was trained on {FeatureCount} features, but the input has {features.Columns}.", nameof(features));
        }
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
            _kernel.Apply(destination.AsSpan(r * nSupport, nSupport), TensorPrimitives.Dot(x, x), _packedSupport.SquaredNorms);
        }

        System.Buffers.ArrayPool<float>.Shared.Return(rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PairDecisions(ReadOnlySpan<float> kernelValues, double[,] result, int row)
    {
        int k = _classes.Length, n = SupportVectorCount, p = 0;
        var coefficients = _coefficients.AsSpan();
        for (int i = 0; i < k; i++)
        {
            for (int j = i + 1; j < k; j++)
            {
                int si = _supportStarts[i], ni = _supportCounts[i], sj = _supportStarts[j], nj = _supportCounts[j];
                double sum = MixedPrecision.Dot(coefficients.Slice((j - 1) * n + si, ni), kernelValues.Slice(si, ni))
                    + MixedPrecision.Dot(coefficients.Slice(i * n + sj, nj), kernelValues.Slice(sj, nj));
                result[row, p] = sum - _rho[p];
                p++;
            }
        }
    }
}
