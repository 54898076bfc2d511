namespace Mnist.Classifiers.Persistence;

/// <summary>
/// A fitted model or transform that can be written to a model file. Every kind that can be written is also listed
/// in <see cref="ModelRegistry"/> with the function that reads it back.
/// </summary>
public interface IPersistable
{
    /// <summary>The short name that identifies this kind in a model file, e.g. <c>dummy</c> or <c>pipeline</c>.</summary>
    string PersistenceKind { get; }

    /// <summary>Writes this object's payload (not its kind: the caller writes that).</summary>
    void Write(ModelWriter writer);
}
