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
        float[] storage = root.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var x = new FeatureMatrix(storage, root.GetProperty("columns").GetInt32());
        var model = ModelFile.Load(Path.Combine(FixtureDirectory, name + ".model"));
        var then = root.GetProperty("models").GetProperty(name);

        model.Predict(x).Should().Equal(then.GetProperty("predictions").EnumerateArray().Select(v => v.GetInt32()));
        if (then.GetProperty("probabilities") is { ValueKind: JsonValueKind.Array } probabilities)
        {
            ShouldMatch(((IProbabilisticModel)model).PredictProbabilities(x), probabilities, "probabilities");
        }

        if (then.GetProperty("decisions") is { ValueKind: JsonValueKind.Array } decisions)
        {
            ShouldMatch(((IDecisionFunctionModel)model).DecisionFunction(x), decisions, "decisions");
        }
    }

    /// <summary>The names of the *.model files in the fixture directory, without the extension.</summary>
    private static string[] FixtureModels() =>
        Directory.GetFiles(FixtureDirectory, "*.model").Select(file => Path.GetFileNameWithoutExtension(file)).Order(StringComparer.Ordinal).ToArray();

    private static JsonDocument ReadExpected() => JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "expected.json")));

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
