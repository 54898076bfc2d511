using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mnist.Classifiers.Tests;

/// <summary>The README's quick start is code a newcomer pastes: it must compile against the library as it is.</summary>
public sealed partial class ReadmeQuickStartTests
{
    [Fact]
    public async Task The_quick_start_compiles_against_the_library()
    {
        string root = RepositoryRoot.Path;
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var block = QuickStartBlock().Match(readme);
        block.Success.Should().BeTrue("the README has a ```csharp quick start");

        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "Program.cs"), block.Groups["code"].Value);
        string library = Path.Combine(root, "src", "Mnist.Classifiers", "Mnist.Classifiers.csproj");
        File.WriteAllText(Path.Combine(directory.Path, "QuickStart.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{library}" />
              </ItemGroup>
            </Project>
            """);
        // The temporary folder is outside the repository, so the repository's Directory.*.props do not apply to it;
        // the library project brings its own through its folder.
        var start = new ProcessStartInfo("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q", "-p:UseSharedCompilation=false"])
        {
            WorkingDirectory = directory.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var build = Process.Start(start)!;
        var stderr = build.StandardError.ReadToEndAsync();
        string stdout = await build.StandardOutput.ReadToEndAsync();
        await build.WaitForExitAsync();

        build.ExitCode.Should().Be(0, "the quick start must compile:\n{0}\n{1}", stdout, await stderr);
    }

    [GeneratedRegex(@"## Quick start\s+```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
