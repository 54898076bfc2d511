using System.Buffers.Binary;
using System.Text;
using Mnist.Classifiers.Data;
using Mnist.Classifiers.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Mnist.Classifiers.Tests.Images;

public class DigitImageTests
{
    /// <summary>A 60 × 80 white page with a black "1": a vertical bar.</summary>
    private static Image<Rgba32> One()
    {
        var image = new Image<Rgba32>(60, 80, new Rgba32(255, 255, 255));
        for (int y = 10; y < 70; y++)
        {
            for (int x = 25; x < 33; x++)
            {
                image[x, y] = new Rgba32(0, 0, 0);
            }
        }

        return image;
    }

    private static byte[] Encode(Image image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    [Fact]
    public void Png_bmp_and_gif_give_exactly_the_normalisation_of_their_grey_levels_and_jpeg_nearly()
    {
        using var one = One();
        var grey = new float[60 * 80];
        for (int y = 0; y < 80; y++)
        {
            for (int x = 0; x < 60; x++)
            {
                grey[(y * 60) + x] = one[x, y].R;
            }
        }

        var expected = MnistNormalization.Normalize(grey, 60, 80);
        expected.Count(v => v > 0).Should().BeGreaterThan(20, "the bar is there");
        foreach (var encoder in new SixLabors.ImageSharp.Formats.IImageEncoder[] { new PngEncoder(), new BmpEncoder(), new GifEncoder() })
        {
            DigitImage.ToMnistPixels(Encode(one, encoder)).Should().Equal(expected, encoder.GetType().Name);
        }

        var jpeg = DigitImage.ToMnistPixels(Encode(one, new JpegEncoder { Quality = 90 }));
        jpeg.Zip(expected).Max(p => Math.Abs(p.First - p.Second)).Should().BeLessThan(40, "JPEG is lossy but the digit is the same");
    }

    [Fact]
    public void Transparent_paper_counts_as_white_as_a_canvas_exports_it()
    {
        using var canvas = new Image<Rgba32>(60, 80, new Rgba32(0, 0, 0, 0)); // transparent black, as toDataURL gives
        using var one = One();
        for (int y = 10; y < 70; y++)
        {
            for (int x = 25; x < 33; x++)
            {
                canvas[x, y] = new Rgba32(0, 0, 0, 255);
            }
        }

        DigitImage.ToMnistPixels(Encode(canvas, new PngEncoder())).Should().Equal(DigitImage.ToMnistPixels(Encode(one, new PngEncoder())));
    }

    [Fact]
    public void Only_the_first_frame_of_an_animated_gif_is_decoded()
    {
        using var animation = One();
        using var blank = new Image<Rgba32>(60, 80, new Rgba32(255, 255, 255));
        for (int i = 0; i < 50; i++)
        {
            animation.Frames.AddFrame(blank.Frames.RootFrame);
        }

        using var single = One();
        DigitImage.ToMnistPixels(Encode(animation, new GifEncoder())).Should().Equal(DigitImage.ToMnistPixels(Encode(single, new GifEncoder())));
    }

    [Fact]
    public void Bad_images_get_clear_errors_before_any_pixel_buffer()
    {
        new Action(() => DigitImage.ToMnistPixels([])).Should().Throw<InvalidDataException>().WithMessage("*empty*");
        new Action(() => DigitImage.ToMnistPixels(Encoding.ASCII.GetBytes("this is not an image at all")))
            .Should().Throw<InvalidDataException>().WithMessage("*not a PNG, JPEG, BMP or GIF*");

        using var one = One();
        byte[] png = Encode(one, new PngEncoder());
        new Action(() => DigitImage.ToMnistPixels(png.AsSpan(0, png.Length / 2))).Should().Throw<InvalidDataException>();
        new Action(() => DigitImage.ToMnistPixels(png, new ImageDecodeLimits { MaxBytes = 100 }))
            .Should().Throw<InvalidDataException>().WithMessage($"*{png.Length:N0} bytes*100*");
        new Action(() => DigitImage.ToMnistPixels(png, new ImageDecodeLimits { MaxPixels = 1000 }))
            .Should().Throw<InvalidDataException>().WithMessage("*60 × 80*1,000 pixels*");
    }

    [Fact]
    public void A_png_that_claims_a_gigapixel_is_refused_from_its_header()
    {
        // A decompression bomb in miniature: a valid header declaring 60,000 × 60,000 pixels and a few bytes of data.
        byte[] bomb = PngWithHeader(60_000, 60_000);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var act = () => DigitImage.ToMnistPixels(bomb);

        act.Should().Throw<InvalidDataException>().WithMessage("*declares 60000 × 60000 pixels*");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(16L << 20, "nothing of the declared size was allocated");
    }

    [Fact]
    public void A_missing_or_oversized_file_is_named()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.png");
        new Action(() => DigitImage.LoadMnistPixels(missing)).Should().Throw<FileNotFoundException>().WithMessage($"*{missing}*");

        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[2000]);
            new Action(() => DigitImage.LoadMnistPixels(path, new ImageDecodeLimits { MaxBytes = 1000 }))
                .Should().Throw<InvalidDataException>().WithMessage($"*'{path}' is 2,000 bytes*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] PngWithHeader(int width, int height)
    {
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // grey
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
