using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>Model files compared across fits.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// The model file's bytes with the fit's wall time zeroed and without the checksum over it: the time is the one
    /// field of a model file that two fits of the same learner on the same rows write differently. The field is found
    /// where docs/model-format.md puts it (the forest's and the SGD model's last 8 body bytes; the SVM report's fit ticks, 24 bytes
    /// before the translation that ends the body) and checked to hold the model's fit time before it is zeroed.
    /// </summary>
    public static byte[] BytesWithoutFitTime(IClassifierModel model)
    {
        using var temp = new TempDirectory();
        ModelFile.Save(model, temp.File("model.bin"));
        byte[] bytes = File.ReadAllBytes(temp.File("model.bin"));
        int bodyEnd = bytes.Length - 32;
        var (at, ticks) = (model is PipelineModel pipeline ? pipeline.Classifier : model) switch
        {
            SvmModel svm => (bodyEnd - 24 - 1 - (svm.Background is null ? 0 : 4 + (4 * svm.FeatureCount)), svm.TrainingReport!.Elapsed.Ticks),
            ForestModel forest => (bodyEnd - 8, forest.FitTime!.Value.Ticks),
            SgdModel sgd => (bodyEnd - 8, sgd.FitTime!.Value.Ticks),
            var other => throw new NotSupportedException(other.GetType().Name),
        };
        BitConverter.ToInt64(bytes, at).Should().Be(ticks, "the fit time is where the format puts it");
        Array.Clear(bytes, at, 8);
        return bytes[..bodyEnd];
    }
}
