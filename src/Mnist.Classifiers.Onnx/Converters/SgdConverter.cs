using Mnist.Classifiers.Linear;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The SGD linear model: ai.onnx.ml's LinearClassifier gives the scores w·x + b and the label, and standard operators
/// turn the scores into scikit-learn's probabilities for the two losses that have them.
/// </summary>
/// <remarks>
/// A two-class model (one problem, positive for <c>Classes[1]</c>) is written as two problems, −(w·x + b) and w·x + b:
/// the first largest of the two is <c>Classes[1]</c> exactly when w·x + b &gt; 0, the library's rule, and the two
/// columns go through the same normalisation as k one-vs-rest problems, which for them reproduces scikit-learn's
/// binary formulas (σ(−s) + σ(s) = 1; (clip(−s) + 1)/2 + (clip(s) + 1)/2 = 1). That spares the runtime's own binary
/// special case (LinearClassifier's added second column).
/// </remarks>
internal static class SgdConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, SgdModel model, string input)
    {
        int k = model.Classes.Count, columns = model.FeatureCount;
        bool binary = model.ProblemCount == 1;
        var coefficients = new float[k * columns];
        var intercepts = new float[k];
        for (int c = 0; c < k; c++)
        {
            int problem = binary ? 0 : c;
            float sign = binary && c == 0 ? -1f : 1f;
            var weights = model.Coefficients(problem);
            for (int j = 0; j < columns; j++)
            {
                coefficients[c * columns + j] = sign * (float)weights[j];
            }

            intercepts[c] = sign * (float)model.Intercepts[problem];
        }

        string label = graph.Fresh("linear_label"), scores = graph.Fresh("linear_scores");
        graph.Node("LinearClassifier", [input], [label, scores], OnnxGraph.MlDomain)
            .Floats("coefficients", coefficients)
            .Floats("intercepts", intercepts)
            .Ints("classlabels_ints", OnnxConverters.Int64Labels(model.Classes))
            .String("post_transform", "NONE");
        string? probabilities = model.Loss switch
        {
            // scikit-learn's _predict_proba_lr: σ of each one-vs-rest score, divided by the row's sum.
            SgdLoss.LogLoss => Normalise(graph, graph.Apply("Sigmoid", scores)),
            SgdLoss.ModifiedHuber => ModifiedHuber(graph, scores, k),
            _ => null,
        };
        return new ClassifierOutputs(label, probabilities);
    }

    /// <summary>
    /// (clip(s, −1, 1) + 1) / 2 per class (Zhang 2004), divided by the row's sum, and uniform where every class gets 0
    /// (scikit-learn's SGDClassifier.predict_proba for modified_huber).
    /// </summary>
    private static string ModifiedHuber(OnnxGraph graph, string scores, int k)
    {
        string clipped = graph.Apply("Clip", scores, graph.Floats([-1f]), graph.Floats([1f]));
        string halves = graph.Apply("Mul", graph.Apply("Add", clipped, graph.Floats([1f])), graph.Floats([0.5f]));
        string sum = RowSum(graph, halves);
        string none = graph.Apply("Equal", sum, graph.Floats([0f]));
        return graph.Apply("Where", none, graph.Floats([1f / k]), graph.Apply("Div", halves, sum));
    }

    private static string Normalise(OnnxGraph graph, string values) => graph.Apply("Div", values, RowSum(graph, values));

    private static string RowSum(OnnxGraph graph, string values)
    {
        string sum = graph.Fresh("row_sum");
        graph.Node("ReduceSum", [values, graph.Int64s([1L], 1)], [sum]).Int("keepdims", 1);
        return sum;
    }
}
