using Mnist.Classifiers.Metrics;

namespace Mnist.Classifiers.Tests.Metrics;

public class ClassificationReportTests
{
    [Fact]
    public void Hand_computed_scores_with_a_label_that_is_only_predicted()
    {
        int[] truth = [0, 0, 0, 1, 1, 2];
        int[] predicted = [0, 0, 1, 1, 3, 2];
        // Label 0: tp 2, predicted 2, true 3 -> P 1, R 2/3. Label 1: tp 1, predicted 2, true 2 -> P 0.5, R 0.5.
        // Label 2: P 1, R 1. Label 3: never true, predicted once -> P 0 (tp 0), R 0/0 = 0 (zero division), support 0.
        var scores = ClassificationMetrics.PerClass(truth, predicted);
        scores.Select(s => s.Label).Should().Equal(0, 1, 2, 3);
        scores[0].Should().Be(new ClassScores(0, 1.0, 2.0 / 3, 2.0 * 1.0 * (2.0 / 3) / (1.0 + 2.0 / 3), 3));
        scores[1].Should().Be(new ClassScores(1, 0.5, 0.5, 0.5, 2));
        scores[3].Should().Be(new ClassScores(3, 0, 0, 0, 0));
        ClassificationMetrics.Accuracy(truth, predicted).Should().Be(4.0 / 6);

        var macro = ClassificationMetrics.MacroAverage(scores);
        macro.Precision.Should().BeApproximately((1 + 0.5 + 1 + 0) / 4, 1e-15);
        var weighted = ClassificationMetrics.WeightedAverage(scores);
        weighted.Recall.Should().BeApproximately((3 * (2.0 / 3) + 2 * 0.5 + 1) / 6, 1e-15);
        weighted.Support.Should().Be(6);
    }

    [Fact]
    public void Confusion_matrix_rows_are_truth_and_print_like_numpy()
    {
        var matrix = ConfusionMatrix.Compute([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 3, 2]);
        matrix.Labels.Should().Equal(0, 1, 2, 3);
        matrix[0, 1].Should().Be(1);
        matrix[1, 3].Should().Be(1);
        matrix.ToText().Should().Be("[[2 1 0 0]\n [0 1 0 1]\n [0 0 1 0]\n [0 0 0 0]]");
    }

    [Fact]
    public void Exact_ties_round_half_to_even_like_python()
    {
        // Precision of label 1 is 1/8 = 0.125 exactly: Python prints 0.12, not 0.13.
        int[] truth = [1, 0, 0, 0, 0, 0, 0, 0];
        int[] predicted = [1, 1, 1, 1, 1, 1, 1, 1];
        string report = ClassificationReport.Compute(truth, predicted).ToText();
        report.Should().Contain("           1       0.12      1.00      0.22         1\n");
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var act = () => ClassificationReport.Compute([1, 2], [1]);
        act.Should().Throw<ArgumentException>().WithMessage("*2 true labels but 1 predictions*");
    }

    public static TheoryData<string, int[], int[]> Cases()
    {
        var data = new TheoryData<string, int[], int[]>();
        var random = new Random(11);
        int[] MnistLike(int n, out int[] predicted)
        {
            var t = new int[n];
            predicted = new int[n];
            for (int i = 0; i < n; i++)
            {
                t[i] = random.Next(10);
                predicted[i] = random.NextDouble() < 0.9 ? t[i] : random.Next(10);
            }

            return t;
        }

        int[] truth = MnistLike(1000, out int[] pred);
        data.Add("ten classes", truth, pred);
        int[] t2 = MnistLike(10000, out int[] p2);
        data.Add("ten thousand rows", t2, p2);
        data.Add("binary", [0, 1, 1, 0, 1, 1, 1, 0], [0, 1, 0, 0, 1, 1, 0, 1]);
        data.Add("only-predicted and wide labels", [-5, 100000, 7, 7, 7, -5], [-5, 7, 7, 12, 7, 100000]);
        data.Add("exact ties", [1, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1]);
        var many = Enumerable.Range(0, 1500).Select(i => i % 30).ToArray();
        data.Add("30 classes (numpy wraps rows)", many, many.Select((v, i) => i % 7 == 0 ? (v + 1) % 30 : v).ToArray());
        return data;
    }

    [PythonTheory]
    [MemberData(nameof(Cases))]
    public void Report_confusion_matrix_and_scores_equal_scikit_learn(string name, int[] truth, int[] predicted)
    {
        string truthPath = PythonReference.WriteRaw<int>(truth);
        string predictedPath = PythonReference.WriteRaw<int>(predicted);
        string scoresPath = PythonReference.NewTempPath();
        try
        {
            string output = PythonReference.Run(
                """
                import sys, warnings, numpy as np
                from sklearn.metrics import classification_report, confusion_matrix, precision_recall_fscore_support
                warnings.simplefilter('ignore')
                t = np.fromfile(sys.argv[1], dtype='<i4'); p = np.fromfile(sys.argv[2], dtype='<i4')
                sys.stdout.write(classification_report(t, p, digits=2))
                sys.stdout.write('=====\n')
                sys.stdout.write(classification_report(t, p, digits=4))
                sys.stdout.write('=====\n')
                sys.stdout.write(str(confusion_matrix(t, p)))
                out = []
                for avg in (None, 'macro', 'weighted', 'micro'):
                    pr, rc, f, s = precision_recall_fscore_support(t, p, average=avg)
                    out += [np.atleast_1d(pr), np.atleast_1d(rc), np.atleast_1d(f)]
                np.concatenate(out).astype('<f8').tofile(sys.argv[3])
                """,
                truthPath, predictedPath, scoresPath);
            string[] parts = output.Split("=====\n");
            var report = ClassificationReport.Compute(truth, predicted);
            report.ToText().Should().Be(parts[0], name);
            report.ToText(4).Should().Be(parts[1], name);
            ConfusionMatrix.Compute(truth, predicted).ToText().Should().Be(parts[2], name);

            double[] expected = PythonReference.ReadRaw<double>(scoresPath);
            int k = report.PerClass.Count;
            report.PerClass.Select(s => s.Precision).Should().Equal(expected[..k]);
            report.PerClass.Select(s => s.Recall).Should().Equal(expected[k..(2 * k)]);
            report.PerClass.Select(s => s.F1).Should().Equal(expected[(2 * k)..(3 * k)]);
            double[] averages = expected[(3 * k)..];
            new[] { report.MacroAverage.Precision, report.MacroAverage.Recall, report.MacroAverage.F1 }.Should().Equal(averages[..3]);
            new[] { report.WeightedAverage.Precision, report.WeightedAverage.Recall, report.WeightedAverage.F1 }.Should().Equal(averages[3..6]);
            new[] { report.Micro.Precision, report.Micro.Recall, report.Micro.F1 }.Should().Equal(averages[6..9]);
        }
        finally
        {
            File.Delete(truthPath);
            File.Delete(predictedPath);
            File.Delete(scoresPath);
        }
    }
}
