using Mnist.Classifiers.IO;

namespace Mnist.Classifiers.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mnist-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary()
    {
        string path = Path.Combine(_directory, "data.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        var write = () => AtomicFile.WriteStream(path, stream =>
        {
            stream.Write([9, 9]);
            throw new InvalidOperationException("disk full");
        });

        write.Should().Throw<InvalidOperationException>().WithMessage("disk full");
        File.ReadAllBytes(path).Should().Equal(1, 2, 3);
        Directory.GetFiles(_directory).Should().ContainSingle();
    }

    [Fact]
    public void A_missing_directory_is_an_error_naming_it_unless_creation_is_asked()
    {
        string path = Path.Combine(_directory, "missing", "data.bin");

        var write = () => AtomicFile.WriteStream(path, stream => stream.Write([7]));

        write.Should().Throw<DirectoryNotFoundException>().WithMessage($"*'{Path.Combine(_directory, "missing")}' does not exist*");
        AtomicFile.WriteStream(path, stream => stream.Write([7]), createDirectory: true);
        File.ReadAllBytes(path).Should().Equal(7);
        Directory.GetFiles(Path.GetDirectoryName(path)!).Should().ContainSingle("the temporary file was renamed");
    }
}
