using Spectre.Console;

namespace Mnist.Cli;

/// <summary>
/// Progress bars on the terminal (Spectre.Console), drawn on standard error so that standard output keeps only
/// results; nothing at all when standard error is redirected or is not the console (a log file, a test's writer).
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>
    /// Runs <paramref name="work"/>, which calls the step action it is given once per finished step (from any
    /// thread), with a bar of <paramref name="total"/> steps while it runs, when <paramref name="error"/> is a terminal.
    /// </summary>
    public static T Run<T>(TextWriter error, string description, int total, Func<Action?, T> work)
    {
        if (!ReferenceEquals(error, Console.Error) || Console.IsErrorRedirected)
        {
            return work(null);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(description, maxValue: total);
                return work(() => task.Increment(1));
            });
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls its action on the reporting thread (no synchronisation context hop).</summary>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
