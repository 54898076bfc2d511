using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Reference;

/// <summary>
/// One one-vs-one problem of a fitted SVC, in LIBSVM's terms (see the conventions at the top of SklearnSvc.cs):
/// rows of class <see cref="ClassA"/> have y = +1, rows of class <see cref="ClassB"/> have y = -1, and
/// d(x) = Σ Coefficients[i]·K(train[Rows[i]], x) − <see cref="Rho"/> &gt; 0 votes for <see cref="ClassA"/>.
/// </summary>
/// <param name="ClassA">Index into <see cref="SvcReferenceResult.Classes"/> of the first class (y = +1); ClassA &lt; ClassB.</param>
/// <param name="ClassB">Index into <see cref="SvcReferenceResult.Classes"/> of the second class (y = -1).</param>
/// <param name="LabelA">The label of <paramref name="ClassA"/>.</param>
/// <param name="LabelB">The label of <paramref name="ClassB"/>.</param>
/// <param name="Rows">Training-row indices (into the rows given to Fit) with α &gt; 0 in this pair, ascending.</param>
/// <param name="Coefficients">α_i·y_i for each of <paramref name="Rows"/> (positive for class A rows, negative for class B rows).</param>
/// <param name="Rho">LIBSVM's rho: decision = Σ α_i y_i K(x_i, x) − rho.</param>
/// <param name="Objective">The pair's dual objective ½αᵀQα − eᵀα (Q_ij = y_i y_j K_ij), computed in float64 from the coefficients.</param>
/// <param name="LibsvmReportedObjective">LIBSVM's own printed objective (six decimals), or null when probability was on.</param>
/// <param name="Iterations">LIBSVM's SMO iteration count for the pair.</param>
public sealed record SvcPairSolution(
    int ClassA,
    int ClassB,
    int LabelA,
    int LabelB,
    int[] Rows,
    double[] Coefficients,
    double Rho,
    double Objective,
    double? LibsvmReportedObjective,
    int Iterations)
{
    /// <summary>Number of support vectors of this pair (rows with α &gt; 0).</summary>
    public int SupportVectorCount => Rows.Length;

    /// <summary>Number of this pair's support vectors at the upper bound |α_i·y_i| ≥ <paramref name="upperBound"/>·(1 − 1e-12).</summary>
    public int BoundedSupportVectorCount(double upperBound) =>
        Coefficients.Count(c => Math.Abs(c) >= upperBound * (1 - 1e-12));

    /// <summary>
    /// The LIBSVM dual objective ½αᵀQα − eᵀα of a pair solution given as training rows and α_i·y_i, computed as
    /// ½ cᵀKc − Σ|c_i| in double precision: the same formula the python script uses for <see cref="Objective"/>, so a
    /// solver's own solution can be scored identically.
    /// </summary>
    public static double DualObjective(FeatureMatrix train, IReadOnlyList<int> rows, IReadOnlyList<double> coefficients, SvcReferenceKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(kernel);
        if (rows.Count != coefficients.Count)
        {
            throw new ArgumentException($"{rows.Count} rows but {coefficients.Count} coefficients.", nameof(coefficients));
        }

        double quadratic = 0, linear = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var xi = train.Row(rows[i]);
            quadratic += coefficients[i] * coefficients[i] * kernel.Evaluate(xi, xi);
            for (int j = i + 1; j < rows.Count; j++)
            {
                quadratic += 2 * coefficients[i] * coefficients[j] * kernel.Evaluate(xi, train.Row(rows[j]));
            }

            linear += Math.Abs(coefficients[i]);
        }

        return 0.5 * quadratic - linear;
    }

    /// <summary>LIBSVM's decision value d(x) = Σ α_i y_i K(x_i, x) − ρ, in double precision; positive votes for class A.</summary>
    /// <param name="train">The training rows that were given to <see cref="SklearnSvc.Fit"/>.</param>
    /// <param name="x">The row to evaluate.</param>
    /// <param name="kernel">The kernel used (see <see cref="SvcReferenceResult.Kernel"/>).</param>
    public double DecisionValue(FeatureMatrix train, ReadOnlySpan<float> x, SvcReferenceKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(kernel);
        double sum = 0;
        for (int i = 0; i < Rows.Length; i++)
        {
            sum += Coefficients[i] * kernel.Evaluate(train.Row(Rows[i]), x);
        }

        return sum - Rho;
    }
}

/// <summary>A kernel with LIBSVM's definitions, evaluated in double precision from float rows.</summary>
/// <param name="Kernel">Which kernel.</param>
/// <param name="Gamma">The gamma actually used (after 'scale'/'auto' were resolved).</param>
/// <param name="Degree">Degree of the poly kernel.</param>
/// <param name="Coef0">Independent term of poly and sigmoid.</param>
public sealed record SvcReferenceKernel(SvcKernel Kernel, double Gamma, int Degree, double Coef0)
{
    /// <summary>K(a, b).</summary>
    public double Evaluate(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Rows of {a.Length} and {b.Length} features.", nameof(b));
        }

        switch (Kernel)
        {
            case SvcKernel.Rbf:
                double squared = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    double d = (double)a[i] - b[i];
                    squared += d * d;
                }

                return Math.Exp(-Gamma * squared);
            case SvcKernel.Linear:
                return Dot(a, b);
            case SvcKernel.Poly:
                return Math.Pow(Gamma * Dot(a, b) + Coef0, Degree);
            case SvcKernel.Sigmoid:
                return Math.Tanh(Gamma * Dot(a, b) + Coef0);
            default:
                throw new InvalidOperationException($"Unknown kernel {Kernel}.");
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}

/// <summary>
/// What scikit-learn's <c>SVC</c> learned and predicted for one request (see the conventions at the top of SklearnSvc.cs).
/// Arrays indexed by pair use LIBSVM's pair order (0,1),(0,2),…,(0,k−1),(1,2),…,(k−2,k−1) over <see cref="Classes"/>.
/// </summary>
public sealed record SvcReferenceResult
{
    /// <summary>scikit-learn's version string.</summary>
    public required string SklearnVersion { get; init; }

    /// <summary>The labels, ascending (sklearn's <c>classes_</c>).</summary>
    public required int[] Classes { get; init; }

    /// <summary>Support vectors per class, in <see cref="Classes"/> order (<c>n_support_</c>); sums to <see cref="SupportIndices"/>.Length.</summary>
    public required int[] SupportCountPerClass { get; init; }

    /// <summary>Training-row indices of all support vectors (sklearn's <c>support_</c>: grouped by class, ascending within a class).</summary>
    public required int[] SupportIndices { get; init; }

    /// <summary>The k(k−1)/2 pair problems in LIBSVM's order.</summary>
    public required IReadOnlyList<SvcPairSolution> Pairs { get; init; }

    /// <summary>LIBSVM's printed rho per pair (six decimals), or null when probability was on; a cross-check of <see cref="SvcPairSolution.Rho"/>.</summary>
    public double[]? LibsvmReportedRhos { get; init; }

    /// <summary>The kernel with the gamma LIBSVM actually used.</summary>
    public required SvcReferenceKernel Kernel { get; init; }

    /// <summary>Seconds spent in <c>SVC.fit</c> alone (measured in python when the result was computed, also when read back from the cache).</summary>
    public required double FitSeconds { get; init; }

    /// <summary>Seconds python spent on decision_function, predict (and predict_proba) of the test rows.</summary>
    public required double PredictSeconds { get; init; }

    /// <summary>Predicted labels of the test rows.</summary>
    public required int[] Predictions { get; init; }

    /// <summary>[test row, pair] LIBSVM decision values d_ab(x) (positive votes for the pair's class A), whatever k is.</summary>
    public required double[,] PairDecisionValues { get; init; }

    /// <summary>
    /// sklearn's <c>decision_function</c> with shape 'ovo', as returned: for k = 2 one column, positive meaning
    /// <c>Classes[1]</c> (= −d_01); for k &gt; 2 equal to <see cref="PairDecisionValues"/>.
    /// </summary>
    public required double[,] SklearnDecisionOvo { get; init; }

    /// <summary>sklearn's <c>decision_function</c> with shape 'ovr': [test row, class] for k &gt; 2, one column (same as ovo) for k = 2.</summary>
    public required double[,] SklearnDecisionOvr { get; init; }

    /// <summary>sklearn's <c>predict_proba</c> [test row, class] when <see cref="SvcReferenceOptions.Probability"/> was on, else null.</summary>
    public double[,]? Probabilities { get; init; }

    /// <summary>sklearn's public <c>dual_coef_</c> [k−1, n_SV], as is (negated for k = 2, see SklearnSvc.cs).</summary>
    public required double[,] SklearnDualCoef { get; init; }

    /// <summary>sklearn's public <c>intercept_</c>, as is (= −rho for k &gt; 2, = +rho for k = 2).</summary>
    public required double[] SklearnIntercept { get; init; }

    /// <summary>True when the result was read from the on-disk cache instead of running python.</summary>
    public bool FromCache { get; init; }

    /// <summary>Total number of support vectors.</summary>
    public int SupportVectorCount => SupportIndices.Length;

    /// <summary>Dual objective per pair, LIBSVM's pair order.</summary>
    public double[] PairObjectives => Pairs.Select(p => p.Objective).ToArray();

    /// <summary>LIBSVM's rho per pair (decision = Σ α_i y_i K − rho), LIBSVM's pair order.</summary>
    public double[] Rhos => Pairs.Select(p => p.Rho).ToArray();

    /// <summary>SMO iterations per pair (sklearn's <c>n_iter_</c>).</summary>
    public int[] IterationsPerPair => Pairs.Select(p => p.Iterations).ToArray();
}
