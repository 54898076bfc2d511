// The package test's consumer (tools/package-test.sh builds it against the packed .nupkg files, never the projects):
// every model kind is fitted, saved, loaded and must predict exactly as before the round trip; the Images companion
// decodes a PNG and loads the same model file. Exits non-zero with the reason on the first difference.
// `write-inputs DIR` instead writes the inputs of the `mnist` tool's test: the four IDX files and a PNG of a bar.
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Images;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

const int Side = 28, Pixels = Side * Side, Rows = 300;
if (args is ["write-inputs", var inputs])
{
    WriteInputs(inputs);
    return 0;
}

var (train, labels) = Bars(Rows, seed: 1);
var (test, _) = Bars(60, seed: 2);

var svm = new SvmClassifier { C = 10, Gamma = SvmGamma.Scale, Probability = true, Seed = 3 };
var forest = new RandomForestClassifier { Trees = 20, Seed = 3 };
var extra = new ExtraTreesClassifier { Trees = 20, Seed = 3 };
var sgd = new SgdClassifier { Seed = 3 };
var learners = new (string Name, IClassifier Learner)[]
{
    ("svm", svm),
    ("forest", forest),
    ("extra", extra),
    ("sgd", sgd),
    ("voting", new VotingClassifier([new("svm", svm), new("forest", forest), new("extra", extra)]) { Voting = VotingMode.Soft }),
    ("pipeline-standard", new Pipeline(new StandardScaler(), svm)),
    ("pipeline-minmax", new Pipeline([new MinMaxScaler(), new StandardScaler()], sgd)),
    ("dummy", new DummyClassifier()),
};

string folder = Directory.CreateTempSubdirectory("mnist-package-test-").FullName;
try
{
    foreach (var (name, learner) in learners)
    {
        var model = learner.Fit(train, labels);
        string path = Path.Combine(folder, name + ".model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load(path);
        int[] before = model.Predict(test), after = loaded.Predict(test);
        Check(before.AsSpan().SequenceEqual(after), $"{name}: predictions after loading differ from those before saving");
        if (model.SupportsProbabilities)
        {
            Check(model.PredictProbabilities(test).Cast<double>().SequenceEqual(loaded.PredictProbabilities(test).Cast<double>()),
                $"{name}: probabilities after loading differ");
        }

        double accuracy = before.Zip(Bars(60, seed: 2).Labels).Count(pair => pair.First == pair.Second) / 60.0;
        Check(name == "dummy" || accuracy >= 0.9, $"{name}: accuracy {accuracy:F3} on the bars is below 0.9");
        Console.WriteLine($"{name,-18} saved, loaded, {before.Length} predictions equal; accuracy {accuracy:F3}");
    }

    // The companion package: a PNG of a vertical bar, decoded and normalised, predicted by the forest's file loaded
    // through DigitImage (which checks the model takes 784 pixels).
    float[] pixels = DigitImage.ToMnistPixels(BarPng());
    Check(pixels.Length == Pixels, $"DigitImage gave {pixels.Length} pixels, not {Pixels}");
    var digitModel = DigitImage.LoadDigitModel(Path.Combine(folder, "forest.model"));
    int digit = digitModel.Predict(new FeatureMatrix(pixels, Pixels))[0];
    Console.WriteLine($"images             a PNG bar decoded to {pixels.Length} pixels, predicted as class {digit}");
}
finally
{
    Directory.Delete(folder, recursive: true);
}

Console.WriteLine("package test: every model kind round-trips through its file");
return 0;

// Three classes of 28x28 pictures, a vertical bar, a horizontal bar and a square, a few pixels apart, with noise.
static (FeatureMatrix Features, int[] Labels) Bars(int rows, int seed)
{
    var random = new Random(seed);
    var values = new float[rows * Pixels];
    var labels = new int[rows];
    for (int row = 0; row < rows; row++)
    {
        int label = labels[row] = row % 3;
        var picture = values.AsSpan(row * Pixels, Pixels);
        for (int i = 0; i < Pixels; i++)
        {
            picture[i] = (float)(random.NextDouble() * 0.2);
        }

        int x0 = random.Next(8, 12), y0 = random.Next(8, 12);
        var (width, height) = label switch { 0 => (3, 12), 1 => (12, 3), _ => (8, 8) };
        for (int y = y0; y < y0 + height; y++)
        {
            for (int x = x0; x < x0 + width; x++)
            {
                picture[y * Side + x] = 1f;
            }
        }
    }

    return (new FeatureMatrix(values, Pixels), labels);
}

// A white vertical bar on black, as a PNG.
static byte[] BarPng()
{
    using var image = new Image<L8>(Side, Side);
    for (int y = 4; y < 24; y++)
    {
        for (int x = 12; x < 16; x++)
        {
            image[x, y] = new L8(255);
        }
    }

    using var png = new MemoryStream();
    image.SaveAsPng(png);
    return png.ToArray();
}

// The bars as MNIST's four gzip IDX files (600 training, 120 test pictures) and bar.png, for `mnist fetch --from`.
static void WriteInputs(string directory)
{
    Directory.CreateDirectory(directory);
    foreach (var (count, seed, images, labelFile) in new[]
             {
                 (600, 4, MnistFiles.TrainImages, MnistFiles.TrainLabels),
                 (120, 5, MnistFiles.TestImages, MnistFiles.TestLabels),
             })
    {
        var (features, labels) = Bars(count, seed);
        byte[] pixels = features.ToArray().Select(value => (byte)(value * 255)).ToArray();
        IdxFile.WriteImages(Path.Combine(directory, images + ".gz"), new IdxImages(pixels, count, Side, Side), gzip: true);
        IdxFile.WriteLabels(Path.Combine(directory, labelFile + ".gz"), labels.Select(label => (byte)label).ToArray(), gzip: true);
    }

    File.WriteAllBytes(Path.Combine(directory, "bar.png"), BarPng());
}

static void Check(bool condition, string failure)
{
    if (!condition)
    {
        Console.Error.WriteLine("package test FAILED: " + failure);
        Environment.Exit(1);
    }
}
