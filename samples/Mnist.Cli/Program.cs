using System.CommandLine;

namespace Mnist.Cli;

/// <summary>The <c>mnist</c> command: fetch, train and predict.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    /// <remarks>
    /// Invoked asynchronously so that System.CommandLine turns Ctrl+C (SIGINT) and SIGTERM into the cancellation
    /// token the commands hand down to training: a search or fit stops at its next check and writes nothing.
    /// </remarks>
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Fetch MNIST, train classifiers on it and predict digits.");
        root.Subcommands.Add(FetchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
    }
}
