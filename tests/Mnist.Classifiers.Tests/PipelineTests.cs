using Mnist.Classifiers.Data;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.TestSupport;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests;

public class PipelineTests
{
    /// <summary>A classifier that remembers what it was trained on, to observe what the pipeline feeds it.</summary>
    private sealed record RecordingClassifier : IClassifier
    {
        public void Validate()
        {
        }

        public IClassifierModel Fit(FeatureMatrix features, ReadOnlySpan<int> labels, ComputeBudget? budget = null) =>
            new RecordingModel(features.ToArray(), features.Columns, labels.ToArray());
    }

    private sealed class RecordingModel(float[] seen, int columns, int[] labels) : IClassifierModel
    {
        public float[] Seen { get; } = seen;

        public IReadOnlyList<int> Classes { get; } = labels.Distinct().Order().ToArray();

        public int FeatureCount => columns;

        public bool SupportsProbabilities => false;

        public bool SupportsDecisionFunction => true;

        // Predicts label 1 when the first feature is positive, 0 otherwise.
        public int[] Predict(FeatureMatrix features, ComputeBudget? budget = null) =>
            Enumerable.Range(0, features.Rows).Select(i => features[i, 0] > 0 ? 1 : 0).ToArray();

        public double[,] PredictProbabilities(FeatureMatrix features, ComputeBudget? budget = null) =>
            throw InputChecks.NotSupported(this, "class probabilities");

        public double[,] DecisionFunction(FeatureMatrix features, ComputeBudget? budget = null)
        {
            var d = new double[features.Rows, 1];
            for (int i = 0; i < features.Rows; i++)
            {
                d[i, 0] = features[i, 0];
            }

            return d;
        }
    }

    private static readonly FeatureMatrix X = FeatureMatrix.FromArray(new float[,] { { 0, 10 }, { 2, 20 }, { 4, 30 } });

    [Fact]
    public void Fits_transforms_in_order_and_the_classifier_on_their_output()
    {
        // MinMax maps column 0 to 0, 0.5, 1; the standard scaler then centres it: -1.2247, 0, 1.2247.
        var pipeline = new Pipeline([new MinMaxScaler(), new StandardScaler()], new RecordingClassifier());
        var model = pipeline.Fit(X, [0, 1, 1]);

        model.Transforms.Should().HaveCount(2);
        model.Transforms[0].Should().BeOfType<FittedMinMaxScaler>();
        var expected = new StandardScaler().Fit(new MinMaxScaler().Fit(X).Transform(X));
        ((FittedStandardScaler)model.Transforms[1]).Means.Should().Equal(expected.Means);
        var recording = (RecordingModel)model.Classifier;
        recording.Seen.Should().Equal(expected.Transform(new MinMaxScaler().Fit(X).Transform(X)).ToArray());

        model.Predict(X).Should().Equal(0, 0, 1);
        model.Classes.Should().Equal(0, 1);
        model.FeatureCount.Should().Be(2);
    }

    [Fact]
    public void Forwards_the_decision_function_and_refuses_probabilities_it_does_not_have()
    {
        var model = new Pipeline(new StandardScaler(), new RecordingClassifier()).Fit(X, [0, 1, 1]);
        model.SupportsDecisionFunction.Should().BeTrue();
        model.SupportsProbabilities.Should().BeFalse();
        model.DecisionFunction(X)[2, 0].Should().BeApproximately(Math.Sqrt(1.5), 1e-6);
        var act = () => model.PredictProbabilities(X);
        act.Should().Throw<NotSupportedException>().WithMessage("*pipeline whose classifier is a RecordingModel does not provide class probabilities*");
    }

    [Fact]
    public void Forwards_probabilities_and_refuses_a_missing_decision_function()
    {
        var model = new Pipeline([], new DummyClassifier()).Fit(X, [5, 5, 9]);
        model.PredictProbabilities(X)[0, 0].Should().Be(1);
        var act = () => model.DecisionFunction(X);
        act.Should().Throw<NotSupportedException>().WithMessage("*pipeline whose classifier is a DummyModel does not provide a decision function*");
    }

    [Fact]
    public void Checks_shapes_and_options()
    {
        var pipeline = new Pipeline(new StandardScaler(), new DummyClassifier());
        var act = () => pipeline.Fit(X, [1, 2]);
        act.Should().Throw<ArgumentException>().WithMessage("*3 rows but 2 labels*");

        var model = pipeline.Fit(X, [1, 2, 2]);
        var wrong = () => model.Predict(new FeatureMatrix(new float[3], 3));
        wrong.Should().Throw<ArgumentException>().WithMessage("*pipeline was fitted on 2 features, but the input has 3*");

        var badStep = () => new Pipeline(new MinMaxScaler(2, 1), new DummyClassifier()).Validate();
        badStep.Should().Throw<ArgumentException>();
    }

    public static TheoryData<string> ImagePipelines => new() { "standard+svm", "minmax+forest", "scale-only+sgd", "svm alone", "deskew+standard+svm", "standard+pca+svm" };

    private static Pipeline ImagePipeline(string name) => name switch
    {
        "standard+svm" => new Pipeline(new StandardScaler(), new SvmClassifier { C = 8, Gamma = SvmGamma.Auto }),
        "minmax+forest" => new Pipeline(new MinMaxScaler(), new RandomForestClassifier { Trees = 5, Seed = 3 }),
        "scale-only+sgd" => new Pipeline(new StandardScaler(WithMean: false), new SgdClassifier { MaxIterations = 5, Tolerance = null }),
        "svm alone" => new Pipeline([], new SvmClassifier { Gamma = SvmGamma.Scale }),
        "deskew+standard+svm" => new Pipeline([new Deskew(), new StandardScaler()], new SvmClassifier { C = 8, Gamma = SvmGamma.Auto }),
        _ => new Pipeline([new StandardScaler(), new Pca(Components: 20)], new SvmClassifier { C = 8, Gamma = SvmGamma.Auto }),
    };

    [Theory]
    [MemberData(nameof(ImagePipelines))]
    public void Fits_and_predicts_images_as_their_features_bit_for_bit_and_leaves_the_pixels_alone(string name)
    {
        // Enough rows that the conversion and the scalers run in parallel blocks (more than ParallelThreshold values).
        var train = Synthetic.Images(300, seed: 5);
        var test = Synthetic.Images(200, seed: 6);
        byte[] trainPixels = [.. train.Pixels], testPixels = [.. test.Pixels];
        var pipeline = ImagePipeline(name);
        var budget = ComputeBudget.Default.WithThreads(2);

        var fromImages = pipeline.Fit(train, budget);
        var features = train.ToFeatures(budget);
        float[] values = features.ToArray();
        var fromFeatures = pipeline.Fit(features, train.LabelsAsInts(), budget);

        ModelFiles.BytesWithoutFitTime(fromImages).Should().Equal(ModelFiles.BytesWithoutFitTime(fromFeatures), "the same model, whichever way the rows came in");
        fromImages.Predict(test, budget).Should().Equal(fromFeatures.Predict(test.ToFeatures(budget), budget));
        fromFeatures.Predict(test, budget).Should().Equal(fromFeatures.Predict(test.ToFeatures(budget), budget));
        features.ToArray().Should().Equal(values, "a caller's matrix is never transformed in place");
        train.Pixels.Should().Equal(trainPixels, "the pipeline converts the pixels into a matrix of its own");
        test.Pixels.Should().Equal(testPixels);
    }

    [Theory]
    [InlineData(true, true, false)]
    [InlineData(false, true, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, true)]
    public void Scalers_transform_in_place_to_the_same_bits(bool withMean, bool withStd, bool minMax)
    {
        // 13 columns: vector loops and their scalar tails; 12,000 rows: parallel blocks.
        var x = Synthetic.RandomMatrix(12_000, 13, seed: 9);
        var budget = ComputeBudget.Default.WithThreads(2);
        IFittedTransform fitted = minMax
            ? new MinMaxScaler(-1, 1, Clip: true).Fit(Synthetic.RandomMatrix(50, 13, seed: 10), budget)
            : new StandardScaler(withMean, withStd).Fit(x, budget);
        var expected = fitted.Transform(x, budget).ToArray();

        var owned = new FeatureMatrix([.. x.ToArray()], 13);
        var inPlace = ((IInPlaceTransform)fitted).TransformInPlace(owned, budget);

        inPlace.ToArray().Should().Equal(expected);
        inPlace.Storage.Should().BeSameAs(owned.Storage, "the rows were written over");
        var view = () => ((IInPlaceTransform)fitted).TransformInPlace(x.Subset([0, 1]), budget);
        view.Should().Throw<ArgumentException>().WithMessage("*contiguous*");
    }

    [Fact]
    public void Checks_images_of_the_wrong_width()
    {
        var model = new Pipeline(new StandardScaler(), new DummyClassifier()).Fit(Synthetic.Images(20, seed: 1));
        var act = () => model.Predict(Synthetic.Images(5, seed: 2, side: 27));
        act.Should().Throw<ArgumentException>().WithMessage("*784 features*729*");
        var none = () => new Pipeline(new StandardScaler(), new DummyClassifier()).Fit((LabeledImages)null!);
        none.Should().Throw<ArgumentNullException>();
    }
}
