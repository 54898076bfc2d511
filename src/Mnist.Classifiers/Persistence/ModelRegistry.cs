using System.Diagnostics.CodeAnalysis;
using Mnist.Classifiers.Ensembles;
using Mnist.Classifiers.Linear;
using Mnist.Classifiers.Preprocessing;
using Mnist.Classifiers.Svm;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Persistence;

/// <summary>
/// The closed list of object kinds a model file may contain, each with its payload versions and the static function
/// that reads it. A file names a kind, never a type: loading can only ever run one of the readers listed here, so a
/// file cannot make the library instantiate anything else.
/// </summary>
/// <remarks>
/// Each kind versions its own payload, like ML.NET's <c>VersionInfo</c> (<c>verWrittenCur</c> /
/// <c>verWeCanReadBack</c>): the writer frames every object with the version its kind writes now, and the reader
/// accepts any version from the oldest one still listed as readable up to that one, so kinds evolve independently
/// of each other and of the file format.
/// </remarks>
internal static class ModelRegistry
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The table of every kind. Add a new kind here (one line) together with its <see cref="IPersistable"/>; change a
    /// kind's payload by raising its written version here, in the same change as its Write and Read methods, and
    /// raise its oldest readable version only when its reader drops an old layout. docs/model-format.md lists what
    /// each version changed.
    /// </summary>
    static ModelRegistry()
    {
        Register(DummyModel.Kind, writtenVersion: 1, oldestReadableVersion: 1, DummyModel.Read);
        Register(PipelineModel.Kind, writtenVersion: 1, oldestReadableVersion: 1, PipelineModel.Read);
        Register(FittedStandardScaler.Kind, writtenVersion: 1, oldestReadableVersion: 1, FittedStandardScaler.Read);
        Register(FittedMinMaxScaler.Kind, writtenVersion: 1, oldestReadableVersion: 1, FittedMinMaxScaler.Read);
        // Version 2 drops the int32 version that version 1 repeated at the start of the payload.
        Register(SvmModel.Kind, writtenVersion: 3, oldestReadableVersion: 1, SvmModel.Read);
        Register(ForestModel.ForestKind, writtenVersion: 1, oldestReadableVersion: 1, ForestModel.ReadForest);
        Register(ForestModel.ExtraTreesKind, writtenVersion: 1, oldestReadableVersion: 1, ForestModel.ReadExtraTrees);
        Register(VotingModel.Kind, writtenVersion: 1, oldestReadableVersion: 1, VotingModel.Read);
        Register(SgdModel.Kind, writtenVersion: 1, oldestReadableVersion: 1, SgdModel.Read);
        Register(FittedDeskew.Kind, writtenVersion: 1, oldestReadableVersion: 1, FittedDeskew.Read);
        Register(FittedPca.Kind, writtenVersion: 1, oldestReadableVersion: 1, FittedPca.Read);
    }

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds => Entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The entry registered for <paramref name="kind"/>, if any.</summary>
    public static bool TryGet(string kind, [NotNullWhen(true)] out Entry? entry) => Entries.TryGetValue(kind, out entry);

    /// <summary>
    /// Adds a kind to the table. Called only from the static constructor above, which is the one list of kinds;
    /// a kind is lowercase ASCII letters, digits and '-', at most 32 characters, and registered once, and its
    /// versions satisfy 1 ≤ <paramref name="oldestReadableVersion"/> ≤ <paramref name="writtenVersion"/>.
    /// </summary>
    private static void Register(string kind, ushort writtenVersion, ushort oldestReadableVersion, Func<ModelReader, object> read)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(read);
        if (kind.Length is 0 or > 32 || !kind.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException($"The kind '{kind}' must be 1-32 characters of a-z, 0-9 and '-'.", nameof(kind));
        }

        if (oldestReadableVersion < 1 || oldestReadableVersion > writtenVersion)
        {
            throw new ArgumentOutOfRangeException(
                nameof(oldestReadableVersion), $"The kind '{kind}' writes version {writtenVersion} but claims to read back to {oldestReadableVersion}.");
        }

        if (!Entries.TryAdd(kind, new Entry(kind, writtenVersion, oldestReadableVersion, read)))
        {
            throw new InvalidOperationException($"The kind '{kind}' is registered twice.");
        }
    }

    /// <summary>One kind of the table.</summary>
    /// <param name="Kind">The name that identifies the kind in a model file.</param>
    /// <param name="WrittenVersion">The payload version this library writes for the kind, and the newest it reads.</param>
    /// <param name="OldestReadableVersion">The oldest payload version this library still reads for the kind.</param>
    /// <param name="Read">
    /// Reads one payload; the reader it receives tells the payload's version in <see cref="ModelReader.PayloadVersion"/>,
    /// always between <paramref name="OldestReadableVersion"/> and <paramref name="WrittenVersion"/>.
    /// </param>
    public sealed record Entry(string Kind, ushort WrittenVersion, ushort OldestReadableVersion, Func<ModelReader, object> Read);
}
