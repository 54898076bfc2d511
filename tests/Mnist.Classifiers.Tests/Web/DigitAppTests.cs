using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;
using Mnist.Classifiers.Persistence;
using Mnist.Classifiers.Svm;

namespace Mnist.Classifiers.Tests.Web;

/// <summary>The web app's HTTP API with the bar forest of <see cref="BarPictures"/>.</summary>
public sealed class DigitAppTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(WebAppHost host, HttpContent content)
    {
        using var client = new HttpClient { BaseAddress = host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/predict") { Content = content };
        // A large body goes out only after the server's 100 Continue, as a careful client sends it: the app answers
        // 413 from Content-Length alone and closes the connection, and a client already streaming the body would race
        // that close and may see a broken pipe instead of the answer (seen once in CI).
        request.Headers.ExpectContinue = content.Headers.ContentLength > 64 << 10;
        using var response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static ByteArrayContent Png(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task A_png_gets_its_digit_and_ten_probabilities()
    {
        await using var host = await WebAppHost.StartAsync(BarPictures.Model());

        var (status, body) = await Post(host, Png(BarPictures.Png(vertical: true, seed: 7)));

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("digit").GetInt32().Should().Be(1);
        var probabilities = body.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        probabilities.Should().HaveCount(10);
        probabilities.Sum().Should().BeApproximately(1, 1e-9);
        probabilities[1].Should().Be(probabilities.Max());
    }

    [Fact]
    public async Task Pixel_values_as_json_are_predicted_like_the_picture_they_come_from()
    {
        await using var host = await WebAppHost.StartAsync(BarPictures.Model());
        float[] pixels = DigitImage.ToMnistPixels(BarPictures.Png(vertical: false, seed: 8));

        var (status, body) = await Post(host, JsonContent.Create(pixels));

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("digit").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task A_model_without_probabilities_answers_null()
    {
        var svm = new SvmClassifier().Fit(
            FeatureMatrix.FromRows([DigitImage.ToMnistPixels(BarPictures.Png(false, 1)), DigitImage.ToMnistPixels(BarPictures.Png(true, 2))]), [0, 1]);
        await using var host = await WebAppHost.StartAsync(svm);

        var (status, body) = await Post(host, Png(BarPictures.Png(vertical: true, seed: 9)));

        status.Should().Be(HttpStatusCode.OK);
        body.GetProperty("probabilities").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Bad_bodies_get_4xx_problems_never_5xx()
    {
        await using var host = await WebAppHost.StartAsync(BarPictures.Model());

        var cases = new (HttpContent Content, HttpStatusCode Status, string Detail)[]
        {
            (Png(Encoding.ASCII.GetBytes("not a png")), HttpStatusCode.BadRequest, "not a PNG, JPEG, BMP or GIF"),
            (Png([]), HttpStatusCode.BadRequest, "empty"),
            (new StringContent("[1, 2, 3]", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "784 pixel values"),
            (new StringContent("{\"x\": 1}", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "not a JSON array"),
            (JsonContent.Create(Enumerable.Repeat(300f, 784)), HttpStatusCode.BadRequest, "Pixel 0 is 300"),
            (new StringContent("hello", Encoding.UTF8, "text/plain"), HttpStatusCode.UnsupportedMediaType, "not 'text/plain'"),
            (Png(new byte[(1 << 20) + 1]), HttpStatusCode.RequestEntityTooLarge, "larger than"),
        };
        foreach (var (content, expected, detail) in cases)
        {
            var (status, body) = await Post(host, content);
            status.Should().Be(expected, detail);
            body.GetProperty("detail").GetString().Should().Contain(detail);
        }
    }

    [Fact]
    public async Task The_page_and_the_health_check_are_served()
    {
        await using var host = await WebAppHost.StartAsync(BarPictures.Model());
        using var client = new HttpClient { BaseAddress = host.Address };

        (await client.GetStringAsync("/")).Should().Contain("<canvas id=\"canvas\"").And.Contain("/api/predict");
        (await client.GetStringAsync("/healthz")).Should().Be("{\"status\":\"ok\"}");
    }

    [Fact]
    public void A_model_that_is_not_for_28x28_digits_is_refused_at_start()
    {
        string path = Path.Combine(Path.GetTempPath(), $"narrow-{Guid.NewGuid():N}.model");
        ModelFile.Save(new DummyClassifier().Fit(new FeatureMatrix(new float[6], 3), [1, 2]), path);
        try
        {
            var act = () => Mnist.Web.DigitApp.Create(["--model", path]);
            act.Should().Throw<InvalidDataException>().WithMessage("*takes 3 features*");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
