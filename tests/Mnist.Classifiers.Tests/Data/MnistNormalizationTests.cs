using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.Tests.Data;

public class MnistNormalizationTests
{
    /// <summary>A <paramref name="width"/> × <paramref name="height"/> page of <paramref name="paper"/> with a filled rectangle of <paramref name="ink"/>.</summary>
    private static float[] Page(int width, int height, float paper, float ink, int left, int top, int rectWidth, int rectHeight)
    {
        var page = Enumerable.Repeat(paper, width * height).ToArray();
        for (int y = top; y < top + rectHeight; y++)
        {
            for (int x = left; x < left + rectWidth; x++)
            {
                page[(y * width) + x] = ink;
            }
        }

        return page;
    }

    [Fact]
    public void A_bar_is_scaled_to_fit_20_pixels_keeping_its_aspect_and_centred_by_mass()
    {
        // A 100 × 50 dark bar on white, off centre on a 300 × 200 page: it becomes 20 × 10 of full ink.
        var result = MnistNormalization.Normalize(Page(300, 200, 255, 0, 170, 20, 100, 50), 300, 200);

        int[] inkRows = Enumerable.Range(0, 28).Where(y => Enumerable.Range(0, 28).Any(x => result[(y * 28) + x] > 0)).ToArray();
        int[] inkColumns = Enumerable.Range(0, 28).Where(x => Enumerable.Range(0, 28).Any(y => result[(y * 28) + x] > 0)).ToArray();
        // Centres of mass 9.5 (columns) and 4.5 (rows) go to index 14: shifts of 4.5 and 9.5, rounded away from zero.
        inkColumns.Should().Equal(Enumerable.Range(5, 20), "20 columns, shifted by 5");
        inkRows.Should().Equal(Enumerable.Range(10, 10), "10 rows (100:50 kept), shifted by 10");
        result.Where(v => v > 0).Should().OnlyContain(v => v == 255, "the bar is full ink and its edges fall on pixel borders");
    }

    [Fact]
    public void Either_polarity_gives_the_same_digit()
    {
        var darkOnLight = Page(90, 120, 250, 10, 20, 30, 30, 70);
        var lightOnDark = darkOnLight.Select(v => 260 - v).ToArray();

        MnistNormalization.Normalize(darkOnLight, 90, 120).Should().Equal(MnistNormalization.Normalize(lightOnDark, 90, 120));
    }

    [Fact]
    public void Shrinking_averages_the_covered_area()
    {
        // A 40 × 40 checkerboard of 1-pixel squares becomes a uniform mid grey when shrunk 2×: area averaging.
        var board = new float[40 * 40];
        for (int i = 0; i < board.Length; i++)
        {
            board[i] = ((i / 40) + (i % 40)) % 2 == 0 ? 255 : 0;
        }

        var page = Page(60, 60, 0, 0, 0, 0, 0, 0);
        for (int y = 0; y < 40; y++)
        {
            for (int x = 0; x < 40; x++)
            {
                page[((y + 10) * 60) + x + 10] = board[(y * 40) + x];
            }
        }

        var result = MnistNormalization.Normalize(page, 60, 60);
        result.Where(v => v > 0).Should().HaveCount(400).And.OnlyContain(v => v == 128, "each output pixel averages two ink and two paper pixels");
    }

    [Fact]
    public void A_blank_page_has_no_ink()
    {
        MnistNormalization.Normalize(Enumerable.Repeat(200f, 50 * 40).ToArray(), 50, 40).Should().OnlyContain(v => v == 0);
        var faint = Page(50, 40, 200, 195, 10, 10, 5, 5);
        MnistNormalization.Normalize(faint, 50, 40).Should().OnlyContain(v => v == 0, "a smudge of 5 grey levels is not ink");
    }

    [MnistFact]
    public void Mnist_digits_come_back_as_they_were()
    {
        var test = IdxFile.ReadImages(Path.Combine(SharedMnist.Directory!, MnistFiles.TestImages + ".gz"));
        double difference = 0;
        int changedDigits = 0;
        const int count = 1000;
        for (int i = 0; i < count; i++)
        {
            var digit = test.Pixels.AsSpan(i * 784, 784).ToArray().Select(b => (float)b).ToArray();
            var again = MnistNormalization.Normalize(digit, 28, 28);
            double d = digit.Zip(again).Sum(p => Math.Abs(p.First - p.Second)) / 784;
            difference += d;
            changedDigits += d > 2 ? 1 : 0;
        }

        // Measured: 0.45 grey levels per pixel on average; 2.9% of the digits come back rescaled by a pixel (the ink
        // threshold leaves out their faintest edge) or moved by one.
        (difference / count).Should().BeLessThan(1, "MNIST's digits are already normalised this way");
        changedDigits.Should().BeLessThan(count / 20);
    }

    [Fact]
    public void A_size_that_does_not_match_the_pixels_is_refused()
    {
        new Action(() => MnistNormalization.Normalize(new float[10], 3, 3)).Should().Throw<ArgumentException>().WithMessage("*3 × 3*10*");
        new Action(() => MnistNormalization.Normalize([], 0, 0)).Should().Throw<ArgumentException>();
    }
}
