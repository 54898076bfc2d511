using System.CommandLine;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>
/// The <c>mnist</c> CLI given the damaged files of the fuzz corpus (and files of the wrong kind) where a model, an
/// image or a dataset is expected: a non-zero exit and an error line naming the file, never a stack trace.
/// </summary>
public class CliBadFileTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Robustness", "Fixtures", "fuzz");

    public static TheoryData<string> BadModels => ["model/truncated.mutated.model", "image/digit.png", "hdf5/tiny.h5", "idx/images.idx"];

    public static TheoryData<string> BadImages =>
        ["image/bomb-60000x60000.mutated.png", "image/not-an-image.mutated.png", "model/dummy.model", "idx/images.idx.gz"];

    public static TheoryData<string> BadDatasets => ["hdf5/truncated.mutated.h5", "model/forest.model", "image/digit.gif", "idx/gzip-bomb.mutated.idx.gz"];

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Predict_names_a_model_file_it_cannot_read(string file)
    {
        string path = Path.Combine(Corpus, file);
        var error = new StringWriter();

        int code = PredictCommand.Run(path, ["x.png"], verbose: false, TextWriter.Null, error);

        code.Should().Be(1);
        error.ToString().Should().Contain($"cannot load the model '{path}'").And.NotContain("   at ");
    }

    [Theory]
    [MemberData(nameof(BadImages))]
    public void Predict_names_an_image_it_cannot_read(string file)
    {
        using var directory = new TempDirectory();
        string model = directory.File("bars.model");
        Mnist.Classifiers.Persistence.ModelFile.Save(BarPictures.Model(), model);
        string path = Path.Combine(Corpus, file);
        var error = new StringWriter();

        int code = PredictCommand.Run(model, [path], verbose: false, TextWriter.Null, error);

        code.Should().Be(1);
        error.ToString().Should().StartWith($"error: {path}: ").And.NotContain("   at ");
    }

    [Theory]
    [MemberData(nameof(BadDatasets))]
    public void Train_names_a_dataset_file_it_cannot_read(string file)
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(Corpus, file);
        var root = new RootCommand();
        root.Subcommands.Add(TrainCommand.Create());
        var (output, error) = (new StringWriter(), new StringWriter());

        int code = root.Parse(["train", "-M", "dummy", "-d", path, "-o", directory.File("model.bin")])
            .Invoke(new InvocationConfiguration { Output = output, Error = error });

        code.Should().NotBe(0);
        error.ToString().Should().Contain(path).And.NotContain("   at ");
        File.Exists(directory.File("model.bin")).Should().BeFalse();
    }
}
