namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>The checkout the tests were built from: the first folder above the test binaries that holds the solution.</summary>
internal static class RepositoryRoot
{
    /// <summary>The repository's root folder.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Mnist.Classifiers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Mnist.Classifiers.sln was not found above the test directory.");
    }
}
