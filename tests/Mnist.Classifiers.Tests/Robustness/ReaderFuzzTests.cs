using System.Buffers.Binary;
using Mnist.Classifiers.Tests.Persistence;
using CsCheck;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>
/// Property-based fuzzing (CsCheck) of the four readers of untrusted bytes: IDX, the HDF5 dataset file, model files
/// and images. Each input is a file of the corpus in <c>Fixtures/fuzz</c> (valid files and a few known-bad ones, see
/// its README) with a handful of mutations: bit flips, interesting bytes and 32-bit words (0, −1, 2³¹−1, …) written
/// over the file, truncation, duplicated and deleted ranges. The property: the reader returns or throws its
/// documented <see cref="InvalidDataException"/>, nothing else (no IndexOutOfRange, Overflow, OutOfMemory, …).
/// </summary>
/// <remarks>
/// Each run starts from a fixed seed and samples for <see cref="Seconds"/> seconds on one thread, so CI spends a
/// bounded time; a failure prints the CsCheck seed that reproduces it (pass it as <c>seed</c> to replay).
/// </remarks>
public class ReaderFuzzTests
{
    private const int Seconds = 3;

    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Robustness", "Fixtures", "fuzz");

    [Fact]
    public void Idx_reader_survives_mutated_files()
    {
        Fuzz("idx", "000000000001", bytes =>
        {
            Survives(() => IdxFile.ReadImages(new MemoryStream(bytes), "fuzz.idx"));
            Survives(() => IdxFile.ReadLabels(new MemoryStream(bytes), "fuzz.idx"));
        });
    }

    [Fact]
    public void Model_reader_survives_mutated_files()
    {
        Fuzz("model", "000000000002", bytes => Survives(() => ModelFile.Deserialize<object>(bytes, "fuzz.model")));
    }

    /// <summary>
    /// The checksum stops almost every mutation of a model file at the frame; re-framing the mutated body (length and
    /// SHA-256 recomputed) lets the mutations reach the readers of every kind's payload.
    /// </summary>
    [Fact]
    public void Model_payload_readers_survive_mutated_bodies_behind_a_valid_checksum()
    {
        Fuzz("model", "000000000003", bytes => Survives(() => ModelFile.Deserialize<object>(Reframed(bytes), "fuzz.model")));
    }

    [Fact]
    public void Image_decoder_survives_mutated_files()
    {
        Fuzz("image", "000000000004", bytes => Survives(() => DigitImage.ToMnistPixels(bytes)));
    }

    [Fact]
    public void Hdf5_dataset_reader_survives_mutated_files()
    {
        using var directory = new TempDirectory();
        Fuzz("hdf5", "000000000005", bytes =>
        {
            string path = directory.File($"fuzz-{Guid.NewGuid():N}.h5");
            File.WriteAllBytes(path, bytes);
            // Mutated object headers once made PureHDF read past the end of the file for ever (CsCheck seeds
            // aQ6A-pjOS-y1, farSZhVPvVQ1; the reader now refuses reads past the end): a load that has not returned
            // after 10 s fails the run with its input instead of hanging CI.
            var load = Task.Run(() => Survives(() => MnistDataset.Load(path)));
            if (!load.Wait(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("MnistDataset.Load did not return within 10 s on this input.");
            }
        });
    }

    /// <summary>Samples mutated corpus files of <paramref name="kind"/> for <see cref="Seconds"/> seconds from <paramref name="seed"/>.</summary>
    private static void Fuzz(string kind, string seed, Action<byte[]> property)
    {
        var corpus = Directory.GetFiles(Path.Combine(CorpusDirectory, kind)).Where(f => !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        corpus.Should().HaveCountGreaterThan(1, $"the {kind} corpus is copied next to the tests");

        // Every corpus file once as it is, then mutated ones.
        foreach (var file in corpus)
        {
            property(file);
        }

        var mutation = Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[1, 64]);
        var input = Gen.Select(Gen.Int[0, corpus.Length - 1], mutation.Array[1, 8])
            .Select(pick => Mutate(corpus[pick.Item1], pick.Item2));
        input.Sample(property, seed: seed, iter: int.MaxValue, time: Seconds, threads: 1, print: bytes => Convert.ToHexString(bytes));
    }

    private static readonly int[] InterestingWords = [0, -1, 1, int.MaxValue, int.MinValue, 0x7fff, 0x10000, 1 << 30, 255, 256];

    private static byte[] Mutate(byte[] original, (int Kind, int Position, int Value, int Length)[] mutations)
    {
        var bytes = new List<byte>(original);
        var word = new byte[4];
        foreach (var (kind, position, value, length) in mutations)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            int at = position % bytes.Count;
            switch (kind)
            {
                case 0: // flip one bit
                    bytes[at] ^= (byte)(1 << (value % 8));
                    break;
                case 1: // an interesting byte
                    bytes[at] = (byte)(value % 3 switch { 0 => 0, 1 => 0xff, _ => 0x80 });
                    break;
                case 2: // an interesting 32-bit word, big- or little-endian
                    int interesting = InterestingWords[value % InterestingWords.Length];
                    if (value % 2 == 0)
                    {
                        BinaryPrimitives.WriteInt32BigEndian(word, interesting);
                    }
                    else
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(word, interesting);
                    }

                    for (int i = 0; i < 4 && at + i < bytes.Count; i++)
                    {
                        bytes[at + i] = word[i];
                    }

                    break;
                case 3: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4: // duplicate a range
                    bytes.InsertRange(at, bytes.GetRange(at, Math.Min(length, bytes.Count - at)));
                    break;
                default: // delete a range
                    bytes.RemoveRange(at, Math.Min(length, bytes.Count - at));
                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>The bytes after a model file's 18-byte header, framed again with a correct length and checksum.</summary>
    private static byte[] Reframed(byte[] mutated)
    {
        const int header = 18, checksum = 32;
        byte[] body = mutated.Length > header + checksum ? mutated[header..^checksum] : [];
        return ModelFileBytes.Frame(ModelFile.FormatVersion, writer => writer.WriteRaw(body));
    }

    /// <summary>Runs a reader: returning or throwing <see cref="InvalidDataException"/> passes; any other exception fails.</summary>
    private static void Survives(Action read)
    {
        try
        {
            read();
        }
        catch (InvalidDataException)
        {
        }
    }
}
