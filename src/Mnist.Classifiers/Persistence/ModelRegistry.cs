using System.Diagnostics.CodeAnalysis;
using Mnist.Classifiers.Preprocessing;

namespace Mnist.Classifiers.Persistence;

/// <summary>
/// The closed list of object kinds a model file may contain, each with the static function that reads it.
/// A file names a kind, never a type: loading can only ever run one of the readers listed here, so a file
/// cannot make the library instantiate anything else.
/// </summary>
internal static class ModelRegistry
{
    private static readonly Dictionary<string, Func<ModelReader, object>> Readers = new(StringComparer.Ordinal);

    /// <summary>The table of every kind. Add a new kind here (one line) together with its <see cref="IPersistable"/>.</summary>
    static ModelRegistry()
    {
        Register(DummyModel.Kind, DummyModel.Read);
        Register(PipelineModel.Kind, PipelineModel.Read);
        Register(FittedStandardScaler.Kind, FittedStandardScaler.Read);
        Register(FittedMinMaxScaler.Kind, FittedMinMaxScaler.Read);
        Register(Svm.SvmModel.Kind, Svm.SvmModel.Read);
    }

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds => Readers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether <paramref name="kind"/> is registered.</summary>
    public static bool IsKnown(string kind) => Readers.ContainsKey(kind);

    /// <summary>
    /// Adds a kind to the table. Called only from the static constructor above, which is the one list of kinds;
    /// a kind is lowercase ASCII letters, digits and '-', at most 32 characters, and registered once.
    /// </summary>
    internal static void Register(string kind, Func<ModelReader, object> reader)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(reader);
        if (kind.Length is 0 or > 32 || !kind.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            throw new ArgumentException($"The kind '{kind}' must be 1-32 characters of a-z, 0-9 and '-'.", nameof(kind));
        }

        if (!Readers.TryAdd(kind, reader))
        {
            throw new InvalidOperationException($"The kind '{kind}' is registered twice.");
        }
    }

    /// <summary>The reader registered for <paramref name="kind"/>, if any.</summary>
    internal static bool TryGetReader(string kind, [NotNullWhen(true)] out Func<ModelReader, object>? reader) =>
        Readers.TryGetValue(kind, out reader);
}
