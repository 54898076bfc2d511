using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The kernel SVM: ai.onnx.ml's SVMClassifier in its one-vs-one (SVC) mode, which holds LIBSVM's model as it is:
/// support vectors grouped by class (<c>vectors_per_class</c>), the (k−1) × nSV dual coefficients, one threshold per pair
/// and Platt's A and B per pair when a model of three classes or more has probabilities.
/// </summary>
/// <remarks>
/// Signs follow skl2onnx's SVC converter (skl2onnx/operator_converters/support_vector_machines.py), which ONNX Runtime's
/// kernel (onnxruntime/core/providers/cpu/ml/svmclassifier.cc) matches: the runtime computes Σ coef·K + rho and votes
/// for the pair's first class when that is positive, so <c>rho</c> is −ρ of LIBSVM's Σ coef·K − ρ. The label is the
/// one-vs-one vote with ties to the first class, as LIBSVM's <c>svm_predict</c> and this library, also when
/// probabilities are computed; with three classes or more the runtime couples the pairwise sigmoids by Wu, Lin &amp; Weng
/// (2004) as LIBSVM does, and two classes get Platt's sigmoid from standard operators (<see cref="BinaryProbabilities"/>).
/// The runtime works in single precision, so rows whose pair decision value is within rounding of zero may vote
/// differently (docs/onnx.md).
/// </remarks>
internal static class SvmConverter
{
    public static ClassifierOutputs Convert(OnnxGraph graph, SvmModel model, string input)
    {
        if (model.SupportVectorCount == 0)
        {
            // Without support vectors the operator switches to its linear (LIBLINEAR) mode and reads the coefficients otherwise.
            throw new NotSupportedException("Cannot export an SVM without support vectors to ONNX: SVMClassifier would read it as a linear model.");
        }

        var support = model.SupportVectors;
        var vectors = new float[support.Rows * support.Columns];
        for (int s = 0; s < support.Rows; s++)
        {
            support.Row(s).CopyTo(vectors.AsSpan(s * support.Columns, support.Columns));
        }

        string label = graph.Fresh("svm_label"), scores = graph.Fresh("svm_scores");
        var node = graph.Node("SVMClassifier", [input], [label, scores], OnnxGraph.MlDomain)
            .String("kernel_type", KernelName(model.Kernel))
            .Floats("kernel_params", [(float)model.Gamma, (float)model.Coef0, model.Degree])
            .Floats("support_vectors", vectors)
            .Ints("vectors_per_class", model.SupportCounts.Select(c => (long)c))
            .Floats("coefficients", model.DualCoefficients().Cast<double>().Select(c => (float)c))
            .Floats("rho", model.Rho.Select(r => (float)-r))
            .Ints("classlabels_ints", OnnxConverters.Int64Labels(model.Classes))
            .String("post_transform", "NONE");
        if (!model.SupportsProbabilities)
        {
            // Without prob_a the second output holds decision values, which are not probabilities.
            return new ClassifierOutputs(label, null);
        }

        if (model.Classes.Count == 2)
        {
            return new ClassifierOutputs(label, BinaryProbabilities(graph, scores, model.ProbabilityA![0], model.ProbabilityB![0]));
        }

        node.Floats("prob_a", model.ProbabilityA!.Select(a => (float)a)).Floats("prob_b", model.ProbabilityB!.Select(b => (float)b));
        return new ClassifierOutputs(label, scores);
    }

    /// <summary>
    /// Platt's sigmoid of a two-class model with standard operators: p₀ = clip(1 / (1 + exp(A·f + B)), 1e−7, 1 − 1e−7)
    /// and p₁ = 1 − p₀, as LIBSVM's <c>svm_predict_probability</c> and the library compute it.
    /// </summary>
    /// <remarks>
    /// ONNX Runtime couples two classes by the iterative method it uses for k classes, which stops within 0.005 / k of
    /// the answer (0.0036 off on MNIST's 3s and 5s, measured), so its prob_a / prob_b are not used here. Without them its
    /// second output is [−f, f] for two classes (the runtime's <c>write_additional_scores</c>), f the decision value
    /// positive for the first class.
    /// </remarks>
    private static string BinaryProbabilities(OnnxGraph graph, string scores, double a, double b)
    {
        string decision = graph.Fresh("decision");
        graph.Node("Slice", [scores, graph.Int64s([1L], 1), graph.Int64s([2L], 1), graph.Int64s([1L], 1)], [decision]);
        string linear = graph.Apply("Add", graph.Apply("Mul", decision, graph.Floats([(float)a])), graph.Floats([(float)b]));
        const float minProbability = 1e-7f;
        string first = graph.Apply(
            "Clip", graph.Apply("Sigmoid", graph.Apply("Neg", linear)), graph.Floats([minProbability]), graph.Floats([1 - minProbability]));
        string second = graph.Apply("Sub", graph.Floats([1f]), first);
        string probabilities = graph.Fresh("probabilities");
        graph.Node("Concat", [first, second], [probabilities]).Int("axis", 1);
        return probabilities;
    }

    private static string KernelName(SvmKernelType kernel) => kernel switch
    {
        SvmKernelType.Linear => "LINEAR",
        SvmKernelType.Polynomial => "POLY",
        SvmKernelType.Rbf => "RBF",
        SvmKernelType.Sigmoid => "SIGMOID",
        _ => throw new NotSupportedException($"Cannot export the SVM kernel {kernel} to ONNX."),
    };
}
