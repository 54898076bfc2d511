using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Mnist.Classifiers.Persistence;

/// <summary>
/// Writes the little-endian primitives of the model format (see <c>docs/model-format.md</c>) into memory.
/// Arrays and strings are prefixed by their length as an <see cref="int"/>; nested objects by their kind, their
/// payload version and the byte length of their payload.
/// </summary>
internal sealed class ModelWriter
{
    private readonly MemoryStream _buffer = new();

    internal ModelWriter()
    {
    }

    /// <summary>The number of bytes written so far.</summary>
    public long Length => _buffer.Length;

    /// <summary>Writes one byte, 1 for true and 0 for false.</summary>
    public void WriteBoolean(bool value) => _buffer.WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a 16-bit unsigned integer.</summary>
    public void WriteUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void WriteInt32(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a 64-bit integer.</summary>
    public void WriteInt64(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes an IEEE 754 single.</summary>
    public void WriteSingle(float value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes an IEEE 754 double.</summary>
    public void WriteDouble(double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a string as its UTF-8 byte count (<see cref="int"/>) followed by the bytes.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteInt32(bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Writes the element count, then the elements.</summary>
    public void WriteSingleArray(ReadOnlySpan<float> values) => WriteArray(values);

    /// <summary>Writes the element count, then the elements.</summary>
    public void WriteDoubleArray(ReadOnlySpan<double> values) => WriteArray(values);

    /// <summary>Writes the element count, then the elements.</summary>
    public void WriteInt32Array(ReadOnlySpan<int> values) => WriteArray(values);

    /// <summary>Writes the element count, then the elements.</summary>
    public void WriteInt64Array(ReadOnlySpan<long> values) => WriteArray(values);

    /// <summary>
    /// Writes a nested object: its kind, the payload version its kind writes now (<see cref="ushort"/>, from
    /// <see cref="ModelRegistry"/>), the byte length of its payload (<see cref="long"/>), then the payload.
    /// The kind must be listed in <see cref="ModelRegistry"/> so that the file can be read back.
    /// </summary>
    /// <exception cref="NotSupportedException">The kind is not registered.</exception>
    public void WriteObject(IPersistable value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string kind = value.PersistenceKind;
        if (!ModelRegistry.TryGet(kind, out var entry))
        {
            throw new NotSupportedException(
                $"Cannot save a {value.GetType().Name}: its kind '{kind}' is not listed in ModelRegistry, so it could not be read back.");
        }

        var nested = new ModelWriter();
        value.Write(nested);
        WriteString(kind);
        WriteUInt16(entry.WrittenVersion);
        WriteInt64(nested._buffer.Length);
        nested._buffer.Position = 0;
        nested._buffer.CopyTo(_buffer);
    }

    /// <summary>Writes raw bytes with no length prefix (the header and checksum).</summary>
    internal void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>The bytes written so far.</summary>
    internal byte[] ToArray() => _buffer.ToArray();

    private void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        WriteInt32(values.Length);
        if (BitConverter.IsLittleEndian)
        {
            _buffer.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        // Big-endian machines: reverse each element's bytes to keep the file little-endian.
        int size = Marshal.SizeOf<T>();
        byte[] element = new byte[size];
        foreach (T value in values)
        {
            MemoryMarshal.Write(element, in value);
            Array.Reverse(element);
            _buffer.Write(element);
        }
    }
}
