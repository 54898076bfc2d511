using Mnist.Classifiers.IO;
using Mnist.Classifiers.Metrics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Mnist.Cli;

/// <summary>
/// The pictures <c>mnist train --plot DIR</c> writes, as PNG: the confusion matrix as a labelled heatmap, a grid of
/// misclassified test digits with their true and predicted labels, and a forest's feature importances as a 28 × 28
/// heatmap. Labels are drawn with a built-in 3 × 5 pixel font of the digits, so no font file is needed.
/// </summary>
internal static class Plots
{
    // 3 × 5 glyphs of 0-9, one row of three bits per line, top to bottom.
    private static readonly int[][] Glyphs =
    [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 2, 2], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
    ];

    private static readonly Rgb24 Ink = new(20, 20, 20);
    private static readonly Rgb24 Paper = new(255, 255, 255);

    /// <summary>The confusion matrix: rows are true labels, columns predictions, darker = more rows; counts written in each cell.</summary>
    public static void ConfusionMatrix(ConfusionMatrix matrix, string path)
    {
        int k = matrix.Labels.Count, cell = 40, margin = 30;
        using var image = new Image<Rgb24>(margin + (k * cell) + 4, margin + (k * cell) + 4, Paper);
        int max = 1;
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                max = Math.Max(max, matrix[t, p]);
            }
        }

        for (int t = 0; t < k; t++)
        {
            Text(image, matrix.Labels[t].ToString(System.Globalization.CultureInfo.InvariantCulture), 8, margin + (t * cell) + 14, 2, Ink);
            Text(image, matrix.Labels[t].ToString(System.Globalization.CultureInfo.InvariantCulture), margin + (t * cell) + 16, 8, 2, Ink);
            for (int p = 0; p < k; p++)
            {
                // A square-root scale, so that the off-diagonal mistakes show beside the large diagonal.
                double level = Math.Sqrt(matrix[t, p] / (double)max);
                var colour = Heat(level, diagonal: t == p);
                Fill(image, margin + (p * cell), margin + (t * cell), cell - 1, cell - 1, colour);
                string count = matrix[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture);
                Text(image, count, margin + (p * cell) + ((cell - (count.Length * 4)) / 2), margin + (t * cell) + 17, 1, level > 0.55 ? Paper : Ink);
            }
        }

        Save(image, path);
    }

    /// <summary>Up to <paramref name="limit"/> misclassified digits, each with its true label (left) and prediction (right, red).</summary>
    public static int Misclassified(ReadOnlySpan<byte> pixels, int columns, ReadOnlySpan<int> truth, ReadOnlySpan<int> predicted, string path, int limit = 100)
    {
        var wrong = new List<int>();
        for (int i = 0; i < truth.Length && wrong.Count < limit; i++)
        {
            if (truth[i] != predicted[i])
            {
                wrong.Add(i);
            }
        }

        int side = (int)Math.Round(Math.Sqrt(columns)), scale = 2, tile = (side * scale) + 18, perRow = 10;
        int rows = Math.Max(1, (wrong.Count + perRow - 1) / perRow);
        using var image = new Image<Rgb24>(perRow * tile, rows * tile, Paper);
        for (int n = 0; n < wrong.Count; n++)
        {
            int i = wrong[n], left = (n % perRow) * tile, top = (n / perRow) * tile;
            for (int y = 0; y < side * scale; y++)
            {
                for (int x = 0; x < side * scale; x++)
                {
                    byte v = (byte)(255 - pixels[(i * columns) + ((y / scale) * side) + (x / scale)]);
                    image[left + 2 + x, top + 2 + y] = new Rgb24(v, v, v);
                }
            }

            Text(image, truth[i].ToString(System.Globalization.CultureInfo.InvariantCulture), left + 4, top + (side * scale) + 4, 2, Ink);
            Text(image, predicted[i].ToString(System.Globalization.CultureInfo.InvariantCulture), left + (side * scale) - 6, top + (side * scale) + 4, 2, new Rgb24(200, 30, 30));
        }

        Save(image, path);
        return wrong.Count;
    }

    /// <summary>Per-pixel importances as a square heatmap, 10 screen pixels per image pixel.</summary>
    public static void Importances(IReadOnlyList<double> importances, string path)
    {
        int side = (int)Math.Round(Math.Sqrt(importances.Count)), scale = 10;
        double max = Math.Max(importances.Max(), double.Epsilon);
        using var image = new Image<Rgb24>(side * scale, side * scale, Paper);
        for (int p = 0; p < side * side; p++)
        {
            Fill(image, (p % side) * scale, (p / side) * scale, scale, scale, Heat(importances[p] / max, diagonal: false));
        }

        Save(image, path);
    }

    private static Rgb24 Heat(double level, bool diagonal)
    {
        level = Math.Clamp(level, 0, 1);
        byte fade(int full) => (byte)(255 - (level * (255 - full)));
        return diagonal ? new Rgb24(fade(30), fade(110), fade(60)) : new Rgb24(fade(40), fade(70), fade(170));
    }

    private static void Fill(Image<Rgb24> image, int left, int top, int width, int height, Rgb24 colour)
    {
        for (int y = top; y < Math.Min(image.Height, top + height); y++)
        {
            for (int x = left; x < Math.Min(image.Width, left + width); x++)
            {
                image[x, y] = colour;
            }
        }
    }

    private static void Text(Image<Rgb24> image, string digits, int left, int top, int scale, Rgb24 colour)
    {
        foreach (char c in digits)
        {
            if (c is >= '0' and <= '9')
            {
                var glyph = Glyphs[c - '0'];
                for (int row = 0; row < 5; row++)
                {
                    for (int bit = 0; bit < 3; bit++)
                    {
                        if ((glyph[row] & (4 >> bit)) != 0)
                        {
                            Fill(image, left + (bit * scale), top + (row * scale), scale, scale, colour);
                        }
                    }
                }
            }

            left += 4 * scale;
        }
    }

    /// <summary>Writes the PNG through a temporary file and a rename, so a crash never leaves half a picture.</summary>
    private static void Save(Image image, string path) => AtomicFile.WriteStream(path, stream => image.SaveAsPng(stream), createDirectory: true);
}
