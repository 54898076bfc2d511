using System.CommandLine;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Tests.Data;
using Mnist.Cli;

namespace Mnist.Classifiers.Tests.Cli;

public class FetchCommandTests
{
    private static (int ExitCode, string Output, string Error) Invoke(Command fetch, params string[] args)
    {
        var root = new RootCommand { fetch };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Fetch_from_a_local_directory_with_shift_and_rotate_writes_the_dataset()
    {
        using var dir = new TempDirectory();
        var source = Directory.CreateDirectory(dir.File("idx")).FullName;
        var raw = Synthetic.WriteIdxDirectory(source, 100, 20, gzip: true);
        var output = dir.File("out.h5");

        (await Mnist.Cli.Program.Main(["fetch", "--from", source, "-o", output, "-s", "-r"])).Should().Be(0);

        var dataset = MnistDataset.Load(output);
        dataset.Validation.Rows.Should().Be(16);
        dataset.Train.Rows.Should().Be(7 * 84);
        dataset.Test.Labels.Should().Equal(raw.Test.Labels);
        dataset.Info.Should().Be(new DatasetInfo($"idx:{source}", 42, "shift+rotate", 1));
        var expected = MnistDatasetBuilder.Build(raw, 42, Augmentations.Shift | Augmentations.Rotate);
        dataset.Train.Pixels.Should().Equal(expected.Train.Pixels);
    }

    [Fact]
    public void Long_names_seed_and_no_augmentation()
    {
        using var dir = new TempDirectory();
        var source = Directory.CreateDirectory(dir.File("idx")).FullName;
        Synthetic.WriteIdxDirectory(source, 60, 10, gzip: false);
        var output = dir.File("plain.h5");

        var (exitCode, stdout, _) = Invoke(FetchCommand.Create(), "fetch", "--from", source, "--outpath", output, "--seed", "7");
        exitCode.Should().Be(0);
        stdout.Should().Contain("train 50, validation 10, test 10");
        var dataset = MnistDataset.Load(output);
        dataset.Train.Rows.Should().Be(50);
        dataset.Info.SplitSeed.Should().Be(7);
        dataset.Info.Augmentation.Should().Be("none");

        Invoke(FetchCommand.Create(), "fetch", "--from", source, "--outpath", output, "--shift").ExitCode.Should().Be(0);
        MnistDataset.Load(output).Train.Rows.Should().Be(250);
        Invoke(FetchCommand.Create(), "fetch", "--from", source, "--outpath", output, "--rotate").ExitCode.Should().Be(0);
        MnistDataset.Load(output).Train.Rows.Should().Be(150);
    }

    [Fact]
    public async Task A_bad_source_directory_fails_with_one_line_naming_it()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("no-such-dir");
        (await Mnist.Cli.Program.Main(["fetch", "--from", missing, "-o", dir.File("x.h5")])).Should().NotBe(0);

        var (exitCode, stdout, error) = Invoke(FetchCommand.Create(), "fetch", "--from", missing, "-o", dir.File("x.h5"));
        exitCode.Should().Be(1);
        stdout.Should().BeEmpty();
        error.Trim().Should().Be($"mnist fetch: The MNIST directory '{missing}' does not exist.");
        File.Exists(dir.File("x.h5")).Should().BeFalse();

        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var second = Invoke(FetchCommand.Create(), "fetch", "--from", empty, "-o", dir.File("x.h5"));
        second.ExitCode.Should().Be(1);
        second.Error.Should().Contain(empty).And.Contain("train-images-idx3-ubyte").And.NotContain("   at ");
    }

    [Fact]
    public void An_unwritable_output_path_fails_cleanly()
    {
        using var dir = new TempDirectory();
        var source = Directory.CreateDirectory(dir.File("idx")).FullName;
        Synthetic.WriteIdxDirectory(source, 12, 2, gzip: true);
        var (exitCode, _, error) = Invoke(FetchCommand.Create(), "fetch", "--from", source, "-o", dir.File("missing/out.h5"));
        exitCode.Should().Be(1);
        error.Should().StartWith("mnist fetch: Cannot write").And.Contain("does not exist");
    }

    [Fact]
    public void Without_from_it_downloads_through_the_handler_into_the_cache_dir()
    {
        using var dir = new TempDirectory();
        var cache = dir.File("cache");
        var handler = new FakeHttpHandler(); // nothing reachable: every source fails
        var (exitCode, _, error) = Invoke(FetchCommand.Create(handler), "fetch", "-o", dir.File("d.h5"), "--cache-dir", cache);
        exitCode.Should().Be(1);
        error.Should().Contain("Could not download MNIST").And.Contain("api/v1/json/data/554");
        handler.Requests.Should().Contain(r => r.EndsWith("/json/data/554", StringComparison.Ordinal))
            .And.Contain(r => r.EndsWith("train-images-idx3-ubyte.gz", StringComparison.Ordinal));
        Directory.Exists(cache).Should().BeTrue();
    }
}
