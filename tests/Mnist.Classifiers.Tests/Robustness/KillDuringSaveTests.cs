using System.Diagnostics;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>
/// Nothing lost: a child process (Mnist.Classifiers.KillTarget) saves a model file or writes an HDF5 dataset over
/// and over, and is killed with SIGKILL at seeded random moments, mid-write most of the time. After every kill the
/// file must load and hold one complete version (the last one written or the one before: never a mix, never
/// half), and anything else left in the directory must be a temporary file that no reader would take for the real
/// one. The next child then writes over what the killed one left.
/// </summary>
public class KillDuringSaveTests
{
    private const int Kills = 5;

    [Theory]
    [InlineData("model", "digits.model")]
    [InlineData("dataset", "digits.h5")]
    public async Task A_file_killed_mid_write_is_the_previous_or_the_next_complete_version(string mode, string name)
    {
        using var directory = new TempDirectory();
        string path = directory.File(name);
        var random = new Random(20);
        int next = 1;
        for (int kill = 0; kill < Kills; kill++)
        {
            using var child = Start(mode, path, next);
            // Wait for one complete save, so that there is a previous version to lose, then kill at a random moment.
            int saved = await SavedVersion(child);
            await Task.Delay(random.Next(0, 250));
            child.Kill();
            await child.WaitForExitAsync();
            string output = await child.StandardOutput.ReadToEndAsync();
            int lastSaved = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => int.Parse(line["saved ".Length..]))
                .DefaultIfEmpty(saved).Max();

            int found = LoadedVersion(mode, path);
            found.Should().BeOneOf([lastSaved, lastSaved + 1], $"kill {kill}: the file holds the last version saved or the one whose rename had just happened");
            foreach (string file in Directory.GetFiles(directory.Path).Where(f => f != path))
            {
                string leftover = Path.GetFileName(file);
                leftover.Should().StartWith($".{name}.").And.EndWith(".tmp", "only a temporary file, hidden and with its own extension, may be left behind");
                Path.GetExtension(leftover).Should().NotBe(Path.GetExtension(name));
            }

            next = found + 1;
        }
    }

    private static Process Start(string mode, string path, int first)
    {
        string target = Path.Combine(AppContext.BaseDirectory, "Mnist.Classifiers.KillTarget.dll");
        var start = new ProcessStartInfo("dotnet", [target, mode, path, first.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("The kill target did not start.");
    }

    /// <summary>The version of the first "saved N" line the child prints.</summary>
    private static async Task<int> SavedVersion(Process child)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line = await child.StandardOutput.ReadLineAsync(timeout.Token);
        line.Should().NotBeNull("the child saves at least once before it is killed").And.StartWith("saved ");
        return int.Parse(line!["saved ".Length..]);
    }

    /// <summary>Loads the file and checks it is exactly some version's content; returns that version.</summary>
    private static int LoadedVersion(string mode, string path)
    {
        if (mode == "model")
        {
            var model = ModelFile.Load(path);
            int version = model.Classes.Single();
            var row = Enumerable.Range(0, KillTargetContent.ModelColumns).Select(j => (float)(version + j)).ToArray();
            var scaled = ((PipelineModel)model).Transforms.Single().Transform(new FeatureMatrix(row, KillTargetContent.ModelColumns));
            scaled.ToArray().Should().OnlyContain(v => v == 0f, "version N's scaler has mean N + j in column j");
            return version;
        }

        var dataset = MnistDataset.Load(path);
        int seed = dataset.Info.SplitSeed;
        var complete = KillTargetContent.Dataset(seed);
        dataset.Train.Pixels.Should().Equal(complete.Train.Pixels);
        dataset.Train.Labels.Should().Equal(complete.Train.Labels);
        dataset.Test.Pixels.Should().Equal(complete.Test.Pixels);
        return seed;
    }
}
