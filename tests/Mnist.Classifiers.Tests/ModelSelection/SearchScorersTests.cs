using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.ModelSelection;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Tests.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.ModelSelection;

public class SearchScorersTests
{
    [Fact]
    public void The_scorers_go_by_scikit_learns_names()
    {
        SearchScorers.ByName.Keys.Should().BeEquivalentTo("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "neg_log_loss");
        SearchScorers.ByName["accuracy"].Should().BeSameAs(SearchScorers.Accuracy);
        SearchScorers.ByName["neg_log_loss"].Should().BeSameAs(SearchScorers.NegativeLogLoss);
    }

    [Fact]
    public void The_log_loss_scorer_refuses_a_model_without_probabilities()
    {
        var (x, y) = SvmClassifierTests.Blobs(10, [0, 1, 2], 3, seed: 2);
        var model = new SvmClassifier().Fit(x, y);

        var score = () => SearchScorers.NegativeLogLoss(model, x, y, ComputeBudget.Default);

        score.Should().Throw<NotSupportedException>().WithMessage("The neg_log_loss scorer needs probabilities, and this SvmModel gives none*");
    }

    /// <summary>
    /// Every scorer against scikit-learn's scorer of the same name (<c>get_scorer(name)(estimator, X, y)</c>), given an
    /// estimator that answers with this model's predictions and probabilities: the same value to the last bit. Two
    /// classes too, where scikit-learn's log-loss scorer takes only the second column.
    /// </summary>
    [PythonTheory]
    [InlineData(4)]
    [InlineData(2)]
    public void Each_scorer_equals_scikit_learns_on_the_same_answers(int classes)
    {
        var (x, y) = SvmClassifierTests.Blobs(40, Enumerable.Range(0, classes).Select(c => 3 * c - 2).ToArray(), 4, seed: 8, spread: 3.5);
        var train = Enumerable.Range(0, x.Rows).Where(i => i % 3 != 0).ToArray();
        var test = Enumerable.Range(0, x.Rows).Where(i => i % 3 == 0).ToArray();
        var model = new RandomForestClassifier { Trees = 7, Seed = 1 }.Fit(x.Subset(train), GridSearchTests.Gather(y, train));
        var testRows = x.Subset(test);
        int[] testLabels = GridSearchTests.Gather(y, test);
        double[,] probabilities = model.PredictProbabilities(testRows);
        probabilities.Cast<double>().Should().Contain(p => p == 0.0, "some leaves are pure, so the clipping matters");

        string labelsPath = PythonReference.WriteRaw<int>(testLabels);
        string predictedPath = PythonReference.WriteRaw<int>(model.Predict(testRows));
        string probabilitiesPath = PythonReference.WriteRaw<double>(probabilities.Cast<double>().ToArray());
        try
        {
            string output = PythonReference.Run(
                """
                import json, sys, numpy as np
                from sklearn.metrics import get_scorer
                y = np.fromfile(sys.argv[1], dtype='<i4')
                classes = np.array([int(v) for v in sys.argv[4].split(',')])
                class Answers:
                    classes_ = classes
                    def predict(self, X): return np.fromfile(sys.argv[2], dtype='<i4')
                    def predict_proba(self, X): return np.fromfile(sys.argv[3], dtype='<f8').reshape(len(y), len(classes))
                X = np.zeros((len(y), 1))
                names = ['accuracy', 'balanced_accuracy', 'f1_macro', 'f1_weighted', 'neg_log_loss']
                print(json.dumps({n: float(get_scorer(n)(Answers(), X, y)) for n in names}))
                """,
                labelsPath, predictedPath, probabilitiesPath, string.Join(',', model.Classes));
            var expected = JsonSerializer.Deserialize<Dictionary<string, double>>(output)!;
            foreach (var (name, scorer) in SearchScorers.ByName)
            {
                scorer(model, testRows, testLabels, ComputeBudget.Default).Should().Be(expected[name], name);
            }
        }
        finally
        {
            File.Delete(labelsPath);
            File.Delete(predictedPath);
            File.Delete(probabilitiesPath);
        }
    }
}
