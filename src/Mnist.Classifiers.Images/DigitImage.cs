using Mnist.Classifiers.Data;
using Mnist.Classifiers.Persistence;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace Mnist.Classifiers.Images;

/// <summary>
/// How much an image may cost before it is decoded. Crafted images are ImageSharp's known weak spot (a few kilobytes
/// of PNG can claim gigapixels), so every limit is checked from the file's length and header before any pixel buffer
/// is allocated.
/// </summary>
public sealed record ImageDecodeLimits
{
    /// <summary>The largest encoded image, in bytes (16 MB by default).</summary>
    public long MaxBytes { get; init; } = 16L << 20;

    /// <summary>The most pixels (width × height) an image may declare (16.7 million, 4096², by default).</summary>
    public long MaxPixels { get; init; } = 4096L * 4096;

    /// <summary>The largest width or height an image may declare (16,384 by default).</summary>
    public int MaxSide { get; init; } = 16_384;

    /// <summary>The defaults.</summary>
    public static ImageDecodeLimits Default { get; } = new();
}

/// <summary>
/// Reads a picture of one handwritten digit (PNG, JPEG, BMP or GIF; any size; colour or grey; dark ink on light
/// paper or the reverse; transparency composited over white, as a drawing canvas exports it) and turns it into
/// MNIST's 784 grey levels with <see cref="MnistNormalization"/>, ready for a model trained on MNIST.
/// </summary>
public static class DigitImage
{
    /// <summary>
    /// Only the four formats <c>mnist predict</c> promises, and GIFs decode their first frame only, so a thousand-frame
    /// animation costs one frame.
    /// </summary>
    private static readonly Configuration Formats = CreateConfiguration();

    /// <summary>
    /// Loads the model saved at <paramref name="path"/> and checks that it classifies 28 × 28 digits, the rows this
    /// class makes: what <c>mnist predict</c> and the web page both need before the first picture.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read as a model, or the model takes another number of features.</exception>
    public static IClassifierModel LoadDigitModel(string path)
    {
        var model = ModelFile.Load<IClassifierModel>(path);
        int pixels = MnistNormalization.Side * MnistNormalization.Side;
        if (model.FeatureCount != pixels)
        {
            throw new InvalidDataException($"The model '{path}' takes {model.FeatureCount} features, not the {pixels} pixels of a 28x28 digit.");
        }

        return model;
    }

    /// <summary>The MNIST-style pixels (784 values, 0–255, light ink on dark) of the image file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is too large, not an image in a supported format, declares too
    /// many pixels, or is corrupt; the message says which.</exception>
    public static float[] LoadMnistPixels(string path, ImageDecodeLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= ImageDecodeLimits.Default;
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The image '{path}' does not exist.", path);
        }

        if (file.Length > limits.MaxBytes)
        {
            throw new InvalidDataException($"'{path}' is {file.Length:N0} bytes, more than the {limits.MaxBytes:N0} an image may have.");
        }

        return ToMnistPixels(File.ReadAllBytes(path), limits);
    }

    /// <summary>The MNIST-style pixels (784 values, 0–255, light ink on dark) of an encoded image.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="LoadMnistPixels"/>.</exception>
    public static float[] ToMnistPixels(ReadOnlySpan<byte> encoded, ImageDecodeLimits? limits = null)
    {
        var (grey, width, height) = DecodeGrey(encoded, limits);
        return MnistNormalization.Normalize(grey, width, height);
    }

    /// <summary>
    /// Decodes an image to grey levels (0 black – 255 white, row-major), transparent pixels composited over white,
    /// after checking <paramref name="limits"/> against its length and its header.
    /// </summary>
    /// <exception cref="InvalidDataException">As for <see cref="LoadMnistPixels"/>.</exception>
    public static (float[] Grey, int Width, int Height) DecodeGrey(ReadOnlySpan<byte> encoded, ImageDecodeLimits? limits = null)
    {
        limits ??= ImageDecodeLimits.Default;
        if (encoded.Length == 0)
        {
            throw new InvalidDataException("The image is empty (0 bytes).");
        }

        if (encoded.Length > limits.MaxBytes)
        {
            throw new InvalidDataException($"The image is {encoded.Length:N0} bytes, more than the {limits.MaxBytes:N0} allowed.");
        }

        CheckBmpPixelOffset(encoded);
        byte[] bytes = encoded.ToArray();
        try
        {
            // The header only: its declared size is checked before a pixel buffer exists.
            IImageInfo? info;
            using (var header = new MemoryStream(bytes, writable: false))
            {
                info = Image.Identify(Formats, header);
            }

            if (info is null)
            {
                throw new InvalidDataException("The data is not a PNG, JPEG, BMP or GIF image.");
            }

            if (info.Width < 1 || info.Height < 1 || info.Width > limits.MaxSide || info.Height > limits.MaxSide
                || (long)info.Width * info.Height > limits.MaxPixels)
            {
                throw new InvalidDataException(
                    $"The image declares {info.Width} × {info.Height} pixels; at most {limits.MaxPixels:N0} pixels and {limits.MaxSide} per side are allowed.");
            }

            using var image = Image.Load<Rgba32>(Formats, bytes);
            if (image.Width != info.Width || image.Height != info.Height)
            {
                throw new InvalidDataException($"The image decoded to {image.Width} × {image.Height}, not the {info.Width} × {info.Height} its header declares.");
            }

            var grey = new float[image.Width * image.Height];
            int width = image.Width;
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        // ITU-R BT.601 luma, then alpha over white paper.
                        var p = row[x];
                        float luma = (0.299f * p.R) + (0.587f * p.G) + (0.114f * p.B);
                        float alpha = p.A / 255f;
                        grey[(y * width) + x] = (alpha * luma) + ((1 - alpha) * 255f);
                    }
                }
            });
            return (grey, image.Width, image.Height);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            // ImageSharp's decoders report crafted input with more than their documented exceptions (the BMP header
            // check throws InvalidOperationException for a 1572865 × 0 image, found by fuzzing): whatever a decoder
            // throws on these bytes, the bytes are what is wrong.
            throw new InvalidDataException($"The image cannot be decoded: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses a BMP whose pixel data would start past the end of the file: ImageSharp 2.1 sizes the colour table from
    /// that offset, and a crafted one (2³¹ − 1, found by fuzzing) asked for an array larger than .NET allows.
    /// </summary>
    private static void CheckBmpPixelOffset(ReadOnlySpan<byte> encoded)
    {
        // BITMAPFILEHEADER: "BM", the file size, two reserved words, then bfOffBits at byte 10.
        if (encoded.Length >= 14 && encoded[0] == (byte)'B' && encoded[1] == (byte)'M')
        {
            uint pixelOffset = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(encoded[10..]);
            if (pixelOffset > (uint)encoded.Length)
            {
                throw new InvalidDataException($"The BMP's pixel data starts at byte {pixelOffset:N0}, past the end of its {encoded.Length:N0} bytes.");
            }
        }
    }

    private static Configuration CreateConfiguration()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(), new BmpConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
