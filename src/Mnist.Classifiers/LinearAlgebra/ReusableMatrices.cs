namespace Mnist.Classifiers.LinearAlgebra;

/// <summary>
/// Large float arrays recycled within a scope of work that makes many of about the same size: a grid search's folds
/// each make n × n kernel matrices that differ by a few rows. A new array of hundreds of megabytes costs a page fault
/// and a page zero-filled by the kernel for every 4 KB of it when first written (about a tenth of a 10,000-row search's
/// time); an array handed back is already mapped. Outside a scope (<see cref="Open"/>) renting allocates and returning
/// drops, so a lone fit keeps nothing; a scope holds what was handed back to it until it is disposed.
/// </summary>
/// <remarks>
/// The scope is ambient (an <see cref="AsyncLocal{T}"/>, which flows into the parallel loops started inside it) so that
/// the fits below a search need no extra parameter; it is opened and closed by the search alone.
/// </remarks>
internal sealed class ReusableMatrices : IDisposable
{
    /// <summary>The smallest array worth recycling (4 MB): smaller ones are cheap to allocate.</summary>
    private const int MinimumLength = 1 << 20;

    private static readonly AsyncLocal<ReusableMatrices?> Current = new();

    private readonly ReusableMatrices? _outer;
    private readonly List<float[]> _returned = [];

    private ReusableMatrices(ReusableMatrices? outer) => _outer = outer;

    /// <summary>Opens a scope for the calling flow of work; dispose it (on the same flow) when the work is done.</summary>
    public static ReusableMatrices Open()
    {
        var scope = new ReusableMatrices(Current.Value);
        Current.Value = scope;
        return scope;
    }

    /// <summary>
    /// An array of at least <paramref name="length"/> floats and at most 1/16 more, with unspecified contents: one
    /// handed back in the current scope if there is one, else a new uninitialised array.
    /// </summary>
    public static float[] Rent(int length)
    {
        if (length >= MinimumLength && Current.Value is { } scope)
        {
            long most = length + ((long)length >> 4);
            lock (scope._returned)
            {
                int found = scope._returned.FindIndex(a => a.Length >= length && a.Length <= most);
                if (found >= 0)
                {
                    var array = scope._returned[found];
                    scope._returned.RemoveAt(found);
                    return array;
                }
            }
        }

        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Hands back an array that nothing reads or writes any more (kept only inside a scope).</summary>
    public static void Return(float[] array)
    {
        if (array.Length >= MinimumLength && Current.Value is { } scope)
        {
            lock (scope._returned)
            {
                scope._returned.Add(array);
            }
        }
    }

    /// <summary>Closes the scope: what it holds is left to the garbage collector.</summary>
    public void Dispose()
    {
        Current.Value = _outer;
        lock (_returned)
        {
            _returned.Clear();
        }
    }
}
