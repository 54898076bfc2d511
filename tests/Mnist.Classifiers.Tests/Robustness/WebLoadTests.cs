using Mnist.Classifiers.Tests.Web;
using Mnist.LoadTest;

namespace Mnist.Classifiers.Tests.Robustness;

/// <summary>
/// The web app under a CI-sized load on 127.0.0.1 (the full run of 20,000 requests is in docs/robustness.md): 2,000
/// requests, 32 at a time, half good (PNG, JSON pixels) and half garbage (random bytes, a truncated PNG, a PNG
/// declaring 60000 × 60000, broken JSON, an empty body, a wrong content type, a body over the limit).
/// </summary>
public class WebLoadTests
{
    [Fact]
    public async Task Two_thousand_mixed_requests_get_no_5xx_no_dropped_connection_and_the_right_answers()
    {
        await using var host = await WebAppHost.StartAsync(BarPictures.Model());

        var mix = LoadRun.Mix(seed: 1);
        var result = await LoadRun.RunAsync(host.Address, mix, requests: 2000, concurrency: 32);

        result.ServerErrors.Should().Be(0);
        result.Failures.Should().Be(0, string.Join("; ", result.FirstErrors));
        result.WrongAnswers.Should().Be(0, "good bodies get 200 and garbage 4xx");
        result.ByStatus[200].Should().Be(Enumerable.Range(0, 2000).Count(i => mix[i % mix.Count].Good));
    }
}
