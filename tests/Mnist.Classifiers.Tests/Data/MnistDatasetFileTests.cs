using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class MnistDatasetFileTests
{
    private static MnistDataset Sample() => new()
    {
        Train = Synthetic.Images(30, 1),
        Validation = Synthetic.Images(7, 2),
        Test = Synthetic.Images(5, 3),
        Info = new DatasetInfo("idx:/some/dir", 1234, "shift+rotate", 1),
    };

    private const string DescribeWithH5py = """
        import sys, h5py
        f = h5py.File(sys.argv[1], 'r')
        for k in sorted(f):
            d = f[k]
            print(k, d.shape, d.dtype, ' '.join(str(int(v)) for v in d[()].ravel()[[0, 1, -1]]))
        for k in sorted(f.attrs):
            v = f.attrs[k]
            print('attr', k, v.decode() if isinstance(v, bytes) else v)
        """;

    [PythonFact("h5py")]
    public void Files_saved_in_CSharp_read_in_h5py_with_the_documented_layout()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data.h5");
        var dataset = Sample();
        dataset.Save(path);

        var lines = PythonReference.Run(DescribeWithH5py, path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string Values(LabeledImages s, bool pixels) => pixels
            ? $"{s.Pixels[0]} {s.Pixels[1]} {s.Pixels[^1]}"
            : $"{s.Labels[0]} {s.Labels[1]} {s.Labels[^1]}";
        lines.Should().Equal(
            $"X_test (5, 784) uint8 {Values(dataset.Test, true)}",
            $"X_train (30, 784) uint8 {Values(dataset.Train, true)}",
            $"X_val (7, 784) uint8 {Values(dataset.Validation, true)}",
            $"y_test (5,) uint8 {Values(dataset.Test, false)}",
            $"y_train (30,) uint8 {Values(dataset.Train, false)}",
            $"y_val (7,) uint8 {Values(dataset.Validation, false)}",
            "attr augmentation shift+rotate",
            "attr format_version 1",
            "attr source idx:/some/dir",
            "attr split_seed 1234");
        Directory.GetFiles(dir.Path).Should().Equal(path);
    }

    [Fact]
    public void Save_then_Load_gives_back_the_same_dataset()
    {
        using var dir = new TempDirectory();
        var path = dir.File("data.h5");
        var dataset = Sample();
        dataset.Save(path);
        dataset.Save(path); // overwriting works too

        var loaded = MnistDataset.Load(path);
        loaded.Info.Should().Be(dataset.Info);
        loaded.Train.Pixels.Should().Equal(dataset.Train.Pixels);
        loaded.Train.Labels.Should().Equal(dataset.Train.Labels);
        loaded.Validation.Pixels.Should().Equal(dataset.Validation.Pixels);
        loaded.Test.Labels.Should().Equal(dataset.Test.Labels);
        loaded.Train.Columns.Should().Be(784);
    }

    [PythonFact("h5py", "numpy")]
    public void Files_written_by_h5py_load_with_int64_and_variable_length_attributes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("py.h5");
        PythonReference.Run("""
            import sys, h5py, numpy as np
            rng = np.random.default_rng(5)
            with h5py.File(sys.argv[1], 'w') as f:
                for name, n in (('train', 12), ('val', 4), ('test', 3)):
                    f['X_' + name] = rng.integers(0, 256, size=(n, 784), dtype=np.uint8)
                    f['y_' + name] = (np.arange(n) % 10).astype(np.int64)   # labels as int64, as numpy makes them
                f.attrs['source'] = 'openml:mnist_784'   # a variable-length string
                f.attrs['split_seed'] = 7                  # an int64
                f.attrs['augmentation'] = 'shift'
                f.attrs['format_version'] = 1
            """, path);
        var expected = PythonReference.Run("""
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            print(' '.join(str(int(v)) for v in f['X_val'][()].ravel()))
            """, path).Trim().Split(' ').Select(byte.Parse).ToArray();

        var loaded = MnistDataset.Load(path);
        loaded.Info.Should().Be(new DatasetInfo("openml:mnist_784", 7, "shift", 1));
        loaded.Train.Rows.Should().Be(12);
        loaded.Validation.Pixels.Should().Equal(expected);
        loaded.Test.Labels.Should().Equal(0, 1, 2);
        loaded.Train.Labels.Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1);
    }

    [PythonFact("h5py", "numpy")]
    public void Files_without_attributes_and_with_3D_images_load_as_format_version_0()
    {
        using var dir = new TempDirectory();
        var path = dir.File("legacy.h5");
        PythonReference.Run("""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], 'w') as f:
                for name, n in (('train', 6), ('val', 2), ('test', 2)):
                    f['X_' + name] = np.arange(n * 784, dtype=np.int32).reshape(n, 28, 28) % 256
                    f['y_' + name] = np.arange(n, dtype=np.uint8)
            """, path);

        var loaded = MnistDataset.Load(path);
        loaded.Info.Should().Be(new DatasetInfo("unknown", -1, "unknown", 0));
        loaded.Train.Columns.Should().Be(784);
        loaded.Train.Pixels[785].Should().Be((byte)(785 % 256));
    }

    [PythonTheory("h5py", "numpy")]
    [InlineData("del f['y_val']", "*has no dataset 'y_val'*")]
    [InlineData("del f['X_test']; f['X_test'] = np.zeros((2, 784), dtype=np.float64)", "*dataset 'X_test'*FloatingPoint*uint8*")]
    [InlineData("del f['y_train']; f['y_train'] = np.zeros(5, dtype=np.uint8)", "*'y_train' has 5 labels but 'X_train' has 6 images*")]
    [InlineData("del f['y_train']; f['y_train'] = np.zeros((6, 2), dtype=np.uint8)", "*'y_train' has shape (6, 2)*")]
    [InlineData("del f['y_train']; f['y_train'] = np.full(6, 300, dtype=np.int16)", "*'y_train'*value 300*0–255*")]
    [InlineData("del f['X_val']; f['X_val'] = np.zeros((2, 10), dtype=np.uint8)", "*disagree on the image size*")]
    [InlineData("f.attrs['split_seed'] = 1.5", "*attribute 'split_seed'*")]
    public void Malformed_files_are_reported_with_the_file_and_the_dataset(string damage, string message)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.h5");
        PythonReference.Run($"""
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], 'w') as f:
                for name, n in (('train', 6), ('val', 2), ('test', 2)):
                    f['X_' + name] = np.zeros((n, 784), dtype=np.uint8)
                    f['y_' + name] = np.zeros(n, dtype=np.uint8)
                {damage}
            """, path);

        var load = () => MnistDataset.Load(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"*{path}*").And.Message.Should().Match(message);
    }

    [Fact]
    public void A_file_that_is_not_HDF5_is_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("notes.h5");
        File.WriteAllText(path, "not an HDF5 file at all");
        var load = () => MnistDataset.Load(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is not a readable HDF5 file*");
    }

    [Fact]
    public void Missing_file_and_missing_directory_are_reported()
    {
        var load = () => MnistDataset.Load("/nonexistent/data.h5");
        load.Should().Throw<FileNotFoundException>().WithMessage("*/nonexistent/data.h5*");
        var save = () => Sample().Save("/nonexistent/dir/data.h5");
        save.Should().Throw<DirectoryNotFoundException>().WithMessage("*/nonexistent/dir*");
    }
}
