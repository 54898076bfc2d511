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

    /// <summary>
    /// Digit-like blobs of 36 pixels: each digit lights the pixels p with p % 3 == digit % 3 at
    /// <paramref name="lit"/> and leaves the others at <paramref name="dark"/>, with uniform noise of ±<paramref name="noise"/>
    /// everywhere, <paramref name="perClass"/> images per digit. Digits with distinct residues modulo 3 are well separated.
    /// </summary>
    public static LabeledImages DigitBlobs(int perClass, int seed, byte[] digits, int lit, int dark, int noise)
    {
        var random = new Random(seed);
        const int columns = 36;
        var labels = new List<byte>();
        var pixels = new List<byte>();
        foreach (byte digit in digits)
        {
            for (int i = 0; i < perClass; i++)
            {
                labels.Add(digit);
                for (int p = 0; p < columns; p++)
                {
                    pixels.Add((byte)Math.Clamp((p % 3 == digit % 3 ? lit : dark) + random.Next(-noise, noise + 1), 0, 255));
                }
            }
        }

        return new LabeledImages([.. pixels], [.. labels], columns);
    }

    /// <summary>
    /// An in-memory MNIST dataset of <see cref="DigitBlobs"/> of the digits 3, 4 and 8 (lit 180, dark 40): train,
    /// validation (5 per digit) and test splits drawn with seeds 1, 2 and 3, for the CLI tests.
    /// </summary>
    public static MnistDataset BlobDataset(int trainPerClass, int testPerClass, int noise) => new()
    {
        Train = DigitBlobs(trainPerClass, 1, [3, 4, 8], lit: 180, dark: 40, noise: noise),
        Validation = DigitBlobs(5, 2, [3, 4, 8], lit: 180, dark: 40, noise: noise),
        Test = DigitBlobs(testPerClass, 3, [3, 4, 8], lit: 180, dark: 40, noise: noise),
        Info = new DatasetInfo("blobs", 0, "none", 1),
    };
}
