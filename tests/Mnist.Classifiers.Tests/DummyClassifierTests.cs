using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests;

public class DummyClassifierTests
{
    private static readonly FeatureMatrix FiveRows = new(new float[10], 2);

    [Fact]
    public void Predicts_the_most_frequent_label_with_sorted_classes()
    {
        var model = new DummyClassifier().Fit(FiveRows, [42, -3, 42, 7, -3]);
        // Labels 42, -3, 42, 7, -3: 42 and -3 tie with two each; the smaller, -3, wins.
        model.Classes.Should().Equal(-3, 7, 42);
        model.ClassCounts.Should().Equal(2, 1, 2);
        model.MostFrequentClass.Should().Be(-3);
        model.Predict(new FeatureMatrix(new float[6], 2)).Should().Equal(-3, -3, -3);
        model.Priors.Should().Equal(0.4, 0.2, 0.4);
    }

    [Fact]
    public void Probabilities_are_one_hot_on_the_most_frequent_class()
    {
        var model = new DummyClassifier().Fit(FiveRows, [1, 2, 2, 3, 2]);
        var p = model.PredictProbabilities(new FeatureMatrix(new float[4], 2));
        p.GetLength(0).Should().Be(2);
        p.GetLength(1).Should().Be(3);
        for (int i = 0; i < 2; i++)
        {
            p[i, 0].Should().Be(0);
            p[i, 1].Should().Be(1);
            p[i, 2].Should().Be(0);
        }
    }

    [Fact]
    public void Shape_errors_are_clear()
    {
        var classifier = new DummyClassifier();
        var tooFewLabels = () => classifier.Fit(FiveRows, [1, 2]);
        tooFewLabels.Should().Throw<ArgumentException>().WithMessage("*5 rows but 2 labels*");

        var noRows = () => classifier.Fit(new FeatureMatrix([], 2), []);
        noRows.Should().Throw<ArgumentException>().WithMessage("*no rows*");

        var model = classifier.Fit(FiveRows, [1, 1, 1, 1, 1]);
        var wrongWidth = () => model.Predict(new FeatureMatrix(new float[3], 3));
        wrongWidth.Should().Throw<ArgumentException>().WithMessage("*fitted on 2 features, but the input has 3*");
    }
}
