// ONNX Runtime's SVMClassifier against SvmModel.Predict: trains the SVM on the dataset's training rows (or loads it),
// exports it, then predicts the test rows with both, alternately, and prints the medians.
//
// Usage: dotnet run -c Release --project benchmarks/Mnist.OnnxSpeed -- <dataset.h5> [model.bin] [runs]
// The model file is written after training and loaded on later runs, so the timing can be repeated without refitting.
using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Onnx;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;

string datasetPath = args.Length > 0 ? args[0] : "/tmp/cmp/full.h5";
string modelPath = args.Length > 1 ? args[1] : "/tmp/onnx-speed-svm.bin";
int runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;

var dataset = MnistDataset.Load(datasetPath);
FeatureMatrix Scaled(LabeledImages images)
{
    // Pixels / 255, the runner's scaling for the SVM (C = 8, γ = auto as in docs/benchmarks.md).
    var features = images.ToFeatures().ToContiguous();
    var values = features.AsSpan().ToArray();
    TensorPrimitives.Divide(values, 255f, values);
    return new FeatureMatrix(values, features.Columns);
}

var test = Scaled(dataset.Test);
int[] truth = dataset.Test.LabelsAsInts();
SvmModel model;
if (File.Exists(modelPath))
{
    model = ModelFile.Load<SvmModel>(modelPath);
    Console.WriteLine($"model: {modelPath} (loaded)");
}
else
{
    var fit = Stopwatch.StartNew();
    model = new SvmClassifier { C = 8, Gamma = SvmGamma.Auto }.Fit(Scaled(dataset.Train), dataset.Train.LabelsAsInts());
    Console.WriteLine($"model: fitted on {dataset.Train.Rows} rows in {fit.Elapsed.TotalSeconds:F1} s, saved to {modelPath}");
    ModelFile.Save(model, modelPath);
}

Console.WriteLine($"{model.SupportVectorCount} support vectors, {test.Rows} test rows, {Environment.ProcessorCount} logical CPUs");
byte[] onnx = OnnxExport.ToBytes(model);
using var options = new SessionOptions { IntraOpNumThreads = Environment.ProcessorCount };
using var session = new InferenceSession(onnx, options);
var input = new DenseTensor<float>(test.AsSpan().ToArray(), [test.Rows, test.Columns]);

long[] RunOnnx(DenseTensor<float> rows)
{
    using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, rows)]);
    return results.Single(r => r.Name == OnnxExport.LabelName).AsTensor<long>().ToArray();
}

// One warm-up each (JIT; ONNX Runtime's first-run set-up, on 64 rows only: its RBF kernel is one thread of scalar
// loops, svm_common.h's batched_kernel_dot), then alternate so drifts hit both alike.
int[] ours = model.Predict(test);
RunOnnx(new DenseTensor<float>(test.AsSpan()[..(64 * test.Columns)].ToArray(), [64, test.Columns]));
long[] theirs = [];
var oursTimes = new List<double>();
var onnxTimes = new List<double>();
for (int run = 0; run < runs; run++)
{
    var watch = Stopwatch.StartNew();
    ours = model.Predict(test);
    oursTimes.Add(watch.Elapsed.TotalSeconds);
    watch.Restart();
    theirs = RunOnnx(input);
    onnxTimes.Add(watch.Elapsed.TotalSeconds);
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
int differing = ours.Where((label, r) => label != theirs[r]).Count();
double accuracy = ours.Where((label, r) => label == truth[r]).Count() / (double)truth.Length;
Console.WriteLine($"| predictor | median s ({runs} runs) | all runs s |");
Console.WriteLine("|---|---|---|");
Console.WriteLine($"| SvmModel.Predict | {Median(oursTimes):F3} | {string.Join(", ", oursTimes.Select(t => t.ToString("F3")))} |");
Console.WriteLine($"| ONNX Runtime SVMClassifier | {Median(onnxTimes):F3} | {string.Join(", ", onnxTimes.Select(t => t.ToString("F3")))} |");
Console.WriteLine($"ratio (ONNX Runtime / ours): {Median(onnxTimes) / Median(oursTimes):F1}x; labels differing: {differing}; test accuracy {accuracy:F4}");
