using BenchmarkDotNet.Attributes;
using Mnist.Classifiers.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace Mnist.Classifiers.Benchmarks.Data;

/// <summary>
/// Rotating 28×28 images by 10° with bilinear interpolation: the library's table-driven rotation against
/// ImageSharp's Rotate (triangle resampler, then a crop back to 28×28). Decides which one the augmentation uses.
/// </summary>
[MemoryDiagnoser]
public class RotationBenchmarks
{
    private const int Images = 1000;
    private byte[] _pixels = [];
    private byte[] _output = [];
    private BilinearRotation _rotation = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _pixels = new byte[Images * 784];
        random.NextBytes(_pixels);
        _output = new byte[Images * 784];
        _rotation = new BilinearRotation(28, 28, 10);
    }

    [Benchmark(Baseline = true, Description = "own table-driven bilinear, 1000 images")]
    public void Own()
    {
        for (var i = 0; i < Images; i++)
        {
            _rotation.Apply(_pixels.AsSpan(i * 784, 784), _output.AsSpan(i * 784, 784));
        }
    }

    [Benchmark(Description = "own, table rebuilt per image (public Rotate), 1000 images")]
    public void OwnPerImage()
    {
        for (var i = 0; i < Images; i++)
        {
            ImageAugmentation.Rotate(_pixels.AsSpan(i * 784, 784), _output.AsSpan(i * 784, 784), 28, 28, 10);
        }
    }

    [Benchmark(Description = "ImageSharp Rotate(Triangle) + crop, 1000 images")]
    public void ImageSharp()
    {
        for (var i = 0; i < Images; i++)
        {
            using var image = Image.LoadPixelData<L8>(_pixels.AsSpan(i * 784, 784), 28, 28);
            image.Mutate(x =>
            {
                x.Rotate(10, KnownResamplers.Triangle);
                var size = x.GetCurrentSize();
                x.Crop(new Rectangle((size.Width - 28) / 2, (size.Height - 28) / 2, 28, 28));
            });
            image.CopyPixelDataTo(_output.AsSpan(i * 784, 784));
        }
    }
}

/// <summary>The whole augmentation of MNIST's 50,000-image train split (shift + rotate: 350,000 rows).</summary>
[MemoryDiagnoser]
public class AugmentationBenchmarks
{
    private LabeledImages _train = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        var pixels = new byte[50_000 * 784];
        random.NextBytes(pixels);
        _train = new LabeledImages(pixels, new byte[50_000], 784);
    }

    [Benchmark(Description = "Augment 50,000 images, shift + rotate")]
    public LabeledImages ShiftAndRotate() => ImageAugmentation.Augment(_train, Augmentations.Shift | Augmentations.Rotate);
}
