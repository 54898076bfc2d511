using System.CommandLine;

namespace Mnist.Cli;

/// <summary>The <c>mnist</c> command: fetch, train and predict.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Fetch MNIST, train classifiers on it and predict digits.");
        root.Subcommands.Add(FetchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        return root.Parse(args).Invoke();
    }
}
