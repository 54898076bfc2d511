using System.CommandLine;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

/// <summary>The real <c>mnist train</c> command reading an HDF5 file written by <see cref="MnistDataset.Save"/>.</summary>
public sealed class TrainCommandDatasetFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-train-h5-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Trains_dummy_from_an_hdf5_file_and_saves_the_model()
    {
        string datasetPath = Path.Combine(_directory, "data.h5");
        string modelPath = Path.Combine(_directory, "model.bin");
        var data = TrainCommandTests.Synthetic();
        data.Save(datasetPath);

        var root = new RootCommand();
        root.Subcommands.Add(TrainCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        int code = root.Parse(["train", "-M", "dummy", "-m", "--json", "-d", datasetPath, "-o", modelPath])
            .Invoke(new InvocationConfiguration { Output = output, Error = error });

        code.Should().Be(0, error.ToString());
        output.ToString().Should().Contain("accuracy").And.Contain("Confusion matrix:").And.Contain("\"model\":\"dummy\"");
        var model = ModelFile.Load<PipelineModel>(modelPath);
        ((DummyModel)model.Classifier).MostFrequentClass.Should().Be(7);
    }
}
