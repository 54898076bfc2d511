using System.Buffers.Binary;
using System.Security.Cryptography;
using Mnist.Classifiers.IO;

namespace Mnist.Classifiers.Persistence;

/// <summary>
/// Saves fitted models to, and loads them from, the library's versioned binary model format
/// (described in <c>docs/model-format.md</c>): a magic string, a format version, the body length, the model as a
/// nested object, and a SHA-256 checksum of everything before it.
/// </summary>
/// <remarks>
/// Every file that cannot be read raises an <see cref="InvalidDataException"/> whose message names the file and the
/// problem. <see cref="InvalidDataException"/> is sealed, so both also travel in <see cref="Exception.Data"/>: the
/// file path under the key <c>"ModelFile"</c> and the problem (a sentence without the file name) under
/// <c>"Problem"</c>.
/// </remarks>
public static class ModelFile
{
    /// <summary>The first 8 bytes of every model file.</summary>
    public static ReadOnlySpan<byte> Magic => "MNISTCLF"u8;

    /// <summary>
    /// The format version this library writes, and the newest it reads. Version 2 frames every nested object with
    /// its kind's payload version; version 1 files, whose objects carry none, are still read.
    /// </summary>
    public const ushort FormatVersion = 2;

    private const int HeaderLength = 8 + 2 + 8;
    private const int ChecksumLength = 32;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: the bytes go to a temporary file in the
    /// same directory, which is flushed to disk and then renamed over <paramref name="path"/>, so a crash never
    /// leaves a half-written model behind.
    /// </summary>
    /// <exception cref="NotSupportedException">The model (or one of its parts) cannot be persisted.</exception>
    public static void Save(IClassifierModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (model is not IPersistable persistable)
        {
            throw new NotSupportedException(
                $"A {model.GetType().Name} cannot be saved: only the library's own fitted models and transforms can be written to a model file.");
        }

        byte[] contents = Serialize(persistable);
        AtomicFile.WriteStream(path, stream => stream.Write(contents), createDirectory: true);
    }

    /// <summary>Reads the classifier saved in <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is truncated, corrupted, from a newer format, holds a part in a payload version this library does not
    /// read, or holds no classifier.
    /// </exception>
    public static IClassifierModel Load(string path) => Load<IClassifierModel>(path);

    /// <summary>Reads the object saved in <paramref name="path"/>, which must be a <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is truncated, corrupted, from a newer format, of an unknown kind, holds a part in a payload version this
    /// library does not read, or holds something other than a <typeparamref name="T"/>.
    /// </exception>
    public static T Load<T>(string path)
        where T : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }

        if (info.Length > Array.MaxLength)
        {
            throw ModelFormatError.Create(path, $"it is {info.Length} bytes, larger than the {Array.MaxLength} bytes a model may have");
        }

        return Deserialize<T>(File.ReadAllBytes(path), path);
    }

    /// <summary>The complete file contents for <paramref name="value"/>: header, body and checksum.</summary>
    internal static byte[] Serialize(IPersistable value)
    {
        var body = new ModelWriter();
        body.WriteObject(value);
        byte[] bodyBytes = body.ToArray();

        var file = new ModelWriter();
        file.WriteRaw(Magic);
        file.WriteUInt16(FormatVersion);
        file.WriteInt64(bodyBytes.Length);
        file.WriteRaw(bodyBytes);
        byte[] withoutChecksum = file.ToArray();
        file.WriteRaw(SHA256.HashData(withoutChecksum));
        return file.ToArray();
    }

    /// <summary>Parses the bytes of a model file; <paramref name="source"/> names it in error messages.</summary>
    internal static T Deserialize<T>(byte[] bytes, string source)
        where T : class
    {
        // Everything about the frame is checked before a single reader runs.
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw ModelFormatError.Create(source, "it does not start with the model file signature 'MNISTCLF' (not a model file)");
        }

        if (bytes.Length < HeaderLength + ChecksumLength)
        {
            throw ModelFormatError.Create(source, $"it is truncated: {bytes.Length} bytes is shorter than the smallest possible model file");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
        if (version == 0 || version > FormatVersion)
        {
            throw ModelFormatError.Create(
                source, $"it uses model format version {version}, but this library reads versions 1 to {FormatVersion}; update the library to read it");
        }

        long bodyLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(10, 8));
        long expected = HeaderLength + bodyLength + ChecksumLength;
        if (bodyLength < 0 || expected > bytes.Length)
        {
            throw ModelFormatError.Create(source, $"it is truncated: the header announces {expected} bytes but the file has {bytes.Length}");
        }

        if (expected < bytes.Length)
        {
            throw ModelFormatError.Create(source, $"it has {bytes.Length - expected} unexpected bytes after the checksum");
        }

        int checksumStart = HeaderLength + (int)bodyLength;
        byte[] actual = SHA256.HashData(bytes.AsSpan(0, checksumStart));
        if (!CryptographicOperations.FixedTimeEquals(actual, bytes.AsSpan(checksumStart, ChecksumLength)))
        {
            throw ModelFormatError.Create(source, "its SHA-256 checksum does not match its contents (the file is corrupted or was modified)");
        }

        var reader = new ModelReader(bytes, HeaderLength, checksumStart, source, version);
        T value = reader.ReadObject<T>();
        if (reader.Remaining != 0)
        {
            throw reader.Invalid($"{reader.Remaining} bytes follow the model inside the body");
        }

        return value;
    }
}
