using System.CommandLine;
using System.Diagnostics;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;

namespace Mnist.Cli;

/// <summary><c>mnist fetch</c>: builds the HDF5 dataset file from OpenML, an IDX mirror or a local directory.</summary>
public static class FetchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => Create(handler: null);

    /// <summary>Builds the command with the HTTP handler its downloads go through (tests pass a fake one).</summary>
    internal static Command Create(HttpMessageHandler? handler)
    {
        var outpath = new Option<string>("--outpath", "-o")
        {
            Description = "Where to write the HDF5 dataset file.",
            DefaultValueFactory = _ => "data.h5",
        };
        var shift = new Option<bool>("--shift", "-s")
        {
            Description = "Add four copies of every training image, moved one pixel left, right, up and down.",
        };
        var rotate = new Option<bool>("--rotate", "-r")
        {
            Description = "Add two copies of every training image, turned 10 degrees each way.",
        };
        var from = new Option<string?>("--from")
        {
            Description = "Take the four IDX files (raw or .gz) from this directory instead of downloading them.",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the stratified train/validation split.",
            DefaultValueFactory = _ => StratifiedSplit.DefaultSeed,
        };
        var validationSize = new Option<int?>("--validation-size")
        {
            Description = "How many of the 60,000 training images to hold out as the validation set (default 10,000; 0 trains on all of them, as the benchmarks against scikit-learn do).",
        };
        var cacheDir = new Option<string?>("--cache-dir")
        {
            Description = "Directory that keeps downloaded files for reuse (default: $XDG_CACHE_HOME/mnist-classifiers, else ~/.cache/mnist-classifiers).",
        };

        var command = new Command("fetch",
            "Get the MNIST digits (OpenML's mnist_784, an IDX mirror, or local IDX files), split the 60,000 training " +
            "images into train and validation sets, optionally augment the train set, and save everything to HDF5.")
        {
            outpath, shift, rotate, from, seed, validationSize, cacheDir,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            try
            {
                var clock = Stopwatch.StartNew();
                var augmentations = (parseResult.GetValue(shift) ? Augmentations.Shift : Augmentations.None)
                                  | (parseResult.GetValue(rotate) ? Augmentations.Rotate : Augmentations.None);
                var path = parseResult.GetValue(outpath)!;
                var dataset = await FetchAsync(
                    path, parseResult.GetValue(from), parseResult.GetValue(cacheDir), parseResult.GetValue(seed), augmentations,
                    parseResult.GetValue(validationSize), handler, error, cancellationToken).ConfigureAwait(false);
                output.WriteLine(
                    $"Wrote {path}: train {dataset.Train.Rows}, validation {dataset.Validation.Rows}, test {dataset.Test.Rows} rows " +
                    $"(source {dataset.Info.Source}, augmentation {dataset.Info.Augmentation}, seed {dataset.Info.SplitSeed}) in {clock.Elapsed.TotalSeconds:F1} s.");
                return 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                error.WriteLine("mnist fetch: cancelled.");
                return 130;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error.WriteLine($"mnist fetch: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Gets MNIST (from <paramref name="directory"/>'s IDX files, else by downloading), splits and augments it, and
    /// saves it to <paramref name="path"/> (through a temporary file): what <c>mnist fetch</c> does, and what
    /// <c>mnist train</c> does first when its dataset file does not exist.
    /// </summary>
    internal static async Task<MnistDataset> FetchAsync(
        string path, string? directory, string? cacheDirectory, int seed, Augmentations augmentations, int? validationSize,
        HttpMessageHandler? handler, TextWriter log, CancellationToken cancellationToken)
    {
        CheckOutputPath(path);
        return await ProgressDisplay.RunAsync(log, lines: true, async progress =>
        {
            RawMnist raw;
            if (directory is not null)
            {
                raw = MnistFetcher.LoadLocal(directory);
            }
            else
            {
                using var http = handler is null ? MnistFetcher.CreateDefaultHttpClient() : new HttpClient(handler, disposeHandler: false);
                var fetcher = new MnistFetcher(http, cacheDirectory, log, settings: null, progress.Downloads);
                raw = await fetcher.DownloadAsync(cancellationToken).ConfigureAwait(false);
            }

            if (validationSize is < 0 || validationSize > raw.Training.Rows)
            {
                throw new ArgumentException($"--validation-size must be between 0 and {raw.Training.Rows}; got {validationSize}.");
            }

            var budget = ComputeBudget.Default.WithCancellation(cancellationToken).WithProgress(progress.Fitting);
            var dataset = MnistDatasetBuilder.Build(raw, seed, augmentations, validationSize, budget);
            dataset.Save(path);
            return dataset;
        }).ConfigureAwait(false);
    }

    private static void CheckOutputPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The output path (--outpath) is empty.");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"The output path '{path}' is a directory.");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot write '{path}': the directory '{directory}' does not exist.");
        }
    }
}
