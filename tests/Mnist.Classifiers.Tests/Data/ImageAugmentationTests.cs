using System.Globalization;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class ImageAugmentationTests
{
    // 3×3 image, row-major:
    // 1 2 3
    // 4 5 6
    // 7 8 9
    private static readonly byte[] Nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    private static byte[] Shifted(int dx, int dy)
    {
        var result = new byte[9];
        ImageAugmentation.Shift(Nine, result, 3, 3, dx, dy);
        return result;
    }

    [Fact]
    public void Shifts_move_the_content_one_pixel_and_fill_with_zeros()
    {
        Shifted(-1, 0).Should().Equal(2, 3, 0, 5, 6, 0, 8, 9, 0); // left
        Shifted(1, 0).Should().Equal(0, 1, 2, 0, 4, 5, 0, 7, 8);  // right
        Shifted(0, -1).Should().Equal(4, 5, 6, 7, 8, 9, 0, 0, 0); // up
        Shifted(0, 1).Should().Equal(0, 0, 0, 1, 2, 3, 4, 5, 6);  // down
        Shifted(1, 1).Should().Equal(0, 0, 0, 0, 1, 2, 0, 4, 5);
        Shifted(3, 0).Should().OnlyContain(b => b == 0);
        Shifted(0, 0).Should().Equal(Nine);
    }

    [Fact]
    public void A_quarter_turn_moves_pixels_exactly_counter_clockwise()
    {
        var rotated = new byte[9];
        ImageAugmentation.Rotate(Nine, rotated, 3, 3, 90);
        rotated.Should().Equal(3, 6, 9, 2, 5, 8, 1, 4, 7);

        // Even sizes: the centre lies between pixels, and a quarter turn still maps the grid onto itself.
        var image = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var quarter = new byte[16];
        ImageAugmentation.Rotate(image, quarter, 4, 4, 90);
        var expected = new byte[16];
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                expected[(3 - c) * 4 + r] = image[r * 4 + c]; // (r, c) goes to (3 − c, r)
            }
        }

        quarter.Should().Equal(expected);
    }

    [Fact]
    public void Rotations_compose_and_full_turns_change_nothing()
    {
        var image = Synthetic.Images(1, 4).Pixels;
        var once = new byte[784];
        var twice = new byte[784];
        var half = new byte[784];
        ImageAugmentation.Rotate(image, once, 28, 28, 90);
        ImageAugmentation.Rotate(once, twice, 28, 28, 90);
        ImageAugmentation.Rotate(image, half, 28, 28, 180);
        twice.Should().Equal(half);
        half.Should().Equal(image.Reverse()); // a half turn about the centre reverses the row-major order

        var full = new byte[784];
        ImageAugmentation.Rotate(image, full, 28, 28, 360);
        full.Should().Equal(image);
        ImageAugmentation.Rotate(image, full, 28, 28, 0);
        full.Should().Equal(image);
    }

    [Fact]
    public void A_single_bright_pixel_spreads_by_the_bilinear_weights()
    {
        // Output (r, c) of a θ rotation samples the source at x = cx + (c − cx)cosθ − (r − cy)sinθ,
        // y = cy + (c − cx)sinθ + (r − cy)cosθ. With a single 255 pixel at (row 2, column 3) every output pixel is
        // 255 times the bilinear (tent) weight of that source pixel at the sampled point.
        const double degrees = 10;
        var image = new byte[25];
        image[2 * 5 + 3] = 255; // row 2, column 3 (centre is (2, 2))
        var rotated = new byte[25];
        ImageAugmentation.Rotate(image, rotated, 5, 5, degrees);

        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        for (var r = 0; r < 5; r++)
        {
            for (var c = 0; c < 5; c++)
            {
                var x = 2 + (c - 2) * cos - (r - 2) * sin;
                var y = 2 + (c - 2) * sin + (r - 2) * cos;
                var weight = Math.Max(0, 1 - Math.Abs(x - 3)) * Math.Max(0, 1 - Math.Abs(y - 2));
                rotated[r * 5 + c].Should().Be((byte)Math.Floor(255 * weight + 0.5), $"pixel ({r}, {c})");
            }
        }

        rotated.Count(b => b > 0).Should().BeGreaterThan(1, "a 10° turn spreads the pixel over its neighbours");
    }

    [PythonFact("numpy", "scipy.ndimage")]
    public void Rotations_match_scipy_ndimage_rotate_bilinear()
    {
        var images = Synthetic.Images(3, 11);
        using var dir = new TempDirectory();
        var input = dir.File("in.bin");
        File.WriteAllBytes(input, images.Pixels);
        var output = PythonReference.Run("""
            import sys, numpy as np
            from scipy import ndimage
            images = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(-1, 28, 28)
            for angle in (-10.0, 10.0, 33.0):
                for image in images:
                    r = ndimage.rotate(image.astype(np.float64), angle, reshape=False, order=1, mode='grid-constant', cval=0.0)
                    print(' '.join(repr(float(v)) for v in r.ravel()))
            """, input).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var line = 0;
        foreach (var angle in new[] { -10.0, 10.0, 33.0 })
        {
            for (var i = 0; i < images.Rows; i++)
            {
                var reference = output[line++].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                var rotated = new byte[784];
                ImageAugmentation.Rotate(images.Pixels.AsSpan(i * 784, 784), rotated, 28, 28, angle);
                for (var p = 0; p < 784; p++)
                {
                    // Same rounding as ours (half up); a value within 1e-9 of a half could round either way.
                    var expected = Math.Floor(Math.Clamp(reference[p], 0, 255) + 0.5);
                    var nearHalf = Math.Abs(reference[p] - Math.Floor(reference[p]) - 0.5) < 1e-9;
                    if (!nearHalf)
                    {
                        ((double)rotated[p]).Should().Be(expected, $"pixel {p} of image {i} at {angle}°");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(28, -10.0)]
    [InlineData(28, 10.0)]
    [InlineData(5, 37.0)]
    [InlineData(7, -123.0)]
    public void The_vectorised_rotation_gives_the_same_bytes_as_the_scalar_loop(int side, double degrees)
    {
        var images = Synthetic.Images(20, 3, side);
        var rotation = new BilinearRotation(side, side, degrees);
        var fast = new byte[side * side];
        var reference = new byte[side * side];
        for (var i = 0; i < images.Rows; i++)
        {
            var image = images.Pixels.AsSpan(i * side * side, side * side);
            rotation.Apply(image, fast);
            rotation.ApplyScalar(image, reference, 0);
            fast.Should().Equal(reference, $"image {i}");
        }
    }

    [Fact]
    public void Augment_stacks_originals_shifts_and_rotations_of_the_originals()
    {
        var images = Synthetic.Images(2, 5);
        var all = ImageAugmentation.Augment(images, Augmentations.Shift | Augmentations.Rotate);
        all.Rows.Should().Be(14);
        all.Labels.Should().Equal(Enumerable.Repeat(images.Labels, 7).SelectMany(l => l));

        byte[] Row(int block, int i) => all.Pixels.AsSpan((block * 2 + i) * 784, 784).ToArray();
        var expected = new byte[784];
        for (var i = 0; i < 2; i++)
        {
            var original = images.Pixels.AsSpan(i * 784, 784);
            Row(0, i).Should().Equal(original.ToArray());
            var shifts = new[] { (-1, 0), (1, 0), (0, -1), (0, 1) };
            for (var s = 0; s < 4; s++)
            {
                ImageAugmentation.Shift(original, expected, 28, 28, shifts[s].Item1, shifts[s].Item2);
                Row(1 + s, i).Should().Equal(expected);
            }

            ImageAugmentation.Rotate(original, expected, 28, 28, -10);
            Row(5, i).Should().Equal(expected);
            ImageAugmentation.Rotate(original, expected, 28, 28, 10);
            Row(6, i).Should().Equal(expected);
        }

        ImageAugmentation.Augment(images, Augmentations.Shift).Rows.Should().Be(10);
        var rotatedOnly = ImageAugmentation.Augment(images, Augmentations.Rotate);
        rotatedOnly.Rows.Should().Be(6);
        rotatedOnly.Pixels.AsSpan(2 * 784, 784).ToArray().Should().Equal(all.Pixels.AsSpan(10 * 784, 784).ToArray());
        ImageAugmentation.Augment(images, Augmentations.None).Should().BeSameAs(images);
    }

    [Fact]
    public void Names_are_the_ones_recorded_in_files()
    {
        ImageAugmentation.Describe(Augmentations.None).Should().Be("none");
        ImageAugmentation.Describe(Augmentations.Shift).Should().Be("shift");
        ImageAugmentation.Describe(Augmentations.Rotate).Should().Be("rotate");
        ImageAugmentation.Describe(Augmentations.Shift | Augmentations.Rotate).Should().Be("shift+rotate");
    }
}
