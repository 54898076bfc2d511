using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Mnist.LoadTest;

/// <summary>One kind of request of the mix: a body, its content type and whether the app must accept it.</summary>
/// <param name="Name">What the body is, for the report.</param>
/// <param name="Body">The request body.</param>
/// <param name="ContentType">Its Content-Type header.</param>
/// <param name="Good">True when the app must answer 200; false when it must answer 4xx.</param>
public sealed record LoadRequest(string Name, byte[] Body, string ContentType, bool Good);

/// <summary>What a load run measured.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="ByStatus">Answers per HTTP status code.</param>
/// <param name="Failures">Requests without an answer (refused or dropped connections, timeouts), with the first few errors.</param>
/// <param name="WrongAnswers">Good requests not answered 200 or garbage answered 200.</param>
/// <param name="P50">Median latency.</param>
/// <param name="P99">99th-percentile latency.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record LoadResult(
    int Requests, IReadOnlyDictionary<int, int> ByStatus, int Failures, IReadOnlyList<string> FirstErrors, int WrongAnswers,
    TimeSpan P50, TimeSpan P99, TimeSpan Elapsed)
{
    /// <summary>Answers with a 5xx status.</summary>
    public int ServerErrors => ByStatus.Where(s => s.Key >= 500).Sum(s => s.Value);
}

/// <summary>
/// Sends <c>POST /api/predict</c> requests to the web app from a fixed mix of good bodies (a PNG digit, 784 JSON
/// pixels) and garbage (random bytes, a truncated PNG, a PNG that declares 60000 × 60000, broken and short JSON, an
/// empty body, a wrong content type, a body over the 1 MB limit), <c>concurrency</c> at a time.
/// </summary>
public static class LoadRun
{
    private const int ExpectContinueBytes = 64 << 10;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The request mix, built from <paramref name="seed"/>: half good, half garbage.</summary>
    public static IReadOnlyList<LoadRequest> Mix(int seed)
    {
        var random = new Random(seed);
        byte[] png = DigitPng();
        var pixels = Enumerable.Range(0, 784).Select(i => (i / 28) is > 5 and < 22 && (i % 28) is > 12 and < 16 ? 255 : 0);
        byte[] json = Encoding.UTF8.GetBytes("[" + string.Join(",", pixels) + "]");
        var noise = new byte[3000];
        random.NextBytes(noise);
        return
        [
            new("png", png, "image/png", true),
            new("json", json, "application/json", true),
            new("png", png, "image/png", true),
            new("json", json, "application/json", true),
            new("random bytes as png", noise, "image/png", false),
            new("truncated png", png[..(png.Length / 2)], "image/png", false),
            new("png declaring 60000x60000", BombPng(), "image/png", false),
            new("broken json", "[1, 2,"u8.ToArray(), "application/json", false),
            new("3 pixels", "[1, 2, 3]"u8.ToArray(), "application/json", false),
            new("empty", [], "image/png", false),
            new("text/plain", json, "text/plain", false),
            new("2 MB body", new byte[2 << 20], "image/png", false),
        ];
    }

    /// <summary>Sends <paramref name="requests"/> requests from <paramref name="mix"/> (in turn) to <paramref name="baseAddress"/>, <paramref name="concurrency"/> at once.</summary>
    public static async Task<LoadResult> RunAsync(Uri baseAddress, IReadOnlyList<LoadRequest> mix, int requests, int concurrency)
    {
        // A client waits for the server's answer to Expect: 100-continue only for Expect100ContinueTimeout (1 s by default)
        // before it sends the body anyway; on a busy machine (CI runs the test beside the rest of the suite) a 413 then
        // arrived mid-body and the client's write broke the pipe ("2 MB body: HttpRequestException ... Broken pipe", once
        // in five clean-clone CI runs). Waiting as long as the request may take keeps the refusal before the body.
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            Expect100ContinueTimeout = RequestTimeout,
        };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = RequestTimeout };
        var latencies = new long[requests];
        var byStatus = new int[600];
        int failures = 0, wrong = 0, next = -1;
        var errors = new List<string>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (int i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                var request = mix[i % mix.Count];
                using var content = new ByteArrayContent(request.Body);
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
                using var message = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content };
                // A large body is announced first (HTTP/1.1's Expect: 100-continue), as careful clients do: a refusal
                // (413) then comes before the body is sent instead of breaking the pipe mid-body.
                message.Headers.ExpectContinue = request.Body.Length > ExpectContinueBytes;
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(message).ConfigureAwait(false);
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    latencies[i] = Stopwatch.GetTimestamp() - start;
                    int status = (int)response.StatusCode;
                    Interlocked.Increment(ref byStatus[Math.Clamp(status, 0, 599)]);
                    bool ok = request.Good ? response.StatusCode == HttpStatusCode.OK : status is >= 400 and < 500;
                    if (!ok)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    latencies[i] = Stopwatch.GetTimestamp() - start;
                    Interlocked.Increment(ref failures);
                    lock (errors)
                    {
                        if (errors.Count < 5)
                        {
                            errors.Add($"{request.Name}: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                        }
                    }
                }
            }
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();

        Array.Sort(latencies);
        TimeSpan Percentile(double p) => Stopwatch.GetElapsedTime(0, latencies[Math.Min(requests - 1, (int)(p * requests))]);
        var statuses = Enumerable.Range(0, byStatus.Length).Where(s => byStatus[s] > 0).ToDictionary(s => s, s => byStatus[s]);
        return new LoadResult(requests, statuses, failures, errors, wrong, Percentile(0.50), Percentile(0.99), clock.Elapsed);
    }

    /// <summary>A 280 × 280 white canvas with a black vertical stroke, as the drawing page sends.</summary>
    private static byte[] DigitPng()
    {
        using var image = new Image<Rgba32>(280, 280, new Rgba32(255, 255, 255, 255));
        for (int y = 60; y < 220; y++)
        {
            for (int x = 130; x < 150; x++)
            {
                image[x, y] = new Rgba32(0, 0, 0, 255);
            }
        }

        using var output = new MemoryStream();
        image.SaveAsPng(output);
        return output.ToArray();
    }

    /// <summary>A real 1 × 1 PNG whose header is edited to declare 60000 × 60000 (its checksum is then wrong too).</summary>
    private static byte[] BombPng()
    {
        using var image = new Image<L8>(1, 1);
        using var output = new MemoryStream();
        image.SaveAsPng(output);
        byte[] bytes = output.ToArray();
        // IHDR's width and height: big-endian at bytes 16 and 20.
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 60000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 60000);
        return bytes;
    }
}
