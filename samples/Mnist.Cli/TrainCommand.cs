using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Metrics;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Cli;

/// <summary>
/// <c>mnist train</c>: trains a classifier (behind a standard scaler, as the original project did) on an HDF5
/// dataset, optionally prints metrics on the test or validation split, and always saves the model.
/// </summary>
public static class TrainCommand
{
    /// <summary>
    /// The command, loading datasets with <see cref="MnistDataset.Load"/>, and fetching MNIST into the dataset file
    /// first when it does not exist.
    /// </summary>
    public static Command Create() => Create(loadDataset: null);

    /// <summary>The command with another dataset loader (tests use an in-memory dataset); null for the default.</summary>
    public static Command Create(Func<string, MnistDataset>? loadDataset)
    {
        var gridSearch = new Option<bool>("--gridsearch", "-g")
        {
            Description = "Search the hyperparameters by 5-fold stratified cross-validation over the model's default grid, then "
                + "refit the best on all training rows; the searched hyperparameters given are ignored. Grids: "
                + string.Join("; ", DefaultGrids.Descriptions.Select(d => $"{d.Model}: {d.Grid}")) + ".",
        };
        var dataset = new Option<string>("--dataset", "-d")
        {
            Description = "The HDF5 dataset file; when it does not exist, MNIST is fetched into it first (as mnist fetch does, from --from or the internet).",
            DefaultValueFactory = _ => "data.h5",
        };
        var from = new Option<string?>("--from")
        {
            Description = "When the dataset file does not exist: take the four MNIST IDX files from this directory instead of downloading them.",
        };
        var outPath = new Option<string>("--outpath", "-o")
        {
            Description = "Where to write the trained model.",
            DefaultValueFactory = _ => "model.bin",
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log progress and timings to stderr." };
        var metrics = new Option<bool>("--metrics", "-m") { Description = "Print the classification report and confusion matrix on the test set." };
        var validation = new Option<bool>("--validation", "-V") { Description = "Compute the metrics on the validation set instead of the test set." };
        var regularization = new Option<double?>("--regularization", "-C")
        {
            Description = "SVM regularization C: strictly positive; the regularization is inversely proportional to C.",
        };
        var gamma = new Option<string?>("--gamma", "-G") { Description = "SVM kernel coefficient: a positive number, 'scale' or 'auto'." };
        var estimators = new Option<int?>("--estimators", "-E") { Description = "Number of trees of the forest and extra-trees classifiers." };
        var maxDepth = new Option<int?>("--max_depth", "-D") { Description = "Maximum tree depth of the forest and extra-trees classifiers." };
        var loss = new Option<string?>("--loss", "-L")
        {
            Description = "SGD loss: hinge (the default), log_loss (or log), modified_huber, squared_hinge, perceptron, or a regression loss: "
                + "squared_error, huber, epsilon_insensitive, squared_epsilon_insensitive.",
        };
        var penalty = new Option<string?>("--penalty", "-P") { Description = "SGD penalty: l2 (the default), l1, elasticnet or none." };
        var alpha = new Option<double?>("--alpha", "-A") { Description = "SGD regularization strength: the larger, the stronger (default 0.0001)." };
        var l1Ratio = new Option<double?>("--l1-ratio") { Description = "SGD elastic net: the share of L1 in the penalty, 0 to 1 (default 0.15)." };
        var maxIterations = new Option<int?>("--max-iter") { Description = "SGD: the most epochs over the training rows (default 1000; fewer stop the fit earlier)." };
        var average = new Option<int?>("--average")
        {
            Description = "SGD: averaged SGD, the model's weights the mean of the weights after every update from update N on "
                + "(1 is scikit-learn's average=True; default 0, the last weights).",
        };
        var model = new Option<string>("--model", "-M")
        {
            Description = $"The algorithm: {string.Join(", ", ClassifierFactory.ModelNames)}.",
            DefaultValueFactory = _ => "svm",
        };
        var trainSize = new Option<int?>("--train-size") { Description = "Train on the first N rows of the training set only." };
        var plot = new Option<string?>("--plot")
        {
            Description = "Write PNG pictures into this directory: the confusion matrix as a heatmap, the misclassified test digits "
                + "with their true and predicted labels, and for the forests the pixels' importances as a 28x28 heatmap.",
        };
        var json = new Option<bool>("--json") { Description = "Print a JSON summary as the last line of the output." };
        var kernel = new Option<string>("--kernel", "-K")
        {
            Description = "SVM kernel: rbf, poly, linear or sigmoid.",
            DefaultValueFactory = _ => "rbf",
        };
        var degree = new Option<int>("--degree") { Description = "Degree of the SVM's poly kernel.", DefaultValueFactory = _ => 3 };
        var coef0 = new Option<double>("--coef0") { Description = "Constant term of the SVM's poly and sigmoid kernels." };
        var cacheSize = new Option<double?>("--cache-size") { Description = "SVM kernel cache in MB (shared by the problems solved at once; default 4096)." };
        var probability = new Option<bool>("--probability") { Description = "Fit Platt scaling so that the SVM model also gives class probabilities (about 6x the training time)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random parts of training (the forests' bootstraps and feature draws, the SVM's probability cross-validation)." };
        var outOfBag = new Option<bool>("--oob-score") { Description = "Forests: estimate the accuracy on the rows each tree did not see in its bootstrap (not for extra trees, which do not bootstrap)." };
        var criterion = new Option<string?>("--criterion") { Description = "Forests: the split criterion, gini (the default), entropy or log_loss (the same as entropy)." };
        var classWeight = new Option<string?>("--class-weight")
        {
            Description = "Forests: weigh each class by n / (classes x its rows): balanced (over all rows) or balanced_subsample (over each tree's bootstrap).",
        };
        var voting = new Option<string>("--voting")
        {
            Description = "How the voting ensemble (-M voting: svm, forest and extra trees) combines its members: hard (majority vote) or soft (mean probability; the SVM then fits probabilities).",
            DefaultValueFactory = _ => "hard",
        };
        var scaler = new Option<string>("--scaler")
        {
            Description = "How the pixels are scaled before the classifier: standard (zero mean, unit variance, as the original project), minmax (to [0, 1]) or none.",
            DefaultValueFactory = _ => "standard",
        };
        var threads = new Option<int>("--threads")
        {
            Description = "How many threads training and prediction use; -1 for one per processor.",
            DefaultValueFactory = _ => -1,
        };

        // Scale-out (issue 19, docs/scale-out.md): a -g search split into shards on many machines, then merged.
        var shard = new Option<string?>("--shard")
        {
            Description = "With -g and --results: run shard K of N (K/N, K from 0) of the search; default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, "
                + $"else Kubernetes' JOB_COMPLETION_INDEX with --shard-count or {ScaleOut.ShardCountVariable}.",
        };
        var shardCount = new Option<int?>("--shard-count") { Description = "The number of shards of a Kubernetes Indexed Job (its completions), with JOB_COMPLETION_INDEX." };
        var results = new Option<string?>("--results")
        {
            Description = "With -g: fit only this shard's share of the search and write one results file per work unit into this directory; no refit, no model.",
        };
        var merge = new Option<string?>("--merge")
        {
            Description = "With -g: merge the shards' results files from this directory (every unit exactly once, same data and grid), then refit and report as a local search.",
        };

        var unitPerFit = new Option<bool>("--unit-per-fit")
        {
            Description = "With -g: fit every candidate on every fold alone, one work unit per fit (the SVM grid: 40 units instead of 5); "
                + "the same results, slower on one machine, more shards to spread over. Give it to the shards and the merge alike.",
        };

        var preprocessOnce = new Option<bool>("--preprocess-once")
        {
            Description = "With -g: fit the preprocessing (scaler, PCA, deskewing) once on all training rows instead of inside every fold as "
                + "scikit-learn does: faster (the SVM's dot products are then computed once for all folds), but the held-out rows take part "
                + "in the scaling, so the cross-validated scores can differ slightly. The refit is the same.",
        };

        var scoring = new Option<string>("--scoring")
        {
            Description = "With -g: how a candidate is scored on the held-out rows, by scikit-learn's name: accuracy (the default), "
                + "balanced_accuracy, f1_macro, f1_weighted or neg_log_loss (needs probabilities: forests, SGD with -L log_loss or "
                + "modified_huber, the SVM with --probability).",
            DefaultValueFactory = _ => "accuracy",
        };

        var command = new Command("train", "Train a model on an HDF5 dataset and save it to a file.");
        foreach (Option option in new Option[] { gridSearch, scoring, dataset, outPath, verbose, metrics, validation, regularization, gamma, estimators, maxDepth, loss, penalty, alpha, model, trainSize, json, kernel, degree, coef0, cacheSize, probability, seed, threads, outOfBag, criterion, classWeight, voting, scaler, from, l1Ratio, maxIterations, average, plot, shard, shardCount, results, merge, unitPerFit, preprocessOnce })
        {
            command.Options.Add(option);
        }

        var imageSteps = ImageSteps.CreateOptions(); // issue 17
        command.Options.Add(imageSteps.Deskew);
        command.Options.Add(imageSteps.Pca);
        command.Options.Add(imageSteps.VirtualSv);

        // Ctrl+C cancels the token: the search or fit stops at its next check and nothing is written. The work runs
        // on the thread pool so that System.CommandLine, which starts listening for the signal once the action has
        // returned its task, listens while training runs.
        command.SetAction((parse, cancellation) => Task.Run(() =>
        {
            var settings = new TrainSettings
            {
                Dataset = parse.GetValue(dataset)!,
                From = parse.GetValue(from),
                OutPath = parse.GetValue(outPath)!,
                Model = parse.GetValue(model)!,
                GridSearch = parse.GetValue(gridSearch),
                PreprocessOnce = parse.GetValue(preprocessOnce),
                Scoring = parse.GetValue(scoring)!,
                TrainSize = parse.GetValue(trainSize),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Report = new ReportSettings(parse.GetValue(verbose), parse.GetValue(metrics), parse.GetValue(validation), parse.GetValue(json), parse.GetValue(plot)),
                Svm = new SvmSettings(
                    parse.GetValue(regularization), parse.GetValue(gamma), parse.GetValue(kernel)!, parse.GetValue(degree),
                    parse.GetValue(coef0), parse.GetValue(cacheSize), parse.GetValue(probability)),
                Trees = new TreeSettings(
                    parse.GetValue(estimators), parse.GetValue(maxDepth), parse.GetValue(outOfBag), parse.GetValue(criterion), parse.GetValue(classWeight)),
                Sgd = new SgdSettings(parse.GetValue(loss), parse.GetValue(penalty), parse.GetValue(alpha), parse.GetValue(l1Ratio), parse.GetValue(maxIterations), parse.GetValue(average)),
                Voting = parse.GetValue(voting)!,
                Scaler = parse.GetValue(scaler)!,
                ScaleOut = new ScaleOutSettings(parse.GetValue(shard), parse.GetValue(shardCount), parse.GetValue(results), parse.GetValue(merge), parse.GetValue(unitPerFit)),
                Deskew = parse.GetValue(imageSteps.Deskew),
                Pca = parse.GetValue(imageSteps.Pca),
                VirtualSv = parse.GetValue(imageSteps.VirtualSv),
            };
            return Run(settings, loadDataset, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellation);
        }));
        return command;
    }

    /// <summary>The exit code of a run cancelled by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>
    /// Loads the dataset named in <paramref name="settings"/> with <paramref name="loadDataset"/> (null: from the file,
    /// fetching MNIST into it first when it does not exist) and trains; returns the exit code.
    /// </summary>
    public static int Run(
        TrainSettings settings, Func<string, MnistDataset>? loadDataset, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        if (Prepare(settings, output, error, cancellation) is not { } plan)
        {
            return 1;
        }

        // Compiles the training code on the other core while the file is read (Warmup).
        string model = settings.Model.Trim().ToLowerInvariant();
        var warmup = plan.Shard is null && settings.ScaleOut.MergeDirectory is null
            ? Warmup.Start(model, plan.Learner, settings.GridSearch ? learner => ScaleOut.Search(model, learner, settings) : null, plan.Budget)
            : null;
        MnistDataset data;
        try
        {
            if (loadDataset is null && !File.Exists(settings.Dataset))
            {
                // The main job in one command on a fresh machine: no dataset yet, so make it, and say so.
                error.WriteLine($"INFO    The dataset {settings.Dataset} does not exist: fetching MNIST into it first, from {settings.From ?? "the internet"}.");
                data = FetchCommand.FetchAsync(
                    settings.Dataset, settings.From, cacheDirectory: null, StratifiedSplit.DefaultSeed, Augmentations.None, validationSize: null,
                    handler: null, error, cancellation).GetAwaiter().GetResult();
            }
            else
            {
                plan.Log.Info($"Loading dataset from {settings.Dataset}");
                data = (loadDataset ?? MnistDataset.Load)(settings.Dataset);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            error.WriteLine("mnist train: cancelled while getting the dataset.");
            return CancelledExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or HttpRequestException)
        {
            error.WriteLine($"error: cannot load the dataset '{settings.Dataset}': {e.Message}");
            return 1;
        }

        return Train(settings, plan, data, output, error, warmup);
    }

    /// <summary>Trains on an already loaded dataset; returns the exit code (0 on success, <see cref="CancelledExitCode"/> when cancelled).</summary>
    public static int Run(TrainSettings settings, MnistDataset dataset, TextWriter output, TextWriter error, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Prepare(settings, output, error, cancellation) is { } plan ? Train(settings, plan, dataset, output, error, warmup: null) : 1;
    }

    /// <summary>
    /// Everything that needs no data, checked once before any work: the flags, turned into the classifier and the
    /// compute budget. Null (after an error line) when a flag is wrong.
    /// </summary>
    private static TrainPlan? Prepare(TrainSettings settings, TextWriter output, TextWriter error, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            // The pixels are scaled before the classifier, standardised by default as the original project's pipeline did.
            var scaler = ClassifierFactory.CreateScaler(settings);
            var log = new Log(settings.Report.Verbose, error);
            var learner = ImageSteps.Build(
                settings, scaler, ClassifierFactory.Create(settings), new CallbackProgress<VirtualSupportVectorsReport>(r => log.Info(ImageSteps.Describe(r))));
            if (settings.PreprocessOnce && !settings.GridSearch)
            {
                throw new ArgumentException("--preprocess-once changes how -g cross-validates: give -g too.");
            }

            if (!SearchScorers.ByName.ContainsKey(settings.Scoring))
            {
                throw new ArgumentException(
                    $"--scoring must be one of {string.Join(", ", SearchScorers.ByName.Keys)}; got '{settings.Scoring}'.");
            }

            if (settings.Scoring != "accuracy" && !settings.GridSearch)
            {
                throw new ArgumentException("--scoring chooses how -g scores its candidates: give -g too.");
            }

            if (settings.GridSearch)
            {
                // Fails here, before the dataset loads, for a model without a default grid.
                _ = DefaultGrids.Create(settings.Model.Trim().ToLowerInvariant(), learner, settings.Seed);
            }

            var shard = ScaleOut.Resolve(settings.ScaleOut, settings.GridSearch, Environment.GetEnvironmentVariable);
            return new TrainPlan(learner, ClassifierFactory.Budget(settings).WithCancellation(cancellation), log, shard);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"error: {e.Message.Split(" (Parameter")[0]}");
            return null;
        }
    }

    private static int Train(TrainSettings settings, TrainPlan plan, MnistDataset dataset, TextWriter output, TextWriter error, Task? warmup)
    {
        try
        {
            return TrainUncancelled(settings, plan, dataset, output, error, warmup);
        }
        catch (OperationCanceledException) when (plan.Budget.Cancellation.IsCancellationRequested)
        {
            // The model is written last, through a temporary file: a cancelled run has written nothing.
            error.WriteLine($"mnist train: cancelled; no model was written to '{settings.OutPath}'.");
            return CancelledExitCode;
        }
    }

    private static int TrainUncancelled(TrainSettings settings, TrainPlan plan, MnistDataset dataset, TextWriter output, TextWriter error, Task? warmup)
    {
        var (pipeline, budget, log, shard) = plan;
        var report = settings.Report;
        string modelName = settings.Model.Trim().ToLowerInvariant();

        LabeledImages train = dataset.Train;
        if (settings.TrainSize is { } size)
        {
            if (size > train.Rows)
            {
                error.WriteLine($"error: --train-size {size} is larger than the {train.Rows} training rows of '{settings.Dataset}'.");
                return 1;
            }

            train = train.Take(size);
        }

        if (train.Rows == 0)
        {
            error.WriteLine($"error: the training split of '{settings.Dataset}' is empty.");
            return 1;
        }

        if (shard is { } part)
        {
            log.Info($"Fitting shard {part.Index}/{part.Count} of the grid search on {train.Rows} rows.");
            return ScaleOut.RunShard(
                ScaleOut.Search(modelName, pipeline, settings), part, settings.ScaleOut.ResultsDirectory!, train.ToFeatures(budget), train.LabelsAsInts(),
                budget, report.Json, output, error);
        }

        var clock = Stopwatch.StartNew();
        PipelineModel model;
        SearchSummary? search = null;
        if (settings.GridSearch)
        {
            try
            {
                (model, search) = Search(modelName, pipeline, settings, train, budget, log, error, warmup);
            }
            catch (Exception e) when (settings.ScaleOut.MergeDirectory is not null && e is InvalidDataException or DirectoryNotFoundException)
            {
                error.WriteLine($"error: cannot merge the search results: {e.Message}");
                return 1;
            }
        }
        else
        {
            log.Info($"Training {Article(modelName)} {modelName} classifier on {train.Rows} rows.");
            model = ProgressDisplay.Run(error, settings.Report.Verbose, progress =>
                Warmup.FitAfter(warmup, pipeline).Fit(train, budget.WithProgress(progress.Fitting)));
        }

        double fitSeconds = clock.Elapsed.TotalSeconds;
        log.Info($"Training time: {(fitSeconds - (search?.Seconds ?? 0)).ToString("F2", CultureInfo.InvariantCulture)}s");
        if (ImageSteps.FindSvm(model.Classifier) is { } svm)
        {
            LogSvm(log, svm);
        }
        else if (model.Classifier is ForestModel forest)
        {
            LogForest(log, forest);
        }
        else if (model.Classifier is SgdModel sgd)
        {
            log.Info($"SGD: {sgd.ProblemCount} one-vs-rest problem(s); epochs: {sgd.Iterations}; weight updates: {sgd.Updates}");
        }
        else if (model.Classifier is VotingModel voting)
        {
            log.Info($"Voting: {voting.Voting.ToString().ToLowerInvariant()} over {string.Join(", ", voting.MemberNames)}");
            foreach (var (name, member) in voting.MemberNames.Zip(voting.Members))
            {
                log.Info($"Member {name}:");
                if (member is SvmModel memberSvm)
                {
                    LogSvm(log, memberSvm);
                }
                else if (member is ForestModel memberForest)
                {
                    LogForest(log, memberForest);
                }
            }
        }

        double? accuracy = null;
        double? predictSeconds = null;
        if (report.Metrics || report.Json || report.PlotDirectory is not null)
        {
            string splitName = report.UseValidation ? "validation" : "test";
            LabeledImages evaluation = report.UseValidation ? dataset.Validation : dataset.Test;
            if (evaluation.Rows == 0)
            {
                error.WriteLine($"error: the {splitName} split of '{settings.Dataset}' is empty; there is nothing to score.");
                return 1;
            }

            clock.Restart();
            int[] predicted = model.Predict(evaluation, budget);
            predictSeconds = clock.Elapsed.TotalSeconds;
            int[] truth = evaluation.LabelsAsInts();
            var classification = ClassificationReport.Compute(truth, predicted);
            accuracy = classification.Accuracy;
            log.Info($"Prediction time: {predictSeconds.Value.ToString("F2", CultureInfo.InvariantCulture)}s for {evaluation.Rows} rows");
            if (report.Metrics)
            {
                log.Info($"Metrics computed on the {splitName} set");
                output.Write(classification.ToText());
                output.WriteLine();
                output.WriteLine("Confusion matrix:");
                output.WriteLine(ConfusionMatrix.Compute(truth, predicted).ToText());
            }

            if (report.PlotDirectory is { } directory && !WritePlots(directory, model, evaluation, truth, predicted, log, error))
            {
                return 1;
            }
        }

        try
        {
            ModelFile.Save(model, settings.OutPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the model to '{settings.OutPath}': {e.Message}");
            return 1;
        }

        log.Info($"Model saved to {settings.OutPath}");
        if (report.Json)
        {
            output.WriteLine(JsonSummary(modelName, train.Rows, fitSeconds, predictSeconds, accuracy, model, search));
        }

        return 0;
    }

    /// <summary>
    /// The <c>-g</c> path: cross-validates the model's default grid with a progress bar, logs the search as the
    /// original project did (folds × candidates, time, best accuracy and parameters), and returns the best candidate
    /// refitted on all training rows. With <c>--merge</c>, the cross-validation is not run here: the shards' results
    /// files are merged instead (<see cref="SearchPlan{TLearner}.Merge"/>).
    /// </summary>
    private static (PipelineModel Model, SearchSummary Summary) Search(
        string modelName, Pipeline pipeline, TrainSettings settings, LabeledImages train, ComputeBudget budget, Log log, TextWriter error, Task? warmup)
    {
        var search = ScaleOut.Search(modelName, pipeline, settings);
        string? merge = settings.ScaleOut.MergeDirectory;
        int candidates = search.Candidates().Count, folds = search.Folds.Splits;
        log.Info("Performing grid search.");
        log.Line($"Fitting {folds} folds for each of {candidates} candidates, totalling {folds * candidates} fits");
        var clock = Stopwatch.StartNew();
        Warmup.WaitWithin(warmup);
        double waited = clock.Elapsed.TotalSeconds;
        // One bar for the fits (or the merge), then the refit's own (the SVM's pair problems, the forest's trees, ...).
        var result = ProgressDisplay.Run(error, log.Enabled, progress => merge is not null
            ? search.Plan(train.ToFeatures(budget), train.LabelsAsInts()).Merge(merge, budget.WithProgress(progress.Fitting))
            : search.Fit(
                train.ToFeatures(budget), train.LabelsAsInts(), budget.WithProgress(progress.Fitting),
                new CallbackProgress<SearchProgress>(p => progress.Show("Cross-validation fits", p.CompletedFits, p.TotalFits))));
        // The search time counts the wait for the warm-up, as the fit time does.
        double seconds = waited + result.SearchTime.TotalSeconds;
        var c = CultureInfo.InvariantCulture;
        log.Info($"Search time: {seconds.ToString("F2", c)}s");
        if (merge is not null)
        {
            var work = result.Candidates.Sum(r => (r.MeanFitTime + r.MeanScoreTime).TotalSeconds) * folds;
            log.Info($"Merged the shards' results from {merge}: their fits and scoring took {work.ToString("F2", c)}s in all.");
        }

        // The original project's line for its accuracy; another scorer says its name.
        log.Info(settings.Scoring == "accuracy"
            ? $"Search Accuracy: {result.BestScore.ToString("F4", c)}"
            : $"Search score ({settings.Scoring}): {result.BestScore.ToString("F4", c)}");
        string bestParameters = BestParametersJson(result.BestParameters, indented: true);
        log.Info($"Best parameters: {bestParameters}");
        log.Info($"Training {Article(modelName)} {modelName} classifier on {train.Rows} rows with the best parameters.");
        return ((PipelineModel)result.BestModel!, new SearchSummary(seconds, result.BestScore, result.BestParameters, settings.Scoring));
    }

    /// <summary>The best parameters as a JSON object: numbers as numbers, other values as their text.</summary>
    private static string BestParametersJson(IReadOnlyList<SearchParameter> parameters, bool indented)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            WriteParameters(json, parameters);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteParameters(Utf8JsonWriter json, IReadOnlyList<SearchParameter> parameters)
    {
        json.WriteStartObject();
        foreach (var p in parameters)
        {
            switch (p.Value)
            {
                case double d: json.WriteNumber(p.Name, d); break;
                case int i: json.WriteNumber(p.Name, i); break;
                case null: json.WriteNull(p.Name); break;
                default: json.WriteString(p.Name, p.Text); break;
            }
        }

        json.WriteEndObject();
    }

    /// <summary>--plot: the confusion matrix, the misclassified digits and, for a forest, the pixel importances as PNG files.</summary>
    private static bool WritePlots(string directory, PipelineModel model, LabeledImages evaluation, int[] truth, int[] predicted, Log log, TextWriter error)
    {
        try
        {
            var written = new List<string> { "confusion-matrix.png", "misclassified.png" };
            Plots.ConfusionMatrix(ConfusionMatrix.Compute(truth, predicted), Path.Combine(directory, written[0]));
            Plots.Misclassified(evaluation.Pixels, evaluation.Columns, truth, predicted, Path.Combine(directory, written[1]));
            if (model.Classifier is ForestModel forest)
            {
                written.Add("feature-importances.png");
                Plots.Importances(forest.FeatureImportances, Path.Combine(directory, written[2]));
            }

            log.Info($"Plots written to {directory}: {string.Join(", ", written)}");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write the plots to '{directory}': {e.Message}");
            return false;
        }
    }

    /// <summary>With -v: the support vectors, γ and what SMO did.</summary>
    private static void LogSvm(Log log, SvmModel svm)
    {
        var c = CultureInfo.InvariantCulture;
        log.Info($"Support vectors: {svm.SupportVectorCount} (per class: {string.Join(", ", svm.SupportCounts)}); gamma = {svm.Gamma.ToString("G6", c)}");
        if (svm.TrainingReport is { } report)
        {
            log.Info($"SMO iterations: {report.TotalIterations} over {report.Iterations.Count} one-vs-one problems (most: {report.Iterations.Max()}); "
                + $"kernel rows computed: {report.KernelRowsComputed} ({report.KernelRowsPrefetched} ahead of need, {report.PrefetchedRowsUsed} of those used)"
                + (report.ReachedIterationLimit ? "; WARNING: the iteration limit stopped a problem before the tolerance was met" : string.Empty));
        }
    }

    /// <summary>With -v: the trees, the depth they reached, their nodes and the out-of-bag accuracy when asked.</summary>
    private static void LogForest(Log log, ForestModel forest)
    {
        var c = CultureInfo.InvariantCulture;
        log.Info($"Trees: {forest.TreeCount}; depth reached: {forest.MaxDepthReached}; nodes: {forest.NodeCount.ToString("N0", c)}"
            + (forest.OutOfBagScore is { } oob ? $"; out-of-bag accuracy: {oob.ToString("F4", c)}" : string.Empty));
    }

    /// <summary>The number of support vectors when the model has them, for the JSON summary (null: the field is omitted).</summary>
    internal static int? SupportVectorCount(IClassifierModel model) => model switch
    {
        PipelineModel pipeline => SupportVectorCount(pipeline.Classifier),
        SvmModel svm => svm.SupportVectorCount,
        _ => null,
    };

    /// <summary>The process's peak resident memory (Linux's VmHWM), or null where /proc does not tell it.</summary>
    private static double? PeakMemoryMegabytes()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && double.TryParse(line[6..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double kilobytes))
            {
                return kilobytes / 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static string JsonSummary(
        string model, int trainRows, double fitSeconds, double? predictSeconds, double? accuracy, IClassifierModel fitted, SearchSummary? search)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteNumber("n_train", trainRows);
            json.WriteNumber("fit_seconds", fitSeconds);
            WriteNumberOrNull(json, "predict_seconds", predictSeconds);
            WriteNumberOrNull(json, "accuracy", accuracy);
            if (SupportVectorCount(fitted) is { } supportVectors)
            {
                json.WriteNumber("n_support", supportVectors);
            }

            if ((fitted as PipelineModel)?.Classifier is ForestModel forest)
            {
                json.WriteNumber("n_trees", forest.TreeCount);
                json.WriteNumber("n_nodes", forest.NodeCount);
                json.WriteNumber("max_depth_reached", forest.MaxDepthReached);
                if (forest.OutOfBagScore is { } oob)
                {
                    json.WriteNumber("oob_score", oob);
                }
            }

            if ((fitted as PipelineModel)?.Classifier is SgdModel sgd)
            {
                json.WriteNumber("n_iter", sgd.Iterations);
            }

            if (search is not null)
            {
                json.WriteNumber("search_seconds", search.Seconds);
                json.WriteNumber("best_score", search.BestScore);
                json.WriteString("scoring", search.Scoring);
                json.WritePropertyName("best_params");
                WriteParameters(json, search.BestParameters);
            }

            if (PeakMemoryMegabytes() is { } peak)
            {
                json.WriteNumber("peak_memory_mb", Math.Round(peak, 1));
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Article(string word) => word.Length > 0 && "aeiou".Contains(word[0]) ? "an" : "a";

    /// <summary>What a <c>-g</c> search found, for the JSON summary.</summary>
    private sealed record SearchSummary(double Seconds, double BestScore, IReadOnlyList<SearchParameter> BestParameters, string Scoring);

    /// <summary>What <see cref="Prepare"/> made of the flags.</summary>
    private sealed record TrainPlan(Pipeline Learner, ComputeBudget Budget, Log Log, (int Index, int Count)? Shard);

    /// <summary>INFO lines on stderr in the original project's style, only with --verbose.</summary>
    private sealed class Log(bool enabled, TextWriter writer)
    {
        public bool Enabled => enabled;

        public void Info(string message)
        {
            if (enabled)
            {
                writer.WriteLine($"INFO    {message}");
            }
        }

        /// <summary>A line without the INFO prefix (as scikit-learn's own messages appear in the original's log).</summary>
        public void Line(string message)
        {
            if (enabled)
            {
                writer.WriteLine(message);
            }
        }
    }
}
