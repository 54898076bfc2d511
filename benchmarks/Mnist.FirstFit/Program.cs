// How fast the library is in an application that does not tune the runtime: a console app with the defaults (tiered
// compilation, dynamic PGO), loading an HDF5 dataset and fitting StandardScaler + one model a few times in one
// process, printing each fit's and prediction's time. The mnist CLI turns tiered compilation off, so the comparison
// runner's figures are fully optimised code from the first call; this shows what a first fit costs elsewhere.
//
//   dotnet run -c Release --project benchmarks/Mnist.FirstFit -- --dataset data.h5 [--train-size 10000] [-M svm|forest|extra|sgd] [--fits 3]
//
// Compare with DOTNET_TieredCompilation=0 (every method fully optimised at its first call, as in the CLI).
using System.Diagnostics;
using System.Globalization;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

string dataset = "data.h5", model = "svm";
int trainSize = 10_000, fits = 3;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--dataset": dataset = Next(); break;
        case "--train-size": trainSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "-M" or "--model": model = Next(); break;
        case "--fits": fits = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"error: unknown argument '{args[i]}'."); return 2;
    }
}

IClassifier classifier = model switch
{
    "svm" => new SvmClassifier { C = 8, Gamma = SvmGamma.Auto },
    "forest" => new RandomForestClassifier(),
    "extra" => new ExtraTreesClassifier(),
    "sgd" => new SgdClassifier(),
    _ => null!,
};
if (classifier is null || fits < 1 || trainSize < 0)
{
    Console.Error.WriteLine("error: -M is svm, forest, extra or sgd; --fits at least 1; --train-size 0 (all) or more.");
    return 2;
}

if (!File.Exists(dataset))
{
    Console.Error.WriteLine($"error: the dataset '{dataset}' does not exist; write it with `mnist fetch`.");
    return 1;
}

var data = MnistDataset.Load(dataset);
var train = trainSize > 0 ? data.Train.Take(trainSize) : data.Train;
var learner = new Pipeline(new StandardScaler(), classifier);
// The environment variable overrides the app's runtime configuration, which leaves tiering on unless it says otherwise.
bool tiered = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is { } variable
    ? variable != "0"
    : !AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool on) || on;
Console.WriteLine($"{model}, {train.Rows:N0} training rows, tiered compilation {(tiered ? "on" : "off")}");
for (int fit = 1; fit <= fits; fit++)
{
    var clock = Stopwatch.StartNew();
    var fitted = learner.Fit(train);
    double fitSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    int[] predicted = fitted.Predict(data.Test);
    double predictSeconds = clock.Elapsed.TotalSeconds;
    double accuracy = predicted.Zip(data.Test.LabelsAsInts()).Count(p => p.First == p.Second) / (double)predicted.Length;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fit {fit}: {fitSeconds:F3} s, predict {predictSeconds:F3} s, accuracy {accuracy:F4}"));
}

return 0;
