// The ML.NET side of the comparison runner (benchmarks/Mnist.Comparison): what a .NET user would reach for instead of
// this library. Trains FastForest (one-versus-all, ML.NET has no multiclass random forest) or LightGBM (boosting,
// multiclass) beside the forests, LinearSvm (one-versus-all) or SdcaMaximumEntropy beside the SGD classifier, on the
// first N training rows of an HDF5 file written by `mnist fetch`, predicts the test rows and prints one JSON object
// with the fields of `mnist train --json`.
//
//   dotnet exec Mnist.MlNet.dll -d data.h5 --trainer fastforest|lightgbm|linearsvm|sdca [--trees 100] [--train-size N]
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mnist.Classifiers.Data;

string dataset = "data.h5", trainer = "fastforest";
int trees = 100, trainSize = 0;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "-d": dataset = Next(); break;
        case "--trainer": trainer = Next(); break;
        case "--trees": trees = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--train-size": trainSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
    }
}

var data = MnistDataset.Load(dataset);
var train = trainSize > 0 ? data.Train.Take(trainSize) : data.Train;
var ml = new MLContext(seed: 0);
IDataView trainView = ml.Data.LoadFromEnumerable(Rows(train));
IDataView testView = ml.Data.LoadFromEnumerable(Rows(data.Test));

// Trees need no scaling (a split on x is a split on any monotone function of x), so unlike the seed's pipeline
// there is no normaliser for them: it would only add time to ML.NET's side. The linear trainers get the
// StandardScaler's equivalent (mean and variance, zero not kept fixed), as our SGD and scikit-learn's do.
IEstimator<ITransformer> labels = ml.Transforms.Conversion.MapValueToKey("Label");
IEstimator<ITransformer> standardized = labels.Append(ml.Transforms.NormalizeMeanVariance("Features", fixZero: false));
var estimator = (trainer switch
{
    "fastforest" => (IEstimator<ITransformer>)labels.Append(ml.MulticlassClassification.Trainers.OneVersusAll(
        ml.BinaryClassification.Trainers.FastForest(numberOfTrees: trees))),
    "lightgbm" => labels.Append(ml.MulticlassClassification.Trainers.LightGbm(numberOfIterations: trees)),
    "linearsvm" => standardized.Append(ml.MulticlassClassification.Trainers.OneVersusAll(
        ml.BinaryClassification.Trainers.LinearSvm())),
    "sdca" => standardized.Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy()),
    _ => throw new ArgumentException($"--trainer must be fastforest, lightgbm, linearsvm or sdca, not '{trainer}'."),
}).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var clock = Stopwatch.StartNew();
var model = estimator.Fit(trainView);
double fitSeconds = clock.Elapsed.TotalSeconds;

clock.Restart();
uint[] predicted = ml.Data.CreateEnumerable<Prediction>(model.Transform(testView), reuseRowObject: false)
    .Select(p => p.PredictedLabel).ToArray();
double predictSeconds = clock.Elapsed.TotalSeconds;
double accuracy = predicted.Zip(data.Test.Labels).Count(p => p.First == p.Second) / (double)predicted.Length;

Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["library"] = "ML.NET " + typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0],
    ["model"] = trainer,
    ["n_train"] = train.Rows,
    ["fit_seconds"] = fitSeconds,
    ["predict_seconds"] = predictSeconds,
    ["accuracy"] = accuracy,
    ["peak_memory_mb"] = PeakMemoryMegabytes(),
}));
return 0;

static IEnumerable<Row> Rows(LabeledImages images)
{
    for (int i = 0; i < images.Rows; i++)
    {
        var features = new float[images.Columns];
        for (int j = 0; j < images.Columns; j++)
        {
            features[j] = images.Pixels[(long)i * images.Columns + j];
        }

        yield return new Row { Features = features, Label = images.Labels[i] };
    }
}

static double PeakMemoryMegabytes()
{
    string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? double.NaN : double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
}

internal sealed class Row
{
    [VectorType(784)]
    public float[] Features { get; set; } = [];

    public uint Label { get; set; }
}

internal sealed class Prediction
{
    public uint PredictedLabel { get; set; }
}
