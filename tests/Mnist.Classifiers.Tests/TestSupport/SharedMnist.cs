using System.Reflection;
using Xunit.Sdk;

namespace Mnist.Classifiers.Tests.TestSupport;

/// <summary>
/// Finds the real MNIST files, the four gzip IDX files: in the directory the environment variable
/// <c>MNIST_TEST_DATA</c> (<see cref="DirectoryVariable"/>) names when it is set, otherwise in <c>shared/data/mnist</c>
/// beside some ancestor of the test directory (in CI the checkout has <c>shared/</c> beside it).
/// </summary>
internal static class SharedMnist
{
    /// <summary>The environment variable that names the MNIST directory instead of the ancestor search.</summary>
    public const string DirectoryVariable = "MNIST_TEST_DATA";

    /// <summary>The four files of the original MNIST distribution.</summary>
    public static readonly string[] FileNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private static readonly Lazy<(string? Directory, string? SkipReason)> Found = new(Search);

    /// <summary>The directory, or null when it was not found with all four files.</summary>
    public static string? Directory => Found.Value.Directory;

    /// <summary>True when <see cref="Directory"/> was found.</summary>
    public static bool Available => Directory is not null;

    /// <summary>Why the tests that need MNIST cannot run here, or null when <see cref="Available"/>.</summary>
    public static string? SkipReason => Found.Value.SkipReason;

    private static (string?, string?) Search()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } chosen)
        {
            if (!System.IO.Directory.Exists(chosen))
            {
                return (null, $"The MNIST directory {DirectoryVariable}={chosen} does not exist.");
            }

            string[] missing = FileNames.Where(f => !File.Exists(Path.Combine(chosen, f))).ToArray();
            return missing.Length == 0
                ? (chosen, null)
                : (null, $"The MNIST files are not all in {DirectoryVariable}={chosen}: {string.Join(", ", missing)} missing.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "shared", "data", "mnist");
            if (FileNames.All(f => File.Exists(Path.Combine(candidate, f))))
            {
                return (candidate, null);
            }
        }

        return (null, $"The MNIST files were not found: no shared/data/mnist with the four .gz files beside any ancestor of "
            + $"{AppContext.BaseDirectory} ({DirectoryVariable} names the directory instead).");
    }
}

/// <summary>A fact that is skipped, saying why, when the MNIST files cannot be found (see <see cref="SharedMnist"/>).</summary>
public sealed class MnistFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <see cref="SharedMnist.Available"/> is false.</summary>
    public MnistFactAttribute()
    {
        Skip = References.Skip(SharedMnist.SkipReason);
    }
}

/// <summary>
/// <see cref="MemberDataAttribute"/> for the rows of a theory that read the MNIST files: those rows are skipped, saying
/// why, when the files cannot be found (see <see cref="SharedMnist"/>), while the theory's other rows still run.
/// </summary>
[DataDiscoverer("Xunit.Sdk.MemberDataDiscoverer", "xunit.core")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class MnistMemberDataAttribute : MemberDataAttributeBase
{
    /// <summary>The rows of the static member <paramref name="memberName"/>, skipped when MNIST is missing.</summary>
    public MnistMemberDataAttribute(string memberName, params object[] parameters)
        : base(memberName, parameters)
    {
        Skip = References.Skip(SharedMnist.SkipReason);
    }

    /// <inheritdoc />
    protected override object[] ConvertDataItem(MethodInfo testMethod, object item) =>
        item as object[] ?? throw new ArgumentException(
            $"Property {MemberName} on {MemberType ?? testMethod.DeclaringType} yielded an item that is not an object[].");
}
