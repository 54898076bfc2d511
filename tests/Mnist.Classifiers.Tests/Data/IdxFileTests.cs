using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class IdxFileTests
{
    private static readonly IdxImages TwoImages = new([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], Count: 2, Height: 2, Width: 3);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_and_labels_round_trip(bool gzip)
    {
        using var dir = new TempDirectory();
        IdxFile.WriteImages(dir.File("images"), TwoImages, gzip);
        IdxFile.WriteLabels(dir.File("labels"), [3, 9], gzip);

        var images = IdxFile.ReadImages(dir.File("images"));
        images.Should().BeEquivalentTo(TwoImages);
        IdxFile.ReadLabels(dir.File("labels")).Should().Equal(3, 9);
        Directory.GetFiles(dir.Path).Should().HaveCount(2, "no temporary file stays behind");
    }

    [Fact]
    public void Raw_file_has_the_documented_big_endian_layout()
    {
        using var dir = new TempDirectory();
        IdxFile.WriteImages(dir.File("images"), TwoImages, gzip: false);
        var bytes = File.ReadAllBytes(dir.File("images"));
        bytes[..16].Should().Equal(0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3);
        bytes[16..].Should().Equal(TwoImages.Pixels);
    }

    [Fact]
    public void Gzip_is_recognised_by_its_magic_bytes_not_by_the_name()
    {
        using var dir = new TempDirectory();
        IdxFile.WriteLabels(dir.File("labels.bin"), [4, 2], gzip: true);
        File.ReadAllBytes(dir.File("labels.bin"))[..2].Should().Equal(0x1f, 0x8b);
        IdxFile.ReadLabels(dir.File("labels.bin")).Should().Equal(4, 2);

        IdxFile.WriteLabels(dir.File("raw.gz"), [7], gzip: false);
        IdxFile.ReadLabels(dir.File("raw.gz")).Should().Equal(7);
    }

    [Fact]
    public void Wrong_magic_is_reported_with_the_file_name()
    {
        using var dir = new TempDirectory();
        IdxFile.WriteLabels(dir.File("labels"), [1, 2, 3], gzip: false);
        var read = () => IdxFile.ReadImages(dir.File("labels"));
        read.Should().Throw<InvalidDataException>().WithMessage("*labels*magic number 0x00000801*images*");
    }

    [Fact]
    public void Truncated_data_is_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images");
        IdxFile.WriteImages(path, TwoImages, gzip: false);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);
        var read = () => IdxFile.ReadImages(path);
        read.Should().Throw<InvalidDataException>().WithMessage($"*{path}*truncated*12 bytes*found 11*");
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0, 0, 2, 0]);
        var read = () => IdxFile.ReadImages(path);
        read.Should().Throw<InvalidDataException>().WithMessage($"*{path}*header is truncated*");
    }

    [Fact]
    public void Trailing_bytes_are_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("labels.gz");
        IdxFile.WriteLabels(path, [1, 2], gzip: false);
        var bytes = File.ReadAllBytes(path).Append((byte)0).ToArray();
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        var read = () => IdxFile.ReadLabels(path);
        read.Should().Throw<InvalidDataException>().WithMessage($"*{path}*bytes after the 2 bytes*");
    }

    [Fact]
    public void Corrupted_gzip_is_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("labels.gz");
        IdxFile.WriteLabels(path, Enumerable.Range(0, 1000).Select(i => (byte)(i * 31)).ToArray(), gzip: true);
        var bytes = File.ReadAllBytes(path);
        for (var i = 12; i < bytes.Length - 8; i += 3)
        {
            bytes[i] ^= 0x5a;
        }

        File.WriteAllBytes(path, bytes);
        var read = () => IdxFile.ReadLabels(path);
        read.Should().Throw<InvalidDataException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var read = () => IdxFile.ReadLabels("/nonexistent/dir/labels");
        read.Should().Throw<FileNotFoundException>().WithMessage("*/nonexistent/dir/labels*");
    }

    [Fact]
    public void Negative_or_huge_dimensions_are_rejected()
    {
        using var dir = new TempDirectory();
        var path = dir.File("images");
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxFile.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 100_000);
        File.WriteAllBytes(path, header);
        var read = () => IdxFile.ReadImages(path);
        read.Should().Throw<InvalidDataException>().WithMessage("*too large*");
    }

    [MnistFact]
    public void Reads_the_real_MNIST_files_with_their_published_checksums()
    {
        string directory = SharedMnist.Directory!;

        var labels = IdxFile.ReadLabels(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"));
        labels.Should().HaveCount(10_000);
        var images = IdxFile.ReadImages(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"));
        (images.Count, images.Height, images.Width).Should().Be((10_000, 28, 28));

        // Rebuild the uncompressed files from what was read: their MD5s must be the published ones.
        using var dir = new TempDirectory();
        IdxFile.WriteLabels(dir.File("l"), labels, gzip: false);
        IdxFile.WriteImages(dir.File("i"), images, gzip: false);
        Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(dir.File("l")))).Should().Be("27ae3e4e09519cfbb04c329615203637");
        Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(dir.File("i")))).Should().Be("2646ac647ad5339dbf082846283269ea");
    }
}
