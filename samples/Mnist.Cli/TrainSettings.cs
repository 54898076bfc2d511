namespace Mnist.Cli;

/// <summary>The options of <c>mnist train</c>, as parsed from the command line.</summary>
/// <param name="GridSearch">Search the hyperparameters by cross-validation (not available yet).</param>
/// <param name="Dataset">The HDF5 dataset file.</param>
/// <param name="OutPath">Where the trained model is written.</param>
/// <param name="Verbose">Log progress and timings to stderr.</param>
/// <param name="Metrics">Print the classification report and confusion matrix.</param>
/// <param name="UseValidation">Compute the metrics on the validation split instead of the test split.</param>
/// <param name="Regularization">SVM: the C parameter.</param>
/// <param name="Gamma">SVM: the kernel coefficient, a number, <c>scale</c> or <c>auto</c>.</param>
/// <param name="Estimators">Forests: the number of trees.</param>
/// <param name="MaxDepth">Forests: the maximum tree depth.</param>
/// <param name="Loss">SGD: the loss function.</param>
/// <param name="Penalty">SGD: the penalty, <c>l1</c> or <c>l2</c>.</param>
/// <param name="Alpha">SGD: the regularization strength.</param>
/// <param name="Model">The algorithm: svm, forest, extra, sgd, voting or dummy.</param>
/// <param name="TrainSize">Train on the first N training rows only.</param>
/// <param name="Json">Print a JSON summary as the last line of stdout.</param>
public sealed record TrainSettings(
    bool GridSearch = false,
    string Dataset = "data.h5",
    string OutPath = "model.bin",
    bool Verbose = false,
    bool Metrics = false,
    bool UseValidation = false,
    double? Regularization = null,
    string? Gamma = null,
    int? Estimators = null,
    int? MaxDepth = null,
    string? Loss = null,
    string? Penalty = null,
    double? Alpha = null,
    string Model = "svm",
    int? TrainSize = null,
    bool Json = false);
