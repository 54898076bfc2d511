using System.Collections.Concurrent;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Reference;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>
/// One small fitted model of every kind the exporter knows, on the first 2,000 MNIST training images (standard scaled),
/// fitted once per test run and shared by the ONNX tests; the 2,000 test rows to predict.
/// </summary>
internal static class OnnxTestModels
{
    /// <summary>The rows the ONNX tests compare predictions on.</summary>
    public const int TestRows = 2000;

    private static readonly Lazy<ReferenceDataSet> Multiclass = new(() => ReferenceData.MnistSubset(trainRows: 2000, testRows: TestRows));
    private static readonly Lazy<ReferenceDataSet> Binary = new(() => ReferenceData.MnistBinary(trainRows: 2000, testRows: 1500));
    private static readonly ConcurrentDictionary<string, Lazy<IClassifierModel>> Fitted = new();

    /// <summary>The names of every case, for theories.</summary>
    public static readonly string[] Names =
    [
        "svm-rbf", "svm-poly", "svm-linear", "svm-sigmoid", "svm-rbf-without-probabilities", "svm-rbf-binary",
        "random-forest", "extra-trees", "random-forest-binary",
        "sgd-hinge", "sgd-log-loss", "sgd-modified-huber", "sgd-log-loss-binary",
        "pipeline-standard-scaler-sgd", "pipeline-minmax-clip-forest", "pipeline-standard-scaler-minmax-svm", "pipeline-minmax-pca-svm", "pipeline-pca-whiten-svm",
        "voting-hard", "voting-soft", "dummy",
    ];

    /// <summary>The data set of a case: binary cases on MNIST's 3s and 5s, the others on all ten digits.</summary>
    public static ReferenceDataSet Data(string name) => name.EndsWith("-binary", StringComparison.Ordinal) ? Binary.Value : Multiclass.Value;

    /// <summary>The fitted model of a case (fitted on first use).</summary>
    public static IClassifierModel Model(string name) => Fitted.GetOrAdd(name, n => new Lazy<IClassifierModel>(() => Fit(n))).Value;

    private static IClassifierModel Fit(string name)
    {
        var data = Data(name);
        IClassifierModel FitOn(IClassifier classifier) => classifier.Fit(data.Train, data.TrainLabels);
        var svm = new SvmClassifier { Probability = true, Seed = 1 };
        return name switch
        {
            "svm-rbf" or "svm-rbf-binary" => FitOn(svm),
            "svm-poly" => FitOn(svm with { Kernel = SvmKernelType.Polynomial }),
            "svm-linear" => FitOn(svm with { Kernel = SvmKernelType.Linear }),
            // A γ under the kernel's saturation on 784 standard-scaled features.
            "svm-sigmoid" => FitOn(svm with { Kernel = SvmKernelType.Sigmoid, Gamma = SvmGamma.Fixed(1e-4) }),
            "svm-rbf-without-probabilities" => FitOn(new SvmClassifier()),
            "random-forest" or "random-forest-binary" => FitOn(new RandomForestClassifier { Trees = 20, Seed = 1 }),
            "extra-trees" => FitOn(new ExtraTreesClassifier { Trees = 20, Seed = 1 }),
            "sgd-hinge" => FitOn(new SgdClassifier { Seed = 1 }),
            "sgd-log-loss" or "sgd-log-loss-binary" => FitOn(new SgdClassifier { Loss = SgdLoss.LogLoss, Seed = 1 }),
            "sgd-modified-huber" => FitOn(new SgdClassifier { Loss = SgdLoss.ModifiedHuber, Seed = 1 }),
            "pipeline-standard-scaler-sgd" => FitOn(new Pipeline(new StandardScaler(), new SgdClassifier { Loss = SgdLoss.LogLoss, Seed = 1 })),
            "pipeline-minmax-clip-forest" => FitOn(new Pipeline(new MinMaxScaler(-1, 1, Clip: true), new RandomForestClassifier { Trees = 10, Seed = 2 })),
            "pipeline-standard-scaler-minmax-svm" => FitOn(new Pipeline([new StandardScaler(WithMean: false), new MinMaxScaler()], new SvmClassifier())),
            "pipeline-minmax-pca-svm" => FitOn(new Pipeline([new MinMaxScaler(), new Pca(Components: 50)], svm)),
            "pipeline-pca-whiten-svm" => FitOn(new Pipeline([new MinMaxScaler(), new Pca(VarianceFraction: 0.9, Whiten: true)], new SvmClassifier())),
            // The members are the models fitted above (the internal constructor spares fitting them again): what is
            // tested is how the export combines them.
            "voting-hard" => new VotingModel(
                ["svm", "forest", "sgd"], [Model("svm-rbf-without-probabilities"), Model("random-forest"), Model("sgd-hinge")], VotingMode.Hard, null, null),
            "voting-soft" => new VotingModel(
                ["svm", "forest", "sgd"], [Model("svm-rbf"), Model("random-forest"), Model("sgd-log-loss")], VotingMode.Soft, [2, 1, 1], null),
            "dummy" => FitOn(new DummyClassifier()),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such ONNX test case."),
        };
    }
}
