using Mnist.Classifiers;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Cli;

/// <summary>
/// The grids <c>mnist train -g</c> searches, in the spirit of the original project's: each searches the options
/// that matter most for its model, over the standard-scaled pixels (the scaler is fitted inside each fold). The axes
/// are added in the alphabetical order of scikit-learn's parameter names so that the candidates come in
/// <c>GridSearchCV</c>'s order, which decides ties.
/// </summary>
public static class DefaultGrids
{
    /// <summary>Each model's grid in words, for <c>--help</c> and the docs.</summary>
    public static IReadOnlyList<(string Model, string Grid)> Descriptions { get; } =
    [
        ("svm", "C in 1, 2, 4, 8 x gamma in scale, auto x kernel rbf (8 candidates)"),
        ("forest", "max depth in 16, 32, unlimited x trees in 50, 100 (6 candidates)"),
        ("extra", "max depth in 16, 32, unlimited x trees in 50, 100 (6 candidates)"),
        ("sgd", "alpha in 0.0001, 0.001 x loss in hinge, log_loss, modified_huber x penalty in l1, l2 (12 candidates)"),
        ("voting", "voting in hard, soft (2 candidates)"),
        ("dummy", "nothing to search (1 candidate)"),
    ];

    /// <summary>The grid search of <paramref name="model"/>'s default grid over <paramref name="learner"/> (a scaler and the classifier).</summary>
    /// <param name="model">The model's name, as <c>-M</c> takes it.</param>
    /// <param name="learner">The pipeline (scaler and classifier) whose classifier the grid varies; its other options stay as the flags set them.</param>
    /// <param name="seed">The seed of the shuffled stratified folds.</param>
    /// <exception cref="ArgumentException">The model has no default grid.</exception>
    public static GridSearch<Pipeline> Create(string model, Pipeline learner, int seed)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var grid = new ParameterGrid<Pipeline>();
        grid = model switch
        {
            "svm" => grid
                .Add("C", [1.0, 2.0, 4.0, 8.0], PipelineAxis.Classifier((SvmClassifier svm, double c) => svm with { C = c }))
                .Add("gamma", [SvmGamma.Scale, SvmGamma.Auto], PipelineAxis.Classifier((SvmClassifier svm, SvmGamma g) => svm with { Gamma = g }))
                .Add("kernel", [SvmKernelType.Rbf], PipelineAxis.Classifier((SvmClassifier svm, SvmKernelType k) => svm with { Kernel = k }), k => k.ToString().ToLowerInvariant()),
            "forest" or "extra" => grid
                .Add("max_depth", [16, 32, (int?)null], PipelineAxis.Classifier((ForestClassifier f, int? depth) => f with { MaxDepth = depth }), Depth)
                .Add("n_estimators", [50, 100], PipelineAxis.Classifier((ForestClassifier f, int trees) => f with { Trees = trees })),
            "sgd" => grid
                .Add("alpha", [1e-4, 1e-3], PipelineAxis.Classifier((SgdClassifier sgd, double a) => sgd with { Alpha = a }))
                .Add("loss", [SgdLoss.Hinge, SgdLoss.LogLoss, SgdLoss.ModifiedHuber], PipelineAxis.Classifier((SgdClassifier sgd, SgdLoss l) => sgd with { Loss = l }), LossName)
                .Add("penalty", [SgdPenalty.L1, SgdPenalty.L2], PipelineAxis.Classifier((SgdClassifier sgd, SgdPenalty p) => sgd with { Penalty = p }), p => p.ToString().ToLowerInvariant()),
            "voting" => grid
                .Add("voting", [VotingMode.Hard, VotingMode.Soft], PipelineAxis.Classifier((VotingClassifier v, VotingMode m) => ClassifierFactory.WithMode(v, m)), m => m.ToString().ToLowerInvariant()),
            "dummy" => grid,
            _ => throw new ArgumentException($"The '{model}' model has no default grid.", "--gridsearch"),
        };
        return new GridSearch<Pipeline>(learner, grid) { Folds = new StratifiedKFold { Shuffle = true, Seed = seed } };
    }

    private static string LossName(SgdLoss loss) => loss switch
    {
        SgdLoss.LogLoss => "log_loss",
        SgdLoss.ModifiedHuber => "modified_huber",
        _ => loss.ToString().ToLowerInvariant(),
    };

    private static string Depth(int? depth) => depth?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None";
}
