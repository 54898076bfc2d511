using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Tests.Persistence;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.Linear;

public sealed class SgdModelPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-sgd-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (SgdModel Model, Mnist.Classifiers.Data.FeatureMatrix X, int[] Y) Fitted(int classes, SgdLoss loss, int average)
    {
        int[] labels = Enumerable.Range(0, classes).Select(c => (c * 5) - 3).ToArray();
        var (x, y) = SvmClassifierTests.Blobs(25, labels, 4, seed: 13, spread: 2.0);
        return (new SgdClassifier { Loss = loss, Average = average, Seed = 8 }.Fit(x, y), x, y);
    }

    [Theory]
    [InlineData(2, SgdLoss.Hinge, 0)]
    [InlineData(3, SgdLoss.LogLoss, 1)]
    [InlineData(4, SgdLoss.ModifiedHuber, 30)]
    public void A_round_trip_keeps_every_part_and_the_same_predictions(int classes, SgdLoss loss, int average)
    {
        var (model, x, y) = Fitted(classes, loss, average);
        string path = Path.Combine(_directory, "sgd.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<SgdModel>(path);

        ModelFileBytes.Objects(File.ReadAllBytes(path)).Single().Kind.Should().Be("sgd");
        loaded.Loss.Should().Be(model.Loss);
        loaded.Classes.Should().Equal(model.Classes);
        loaded.FeatureCount.Should().Be(model.FeatureCount);
        loaded.Intercepts.Should().Equal(model.Intercepts);
        loaded.Iterations.Should().Be(model.Iterations);
        loaded.Updates.Should().Be(model.Updates);
        loaded.AverageStart.Should().Be(model.AverageStart);
        loaded.UsesAverage.Should().Be(average > 0);
        loaded.FitTime.Should().Be(model.FitTime);
        for (int p = 0; p < model.ProblemCount; p++)
        {
            loaded.Coefficients(p).ToArray().Should().Equal(model.Coefficients(p).ToArray());
        }

        loaded.Predict(x).Should().Equal(model.Predict(x));
        loaded.DecisionFunction(x).Should().BeEquivalentTo(model.DecisionFunction(x), o => o.WithStrictOrdering());
        if (model.SupportsProbabilities)
        {
            loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x), o => o.WithStrictOrdering());
        }

        ModelFile.Serialize(loaded).Should().Equal(File.ReadAllBytes(path), "saving the loaded model again gives the same bytes");

        // The unaveraged weights travel too: continuing the loaded model is continuing the original.
        var sgd = new SgdClassifier { Loss = loss, Average = average, Seed = 8 };
        var continued = sgd.PartialFit(model, x, y);
        var continuedLoaded = sgd.PartialFit(loaded, x, y);
        continuedLoaded.Coefficients(0).ToArray().Should().Equal(continued.Coefficients(0).ToArray());
        continuedLoaded.Intercepts.Should().Equal(continued.Intercepts);
    }

    public static TheoryData<string, string> Corruptions() => new()
    {
        { "unknown loss", "loss" },
        { "one class", "classes" },
        { "unsorted classes", "ascending order" },
        { "weights of another length", "do not form" },
        { "intercepts of another count", "do not form" },
        { "NaN weight", "not finite" },
        { "infinite intercept", "not finite" },
        { "negative update count", "negative" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_crafted_payload_is_refused(string corruption, string message)
    {
        var (model, _, _) = Fitted(3, SgdLoss.Hinge, 0);
        int loss = (int)model.Loss;
        int[] classes = model.Classes.ToArray();
        double[] weights = Enumerable.Range(0, model.ProblemCount).SelectMany(p => model.Coefficients(p).ToArray()).ToArray();
        double[] intercepts = model.Intercepts.ToArray();
        long updates = model.Updates;
        switch (corruption)
        {
            case "unknown loss": loss = 42; break;
            case "one class": classes = classes[..1]; break;
            case "unsorted classes": (classes[0], classes[1]) = (classes[1], classes[0]); break;
            case "weights of another length": weights = weights[..^1]; break;
            case "intercepts of another count": intercepts = intercepts[..^1]; break;
            case "NaN weight": weights[3] = double.NaN; break;
            case "infinite intercept": intercepts[1] = double.PositiveInfinity; break;
            case "negative update count": updates = -1; break;
        }

        byte[] file = ModelFileBytes.Frame(2, body =>
        {
            var payload = new ModelWriter();
            payload.WriteInt32(loss);
            payload.WriteInt32Array(classes);
            payload.WriteInt32(model.FeatureCount);
            payload.WriteDoubleArray(weights);
            payload.WriteDoubleArray(intercepts);
            payload.WriteInt32(0);
            payload.WriteInt64(updates);
            payload.WriteInt32(model.Iterations);
            payload.WriteBoolean(false);
            byte[] bytes = payload.ToArray();
            body.WriteString("sgd");
            body.WriteUInt16(1);
            body.WriteInt64(bytes.Length);
            body.WriteRaw(bytes);
        });

        var act = () => ModelFile.Deserialize<SgdModel>(file, "crafted.model");
        act.Should().Throw<InvalidDataException>().WithMessage($"*crafted.model*{message}*");
    }
}
