using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;

namespace Mnist.Classifiers.Svm;

/// <summary>
/// C-support vector classification with a kernel (scikit-learn's <c>SVC</c>, LIBSVM's C-SVC), trained by SMO
/// (<see cref="SmoSolver"/>). Several classes are handled one-vs-one as LIBSVM does: one two-class problem per
/// pair of classes, predictions by voting. The options record is immutable; <see cref="Fit"/> returns an
/// immutable <see cref="SvmModel"/>.
/// </summary>
public sealed record SvmClassifier : ISharedWorkClassifier, IFoldSharedWork
{
    /// <summary>The penalty C of the soft margin (the box 0 ≤ α ≤ C); larger means less regularisation. Must be positive.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>The kernel function.</summary>
    public SvmKernelType Kernel { get; init; } = SvmKernelType.Rbf;

    /// <summary>The kernel coefficient γ of the RBF, polynomial and sigmoid kernels.</summary>
    public SvmGamma Gamma { get; init; } = SvmGamma.Scale;

    /// <summary>The degree of the polynomial kernel.</summary>
    public int Degree { get; init; } = 3;

    /// <summary>The constant term of the polynomial and sigmoid kernels.</summary>
    public double Coef0 { get; init; }

    /// <summary>The stopping tolerance ε on the maximal violation m(α) − M(α) (LIBSVM's <c>-e</c>).</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>
    /// The most memory for kernel values, in megabytes, shared by the problems solved at the same time; the fit's
    /// <see cref="ComputeBudget.MemoryBytes"/> caps it further. scikit-learn's default is 200 MB per problem; kernel
    /// values here are float32. The default, 4096 MB, holds the classes' own kernels of the 60,000 MNIST rows (1.44 GB
    /// set aside when they fit in half of it, of which only the rows the problems ask for are made and take memory:
    /// about a quarter; half of every kernel row is then read there, made once for the class's problems) beside the row
    /// caches; with 1024 MB they do not fit and the 60,000-row fit takes about 20% longer (7.2–7.3 s against 5.9–6.1 s
    /// on the AVX2 path, Intel Xeon), at a peak of 1.4 GB instead of 1.9 GB.
    /// </summary>
    public double CacheSizeMegabytes { get; init; } = 4096;

    /// <summary>The limit on SMO iterations per two-class problem; 0 or less means LIBSVM's own limit (max(10⁷, 100·l)).</summary>
    public long MaxIterations { get; init; } = -1;

    /// <summary>Whether to use LIBSVM's shrinking heuristic.</summary>
    public bool Shrinking { get; init; } = true;

    /// <summary>Per-class multipliers of C (class label → weight); classes not listed keep weight 1.</summary>
    public IReadOnlyDictionary<int, double>? ClassWeights { get; init; }

    /// <summary>
    /// <see cref="ClassWeightMode.Balanced"/>: weights are n_samples / (n_classes · count(class)) (scikit-learn's
    /// <c>class_weight="balanced"</c>); cannot be combined with <see cref="ClassWeights"/>.
    /// </summary>
    public ClassWeightMode ClassWeightMode { get; init; }

    /// <summary>
    /// Whether to fit Platt scaling so that the model gives probabilities (LIBSVM's <c>-b 1</c>): each pair's sigmoid
    /// is fitted on decision values from an internal 5-fold cross-validation, which makes training about 6x longer.
    /// </summary>
    public bool Probability { get; init; }

    /// <summary>The seed of the cross-validation shuffles used by <see cref="Probability"/>.</summary>
    public int Seed { get; init; }

    /// <inheritdoc />
    public void Validate()
    {
        if (!(C > 0) || !double.IsFinite(C))
        {
            throw new ArgumentException($"C must be a positive number, not {C}.", nameof(C));
        }

        if (!Enum.IsDefined(Kernel))
        {
            throw new ArgumentException($"Unknown kernel {Kernel}.", nameof(Kernel));
        }

        if (Gamma.Mode == GammaMode.Fixed && (!(Gamma.Value > 0) || !double.IsFinite(Gamma.Value)))
        {
            throw new ArgumentException($"Gamma must be positive, not {Gamma.Value}.", nameof(Gamma));
        }

        if (Degree < 0)
        {
            throw new ArgumentException($"Degree must be 0 or more, not {Degree}.", nameof(Degree));
        }

        if (!double.IsFinite(Coef0))
        {
            throw new ArgumentException($"Coef0 must be finite, not {Coef0}.", nameof(Coef0));
        }

        if (!(Tolerance > 0))
        {
            throw new ArgumentException($"Tolerance must be positive, not {Tolerance}.", nameof(Tolerance));
        }

        if (!(CacheSizeMegabytes > 0))
        {
            throw new ArgumentException($"The cache size must be positive, not {CacheSizeMegabytes} MB.", nameof(CacheSizeMegabytes));
        }

        ClassWeighting.Validate(ClassWeights, ClassWeightMode, nameof(ClassWeights), nameof(ClassWeightMode));
    }

    /// <summary>Trains the SVM; see <see cref="SvmModel"/> for what it holds.</summary>
    /// <param name="features">The training rows.</param>
    /// <param name="labels">One class label per row, at least two distinct.</param>
    /// <param name="budget">
    /// The threads (the pair problems are solved that many at a time) and memory (the kernel cache is the smaller of
    /// <see cref="CacheSizeMegabytes"/> and this) of the fit; null for <see cref="ComputeBudget.Default"/>. The model
    /// does not depend on it.
    /// </param>
    /// <exception cref="ArgumentException">Bad options, shapes that disagree, or fewer than two classes.</exception>
    public SvmModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
    {
        Validate();
        InputChecks.TrainingShapes(features, labels);
        return SvmTrainer.Train(this, features, labels.ToArray(), ComputeBudget.OrDefault(budget));
    }

    IClassifierModel IClassifier.Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget) => Fit(features, labels, budget);

    /// <inheritdoc />
    /// <remarks>
    /// True for another <see cref="SvmClassifier"/> that differs from this one at most in <see cref="C"/> and
    /// <see cref="Gamma"/>: the kernel matrix depends on the kernel, its parameters and the rows (γ = scale on their
    /// variance), never on C, so the variants of one γ read one kernel matrix, and the kernel matrices of every γ are
    /// made from the same dot products. Not with <see cref="Probability"/>, whose Platt cross-validation solves
    /// problems of its own.
    /// </remarks>
    public bool SharesWorkWith(IClassifier other) =>
        other is SvmClassifier svm && !Probability && !svm.Probability && this with { C = svm.C, Gamma = svm.Gamma } == svm;

    /// <inheritdoc />
    /// <remarks>
    /// The dot products of all the rows are computed once when an n × n matrix of them fits in half the kernel memory
    /// (the smaller of <see cref="CacheSizeMegabytes"/> and the budget's memory), each γ's kernel matrix is made from
    /// them, and every variant's pair problems copy their kernel rows from it; the models are bit for bit those of
    /// <see cref="Fit"/>. The dot products of the held-out rows with the training rows are computed once beside them
    /// when they fit, and every model predicts those rows from them. Otherwise the variants are fitted one after the
    /// other as by <see cref="Fit"/>. Variants are fitted γ by γ, each γ's in ascending C.
    /// </remarks>
    public IReadOnlyList<IClassifierModel> FitVariants(
        IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut = null,
        Action<int, IClassifierModel>? fitted = null, ComputeBudget? budget = null) =>
        FitVariants(variants, features, labels, heldOut, fitted, budget, shared: null);

    /// <inheritdoc />
    /// <remarks>
    /// The dot products of all the rows (<see cref="SharedRowProducts"/>) when they take at most half the budget's memory.
    /// They are computed only when a fit on a view first builds a Gram matrix (which a fit does only when its own
    /// matrices fit in its kernel memory), so a search whose folds are too large for matrices never computes them.
    /// </remarks>
    object? IFoldSharedWork.ShareAcrossViews(FeatureMatrix rows, ComputeBudget budget) =>
        SharedRowProducts.Bytes(rows.Rows) <= budget.MemoryBytes / 2 ? new SharedRowProducts(rows, SvmTrainer.BackgroundFor(Kernel, rows)) : null;

    /// <inheritdoc />
    IReadOnlyList<IClassifierModel> IFoldSharedWork.FitVariants(
        object shared, IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut,
        Action<int, IClassifierModel>? fitted, ComputeBudget budget) =>
        FitVariants(variants, features, labels, heldOut, fitted, budget, (SharedRowProducts)shared);

    private IReadOnlyList<IClassifierModel> FitVariants(
        IReadOnlyList<IClassifier> variants, FeatureMatrix features, ReadOnlySpan<int> labels, FeatureMatrix? heldOut,
        Action<int, IClassifierModel>? fitted, ComputeBudget? budget, SharedRowProducts? shared)
    {
        ArgumentNullException.ThrowIfNull(variants);
        if (variants.Count == 0)
        {
            throw new ArgumentException("There are no variants to fit.", nameof(variants));
        }

        var svms = new SvmClassifier[variants.Count];
        for (int v = 0; v < variants.Count; v++)
        {
            if (variants[v] is not SvmClassifier svm || !SharesWorkWith(svm))
            {
                throw new ArgumentException(
                    $"Variant {v} ({variants[v]?.GetType().Name ?? "null"}) does not share work with this SVM: it must be an SvmClassifier that differs at most in C and gamma, without probabilities.",
                    nameof(variants));
            }

            svm.Validate();
            svms[v] = svm;
        }

        InputChecks.TrainingShapes(features, labels);
        if (heldOut is not null)
        {
            InputChecks.FeatureCount(heldOut, features.Columns, "SVM");
        }

        return SvmTrainer.TrainVariants(svms, features, labels.ToArray(), heldOut, ComputeBudget.OrDefault(budget), fitted, shared);
    }
}
