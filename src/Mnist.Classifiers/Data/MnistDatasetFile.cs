using System.Buffers.Binary;
using System.Numerics;
using Mnist.Classifiers.IO;
using PureHDF;

namespace Mnist.Classifiers.Data;

/// <summary>
/// The HDF5 layout of <see cref="MnistDataset"/>: six datasets (<c>X_*</c> images as <c>uint8</c> (n, pixels),
/// <c>y_*</c> labels as <c>uint8</c> (n,)) and four root attributes.
/// </summary>
/// <remarks>
/// Files written by h5py are read as well. h5py stores Python strings as variable-length strings and Python ints
/// as <c>int64</c>; both are accepted, as are images and labels of any integer type whose values fit a byte, and
/// images shaped (n, height, width). A file without attributes (the original Python project wrote none) reads as
/// <see cref="LegacyFormatVersion"/> with source and augmentation <c>unknown</c> and split seed
/// <see cref="UnknownSeed"/>.
/// </remarks>
internal static class MnistDatasetFile
{
    /// <summary>The layout version this code writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The version reported for files that carry no <c>format_version</c> attribute.</summary>
    public const int LegacyFormatVersion = 0;

    /// <summary>The split seed reported for files that do not record it.</summary>
    public const int UnknownSeed = -1;

    /// <summary>What a missing text attribute reads as.</summary>
    public const string Unknown = "unknown";

    public const string SourceAttribute = "source";
    public const string SplitSeedAttribute = "split_seed";
    public const string AugmentationAttribute = "augmentation";
    public const string FormatVersionAttribute = "format_version";

    /// <summary>The most deflate can compress (RFC 1951: at best about 1032 to 1, for long runs of one byte).</summary>
    private const ulong MaxDeflateRatio = 1032;

    public static void Save(MnistDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var file = new H5File
        {
            ["X_train"] = Images(dataset.Train),
            ["y_train"] = dataset.Train.Labels,
            ["X_val"] = Images(dataset.Validation),
            ["y_val"] = dataset.Validation.Labels,
            ["X_test"] = Images(dataset.Test),
            ["y_test"] = dataset.Test.Labels,
            Attributes = new()
            {
                [SourceAttribute] = dataset.Info.Source,
                [SplitSeedAttribute] = dataset.Info.SplitSeed,
                [AugmentationAttribute] = dataset.Info.Augmentation,
                [FormatVersionAttribute] = CurrentFormatVersion,
            },
        };
        AtomicFile.Write(path, temporary => file.Write(temporary));

        // PureHDF takes the flat pixel array as it is and is told the two-dimensional shape of the file.
        static H5Dataset Images(LabeledImages split) =>
            new(split.Pixels, fileDims: [(ulong)split.Rows, (ulong)split.Columns]);
    }

    public static MnistDataset Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The dataset file '{path}' does not exist.", path);
        }

        CheckNotTruncated(path);
        NativeFileHandle file;
        try
        {
            // Through a stream that refuses reads past the end: PureHDF follows sizes and addresses read from the file,
            // and a crafted object header (found by fuzzing) made it read message after message beyond the end of the
            // file for ever, as a file read past its end returns zeros rather than failing.
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
            file = new NativeFileHandle(H5File.Open(new EndBoundedStream(stream, path), leaveOpen: false));
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"'{path}' is not a readable HDF5 file: {e.Message}", e);
        }

        using (file)
        {
            try
            {
                return Read(file.Root, path, new FileInfo(path).Length);
            }
            catch (Exception e) when (e is not InvalidDataException)
            {
                // PureHDF decodes the file's own structures (heaps, B-trees, messages) from sizes it reads there and
                // reports crafted or damaged ones with whatever exception comes first, an impossible allocation
                // (OutOfMemoryException for more than Array.MaxLength) included, as fuzzing found: whatever it
                // throws, the file is what is wrong. Our own allocations are bounded by the file's length first.
                throw new InvalidDataException($"'{path}' is a damaged HDF5 file: {e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// Refuses a file shorter than the end-of-file address its superblock records (HDF5 format specification,
    /// section II.A: versions 0 and 1 keep it after the base and free-space addresses, versions 2 and 3 after the base
    /// and superblock-extension addresses). PureHDF does not compare the two, and a file cut in half after its
    /// metadata otherwise loaded without an error (found by the CLI test of the fuzz corpus).
    /// Superblocks after a user block (not at offset 0) are left to PureHDF.
    /// </summary>
    private static void CheckNotTruncated(string path)
    {
        Span<byte> superblock = stackalloc byte[64];
        int read;
        long length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            length = stream.Length;
            read = stream.ReadAtLeast(superblock, superblock.Length, throwOnEndOfStream: false);
        }

        ReadOnlySpan<byte> signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
        if (read < 16 || !superblock[..8].SequenceEqual(signature))
        {
            return;
        }

        int version = superblock[8];
        int offsetSize = version <= 1 ? superblock[13] : superblock[9];
        int at = version switch
        {
            0 => 24 + (2 * offsetSize),
            1 => 28 + (2 * offsetSize),
            _ => 12 + (2 * offsetSize),
        };
        if (offsetSize != 8 || at + 8 > read)
        {
            return;
        }

        ulong end = BinaryPrimitives.ReadUInt64LittleEndian(superblock[at..]);
        if (end != ulong.MaxValue && end > (ulong)length)
        {
            throw new InvalidDataException($"'{path}' is truncated: its HDF5 superblock records {end} bytes, the file has {length}.");
        }
    }

    private static MnistDataset Read(IH5Group root, string path, long fileLength)
    {
        var info = new DatasetInfo(
            ReadText(root, path, SourceAttribute) ?? Unknown,
            ReadInteger(root, path, SplitSeedAttribute) ?? UnknownSeed,
            ReadText(root, path, AugmentationAttribute) ?? Unknown,
            ReadInteger(root, path, FormatVersionAttribute) ?? LegacyFormatVersion);
        var train = ReadSplit(root, path, fileLength, "train");
        var validation = ReadSplit(root, path, fileLength, "val");
        var test = ReadSplit(root, path, fileLength, "test");
        if (validation.Columns != train.Columns || test.Columns != train.Columns)
        {
            throw new InvalidDataException(
                $"'{path}': the splits disagree on the image size ({train.Columns}, {validation.Columns} and {test.Columns} pixels).");
        }

        return new MnistDataset { Train = train, Validation = validation, Test = test, Info = info };
    }

    private static LabeledImages ReadSplit(IH5Group root, string path, long fileLength, string split)
    {
        var imagesName = $"X_{split}";
        var labelsName = $"y_{split}";
        var images = OpenDataset(root, path, imagesName);
        var labels = OpenDataset(root, path, labelsName);

        var imageDims = images.Space.Dimensions;
        if (imageDims.Length is not (2 or 3))
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{imagesName}' has shape ({string.Join(", ", imageDims)}); expected (rows, pixels) or (rows, height, width).");
        }

        var rows = imageDims[0];
        var columns = imageDims[1] * (imageDims.Length == 3 ? imageDims[2] : 1);
        if (columns == 0 || rows * columns > int.MaxValue - 64)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{imagesName}' has an unusable shape ({string.Join(", ", imageDims)}).");
        }

        var labelDims = labels.Space.Dimensions;
        if (labelDims.Length != 1)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{labelsName}' has shape ({string.Join(", ", labelDims)}); expected one dimension (rows,).");
        }

        if (labelDims[0] != rows)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{labelsName}' has {labelDims[0]} labels but '{imagesName}' has {rows} images.");
        }

        CheckFits(images, path, imagesName, rows * columns, fileLength);
        CheckFits(labels, path, labelsName, rows, fileLength);
        var pixels = ReadBytes(images, path, imagesName, checked((int)(rows * columns)));
        var labelBytes = ReadBytes(labels, path, labelsName, checked((int)rows));
        return new LabeledImages(pixels, labelBytes, (int)columns);
    }

    /// <summary>
    /// Refuses a dataset whose declared size the file cannot hold, before its buffer is allocated: stored as it is
    /// (contiguous or compact), its bytes are in the file; chunked, they may be deflate-compressed, which shrinks data
    /// at most <see cref="MaxDeflateRatio"/> times.
    /// </summary>
    private static void CheckFits(IH5Dataset dataset, string path, string name, ulong elements, long fileLength)
    {
        ulong bytes = elements * (ulong)dataset.Type.Size;
        ulong bound = (ulong)fileLength * (dataset.Layout.Class == H5DataLayoutClass.Chunked ? MaxDeflateRatio : 1UL);
        if (bytes > bound)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' declares {bytes} bytes, more than a file of {fileLength} bytes can hold; the file is truncated or damaged.");
        }
    }

    private static IH5Dataset OpenDataset(IH5Group root, string path, string name)
    {
        if (!root.LinkExists(name))
        {
            throw new InvalidDataException($"'{path}' has no dataset '{name}'.");
        }

        try
        {
            return root.Dataset(name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}': '{name}' is not a readable dataset: {e.Message}", e);
        }
    }

    /// <summary>Reads an integer dataset as bytes: <c>uint8</c> directly, any other integer type with a range check.</summary>
    private static byte[] ReadBytes(IH5Dataset dataset, string path, string name, int count)
    {
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.FixedPoint)
        {
            throw new InvalidDataException(
                $"'{path}': dataset '{name}' holds {type.Class} values of {type.Size} bytes; expected unsigned 8-bit integers (uint8).");
        }

        var signed = type.FixedPoint.IsSigned;
        return (type.Size, signed) switch
        {
            (1, false) => ReadDirect(dataset, count),
            (1, true) => Narrow<sbyte>(dataset, path, name, count),
            (2, false) => Narrow<ushort>(dataset, path, name, count),
            (2, true) => Narrow<short>(dataset, path, name, count),
            (4, false) => Narrow<uint>(dataset, path, name, count),
            (4, true) => Narrow<int>(dataset, path, name, count),
            (8, false) => Narrow<ulong>(dataset, path, name, count),
            (8, true) => Narrow<long>(dataset, path, name, count),
            _ => throw new InvalidDataException(
                $"'{path}': dataset '{name}' holds integers of {type.Size} bytes; expected unsigned 8-bit integers (uint8)."),
        };
    }

    private static byte[] ReadDirect(IH5Dataset dataset, int count)
    {
        var buffer = new byte[count];
        dataset.Read(buffer);
        return buffer;
    }

    private static byte[] Narrow<T>(IH5Dataset dataset, string path, string name, int count)
        where T : unmanaged, IBinaryInteger<T>, IComparisonOperators<T, T, bool>
    {
        var wide = new T[count];
        dataset.Read(wide);
        var bytes = new byte[count];
        var max = T.CreateTruncating(byte.MaxValue);
        for (var i = 0; i < wide.Length; i++)
        {
            if (T.IsNegative(wide[i]) || wide[i] > max)
            {
                throw new InvalidDataException(
                    $"'{path}': dataset '{name}' holds the value {wide[i]} at flat index {i}, which does not fit 0–255.");
            }

            bytes[i] = byte.CreateTruncating(wide[i]);
        }

        return bytes;
    }

    private static string? ReadText(IH5Group root, string path, string name)
    {
        if (!root.AttributeExists(name))
        {
            return null;
        }

        var attribute = root.Attribute(name);
        var type = attribute.Type;
        try
        {
            return type.Class switch
            {
                H5DataTypeClass.String or H5DataTypeClass.VariableLength => attribute.Read<string>(),
                H5DataTypeClass.FixedPoint => ReadLong(attribute).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidDataException($"it holds {type.Class} values"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}': the attribute '{name}' is not readable as text: {e.Message}", e);
        }
    }

    private static int? ReadInteger(IH5Group root, string path, string name)
    {
        if (!root.AttributeExists(name))
        {
            return null;
        }

        var attribute = root.Attribute(name);
        var type = attribute.Type;
        long value;
        try
        {
            value = type.Class switch
            {
                H5DataTypeClass.FixedPoint => ReadLong(attribute),
                H5DataTypeClass.String or H5DataTypeClass.VariableLength =>
                    long.Parse(attribute.Read<string>().Trim(), System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidDataException($"it holds {type.Class} values"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}': the attribute '{name}' is not readable as an integer: {e.Message}", e);
        }

        if (value is < int.MinValue or > int.MaxValue)
        {
            throw new InvalidDataException($"'{path}': the attribute '{name}' = {value} does not fit a 32-bit integer.");
        }

        return (int)value;
    }

    private static long ReadLong(IH5Attribute attribute)
    {
        var type = attribute.Type;
        var signed = type.FixedPoint.IsSigned;
        return (type.Size, signed) switch
        {
            (1, false) => attribute.Read<byte>(),
            (1, true) => attribute.Read<sbyte>(),
            (2, false) => attribute.Read<ushort>(),
            (2, true) => attribute.Read<short>(),
            (4, false) => attribute.Read<uint>(),
            (4, true) => attribute.Read<int>(),
            (8, false) => checked((long)attribute.Read<ulong>()),
            (8, true) => attribute.Read<long>(),
            _ => throw new InvalidDataException($"it holds integers of {type.Size} bytes"),
        };
    }

    /// <summary>Keeps the opened file (which must be disposed to release the OS handle) and its root group together.</summary>
    private sealed class NativeFileHandle(IH5Group root) : IDisposable
    {
        public IH5Group Root { get; } = root;

        public void Dispose() => (Root as IDisposable)?.Dispose();
    }

    /// <summary>A read-only view of a file stream whose reads fail when they start at or after its end.</summary>
    private sealed class EndBoundedStream(FileStream inner, string path) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length > 0 && inner.Position >= inner.Length)
            {
                throw new EndOfStreamException($"'{path}' points past its end (a read of {buffer.Length} bytes at offset {inner.Position} of {inner.Length}).");
            }

            return inner.Read(buffer);
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
