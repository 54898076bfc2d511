using System.Globalization;
using System.Text;
using Mnist.Classifiers.IO;

namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// The results file of one work unit of a scale-out search (<see cref="SearchPlan{TLearner}.RunShard"/>), read back
/// by <see cref="SearchPlan{TLearner}.Merge"/>: UTF-8 text, one tab-separated record per line, named
/// <c>unit-NNNNN.txt</c> after the unit and written atomically (<see cref="AtomicFile"/>).
/// </summary>
/// <remarks>
/// <code>
/// # Mnist.Classifiers search work unit: a rerun writes the same file except the times lines.
/// format         1
/// unit           3   5           (the unit's number, the plan's number of units)
/// fold           3   5           (the fold's index, the number of folds)
/// data_sha256    …               (of the rows and labels searched)
/// search_sha256  …               (of the candidates, learners, folds, scorer and refit)
/// candidate      0   0.935   C=1, gamma=scale, kernel=rbf     (index, score, parameters; one line per candidate)
/// times          0   1.2345678   0.0123456                    (index, fit and score seconds)
/// </code>
/// Scores are written in .NET's round-trip form, so the merge reads back the very doubles the shard computed; the
/// times, to the 100 ns tick, are the only part that differs between two runs of a unit.
/// </remarks>
public static class SearchUnitFile
{
    /// <summary>The file-name pattern of results files; the merge reads the files that match it and ignores others.</summary>
    public const string Pattern = "unit-*.txt";

    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string Header = "# Mnist.Classifiers search work unit: a rerun writes the same file except the times lines.";

    /// <summary>The file name of unit <paramref name="unit"/>: <c>unit-00003.txt</c>.</summary>
    public static string FileName(int unit) => $"unit-{unit.ToString("D5", CultureInfo.InvariantCulture)}.txt";

    /// <summary>Writes the results of a unit into <paramref name="directory"/> under <see cref="FileName"/>, atomically.</summary>
    internal static void Write<TLearner>(
        string directory, SearchUnitResult result, SearchPlan<TLearner> plan)
        where TLearner : IClassifier
    {
        var c = CultureInfo.InvariantCulture;
        var unit = result.Unit;
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append(c, $"format\t{FormatVersion}\n");
        text.Append(c, $"unit\t{unit.Index}\t{plan.Units.Count}\n");
        text.Append(c, $"fold\t{unit.Fold}\t{plan.Folds.Count}\n");
        text.Append(c, $"data_sha256\t{plan.DataHash}\n");
        text.Append(c, $"search_sha256\t{plan.SearchHash}\n");
        for (int m = 0; m < unit.Candidates.Count; m++)
        {
            text.Append(c, $"candidate\t{unit.Candidates[m]}\t{result.Scores[m].ToString("R", c)}\t{OneLine(plan.Candidates[unit.Candidates[m]].Describe())}\n");
        }

        for (int m = 0; m < unit.Candidates.Count; m++)
        {
            text.Append(c, $"times\t{unit.Candidates[m]}\t{Seconds(result.FitTimes[m])}\t{Seconds(result.ScoreTimes[m])}\n");
        }

        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
        AtomicFile.WriteStream(Path.Combine(directory, FileName(unit.Index)), stream => stream.Write(bytes));
    }

    /// <summary>Reads a results file of <paramref name="plan"/> and checks it against the plan.</summary>
    /// <exception cref="InvalidDataException">The file is malformed, from another format version, computed on other rows or for another search, or names a unit the plan does not have.</exception>
    internal static SearchUnitResult Read<TLearner>(string path, SearchPlan<TLearner> plan)
        where TLearner : IClassifier
    {
        string name = Path.GetFileName(path);
        string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n');
        int at = 0;

        string[] Next(string key, int fields)
        {
            while (at < lines.Length && lines[at].StartsWith('#'))
            {
                at++;
            }

            string[] parts = at < lines.Length ? lines[at].Split('\t') : [];
            if (parts.Length != fields + 1 || parts[0] != key)
            {
                throw new InvalidDataException(
                    $"The search results file '{name}' is not a complete work unit file: line {at + 1} should be '{key}' with {fields} field(s).");
            }

            at++;
            return parts;
        }

        int Integer(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"The search results file '{name}' has '{text}' on line {at} where a count or index belongs.");

        int format = Integer(Next("format", 1)[1]);
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"The search results file '{name}' has format {format}; this library reads format {FormatVersion}.");
        }

        var unitLine = Next("unit", 2);
        var foldLine = Next("fold", 2);
        string dataHash = Next("data_sha256", 1)[1];
        string searchHash = Next("search_sha256", 1)[1];
        if (dataHash != plan.DataHash)
        {
            throw new InvalidDataException(
                $"The search results file '{name}' was computed on other data (dataset SHA-256 {dataHash}; the rows searched here hash to "
                + $"{plan.DataHash}): merge with the same dataset, training rows and --train-size as the shards.");
        }

        if (searchHash != plan.SearchHash)
        {
            throw new InvalidDataException(
                $"The search results file '{name}' was computed for another search (search SHA-256 {searchHash}; this search's is "
                + $"{plan.SearchHash}): the grid, the learners' options, the folds, the scorer or the refit differ from the shards'.");
        }

        int index = Integer(unitLine[1]);
        if (Integer(unitLine[2]) != plan.Units.Count || index >= plan.Units.Count)
        {
            throw new InvalidDataException($"The search results file '{name}' names unit {index} of {unitLine[2]}; this search has {plan.Units.Count} units.");
        }

        var unit = plan.Units[index];
        if (Integer(foldLine[1]) != unit.Fold || Integer(foldLine[2]) != plan.Folds.Count)
        {
            throw new InvalidDataException($"The search results file '{name}' puts unit {index} on fold {foldLine[1]} of {foldLine[2]}; the plan has it on fold {unit.Fold} of {plan.Folds.Count}.");
        }

        var scores = new double[unit.Candidates.Count];
        for (int m = 0; m < scores.Length; m++)
        {
            var line = Next("candidate", 3);
            int candidate = unit.Candidates[m];
            if (Integer(line[1]) != candidate || line[3] != OneLine(plan.Candidates[candidate].Describe()))
            {
                throw new InvalidDataException(
                    $"The search results file '{name}' has candidate {line[1]} ({line[3]}) where unit {index} has candidate {candidate} ({plan.Candidates[candidate].Describe()}).");
            }

            scores[m] = double.TryParse(line[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double score)
                ? score
                : throw new InvalidDataException($"The search results file '{name}' has the score '{line[2]}' for candidate {candidate}, not a number.");
        }

        var fitTimes = new TimeSpan[scores.Length];
        var scoreTimes = new TimeSpan[scores.Length];
        for (int m = 0; m < scores.Length; m++)
        {
            var line = Next("times", 3);
            if (Integer(line[1]) != unit.Candidates[m])
            {
                throw new InvalidDataException($"The search results file '{name}' has the times of candidate {line[1]} where unit {index} has candidate {unit.Candidates[m]}.");
            }

            (fitTimes[m], scoreTimes[m]) = (Time(line[2]), Time(line[3]));
        }

        if (lines.Skip(at).Any(l => l.Length > 0))
        {
            throw new InvalidDataException($"The search results file '{name}' has more lines than its unit's {scores.Length} candidate(s) need, from line {at + 1}.");
        }

        return new SearchUnitResult(unit, scores, fitTimes, scoreTimes);

        TimeSpan Time(string text) => decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
            ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond))
            : throw new InvalidDataException($"The search results file '{name}' has the time '{text}', not a number of seconds.");
    }

    /// <summary>Seconds to the tick (7 decimals), so that the time read back is the time written.</summary>
    private static string Seconds(TimeSpan time) =>
        (time.Ticks / (decimal)TimeSpan.TicksPerSecond).ToString("F7", CultureInfo.InvariantCulture);

    /// <summary>A parameter text on one line of the file: tabs and line breaks become spaces.</summary>
    private static string OneLine(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
