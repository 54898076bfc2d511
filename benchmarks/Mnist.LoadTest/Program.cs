using System.Globalization;
using Mnist.LoadTest;

// `Mnist.LoadTest --url http://127.0.0.1:5000 [--requests 20000] [--concurrency 32] [--server-pid PID]`: sends the
// request mix of LoadRun to a running web app and prints the status counts, failures, p50/p99 latency and, given
// the server's process id, its resident memory (VmRSS) before and after.
var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

if (!options.TryGetValue("url", out string? url))
{
    Console.Error.WriteLine("Usage: Mnist.LoadTest --url URL [--requests N] [--concurrency N] [--server-pid PID]");
    return 2;
}

int requests = int.Parse(options.GetValueOrDefault("requests", "20000"), CultureInfo.InvariantCulture);
int concurrency = int.Parse(options.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);
int? pid = options.TryGetValue("server-pid", out string? p) ? int.Parse(p, CultureInfo.InvariantCulture) : null;

string? before = pid is { } id ? ResidentMemory(id) : null;
var result = await LoadRun.RunAsync(new Uri(url), LoadRun.Mix(seed: 1), requests, concurrency);
string? after = pid is { } id2 ? ResidentMemory(id2) : null;

Console.WriteLine($"requests {result.Requests}, concurrency {concurrency}, {result.Elapsed.TotalSeconds:F1} s ({result.Requests / result.Elapsed.TotalSeconds:F0}/s)");
Console.WriteLine("status " + string.Join(", ", result.ByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
Console.WriteLine($"5xx {result.ServerErrors}, failures (no answer) {result.Failures}, wrong answers {result.WrongAnswers}");
foreach (string error in result.FirstErrors)
{
    Console.WriteLine("  " + error);
}

Console.WriteLine($"latency p50 {result.P50.TotalMilliseconds:F2} ms, p99 {result.P99.TotalMilliseconds:F2} ms");
if (before is not null)
{
    Console.WriteLine($"server memory (VmRSS) before {before}, after {after}");
}

return result.ServerErrors == 0 && result.Failures == 0 && result.WrongAnswers == 0 ? 0 : 1;

static string ResidentMemory(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..].Trim();
