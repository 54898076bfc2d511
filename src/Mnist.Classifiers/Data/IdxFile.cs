using System.Buffers.Binary;
using System.IO.Compression;
using Mnist.Classifiers.IO;

namespace Mnist.Classifiers.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> images of <see cref="Height"/> × <see cref="Width"/> bytes.</summary>
/// <param name="Pixels">The pixels, image after image, each row-major.</param>
/// <param name="Count">The number of images.</param>
/// <param name="Height">The number of pixel rows of an image.</param>
/// <param name="Width">The number of pixel columns of an image.</param>
public sealed record IdxImages(byte[] Pixels, int Count, int Height, int Width)
{
    /// <summary>The number of pixels of one image.</summary>
    public int PixelsPerImage => Height * Width;
}

/// <summary>
/// Reads and writes the IDX format of the MNIST distribution (LeCun et al.): a big-endian header, a magic number
/// that gives the element type (0x08 = unsigned byte) and the rank, one 32-bit size per dimension, then the data.
/// Images are rank 3 (magic <c>0x00000803</c>), labels rank 1 (magic <c>0x00000801</c>). Files may be gzip-compressed;
/// compression is recognised by the gzip magic bytes <c>1f 8b</c>, whatever the file is called.
/// </summary>
public static class IdxFile
{
    /// <summary>The magic number of a rank-3 unsigned-byte IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a rank-1 unsigned-byte IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    // A sanity bound: MNIST-like data sets are far smaller, and it keeps a corrupted header from asking for gigabytes.
    private const long MaxElements = int.MaxValue - 64;

    private const int InitialBodyBytes = 1 << 20;

    /// <summary>Reads an images file (raw or gzip).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid IDX images file (the message says why).</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenFile(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an images file from a stream (raw or gzip); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The content is not a valid IDX images file.</exception>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        using var content = Decompressed(stream, name);
        var header = ReadHeader(content, name, ImagesMagic, rank: 3);
        var (count, height, width) = (header[0], header[1], header[2]);
        if (height == 0 || width == 0)
        {
            throw Invalid(name, $"the images have an empty size {height}×{width}");
        }

        var pixels = ReadBody(content, name, (long)count * height * width);
        return new IdxImages(pixels, count, height, width);
    }

    /// <summary>Reads a labels file (raw or gzip).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid IDX labels file (the message says why).</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenFile(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads a labels file from a stream (raw or gzip); <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The content is not a valid IDX labels file.</exception>
    public static byte[] ReadLabels(Stream stream, string name)
    {
        using var content = Decompressed(stream, name);
        var header = ReadHeader(content, name, LabelsMagic, rank: 1);
        return ReadBody(content, name, header[0]);
    }

    /// <summary>Writes an images file atomically, gzip-compressed when <paramref name="gzip"/> is true.</summary>
    public static void WriteImages(string path, IdxImages images, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(images);
        if ((long)images.Count * images.Height * images.Width != images.Pixels.Length)
        {
            throw new ArgumentException(
                $"{images.Pixels.Length} pixels do not make {images.Count} images of {images.Height}×{images.Width}.", nameof(images));
        }

        Write(path, gzip, ImagesMagic, [images.Count, images.Height, images.Width], images.Pixels);
    }

    /// <summary>Writes a labels file atomically, gzip-compressed when <paramref name="gzip"/> is true.</summary>
    public static void WriteLabels(string path, byte[] labels, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Write(path, gzip, LabelsMagic, [labels.Length], labels);
    }

    /// <summary>True when the stream starts with the gzip magic bytes; the stream must be seekable and is rewound.</summary>
    internal static bool StartsWithGzipMagic(Stream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var start = stream.Position;
        var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The IDX file '{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static Stream Decompressed(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            buffer.Position = 0;
            stream = buffer;
        }

        return StartsWithGzipMagic(stream)
            ? new BufferedStream(new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true), 1 << 16)
            : new NonClosingStream(stream);
    }

    private static int[] ReadHeader(Stream content, string name, int expectedMagic, int rank)
    {
        Span<byte> header = stackalloc byte[4 + 4 * rank];
        int read;
        try
        {
            read = content.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw Invalid(name, $"the gzip stream is corrupted ({e.Message})");
        }

        if (read < 4)
        {
            throw Invalid(name, $"the file is too short for an IDX header ({read} bytes)");
        }

        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            var what = expectedMagic == ImagesMagic ? "images" : "labels";
            throw Invalid(name, $"magic number 0x{magic:x8} is not that of an IDX {what} file (0x{expectedMagic:x8})");
        }

        if (read < header.Length)
        {
            throw Invalid(name, $"the header is truncated ({read} of {header.Length} bytes)");
        }

        var dims = new int[rank];
        long total = 1;
        for (var d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * d)..]);
            if (dims[d] < 0)
            {
                throw Invalid(name, $"dimension {d} is negative ({dims[d]})");
            }

            total *= dims[d];
            if (total > MaxElements)
            {
                throw Invalid(name, $"the dimensions {string.Join("×", dims[..(d + 1)])} are too large");
            }
        }

        return dims;
    }

    /// <summary>
    /// Reads the <paramref name="length"/> bytes the header announces. The buffer grows (doubling, from 1 MB) only as
    /// data actually arrives, so a header that lies (a 1 KB gzip bomb claiming 2³⁰ labels) costs at most twice the
    /// data that is really there, never the announced size.
    /// </summary>
    private static byte[] ReadBody(Stream content, string name, long length)
    {
        var body = new byte[Math.Min(length, InitialBodyBytes)];
        int read = 0;
        bool trailing;
        try
        {
            while (true)
            {
                read += content.ReadAtLeast(body.AsSpan(read), body.Length - read, throwOnEndOfStream: false);
                if (read < body.Length || body.Length == length)
                {
                    break;
                }

                Array.Resize(ref body, (int)Math.Min(length, 2L * body.Length));
            }

            trailing = read == length && content.ReadByte() >= 0;
        }
        catch (InvalidDataException e)
        {
            throw Invalid(name, $"the gzip stream is corrupted ({e.Message})");
        }

        if (trailing)
        {
            throw Invalid(name, $"there are bytes after the {length} bytes of data the header announces");
        }

        if (read < length)
        {
            throw Invalid(name, $"the file is truncated: the header announces {length} bytes of data, found {read}");
        }

        return body;
    }

    private static void Write(string path, bool gzip, int magic, int[] dims, byte[] data) =>
        AtomicFile.WriteStream(path, file =>
        {
            using var output = gzip ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : (Stream)new NonClosingStream(file);
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(word, magic);
            output.Write(word);
            foreach (var dim in dims)
            {
                BinaryPrimitives.WriteInt32BigEndian(word, dim);
                output.Write(word);
            }

            output.Write(data);
        });

    private static InvalidDataException Invalid(string name, string problem) =>
        new($"'{name}' is not a valid IDX file: {problem}.");

    /// <summary>Passes everything through but leaves the inner stream open when disposed.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
