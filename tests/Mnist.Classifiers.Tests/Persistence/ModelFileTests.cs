using System.Buffers.Binary;
using System.Security.Cryptography;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;
using Mnist.Classifiers.Tests.Svm;

namespace Mnist.Classifiers.Tests.Persistence;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static PipelineModel FittedPipeline(out FeatureMatrix x)
    {
        x = Synthetic.RandomMatrix(60, 8, 21);
        int[] labels = Enumerable.Range(0, 60).Select(i => (i * 7) % 4 == 0 ? 3 : i % 3).ToArray();
        return new Pipeline([new MinMaxScaler(-1, 1, Clip: true), new StandardScaler()], new DummyClassifier()).Fit(x, labels);
    }

    [Fact]
    public void Round_trip_restores_every_part_and_predicts_identically()
    {
        var model = FittedPipeline(out var x);
        string path = PathOf("model.bin");
        ModelFile.Save(model, path);

        var loaded = ModelFile.Load<PipelineModel>(path);
        loaded.Predict(x).Should().Equal(model.Predict(x));
        loaded.Classes.Should().Equal(model.Classes);
        loaded.FeatureCount.Should().Be(8);
        loaded.Transform(x).ToArray().Should().Equal(model.Transform(x).ToArray());
        loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x));
        var scaler = (FittedStandardScaler)loaded.Transforms[1];
        scaler.Means.Should().Equal(((FittedStandardScaler)model.Transforms[1]).Means);
        ((FittedMinMaxScaler)loaded.Transforms[0]).Clip.Should().BeTrue();
        ((DummyModel)loaded.Classifier).ClassCounts.Should().Equal(((DummyModel)model.Classifier).ClassCounts);

        ModelFile.Load(path).Should().BeOfType<PipelineModel>();
        File.ReadAllBytes(path).Should().Equal(ModelFile.Serialize(loaded), "saving is deterministic and lossless");
        Directory.GetFiles(_directory).Should().ContainSingle("the temporary file was renamed, not left behind");
    }

    [Fact]
    public void Save_creates_a_missing_directory()
    {
        var model = new DummyClassifier().Fit(new FeatureMatrix(new float[3], 3), [4]);
        string path = Path.Combine(_directory, "nested", "deeper", "model.bin");

        ModelFile.Save(model, path);

        ModelFile.Load<DummyModel>(path).ClassCounts.Should().Equal(model.ClassCounts);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("the temporary file was renamed, not left behind");
    }

    [Fact]
    public void File_layout_is_the_documented_one()
    {
        byte[] bytes = ModelFile.Serialize(new DummyClassifier().Fit(new FeatureMatrix(new float[3], 3), [4]));
        bytes[..8].Should().Equal("MNISTCLF"u8.ToArray());
        BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)).Should().Be(2);
        long body = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(10));
        bytes.Length.Should().Be((int)(18 + body + 32));
        BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(18)).Should().Be(5);
        System.Text.Encoding.UTF8.GetString(bytes, 22, 5).Should().Be("dummy");
        BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(27)).Should().Be(1, "the dummy payload is at version 1");
        // Payload: feature count 3, classes [4], counts [1] = 4 + (4 + 4) + (4 + 4) bytes.
        BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(29)).Should().Be(20);
        BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(37)).Should().Be(3);
        bytes[^32..].Should().Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)));
    }

    [Fact]
    public void Every_kind_is_written_with_its_current_payload_version()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 4, seed: 5);
        var svmPipeline = new Pipeline([new StandardScaler(), new MinMaxScaler()], new SvmClassifier()).Fit(x, y);
        var frames = ModelFileBytes.Objects(ModelFile.Serialize(svmPipeline))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(new DummyClassifier().Fit(x, y))))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(new RandomForestClassifier { Trees = 2 }.Fit(x, y))))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(new ExtraTreesClassifier { Trees = 2 }.Fit(x, y))))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(new VotingClassifier([new("d", new DummyClassifier())]).Fit(x, y))).Take(1))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(new SgdClassifier().Fit(x, y))))
            .Concat(ModelFileBytes.Objects(ModelFile.Serialize(
                new Pipeline([new Deskew(), new Pca(Components: 2)], new DummyClassifier()).Fit(Synthetic.Images(3, 1).ToFeatures(), [0, 1, 0]))).Skip(1).Take(2));

        var current = new Dictionary<string, ushort>
        {
            ["dummy"] = 1,
            ["pipeline"] = 1,
            ["standard-scaler"] = 1,
            ["minmax-scaler"] = 1,
            ["svm"] = 3,
            ["forest"] = 1,
            ["extra"] = 1,
            ["voting"] = 1,
            ["sgd"] = 1,
            ["deskew"] = 1,
            ["pca"] = 1,
        };
        frames.Select(f => f.Kind).Should().Equal("pipeline", "standard-scaler", "minmax-scaler", "svm", "dummy", "forest", "extra", "voting", "sgd", "deskew", "pca");
        frames.ToDictionary(f => f.Kind, f => f.Version).Should().Equal(current);
        ModelRegistry.Kinds.Should().BeEquivalentTo(current.Keys, "every registered kind is checked");
        foreach (var (kind, version) in current)
        {
            ModelRegistry.TryGet(kind, out var entry).Should().BeTrue();
            entry!.WrittenVersion.Should().Be(version);
        }
    }

    [Theory]
    [InlineData("pipeline", 2, "1 to 1")]
    [InlineData("standard-scaler", 2, "1 to 1")]
    [InlineData("svm", 4, "1 to 3")]
    [InlineData("svm", ushort.MaxValue, "1 to 3")]
    public void An_object_from_a_newer_library_is_refused_naming_the_kind_and_versions(string kind, ushort version, string readable)
    {
        string path = PathOf("newer.bin");
        byte[] bytes = SvmPipelineFile();
        File.WriteAllBytes(path, ModelFileBytes.WithPayloadVersion(bytes, ModelFileBytes.Objects(bytes).Single(f => f.Kind == kind), version));

        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage(
            $"*newer.bin*'{kind}' object has payload version {version}*reads '{kind}' payload versions {readable}*written by a newer library; update it*");
    }

    [Theory]
    [InlineData("minmax-scaler")]
    [InlineData("svm")]
    public void An_object_older_than_the_oldest_readable_version_is_refused(string kind)
    {
        string path = PathOf("older.bin");
        byte[] bytes = SvmPipelineFile();
        File.WriteAllBytes(path, ModelFileBytes.WithPayloadVersion(bytes, ModelFileBytes.Objects(bytes).Single(f => f.Kind == kind), 0));

        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*older.bin*'{kind}' object has payload version 0*reads '{kind}' payload versions 1 to *older library*");
    }

    [Fact]
    public void A_format_1_file_is_read_as_version_1_payloads_and_saved_as_format_2()
    {
        var model = new DummyClassifier().Fit(new FeatureMatrix(new float[6], 2), [7, 3, 7]);
        byte[] payload = ModelFileBytes.Payload(model);
        // Format 1 frames an object as kind and payload length only.
        byte[] legacy = ModelFileBytes.Frame(1, body =>
        {
            body.WriteString("dummy");
            body.WriteInt64(payload.Length);
            body.WriteRaw(payload);
        });

        var loaded = ModelFile.Deserialize<DummyModel>(legacy, "legacy");
        loaded.ClassCounts.Should().Equal(model.ClassCounts);
        ModelFile.Serialize(loaded).Should().Equal(ModelFile.Serialize(model), "re-saving writes the current format");
    }

    [Fact]
    public void Overwrites_an_existing_file()
    {
        string path = PathOf("m.bin");
        File.WriteAllText(path, "old");
        ModelFile.Save(new DummyClassifier().Fit(new FeatureMatrix(new float[2], 2), [1]), path);
        ModelFile.Load<DummyModel>(path).MostFrequentClass.Should().Be(1);
    }

    [Fact]
    public void Truncated_file_is_rejected_naming_the_file()
    {
        string path = PathOf("cut.bin");
        byte[] bytes = ModelFile.Serialize(FittedPipeline(out _));
        foreach (int length in new[] { 0, 5, 20, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var act = () => ModelFile.Load(path);
            act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*")
                .Which.Message.Should().MatchRegex("truncated|signature");
        }
    }

    [Fact]
    public void Tampered_byte_fails_the_checksum()
    {
        string path = PathOf("tampered.bin");
        byte[] bytes = ModelFile.Serialize(FittedPipeline(out _));
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*tampered.bin*SHA-256 checksum does not match*")
            .Which.Data["ModelFile"].Should().Be(path);
    }

    [Fact]
    public void Future_version_is_rejected_before_anything_else()
    {
        string path = PathOf("future.bin");
        byte[] bytes = ModelFile.Serialize(FittedPipeline(out _));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 3);
        File.WriteAllBytes(path, bytes);
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*future.bin*format version 3*reads versions 1 to 2*");
    }

    [Fact]
    public void Not_a_model_file()
    {
        string path = PathOf("text.bin");
        File.WriteAllText(path, "just some text that is long enough to be a model header and checksum ................");
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*text.bin*signature*");
    }

    [Fact]
    public void Unknown_kind_is_rejected_even_with_a_valid_checksum()
    {
        string path = PathOf("unknown.bin");
        // A well-formed file whose object kind names a .NET type: it must not be looked up.
        File.WriteAllBytes(path, Frame(body =>
        {
            body.WriteString("System.Diagnostics.Process");
            body.WriteUInt16(1);
            body.WriteInt64(0);
        }));
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*unknown.bin*unknown kind 'System.Diagnostics.Process'*known kinds: deskew, dummy, extra, forest, minmax-scaler, pca, pipeline, sgd, standard-scaler*");
    }

    [Fact]
    public void Wrong_kind_for_the_requested_type()
    {
        string path = PathOf("dummy.bin");
        ModelFile.Save(new DummyClassifier().Fit(new FeatureMatrix(new float[2], 2), [1]), path);
        var act = () => ModelFile.Load<PipelineModel>(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*dummy.bin*'dummy' (DummyModel) where a PipelineModel is expected*");

        // A scaler is persistable but not a classifier: Load() refuses it, Load<T>() with its type accepts it.
        string scalerPath = PathOf("scaler.bin");
        var scaler = new StandardScaler().Fit(new FeatureMatrix([1, 2, 3, 5], 2));
        File.WriteAllBytes(scalerPath, ModelFile.Serialize(scaler));
        var asClassifier = () => ModelFile.Load(scalerPath);
        asClassifier.Should().Throw<InvalidDataException>().WithMessage("*'standard-scaler'*IClassifierModel is expected*");
        ModelFile.Load<FittedStandardScaler>(scalerPath).Scales.Should().Equal(scaler.Scales);
    }

    [Fact]
    public void Array_lengths_beyond_the_remaining_bytes_are_rejected_without_allocating()
    {
        string path = PathOf("huge.bin");
        File.WriteAllBytes(path, Frame(body =>
        {
            body.WriteString("dummy");
            body.WriteUInt16(1);
            body.WriteInt64(8);
            body.WriteInt32(3);
            body.WriteInt32(int.MaxValue); // the class array claims 2^31 elements
        }));
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*huge.bin*array of Int32 claims 2147483647 elements*");
    }

    [Fact]
    public void Invalid_payload_values_are_rejected()
    {
        string path = PathOf("invalid.bin");
        File.WriteAllBytes(path, Frame(body => body.WriteObject(new FakeDummy())));
        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*invalid.bin*classes are not strictly ascending*");
    }

    [Fact]
    public void Missing_file_and_unsupported_models_give_clear_errors()
    {
        var missing = () => ModelFile.Load(PathOf("nope.bin"));
        missing.Should().Throw<FileNotFoundException>().WithMessage("*nope.bin*");

        var save = () => ModelFile.Save(new NotPersistable(), PathOf("x.bin"));
        save.Should().Throw<NotSupportedException>().WithMessage("*NotPersistable*");
        File.Exists(PathOf("x.bin")).Should().BeFalse();
    }

    /// <summary>Writes a dummy payload with unsorted classes under the real kind, to test the reader's own checks.</summary>
    private sealed class FakeDummy : IPersistable
    {
        public string PersistenceKind => DummyModel.Kind;

        public void Write(ModelWriter writer)
        {
            writer.WriteInt32(2);
            writer.WriteInt32Array([5, 1]);
            writer.WriteInt32Array([1, 1]);
        }
    }

    private sealed class NotPersistable : PredictOnlyModel
    {
        public override IReadOnlyList<int> Classes => [0];

        public override int FeatureCount => 1;

        public override int[] Predict(FeatureMatrix features, ComputeBudget? budget = null) => new int[features.Rows];
    }

    /// <summary>A correctly framed and checksummed file of the current format around an arbitrary body.</summary>
    private static byte[] Frame(Action<ModelWriter> writeBody) => ModelFileBytes.Frame(ModelFile.FormatVersion, writeBody);

    /// <summary>A pipeline of both scalers and an SVM, so that kinds of different versions share one file.</summary>
    private static byte[] SvmPipelineFile()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 4, seed: 5);
        return ModelFile.Serialize(new Pipeline([new StandardScaler(), new MinMaxScaler()], new SvmClassifier()).Fit(x, y));
    }
}
