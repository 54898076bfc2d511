using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>`mnist train -g` end to end on small in-memory digit blobs.</summary>
public sealed class TrainGridSearchCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-grid-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MnistDataset Data() => Synthetic.BlobDataset(trainPerClass: 25, testPerClass: 10, noise: 60);

    [Fact]
    public void Svm_search_logs_like_the_original_refits_the_best_and_reports_it_in_json()
    {
        string outPath = Path.Combine(_directory, "svm.model");
        var (code, output, error, _) = TrainCommandTests.Run(Data(), "-g", "-M", "svm", "-C", "100", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain("Fitting 5 folds for each of 8 candidates, totalling 40 fits")
            .And.MatchRegex(@"INFO    Search time: \d+\.\d\ds").And.MatchRegex(@"INFO    Search Accuracy: \d\.\d{4}")
            .And.Contain("INFO    Best parameters: {");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        var root = json.RootElement;
        double searchSeconds = root.GetProperty("search_seconds").GetDouble();
        root.GetProperty("fit_seconds").GetDouble().Should().BeGreaterThan(searchSeconds, "fit_seconds covers the search and the refit");
        var best = root.GetProperty("best_params");
        double c = best.GetProperty("C").GetDouble();
        c.Should().BeOneOf(1, 2, 4, 8);
        string gamma = best.GetProperty("gamma").GetString()!;
        gamma.Should().BeOneOf("scale", "auto");
        best.GetProperty("kernel").GetString().Should().Be("rbf", "the original grid names its kernel");

        var svm = (SvmModel)ModelFile.Load<PipelineModel>(outPath).Classifier;
        var train = Data().Train;
        var refit = new Pipeline(new Mnist.Classifiers.Preprocessing.StandardScaler(), new SvmClassifier { C = c, Gamma = SvmGamma.Parse(gamma) })
            .Fit(train.ToFeatures(), train.LabelsAsInts());
        svm.SupportIndices.Should().Equal(((SvmModel)refit.Classifier).SupportIndices, "the saved model is the best candidate refitted, not -C 100");
        svm.DualCoefficients().Cast<double>().Max(Math.Abs).Should().BeLessThanOrEqualTo(c + 1e-9);
        root.GetProperty("best_score").GetDouble().Should().BeInRange(0, 1);
    }

    [Fact]
    public void Preprocess_once_searches_with_the_scaler_fitted_once_and_needs_g()
    {
        string outPath = Path.Combine(_directory, "once.model");
        var (code, output, error, _) = TrainCommandTests.Run(Data(), "-g", "--preprocess-once", "-M", "svm", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain("Fitting 5 folds for each of 8 candidates, totalling 40 fits");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("best_score").GetDouble().Should().BeInRange(0.5, 1.0);
        ModelFile.Load<PipelineModel>(outPath).Classifier.Should().BeOfType<SvmModel>();

        var (refused, _, message, _) = TrainCommandTests.Run(Data(), "--preprocess-once", "-M", "svm", "-o", Path.Combine(_directory, "no.model"));
        refused.Should().Be(1);
        message.Should().Contain("--preprocess-once").And.Contain("-g");
        File.Exists(Path.Combine(_directory, "no.model")).Should().BeFalse();
    }

    [Fact]
    public void Scoring_picks_the_searchs_scorer_by_its_scikit_learn_name_and_needs_g()
    {
        // Noisy blobs, so that the folds have errors and F1 and accuracy differ.
        var data = Synthetic.BlobDataset(trainPerClass: 25, testPerClass: 10, noise: 220);
        string outPath = Path.Combine(_directory, "f1.model");
        var (code, output, error, _) = TrainCommandTests.Run(data, "-g", "-M", "sgd", "--scoring", "f1_macro", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().MatchRegex(@"INFO    Search score \(f1_macro\): \d\.\d{4}").And.NotContain("Search Accuracy");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        json.RootElement.GetProperty("scoring").GetString().Should().Be("f1_macro");
        var settings = new TrainSettings { Model = "sgd", GridSearch = true, Scoring = "f1_macro" };
        var learner = ImageSteps.Build(settings, ClassifierFactory.CreateScaler(settings), ClassifierFactory.Create(settings), null);
        var search = DefaultGrids.Create("sgd", learner, seed: 0) with { Refit = false };
        var (x, y) = (data.Train.ToFeatures(), data.Train.LabelsAsInts());
        var f1 = (search with { Scoring = Classifiers.ModelSelection.SearchScorers.F1Macro }).Fit(x, y);
        json.RootElement.GetProperty("best_score").GetDouble().Should().Be(f1.BestScore, "the CLI's search is the library's with the F1 scorer");
        search.Fit(x, y).Candidates[f1.Best.Candidate.Index].MeanScore.Should().NotBe(f1.BestScore, "accuracy would score the same candidate otherwise");

        var (unknown, _, unknownMessage, _) = TrainCommandTests.Run(data, "-g", "--scoring", "roc_auc", "-o", Path.Combine(_directory, "no.model"));
        unknown.Should().Be(1);
        unknownMessage.Should().Contain("--scoring must be one of accuracy, balanced_accuracy, f1_macro, f1_weighted, neg_log_loss; got 'roc_auc'");
        var (alone, _, aloneMessage, _) = TrainCommandTests.Run(data, "--scoring", "f1_macro", "-o", Path.Combine(_directory, "no.model"));
        alone.Should().Be(1);
        aloneMessage.Should().Contain("--scoring").And.Contain("-g");
        File.Exists(Path.Combine(_directory, "no.model")).Should().BeFalse();
    }

    [Fact]
    public void Forest_search_covers_its_six_candidates()
    {
        string outPath = Path.Combine(_directory, "forest.model");
        var (code, output, error, _) = TrainCommandTests.Run(Data(), "-g", "-M", "extra", "-v", "--json", "-o", outPath);

        code.Should().Be(0, error);
        error.Should().Contain("Fitting 5 folds for each of 6 candidates, totalling 30 fits");
        using var json = JsonDocument.Parse(output.TrimEnd('\n').Split('\n')[^1]);
        var best = json.RootElement.GetProperty("best_params");
        best.GetProperty("n_estimators").GetInt32().Should().BeOneOf(50, 100);
        var forest = (ForestModel)ModelFile.Load<PipelineModel>(outPath).Classifier;
        forest.TreeCount.Should().Be(best.GetProperty("n_estimators").GetInt32());
        forest.IsExtraTrees.Should().BeTrue();
    }

    [Fact]
    public void A_cancelled_search_exits_130_and_writes_no_model()
    {
        string outPath = Path.Combine(_directory, "cancelled.model");
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var error = new StringWriter();

        int code = TrainCommand.Run(new TrainSettings { Model = "svm", GridSearch = true, OutPath = outPath }, Data(), TextWriter.Null, error, cancel.Token);

        code.Should().Be(TrainCommand.CancelledExitCode);
        error.ToString().Should().Contain($"cancelled; no model was written to '{outPath}'");
        Directory.GetFiles(_directory).Should().BeEmpty("neither the model nor a temporary file is left");
    }
}
