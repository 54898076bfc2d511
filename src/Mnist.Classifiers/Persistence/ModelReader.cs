using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Mnist.Classifiers.Persistence;

/// <summary>
/// Reads the primitives written by <see cref="ModelWriter"/> from an in-memory copy of a model file whose checksum
/// has already been verified. Every length is checked against the bytes that remain before anything is allocated,
/// and every problem is reported as a <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal sealed class ModelReader
{
    /// <summary>The longest string the format allows, in UTF-8 bytes.</summary>
    public const int MaxStringBytes = 1 << 16;

    /// <summary>How deeply objects may nest (a pipeline inside a pipeline inside ...).</summary>
    public const int MaxNestingDepth = 32;

    private readonly byte[] _bytes;
    private readonly int _end;
    private readonly ushort _formatVersion;
    private readonly int _depth;
    private int _position;

    /// <summary>A reader of the body of a file of format <paramref name="formatVersion"/>, between <paramref name="start"/> and <paramref name="end"/>.</summary>
    internal ModelReader(byte[] bytes, int start, int end, string source, ushort formatVersion)
        : this(bytes, start, end, source, formatVersion, payloadVersion: 0, depth: 0)
    {
    }

    private ModelReader(byte[] bytes, int start, int end, string source, ushort formatVersion, ushort payloadVersion, int depth)
    {
        _bytes = bytes;
        _position = start;
        _end = end;
        Source = source;
        _formatVersion = formatVersion;
        PayloadVersion = payloadVersion;
        _depth = depth;
    }

    /// <summary>The file being read (for messages).</summary>
    public string Source { get; }

    /// <summary>
    /// The version of the payload being read, for kinds whose reader handles more than one layout: on the reader a
    /// kind's read function receives, always between the kind's oldest readable and written versions in
    /// <see cref="ModelRegistry"/>; 0 on the reader of the file body, which is not a payload.
    /// </summary>
    public ushort PayloadVersion { get; }

    /// <summary>The number of payload bytes not yet read.</summary>
    public int Remaining => _end - _position;

    /// <summary>Reads a byte that must be 0 (false) or 1 (true).</summary>
    public bool ReadBoolean()
    {
        byte value = Take(1)[0];
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw Invalid($"a boolean holds {value}, not 0 or 1"),
        };
    }

    /// <summary>Reads a 16-bit unsigned integer.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a 32-bit integer.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit integer.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads an IEEE 754 single.</summary>
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    /// <summary>Reads an IEEE 754 double.</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads a length-prefixed UTF-8 string of at most <see cref="MaxStringBytes"/> bytes.</summary>
    public string ReadString()
    {
        int length = ReadInt32();
        if (length < 0 || length > MaxStringBytes || length > Remaining)
        {
            throw Invalid($"a string claims {length} bytes but {Remaining} remain (at most {MaxStringBytes} allowed)");
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("a string is not valid UTF-8");
        }
    }

    /// <summary>Reads a length-prefixed array of singles.</summary>
    public float[] ReadSingleArray() => ReadArray<float>();

    /// <summary>Reads a length-prefixed array of doubles.</summary>
    public double[] ReadDoubleArray() => ReadArray<double>();

    /// <summary>Reads a length-prefixed array of 32-bit integers.</summary>
    public int[] ReadInt32Array() => ReadArray<int>();

    /// <summary>Reads a length-prefixed array of 64-bit integers.</summary>
    public long[] ReadInt64Array() => ReadArray<long>();

    /// <summary>
    /// Reads a nested object written by <see cref="ModelWriter.WriteObject"/>: looks its kind up in
    /// <see cref="ModelRegistry"/> (never a type name: only the listed readers can run), checks that the kind's
    /// reader handles the payload's version, reads the payload and checks that the reader consumed exactly the
    /// payload's bytes and produced a <typeparamref name="T"/>.
    /// </summary>
    public T ReadObject<T>()
        where T : class
    {
        string kind = ReadString();
        // Format 1 framed objects without a version: their payloads are version 1 of their kind.
        ushort version = _formatVersion >= 2 ? ReadUInt16() : (ushort)1;
        long length = ReadInt64();
        if (length < 0 || length > Remaining)
        {
            throw Invalid($"the '{kind}' object claims {length} bytes but {Remaining} remain");
        }

        if (!ModelRegistry.TryGet(kind, out var entry))
        {
            throw Invalid($"it holds an object of unknown kind '{kind}' (known kinds: {string.Join(", ", ModelRegistry.Kinds)})");
        }

        string readable = $"this library reads '{kind}' payload versions {entry.OldestReadableVersion} to {entry.WrittenVersion}";
        if (version > entry.WrittenVersion)
        {
            throw Invalid($"its '{kind}' object has payload version {version}, but {readable}: it was written by a newer library; update it");
        }

        if (version < entry.OldestReadableVersion)
        {
            throw Invalid(
                $"its '{kind}' object has payload version {version}, but {readable}: it was written by an older library; re-save it with a release that reads both");
        }

        if (_depth >= MaxNestingDepth)
        {
            throw Invalid($"objects nest deeper than {MaxNestingDepth} levels");
        }

        int end = _position + (int)length;
        var nested = new ModelReader(_bytes, _position, end, Source, _formatVersion, version, _depth + 1);
        object value = entry.Read(nested);
        if (nested.Remaining != 0)
        {
            throw Invalid($"the '{kind}' object left {nested.Remaining} of its {length} bytes unread");
        }

        _position = end;
        if (value is not T typed)
        {
            throw Invalid($"it holds a '{kind}' ({value.GetType().Name}) where a {typeof(T).Name} is expected");
        }

        return typed;
    }

    /// <summary>An exception naming the file and <paramref name="problem"/>, for readers' own checks.</summary>
    public InvalidDataException Invalid(string problem) => ModelFormatError.Create(Source, problem);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Invalid($"it ends early: {count} more bytes were expected but {Remaining} remain");
        }

        var span = new ReadOnlySpan<byte>(_bytes, _position, count);
        _position += count;
        return span;
    }

    private T[] ReadArray<T>()
        where T : unmanaged
    {
        int length = ReadInt32();
        int size = Marshal.SizeOf<T>();
        if (length < 0 || (long)length * size > Remaining)
        {
            throw Invalid($"an array of {typeof(T).Name} claims {length} elements ({(long)length * size} bytes) but {Remaining} bytes remain");
        }

        var values = new T[length];
        Span<byte> destination = MemoryMarshal.AsBytes(values.AsSpan());
        Take(length * size).CopyTo(destination);
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < length; i++)
            {
                destination.Slice(i * size, size).Reverse();
            }
        }

        return values;
    }
}
