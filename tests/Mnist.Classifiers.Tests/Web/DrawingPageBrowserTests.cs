using Microsoft.Playwright;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Trees;

namespace Mnist.Classifiers.Tests.Web;

/// <summary>
/// A fact that needs a Chromium to drive (Debian's <c>chromium</c> at <see cref="DrawingPageBrowserTests.Chromium"/>, or
/// the browser <c>MNIST_TEST_CHROMIUM</c> names) and the MNIST files; skipped, saying which is missing, otherwise.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        Skip = References.Skip(!File.Exists(DrawingPageBrowserTests.Chromium)
            ? $"No Chromium at {DrawingPageBrowserTests.Chromium} (apt-get install -y chromium, or set MNIST_TEST_CHROMIUM)."
            : SharedMnist.SkipReason);
    }
}

/// <summary>
/// The drawing page end to end in a real browser: headless Chromium draws a digit with the mouse on the canvas, clicks
/// Predict, and reads the digit and the bars the page shows, against a forest trained on MNIST.
/// </summary>
public sealed class DrawingPageBrowserTests
{
    public static string Chromium { get; } = Environment.GetEnvironmentVariable("MNIST_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static ForestModel MnistForest()
    {
        var images = IdxFile.ReadImages(Path.Combine(SharedMnist.Directory!, MnistFiles.TrainImages + ".gz"));
        byte[] labels = IdxFile.ReadLabels(Path.Combine(SharedMnist.Directory!, MnistFiles.TrainLabels + ".gz"));
        const int rows = 20_000;
        return new RandomForestClassifier { Trees = 50, Seed = 3 }
            .Fit(FeatureMatrix.FromBytes(images.Pixels.AsSpan(0, rows * 784), 784), labels.Take(rows).Select(l => (int)l).ToArray());
    }

    /// <summary>Draws a stroke through <paramref name="points"/> (canvas coordinates) with the mouse.</summary>
    private static async Task Stroke(IPage page, params (float X, float Y)[] points)
    {
        var box = (await page.Locator("#canvas").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + points[0].X, box.Y + points[0].Y);
        await page.Mouse.DownAsync();
        foreach (var (x, y) in points.Skip(1))
        {
            await page.Mouse.MoveAsync(box.X + x, box.Y + y, new MouseMoveOptions { Steps = 8 });
        }

        await page.Mouse.UpAsync();
    }

    private static async Task<(int Digit, string[] Bars)> Predict(IPage page)
    {
        await page.ClickAsync("#predict");
        await page.WaitForFunctionAsync("document.getElementById('digit').textContent !== ''");
        int digit = int.Parse(await page.TextContentAsync("#digit") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);
        var bars = await page.Locator(".bar").EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.digit + ':' + b.className)");
        return (digit, bars);
    }

    [BrowserFact]
    public async Task A_digit_drawn_with_the_mouse_is_predicted_and_its_bar_is_the_highlighted_one()
    {
        await using var host = await WebAppHost.StartAsync(MnistForest());
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 520 } });
        await page.GotoAsync(host.Address.ToString());

        // A "1": one stroke down the middle.
        await Stroke(page, (145, 45), (140, 240));
        var (one, oneBars) = await Predict(page);
        one.Should().Be(1);
        oneBars.Should().HaveCount(10).And.Contain("1:bar best").And.ContainSingle(b => b.EndsWith("best", StringComparison.Ordinal));

        // Clear, then a "0": an ellipse.
        await page.ClickAsync("#clear");
        (await page.TextContentAsync("#digit")).Should().BeEmpty();
        var ellipse = Enumerable.Range(0, 41).Select(i => (140 + (60 * MathF.Sin(i * MathF.PI / 20)), 140 - (95 * MathF.Cos(i * MathF.PI / 20)))).ToArray();
        await Stroke(page, ellipse);
        var (zero, zeroBars) = await Predict(page);
        zero.Should().Be(0);
        zeroBars.Should().Contain("0:bar best");

        string screenshot = Environment.GetEnvironmentVariable("MNIST_SCREENSHOT") is { Length: > 0 } target
            ? target
            : Path.Combine(AppContext.BaseDirectory, "web-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });
        new FileInfo(screenshot).Length.Should().BeGreaterThan(1000);
    }
}
