using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Classifiers.Data;

/// <summary>Which augmented copies of the training images to add.</summary>
[Flags]
public enum Augmentations
{
    /// <summary>No copies: the training split as it is.</summary>
    None = 0,

    /// <summary>Four copies shifted by one pixel: left, right, up and down.</summary>
    Shift = 1,

    /// <summary>Two copies rotated by −10° and +10° about the image centre.</summary>
    Rotate = 2,
}

/// <summary>
/// Data augmentation of 8-bit images by one-pixel shifts and small rotations (the expansion of the training set
/// suggested in Géron, <i>Hands-On Machine Learning</i>, ch. 3, exercise 2; Simard et al., "Best practices for
/// convolutional neural networks applied to visual document analysis", ICDAR 2003).
/// </summary>
public static class ImageAugmentation
{
    /// <summary>The rotation angles, in degrees, of <see cref="Augmentations.Rotate"/>.</summary>
    public static IReadOnlyList<double> RotationAngles { get; } = [-10.0, 10.0];

    /// <summary>The one-pixel shifts (dx, dy) of <see cref="Augmentations.Shift"/>: left, right, up, down.</summary>
    public static IReadOnlyList<(int Dx, int Dy)> Shifts { get; } = [(-1, 0), (1, 0), (0, -1), (0, 1)];

    /// <summary>The name recorded in dataset files: <c>none</c>, <c>shift</c>, <c>rotate</c> or <c>shift+rotate</c>.</summary>
    public static string Describe(Augmentations augmentations) => augmentations switch
    {
        Augmentations.None => "none",
        Augmentations.Shift => "shift",
        Augmentations.Rotate => "rotate",
        Augmentations.Shift | Augmentations.Rotate => "shift+rotate",
        _ => throw new ArgumentOutOfRangeException(nameof(augmentations), augmentations, "Unknown augmentation flags."),
    };

    /// <summary>How many rows the augmentation turns one row into (1, 5, 3 or 7).</summary>
    public static int Multiplier(Augmentations augmentations) =>
        1 + ((augmentations & Augmentations.Shift) != 0 ? Shifts.Count : 0)
          + ((augmentations & Augmentations.Rotate) != 0 ? RotationAngles.Count : 0);

    /// <summary>
    /// Returns the images followed by their augmented copies, block after block: the originals, then (with
    /// <see cref="Augmentations.Shift"/>) the left, right, up and down shifts, then (with
    /// <see cref="Augmentations.Rotate"/>) the −10° and +10° rotations of the originals. Labels follow their images.
    /// </summary>
    /// <param name="images">Square images (<c>Columns</c> must be a perfect square, 784 for MNIST).</param>
    /// <param name="augmentations">The copies to add.</param>
    /// <param name="budget">The threads to use (each image is transformed alone, so the result is the same for any count),
    /// and where each finished block of copies is reported (stage "image copies"); null for <see cref="ComputeBudget.Default"/>.</param>
    public static LabeledImages Augment(LabeledImages images, Augmentations augmentations, ComputeBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var side = (int)Math.Round(Math.Sqrt(images.Columns));
        if (side * side != images.Columns)
        {
            throw new ArgumentException($"Images of {images.Columns} pixels are not square.", nameof(images));
        }

        _ = Describe(augmentations);
        var multiplier = Multiplier(augmentations);
        if (multiplier == 1)
        {
            return images;
        }

        var rows = images.Rows;
        var columns = images.Columns;
        budget = ComputeBudget.OrDefault(budget);
        var parallel = budget.ParallelOptions;
        var pixels = new byte[checked((long)rows * columns * multiplier)];
        var labels = new byte[(long)rows * multiplier];
        var block = 0;
        CopyBlock(images.Pixels);
        if ((augmentations & Augmentations.Shift) != 0)
        {
            foreach (var (dx, dy) in Shifts)
            {
                var start = (long)block * rows * columns;
                Parallel.For(0, rows, parallel, i => Shift(
                    images.Pixels.AsSpan(i * columns, columns),
                    pixels.AsSpan(checked((int)(start + (long)i * columns)), columns), side, side, dx, dy));
                CopyLabels();
            }
        }

        if ((augmentations & Augmentations.Rotate) != 0)
        {
            foreach (var angle in RotationAngles)
            {
                var rotation = new BilinearRotation(side, side, angle);
                var start = (long)block * rows * columns;
                Parallel.For(0, rows, parallel, i => rotation.Apply(
                    images.Pixels.AsSpan(i * columns, columns),
                    pixels.AsSpan(checked((int)(start + (long)i * columns)), columns)));
                CopyLabels();
            }
        }

        return new LabeledImages(pixels, labels, columns);

        void CopyBlock(byte[] source)
        {
            source.CopyTo(pixels.AsSpan(0, source.Length));
            CopyLabels();
        }

        void CopyLabels()
        {
            images.Labels.CopyTo(labels.AsSpan(block * rows, rows));
            block++;
            budget.Report("image copies", block, multiplier);
        }
    }

    /// <summary>
    /// Moves the image <paramref name="dx"/> pixels right (negative: left) and <paramref name="dy"/> pixels down
    /// (negative: up); pixels that enter from outside are 0.
    /// </summary>
    /// <param name="image">The source image, row-major, <paramref name="width"/> × <paramref name="height"/>.</param>
    /// <param name="destination">Where the shifted image goes (same size; must not overlap the source).</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="dx">Horizontal shift, positive to the right.</param>
    /// <param name="dy">Vertical shift, positive downwards.</param>
    public static void Shift(ReadOnlySpan<byte> image, Span<byte> destination, int width, int height, int dx, int dy) =>
        ShiftPixels(image, destination, width, height, dx, dy);

    /// <summary>
    /// <see cref="Shift(ReadOnlySpan{byte}, Span{byte}, int, int, int, int)"/> for images of <see cref="float"/> pixels
    /// (a feature row), as virtual support vectors shift them.
    /// </summary>
    /// <param name="image">The source image, row-major, <paramref name="width"/> × <paramref name="height"/>.</param>
    /// <param name="destination">Where the shifted image goes (same size; must not overlap the source).</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="dx">Horizontal shift, positive to the right.</param>
    /// <param name="dy">Vertical shift, positive downwards.</param>
    public static void Shift(ReadOnlySpan<float> image, Span<float> destination, int width, int height, int dx, int dy) =>
        ShiftPixels(image, destination, width, height, dx, dy);

    private static void ShiftPixels<T>(ReadOnlySpan<T> image, Span<T> destination, int width, int height, int dx, int dy)
        where T : unmanaged
    {
        CheckSizes(image.Length, destination.Length, width, height);
        destination.Clear();
        var copyWidth = width - Math.Abs(dx);
        if (copyWidth <= 0 || Math.Abs(dy) >= height)
        {
            return;
        }

        var sourceColumn = Math.Max(0, -dx);
        var destinationColumn = Math.Max(0, dx);
        for (var row = Math.Max(0, dy); row < Math.Min(height, height + dy); row++)
        {
            image.Slice((row - dy) * width + sourceColumn, copyWidth)
                .CopyTo(destination.Slice(row * width + destinationColumn, copyWidth));
        }
    }

    /// <summary>
    /// Rotates the image by <paramref name="degrees"/> counter-clockwise (as displayed, row 0 at the top) about its
    /// centre, with bilinear interpolation; the size is kept and whatever comes from outside the image is 0.
    /// The result equals <c>scipy.ndimage.rotate(image, degrees, reshape=False, order=1, mode='grid-constant')</c>.
    /// </summary>
    /// <param name="image">The source image, row-major.</param>
    /// <param name="destination">Where the rotated image goes (same size; must not overlap the source).</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="degrees">The angle, positive counter-clockwise.</param>
    public static void Rotate(ReadOnlySpan<byte> image, Span<byte> destination, int width, int height, double degrees)
    {
        CheckSizes(image.Length, destination.Length, width, height);
        new BilinearRotation(width, height, degrees).Apply(image, destination);
    }

    /// <summary>
    /// <see cref="Rotate(ReadOnlySpan{byte}, Span{byte}, int, int, double)"/> for images of <see cref="float"/> pixels,
    /// without the rounding to bytes: <c>scipy.ndimage.rotate(image, degrees, reshape=False, order=1, mode='grid-constant')</c>
    /// in single precision.
    /// </summary>
    /// <param name="image">The source image, row-major.</param>
    /// <param name="destination">Where the rotated image goes (same size; must not overlap the source).</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="degrees">The angle, positive counter-clockwise.</param>
    public static void Rotate(ReadOnlySpan<float> image, Span<float> destination, int width, int height, double degrees)
    {
        CheckSizes(image.Length, destination.Length, width, height);
        new BilinearRotation(width, height, degrees).Apply(image, destination);
    }

    private static void CheckSizes(int imageLength, int destinationLength, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (imageLength != width * height || destinationLength != width * height)
        {
            throw new ArgumentException(
                $"The image ({imageLength} pixels) and destination ({destinationLength}) must both be {width}×{height}.");
        }
    }
}

/// <summary>
/// A rotation about the image centre, precomputed as a table: every output pixel is the weighted sum of (at most)
/// four source pixels, so rotating one image costs four multiply-adds a pixel and no trigonometry. With AVX2 the
/// four source pixels of four outputs at a time are fetched by gather instructions; the arithmetic is done in the
/// same order as the scalar loop, so both give identical bytes.
/// </summary>
internal sealed class BilinearRotation
{
    private readonly int _pixels;

    // Four planes (tap 0 of every output pixel, then tap 1, ...) so that SIMD loads are contiguous.
    // Taps that fall outside the image have weight 0 and index 0.
    private readonly int[] _taps;
    private readonly double[] _weights;

    public BilinearRotation(int width, int height, double degrees)
    {
        _pixels = width * height;
        _taps = new int[4 * _pixels];
        _weights = new double[4 * _pixels];
        var radians = degrees * Math.PI / 180.0;
        var (sin, cos) = Math.SinCos(radians);
        var centreX = (width - 1) / 2.0;
        var centreY = (height - 1) / 2.0;
        for (var row = 0; row < height; row++)
        {
            for (var column = 0; column < width; column++)
            {
                // Inverse mapping: the output pixel looks up the source point rotated by −θ (y grows downwards).
                var x = column - centreX;
                var y = row - centreY;
                var sourceX = centreX + x * cos - y * sin;
                var sourceY = centreY + x * sin + y * cos;
                var x0 = (int)Math.Floor(sourceX);
                var y0 = (int)Math.Floor(sourceY);
                var fx = sourceX - x0;
                var fy = sourceY - y0;
                var output = row * width + column;
                Tap(0, output, x0, y0, (1 - fx) * (1 - fy));
                Tap(1, output, x0 + 1, y0, fx * (1 - fy));
                Tap(2, output, x0, y0 + 1, (1 - fx) * fy);
                Tap(3, output, x0 + 1, y0 + 1, fx * fy);
            }
        }

        void Tap(int plane, int output, int x, int y, double weight)
        {
            if (x >= 0 && x < width && y >= 0 && y < height)
            {
                _taps[plane * _pixels + output] = y * width + x;
                _weights[plane * _pixels + output] = weight;
            }
        }
    }

    /// <summary>Rotates one image into <paramref name="destination"/> (rounded half up to bytes).</summary>
    public void Apply(ReadOnlySpan<byte> image, Span<byte> destination)
    {
        if (image.Length != _pixels || destination.Length != _pixels)
        {
            throw new ArgumentException($"Both images must have {_pixels} pixels.");
        }

        var done = Avx2.IsSupported ? ApplyAvx2(image, destination) : 0;
        ApplyScalar(image, destination, done);
    }

    /// <summary>Rotates one image of <see cref="float"/> pixels into <paramref name="destination"/>, unrounded.</summary>
    public void Apply(ReadOnlySpan<float> image, Span<float> destination)
    {
        if (image.Length != _pixels || destination.Length != _pixels)
        {
            throw new ArgumentException($"Both images must have {_pixels} pixels.");
        }

        var n = _pixels;
        for (var p = 0; p < n; p++)
        {
            var value = _weights[p] * image[_taps[p]] + _weights[n + p] * image[_taps[n + p]]
                      + _weights[2 * n + p] * image[_taps[2 * n + p]] + _weights[3 * n + p] * image[_taps[3 * n + p]];
            destination[p] = (float)value;
        }
    }

    /// <summary>The reference loop, from output pixel <paramref name="start"/> on.</summary>
    internal void ApplyScalar(ReadOnlySpan<byte> image, Span<byte> destination, int start)
    {
        var n = _pixels;
        var taps = _taps.AsSpan();
        var weights = _weights.AsSpan();
        for (var p = start; p < n; p++)
        {
            var value = weights[p] * image[taps[p]] + weights[n + p] * image[taps[n + p]]
                      + weights[2 * n + p] * image[taps[2 * n + p]] + weights[3 * n + p] * image[taps[3 * n + p]];
            destination[p] = (byte)Math.Min(255.0, value + 0.5);
        }
    }

    /// <summary>Sixteen output pixels per step; returns how many pixels it wrote (a multiple of 16).</summary>
    private unsafe int ApplyAvx2(ReadOnlySpan<byte> image, Span<byte> destination)
    {
        var n = _pixels;
        var blocks = n / 16 * 16;
        if (blocks == 0)
        {
            return 0;
        }

        // Gathers need 32- or 64-bit elements: widen the image to doubles once (6 KB for 28×28).
        var widened = n <= 4096 ? stackalloc double[n] : new double[n];
        for (var p = 0; p < n; p++)
        {
            widened[p] = image[p];
        }

        var half = Vector256.Create(0.5);
        var max = Vector256.Create(255.0);
        fixed (double* source = widened)
        fixed (int* taps = _taps)
        fixed (double* weights = _weights)
        fixed (byte* output = destination)
        {
            var quarters = stackalloc Vector128<int>[4];
            for (var p = 0; p < blocks; p += 16)
            {
                for (var q = 0; q < 4; q++)
                {
                    var o = p + 4 * q;
                    var sum = Term(source, taps + 0 * n + o, weights + 0 * n + o);
                    sum = Avx.Add(sum, Term(source, taps + 1 * n + o, weights + 1 * n + o));
                    sum = Avx.Add(sum, Term(source, taps + 2 * n + o, weights + 2 * n + o));
                    sum = Avx.Add(sum, Term(source, taps + 3 * n + o, weights + 3 * n + o));
                    sum = Avx.Min(max, Avx.Add(sum, half));
                    quarters[q] = Avx.ConvertToVector128Int32WithTruncation(sum);
                }

                var low = Vector128.Narrow(quarters[0].AsUInt32(), quarters[1].AsUInt32());
                var high = Vector128.Narrow(quarters[2].AsUInt32(), quarters[3].AsUInt32());
                Vector128.Narrow(low, high).Store(output + p);
            }
        }

        return blocks;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        static Vector256<double> Term(double* source, int* tap, double* weight) =>
            Avx.Multiply(Vector256.Load(weight), Avx2.GatherVector256(source, Vector128.Load(tap), 8));
    }
}
