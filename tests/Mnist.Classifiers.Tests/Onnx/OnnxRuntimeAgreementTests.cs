using Mnist.Classifiers.Onnx;
using Mnist.Classifiers.Svm;
using Xunit.Abstractions;

namespace Mnist.Classifiers.Tests.Onnx;

/// <summary>
/// Every exported model kind run by ONNX Runtime on 2,000 MNIST test rows: the labels are the library's (for an SVM,
/// rows whose one-vs-one decision values are within single-precision rounding of a tie may vote differently; they are
/// counted and must be few) and the probabilities within 1e-4, present exactly when the model has them.
/// </summary>
public class OnnxRuntimeAgreementTests(ITestOutputHelper output)
{
    /// <summary>
    /// How close to zero a pair's decision value must be for its vote to count as a tie in single precision: ONNX
    /// Runtime sums float coefficients times float kernel values, the library double coefficients, and their values
    /// differ by about 1e-6 on these models.
    /// </summary>
    private const double TieTolerance = 1e-4;

    /// <summary>At most this many of the 2,000 rows may be excepted as ties (0.1%).</summary>
    private const int MaxTies = 2;

    public static TheoryData<string> Cases() => new(OnnxTestModels.Names);

    [Theory]
    [MnistMemberData(nameof(Cases))]
    public void ONNX_Runtime_predicts_what_the_library_predicts(string name)
    {
        var model = OnnxTestModels.Model(name);
        var test = OnnxTestModels.Data(name).Test;

        var (labels, probabilities) = OnnxRuntimeRunner.Run(OnnxExport.ToBytes(model), test);

        int[] expected = model.Predict(test);
        labels.Should().HaveCount(test.Rows);
        var differing = Enumerable.Range(0, test.Rows).Where(r => labels[r] != expected[r]).ToArray();
        if (Svm(model) is { } svm && differing.Length > 0)
        {
            // A row may differ only where some pair's decision value is a tie up to rounding; such rows are counted.
            var transformed = model is PipelineModel pipeline ? pipeline.Transform(test) : test;
            var decisions = svm.DecisionFunctionOneVsOne(transformed);
            foreach (int r in differing)
            {
                Enumerable.Range(0, svm.PairCount).Min(p => Math.Abs(decisions[r, p]))
                    .Should().BeLessThan(TieTolerance, $"row {r} is predicted {labels[r]} by ONNX Runtime and {expected[r]} by the library");
            }

            differing.Length.Should().BeLessThanOrEqualTo(MaxTies, "few rows are within rounding of a tie");
        }
        else
        {
            differing.Should().BeEmpty($"ONNX Runtime must give the library's labels (first rows differing: {string.Join(", ", differing.Take(5))})");
        }

        if (!model.SupportsProbabilities)
        {
            output.WriteLine($"{name}: {differing.Length} labels differ (ties)");
            probabilities.Should().BeNull("a model without probabilities exports only its labels");
            return;
        }

        probabilities.Should().NotBeNull();
        var reference = model.PredictProbabilities(test);
        probabilities!.GetLength(1).Should().Be(model.Classes.Count);
        double worst = 0;
        for (int r = 0; r < test.Rows; r++)
        {
            for (int c = 0; c < model.Classes.Count; c++)
            {
                worst = Math.Max(worst, Math.Abs(probabilities[r, c] - reference[r, c]));
            }
        }

        output.WriteLine($"{name}: {differing.Length} labels differ (ties), largest probability difference {worst:G3}");
        worst.Should().BeLessThan(1e-4);
    }

    private static SvmModel? Svm(IClassifierModel model) => model switch
    {
        SvmModel svm => svm,
        PipelineModel pipeline => pipeline.Classifier as SvmModel,
        _ => null,
    };
}
