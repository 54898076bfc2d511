using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Mnist.Classifiers;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;

namespace Mnist.Web;

/// <summary>
/// The web page where a person draws a digit and sees the prediction: <c>GET /</c> serves the page,
/// <c>POST /api/predict</c> takes a PNG (<c>image/png</c>) or 784 pixel values (a JSON array) and answers
/// <c>{"digit": d, "probabilities": [10 numbers] or null}</c>, <c>GET /healthz</c> says the app is up. Everything but
/// the HTTP plumbing is the library's: the image is decoded within limits and normalised as MNIST was made
/// (<see cref="DigitImage"/>), then the model predicts.
/// </summary>
public static class DigitApp
{
    /// <summary>The largest request body accepted (a 280 × 280 canvas PNG is a few kilobytes).</summary>
    public const long MaxBodyBytes = 1L << 20;

    /// <summary>Builds the app: <c>--model PATH</c> (default model.bin) names the model, <c>--urls</c> where it listens.</summary>
    /// <exception cref="InvalidDataException">The model file cannot be read or is not a 28 × 28 digit classifier.</exception>
    /// <exception cref="FileNotFoundException">The model file does not exist.</exception>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        string modelPath = builder.Configuration["model"] ?? "model.bin";
        var model = DigitImage.LoadDigitModel(modelPath);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes);
        var app = builder.Build();
        string page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapPost("/api/predict", (HttpRequest request, CancellationToken cancellation) => Predict(model, request, cancellation));
        return app;
    }

    private static async Task<IResult> Predict(IClassifierModel model, HttpRequest request, CancellationToken cancellation)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            // The body is left unread, and Kestrel cannot drain more than the limit afterwards: it drops the
            // connection. Saying so makes the client open a new one for its next request instead of sending it on
            // this one and losing it (the load test found such lost requests).
            request.HttpContext.Response.Headers.Connection = "close";
            return Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {MaxBodyBytes} bytes.");
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellation).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return Problem(e.StatusCode, e.Message);
        }

        float[] pixels;
        string type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? string.Empty;
        try
        {
            pixels = type switch
            {
                "image/png" => DigitImage.ToMnistPixels(body),
                "application/json" => PixelsFromJson(body),
                _ => throw new UnsupportedTypeException(type),
            };
        }
        catch (UnsupportedTypeException)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"Send image/png or application/json (784 pixel values), not '{type}'.");
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, e.Message);
        }

        var row = new FeatureMatrix(pixels, pixels.Length);
        int digit = model.Predict(row)[0];
        double[]? probabilities = null;
        if (model.SupportsProbabilities)
        {
            // One number per digit 0-9, whatever subset of digits the model knows.
            var byClass = model.PredictProbabilities(row);
            probabilities = new double[10];
            for (int k = 0; k < model.Classes.Count; k++)
            {
                if (model.Classes[k] is >= 0 and <= 9)
                {
                    probabilities[model.Classes[k]] = byClass[0, k];
                }
            }
        }

        return Results.Json(new { digit, probabilities });
    }

    /// <summary>784 grey levels (0 background – 255 ink, MNIST's convention) from a JSON array.</summary>
    private static float[] PixelsFromJson(byte[] body)
    {
        float[]? values;
        try
        {
            values = JsonSerializer.Deserialize<float[]>(body);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The body is not a JSON array of numbers: {e.Message}");
        }

        if (values is null || values.Length != 784)
        {
            throw new InvalidDataException($"Send 784 pixel values (28 × 28, row by row); got {values?.Length ?? 0}.");
        }

        int bad = Array.FindIndex(values, v => !(v >= 0 && v <= 255));
        if (bad >= 0)
        {
            throw new InvalidDataException($"Pixel {bad} is {values[bad]}; pixel values are 0 to 255.");
        }

        return values;
    }

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    private static string ReadPage()
    {
        using var stream = typeof(DigitApp).Assembly.GetManifestResourceStream("index.html")
            ?? throw new InvalidOperationException("The page index.html is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed class UnsupportedTypeException(string type) : Exception(type);
}
