using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;

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
    }

    [Fact]
    public void A_file_whose_arrays_disagree_is_refused_with_the_reason()
    {
        string path = Path.Combine(_directory, "svm.model");
        ModelFile.Save(new HandWrittenSvm(), path);
        var act = () => ModelFile.Load<SvmModel>(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"*{path}*array lengths*");
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
            writer.WriteInt32(1);                  // payload version
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
        }
    }
}
