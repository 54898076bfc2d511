using System.Buffers.Binary;
using System.IO.Compression;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>Readers allocate from what a file holds, not from what its header claims.</summary>
public class UntrustedSizeTests
{
    public static TheoryData<string> Lies => ["raw", "gzip"];

    /// <summary>
    /// A labels header claiming 2³⁰ − 1 labels followed by 1 MB of zeros, raw and as a 1 KB gzip bomb: refused as
    /// truncated, having allocated a few MB, not the announced gigabyte.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lies))]
    public void An_idx_header_claiming_a_gigabyte_costs_only_the_bytes_that_are_there(string form)
    {
        var file = new MemoryStream();
        using (Stream output = form == "gzip" ? new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true) : new NonDisposing(file))
        {
            var header = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(header, IdxFile.LabelsMagic);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), (1 << 30) - 1);
            output.Write(header);
            output.Write(new byte[1 << 20]);
        }

        file.Position = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var act = () => IdxFile.ReadLabels(file, "liar.idx");

        act.Should().Throw<InvalidDataException>().WithMessage("*'liar.idx'*truncated*announces 1073741823 bytes*found 1048576*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16L << 20);
    }

    private sealed class NonDisposing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
