using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;
using Mnist.Classifiers.Data;

namespace Mnist.Classifiers.LinearAlgebra;

/// <summary>
/// Dense float32 dot products between the rows of a matrix A and the rows of a packed matrix B
/// (C = A·Bᵀ): the kernel-matrix blocks and the prediction sums of the kernel SVM.
/// </summary>
/// <remarks>
/// <para>
/// The structure is that of GotoBLAS/BLIS (Goto &amp; van de Geijn 2008; Van Zee &amp; van de Geijn 2015): B is
/// pre-packed into panels (<see cref="PackedRows"/>); per call, blocks of A (mc rows × kc depth) are packed
/// into micro-panels of mr rows, and an mr × nr register tile is computed by an outer-product micro-kernel:
/// 6 × 16 with AVX2 + FMA, or 2 × 48 when A's rows are mostly zero (<see cref="MicroKernels"/>), 12 × 32 where AVX-512
/// runs at full rate (<see cref="MicroKernels512"/>, <see cref="KernelSets.Best"/>), a scalar fused multiply–add loop
/// elsewhere. Loop order, outermost first:
/// groups of nc B rows, depth blocks of kc (so that a kc × 16 micro-panel of B stays in L1 while all the A
/// micro-panels of the block pass over it), blocks of mc rows of A (packed, kept in L2), B panels, A
/// micro-panels. Packing keeps only the depths where some row of an A micro-panel is not zero, and the kernel walks
/// that list (exact: a zero adds nothing to a chain). Pixel rows are mostly zero where every row of a panel is, at the
/// border: 12 MNIST digits together ink 390 of the 784 pixels on average, 6 digits about 330, 2 about 220. A single row of A is a
/// matrix–vector product, bound by the memory bandwidth of B: it is packed as a one-row micro-panel (a digit's ~150
/// inked depths, so only those lines of B are read), without depth blocking, and multiplied by a kernel with 8
/// accumulators spread over 4 panels.
/// </para>
/// <para>
/// Every output is the chain acc ← fma(a_p, b_p, acc), p = 0…k−1, from acc = 0: results are bit-for-bit the
/// same whatever the blocking, tile edges, thread count or instruction set (see <see cref="MicroKernels"/>).
/// The worst-case rounding error of each dot product is therefore at most γ_k·Σ_p |a_p·b_p| with
/// γ_k = k·u / (1 − k·u), u = 2⁻²⁴ (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1).
/// </para>
/// </remarks>
internal static unsafe class DotProducts
{
    /// <summary>The blocking used unless a caller (benchmarks) supplies another.</summary>
    /// <remarks>
    /// Chosen by measurement (2016 × 784 by 2048 × 784 and 1…128 rows by 12,000 × 784, best of 5 interleaved
    /// rounds over kc ∈ {392, 784}, mc ∈ {48, 120, 240}, nc ∈ {1024, 4096} rows): with k = 784, one depth block
    /// was 1.5× faster than two blocks of 392 for the AVX2 kernel and as fast for the AVX-512 kernel; mc and nc
    /// mattered less than the noise of the shared machine. mc = 120 is a multiple of both tile heights (6, 12).
    /// Since packing skips zero depths (and so costs more), nc = 4096 rows (256 panels) packs A a quarter as often as
    /// 1024 did: predicting 10,000 min–max-scaled MNIST rows with 3,667 support vectors took 0.154 s instead of 0.180 s.
    /// </remarks>
    internal static readonly Blocking DefaultBlocking = new(MaxDepthBlock: 784, RowBlock: 120, PanelBlock: 256);

    [ThreadStatic]
    private static float[]? t_packedA;

    [ThreadStatic]
    private static float[]? t_gatheredRows;

    [ThreadStatic]
    private static int[]? t_depthLists;


    /// <summary>
    /// Single-threaded: <c>c[i·ldc + (j − bStart)] = a_i · b_j</c> for every row i &lt; <paramref name="m"/> of A and
    /// every packed row <paramref name="bStart"/> ≤ j &lt; <paramref name="bEnd"/> of B.
    /// </summary>
    /// <param name="a">A, row-major and contiguous: <paramref name="m"/> rows of <paramref name="k"/> values.</param>
    /// <param name="m">The number of rows of A, 0 or more.</param>
    /// <param name="k">The depth: the row length of A, which must equal <see cref="PackedRows.Columns"/>.</param>
    /// <param name="b">The packed rows of B.</param>
    /// <param name="bStart">The first row of B to use.</param>
    /// <param name="bEnd">One past the last row of B to use.</param>
    /// <param name="c">The output, row i starting at i·<paramref name="ldc"/>; only the written entries change.</param>
    /// <param name="ldc">The distance between output rows, at least <paramref name="bEnd"/> − <paramref name="bStart"/>.</param>
    /// <exception cref="ArgumentException">A size or span length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or range is out of bounds.</exception>
    public static void Compute(
        ReadOnlySpan<float> a, int m, int k, PackedRows b, int bStart, int bEnd, Span<float> c, int ldc) =>
        Compute(a, m, k, b, bStart, bEnd, c, ldc, DefaultBlocking, KernelSets.Best);

    /// <summary>The single-threaded product with an explicit blocking and instruction set (tests and tuning).</summary>
    internal static void Compute(
        ReadOnlySpan<float> a, int m, int k, PackedRows b, int bStart, int bEnd, Span<float> c, int ldc,
        Blocking blocking, KernelSet kernels)
    {
        ArgumentNullException.ThrowIfNull(b);
        Validate(a.Length, m, k, b, bStart, bEnd, c.Length, ldc);
        fixed (float* ap = a)
        fixed (float* cp = c)
        {
            ComputeCore(ap, m, k, b, bStart, bEnd, cp, ldc, blocking, kernels);
        }
    }

    /// <summary>
    /// All dot products of the rows of <paramref name="a"/> with all rows of <paramref name="b"/>,
    /// <c>c[i·ldc + j] = a_i · b_j</c>, on up to <paramref name="degreeOfParallelism"/> threads. The result is
    /// bit-for-bit the same for every degree of parallelism.
    /// </summary>
    /// <param name="a">The rows of A (contiguous or an index view); its column count must equal <see cref="PackedRows.Columns"/>.</param>
    /// <param name="b">The packed rows of B.</param>
    /// <param name="c">The output, <c>a.Rows</c> rows of <paramref name="ldc"/> values.</param>
    /// <param name="ldc">The distance between output rows, at least <c>b.Rows</c>.</param>
    /// <param name="degreeOfParallelism">The most threads to use, at least 1.</param>
    /// <exception cref="ArgumentException">A size or span length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of bounds.</exception>
    public static void Compute(FeatureMatrix a, PackedRows b, Span<float> c, int ldc, int degreeOfParallelism) =>
        Compute(a, b, c, ldc, degreeOfParallelism, DefaultBlocking, KernelSets.Best);

    /// <summary>The parallel product with an explicit blocking and instruction set (tests and tuning).</summary>
    internal static void Compute(
        FeatureMatrix a, PackedRows b, Span<float> c, int ldc, int degreeOfParallelism, Blocking blocking, KernelSet kernels)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        if (a.Columns != b.Columns)
        {
            throw new ArgumentException(
                $"A has {a.Columns} columns but the packed rows of B have {b.Columns}.", nameof(a));
        }

        int m = a.Rows, k = a.Columns, n = b.Rows;
        Validate((long)m * k, m, k, b, 0, n, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        // Work items: blocks of rows of A when there are enough rows to keep every thread busy with full
        // register tiles; otherwise (a few rows against many) ranges of B panels. Either way each output is
        // computed by the same chain of operations, so the split changes nothing in the result.
        int rowChunk = blocking.RowBlock;
        bool splitRows = m >= 2 * rowChunk * degreeOfParallelism || m > 4 * MicroKernels512.MaxRows * degreeOfParallelism;
        int items;
        int panelChunk = 0;
        if (splitRows)
        {
            rowChunk = Math.Min(rowChunk, RoundUp(CeilDiv(m, 2 * degreeOfParallelism), MicroKernels512.MaxRows));
            items = CeilDiv(m, rowChunk);
        }
        else
        {
            rowChunk = m;
            int panels = b.PanelCount;
            panelChunk = Math.Max(8, CeilDiv(panels, 4 * degreeOfParallelism));
            items = CeilDiv(panels, panelChunk);
        }

        if (degreeOfParallelism == 1 || items == 1)
        {
            for (int item = 0; item < items; item++)
            {
                fixed (float* cp = c)
                {
                    RunItem(a, b, (nint)cp, ldc, blocking, kernels, splitRows, rowChunk, panelChunk, item);
                }
            }

            return;
        }

        fixed (float* cp = c)
        {
            nint cAddress = (nint)cp;
            var options = new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism };
            Parallel.For(0, items, options, item =>
                RunItem(a, b, cAddress, ldc, blocking, kernels, splitRows, rowChunk, panelChunk, item));
        }
    }

    private static void RunItem(
        FeatureMatrix a, PackedRows b, nint cAddress, int ldc, Blocking blocking, KernelSet kernels,
        bool splitRows, int rowChunk, int panelChunk, int item)
    {
        int k = a.Columns;
        int i0 = splitRows ? item * rowChunk : 0;
        int i1 = splitRows ? Math.Min(a.Rows, i0 + rowChunk) : a.Rows;
        int j0 = splitRows ? 0 : item * panelChunk * PackedRows.PanelWidth;
        int j1 = splitRows ? b.Rows : Math.Min(b.Rows, j0 + panelChunk * PackedRows.PanelWidth);
        int rows = i1 - i0;
        // ComputeCore writes column j of B's range at c + (j − j0): start this item's output at its first column.
        float* c = (float*)cAddress + ((nint)i0 * ldc) + j0;

        if (a.IsContiguous)
        {
            fixed (float* ap = a.AsSpan())
            {
                ComputeCore(ap + (nint)i0 * k, rows, k, b, j0, j1, c, ldc, blocking, kernels);
            }

            return;
        }

        float[] gathered = Scratch(ref t_gatheredRows, (long)rows * k);
        for (int i = 0; i < rows; i++)
        {
            a.Row(i0 + i).CopyTo(gathered.AsSpan(i * k, k));
        }

        fixed (float* ap = gathered)
        {
            ComputeCore(ap, rows, k, b, j0, j1, c, ldc, blocking, kernels);
        }
    }

    private static void ComputeCore(
        float* a, int m, int k, PackedRows b, int bStart, int bEnd, float* c, nint ldc, Blocking blocking, KernelSet kernels)
    {
        if (m == 0 || bEnd == bStart)
        {
            return;
        }

        const int W = PackedRows.PanelWidth;

        // The packed storage lives on the pinned object heap: its address never changes.
        float* bBase = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(b.Storage)) + b.Offset;
        nint panelStride = (nint)b.PanelStride;
        int qFirst = bStart / W, qEnd = CeilDiv(bEnd, W);
        float* edge = stackalloc float[MicroKernels512.MaxRows * W];
        new Span<float>(edge, MicroKernels512.MaxRows * W).Clear();
        fixed (float* background = b.Background)
        {
            ComputeTranslated(a, m, k, b, bStart, bEnd, c, ldc, blocking, kernels, bBase, panelStride, qFirst, qEnd, edge, background);
        }
    }

    /// <summary>
    /// <see cref="ComputeCore"/> once B's storage is pinned: the rows of A are translated by <paramref name="background"/>
    /// (null: not translated) as they are packed, as B's rows were (<see cref="PackedRows.Background"/>).
    /// </summary>
    private static void ComputeTranslated(
        float* a, int m, int k, PackedRows b, int bStart, int bEnd, float* c, nint ldc, Blocking blocking, KernelSet kernels,
        float* bBase, nint panelStride, int qFirst, int qEnd, float* edge, float* background)
    {
        const int W = PackedRows.PanelWidth;
        const int MR = MicroKernels.MaxRows;
        if (m == 1)
        {
            // Matrix–vector: no reuse of B, so no depth blocking; the row is packed as a micro-panel of one row (translated,
            // its zeros left out), so a pixel row reads only the B lines of its ~150 inked depths of 784.
            float[] packedRow = Scratch(ref t_packedA, k + PackSlack);
            int[] rowList = Scratch(ref t_depthLists, k + 1 + MicroKernels.PrefetchDepths);
            fixed (float* values = packedRow)
            fixed (int* listed = rowList)
            {
                PackA(a, 1, k, k, background, values, listed, listed + k, 1);
                int steps = listed[k];
                int* list = steps == k ? null : listed;
                int q = qFirst;
                while (q < qEnd)
                {
                    if (kernels != KernelSet.Portable && MicroKernels.Avx2Supported && q + 4 <= qEnd && q * W >= bStart && (q + 4) * W <= bEnd)
                    {
                        MicroKernels.RowTimesFourPanels(values, list, steps, bBase + q * panelStride, panelStride, c + (q * W - bStart));
                        q += 4;
                    }
                    else
                    {
                        TileWithEdges(values, 1, list, steps, bBase + q * panelStride, c, ldc, q * W, bStart, bEnd, false, edge, kernels);
                        q++;
                    }
                }
            }

            return;
        }

        bool narrow = TakesNarrowTiles(a, m, k, background, kernels);
        int mrMax = kernels == KernelSet.Avx512 ? MicroKernels512.MaxRows : narrow ? MicroKernels.NarrowRows : MR;
        int panelsPerTile = kernels == KernelSet.Avx512 ? 2 : narrow ? MicroKernels.NarrowPanels : 1;
        int depthBlocks = CeilDiv(k, blocking.MaxDepthBlock);
        int kc = CeilDiv(k, depthBlocks);
        int mc = Math.Min(RoundUp(m, mrMax), blocking.RowBlock);
        float[] packedArray = Scratch(ref t_packedA, ((long)mc * kc) + PackSlack);
        int[] listArray = Scratch(ref t_depthLists, ((long)CeilDiv(mc, mrMax) * (kc + 1)) + PackSlack + MicroKernels.PrefetchDepths);
        fixed (float* packed = packedArray)
        fixed (int* lists = listArray)
        {
            int* counts = lists + ((nint)CeilDiv(mc, mrMax) * kc) + PackSlack;
            for (int q0 = qFirst; q0 < qEnd; q0 += blocking.PanelBlock)
            {
                int q1 = Math.Min(q0 + blocking.PanelBlock, qEnd);
                for (int p0 = 0; p0 < k; p0 += kc)
                {
                    int kcCur = Math.Min(kc, k - p0);
                    bool accumulate = p0 > 0;
                    for (int i0 = 0; i0 < m; i0 += mc)
                    {
                        int mcCur = Math.Min(mc, m - i0);
                        PackA(a + (nint)i0 * k + p0, mcCur, kcCur, k, background is null ? null : background + p0, packed, lists, counts, mrMax);
                        int q = q0;
                        while (q < q1)
                        {
                            // Whole panels inside [bStart, bEnd) go straight to C; the AVX-512 kernels take two at a time,
                            // the narrow ones three.
                            int panels = 0;
                            while (panels < panelsPerTile && q + panels < q1
                                   && (q + panels) * W >= bStart && (q + panels + 1) * W <= bEnd)
                            {
                                panels++;
                            }

                            float* bp = bBase + q * panelStride + (nint)p0 * W;
                            float* ap = packed;
                            for (int i = 0, panel = 0; i < mcCur; i += mrMax, panel++)
                            {
                                int mr = Math.Min(mrMax, mcCur - i);
                                float* cRows = c + (nint)(i0 + i) * ldc;
                                // A full list walks the depth in order without reading it.
                                int steps = counts[panel];
                                int* list = steps == kcCur ? null : lists + ((nint)panel * kcCur);
                                if (panels == 0)
                                {
                                    TileWithEdges(ap, mr, list, steps, bp, cRows, ldc, q * W, bStart, bEnd, accumulate, edge, kernels);
                                }
                                else if (kernels == KernelSet.Avx512)
                                {
                                    MicroKernels512.Tile(ap, mr, list, steps, bp, panelStride, panels, cRows + (q * W - bStart), ldc, accumulate);
                                }
                                else if (panels == MicroKernels.NarrowPanels)
                                {
                                    MicroKernels.NarrowTile(ap, mr, list, steps, bp, panelStride, cRows + (q * W - bStart), ldc, accumulate);
                                }
                                else
                                {
                                    for (int next = 0; next < panels; next++)
                                    {
                                        MicroKernels.Tile(ap, mr, list, steps, bp + (next * panelStride), cRows + ((q + next) * W - bStart), ldc, accumulate, kernels == KernelSet.Avx2);
                                    }
                                }

                                ap += mr * kcCur;
                            }

                            q += Math.Max(panels, 1);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Whether the product of the <paramref name="m"/> rows of <paramref name="a"/> with <paramref name="b"/> takes the narrow tiles (for tests).</summary>
    internal static bool TakesNarrowTiles(ReadOnlySpan<float> a, int m, int k, PackedRows b, KernelSet kernels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, m * k);
        fixed (float* ap = a)
        fixed (float* background = b.Background)
        {
            return TakesNarrowTiles(ap, m, k, background, kernels);
        }
    }

    /// <summary>
    /// Whether a product of several rows of A takes the 2 × 48 tiles of <see cref="MicroKernels.NarrowTile"/>: with AVX2,
    /// when A's first rows, translated by <paramref name="background"/>, are at most a third not zero. A tile's depth list
    /// is then the union of 2 rows' inked depths instead of 6 (MNIST: about 220 of 784 against 330), a third fewer fused
    /// multiply–adds. AVX2 path of an AMD EPYC Zen 5: 16 standardised MNIST rows against 988 samples 11% faster, a
    /// 10,000-row fit 5%. On dense rows (the same rows without the background's translation, or after PCA) every depth is
    /// listed whatever the tile, and the narrow tile, which reads each line of B for 2 rows instead of 6, was 11–17%
    /// slower (docs/benchmarks-log.md, thirteenth session).
    /// </summary>
    private static bool TakesNarrowTiles(float* a, int m, int k, float* background, KernelSet kernels)
    {
        if (kernels != KernelSet.Avx2 || m < 2)
        {
            return false;
        }

        int rows = Math.Min(m, SparsityProbeRows);
        long nonzero = 0;
        for (int r = 0; r < rows; r++)
        {
            float* row = a + ((nint)r * k);
            int p = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; p <= k - 8; p += 8)
                {
                    var shift = background is null ? Vector256<float>.Zero : Vector256.Load(background + p);
                    uint zeros = Vector256.Equals(Vector256.Load(row + p) - shift, Vector256<float>.Zero).ExtractMostSignificantBits();
                    nonzero += 8 - BitOperations.PopCount(zeros);
                }
            }

            for (; p < k; p++)
            {
                nonzero += row[p] - (background is null ? 0f : background[p]) != 0 ? 1 : 0;
            }
        }

        return 3 * nonzero <= (long)rows * k;
    }

    /// <summary>How many rows of A <see cref="TakesNarrowTiles(float*, int, int, float*, KernelSet)"/> looks at: 4 MNIST rows (3,136 values) tell a third from a fifth; 12 rows took 0.5% of a 10,000-row fit (AVX2 path, AMD EPYC Zen 5).</summary>
    private const int SparsityProbeRows = 4;

    /// <summary>A tile whose panel sticks out of [bStart, bEnd): computed into a scratch tile, then the valid columns copied.</summary>
    private static void TileWithEdges(
        float* ap, int mr, int* list, int steps, float* bp, float* cRows, nint ldc, int panelStart, int bStart, int bEnd,
        bool accumulate, float* edge, KernelSet kernels)
    {
        const int W = PackedRows.PanelWidth;
        int lo = Math.Max(panelStart, bStart), hi = Math.Min(panelStart + W, bEnd);
        int offset = lo - panelStart, count = hi - lo;
        float* cFirst = cRows + (lo - bStart);
        if (accumulate)
        {
            for (int r = 0; r < mr; r++)
            {
                new ReadOnlySpan<float>(cFirst + r * ldc, count).CopyTo(new Span<float>(edge + r * W + offset, count));
            }
        }

        if (kernels == KernelSet.Avx512)
        {
            MicroKernels512.Tile(ap, mr, list, steps, bp, 0, 1, edge, W, accumulate);
        }
        else
        {
            MicroKernels.Tile(ap, mr, list, steps, bp, edge, W, accumulate, kernels == KernelSet.Avx2);
        }

        for (int r = 0; r < mr; r++)
        {
            new ReadOnlySpan<float>(edge + r * W + offset, count).CopyTo(new Span<float>(cFirst + r * ldc, count));
        }
    }

    /// <summary>
    /// Packs rows × depth values of A (row stride <paramref name="lda"/>) into micro-panels of up to
    /// <paramref name="mrMax"/> rows, each stored depth-major and keeping only the depths where some row of the panel is
    /// not zero: panel[e·mr + r] = A[r, p_e] for the listed depths p_0 &lt; p_1 &lt; … (micro-panel i's list at
    /// <paramref name="lists"/> + i·depth, its length in <paramref name="counts"/>[i]; each panel keeps the stride
    /// mr · depth). A depth where the whole panel is ±0 adds ±0 to every chain, which leaves it unchanged (chains start at
    /// +0 and a sum of opposite signs rounds to +0), so skipping it changes no result.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(float* a, int rows, int depth, int lda, float* background, float* packed, int* lists, int* counts, int mrMax)
    {
        for (int i = 0, panel = 0; i < rows; i += mrMax, panel++)
        {
            int mr = Math.Min(mrMax, rows - i);
            float* source = a + (nint)i * lda;
            int* list = lists + (nint)panel * depth;
            int count = 0, p = 0;
            if (mr <= 2 && Avx2.IsSupported)
            {
                p = PackNarrowDepths(source, mr, depth, lda, background, packed, list, ref count);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                // Eight depths at a time: a bit per depth where some row of the panel is not zero.
                for (; p <= depth - 8; p += 8)
                {
                    var nonzero = Vector256<float>.Zero;
                    var shift = background is null ? Vector256<float>.Zero : Vector256.Load(background + p);
                    for (int r = 0; r < mr; r++)
                    {
                        nonzero |= ~Vector256.Equals(Vector256.Load(source + ((nint)r * lda) + p) - shift, Vector256<float>.Zero);
                    }

                    for (uint bits = nonzero.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                    {
                        int at = p + BitOperations.TrailingZeroCount(bits);
                        CopyDepth(source, lda, mr, at, background, packed + ((nint)count * mr));
                        list[count++] = at;
                    }
                }
            }

            for (; p < depth; p++)
            {
                bool any = false;
                float shift = background is null ? 0f : background[p];
                for (int r = 0; r < mr; r++)
                {
                    any |= source[(nint)r * lda + p] - shift != 0;
                }

                if (any)
                {
                    CopyDepth(source, lda, mr, p, background, packed + ((nint)count * mr));
                    list[count++] = p;
                }
            }

            counts[panel] = count;
            packed += mr * depth;
        }
    }

    /// <summary>
    /// <see cref="PackA"/>'s loop for a micro-panel of 1 or 2 rows (the narrow tiles' and the one-row kernel's), eight depths
    /// at a time without a branch per depth: the depths where a row is not zero are moved to the front of the vectors of
    /// depth indices and of values by one permutation (<see cref="LeftPack"/>, by the 8-bit mask), the two rows' values
    /// interleaved, and stored whole; the count advances by the mask's population. The stores reach up to 14 floats and 7
    /// indices past the panel's last listed depth, into room the next panel overwrites or the buffers' slack
    /// (<see cref="PackSlack"/>). The same values in the same order as the loop over the mask's bits, which took 2.9% of a
    /// 10,000-row fit (AVX2 path, AMD EPYC Zen 5). Returns the first depth not packed.
    /// </summary>
    private static int PackNarrowDepths(float* source, int mr, int depth, int lda, float* background, float* packed, int* list, ref int count)
    {
        int p = 0;
        var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        for (; p <= depth - 8; p += 8)
        {
            var shift = background is null ? Vector256<float>.Zero : Avx.LoadVector256(background + p);
            var first = Avx.Subtract(Avx.LoadVector256(source + p), shift);
            var second = mr == 2 ? Avx.Subtract(Avx.LoadVector256(source + lda + p), shift) : Vector256<float>.Zero;
            uint bits = (~(Vector256.Equals(first, Vector256<float>.Zero) & Vector256.Equals(second, Vector256<float>.Zero))).ExtractMostSignificantBits();
            if (bits == 0)
            {
                continue;
            }

            var order = LeftPack[bits];
            Avx.Store(list + count, Avx2.PermuteVar8x32(lanes + Vector256.Create(p), order));
            var firstPacked = Avx2.PermuteVar8x32(first, order);
            if (mr == 2)
            {
                var secondPacked = Avx2.PermuteVar8x32(second, order);
                var low = Avx.UnpackLow(firstPacked, secondPacked);
                var high = Avx.UnpackHigh(firstPacked, secondPacked);
                float* target = packed + (2 * (nint)count);
                Avx.Store(target, Avx.Permute2x128(low, high, 0x20));
                Avx.Store(target + 8, Avx.Permute2x128(low, high, 0x31));
            }
            else
            {
                Avx.Store(packed + count, firstPacked);
            }

            count += BitOperations.PopCount(bits);
        }

        return p;
    }

    /// <summary>Room past the packed values and depth lists for <see cref="PackNarrowDepths"/>'s whole-vector stores.</summary>
    private const int PackSlack = 16;

    /// <summary>For each 8-bit mask, the lanes whose bit is set, in order, then the others: a permutation that packs them left.</summary>
    private static readonly Vector256<int>[] LeftPack = CreateLeftPack();

    private static Vector256<int>[] CreateLeftPack()
    {
        var table = new Vector256<int>[256];
        Span<int> order = stackalloc int[8];
        for (int mask = 0; mask < 256; mask++)
        {
            int n = 0;
            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    order[n++] = lane;
                }
            }

            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) == 0)
                {
                    order[n++] = lane;
                }
            }

            table[mask] = Vector256.Create<int>(order);
        }

        return table;
    }

    /// <summary>The <paramref name="mr"/> values of one depth of a micro-panel, row after row, translated by the background.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyDepth(float* source, int lda, int mr, int p, float* background, float* target)
    {
        float shift = background is null ? 0f : background[p];
        for (int r = 0; r < mr; r++)
        {
            target[r] = source[((nint)r * lda) + p] - shift;
        }
    }

    private static T[] Scratch<T>(ref T[]? slot, long length)
    {
        if (slot is null || slot.Length < length)
        {
            slot = GC.AllocateUninitializedArray<T>((int)Math.Max(length, 1024));
        }

        return slot;
    }

    private static void Validate(long aLength, int m, int k, PackedRows b, int bStart, int bEnd, int cLength, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        if (k != b.Columns)
        {
            throw new ArgumentException($"The depth k = {k} differs from the {b.Columns} columns of the packed rows.", nameof(k));
        }

        if ((long)m * k > aLength)
        {
            throw new ArgumentException($"A holds {aLength} values, fewer than {m} rows × {k} columns.", "a");
        }

        if (bStart < 0 || bStart > bEnd || bEnd > b.Rows)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bStart), $"The row range [{bStart}, {bEnd}) is not inside the {b.Rows} packed rows.");
        }

        int n = bEnd - bStart;
        if (ldc < n)
        {
            throw new ArgumentOutOfRangeException(nameof(ldc), ldc, $"The output row stride must be at least {n}.");
        }

        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLength)
        {
            throw new ArgumentException(
                $"The output holds {cLength} values, fewer than the {(long)(m - 1) * ldc + n} needed for {m} rows of stride {ldc}.", "c");
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    private static int RoundUp(int x, int multiple) => CeilDiv(x, multiple) * multiple;
}

/// <summary>Cache blocking of <see cref="DotProducts"/>; it changes speed only, never results.</summary>
/// <param name="MaxDepthBlock">The largest depth block kc; k is cut into equal blocks no longer than this.</param>
/// <param name="RowBlock">Rows of A packed together (mc), a multiple of 6.</param>
/// <param name="PanelBlock">B panels visited per outer block (nc / 16).</param>
internal readonly record struct Blocking(int MaxDepthBlock, int RowBlock, int PanelBlock);

/// <summary>The instruction sets the micro-kernels come in; all give identical results.</summary>
internal enum KernelSet
{
    /// <summary>Scalar code with <see cref="MathF.FusedMultiplyAdd"/>: runs anywhere.</summary>
    Portable,

    /// <summary>AVX2 + FMA, 6 × 16 tiles in 256-bit registers.</summary>
    Avx2,

    /// <summary>AVX-512F, 12 × 32 tiles in 512-bit registers.</summary>
    Avx512,
}

/// <summary>Which <see cref="KernelSet"/> values this processor runs, and the fastest of them.</summary>
internal static class KernelSets
{
    /// <summary>
    /// Whether this processor runs 512-bit fused multiply–adds at half the rate of 256-bit ones: an AMD Zen 4 (family 25).
    /// Read from CPUID on each call, not stored: <see cref="Best"/>'s initializer reads it, and a stored value declared
    /// after <see cref="Best"/> would still be false then (static initializers run in the order written; 0c355ea had it so,
    /// which left a Zen 4 on the AVX-512 kernels).
    /// </summary>
    internal static bool HalfRate512 => IsAmdFamily(25);

    /// <summary>
    /// The kernel set the products use: AVX-512 where its 512-bit fused multiply–adds run at full rate, else AVX2, else the
    /// portable kernel.
    /// </summary>
    /// <remarks>
    /// An AMD Zen 4 (family 25 with AVX-512) runs each 512-bit operation on its 256-bit units, so its AVX-512 kernels have
    /// AVX2's FMA rate (shared/notes: ≈ 220 GFLOP/s on 2 cores either way), and on sparse rows the AVX2 narrow tile walks
    /// fewer depths than the 12 × 32 tile (the union of 2 MNIST rows' inked pixels, about 220, against 12 rows' 390). On
    /// an AMD EPYC Zen 5 with full-rate AVX-512, kernel rows of 16 MNIST rows against 988 samples took 3.2–3.5 µs per row
    /// per 1,000 samples with the 12 × 32 tile and 4.3–4.6 µs with the narrow AVX2 one; at half the 512-bit rate the former
    /// would take about 6.5 µs. So a Zen 4 takes the AVX2 kernels. This is derived, not yet measured on a Zen 4
    /// (docs/benchmarks-log.md, thirteenth session, says how to check it); results are the same bits whichever set runs.
    /// </remarks>
    public static readonly KernelSet Best =
        MicroKernels512.Supported && !HalfRate512 ? KernelSet.Avx512 : MicroKernels.Avx2Supported ? KernelSet.Avx2 : KernelSet.Portable;

    /// <summary>Every kernel set this processor supports (the portable one always).</summary>
    public static IReadOnlyList<KernelSet> Supported { get; } =
        new[] { KernelSet.Portable, KernelSet.Avx2, KernelSet.Avx512 }.Where(IsSupported).ToArray();

    /// <summary>Whether the processor is an AMD one of the given family (CPUID leaf 1: base family, plus the extended family when the base is 15).</summary>
    private static bool IsAmdFamily(int family)
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }

        var (_, vendor1, vendor3, vendor2) = X86Base.CpuId(0, 0);
        bool amd = vendor1 == 0x68747541 && vendor2 == 0x69746E65 && vendor3 == 0x444D4163; // "Auth" "enti" "cAMD"
        int signature = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (signature >> 8) & 0xF;
        int actual = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        return amd && actual == family;
    }

    /// <summary>Whether <paramref name="kernels"/> can run on this processor.</summary>
    public static bool IsSupported(KernelSet kernels) => kernels switch
    {
        KernelSet.Avx512 => MicroKernels512.Supported,
        KernelSet.Avx2 => MicroKernels.Avx2Supported,
        _ => true,
    };
}
