using System.Globalization;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Spectre.Console;

namespace Mnist.Cli;

/// <summary>
/// Progress on standard error, so that standard output keeps only results: Spectre.Console bars when standard error
/// is the console's and a terminal, else a few plain lines (a log file, a pipe, a test's writer).
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Whether <paramref name="error"/> is the console's standard error and a terminal, where bars can be drawn.</summary>
    public static bool IsTerminal(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>
    /// Runs <paramref name="work"/> with the progress it should report to: bars while it runs on a terminal, cleared
    /// when it ends; otherwise plain lines to <paramref name="error"/> when <paramref name="lines"/> is set, else nothing.
    /// </summary>
    public static T Run<T>(TextWriter error, bool lines, Func<IProgressSink, T> work)
    {
        if (!IsTerminal(error))
        {
            return work(lines ? new ProgressLines(error) : IProgressSink.None);
        }

        return Bars().Start(context => work(new ProgressBars(context)));
    }

    /// <summary>As <see cref="Run{T}"/>, for asynchronous work (downloads).</summary>
    public static Task<T> RunAsync<T>(TextWriter error, bool lines, Func<IProgressSink, Task<T>> work)
    {
        if (!IsTerminal(error))
        {
            return work(lines ? new ProgressLines(error) : IProgressSink.None);
        }

        return Bars().StartAsync(context => work(new ProgressBars(context)));
    }

    private static Progress Bars() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            .Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());
}

/// <summary>
/// Where a command's work reports how far it has come: one bar (or line series) per named stage, made when the stage
/// first reports. Every member may be called from any thread.
/// </summary>
internal interface IProgressSink
{
    /// <summary>A sink that shows nothing.</summary>
    static IProgressSink None { get; } = new NoProgress();

    /// <summary>Stage <paramref name="stage"/> has reached <paramref name="value"/> of <paramref name="total"/>.</summary>
    void Show(string stage, double value, double total);

    /// <summary>The library's fitting steps (pair problems, trees, members, epochs, image copies), for <see cref="ComputeBudget.WithProgress"/>.</summary>
    IProgress<FitProgress> Fitting => new CallbackProgress<FitProgress>(p => Show(Capitalised(p.Stage), p.Completed, p.Total));

    /// <summary>The fetcher's downloads, in megabytes.</summary>
    IProgress<DownloadProgress> Downloads => new CallbackProgress<DownloadProgress>(p =>
    {
        double megabytes = p.Bytes / 1e6;
        double total = p.Length is > 0 ? p.Length.Value / 1e6 : p.Done ? megabytes : double.NaN;
        Show($"Downloading {p.File} (MB)", megabytes, total);
    });

    private static string Capitalised(string stage) => stage.Length == 0 ? stage : char.ToUpperInvariant(stage[0]) + stage[1..];

    private sealed class NoProgress : IProgressSink
    {
        public void Show(string stage, double value, double total)
        {
        }
    }
}

/// <summary>Spectre.Console bars, one per stage.</summary>
internal sealed class ProgressBars(ProgressContext context) : IProgressSink
{
    private readonly Dictionary<string, ProgressTask> _bars = [];

    public void Show(string stage, double value, double total)
    {
        lock (_bars)
        {
            if (!_bars.TryGetValue(stage, out var bar))
            {
                bar = context.AddTask(stage, maxValue: double.IsNaN(total) ? 1 : total);
                _bars.Add(stage, bar);
            }

            // An unknown total (a download without a length) shows as a bar that waits.
            bar.IsIndeterminate = double.IsNaN(total);
            if (!double.IsNaN(total))
            {
                bar.MaxValue = total;
            }

            // Parallel steps may report out of order: a bar never moves back.
            bar.Value = Math.Max(bar.Value, value);
        }
    }
}

/// <summary>
/// Plain progress lines for logs: a stage's first report, then each quarter it passes (at most five lines a stage,
/// whatever the number of steps).
/// </summary>
internal sealed class ProgressLines(TextWriter writer) : IProgressSink
{
    private readonly Dictionary<string, int> _quarters = [];

    public void Show(string stage, double value, double total)
    {
        int quarter = double.IsNaN(total) || total <= 0 ? 0 : (int)Math.Floor(4 * Math.Min(value, total) / total);
        lock (_quarters)
        {
            if (_quarters.TryGetValue(stage, out int shown) && quarter <= shown)
            {
                return;
            }

            _quarters[stage] = quarter;
            var c = CultureInfo.InvariantCulture;
            string amount = value == Math.Floor(value) ? value.ToString("F0", c) : value.ToString("F1", c);
            string of = double.IsNaN(total) ? "" : $" of {(total == Math.Floor(total) ? total.ToString("F0", c) : total.ToString("F1", c))}";
            writer.WriteLine($"INFO    {stage}: {amount}{of}");
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls its action on the reporting thread (no synchronisation context hop).</summary>
internal sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
