using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Mnist.Classifiers.Tests.Images;

/// <summary>How a digit is redrawn: its size, stroke, place on the page, colours and file format.</summary>
/// <param name="Scale">The enlargement of the 28 × 28 digit (bicubic).</param>
/// <param name="Stroke">Positive: the ink is dilated by that many pixels (thick); negative: eroded (thin); 0: as is.</param>
/// <param name="PageFactor">The page's side over the digit's side (≥ 1: room to be off centre).</param>
/// <param name="DarkOnLight">Dark ink on white paper (the reverse of MNIST) instead of light on black.</param>
/// <param name="Jpeg">JPEG (quality 85) instead of PNG.</param>
internal sealed record DrawStyle(int Scale, int Stroke, double PageFactor, bool DarkOnLight, bool Jpeg);

/// <summary>
/// Makes pictures of MNIST digits as a person might hand them to <c>mnist predict</c>: drawn large, thick or thin,
/// off centre on a bigger page, dark on light, as PNG or JPEG.
/// </summary>
internal static class DrawnDigits
{
    /// <summary>A random style: scale 3–12, stroke −1..3, page 1.2–3× the digit, either polarity and format.</summary>
    public static DrawStyle RandomStyle(Random random)
    {
        int scale = random.Next(3, 13);
        int stroke = random.Next(-1, 4) * scale / 6;
        return new DrawStyle(scale, stroke, 1.2 + (1.8 * random.NextDouble()), random.Next(2) == 0, random.Next(2) == 0);
    }

    /// <summary>The encoded picture of the 28 × 28 digit <paramref name="pixels"/> (0 background – 255 ink) in <paramref name="style"/>.</summary>
    public static byte[] Draw(ReadOnlySpan<byte> pixels, DrawStyle style, Random random)
    {
        using var digit = new Image<L8>(28, 28);
        for (int y = 0; y < 28; y++)
        {
            for (int x = 0; x < 28; x++)
            {
                digit[x, y] = new L8(pixels[(y * 28) + x]);
            }
        }

        int side = 28 * style.Scale;
        digit.Mutate(d => d.Resize(side, side, KnownResamplers.Bicubic));
        var ink = new float[side * side];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                ink[(y * side) + x] = digit[x, y].PackedValue;
            }
        }

        ink = Morph(ink, side, Math.Abs(style.Stroke), dilate: style.Stroke > 0);
        int page = (int)(side * style.PageFactor);
        int left = random.Next(page - side + 1), top = random.Next(page - side + 1);
        using var picture = new Image<Rgb24>(page, page, style.DarkOnLight ? new Rgb24(255, 255, 255) : new Rgb24(0, 0, 0));
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                byte level = (byte)Math.Clamp(ink[(y * side) + x], 0, 255);
                if (style.DarkOnLight)
                {
                    level = (byte)(255 - level);
                }

                picture[left + x, top + y] = new Rgb24(level, level, level);
            }
        }

        using var encoded = new MemoryStream();
        if (style.Jpeg)
        {
            picture.Save(encoded, new JpegEncoder { Quality = 85 });
        }
        else
        {
            picture.Save(encoded, new PngEncoder());
        }

        return encoded.ToArray();
    }

    /// <summary>Grey-level dilation (max) or erosion (min) over a disc of <paramref name="radius"/> pixels.</summary>
    private static float[] Morph(float[] image, int side, int radius, bool dilate)
    {
        if (radius == 0)
        {
            return image;
        }

        var result = new float[image.Length];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                float best = dilate ? 0 : 255;
                for (int dy = -radius; dy <= radius; dy++)
                {
                    for (int dx = -radius; dx <= radius; dx++)
                    {
                        int sx = x + dx, sy = y + dy;
                        if ((dx * dx) + (dy * dy) > radius * radius)
                        {
                            continue;
                        }

                        float v = sx < 0 || sy < 0 || sx >= side || sy >= side ? 0 : image[(sy * side) + sx];
                        best = dilate ? Math.Max(best, v) : Math.Min(best, v);
                    }
                }

                result[(y * side) + x] = best;
            }
        }

        return result;
    }
}
