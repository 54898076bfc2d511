using Microsoft.AspNetCore.Builder;
using Mnist.Classifiers.Persistence;
using Mnist.Web;

namespace Mnist.Classifiers.Tests.Web;

/// <summary>The web app on 127.0.0.1 (a free port) serving a model, started in-process for a test and stopped after it.</summary>
internal sealed class WebAppHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _modelPath;

    private WebAppHost(WebApplication app, string modelPath, Uri address)
    {
        _app = app;
        _modelPath = modelPath;
        Address = address;
    }

    /// <summary>The app's base address.</summary>
    public Uri Address { get; }

    public static async Task<WebAppHost> StartAsync(IClassifierModel model)
    {
        string modelPath = Path.Combine(Path.GetTempPath(), $"web-{Guid.NewGuid():N}.model");
        ModelFile.Save(model, modelPath);
        var app = DigitApp.Create(["--model", modelPath, "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        return new WebAppHost(app, modelPath, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_modelPath);
    }
}
