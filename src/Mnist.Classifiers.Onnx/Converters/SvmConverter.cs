using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Onnx.Converters;

/// <summary>
/// The kernel SVM: ai.onnx.ml's SVMClassifier in its one-vs-one (SVC) mode, which holds LIBSVM's model as it is:
/// support vectors grouped by class (<c>vectors_per_class</c>), the (k−1) × nSV dual coefficients, one threshold per pair
/// and Platt's A and B per pair when the model has probabilities.
/// </summary>
/// <remarks>
/// Signs follow skl2onnx's SVC converter (skl2onnx/operator_converters/support_vector_machines.py), which ONNX Runtime's
/// kernel (onnxruntime/core/providers/cpu/ml/svmclassifier.cc) matches: the runtime computes Σ coef·K + rho and votes
/// for the pair's first class when that is positive, so <c>rho</c> is −ρ of LIBSVM's Σ coef·K − ρ. The label is the
/// one-vs-one vote with ties to the first class, as LIBSVM's <c>svm_predict</c> and this library, also when
/// probabilities are computed; the runtime couples the pairwise sigmoids by Wu, Lin &amp; Weng (2004) as LIBSVM does.
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
            // Without prob_a the second output holds the pairwise decision values, which are not probabilities.
            return new ClassifierOutputs(label, null);
        }

        node.Floats("prob_a", model.ProbabilityA!.Select(a => (float)a)).Floats("prob_b", model.ProbabilityB!.Select(b => (float)b));
        return new ClassifierOutputs(label, scores);
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
