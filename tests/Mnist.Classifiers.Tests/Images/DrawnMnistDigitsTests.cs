using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Xunit.Abstractions;

namespace Mnist.Classifiers.Tests.Images;

/// <summary>
/// The measure of <c>mnist predict</c>'s image path: MNIST test digits redrawn large, thick or thin, off
/// centre, dark on light, as PNG and JPEG, read back through <see cref="DigitImage"/>, and predicted by the SVM of
/// the 50,000-row split: at least 97% right.
/// </summary>
public sealed class DrawnMnistDigitsTests(ITestOutputHelper log)
{
    [MnistFact]
    public void Redrawn_test_digits_are_recognised_by_the_50000_row_svm_at_97_percent()
    {
        string directory = SharedMnist.Directory!;
        var train = IdxFile.ReadImages(Path.Combine(directory, MnistFiles.TrainImages + ".gz"));
        byte[] trainLabels = IdxFile.ReadLabels(Path.Combine(directory, MnistFiles.TrainLabels + ".gz"));
        var test = IdxFile.ReadImages(Path.Combine(directory, MnistFiles.TestImages + ".gz"));
        byte[] testLabels = IdxFile.ReadLabels(Path.Combine(directory, MnistFiles.TestLabels + ".gz"));
        const int trainRows = 50_000, testRows = 2_000;
        var features = FeatureMatrix.FromBytes(train.Pixels.AsSpan(0, trainRows * 784), 784);
        var model = new Pipeline(new MinMaxScaler(), new SvmClassifier { C = 10 })
            .Fit(features, trainLabels.AsSpan(0, trainRows).ToArray().Select(l => (int)l).ToArray());

        var random = new Random(2024);
        var redrawn = new float[testRows * 784];
        var styles = new DrawStyle[testRows];
        // Every fifth test digit: the first thousands of MNIST's test set are harder than the rest.
        int[] rows = Enumerable.Range(0, testRows).Select(i => i * 5).ToArray();
        for (int i = 0; i < testRows; i++)
        {
            styles[i] = DrawnDigits.RandomStyle(random);
            byte[] encoded = DrawnDigits.Draw(test.Pixels.AsSpan(rows[i] * 784, 784), styles[i], random);
            DigitImage.ToMnistPixels(encoded).CopyTo(redrawn, i * 784);
        }

        int[] predicted = model.Predict(new FeatureMatrix(redrawn, 784));
        int[] original = model.Predict(FeatureMatrix.FromBytes(test.Pixels, 784).Subset(rows));
        double accuracy = predicted.Where((p, i) => p == testLabels[rows[i]]).Count() / (double)testRows;
        double originalAccuracy = original.Where((p, i) => p == testLabels[rows[i]]).Count() / (double)testRows;
        log.WriteLine($"redrawn: {accuracy:F4}; the same digits as MNIST gives them: {originalAccuracy:F4}");
        foreach (var group in styles.Select((s, i) => (s, right: predicted[i] == testLabels[rows[i]])).GroupBy(t => (t.s.Jpeg, t.s.DarkOnLight, Thick: Math.Sign(t.s.Stroke))))
        {
            log.WriteLine($"  jpeg={group.Key.Jpeg} darkOnLight={group.Key.DarkOnLight} stroke={group.Key.Thick}: {group.Count(t => t.right) / (double)group.Count():F4} of {group.Count()}");
        }

        accuracy.Should().BeGreaterThanOrEqualTo(0.97);
    }
}
