using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Tests.Persistence;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Trees;

public sealed class ForestModelPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-forest-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (ForestModel Model, Mnist.Classifiers.Data.FeatureMatrix X) Fitted(bool extra)
    {
        var (x, y) = ForestTestData.Continuous(200, 5, 3, informative: 2, seed: 11, labelNoise: 0.2);
        ForestModel model = extra
            ? new ExtraTreesClassifier { Trees = 6, MaxDepth = 5, Bootstrap = true, OutOfBagScore = true }.Fit(x, y.Select(v => v * 2 + 1).ToArray())
            : new RandomForestClassifier { Trees = 6, OutOfBagScore = true }.Fit(x, y.Select(v => v * 2 + 1).ToArray());
        return (model, x);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_round_trip_keeps_every_part_and_the_same_bytes(bool extra)
    {
        var (model, x) = Fitted(extra);
        string path = Path.Combine(_directory, "forest.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<ForestModel>(path);

        ModelFileBytes.Objects(File.ReadAllBytes(path)).Single().Kind.Should().Be(extra ? "extra" : "forest");
        loaded.IsExtraTrees.Should().Be(extra);
        loaded.Classes.Should().Equal(model.Classes);
        loaded.FeatureCount.Should().Be(model.FeatureCount);
        loaded.TreeCount.Should().Be(model.TreeCount);
        loaded.NodeCount.Should().Be(model.NodeCount);
        loaded.MaxDepthReached.Should().Be(model.MaxDepthReached);
        loaded.OutOfBagScore.Should().Be(model.OutOfBagScore);
        loaded.FitTime.Should().Be(model.FitTime);
        loaded.FeatureImportances.Should().Equal(model.FeatureImportances);
        loaded.Nodes.ToArray().Should().Equal(model.Nodes.ToArray());
        loaded.LeafValues.ToArray().Should().Equal(model.LeafValues.ToArray());
        loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x), o => o.WithStrictOrdering());
        loaded.Predict(x).Should().Equal(model.Predict(x));
        ModelFile.Serialize(loaded).Should().Equal(File.ReadAllBytes(path), "saving the loaded model again gives the same bytes");
    }

    /// <summary>The payload's fields, in order, as the reader reads them.</summary>
    private sealed class Payload
    {
        public int[] Classes = [];
        public int FeatureCount;
        public int[] Starts = [];
        public int[] Features = [];
        public float[] Thresholds = [];
        public int[] Left = [];
        public int[] Right = [];
        public double[] LeafValues = [];
        public double[] Importances = [];
        public double? Oob;
        public long? Ticks;

        public static Payload Of(ForestModel model)
        {
            var bytes = ModelFileBytes.Payload(model);
            var reader = new BinaryReader(new MemoryStream(bytes));
            int[] Ints() => Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadInt32()).ToArray();
            double[] Doubles() => Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadDouble()).ToArray();
            return new Payload
            {
                Classes = Ints(), FeatureCount = reader.ReadInt32(), Starts = Ints(), Features = Ints(),
                Thresholds = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadSingle()).ToArray(),
                Left = Ints(), Right = Ints(), LeafValues = Doubles(), Importances = Doubles(),
                Oob = reader.ReadBoolean() ? reader.ReadDouble() : null, Ticks = reader.ReadBoolean() ? reader.ReadInt64() : null,
            };
        }

        public byte[] File(string kind) => ModelFileBytes.Frame(2, body =>
        {
            var payload = new ModelWriter();
            payload.WriteInt32Array(Classes);
            payload.WriteInt32(FeatureCount);
            payload.WriteInt32Array(Starts);
            payload.WriteInt32Array(Features);
            payload.WriteSingleArray(Thresholds);
            payload.WriteInt32Array(Left);
            payload.WriteInt32Array(Right);
            payload.WriteDoubleArray(LeafValues);
            payload.WriteDoubleArray(Importances);
            payload.WriteBoolean(Oob is not null);
            if (Oob is { } oob)
            {
                payload.WriteDouble(oob);
            }

            payload.WriteBoolean(Ticks is not null);
            if (Ticks is { } ticks)
            {
                payload.WriteInt64(ticks);
            }

            byte[] bytes = payload.ToArray();
            body.WriteString(kind);
            body.WriteUInt16(1);
            body.WriteInt64(bytes.Length);
            body.WriteRaw(bytes);
        });
    }

    [Fact]
    public void The_rewritten_payload_helper_reproduces_the_file()
    {
        var (model, _) = Fitted(extra: false);
        Payload.Of(model).File("forest").Should().Equal(ModelFile.Serialize(model));
    }

    public static TheoryData<string, string> Corruptions() => new()
    {
        { "child before its parent", "child out of range" },
        { "child in the next tree", "child out of range" },
        { "child is itself", "child out of range" },
        { "both children equal", "child out of range" },
        { "feature out of range", "feature, threshold or child out of range" },
        { "negative feature", "feature, threshold or child out of range" },
        { "NaN threshold", "feature, threshold or child out of range" },
        { "leaf with a child", "has children or a threshold" },
        { "leaf fractions do not sum to 1", "sum to" },
        { "negative leaf fraction", "negative or not finite" },
        { "missing leaf values", "leaf values" },
        { "tree offsets skip nodes", "tree offsets" },
        { "empty tree", "tree offsets" },
        { "node arrays disagree", "differ in length" },
        { "unsorted classes", "ascending order" },
        { "importances of another length", "feature importances" },
        { "out-of-bag score above 1", "out-of-bag score" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_crafted_payload_is_refused(string corruption, string message)
    {
        var (model, _) = Fitted(extra: false);
        var p = Payload.Of(model);
        int internalNode = Array.FindIndex(p.Features, f => f >= 0);
        int secondInternal = Array.FindIndex(p.Features, internalNode + 1, f => f >= 0);
        int leaf = Array.IndexOf(p.Features, -1);
        switch (corruption)
        {
            case "child before its parent": p.Left[secondInternal] = internalNode; break;
            case "child in the next tree": p.Right[internalNode] = p.Starts[1]; break;
            case "child is itself": p.Left[internalNode] = internalNode; break;
            case "both children equal": p.Right[internalNode] = p.Left[internalNode]; break;
            case "feature out of range": p.Features[internalNode] = p.FeatureCount; break;
            case "negative feature": p.Features[internalNode] = -2; break;
            case "NaN threshold": p.Thresholds[internalNode] = float.NaN; break;
            case "leaf with a child": p.Left[leaf] = leaf + 1; break;
            case "leaf fractions do not sum to 1": p.LeafValues[0] += 0.5; break;
            case "negative leaf fraction": p.LeafValues[0] = -p.LeafValues[0] - 1; p.LeafValues[1] += 2 * (1 - p.LeafValues[1]); break;
            case "missing leaf values": p.LeafValues = p.LeafValues[..^3]; break;
            case "tree offsets skip nodes": p.Starts[^1]--; break;
            case "empty tree": p.Starts[2] = p.Starts[1]; break;
            case "node arrays disagree": p.Thresholds = p.Thresholds[..^1]; break;
            case "unsorted classes": (p.Classes[0], p.Classes[1]) = (p.Classes[1], p.Classes[0]); break;
            case "importances of another length": p.Importances = [.. p.Importances, 0]; break;
            case "out-of-bag score above 1": p.Oob = 1.5; break;
        }

        var act = () => ModelFile.Deserialize<ForestModel>(p.File("forest"), "crafted.model");
        act.Should().Throw<InvalidDataException>().WithMessage($"*crafted.model*{message}*");
    }

    [Fact]
    public void A_truncated_payload_is_refused()
    {
        var (model, _) = Fitted(extra: true);
        byte[] payload = ModelFileBytes.Payload(model);
        byte[] file = ModelFileBytes.Frame(2, body =>
        {
            body.WriteString("extra");
            body.WriteUInt16(1);
            body.WriteInt64(payload.Length - 9);
            body.WriteRaw(payload.AsSpan(0, payload.Length - 9));
        });
        var act = () => ModelFile.Deserialize<ForestModel>(file, "short.model");
        act.Should().Throw<InvalidDataException>().WithMessage("*short.model*");
    }
}
