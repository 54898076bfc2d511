namespace Mnist.Classifiers.ModelSelection;

/// <summary>
/// A grid of options to search exhaustively, like scikit-learn's <c>ParameterGrid</c>: every combination of one
/// value per axis. Immutable: <see cref="Add{TValue}(SearchAxis{TLearner, TValue}, IEnumerable{TValue})"/> returns a
/// new grid.
/// </summary>
/// <remarks>
/// Candidates are numbered with the last axis varying fastest (<c>itertools.product</c>'s order). scikit-learn
/// sorts its parameter names first, so adding the axes in the alphabetical order of scikit-learn's names enumerates
/// the candidates in its order, which matters for ties: the best candidate is the first of the best rank.
/// </remarks>
/// <typeparam name="TLearner">The learner the grid varies.</typeparam>
public sealed class ParameterGrid<TLearner>
    where TLearner : IClassifier
{
    private readonly GridAxis[] _axes;

    /// <summary>An empty grid: one candidate, the learner unchanged.</summary>
    public ParameterGrid()
        : this([])
    {
    }

    private ParameterGrid(GridAxis[] axes) => _axes = axes;

    /// <summary>The number of candidates: the product of the axes' value counts.</summary>
    public int Count => _axes.Aggregate(1, (product, axis) => checked(product * axis.Count));

    /// <summary>The axes' names, in the order they were added.</summary>
    public IReadOnlyList<string> AxisNames => _axes.Select(a => a.Name).ToArray();

    /// <summary>This grid with one more axis, taking each of <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">No values, or an axis of the same name is already in the grid.</exception>
    public ParameterGrid<TLearner> Add<TValue>(SearchAxis<TLearner, TValue> axis, IEnumerable<TValue> values)
    {
        ArgumentNullException.ThrowIfNull(axis);
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException($"The search axis '{axis.Name}' has no values.", nameof(values));
        }

        if (_axes.Any(a => a.Name == axis.Name))
        {
            throw new ArgumentException($"The grid already has an axis named '{axis.Name}'.", nameof(axis));
        }

        return new ParameterGrid<TLearner>([.. _axes, new GridAxis(axis.Name, list.Length, (learner, i) => axis.Apply(learner, list[i]))]);
    }

    /// <summary>This grid with one more axis named <paramref name="name"/>, set by <paramref name="apply"/>.</summary>
    /// <param name="name">The name reports show.</param>
    /// <param name="values">The values to try.</param>
    /// <param name="apply">Returns the learner with a value set.</param>
    /// <param name="format">How reports write a value; by default its invariant-culture text.</param>
    /// <example><c>grid.Add("C", [1.0, 2, 4, 8], (svm, c) =&gt; svm with { C = c })</c></example>
    public ParameterGrid<TLearner> Add<TValue>(
        string name, IEnumerable<TValue> values, Func<TLearner, TValue, TLearner> apply, Func<TValue, string>? format = null) =>
        Add(new SearchAxis<TLearner, TValue>(name, apply, format), values);

    /// <summary>Every candidate: <paramref name="learner"/> with each combination applied, numbered from <paramref name="firstIndex"/>.</summary>
    internal IEnumerable<SearchCandidate<TLearner>> Candidates(TLearner learner, int firstIndex = 0)
    {
        int count = Count;
        int[] radices = _axes.Select(a => a.Count).ToArray();
        var digits = new int[_axes.Length];
        for (int c = 0; c < count; c++)
        {
            MixedRadix.Digits(c, radices, digits);

            var current = learner;
            var parameters = new SearchParameter[_axes.Length];
            for (int a = 0; a < _axes.Length; a++)
            {
                (current, parameters[a]) = _axes[a].Apply(current, digits[a]);
            }

            yield return new SearchCandidate<TLearner>(firstIndex + c, current, parameters);
        }
    }

    private sealed record GridAxis(string Name, int Count, Func<TLearner, int, (TLearner, SearchParameter)> Apply);
}

/// <summary>Grid points as numbers: point c of a grid is the mixed-radix number whose digits pick each axis's value.</summary>
internal static class MixedRadix
{
    /// <summary>The digits of <paramref name="value"/> in the radices given, the last digit the fastest to change.</summary>
    public static void Digits(int value, ReadOnlySpan<int> radices, Span<int> digits)
    {
        for (int a = radices.Length - 1; a >= 0; a--)
        {
            digits[a] = value % radices[a];
            value /= radices[a];
        }
    }
}

/// <summary>One candidate of a search: its number, the learner to fit, and the options that made it.</summary>
/// <param name="Index">The candidate's number in the search (0-based).</param>
/// <param name="Learner">The learner with the candidate's options applied.</param>
/// <param name="Parameters">The options applied, one per axis.</param>
public sealed record SearchCandidate<TLearner>(int Index, TLearner Learner, IReadOnlyList<SearchParameter> Parameters)
    where TLearner : IClassifier
{
    /// <summary>The parameters as <c>name=value, ...</c>.</summary>
    public string Describe() => string.Join(", ", Parameters);
}
