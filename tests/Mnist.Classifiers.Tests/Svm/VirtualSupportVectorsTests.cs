using Mnist.Classifiers.Data;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Svm;

public class VirtualSupportVectorsTests
{
    private static readonly SvmClassifier Svm = new() { C = 10, Gamma = SvmGamma.Fixed(0.05) };

    [Fact]
    public void Exactly_the_configured_copies_of_the_support_vectors_are_added()
    {
        var images = Synthetic.Images(60, 21, side: 8);
        var x = new FeatureMatrix(images.ToFeatures().ToArray().Select(v => v / 255f).ToArray(), 64);
        int[] labels = images.LabelsAsInts().Select(l => l % 3).ToArray();
        var shifts = VirtualSupportVectors.ShiftsOf(1, 8).Concat(VirtualSupportVectors.ShiftsOf(2, 4)).ToArray();
        var reports = new List<VirtualSupportVectorsReport>();
        var vsv = new VirtualSupportVectors(Svm)
        {
            Shifts = shifts, RotationDegrees = [-10, 10], Report = new SynchronousProgress<VirtualSupportVectorsReport>(reports.Add),
        };
        vsv.CopiesPerSupportVector.Should().Be(14);

        var model = (SvmModel)vsv.Fit(x, labels);

        var first = Svm.Fit(x, labels);
        int[] support = first.SupportIndices.Order().ToArray();
        reports.Should().ContainSingle().Which.Should().Match<VirtualSupportVectorsReport>(r =>
            r.TrainingRows == 60 && r.SupportVectors == support.Length && r.SecondFitRows == support.Length * 15);

        var (expanded, expandedLabels) = vsv.Expand(x, labels, support, 8, ComputeBudget.Default);
        expanded.Rows.Should().Be(support.Length * 15);
        var expected = new float[64];
        for (int s = 0; s < support.Length; s++)
        {
            var row = x.Row(support[s]);
            expanded.Row(s).ToArray().Should().Equal(row.ToArray(), "the support vectors come first, in training order");
            for (int t = 0; t < shifts.Length; t++)
            {
                ImageAugmentation.Shift(row, expected, 8, 8, shifts[t].Dx, shifts[t].Dy);
                expanded.Row((1 + t) * support.Length + s).ToArray().Should().Equal(expected, $"shift {shifts[t]} of support vector {s}");
            }

            for (int t = 0; t < 2; t++)
            {
                ImageAugmentation.Rotate(row, expected, 8, 8, t == 0 ? -10 : 10);
                expanded.Row((1 + shifts.Length + t) * support.Length + s).ToArray().Should().Equal(expected, $"rotation {t} of support vector {s}");
            }

            for (int b = 0; b < 15; b++)
            {
                expandedLabels[b * support.Length + s].Should().Be(labels[support[s]]);
            }
        }

        // The second fit saw exactly those rows: it is the same SVM fitted on them directly.
        var direct = Svm.Fit(expanded, expandedLabels);
        model.SupportVectors.ToArray().Should().Equal(direct.SupportVectors.ToArray());
        model.Rho.Should().Equal(direct.Rho);
    }

    [Fact]
    public void A_one_pixel_shift_moves_the_ink_by_one_pixel()
    {
        var image = new float[16];
        image[5] = 1; // row 1, column 1
        var shifted = new float[16];
        ImageAugmentation.Shift(image, shifted, 4, 4, 1, -1);
        shifted.Should().Equal(0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void The_same_model_comes_out_whatever_the_thread_count()
    {
        var images = Synthetic.Images(80, 4);
        var x = images.ToFeatures();
        int[] labels = images.LabelsAsInts().Select(l => l % 2).ToArray();
        var vsv = new VirtualSupportVectors(new Pipeline([new Deskew(), new MinMaxScaler()], Svm)) { Shifts = VirtualSupportVectors.ShiftsOf(1, 8) };
        var one = (PipelineModel)vsv.Fit(x, labels, ComputeBudget.Default.WithThreads(1));
        var four = (PipelineModel)vsv.Fit(x, labels, ComputeBudget.Default.WithThreads(4));
        var a = (SvmModel)one.Classifier;
        var b = (SvmModel)four.Classifier;
        b.SupportIndices.Should().Equal(a.SupportIndices);
        b.SupportVectors.ToArray().Should().Equal(a.SupportVectors.ToArray());
        b.Rho.Should().Equal(a.Rho);
        four.DecisionFunction(x).Should().BeEquivalentTo(one.DecisionFunction(x), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Validate_names_the_bad_option()
    {
        ((Action)(() => new VirtualSupportVectors(new DummyClassifier()).Validate())).Should().Throw<ArgumentException>().WithParameterName("Inner");
        ((Action)(() => new VirtualSupportVectors(Svm) { Shifts = [] }.Validate())).Should().Throw<ArgumentException>().WithMessage("*at least one shift or rotation*");
        ((Action)(() => new VirtualSupportVectors(Svm) { Shifts = [(0, 0)] }.Validate())).Should().Throw<ArgumentException>().WithParameterName("Shifts");
        ((Action)(() => new VirtualSupportVectors(Svm) { RotationDegrees = [double.NaN] }.Validate())).Should().Throw<ArgumentException>().WithParameterName("RotationDegrees");
        ((Action)(() => new VirtualSupportVectors(Svm with { C = -1 }).Validate())).Should().Throw<ArgumentException>().WithParameterName("C");
        ((Action)(() => new VirtualSupportVectors(Svm).Fit(Synthetic.RandomMatrix(6, 10, 1), new int[6]))).Should().Throw<ArgumentException>()
            .WithMessage("*not a square number*");
        ((Action)(() => VirtualSupportVectors.ShiftsOf(1, 6))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [MnistFact]
    public void Virtual_support_vectors_improve_a_small_MNIST_fit()
    {
        var raw = MnistFetcher.LoadLocal(SharedMnist.Directory!);
        var train = raw.Training.Take(1000);
        var test = raw.Test.Take(2000);
        var learner = new Pipeline(new MinMaxScaler(), Svm with { C = 5 });
        var plain = learner.Fit(train.ToFeatures(), train.LabelsAsInts());
        var vsv = new VirtualSupportVectors(learner).Fit(train.ToFeatures(), train.LabelsAsInts());

        double Accuracy(IClassifierModel model) =>
            model.Predict(test.ToFeatures()).Zip(test.LabelsAsInts(), (p, t) => p == t ? 1.0 : 0.0).Average();
        double before = Accuracy(plain), after = Accuracy(vsv);
        after.Should().BeGreaterThan(before + 0.005, $"four 1-pixel shifts of the support vectors teach small translations (plain {before:F4})");
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
