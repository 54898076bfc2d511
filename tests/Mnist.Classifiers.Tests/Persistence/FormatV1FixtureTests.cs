using System.Buffers.Binary;
using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Tests.Persistence;

/// <summary>
/// Model files written by the library when the format was version 1 (Fixtures/format-v1, see its README) stand for
/// files users already have: the current library must load them and predict exactly what they predicted then.
/// </summary>
public sealed class FormatV1FixtureTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", "format-v1");

    public static TheoryData<string> ModelNames() => new(FixtureModels());

    [Fact]
    public void Every_model_in_expected_json_has_its_file()
    {
        using var expected = ReadExpected();
        var names = expected.RootElement.GetProperty("models").EnumerateObject().Select(m => m.Name);
        names.Should().BeEquivalentTo(FixtureModels());
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void A_format_1_file_loads_and_predicts_what_it_predicted_when_written(string name)
    {
        using var expected = ReadExpected();
        var root = expected.RootElement;
        var x = Features(root);
        var model = ModelFile.Load(Path.Combine(FixtureDirectory, name + ".model"));
        var then = root.GetProperty("models").GetProperty(name);

        model.Predict(x).Should().Equal(Predictions(then));
        // The fixture recorded probabilities and decision values exactly where the model had them, so the loaded
        // model's capabilities must say the same.
        var probabilities = then.GetProperty("probabilities");
        model.SupportsProbabilities.Should().Be(probabilities.ValueKind == JsonValueKind.Array);
        if (model.SupportsProbabilities)
        {
            ShouldMatch(model.PredictProbabilities(x), probabilities, "probabilities");
        }

        var decisions = then.GetProperty("decisions");
        model.SupportsDecisionFunction.Should().Be(decisions.ValueKind == JsonValueKind.Array);
        if (model.SupportsDecisionFunction)
        {
            ShouldMatch(model.DecisionFunction(x), decisions, "decisions");
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void A_format_1_file_saved_again_is_format_2_and_stays_byte_identical(string name)
    {
        var model = ModelFile.Load(Path.Combine(FixtureDirectory, name + ".model"));
        byte[] saved = ModelFile.Serialize((IPersistable)model);
        var reloaded = ModelFile.Deserialize<IClassifierModel>(saved, name);

        BinaryPrimitives.ReadUInt16LittleEndian(saved.AsSpan(8)).Should().Be(ModelFile.FormatVersion);
        ModelFile.Serialize((IPersistable)reloaded).Should().Equal(saved);
        using var expected = ReadExpected();
        var root = expected.RootElement;
        reloaded.Predict(Features(root)).Should().Equal(Predictions(root.GetProperty("models").GetProperty(name)));
    }

    /// <summary>The names of the *.model files in the fixture directory, without the extension.</summary>
    private static string[] FixtureModels() =>
        Directory.GetFiles(FixtureDirectory, "*.model").Select(file => Path.GetFileNameWithoutExtension(file)).Order(StringComparer.Ordinal).ToArray();

    private static JsonDocument ReadExpected() => JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "expected.json")));

    /// <summary>The input rows: <c>features</c> holds them row-major, <c>columns</c> wide.</summary>
    private static FeatureMatrix Features(JsonElement root) =>
        new(root.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()).ToArray(), root.GetProperty("columns").GetInt32());

    private static IEnumerable<int> Predictions(JsonElement model) => model.GetProperty("predictions").EnumerateArray().Select(v => v.GetInt32());

    /// <summary>Equal to within 1e-12 relative: the values come from the same arithmetic as when they were written.</summary>
    private static void ShouldMatch(double[,] actual, JsonElement expected, string what)
    {
        actual.GetLength(0).Should().Be(expected.GetArrayLength(), what);
        int r = 0;
        foreach (var row in expected.EnumerateArray())
        {
            actual.GetLength(1).Should().Be(row.GetArrayLength(), what);
            int c = 0;
            foreach (var value in row.EnumerateArray())
            {
                double e = value.GetDouble();
                actual[r, c].Should().BeApproximately(e, 1e-12 * Math.Abs(e), $"{what}[{r}, {c}]");
                c++;
            }

            r++;
        }
    }
}
