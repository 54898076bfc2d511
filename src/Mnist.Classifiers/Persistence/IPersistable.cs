namespace Mnist.Classifiers.Persistence;

/// <summary>
/// A fitted model or transform that can be written to a model file. Every kind that can be written is also listed
/// in <see cref="ModelRegistry"/> with the function that reads it back. Internal, like the rest of the persistence
/// plumbing: the list of kinds is closed, so users save and load through <see cref="ModelFile"/> only, and public
/// types implement this interface explicitly.
/// </summary>
internal interface IPersistable
{
    /// <summary>The short name that identifies this kind in a model file, e.g. <c>dummy</c> or <c>pipeline</c>.</summary>
    string PersistenceKind { get; }

    /// <summary>Writes this object's payload (not its kind: the caller writes that).</summary>
    void Write(ModelWriter writer);
}
