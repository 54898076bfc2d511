using System.Globalization;

namespace Mnist.Classifiers.Tests;

public class LargeArraysTests
{
    private const string HugePageSetting = "/sys/kernel/mm/transparent_hugepage/enabled";

    /// <summary>A fact about Linux's transparent huge pages: skipped, saying why, where the system has none.</summary>
    public sealed class HugePagesFactAttribute : FactAttribute
    {
        public HugePagesFactAttribute()
        {
            if (!OperatingSystem.IsLinux() || !File.Exists(HugePageSetting))
            {
                Skip = $"Transparent huge pages are a Linux feature, and {HugePageSetting} is not here.";
            }
        }
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(3_000_000, false)]
    [InlineData(3_000_000, true)]
    public void Allocate_gives_zeros_of_the_length_asked(int length, bool pinned)
    {
        var array = LargeArrays.Allocate<float>(length, pinned);
        array.Should().HaveCount(length);
        array.Should().OnlyContain(v => v == 0f);
        LargeArrays.AllocateUninitialized<double>(length, pinned).Should().HaveCount(length);
    }

    [HugePagesFact]
    public unsafe void A_large_array_is_advised_to_take_huge_pages()
    {
        // 16 MB: its whole 2 MB pages are advised; the mapping around the middle one must carry the "hg" flag.
        var array = LargeArrays.AllocateUninitialized<float>(4 << 20, pinned: true);
        long middle;
        fixed (float* start = array)
        {
            middle = (long)(start + (array.Length / 2));
        }

        var flags = VmFlagsOfMapping(middle);
        flags.Should().NotBeNull("some mapping of /proc/self/smaps holds the array");
        flags!.Should().Contain("hg", "madvise(MADV_HUGEPAGE) marks the mapping (VmFlags: {0})", string.Join(' ', flags!));
        GC.KeepAlive(array);
    }

    /// <summary>The VmFlags of the mapping in /proc/self/smaps that holds <paramref name="address"/>, or null.</summary>
    private static string[]? VmFlagsOfMapping(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long low)
                && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long high))
            {
                inside = low <= address && address < high;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return null;
    }
}
