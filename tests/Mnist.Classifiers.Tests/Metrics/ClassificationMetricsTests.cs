using System.Globalization;
using Mnist.Classifiers.Metrics;

namespace Mnist.Classifiers.Tests.Metrics;

public class ClassificationMetricsTests
{
    [Fact]
    public void Balanced_accuracy_is_the_mean_recall_of_the_true_classes()
    {
        // scikit-learn's documented example: recalls 3/4 and 1/2.
        ClassificationMetrics.BalancedAccuracy([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1]).Should().Be(0.625);
        // Label 3 is only predicted: no recall, left out. Recalls: 0 -> 2/3, 1 -> 1/2, 2 -> 1.
        ClassificationMetrics.BalancedAccuracy([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 3, 2]).Should().Be((2.0 / 3 + 0.5 + 1.0) / 3);
    }

    [Fact]
    public void Log_loss_by_hand()
    {
        // Row 0: the true class 7 has 0.5 -> ln 2. Row 1: class -1 has 0.2 of a row summing to 0.8 -> 0.25 -> ln 4.
        double[,] probabilities = { { 0.5, 0.5 }, { 0.2, 0.6 } };
        ClassificationMetrics.LogLoss([7, -1], probabilities, [-1, 7]).Should().BeApproximately((Math.Log(2) + Math.Log(4)) / 2, 1e-15);
        // Certainty on the wrong class costs -ln(2^-52), not infinity: clipped as scikit-learn clips.
        ClassificationMetrics.LogLoss([0], new double[,] { { 0.0, 1.0 } }, [0, 1]).Should().BeApproximately(52 * Math.Log(2), 1e-12);
    }

    [Fact]
    public void Log_loss_refuses_what_it_cannot_score()
    {
        var unknown = () => ClassificationMetrics.LogLoss([0, 5], new double[,] { { 0.5, 0.5 }, { 0.5, 0.5 } }, [0, 1]);
        unknown.Should().Throw<ArgumentException>().WithMessage("Row 1's true label 5 is not among the model's classes (0, 1).*");
        var shape = () => ClassificationMetrics.LogLoss([0, 1], new double[,] { { 0.5, 0.5 } }, [0, 1]);
        shape.Should().Throw<ArgumentException>().WithMessage("The probabilities are 1 × 2 but there are 2 labels and 2 classes.*");
        var single = () => ClassificationMetrics.LogLoss([0], new double[,] { { 1.0 } }, [0]);
        single.Should().Throw<ArgumentException>().WithMessage("The log loss needs at least two classes; got 1.*");
    }

    public static TheoryData<string, int[], double[,], int[]> LogLossCases()
    {
        var data = new TheoryData<string, int[], double[,], int[]>();
        var random = new Random(5);

        (int[] Truth, double[,] Probabilities) Draw(int rows, int[] classes, bool normalised)
        {
            var truth = new int[rows];
            var probabilities = new double[rows, classes.Length];
            for (int i = 0; i < rows; i++)
            {
                truth[i] = classes[random.Next(classes.Length)];
                double sum = 0;
                for (int c = 0; c < classes.Length; c++)
                {
                    // Exact zeros and ones now and then (the clipping), and spreads of many magnitudes (the row sums' order).
                    double u = random.NextDouble();
                    probabilities[i, c] = u < 0.05 ? 0.0 : u > 0.97 ? 1.0 : Math.Pow(u, 1 + (4 * c % 7));
                    sum += probabilities[i, c];
                }

                for (int c = 0; normalised && sum > 0 && c < classes.Length; c++)
                {
                    probabilities[i, c] /= sum;
                }
            }

            return (truth, probabilities);
        }

        int[] ten = Enumerable.Range(0, 10).ToArray();
        var (t1, p1) = Draw(3000, ten, normalised: true);
        data.Add("ten classes, rows summing to 1", t1, p1, ten);
        var (t2, p2) = Draw(3000, ten, normalised: false);
        data.Add("ten classes, rows not summing to 1", t2, p2, ten);
        int[] gaps = [-3, 2, 7, 11];
        var (t3, p3) = Draw(500, gaps, normalised: false);
        data.Add("labels with gaps", t3, p3, gaps);
        var (t4, p4) = Draw(700, [0, 1], normalised: true);
        data.Add("two classes", t4, p4, [0, 1]);
        return data;
    }

    [PythonTheory]
    [MemberData(nameof(LogLossCases))]
    public void Log_loss_equals_scikit_learns_to_the_last_bit(string name, int[] truth, double[,] probabilities, int[] classes)
    {
        string truthPath = PythonReference.WriteRaw<int>(truth);
        string probabilitiesPath = PythonReference.WriteRaw<double>(probabilities.Cast<double>().ToArray());
        string rowsPath = PythonReference.NewTempPath();
        try
        {
            string output = PythonReference.Run(
                """
                import sys, numpy as np
                from sklearn.metrics import log_loss
                t = np.fromfile(sys.argv[1], dtype='<i4')
                labels = [int(v) for v in sys.argv[3].split(',')]
                p = np.fromfile(sys.argv[2], dtype='<f8').reshape(len(t), len(labels))
                print(repr(float(log_loss(t, p, labels=labels))))
                # Row by row too: a whole set's mean would hide a last-bit difference in one row's loss.
                np.array([log_loss(t[i:i + 1], p[i:i + 1], labels=labels) for i in range(200)], dtype='<f8').tofile(sys.argv[4])
                """,
                truthPath, probabilitiesPath, string.Join(',', classes), rowsPath);
            double expected = double.Parse(output.Trim(), CultureInfo.InvariantCulture);
            ClassificationMetrics.LogLoss(truth, probabilities, classes).Should().Be(expected, name);
            double[] expectedRows = PythonReference.ReadRaw<double>(rowsPath);
            for (int i = 0; i < expectedRows.Length; i++)
            {
                var row = new double[1, classes.Length];
                for (int c = 0; c < classes.Length; c++)
                {
                    row[0, c] = probabilities[i, c];
                }

                ClassificationMetrics.LogLoss(truth.AsSpan(i, 1), row, classes).Should().Be(expectedRows[i], "{0}, row {1}", name, i);
            }
        }
        finally
        {
            File.Delete(truthPath);
            File.Delete(probabilitiesPath);
            File.Delete(rowsPath);
        }
    }

    [PythonTheory]
    [MemberData(nameof(ClassificationReportTests.Cases), MemberType = typeof(ClassificationReportTests))]
    public void Balanced_accuracy_equals_scikit_learns(string name, int[] truth, int[] predicted)
    {
        string truthPath = PythonReference.WriteRaw<int>(truth);
        string predictedPath = PythonReference.WriteRaw<int>(predicted);
        try
        {
            string output = PythonReference.Run(
                """
                import sys, warnings, numpy as np
                from sklearn.metrics import balanced_accuracy_score
                warnings.simplefilter('ignore')
                t = np.fromfile(sys.argv[1], dtype='<i4'); p = np.fromfile(sys.argv[2], dtype='<i4')
                print(repr(float(balanced_accuracy_score(t, p))))
                """,
                truthPath, predictedPath);
            double expected = double.Parse(output.Trim(), CultureInfo.InvariantCulture);
            ClassificationMetrics.BalancedAccuracy(truth, predicted).Should().Be(expected, name);
        }
        finally
        {
            File.Delete(truthPath);
            File.Delete(predictedPath);
        }
    }
}
