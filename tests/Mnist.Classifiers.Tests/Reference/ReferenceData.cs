using System.Buffers.Binary;
using System.IO.Compression;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Reference;

/// <summary>A train/test split used to compare the library's classifiers with scikit-learn.</summary>
/// <param name="Name">A short name for test output.</param>
/// <param name="Train">Training features (float32, contiguous).</param>
/// <param name="TrainLabels">Training labels.</param>
/// <param name="Test">Test features, same columns.</param>
/// <param name="TestLabels">Test labels.</param>
public sealed record ReferenceDataSet(string Name, FeatureMatrix Train, int[] TrainLabels, FeatureMatrix Test, int[] TestLabels)
{
    /// <summary>The distinct training labels, ascending.</summary>
    public int[] Classes => TrainLabels.Distinct().Order().ToArray();

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Train.Rows}+{Test.Rows} rows, {Train.Columns} features, {Classes.Length} classes)";
}

/// <summary>
/// Data for the reference tests: seeded synthetic Gaussian blobs and small standard-scaled MNIST subsets read
/// straight from the IDX files in <c>shared/data/mnist</c> (with a private reader, independent of the library's).
/// </summary>
public static class ReferenceData
{
    /// <summary>Rows of the MNIST training subset.</summary>
    public const int MnistTrainRows = 2000;

    /// <summary>Rows of the MNIST test subset.</summary>
    public const int MnistTestRows = 1000;

    private static readonly Lazy<(byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels)> MnistFiles = new(ReadMnistFiles);

    /// <summary>
    /// Gaussian blobs: class centres drawn from N(0, <paramref name="centreSpread"/>²) per feature, rows drawn from
    /// N(centre, 1) per feature, classes assigned round-robin (labels 0..classes−1) and then shuffled. With a small spread
    /// the classes overlap, so a soft-margin SVM has bounded support vectors. Deterministic for a seed.
    /// </summary>
    public static ReferenceDataSet GaussianBlobs(string name, int trainRows, int testRows, int features, int classes, double centreSpread, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainRows, classes);
        ArgumentOutOfRangeException.ThrowIfNegative(testRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var random = new Random(seed);
        var centres = new double[classes, features];
        for (int c = 0; c < classes; c++)
        {
            for (int f = 0; f < features; f++)
            {
                centres[c, f] = centreSpread * Gaussian(random);
            }
        }

        (FeatureMatrix X, int[] Y) Draw(int rows)
        {
            var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
            random.Shuffle(labels);
            var values = new float[rows * features];
            for (int i = 0; i < rows; i++)
            {
                for (int f = 0; f < features; f++)
                {
                    values[i * features + f] = (float)(centres[labels[i], f] + Gaussian(random));
                }
            }

            return (new FeatureMatrix(values, features), labels);
        }

        var (train, trainLabels) = Draw(trainRows);
        var (test, testLabels) = testRows == 0 ? (new FeatureMatrix([], features), Array.Empty<int>()) : Draw(testRows);
        return new ReferenceDataSet(name, train, trainLabels, test, testLabels);
    }

    /// <summary>Binary synthetic set: 2 features, 300 train + 200 test rows, overlapping classes.</summary>
    public static ReferenceDataSet SyntheticBinary(int seed = 20240601) =>
        GaussianBlobs("synthetic-binary", 300, 200, 2, 2, 1.0, seed);

    /// <summary>10-class synthetic set: 10 features, 400 train + 200 test rows, overlapping neighbours.</summary>
    public static ReferenceDataSet SyntheticMulticlass(int seed = 20240602) =>
        GaussianBlobs("synthetic-10class", 400, 200, 10, 10, 1.0, seed);

    /// <summary>
    /// The first <paramref name="trainRows"/> MNIST training images and first <paramref name="testRows"/> test images,
    /// all ten digits, standard scaled with the training subset's statistics (<see cref="StandardScale"/>).
    /// </summary>
    public static ReferenceDataSet MnistSubset(int trainRows = MnistTrainRows, int testRows = MnistTestRows)
    {
        var (trainPixels, trainLabels, testPixels, testLabels) = LoadMnist();
        var trainIndices = Enumerable.Range(0, trainRows).ToArray();
        var testIndices = Enumerable.Range(0, testRows).ToArray();
        return Build($"mnist-{trainRows}", trainPixels, trainLabels, trainIndices, testPixels, testLabels, testIndices);
    }

    /// <summary>
    /// Binary MNIST: the first <paramref name="trainRows"/> training images whose digit is <paramref name="first"/> or
    /// <paramref name="second"/> and the first <paramref name="testRows"/> such test images, standard scaled on the training subset.
    /// Labels stay the digits.
    /// </summary>
    public static ReferenceDataSet MnistBinary(int first = 3, int second = 5, int trainRows = MnistTrainRows, int testRows = MnistTestRows)
    {
        var (trainPixels, trainLabels, testPixels, testLabels) = LoadMnist();
        int[] Pick(byte[] labels, int count)
        {
            var picked = Enumerable.Range(0, labels.Length).Where(i => labels[i] == first || labels[i] == second).Take(count).ToArray();
            if (picked.Length < count)
            {
                throw new InvalidOperationException($"Only {picked.Length} images of digits {first} and {second}; {count} asked.");
            }

            return picked;
        }

        return Build($"mnist-{first}v{second}-{trainRows}", trainPixels, trainLabels, Pick(trainLabels, trainRows), testPixels, testLabels, Pick(testLabels, testRows));
    }

    /// <summary>
    /// Standard scaling in float32: per column mean and population standard deviation of <paramref name="train"/>
    /// (accumulated in double, then rounded to float), x' = (x − mean) / std in float arithmetic; a zero-variance column
    /// uses std = 1, as sklearn's StandardScaler does.
    /// </summary>
    public static (FeatureMatrix Train, FeatureMatrix Test) StandardScale(FeatureMatrix train, FeatureMatrix test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        int columns = train.Columns;
        var mean = new float[columns];
        var std = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            double sum = 0;
            for (int r = 0; r < train.Rows; r++)
            {
                sum += train[r, c];
            }

            double m = sum / train.Rows;
            double squares = 0;
            for (int r = 0; r < train.Rows; r++)
            {
                double d = train[r, c] - m;
                squares += d * d;
            }

            double s = Math.Sqrt(squares / train.Rows);
            mean[c] = (float)m;
            std[c] = s == 0 ? 1f : (float)s;
        }

        FeatureMatrix Apply(FeatureMatrix x)
        {
            var values = new float[x.Rows * columns];
            for (int r = 0; r < x.Rows; r++)
            {
                var row = x.Row(r);
                for (int c = 0; c < columns; c++)
                {
                    values[r * columns + c] = (row[c] - mean[c]) / std[c];
                }
            }

            return new FeatureMatrix(values, columns);
        }

        return (Apply(train), Apply(test));
    }

    private static ReferenceDataSet Build(string name, byte[] trainPixels, byte[] trainLabels, int[] trainIndices, byte[] testPixels, byte[] testLabels, int[] testIndices)
    {
        const int Pixels = 28 * 28;
        FeatureMatrix Rows(byte[] pixels, int[] indices)
        {
            var values = new byte[indices.Length * Pixels];
            for (int i = 0; i < indices.Length; i++)
            {
                pixels.AsSpan(indices[i] * Pixels, Pixels).CopyTo(values.AsSpan(i * Pixels));
            }

            return FeatureMatrix.FromBytes(values, Pixels);
        }

        var train = Rows(trainPixels, trainIndices);
        var test = Rows(testPixels, testIndices);
        var (scaledTrain, scaledTest) = StandardScale(train, test);
        return new ReferenceDataSet(
            name,
            scaledTrain,
            trainIndices.Select(i => (int)trainLabels[i]).ToArray(),
            scaledTest,
            testIndices.Select(i => (int)testLabels[i]).ToArray());
    }

    private static (byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels) LoadMnist() => MnistFiles.Value;

    private static (byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels) ReadMnistFiles()
    {
        string directory = SharedMnist.Directory
            ?? throw new DirectoryNotFoundException(SharedMnist.SkipReason);
        return (
            IdxGz.Read(Path.Combine(directory, "train-images-idx3-ubyte.gz"), 3),
            IdxGz.Read(Path.Combine(directory, "train-labels-idx1-ubyte.gz"), 1),
            IdxGz.Read(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), 3),
            IdxGz.Read(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"), 1));
    }

    // Box–Muller; one of the pair is discarded, which keeps the stream simple and seed-stable.
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A minimal reader of gzip-compressed IDX files of unsigned bytes (the MNIST format, big-endian header).</summary>
    internal static class IdxGz
    {
        /// <summary>The payload bytes of an IDX file of type 0x08 with <paramref name="expectedDimensions"/> dimensions.</summary>
        public static byte[] Read(string path, int expectedDimensions)
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            Span<byte> header = stackalloc byte[4];
            gzip.ReadExactly(header);
            if (header[0] != 0 || header[1] != 0 || header[2] != 0x08 || header[3] != expectedDimensions)
            {
                throw new InvalidDataException(
                    $"{path}: IDX magic {Convert.ToHexString(header)}, expected 000008{expectedDimensions:X2} (unsigned bytes, {expectedDimensions} dimensions).");
            }

            long count = 1;
            Span<byte> dimension = stackalloc byte[4];
            for (int d = 0; d < expectedDimensions; d++)
            {
                gzip.ReadExactly(dimension);
                count *= BinaryPrimitives.ReadInt32BigEndian(dimension);
            }

            var payload = new byte[count];
            try
            {
                gzip.ReadExactly(payload);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"{path}: the header promises {count} bytes but the file is shorter.", e);
            }

            return payload;
        }
    }
}
