namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Finds the real MNIST files: <c>shared/data/mnist</c> beside some ancestor of the test directory (in CI the
/// checkout has <c>shared/</c> beside it), holding the four gzip IDX files.
/// </summary>
internal static class SharedMnist
{
    /// <summary>The four files of the original MNIST distribution.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private static readonly Lazy<string?> Found = new(Search);

    /// <summary>The directory, or null when no ancestor has it with all four files.</summary>
    public static string? Directory => Found.Value;

    /// <summary>True when <see cref="Directory"/> was found.</summary>
    public static bool Available => Directory is not null;

    private static string? Search()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "shared", "data", "mnist");
            if (FileNames.All(f => File.Exists(Path.Combine(candidate, f))))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that is skipped when shared/data/mnist cannot be found beside an ancestor of the test directory.</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="SharedMnist.Available"/> is false.</summary>
    public MnistFactAttribute()
    {
        if (!SharedMnist.Available)
        {
            Skip = "shared/data/mnist was not found beside any ancestor of the test directory.";
        }
    }
}
