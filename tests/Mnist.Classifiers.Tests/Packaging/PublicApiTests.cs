using System.Reflection;
using System.Text;
using PublicApiGenerator;

namespace Mnist.Classifiers.Tests.Packaging;

/// <summary>
/// Every package's public surface is checked in as <c>api/ASSEMBLY.txt</c> (types and members as C#, sorted), so that a
/// change to it shows in review and is made on purpose. After an intended change (or a merge that adds API), update the
/// baselines with <c>MNIST_UPDATE_API=1 dotnet test tests/Mnist.Classifiers.Tests -c Release --filter FullyQualifiedName~PublicApiTests</c>
/// and commit the changed <c>api/*.txt</c> (docs/packaging.md).
/// </summary>
public sealed class PublicApiTests
{
    /// <summary>Set to 1 to write the current surfaces over the baselines instead of failing on a difference.</summary>
    private const string UpdateVariable = "MNIST_UPDATE_API";

    private const string UpdateCommand =
        "MNIST_UPDATE_API=1 dotnet test tests/Mnist.Classifiers.Tests -c Release --filter FullyQualifiedName~PublicApiTests";

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    private static string ApiFolder => Path.Combine(RepositoryRoot.Path, "api");

    /// <summary>The packaged libraries: every project under src/ (src/Directory.Build.props makes each a package).</summary>
    public static TheoryData<string> Packages() => new(PackageNames());

    private static IEnumerable<string> PackageNames() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_API_matches_its_baseline(string assemblyName)
    {
        // The test project references every package project, so each assembly sits beside the tests.
        var assembly = Assembly.Load(new AssemblyName(assemblyName));
        string current = Normalise(assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
        string baselinePath = Path.Combine(ApiFolder, assemblyName + ".txt");

        if (Updating)
        {
            Directory.CreateDirectory(ApiFolder);
            File.WriteAllText(baselinePath, current);
        }

        File.Exists(baselinePath).Should().BeTrue(
            "{0} is a package and needs a public API baseline; create it with\n    {1}", assemblyName, UpdateCommand);
        string baseline = Normalise(File.ReadAllText(baselinePath));
        if (baseline != current)
        {
            Assert.Fail(
                $"The public API of {assemblyName} differs from api/{assemblyName}.txt (- baseline, + now):\n" +
                $"{LineDiff(baseline, current)}\nIf the change is intended, update the baseline with\n    {UpdateCommand}\n" +
                "and commit api/*.txt.");
        }
    }

    [Fact]
    public void Every_baseline_belongs_to_a_package()
    {
        var packages = PackageNames().ToHashSet(StringComparer.Ordinal);
        var baselines = Directory.Exists(ApiFolder)
            ? Directory.GetFiles(ApiFolder, "*.txt").Select(Path.GetFileNameWithoutExtension).ToArray()
            : [];

        baselines.Should().OnlyContain(name => packages.Contains(name!),
            "api/NAME.txt is the baseline of src/NAME/NAME.csproj; delete the baselines of packages that are gone");
    }

    [Fact]
    public void The_diff_shows_the_changed_lines_in_their_context()
    {
        string before = "namespace A\n{\n    public class B\n    {\n        public B() { }\n    }\n}\n";
        string after = "namespace A\n{\n    public class B\n    {\n        public B() { }\n        public int C { get; }\n    }\n}\n";

        LineDiff(before, after).Should().Be(
            "      public class B\n      {\n          public B() { }\n+         public int C { get; }\n      }\n  }\n");
        LineDiff(after, before).Should().Contain("-         public int C { get; }");
    }

    private static string Normalise(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";

    /// <summary>
    /// The lines that differ (longest common subsequence of lines), each with up to three unchanged lines around it,
    /// so a failure names the members that came or went without printing the whole surface.
    /// </summary>
    private static string LineDiff(string before, string after)
    {
        string[] a = before.TrimEnd('\n').Split('\n');
        string[] b = after.TrimEnd('\n').Split('\n');
        var common = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<(char Mark, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        const int Context = 3;
        var text = new StringBuilder();
        int lastWritten = -1;
        for (int k = 0; k < lines.Count; k++)
        {
            bool nearChange = false;
            for (int d = Math.Max(0, k - Context); d <= Math.Min(lines.Count - 1, k + Context) && !nearChange; d++)
            {
                nearChange = lines[d].Mark != ' ';
            }

            if (!nearChange)
            {
                continue;
            }

            if (lastWritten >= 0 && k > lastWritten + 1)
            {
                text.Append("...\n");
            }

            text.Append(lines[k].Mark).Append(' ').Append(lines[k].Text).Append('\n');
            lastWritten = k;
        }

        return text.ToString();
    }
}
