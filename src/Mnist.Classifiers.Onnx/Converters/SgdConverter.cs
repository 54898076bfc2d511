using Mnist.Classifiers.Linear;
using OnnxProto = global::Onnx;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The SGD linear model: its scores w·x + b by MatMul and Add in double precision, the label as their first largest
/// column, and scikit-learn's probabilities for the two losses that have them by standard operators.
/// </summary>
/// <remarks>
/// ai.onnx.ml's LinearClassifier computes the scores in single precision (ONNX Runtime: one float GEMM), and SGD's
/// scores on MNIST reach the hundreds: its probabilities were 4.2e-4 off the library's on 2,000 rows (measured), so
/// the scores are computed in double as the library computes them. A two-class model (one problem, positive for
/// <c>Classes[1]</c>) is written as two columns, −(w·x + b) and w·x + b: the first largest of the two is
/// <c>Classes[1]</c> exactly when w·x + b &gt; 0, the library's rule, and the two columns go through the same
/// normalisation as k one-vs-rest problems, which for them reproduces scikit-learn's binary formulas
/// (σ(−s) + σ(s) = 1; (clip(−s) + 1)/2 + (clip(s) + 1)/2 = 1).
/// </remarks>
internal static class SgdConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, SgdModel model, string input)
    {
        int k = model.Classes.Count, columns = model.FeatureCount;
        bool binary = model.ProblemCount == 1;
        // features × classes, row-major, for x · W.
        var coefficients = new double[columns * k];
        var intercepts = new double[k];
        for (int c = 0; c < k; c++)
        {
            int problem = binary ? 0 : c;
            double sign = binary && c == 0 ? -1 : 1;
            var weights = model.Coefficients(problem);
            for (int j = 0; j < columns; j++)
            {
                coefficients[j * k + c] = sign * weights[j];
            }

            intercepts[c] = sign * model.Intercepts[problem];
        }

        string product = graph.Apply("MatMul", graph.Cast(input, Double), graph.Doubles(coefficients, columns, k));
        string scores = graph.Apply("Add", product, graph.Doubles(intercepts, k));
        string label = OnnxConverters.LabelOfLargest(graph, scores, model.Classes);
        string? probabilities = model.Loss switch
        {
            SgdLoss.LogLoss => Normalise(graph, Logistic(graph, scores), k),
            SgdLoss.ModifiedHuber => Normalise(graph, Halves(graph, scores), k),
            _ => null,
        };
        return new ClassifierOutputs(label, probabilities);
    }

    /// <summary>
    /// σ(s) = 1 / (1 + exp(−s)) by that formula (scipy's <c>expit</c>, the library's), which gives 0 or 1 at the
    /// extremes: ONNX Runtime's Sigmoid in double precision gave NaN for about 400 of 2,000 MNIST rows of a log-loss
    /// model whose scores reach the hundreds (measured).
    /// </summary>
    private static string Logistic(OnnxGraph graph, string scores) =>
        graph.Apply("Reciprocal", graph.Apply("Add", graph.Apply("Exp", graph.Apply("Neg", scores)), graph.Doubles([1.0])));

    /// <summary>(clip(s, −1, 1) + 1) / 2 (Zhang 2004), scikit-learn's modified_huber probability of each problem.</summary>
    private static string Halves(OnnxGraph graph, string scores)
    {
        string clipped = graph.Apply("Clip", scores, graph.Doubles([-1.0]), graph.Doubles([1.0]));
        return graph.Apply("Mul", graph.Apply("Add", clipped, graph.Doubles([1.0])), graph.Doubles([0.5]));
    }

    /// <summary>
    /// Each row divided by its sum, uniform where the sum is 0, as the library does for both losses (for log loss when
    /// every σ underflows, for modified_huber when every score is at most −1), in double precision, then rounded to
    /// float: single precision would underflow σ for every class of a row whose scores are all below about −88.
    /// </summary>
    private static string Normalise(OnnxGraph graph, string values, int k)
    {
        string sum = graph.Fresh("row_sum");
        graph.Node("ReduceSum", [values, graph.Int64s([1L], 1)], [sum]).Int("keepdims", 1);
        string none = graph.Apply("Equal", sum, graph.Doubles([0.0]));
        string normalised = graph.Apply("Where", none, graph.Doubles([1.0 / k]), graph.Apply("Div", values, sum));
        return graph.Cast(normalised, OnnxProto.TensorProto.Types.DataType.Float);
    }

    private const OnnxProto.TensorProto.Types.DataType Double = OnnxProto.TensorProto.Types.DataType.Double;
}
