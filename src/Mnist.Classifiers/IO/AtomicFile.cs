namespace Mnist.Classifiers.IO;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary file in the same
/// directory (so the final step is a rename within one file system), which then replaces the target. A failed
/// write deletes the temporary file and leaves any existing target untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a temporary path beside <paramref name="path"/>, then renames it.</summary>
    /// <param name="path">The final path.</param>
    /// <param name="write">Writes the whole file to the path it is given.</param>
    /// <param name="createDirectory">
    /// Create the directory of <paramref name="path"/> when it is missing; otherwise a missing directory is an error.
    /// </param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist and <paramref name="createDirectory"/> is false.</exception>
    public static void Write(string path, Action<string> write, bool createDirectory = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        if (createDirectory)
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot write '{path}': the directory '{directory}' does not exist.");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Writes the stream produced by <paramref name="write"/> to <paramref name="path"/> atomically, flushing it to
    /// disk before the rename so that a crash right after leaves the old file or the complete new one.
    /// </summary>
    /// <param name="path">The final path.</param>
    /// <param name="write">Writes the whole file to the stream it is given.</param>
    /// <param name="createDirectory">Create the directory of <paramref name="path"/> when it is missing.</param>
    public static void WriteStream(string path, Action<Stream> write, bool createDirectory = false) =>
        Write(
            path,
            temporary =>
            {
                using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                write(stream);
                stream.Flush(flushToDisk: true);
            },
            createDirectory);
}
