using System.Globalization;

namespace Mnist.Classifiers.Data;

/// <summary>
/// Reads the ARFF files OpenML serves for image data sets such as <c>mnist_784</c>: numeric pixel attributes and
/// one nominal class attribute (named <c>class</c>, or else the last attribute), rows dense or sparse
/// (<c>{index value, ...}</c>). Pixels must be whole numbers 0–255 and classes whole numbers 0–255 (or a
/// nominal value whose position in the declared list is used).
/// </summary>
/// <remarks>Format: Weka's Attribute-Relation File Format, https://waikato.github.io/weka-wiki/formats_and_processing/arff_stable/ .</remarks>
internal static class ArffReader
{
    /// <summary>Reads all rows of <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    public static LabeledImages Read(Stream stream, string name)
    {
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        var attributes = new List<string>();
        string[]? classValues = null;
        var classIndex = -1;
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty || text[0] == '%')
            {
                continue;
            }

            if (text.StartsWith("@attribute", StringComparison.OrdinalIgnoreCase))
            {
                var rest = text[10..].Trim();
                var (attributeName, type) = SplitName(rest);
                if (type.StartsWith('{'))
                {
                    if (classIndex < 0 || attributeName.Equals("class", StringComparison.OrdinalIgnoreCase))
                    {
                        classIndex = attributes.Count;
                        classValues = type.Trim('{', '}').Split(',', StringSplitOptions.TrimEntries)
                            .Select(Unquote).ToArray();
                    }
                }
                else if (!IsNumericType(type))
                {
                    throw Invalid(name, lineNumber, $"attribute '{attributeName}' has type '{type}', expected numeric");
                }

                attributes.Add(attributeName);
            }
            else if (text.StartsWith("@data", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        if (line is null)
        {
            throw Invalid(name, lineNumber, "there is no @data section");
        }

        if (classIndex < 0 || classValues is null)
        {
            throw Invalid(name, lineNumber, "there is no nominal class attribute");
        }

        var columns = attributes.Count - 1;
        if (columns < 1)
        {
            throw Invalid(name, lineNumber, "there are no pixel attributes");
        }

        var pixels = new List<byte[]>();
        var labels = new List<byte>();
        var row = new byte[columns];
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            var text = line.AsSpan().Trim();
            if (text.IsEmpty || text[0] == '%')
            {
                continue;
            }

            labels.Add(text[0] == '{'
                ? ParseSparse(text, row, classIndex, classValues, name, lineNumber)
                : ParseDense(text, row, classIndex, classValues, name, lineNumber));
            pixels.Add((byte[])row.Clone());
        }

        var flat = new byte[(long)pixels.Count * columns];
        for (var i = 0; i < pixels.Count; i++)
        {
            pixels[i].CopyTo(flat, (long)i * columns);
        }

        return new LabeledImages(flat, labels.ToArray(), columns);
    }

    private static byte ParseDense(ReadOnlySpan<char> text, byte[] row, int classIndex, string[] classValues, string name, int lineNumber)
    {
        var field = 0;
        var pixel = 0;
        byte label = 0;
        foreach (var range in text.Split(','))
        {
            var value = text[range].Trim();
            if (field == classIndex)
            {
                label = ParseClass(value, classValues, name, lineNumber);
            }
            else if (pixel < row.Length)
            {
                row[pixel++] = ParsePixel(value, name, lineNumber);
            }

            field++;
        }

        if (field != row.Length + 1)
        {
            throw Invalid(name, lineNumber, $"the row has {field} values, expected {row.Length + 1}");
        }

        return label;
    }

    private static byte ParseSparse(ReadOnlySpan<char> text, byte[] row, int classIndex, string[] classValues, string name, int lineNumber)
    {
        Array.Clear(row);
        if (!text.EndsWith('}'))
        {
            throw Invalid(name, lineNumber, "a sparse row does not end with '}'");
        }

        byte? label = null;
        var body = text[1..^1];
        foreach (var range in body.Split(','))
        {
            var entry = body[range].Trim();
            if (entry.IsEmpty)
            {
                continue;
            }

            var space = entry.IndexOf(' ');
            if (space < 0 || !int.TryParse(entry[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || index > row.Length)
            {
                throw Invalid(name, lineNumber, $"'{entry}' is not a sparse entry 'index value'");
            }

            var value = entry[(space + 1)..].Trim();
            if (index == classIndex)
            {
                label = ParseClass(value, classValues, name, lineNumber);
            }
            else
            {
                row[index < classIndex ? index : index - 1] = ParsePixel(value, name, lineNumber);
            }
        }

        // In sparse ARFF an omitted nominal value means the first declared one.
        return label ?? ParseClass(classValues[0], classValues, name, lineNumber);
    }

    private static byte ParsePixel(ReadOnlySpan<char> value, string name, int lineNumber)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && whole <= 255)
        {
            return (byte)whole;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
            && real is >= 0 and <= 255 && real == Math.Floor(real))
        {
            return (byte)real;
        }

        throw Invalid(name, lineNumber, $"the pixel value '{value}' is not a whole number 0–255");
    }

    private static byte ParseClass(ReadOnlySpan<char> value, string[] classValues, string name, int lineNumber)
    {
        var unquoted = Unquote(value.ToString());
        if (int.TryParse(unquoted, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 255)
        {
            return (byte)number;
        }

        var position = Array.IndexOf(classValues, unquoted);
        if (position is >= 0 and <= 255)
        {
            return (byte)position;
        }

        throw Invalid(name, lineNumber, $"the class '{unquoted}' is not one of the declared classes");
    }

    private static (string Name, string Type) SplitName(ReadOnlySpan<char> rest)
    {
        if (rest.Length > 0 && rest[0] is '\'' or '"')
        {
            var end = rest[1..].IndexOf(rest[0]) + 1;
            if (end > 0)
            {
                return (rest[1..end].ToString(), rest[(end + 1)..].Trim().ToString());
            }
        }

        var space = rest.IndexOfAny(' ', '\t');
        return space < 0 ? (rest.ToString(), string.Empty) : (rest[..space].ToString(), rest[space..].Trim().ToString());
    }

    private static bool IsNumericType(ReadOnlySpan<char> type) =>
        type.Equals("numeric", StringComparison.OrdinalIgnoreCase)
        || type.Equals("real", StringComparison.OrdinalIgnoreCase)
        || type.Equals("integer", StringComparison.OrdinalIgnoreCase);

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '\'' or '"' && value[^1] == value[0] ? value[1..^1] : value;

    private static InvalidDataException Invalid(string name, int lineNumber, string problem) =>
        new($"'{name}' is not a usable ARFF file (line {lineNumber}): {problem}.");
}
