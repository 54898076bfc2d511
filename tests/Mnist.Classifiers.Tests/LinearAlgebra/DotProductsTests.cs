using Mnist.Classifiers.Data;
using Mnist.Classifiers.LinearAlgebra;
using Mnist.Classifiers.Tests.TestSupport;

namespace Mnist.Classifiers.Tests.LinearAlgebra;

public class DotProductsTests
{
    // Small blocks force several depth blocks, row blocks and panel blocks even on small shapes.
    private static readonly Blocking Tiny = new(MaxDepthBlock: 5, RowBlock: 12, PanelBlock: 2);
    private static readonly Blocking Odd = new(MaxDepthBlock: 100, RowBlock: 6, PanelBlock: 3);

    private const float Sentinel = -12345.5f;

    private static float[] RandomValues(int count, int seed, bool pixels = false)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Pixels: MNIST-like, mostly zero, otherwise 1..255; else signed values spanning a few magnitudes.
            values[i] = pixels
                ? (random.NextDouble() < 0.8 ? 0f : random.Next(1, 256))
                : (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-2, 3)));
        }

        return values;
    }

    /// <summary>The documented operation order: acc ← fma(a_p, b_p, acc) for p = 0..k−1, from 0.</summary>
    private static float FmaChain(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float acc = 0f;
        for (int p = 0; p < x.Length; p++)
        {
            acc = MathF.FusedMultiplyAdd(x[p], y[p], acc);
        }

        return acc;
    }

    /// <summary>Checks c against a double-precision reference within Higham's bound γ_k·Σ|a_p b_p|, and against the FMA chain bit for bit.</summary>
    private static void ShouldMatchReference(
        float[] a, int m, int k, float[] bValues, int bStart, int bEnd, float[] c, int ldc)
    {
        int n = bEnd - bStart;
        double u = Math.Pow(2, -24);
        double gamma = k * u / (1 - k * u);
        for (int i = 0; i < m; i++)
        {
            for (int jj = 0; jj < ldc; jj++)
            {
                float actual = c[i * ldc + jj];
                if (jj >= n)
                {
                    actual.Should().Be(Sentinel, "entries past the range must not be written (row {0}, column {1})", i, jj);
                    continue;
                }

                int j = bStart + jj;
                var x = a.AsSpan(i * k, k);
                var y = bValues.AsSpan(j * k, k);
                double exact = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    exact += (double)x[p] * y[p];
                    magnitude += Math.Abs((double)x[p] * y[p]);
                }

                Math.Abs(actual - exact).Should().BeLessThanOrEqualTo(
                    gamma * magnitude * 1.0001 + 1e-30, "a{0}·b{1} with k = {2}", i, j, k);
                actual.Should().Be(FmaChain(x, y), "a{0}·b{1} follows the documented FMA chain", i, j);
            }
        }
    }

    public static TheoryData<int, int, int, int, int> Shapes()
    {
        // m, n (packed rows), k, bStart, bEnd
        var data = new TheoryData<int, int, int, int, int>
        {
            { 1, 1, 1, 0, 1 },
            { 1, 64, 784, 0, 64 },
            { 1, 100, 784, 3, 97 },
            { 1, 130, 17, 16, 80 },
            { 2, 17, 3, 0, 17 },
            { 4, 33, 8, 1, 32 },
            { 5, 16, 9, 0, 16 },
            { 6, 16, 16, 0, 16 },
            { 7, 47, 31, 5, 46 },
            { 8, 200, 784, 0, 200 },
            { 13, 50, 100, 15, 17 },
            { 16, 31, 257, 0, 31 },
            { 64, 70, 784, 10, 70 },
            { 67, 35, 389, 0, 35 },
            { 129, 18, 12, 0, 18 },
            { 3, 20, 1, 7, 7 },
            { 0, 20, 5, 0, 20 },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_match_the_reference_for_every_shape_and_blocking(int m, int n, int k, int bStart, int bEnd)
    {
        var a = RandomValues(m * k, 1 + m * 31 + k);
        var bValues = RandomValues(n * k, 2 + n * 17 + k);
        var packed = PackedRows.Pack(bValues, n, k);
        int ldc = bEnd - bStart + 3;

        foreach (var kernels in KernelSets.Supported)
        {
            foreach (var blocking in new[] { DotProducts.DefaultBlocking, Tiny, Odd })
            {
                var c = Enumerable.Repeat(Sentinel, Math.Max(1, m * ldc)).ToArray();
                DotProducts.Compute(a, m, k, packed, bStart, bEnd, c, ldc, blocking, kernels);
                ShouldMatchReference(a, m, k, bValues, bStart, bEnd, c, ldc);
            }
        }
    }

    [Theory]
    [InlineData(13, 70, 784, 0, 70)]
    [InlineData(25, 37, 100, 3, 35)]
    [InlineData(7, 33, 9, 0, 33)]
    public void Depths_where_a_panel_of_a_is_zero_are_skipped_without_changing_a_bit(int m, int n, int k, int bStart, int bEnd)
    {
        // A with whole zero columns (every panel skips them), columns zero in some panels only, −0 entries, an all-zero
        // row and signed values; B signed, so that skipped products would have been +0 and −0.
        var random = new Random(5);
        var a = new float[m * k];
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                bool zero = p % 3 == 0 || i == 2 || (p % 5 == 1 && i < 6) || random.NextDouble() < 0.5;
                a[(i * k) + p] = zero ? (random.Next(2) == 0 ? 0f : -0f) : (float)((random.NextDouble() * 2) - 1);
            }
        }

        var bValues = RandomValues(n * k, 6);
        var packed = PackedRows.Pack(bValues, n, k);
        int ldc = bEnd - bStart + 1;
        foreach (var kernels in KernelSets.Supported)
        {
            foreach (var blocking in new[] { DotProducts.DefaultBlocking, Tiny, Odd })
            {
                var c = Enumerable.Repeat(Sentinel, m * ldc).ToArray();
                DotProducts.Compute(a, m, k, packed, bStart, bEnd, c, ldc, blocking, kernels);
                ShouldMatchReference(a, m, k, bValues, bStart, bEnd, c, ldc);
                for (int jj = 0; jj < bEnd - bStart; jj++)
                {
                    BitConverter.SingleToInt32Bits(c[(2 * ldc) + jj]).Should().Be(0, "the all-zero row's products are +0 ({0})", kernels);
                }
            }
        }
    }

    [Avx2Theory]
    [InlineData(5, 117, 784, 0, 117)]  // tiles of 2, 2 and 1 rows; two groups of three panels, a panel left and a partial one
    [InlineData(16, 200, 784, 9, 190)] // a range that starts and ends inside panels
    [InlineData(3, 48, 300, 0, 48)]    // one group of three panels exactly
    [InlineData(2, 50, 61, 0, 50)]     // a depth that is not a multiple of 8; three panels and a partial one
    public void Sparse_rows_take_the_narrow_avx2_tiles_with_the_same_bits(int m, int n, int k, int bStart, int bEnd)
    {
        var a = RandomValues(m * k, 41 + m, pixels: true);
        var bValues = RandomValues(n * k, 42 + n, pixels: true);
        var packed = PackedRows.Pack(bValues, n, k);
        DotProducts.TakesNarrowTiles(a, m, k, packed, KernelSet.Avx2).Should().BeTrue("80% of the pixels are zero");
        DotProducts.TakesNarrowTiles(a, m, k, packed, KernelSet.Portable).Should().BeFalse("the narrow tiles are AVX2 kernels");
        DotProducts.TakesNarrowTiles(a, 1, k, packed, KernelSet.Avx2).Should().BeFalse("one row takes the matrix–vector kernel");
        var dense = RandomValues(m * k, 43 + m);
        DotProducts.TakesNarrowTiles(dense, m, k, packed, KernelSet.Avx2).Should().BeFalse("no value of the dense rows is zero");

        int ldc = bEnd - bStart + 2;
        foreach (var blocking in new[] { DotProducts.DefaultBlocking, Tiny, Odd })
        {
            var c = Enumerable.Repeat(Sentinel, m * ldc).ToArray();
            DotProducts.Compute(a, m, k, packed, bStart, bEnd, c, ldc, blocking, KernelSet.Avx2);
            ShouldMatchReference(a, m, k, bValues, bStart, bEnd, c, ldc);
        }
    }

    [Fact]
    public void Public_overload_handles_mnist_like_pixels()
    {
        const int m = 9, n = 41, k = 784;
        var a = RandomValues(m * k, 11, pixels: true);
        var bValues = RandomValues(n * k, 12, pixels: true);
        var packed = PackedRows.Pack(bValues, n, k);
        var c = Enumerable.Repeat(Sentinel, m * n).ToArray();

        DotProducts.Compute(a, m, k, packed, 0, n, c, n);

        ShouldMatchReference(a, m, k, bValues, 0, n, c, n);
    }

    [Theory]
    [InlineData(3, 100, 20)]    // few rows against few panels: one work item
    [InlineData(3, 300, 20)]    // few rows against 19 panels of B: split over ranges of panels
    [InlineData(300, 45, 33)]   // many rows: split over rows of A
    [InlineData(61, 70, 784)]
    public void Parallel_products_are_identical_for_every_thread_count(int m, int n, int k)
    {
        var storage = RandomValues((m + 5) * k, 21 + m);
        var matrix = new FeatureMatrix(storage, k);
        var bValues = RandomValues(n * k, 22 + n);
        var packed = PackedRows.Pack(bValues, n, k);
        int ldc = n + 2;

        // An index view (reversed, skipping rows) and the contiguous copy of the same rows.
        var rows = Enumerable.Range(0, m).Select(i => m + 4 - i).ToArray();
        var view = matrix.Subset(rows);
        var contiguous = view.ToContiguous();
        var gathered = contiguous.AsSpan().ToArray();

        float[]? first = null;
        foreach (var source in new[] { view, contiguous })
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                foreach (var (blocking, kernels) in KernelSets.Supported.SelectMany(
                             kernels => new[] { (DotProducts.DefaultBlocking, kernels), (Tiny, kernels) }))
                {
                    var c = Enumerable.Repeat(Sentinel, m * ldc).ToArray();
                    DotProducts.Compute(source, packed, c, ldc, threads, blocking, kernels);
                    if (first is null)
                    {
                        ShouldMatchReference(gathered, m, k, bValues, 0, n, c, ldc);
                        first = c;
                    }
                    else
                    {
                        c.Should().Equal(first, "threads = {0}, blocking = {1}, kernels = {2}", threads, blocking, kernels);
                    }
                }
            }
        }

        var viaPublic = Enumerable.Repeat(Sentinel, m * ldc).ToArray();
        DotProducts.Compute(view, packed, viaPublic, ldc, Environment.ProcessorCount);
        viaPublic.Should().Equal(first);
    }

    [Fact]
    public void Results_do_not_depend_on_the_range_of_b_requested()
    {
        const int m = 5, n = 90, k = 50;
        var a = RandomValues(m * k, 31);
        var packed = PackedRows.Pack(RandomValues(n * k, 32), n, k);
        var whole = new float[m * n];
        DotProducts.Compute(a, m, k, packed, 0, n, whole, n);

        var part = new float[m * 40];
        DotProducts.Compute(a, m, k, packed, 23, 63, part, 40);

        for (int i = 0; i < m; i++)
        {
            part.AsSpan(i * 40, 40).ToArray().Should().Equal(whole.AsSpan(i * n + 23, 40).ToArray());
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_their_names()
    {
        var packed = PackedRows.Pack(new float[10 * 4], 10, 4);
        var a = new float[2 * 4];
        var c = new float[2 * 10];

        ((Action)(() => DotProducts.Compute(a, 2, 3, packed, 0, 10, c, 10))).Should().Throw<ArgumentException>()
            .WithParameterName("k");
        ((Action)(() => DotProducts.Compute(a, 3, 4, packed, 0, 10, new float[30], 10))).Should().Throw<ArgumentException>()
            .WithParameterName("a");
        ((Action)(() => DotProducts.Compute(a, 2, 4, packed, 4, 11, c, 10))).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("bStart");
        ((Action)(() => DotProducts.Compute(a, 2, 4, packed, 5, 4, c, 10))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => DotProducts.Compute(a, 2, 4, packed, 0, 10, c, 9))).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("ldc");
        ((Action)(() => DotProducts.Compute(a, 2, 4, packed, 0, 10, new float[19], 10))).Should().Throw<ArgumentException>()
            .WithParameterName("c");

        var matrix = new FeatureMatrix(new float[6], 3);
        ((Action)(() => DotProducts.Compute(matrix, packed, new float[20], 10, 1))).Should().Throw<ArgumentException>()
            .WithMessage("*3 columns*4*");
        var fits = new FeatureMatrix(new float[8], 4);
        ((Action)(() => DotProducts.Compute(fits, packed, new float[20], 10, 0))).Should().Throw<ArgumentOutOfRangeException>();
    }
}

public class KernelSetsTests
{
    [Fact]
    public void Half_rate_avx512_is_read_from_cpuid_as_the_kernel_reports_the_processor()
    {
        // The reference: the vendor and family /proc/cpuinfo shows (Linux only; elsewhere the rule is checked alone).
        if (File.Exists("/proc/cpuinfo"))
        {
            var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(line => line.Length > 0).ToArray();
            string Field(string name) => lines.First(line => line.StartsWith(name, StringComparison.Ordinal)).Split(':', 2)[1].Trim();
            bool zen4Family = Field("vendor_id") == "AuthenticAMD" && Field("cpu family") == "25";
            KernelSets.HalfRate512.Should().Be(zen4Family, "vendor {0}, family {1}", Field("vendor_id"), Field("cpu family"));
        }

        var expected = KernelSets.IsSupported(KernelSet.Avx512) && !KernelSets.HalfRate512 ? KernelSet.Avx512
            : KernelSets.IsSupported(KernelSet.Avx2) ? KernelSet.Avx2 : KernelSet.Portable;
        KernelSets.Best.Should().Be(expected);
    }
}
