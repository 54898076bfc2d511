using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Tests.Persistence;

/// <summary>Builds, walks and edits the bytes of model files, for tests of the format itself.</summary>
internal static class ModelFileBytes
{
    private const int HeaderLength = 18;

    /// <summary>A correctly framed and checksummed file of format <paramref name="formatVersion"/> around an arbitrary body.</summary>
    public static byte[] Frame(ushort formatVersion, Action<ModelWriter> writeBody)
    {
        var body = new ModelWriter();
        writeBody(body);
        byte[] bodyBytes = body.ToArray();
        var file = new ModelWriter();
        file.WriteRaw("MNISTCLF"u8);
        file.WriteUInt16(formatVersion);
        file.WriteInt64(bodyBytes.Length);
        file.WriteRaw(bodyBytes);
        file.WriteRaw(SHA256.HashData(file.ToArray()));
        return file.ToArray();
    }

    /// <summary>The payload <paramref name="value"/> writes, without any frame.</summary>
    public static byte[] Payload(IPersistable value)
    {
        var writer = new ModelWriter();
        value.Write(writer);
        return writer.ToArray();
    }

    /// <summary>The object frames of a format-2 file, in file order (the parts of a pipeline or a voting ensemble follow it).</summary>
    public static List<ObjectFrame> Objects(byte[] file)
    {
        BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)).Should().Be(2, "only format 2 frames carry payload versions");
        var frames = new List<ObjectFrame>();
        int position = HeaderLength;
        ReadObject(file, ref position, frames);
        return frames;
    }

    /// <summary>
    /// A copy of <paramref name="file"/> whose <paramref name="frame"/> claims payload version <paramref name="version"/>,
    /// with the checksum recomputed so that only the version can make it unreadable.
    /// </summary>
    public static byte[] WithPayloadVersion(byte[] file, ObjectFrame frame, ushort version)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(frame.VersionOffset), version);
        int checksumStart = copy.Length - 32;
        SHA256.HashData(copy.AsSpan(0, checksumStart), copy.AsSpan(checksumStart));
        return copy;
    }

    private static void ReadObject(byte[] file, ref int position, List<ObjectFrame> frames)
    {
        int kindLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position));
        string kind = Encoding.UTF8.GetString(file, position + 4, kindLength);
        position += 4 + kindLength;
        int versionOffset = position;
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(position));
        long length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(position + 2));
        position += 2 + 8;
        frames.Add(new ObjectFrame(kind, version, versionOffset));
        int end = position + (int)length;
        if (kind == PipelineModel.Kind)
        {
            int transforms = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position));
            position += 4;
            // The transforms, then the classifier.
            for (int i = 0; i <= transforms; i++)
            {
                ReadObject(file, ref position, frames);
            }
        }

        else if (kind == VotingModel.Kind)
        {
            int members = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position + 4));
            position += 8;
            // Each member: its name, then its object.
            for (int i = 0; i < members; i++)
            {
                position += 4 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(position));
                ReadObject(file, ref position, frames);
            }
        }

        position = end;
    }

    /// <summary>One object's frame: its kind, the payload version it claims, and where that version is in the file.</summary>
    internal sealed record ObjectFrame(string Kind, ushort Version, int VersionOffset);
}
