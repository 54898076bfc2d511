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
    private int _position;
    private int _depth;

    internal ModelReader(byte[] bytes, int start, int end, string source)
    {
        _bytes = bytes;
        _position = start;
        _end = end;
        Source = source;
    }

    /// <summary>The file being read (for messages).</summary>
    public string Source { get; }

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
    /// <see cref="ModelRegistry"/> (never a type name: only the listed readers can run), reads its payload and
    /// checks that the reader consumed exactly the payload's bytes and produced a <typeparamref name="T"/>.
    /// </summary>
    public T ReadObject<T>()
        where T : class
    {
        string kind = ReadString();
        long length = ReadInt64();
        if (length < 0 || length > Remaining)
        {
            throw Invalid($"the '{kind}' object claims {length} bytes but {Remaining} remain");
        }

        if (!ModelRegistry.TryGetReader(kind, out var read))
        {
            throw Invalid($"it holds an object of unknown kind '{kind}' (known kinds: {string.Join(", ", ModelRegistry.Kinds)})");
        }

        if (_depth >= MaxNestingDepth)
        {
            throw Invalid($"objects nest deeper than {MaxNestingDepth} levels");
        }

        int end = _position + (int)length;
        var nested = new ModelReader(_bytes, _position, end, Source) { _depth = _depth + 1 };
        object value = read(nested);
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
