using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Preprocessing;

// `KillTarget model|dataset PATH FIRST`: writes version FIRST, FIRST + 1, ... of a model file or an HDF5 dataset to
// PATH, one after the other, printing "saved N" after each, until it is killed. Version N's content is a function
// of N alone (KillTargetContent), so the test can tell which complete version it finds after a kill.
string mode = args[0], path = args[1];
for (int version = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture); ; version++)
{
    if (mode == "model")
    {
        ModelFile.Save(KillTargetContent.Model(version), path);
    }
    else
    {
        KillTargetContent.Dataset(version).Save(path);
    }

    Console.WriteLine($"saved {version}");
}

/// <summary>What version N of each file holds; the test recomputes it to check a loaded file.</summary>
public static class KillTargetContent
{
    /// <summary>Columns enough that a save takes a while (a pipeline's scaler stores two doubles a column).</summary>
    public const int ModelColumns = 100_000;

    /// <summary>A scaler + dummy pipeline whose scaler means are <paramref name="version"/> + column and whose one class is the version.</summary>
    public static IClassifierModel Model(int version)
    {
        var values = new float[2 * ModelColumns];
        for (int j = 0; j < ModelColumns; j++)
        {
            values[j] = version + j;
            values[ModelColumns + j] = version + j;
        }

        return new Pipeline([new StandardScaler()], new DummyClassifier())
            .Fit(new FeatureMatrix(values, ModelColumns), [version, version], new ComputeBudget(1, 64L << 20));
    }

    /// <summary>A dataset of 2,000 images of 784 pixels in its training split, all pixels of row r equal to (version + r) mod 256.</summary>
    public static MnistDataset Dataset(int version)
    {
        static LabeledImages Split(int version, int rows)
        {
            var pixels = new byte[rows * 784];
            for (int r = 0; r < rows; r++)
            {
                pixels.AsSpan(r * 784, 784).Fill((byte)(version + r));
            }

            return new LabeledImages(pixels, Enumerable.Range(0, rows).Select(r => (byte)((version + r) % 10)).ToArray(), 784);
        }

        return new MnistDataset
        {
            Train = Split(version, 2000),
            Validation = Split(version, 10),
            Test = Split(version, 10),
            Info = new DatasetInfo("kill-test", version, "none", 1),
        };
    }
}
