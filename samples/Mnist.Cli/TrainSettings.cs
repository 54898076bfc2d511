namespace Mnist.Cli;

/// <summary>The options of <c>mnist train</c>, as parsed from the command line, in named parts.</summary>
public sealed record TrainSettings
{
    /// <summary>The HDF5 dataset file (<c>-d</c>).</summary>
    public string Dataset { get; init; } = "data.h5";

    /// <summary>
    /// Where <c>mnist train</c> gets MNIST when <see cref="Dataset"/> does not exist (<c>--from</c>): a directory of the
    /// four IDX files; null to download it.
    /// </summary>
    public string? From { get; init; }

    /// <summary>Where the trained model is written (<c>-o</c>).</summary>
    public string OutPath { get; init; } = "model.bin";

    /// <summary>The algorithm (<c>-M</c>): svm, forest, extra, sgd, voting or dummy.</summary>
    public string Model { get; init; } = "svm";

    /// <summary>Search the hyperparameters by cross-validation over the model's default grid (<c>-g</c>; see <see cref="DefaultGrids"/>).</summary>
    public bool GridSearch { get; init; }

    /// <summary>
    /// With <see cref="GridSearch"/>: fit the pipeline's steps once on all training rows instead of per fold
    /// (<c>--preprocess-once</c>; <see cref="Mnist.Classifiers.ModelSelection.CrossValidatedSearch{TLearner}.FitStepsOnce"/>).
    /// </summary>
    public bool PreprocessOnce { get; init; }

    /// <summary>
    /// With <see cref="GridSearch"/>: the scorer of the candidates, by scikit-learn's name (<c>--scoring</c>;
    /// <see cref="Mnist.Classifiers.ModelSelection.SearchScorers.ByName"/>).
    /// </summary>
    public string Scoring { get; init; } = "accuracy";

    /// <summary>Train on the first N training rows only (<c>--train-size</c>); null for all.</summary>
    public int? TrainSize { get; init; }

    /// <summary>The seed of the random parts of training (<c>--seed</c>).</summary>
    public int Seed { get; init; }

    /// <summary>The most threads training and prediction use (<c>--threads</c>); −1 for one per processor.</summary>
    public int Threads { get; init; } = -1;

    /// <summary>What is printed: logs, metrics, the JSON summary.</summary>
    public ReportSettings Report { get; init; } = new();

    /// <summary>The SVM's flags.</summary>
    public SvmSettings Svm { get; init; } = new();

    /// <summary>The forests' flags.</summary>
    public TreeSettings Trees { get; init; } = new();

    /// <summary>The SGD classifier's flags.</summary>
    public SgdSettings Sgd { get; init; } = new();

    /// <summary>How the voting ensemble combines its members (<c>--voting</c>): hard (majority) or soft (mean probability).</summary>
    public string Voting { get; init; } = "hard";

    /// <summary>
    /// The scaler before the classifier (<c>--scaler</c>): standard (the original project's StandardScaler), minmax
    /// (pixels to [0, 1]) or none.
    /// </summary>
    public string Scaler { get; init; } = "standard";

    // Scale-out (issue 19): a grid search split into shards, then merged (docs/scale-out.md).

    /// <summary>Run one shard of the <c>-g</c> search or merge the shards' results (<c>--shard</c>, <c>--results</c>, <c>--merge</c>).</summary>
    public ScaleOutSettings ScaleOut { get; init; } = new();

    // Issue 17 (deskewing, PCA, virtual support vectors): see ImageSteps.

    /// <summary>Deskew the digits before the scaler (<c>--deskew</c>).</summary>
    public bool Deskew { get; init; }

    /// <summary>Keep this many principal components after the scaler (<c>--pca</c>); null for no PCA.</summary>
    public int? Pca { get; init; }

    /// <summary>The virtual support vectors' copies (<c>--virtual-sv</c>, see <see cref="ImageSteps.VirtualSvSyntax"/>); null for none.</summary>
    public string? VirtualSv { get; init; }
}

/// <summary>What <c>mnist train</c> prints.</summary>
/// <param name="Verbose">Log progress and timings to stderr (<c>-v</c>).</param>
/// <param name="Metrics">Print the classification report and confusion matrix (<c>-m</c>).</param>
/// <param name="UseValidation">Compute the metrics on the validation split instead of the test split (<c>-V</c>).</param>
/// <param name="Json">Print a JSON summary as the last line of stdout (<c>--json</c>).</param>
/// <param name="PlotDirectory">Write PNG pictures of the results into this directory (<c>--plot</c>); null for none.</param>
public sealed record ReportSettings(bool Verbose = false, bool Metrics = false, bool UseValidation = false, bool Json = false, string? PlotDirectory = null);

/// <summary>The SVM's flags; null means the library's default.</summary>
/// <param name="C">The penalty C (<c>-C</c>).</param>
/// <param name="Gamma">The kernel coefficient (<c>-G</c>): a number, <c>scale</c> or <c>auto</c>.</param>
/// <param name="Kernel">The kernel (<c>-K</c>): rbf, poly, linear or sigmoid.</param>
/// <param name="Degree">The degree of the poly kernel (<c>--degree</c>).</param>
/// <param name="Coef0">The constant term of the poly and sigmoid kernels (<c>--coef0</c>).</param>
/// <param name="CacheSize">The kernel cache in MB (<c>--cache-size</c>).</param>
/// <param name="Probability">Fit Platt scaling for probabilities (<c>--probability</c>).</param>
public sealed record SvmSettings(
    double? C = null, string? Gamma = null, string Kernel = "rbf", int Degree = 3, double Coef0 = 0, double? CacheSize = null, bool Probability = false);

/// <summary>The flags of the random forest and extra trees.</summary>
/// <param name="Estimators">The number of trees (<c>-E</c>).</param>
/// <param name="MaxDepth">The maximum depth (<c>-D</c>).</param>
/// <param name="OutOfBagScore">Estimate the accuracy on the rows each tree did not see (<c>--oob-score</c>; needs bootstrap).</param>
/// <param name="Criterion">The split criterion (<c>--criterion</c>): gini (the default), entropy or log_loss.</param>
/// <param name="ClassWeight">Class weights (<c>--class-weight</c>): none (the default), balanced or balanced_subsample.</param>
public sealed record TreeSettings(
    int? Estimators = null, int? MaxDepth = null, bool OutOfBagScore = false, string? Criterion = null, string? ClassWeight = null);

/// <summary>The flags of the SGD classifier; null means the library's (scikit-learn's) default.</summary>
/// <param name="Loss">The loss (<c>-L</c>).</param>
/// <param name="Penalty">The penalty (<c>-P</c>): l1, l2, elasticnet or none.</param>
/// <param name="Alpha">The regularization strength (<c>-A</c>).</param>
/// <param name="L1Ratio">The elastic net's share of L1 (<c>--l1-ratio</c>).</param>
/// <param name="MaxIterations">The most epochs (<c>--max-iter</c>).</param>
/// <param name="Average">Averaged SGD from this update on (<c>--average</c>; 1 is scikit-learn's <c>average=True</c>).</param>
public sealed record SgdSettings(string? Loss = null, string? Penalty = null, double? Alpha = null, double? L1Ratio = null, int? MaxIterations = null, int? Average = null);
