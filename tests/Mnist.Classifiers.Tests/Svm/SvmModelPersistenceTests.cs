using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Persistence;

namespace Mnist.Classifiers.Tests.Svm;

public sealed class SvmModelPersistenceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-svm-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(SvmKernelType.Rbf, false)]
    [InlineData(SvmKernelType.Polynomial, true)]
    [InlineData(SvmKernelType.Linear, false)]
    [InlineData(SvmKernelType.Sigmoid, true)]
    public void A_round_trip_keeps_every_part_and_predicts_bit_identically(SvmKernelType kernel, bool probability)
    {
        var (x, y) = SvmClassifierTests.Blobs(30, [2, 4, 6], 5, seed: 12);
        var model = new SvmClassifier { Kernel = kernel, Probability = probability, Gamma = SvmGamma.Fixed(0.2), Coef0 = 0.3, Degree = 2 }.Fit(x, y);
        string path = Path.Combine(_directory, "svm.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<SvmModel>(path);

        loaded.Classes.Should().Equal(model.Classes);
        loaded.Kernel.Should().Be(kernel);
        loaded.Gamma.Should().Be(model.Gamma);
        loaded.SupportIndices.Should().Equal(model.SupportIndices);
        loaded.SupportCounts.Should().Equal(model.SupportCounts);
        loaded.Rho.Should().Equal(model.Rho);
        loaded.DualCoefficients().Should().BeEquivalentTo(model.DualCoefficients(), o => o.WithStrictOrdering());
        loaded.TrainingReport!.Iterations.Should().Equal(model.TrainingReport!.Iterations);
        loaded.DecisionFunctionOneVsOne(x).Should().BeEquivalentTo(model.DecisionFunctionOneVsOne(x), o => o.WithStrictOrdering());
        loaded.Predict(x).Should().Equal(model.Predict(x));
        if (probability)
        {
            loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x), o => o.WithStrictOrdering());
        }

        ModelFile.Serialize(loaded).Should().Equal(File.ReadAllBytes(path), "saving the loaded model again gives the same bytes");
    }

    [Fact]
    public void A_format_1_payload_and_a_format_2_payload_give_the_same_model()
    {
        // Gaussian blobs have no common value per column, so the model has no translation and payload version 2 is
        // version 3 without its final "no translation" byte.
        var (x, y) = SvmClassifierTests.Blobs(20, [1, 3, 5], 4, seed: 8);
        var model = new SvmClassifier { Probability = true, Seed = 2 }.Fit(x, y);
        model.Background.Should().BeNull();
        byte[] current = ModelFile.Serialize(model);
        byte[] version3 = ModelFileBytes.Payload(model);
        version3[^1].Should().Be(0, "the payload ends with the translation's flag, false");
        byte[] payload = version3[..^1];

        var fromFormat1 = ModelFile.Deserialize<SvmModel>(Version1Svm(formatVersion: 1, payload, innerVersion: 1), "format 1");
        var fromVersion1InFormat2 = ModelFile.Deserialize<SvmModel>(Version1Svm(formatVersion: 2, payload, innerVersion: 1), "version 1 in format 2");
        var fromFormat2 = ModelFile.Deserialize<SvmModel>(current, "format 2");

        foreach (var loaded in new[] { fromFormat1, fromVersion1InFormat2, fromFormat2 })
        {
            ModelFile.Serialize(loaded).Should().Equal(current, "every part was restored, so it saves to the same bytes");
            loaded.Predict(x).Should().Equal(model.Predict(x));
            loaded.DecisionFunctionOneVsOne(x).Should().BeEquivalentTo(model.DecisionFunctionOneVsOne(x), o => o.WithStrictOrdering());
            loaded.PredictProbabilities(x).Should().BeEquivalentTo(model.PredictProbabilities(x), o => o.WithStrictOrdering());
        }
    }

    [Fact]
    public void A_translated_rbf_model_keeps_its_translation_and_its_kernel_values()
    {
        // Pixel-like rows, standard-scaled: a blank pixel becomes the same value −μ/σ in every row, the column's
        // background, and the model's products translate by it. Saved and loaded, it predicts bit for bit the same;
        // its decision values equal those computed without any translation to float rounding.
        var random = new Random(3);
        var rows = new float[120][];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            labels[i] = i % 3;
            rows[i] = Enumerable.Range(0, 30).Select(j => j % 3 == labels[i] && random.NextDouble() < 0.7 ? (float)random.Next(1, 256) : 0f).ToArray();
        }

        var raw = Mnist.Classifiers.Data.FeatureMatrix.FromRows(rows);
        var x = new Mnist.Classifiers.Preprocessing.StandardScaler().Fit(raw).Transform(raw);
        var model = new SvmClassifier { C = 2 }.Fit(x, labels);
        model.Background.Should().NotBeNull().And.HaveCount(30);
        model.Background![0].Should().Be(x.Row(1)[0], "row 1 is blank in column 0, the value most rows share there");

        string path = Path.Combine(_directory, "translated.model");
        ModelFile.Save(model, path);
        var loaded = ModelFile.Load<SvmModel>(path);
        loaded.Background.Should().Equal(model.Background);
        loaded.DecisionFunctionOneVsOne(x).Should().BeEquivalentTo(model.DecisionFunctionOneVsOne(x), o => o.WithStrictOrdering());

        var decisions = model.DecisionFunctionOneVsOne(x);
        var sv = model.SupportVectors;
        var coefficients = model.DualCoefficients();
        for (int i = 0; i < x.Rows; i += 7)
        {
            // Pair (0, 1): the support vectors of classes 0 and 1 with their coefficients in row 0 of sv_coef for
            // class 1 and row 0 for class 0 (LIBSVM's layout), in double without translation.
            double sum = -model.Rho[0];
            int start0 = 0, start1 = model.SupportCounts[0], end1 = start1 + model.SupportCounts[1];
            for (int s = start0; s < end1; s++)
            {
                double distance = 0;
                for (int j = 0; j < 30; j++)
                {
                    double d = (double)x.Row(i)[j] - sv.Row(s)[j];
                    distance += d * d;
                }

                sum += coefficients[0, s] * Math.Exp(-model.Gamma * distance);
            }

            decisions[i, 0].Should().BeApproximately(sum, 1e-4 * (1 + Math.Abs(sum)), "row {0}'s decision value for the pair (0, 1)", i);
        }
    }

    [Fact]
    public void A_version_1_payload_must_begin_with_its_own_version_1()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1], 3, seed: 4);
        byte[] payload = ModelFileBytes.Payload(new SvmClassifier().Fit(x, y));
        var act = () => ModelFile.Deserialize<SvmModel>(Version1Svm(formatVersion: 1, payload, innerVersion: 2), "inner.bin");
        act.Should().Throw<InvalidDataException>().WithMessage("*inner.bin*SVM payload of version 1 begins with the version number 2*");
    }

    /// <summary>
    /// A file holding an SVM payload of version 1, as format-1 libraries wrote it: <paramref name="innerVersion"/> as an
    /// int32, then the fields of <paramref name="payload"/> (version 2, the same without that int32).
    /// </summary>
    private static byte[] Version1Svm(ushort formatVersion, byte[] payload, int innerVersion) =>
        ModelFileBytes.Frame(formatVersion, body =>
        {
            body.WriteString(SvmModel.Kind);
            if (formatVersion >= 2)
            {
                body.WriteUInt16(1);
            }

            body.WriteInt64(4 + payload.Length);
            body.WriteInt32(innerVersion);
            body.WriteRaw(payload);
        });

    [Fact]
    public void A_file_whose_arrays_disagree_is_refused_with_the_reason()
    {
        string path = Path.Combine(_directory, "svm.model");
        ModelFile.Save(new HandWrittenSvm(), path);
        var act = () => ModelFile.Load<SvmModel>(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*array lengths*")
            .Which.Message.Should().NotContain("..", "the message gets one final period");
    }

    /// <summary>A well-formed file of kind svm whose support counts (1 + 1) disagree with its one support vector.</summary>
    private sealed class HandWrittenSvm : PredictOnlyModel, IPersistable
    {
        public override IReadOnlyList<int> Classes => [0, 1];

        public override int FeatureCount => 3;

        public string PersistenceKind => SvmModel.Kind;

        public override int[] Predict(Mnist.Classifiers.Data.FeatureMatrix features, ComputeBudget? budget = null) => new int[features.Rows];

        public void Write(ModelWriter writer)
        {
            writer.WriteInt32Array([0, 1]);        // classes
            writer.WriteInt32(3);                  // features
            writer.WriteInt32((int)SvmKernelType.Rbf);
            writer.WriteDouble(0.5);               // gamma
            writer.WriteInt32(3);                  // degree
            writer.WriteDouble(0);                 // coef0
            writer.WriteSingleArray([1, 2, 3]);    // one support vector
            writer.WriteInt32Array([0]);           // its training row
            writer.WriteInt32Array([1, 1]);        // but two counted
            writer.WriteDoubleArray([0.5]);
            writer.WriteDoubleArray([0.1]);
            writer.WriteBoolean(false);
            writer.WriteBoolean(false);
            writer.WriteBoolean(false);            // no translation
        }
    }
}
