using Mnist.Classifiers.Data;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Persistence;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Ensembles;

public sealed class VotingModelPersistenceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static (FeatureMatrix X, int[] Y) Data() => SvmClassifierTests.Blobs(15, [1, 3, 8], 4, seed: 6, spread: 2);

    private static VotingModel Fitted(VotingMode voting, double[]? weights)
    {
        var (x, y) = Data();
        return new VotingClassifier(
        [
            new("svm", new SvmClassifier { Probability = voting == VotingMode.Soft, Seed = 1 }),
            new("forest", new Pipeline(new StandardScaler(), new RandomForestClassifier { Trees = 8, Seed = 2 })),
            new("extra", new ExtraTreesClassifier { Trees = 8, MaxDepth = 4, Seed = 3 }),
            new("dummy", new DummyClassifier()),
        ])
        {
            Voting = voting,
            Weights = weights,
        }.Fit(x, y);
    }

    [Theory]
    [InlineData(VotingMode.Hard, false)]
    [InlineData(VotingMode.Hard, true)]
    [InlineData(VotingMode.Soft, false)]
    [InlineData(VotingMode.Soft, true)]
    public void A_round_trip_keeps_the_members_the_votes_and_the_bytes(VotingMode voting, bool weighted)
    {
        var model = Fitted(voting, weighted ? [1, 0.5, 2, 0.25] : null);
        var (x, _) = Data();
        string path = _directory.File("voting.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<VotingModel>(path);

        ModelFileBytes.Objects(File.ReadAllBytes(path)).Select(f => f.Kind)
            .Should().Equal("voting", "svm", "pipeline", "standard-scaler", "forest", "extra", "dummy");
        loaded.MemberNames.Should().Equal("svm", "forest", "extra", "dummy");
        loaded.Members.Select(m => m.GetType()).Should().Equal(typeof(SvmModel), typeof(PipelineModel), typeof(ForestModel), typeof(DummyModel));
        loaded.Voting.Should().Be(voting);
        loaded.Weights.Should().Equal(model.Weights);
        loaded.FitTime.Should().Be(model.FitTime);
        loaded.Classes.Should().Equal(1, 3, 8);
        loaded.FeatureCount.Should().Be(4);
        loaded.SupportsProbabilities.Should().Be(voting == VotingMode.Soft);
        loaded.Predict(x).Should().Equal(model.Predict(x));
        if (voting == VotingMode.Soft)
        {
            loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x), o => o.WithStrictOrdering());
        }

        ModelFile.Serialize(loaded).Should().Equal(File.ReadAllBytes(path), "saving a loaded model gives the same bytes");
    }

    [Fact]
    public void A_member_from_outside_the_library_cannot_be_saved_and_the_error_names_it()
    {
        var model = new VotingClassifier([new("table", new TableClassifier([0, 1]))]).Fit(TableClassifier.Rows(2), [0, 1]);
        var act = () => ModelFile.Save(model, _directory.File("table.model"));
        act.Should().Throw<NotSupportedException>().WithMessage("*member 'table' is a TableModel*");
    }

    [Fact]
    public void A_nested_member_that_cannot_be_read_is_refused_naming_the_member()
    {
        string path = _directory.File("newer-svm.model");
        ModelFile.Save(Fitted(VotingMode.Hard, null), path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, ModelFileBytes.WithPayloadVersion(bytes, ModelFileBytes.Objects(bytes).Single(f => f.Kind == "svm"), 9));

        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>()
            .WithMessage("*newer-svm.model*voting member 'svm': its 'svm' object has payload version 9*written by a newer library*");
    }

    [Fact]
    public void A_corrupt_nested_member_payload_is_refused_naming_the_member()
    {
        // A dummy member whose payload claims 0 features.
        string path = Write("corrupt-member.model", w =>
        {
            w.WriteInt32(0);
            w.WriteInt32(1);
            w.WriteString("baseline");
            WriteRawObject(w, "dummy", d =>
            {
                d.WriteInt32(0);
                d.WriteInt32Array([0, 1]);
                d.WriteInt32Array([1, 1]);
            });
            w.WriteBoolean(false);
            w.WriteBoolean(false);
        });

        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*corrupt-member.model*voting member 'baseline': the dummy model has 0 features*");
    }

    public static TheoryData<string, string> BadPayloads() => new()
    {
        { "mode 2", "*voting mode 2, not 0 (hard) or 1 (soft)*" },
        { "no members", "*claims 0 members*" },
        { "too many members", "*claims 1000000 members*" },
        { "duplicate names", "*invalid: the members' name 'a' is used twice*" },
        { "empty name", "*invalid: the members' name 1 is empty*" },
        { "weights of another length", "*invalid: the weights hold 1 values for 2 members*" },
        { "negative weight", "*invalid: the weights hold -2 at index 0*" },
        { "zero weights", "*invalid: the weights are all 0*" },
        { "other classes", "*invalid: member 'b' has classes [0, 2] but member 'a' has [0, 1]*" },
        { "other feature count", "*invalid: member 'b' takes 3 features but member 'a' takes 2*" },
        { "soft without probabilities", "*invalid: it votes soft but member 'b' gives no probabilities*" },
        { "negative fit time", "*invalid: its fit time is negative*" },
        { "a transform as member", "*voting member 'b': it holds a 'standard-scaler'*where a IClassifierModel is expected*" },
    };

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public void An_invalid_voting_payload_is_refused(string problem, string message)
    {
        var x = new FeatureMatrix([0, 1, 2, 3], 2);
        IPersistable Dummy(int[] labels, FeatureMatrix? features = null) => new DummyClassifier().Fit(features ?? x, labels);
        IPersistable a = Dummy([0, 1]);
        IPersistable b = problem switch
        {
            "other classes" => Dummy([0, 2]),
            "other feature count" => Dummy([0, 1], new FeatureMatrix([0, 1, 2, 3, 4, 5], 3)),
            "soft without probabilities" => new SvmClassifier().Fit(x, [0, 1]),
            "a transform as member" => new StandardScaler().Fit(x),
            _ => Dummy([0, 1]),
        };

        string path = Write("bad.model", w =>
        {
            w.WriteInt32(problem switch { "mode 2" => 2, "soft without probabilities" => 1, _ => 0 });
            w.WriteInt32(problem switch { "no members" => 0, "too many members" => 1_000_000, _ => 2 });
            w.WriteString("a");
            w.WriteObject(a);
            w.WriteString(problem switch { "duplicate names" => "a", "empty name" => "", _ => "b" });
            w.WriteObject(b);
            double[]? weights = problem switch
            {
                "weights of another length" => [1],
                "negative weight" => [-2, 3],
                "zero weights" => [0, 0],
                _ => null,
            };
            w.WriteBoolean(weights is not null);
            if (weights is not null)
            {
                w.WriteDoubleArray(weights);
            }

            w.WriteBoolean(problem == "negative fit time");
            if (problem == "negative fit time")
            {
                w.WriteInt64(-1);
            }
        });

        var act = () => ModelFile.Load(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*bad.model*{message}");
    }

    /// <summary>Writes a model file whose body is one 'voting' object with the payload <paramref name="payload"/> writes.</summary>
    private string Write(string name, Action<ModelWriter> payload)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, ModelFileBytes.Frame(ModelFile.FormatVersion, body => WriteRawObject(body, VotingModel.Kind, payload)));
        return path;
    }

    /// <summary>Frames a payload as an object of <paramref name="kind"/> at payload version 1, whatever the payload holds.</summary>
    private static void WriteRawObject(ModelWriter writer, string kind, Action<ModelWriter> payload)
    {
        var content = new ModelWriter();
        payload(content);
        byte[] bytes = content.ToArray();
        writer.WriteString(kind);
        writer.WriteUInt16(1);
        writer.WriteInt64(bytes.Length);
        writer.WriteRaw(bytes);
    }
}
