namespace Mnist.Classifiers.Persistence;

/// <summary>
/// Builds the <see cref="InvalidDataException"/> thrown for a model file that cannot be read (truncated, corrupted,
/// from a newer format, of an unknown or unexpected kind). <see cref="InvalidDataException"/> is sealed, so the file
/// and the problem travel in the message and in <see cref="Exception.Data"/> under <see cref="FileKey"/> and
/// <see cref="ProblemKey"/>, whose values <see cref="ModelFile"/> documents publicly.
/// </summary>
internal static class ModelFormatError
{
    /// <summary>The <see cref="Exception.Data"/> key of the file path.</summary>
    public const string FileKey = "ModelFile";

    /// <summary>The <see cref="Exception.Data"/> key of the problem description.</summary>
    public const string ProblemKey = "Problem";

    /// <summary>The exception for <paramref name="source"/> (a file path or a description of the bytes) and <paramref name="problem"/>.</summary>
    public static InvalidDataException Create(string source, string problem)
    {
        var exception = new InvalidDataException($"Cannot read the model file '{source}': {problem}.");
        exception.Data[FileKey] = source;
        exception.Data[ProblemKey] = problem;
        return exception;
    }
}
