using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Svm;

/// <summary>The model-file form of <see cref="SvmModel"/> (kind <c>svm</c>, documented in docs/model-format.md).</summary>
public sealed partial class SvmModel : IPersistable
{
    /// <summary>The kind name of SVM models in model files.</summary>
    internal const string Kind = "svm";

    string IPersistable.PersistenceKind => Kind;

    /// <inheritdoc />
    /// <remarks>Writes payload version 3, the one <see cref="ModelRegistry"/> lists as written for <c>svm</c>.</remarks>
    void IPersistable.Write(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt32Array(_classes);
        writer.WriteInt32(FeatureCount);
        writer.WriteInt32((int)Kernel);
        writer.WriteDouble(Gamma);
        writer.WriteInt32(Degree);
        writer.WriteDouble(Coef0);
        writer.WriteSingleArray(SupportVectors.AsSpan());
        writer.WriteInt32Array(_supportIndices);
        writer.WriteInt32Array(_supportCounts);
        writer.WriteDoubleArray(_coefficients);
        writer.WriteDoubleArray(_rho);
        writer.WriteBoolean(_sigmoids is not null);
        if (_sigmoids is not null)
        {
            writer.WriteDoubleArray(_sigmoids.A);
            writer.WriteDoubleArray(_sigmoids.B);
        }

        writer.WriteBoolean(TrainingReport is not null);
        if (TrainingReport is { } report)
        {
            writer.WriteInt64Array(report.Iterations.ToArray());
            writer.WriteDoubleArray(report.Objectives.ToArray());
            writer.WriteInt64(report.KernelRowsComputed);
            writer.WriteBoolean(report.ReachedIterationLimit);
            writer.WriteInt64(report.Elapsed.Ticks);
            writer.WriteInt64(report.KernelRowsPrefetched);
            writer.WriteInt64(report.PrefetchedRowsUsed);
        }

        // Version 3: the translation of the kernel's dot products, so that a loaded model computes the same values.
        writer.WriteBoolean(_background is not null);
        if (_background is not null)
        {
            writer.WriteSingleArray(_background);
        }
    }

    /// <summary>
    /// Reads a model written by <see cref="IPersistable.Write"/> (payload version 3), by earlier libraries (payload version
    /// 2, without the translation) or by format-1 libraries (payload version 1), checking every length and value against
    /// the others.
    /// </summary>
    internal static SvmModel Read(ModelReader reader)
    {
        if (reader.PayloadVersion == 1)
        {
            // Before the object frame carried a version, the SVM payload began with its own; the rest is the same.
            int inner = reader.ReadInt32();
            if (inner != 1)
            {
                throw reader.Invalid($"the SVM payload of version 1 begins with the version number {inner} instead of 1");
            }
        }

        int[] classes = reader.ReadInt32Array();
        int featureCount = reader.ReadInt32();
        int kernelCode = reader.ReadInt32();
        double gamma = reader.ReadDouble();
        int degree = reader.ReadInt32();
        double coef0 = reader.ReadDouble();
        float[] supportVectors = reader.ReadSingleArray();
        int[] supportIndices = reader.ReadInt32Array();
        int[] supportCounts = reader.ReadInt32Array();
        double[] coefficients = reader.ReadDoubleArray();
        double[] rho = reader.ReadDoubleArray();
        double[]? probabilityA = null, probabilityB = null;
        if (reader.ReadBoolean())
        {
            probabilityA = reader.ReadDoubleArray();
            probabilityB = reader.ReadDoubleArray();
        }

        SvmTrainingReport? report = null;
        if (reader.ReadBoolean())
        {
            long[] iterations = reader.ReadInt64Array();
            double[] objectives = reader.ReadDoubleArray();
            long rows = reader.ReadInt64();
            bool limit = reader.ReadBoolean();
            long ticks = reader.ReadInt64();
            long prefetched = reader.ReadInt64();
            long used = reader.ReadInt64();
            report = new SvmTrainingReport(iterations, objectives, rows, limit, TimeSpan.FromTicks(Math.Max(0, ticks)), prefetched, used);
        }

        float[]? background = reader.PayloadVersion >= 3 && reader.ReadBoolean() ? reader.ReadSingleArray() : null;

        int k = classes.Length, pairs = k * (k - 1) / 2, total = supportIndices.Length;
        if (k < 2 || classes.Zip(classes.Skip(1)).Any(p => p.First >= p.Second))
        {
            throw reader.Invalid($"the SVM has {k} classes or they are not in ascending order");
        }

        if (featureCount < 1 || !Enum.IsDefined((SvmKernelType)kernelCode) || !double.IsFinite(gamma) || !double.IsFinite(coef0) || degree < 0)
        {
            throw reader.Invalid("the SVM's feature count or kernel parameters are out of range");
        }

        if (supportCounts.Length != k || supportCounts.Any(c => c < 0) || supportCounts.Sum(c => (long)c) != total
            || (long)total * featureCount != supportVectors.Length || coefficients.Length != (long)(k - 1) * total
            || rho.Length != pairs || (probabilityA is not null && (probabilityA.Length != pairs || probabilityB!.Length != pairs))
            || (report is not null && (report.Iterations.Count != pairs || report.Objectives.Count != pairs)))
        {
            throw reader.Invalid("the SVM's array lengths do not agree with its class and support-vector counts");
        }

        if (background is not null && (background.Length != featureCount || (SvmKernelType)kernelCode != SvmKernelType.Rbf || !background.All(float.IsFinite)))
        {
            throw reader.Invalid("the SVM's translation has the wrong length, non-finite values, or a kernel other than RBF");
        }

        var vectors = total > 0 ? new FeatureMatrix(supportVectors, featureCount) : new FeatureMatrix([], featureCount);
        return new SvmModel(
            classes, new KernelFunction((SvmKernelType)kernelCode, gamma, degree, coef0), new SupportVectorSet(vectors, supportIndices, supportCounts),
            new OneVsOneSolution(coefficients, rho), probabilityA is null ? null : new PlattSigmoids(probabilityA, probabilityB!), report, background);
    }
}
