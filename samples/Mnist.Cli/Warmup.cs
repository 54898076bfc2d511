using Mnist.Classifiers;
using Mnist.Classifiers.Data;

namespace Mnist.Cli;

/// <summary>
/// Compiles the training and prediction code while the dataset loads. The CLI runs with tiered compilation off, so
/// every method is compiled, fully optimised, the first time it runs; in a 10,000-row SVM fit that first-call
/// compilation (the micro-kernel's tile instantiations, the SMO scans, the vectorised exp) was about 0.15 s of a 0.8 s
/// fit, on the fit's own threads, and a forest's first prediction of the 10,000 test rows took 0.11 s against 0.07 s
/// for the next ones. <see cref="Start"/> fits the same learner (or runs the same search) on a few hundred synthetic
/// digits and predicts them, on one thread, as soon as the flags are checked: the compilation then happens on the other
/// core while the main thread reads the file. The timed fit converts the pixels and fits the pipeline's steps, then its
/// classifier waits for the warm-up (<see cref="FitAfter"/>), so whatever the warm-up takes beyond that is still counted
/// in the fit time; only the overlap is saved. (The warm-up ended 30–40 ms after a 10,000-row load, and now ends before
/// the scaler does; waiting before the conversion and the scaler made the fit 4-5% slower, 0.400 / 0.457 s against
/// 0.381 / 0.437 s with AVX-512 / its AVX2 path on an Intel Xeon. Splitting the warm-up itself over two threads was slower still: the third busy thread
/// on two cores delayed the loading and the classifier's compiling.)
/// </summary>
internal static class Warmup
{
    private const int Classes = 10;
    private const int RowsPerClass = 30;
    private const int Pixels = 784;

    /// <summary>
    /// Starts the warm-up of <paramref name="learner"/> (or of its grid search with <paramref name="search"/>) for the
    /// models whose compilation is a noticeable part of a fit or a prediction (the SVM, the forests and the ensemble of
    /// them); null for the others. The warm-up also predicts its rows, so that the timed prediction is compiled too. A
    /// forest is warmed up with two of its trees: the code is the same for any count.
    /// </summary>
    public static Task? Start(string model, Pipeline learner, Func<Pipeline, Classifiers.ModelSelection.GridSearch<Pipeline>>? search, ComputeBudget budget)
    {
        if (model is not ("svm" or "voting" or "forest" or "extra") || (search is not null && model != "svm"))
        {
            return null;
        }

        var warm = learner.Classifier is Classifiers.Trees.ForestClassifier forest
            ? learner with { Classifier = forest with { Trees = Math.Min(forest.Trees, 2) } }
            : learner;
        var oneThread = budget.WithThreads(1).WithProgress(null);
        return Task.Run(() =>
        {
            var images = SyntheticDigits();
            var features = images.ToFeatures(oneThread);
            try
            {
                // The timed fit and prediction take the images themselves (Pipeline.Fit and PipelineModel.Predict of
                // LabeledImages), a search the converted rows: the same calls here.
                IClassifierModel? fitted;
                if (search is null)
                {
                    var model = warm.Fit(images, oneThread);
                    model.Predict(images, oneThread);
                    fitted = model;
                }
                else
                {
                    fitted = search(warm).Fit(features, images.LabelsAsInts(), oneThread).BestModel;
                    fitted?.Predict(features, oneThread);
                }

                // The SVM's kernel batches take any number of rows, and each count up to a tile's height has its own
                // compiled micro-kernel; the fit above meets only some of them. Predicting 1 to 13 rows (13: a full tile
                // and a one-row one) compiles the rest here instead of on the timed fit's threads (11 AVX-512 tiles and the
                // one-row kernel, ~6 ms of its CPU).
                for (int rows = 1; rows <= 13 && fitted is not null; rows++)
                {
                    fitted.Predict(features.Subset([.. Enumerable.Range(0, rows)]), oneThread);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException or OperationCanceledException)
            {
                // The warm-up only compiles code: a learner that fails on synthetic rows fails on the real ones too, with
                // the real data named in the error, so nothing is reported from here.
            }
        });
    }

    /// <summary>Waits for a started warm-up; call it inside the timed fit so that the wait is counted.</summary>
    public static void WaitWithin(Task? warmup)
    {
        if (warmup is null)
        {
            return;
        }

        // Whatever ended the warm-up, the real fit runs next and reports its own errors: the warm-up never fails a command.
        ((IAsyncResult)warmup).AsyncWaitHandle.WaitOne();
    }

    /// <summary>
    /// <paramref name="pipeline"/> with its classifier waiting for <paramref name="warmup"/> at the start of its fit: the
    /// pixels' conversion and the pipeline's steps (compiled first by the warm-up) then run while the warm-up still
    /// compiles the classifier, instead of after it. The fitted model is the classifier's own.
    /// </summary>
    public static Pipeline FitAfter(Task? warmup, Pipeline pipeline) =>
        warmup is null ? pipeline : pipeline with { Classifier = new AfterWarmup(warmup, pipeline.Classifier) };

    private sealed class AfterWarmup(Task warmup, IClassifier classifier) : IClassifier
    {
        public void Validate() => classifier.Validate();

        public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null)
        {
            WaitWithin(warmup);
            return classifier.Fit(features, labels, budget);
        }
    }

    /// <summary>
    /// Ten classes of 28 × 28 "digits": per class a random prototype of ink and background, each row the prototype with
    /// a tenth of its pixels flipped, so that the classes overlap a little and the SVM's solver takes real steps. Bytes, as
    /// the file's rows are, so that their conversion is compiled here too and not inside the timed fit. The ink stays in
    /// the central 16 × 16 box, about a fifth of all pixels as in MNIST (whose digits fill a 20 × 20 box): a PCA in the
    /// pipeline then meets a border of constant columns, as on real digits, and decomposes a matrix of a few hundred
    /// columns instead of 784 × 784 (0.64 s each; the recipe's virtual support vectors fit the PCA twice, and the timed
    /// fit waited for both).
    /// </summary>
    private static LabeledImages SyntheticDigits()
    {
        const int Side = 28, Box = 16, Margin = (Side - Box) / 2;
        var random = new SeededRandom(0);
        var prototypes = new bool[Classes, Pixels];
        for (int c = 0; c < Classes; c++)
        {
            for (int j = 0; j < Pixels; j++)
            {
                prototypes[c, j] = InBox(j) && random.NextDouble() < 0.6;
            }
        }

        var pixels = new byte[Classes * RowsPerClass * Pixels];
        var labels = new byte[Classes * RowsPerClass];
        for (int i = 0; i < labels.Length; i++)
        {
            int c = i % Classes;
            labels[i] = (byte)c;
            for (int j = 0; j < Pixels; j++)
            {
                bool ink = prototypes[c, j] ^ (InBox(j) && random.NextDouble() < 0.1);
                pixels[(i * Pixels) + j] = ink ? (byte)255 : (byte)0;
            }
        }

        return new LabeledImages(pixels, labels, Pixels);

        static bool InBox(int pixel) => ((pixel / Side) - Margin) is >= 0 and < Box && ((pixel % Side) - Margin) is >= 0 and < Box;
    }
}
