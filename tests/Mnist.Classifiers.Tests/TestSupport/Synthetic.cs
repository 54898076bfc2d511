using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>Small random MNIST-shaped data for tests.</summary>
internal static class Synthetic
{
    /// <summary><paramref name="count"/> random images of <paramref name="side"/>² pixels, labels cycling 0–9.</summary>
    public static LabeledImages Images(int count, int seed, int side = 28)
    {
        var random = new Random(seed);
        var pixels = new byte[count * side * side];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => (byte)((i * 7 + seed) % 10)).ToArray();
        return new LabeledImages(pixels, labels, side * side);
    }

    /// <summary>Writes the four IDX files of a small MNIST into <paramref name="directory"/> (gzip or raw).</summary>
    public static RawMnist WriteIdxDirectory(string directory, int trainCount, int testCount, bool gzip)
    {
        var train = Images(trainCount, 1);
        var test = Images(testCount, 2);
        var suffix = gzip ? ".gz" : "";
        IdxFile.WriteImages(Path.Combine(directory, MnistFiles.TrainImages + suffix), new IdxImages(train.Pixels, trainCount, 28, 28), gzip);
        IdxFile.WriteLabels(Path.Combine(directory, MnistFiles.TrainLabels + suffix), train.Labels, gzip);
        IdxFile.WriteImages(Path.Combine(directory, MnistFiles.TestImages + suffix), new IdxImages(test.Pixels, testCount, 28, 28), gzip);
        IdxFile.WriteLabels(Path.Combine(directory, MnistFiles.TestLabels + suffix), test.Labels, gzip);
        return new RawMnist(train, test, "synthetic");
    }

    /// <summary>Random data with per-column offsets and spreads, a constant column and a near-constant one.</summary>
    public static FeatureMatrix RandomMatrix(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                values[i * columns + j] = j switch
                {
                    0 => 7.25f,
                    1 => 1000f + (i % 2) * 1e-4f,
                    _ => (float)(j * 3.0 + (random.NextDouble() - 0.5) * (j + 1) * 10),
                };
            }
        }

        return new FeatureMatrix(values, columns);
    }
}
