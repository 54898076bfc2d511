using System.Runtime.InteropServices;

namespace Mnist.Classifiers;

/// <summary>
/// New arrays of many megabytes, on Linux asked to be backed by transparent huge pages (2 MB) where the system allows it
/// per mapping (<c>/sys/kernel/mm/transparent_hugepage/enabled</c> set to <c>madvise</c>, a common default): the first
/// write to such an array then costs one page fault per 2 MB instead of one per 4 KB, and reading it later needs 512 times
/// fewer TLB entries. NumPy gives the same advice for its arrays of 4 MB and more (since 1.16), so scikit-learn's arrays
/// get it too.
/// </summary>
internal static partial class LargeArrays
{
    /// <summary>The smallest array given the advice: 4 MB, as NumPy.</summary>
    private const long MinimumBytes = 4L << 20;

    private const long HugePageBytes = 2L << 20;

    private const int MadviseHugePage = 14;

    /// <summary>A new array of <paramref name="length"/> values with unspecified contents (see <see cref="GC.AllocateUninitializedArray{T}"/>).</summary>
    public static T[] AllocateUninitialized<T>(int length, bool pinned = false)
        where T : unmanaged
    {
        var array = GC.AllocateUninitializedArray<T>(length, pinned);
        AdviseHugePages(array);
        return array;
    }

    /// <summary>A new array of <paramref name="length"/> zeros (see <see cref="GC.AllocateArray{T}"/>).</summary>
    public static T[] Allocate<T>(int length, bool pinned = false)
        where T : unmanaged
    {
        var array = GC.AllocateArray<T>(length, pinned);
        AdviseHugePages(array);
        return array;
    }

    /// <summary>
    /// Advises huge pages for the whole 2 MB pages inside <paramref name="array"/>. Pages already written keep their size;
    /// only those first written afterwards are affected. Does nothing where the advice is not available.
    /// </summary>
    private static unsafe void AdviseHugePages<T>(T[] array)
        where T : unmanaged
    {
        long bytes = (long)array.Length * sizeof(T);
        if (bytes < MinimumBytes || !OperatingSystem.IsLinux())
        {
            return;
        }

        fixed (T* start = array)
        {
            long first = ((long)start + HugePageBytes - 1) & ~(HugePageBytes - 1);
            long end = ((long)start + bytes) & ~(HugePageBytes - 1);
            if (end > first)
            {
                // Advice only: a failure (an old kernel, huge pages off) leaves the array as it was.
                _ = Madvise((nint)first, (nuint)(end - first), MadviseHugePage);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
