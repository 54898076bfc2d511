using System.Globalization;
using System.Text.Json.Nodes;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Tests.Reference;

namespace Mnist.Classifiers.Tests.Linear;

/// <summary>
/// <see cref="SgdClassifier"/> against scikit-learn 1.2's <c>SGDClassifier</c>: with shuffling off the weights after an
/// epoch are scikit-learn's to rounding, for every loss, penalty, schedule, averaging and class weighting; several epochs
/// stop after the same number of epochs; batches of <see cref="SgdClassifier.PartialFit"/> continue as
/// <c>partial_fit</c> does; and on 10,000 standard-scaled MNIST rows every classification loss is as accurate as
/// scikit-learn's within 1 point.
/// </summary>
public class SgdAgreementTests
{
    // Fits SGDClassifier(shuffle=False, **options) on float32 rows (widened to float64, as scikit-learn does) and prints
    // coef_, intercept_, n_iter_ and t_ as JSON; with 'batches', partial_fit over that many equal slices instead.
    private const string SgdScript = """
        import json, sys
        import numpy as np
        from sklearn.linear_model import SGDClassifier
        x_path, y_path, cols, options = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
        x = np.fromfile(x_path, dtype=np.float32).reshape(-1, cols).astype(np.float64)
        y = np.fromfile(y_path, dtype=np.int32)
        if isinstance(options.get('class_weight'), dict):
            options['class_weight'] = {int(k): v for k, v in options['class_weight'].items()}
        batches = options.pop('batches', 0)
        model = SGDClassifier(shuffle=False, random_state=0, **options)
        if batches:
            for part in np.array_split(np.arange(len(y)), batches):
                model.partial_fit(x[part], y[part], classes=np.unique(y))
        else:
            model.fit(x, y)
        print(json.dumps({'coef': model.coef_.tolist(), 'intercept': model.intercept_.tolist(),
                          'n_iter': int(model.n_iter_), 't': float(model.t_)}))
        """;

    /// <summary>Each configuration: our options and scikit-learn's, on a one-epoch fit unless it says otherwise.</summary>
    public static TheoryData<string> Configurations() =>
    [
        "hinge-l2", "log_loss-l2", "modified_huber-l2", "squared_hinge-l2", "perceptron-l2",
        "hinge-l1", "log_loss-elasticnet", "modified_huber-elasticnet-l1ratio-0.5", "hinge-none",
        "hinge-average", "log_loss-average-100", "hinge-invscaling", "log_loss-constant", "hinge-adaptive-epochs",
        "squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive",
        "class-weight", "balanced", "binary", "binary-class-weight", "no-intercept",
        "epochs-tol", "epochs-tol-l1", "partial-fit", "partial-fit-average",
    ];

    [PythonTheory]
    [MemberData(nameof(Configurations))]
    public void The_weights_equal_scikit_learns_without_shuffling(string configuration)
    {
        bool binary = configuration.StartsWith("binary", StringComparison.Ordinal);
        var data = ReferenceData.GaussianBlobs("sgd", 150, 0, 8, binary ? 2 : 3, 1.5, seed: 17);
        var x = data.Train;
        int[] y = data.TrainLabels.Select(label => (label * 3) + 2).ToArray();
        var ours = new SgdClassifier { Shuffle = false, MaxIterations = 1, Tolerance = null };
        var theirs = new JsonObject { ["max_iter"] = 1, ["tol"] = null };

        void Loss(SgdLoss loss, string name)
        {
            ours = ours with { Loss = loss };
            theirs["loss"] = name;
        }

        string[] parts = configuration.Split('-');
        switch (parts[0])
        {
            case "log_loss": Loss(SgdLoss.LogLoss, "log_loss"); break;
            case "modified_huber": Loss(SgdLoss.ModifiedHuber, "modified_huber"); break;
            case "squared_hinge": Loss(SgdLoss.SquaredHinge, "squared_hinge"); break;
            case "perceptron": Loss(SgdLoss.Perceptron, "perceptron"); break;
            case "squared_error": Loss(SgdLoss.SquaredError, "squared_error"); break;
            case "huber": Loss(SgdLoss.Huber, "huber"); break;
            case "epsilon_insensitive": Loss(SgdLoss.EpsilonInsensitive, "epsilon_insensitive"); break;
            case "squared_epsilon_insensitive": Loss(SgdLoss.SquaredEpsilonInsensitive, "squared_epsilon_insensitive"); break;
        }

        if (parts[0] is "huber" or "epsilon_insensitive" or "squared_epsilon_insensitive")
        {
            // A small ε so that the ε-insensitive zone does not swallow every row.
            ours = ours with { Epsilon = 0.3, LearningRate = SgdLearningRate.InvScaling, Eta0 = 0.01 };
            theirs["epsilon"] = 0.3;
            theirs["learning_rate"] = "invscaling";
            theirs["eta0"] = 0.01;
        }

        if (parts[0] is "squared_error")
        {
            // The optimal schedule's first steps are too long for the squared error (scikit-learn's own advice).
            ours = ours with { LearningRate = SgdLearningRate.Constant, Eta0 = 0.001 };
            theirs["learning_rate"] = "constant";
            theirs["eta0"] = 0.001;
        }

        switch (configuration)
        {
            case "hinge-l1":
                ours = ours with { Penalty = SgdPenalty.L1, Alpha = 0.01 };
                theirs["penalty"] = "l1";
                theirs["alpha"] = 0.01;
                break;
            case "log_loss-elasticnet":
                ours = ours with { Penalty = SgdPenalty.ElasticNet, Alpha = 0.005 };
                theirs["penalty"] = "elasticnet";
                theirs["alpha"] = 0.005;
                break;
            case "modified_huber-elasticnet-l1ratio-0.5":
                ours = ours with { Penalty = SgdPenalty.ElasticNet, L1Ratio = 0.5, Alpha = 0.01 };
                theirs["penalty"] = "elasticnet";
                theirs["l1_ratio"] = 0.5;
                theirs["alpha"] = 0.01;
                break;
            case "hinge-none":
                ours = ours with { Penalty = SgdPenalty.None };
                theirs["penalty"] = null;
                break;
            case "hinge-average":
                ours = ours with { Average = 1, MaxIterations = 3 };
                theirs["average"] = true;
                theirs["max_iter"] = 3;
                break;
            case "log_loss-average-100":
                ours = ours with { Average = 100, Alpha = 0.01, MaxIterations = 2 };
                theirs["average"] = 100;
                theirs["alpha"] = 0.01;
                theirs["max_iter"] = 2;
                break;
            case "hinge-invscaling":
                ours = ours with { LearningRate = SgdLearningRate.InvScaling, Eta0 = 0.1, PowerT = 0.3 };
                theirs["learning_rate"] = "invscaling";
                theirs["eta0"] = 0.1;
                theirs["power_t"] = 0.3;
                break;
            case "log_loss-constant":
                ours = ours with { LearningRate = SgdLearningRate.Constant, Eta0 = 0.05 };
                theirs["learning_rate"] = "constant";
                theirs["eta0"] = 0.05;
                break;
            case "hinge-adaptive-epochs":
                // Enough epochs without improvement for the adaptive step to be divided by 5 at least once.
                ours = ours with { LearningRate = SgdLearningRate.Adaptive, Eta0 = 0.5, MaxIterations = 40, Tolerance = 0.01, IterationsWithNoChange = 2 };
                theirs["learning_rate"] = "adaptive";
                theirs["eta0"] = 0.5;
                theirs["max_iter"] = 40;
                theirs["tol"] = 0.01;
                theirs["n_iter_no_change"] = 2;
                break;
            case "class-weight":
            case "binary-class-weight":
                ours = ours with { ClassWeights = new Dictionary<int, double> { [2] = 3.0, [5] = 0.5 } };
                theirs["class_weight"] = new JsonObject { ["2"] = 3.0, ["5"] = 0.5 };
                break;
            case "balanced":
                x = x.Subset(Enumerable.Range(0, x.Rows).Where(i => y[i] != 2 || i % 3 == 0).ToArray());
                y = y.Where((label, i) => label != 2 || i % 3 == 0).ToArray();
                ours = ours with { ClassWeightMode = ClassWeightMode.Balanced };
                theirs["class_weight"] = "balanced";
                break;
            case "no-intercept":
                ours = ours with { FitIntercept = false };
                theirs["fit_intercept"] = false;
                break;
            case "epochs-tol":
                ours = ours with { MaxIterations = 100, Tolerance = 1e-3 };
                theirs["max_iter"] = 100;
                theirs["tol"] = 1e-3;
                break;
            case "epochs-tol-l1":
                ours = ours with { MaxIterations = 100, Tolerance = 1e-3, Penalty = SgdPenalty.L1, Alpha = 0.001 };
                theirs["max_iter"] = 100;
                theirs["tol"] = 1e-3;
                theirs["penalty"] = "l1";
                theirs["alpha"] = 0.001;
                break;
            case "partial-fit":
                theirs["batches"] = 3;
                break;
            case "partial-fit-average":
                ours = ours with { Average = 1 };
                theirs["average"] = true;
                theirs["batches"] = 2;
                break;
        }

        SgdModel model;
        if (configuration.StartsWith("partial-fit", StringComparison.Ordinal))
        {
            model = null!;
            int[] classes = y.Distinct().Order().ToArray();
            int batches = (int)theirs["batches"]!;
            for (int b = 0; b < batches; b++)
            {
                // numpy's array_split: the first (rows mod batches) slices get one row more.
                int start = (b * (x.Rows / batches)) + Math.Min(b, x.Rows % batches);
                int count = (x.Rows / batches) + (b < x.Rows % batches ? 1 : 0);
                int[] rows = Enumerable.Range(start, count).ToArray();
                model = ours.PartialFit(b == 0 ? null : model, x.Subset(rows), rows.Select(r => y[r]).ToArray(), b == 0 ? classes : null);
            }
        }
        else
        {
            model = ours.Fit(x, y);
        }

        var contiguous = x.ToContiguous();
        string xPath = PythonReference.WriteRaw<float>(contiguous.AsSpan());
        string yPath = PythonReference.WriteRaw<int>(y);
        JsonNode expected;
        try
        {
            expected = JsonNode.Parse(PythonReference.Run(SgdScript, xPath, yPath, x.Columns.ToString(CultureInfo.InvariantCulture), theirs.ToJsonString()))!;
        }
        finally
        {
            File.Delete(xPath);
            File.Delete(yPath);
        }

        double[][] coef = expected["coef"]!.AsArray().Select(row => row!.AsArray().Select(v => (double)v!).ToArray()).ToArray();
        double[] intercept = expected["intercept"]!.AsArray().Select(v => (double)v!).ToArray();
        model.ProblemCount.Should().Be(coef.Length);
        model.Iterations.Should().Be((int)expected["n_iter"]!, "the stopping rule stops after the same epoch");
        model.Updates.Should().Be((long)(double)expected["t"]! - 1, "t_ − 1 counts the updates");

        // Within 1e-6 of the problem's largest weight: a weight near 0 differs by the rounding of the others.
        for (int p = 0; p < coef.Length; p++)
        {
            double scale = coef[p].Max(Math.Abs);
            scale.Should().BeGreaterThan(1e-3, "the reference weights are not trivial");
            double[] actual = model.Coefficients(p).ToArray();
            for (int j = 0; j < actual.Length; j++)
            {
                actual[j].Should().BeApproximately(coef[p][j], 1e-6 * scale, $"problem {p}, weight {j}");
            }

            // scikit-learn 1.2's one-vs-rest partial_fit with averaging writes each problem's last unaveraged intercept into
            // intercept_ from the second call on (intercept_ is then the _average_intercept array; its fit_binary stored the
            // average first), and reads the unaveraged intercept to continue from a _standard_intercept it no longer
            // updates. We keep both right; after two batches its intercept_ is our unaveraged one.
            double ourIntercept = configuration == "partial-fit-average" ? model.StandardIntercept(p) : model.Intercepts[p];
            ourIntercept.Should().BeApproximately(intercept[p], 1e-6 * Math.Max(scale, Math.Abs(intercept[p])), $"problem {p}'s intercept");
        }

        if (configuration.Contains("l1", StringComparison.Ordinal) && !configuration.Contains("l1ratio", StringComparison.Ordinal))
        {
            model.Coefficients(0).ToArray().Should().Contain(0.0, "the cumulative L1 penalty sets weights to exactly 0 as scikit-learn's does");
        }
    }

    // Fits SGDClassifier with one loss on float32 rows and prints its test accuracy.
    private const string MnistScript = """
        import sys, warnings
        import numpy as np
        from sklearn.linear_model import SGDClassifier
        warnings.simplefilter('ignore')
        cols, epochs, loss = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
        x = np.fromfile(sys.argv[1], dtype=np.float32).reshape(-1, cols)
        y = np.fromfile(sys.argv[2], dtype=np.int32)
        xt = np.fromfile(sys.argv[3], dtype=np.float32).reshape(-1, cols)
        yt = np.fromfile(sys.argv[4], dtype=np.int32)
        model = SGDClassifier(loss=loss, max_iter=epochs, tol=None, random_state=0, n_jobs=2).fit(x, y)
        print(float((model.predict(xt) == yt).mean()))
        """;

    /// <summary>The classification losses, by scikit-learn's name; skipped (saying why) where the MNIST files are missing.</summary>
    public static TheoryData<string, SgdLoss> ClassificationLosses() => new()
    {
        { "hinge", SgdLoss.Hinge }, { "log_loss", SgdLoss.LogLoss }, { "modified_huber", SgdLoss.ModifiedHuber },
        { "squared_hinge", SgdLoss.SquaredHinge }, { "perceptron", SgdLoss.Perceptron },
    };

    [PythonTheory]
    [MnistMemberData(nameof(ClassificationLosses))]
    public void Every_classification_loss_on_mnist_is_as_accurate_as_scikit_learns(string name, SgdLoss loss)
    {
        // 10,000 standard-scaled training rows and 10 epochs on each side (the stopping rule would run hundreds), scored
        // on 10,000 test rows.
        const int epochs = 10;
        var data = ReferenceData.MnistSubset(trainRows: 10_000, testRows: 10_000);
        var model = new SgdClassifier { Loss = loss, MaxIterations = epochs, Tolerance = null, Seed = 1 }.Fit(data.Train, data.TrainLabels);
        double accuracy = model.Predict(data.Test).Zip(data.TestLabels).Count(p => p.First == p.Second) / (double)data.Test.Rows;

        string[] paths =
        [
            PythonReference.WriteRaw<float>(data.Train.AsSpan()), PythonReference.WriteRaw<int>(data.TrainLabels),
            PythonReference.WriteRaw<float>(data.Test.AsSpan()), PythonReference.WriteRaw<int>(data.TestLabels),
        ];
        double reference;
        try
        {
            reference = double.Parse(PythonReference.Run(MnistScript, [.. paths, "784", epochs.ToString(CultureInfo.InvariantCulture), name]), CultureInfo.InvariantCulture);
        }
        finally
        {
            foreach (string path in paths)
            {
                File.Delete(path);
            }
        }

        reference.Should().BeGreaterThan(0.8, $"scikit-learn's {name} learns MNIST");
        accuracy.Should().BeApproximately(reference, 0.01, $"{name}: ours {accuracy:F4}, scikit-learn's {reference:F4}");
    }
}
