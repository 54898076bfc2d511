using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Classifiers.LinearAlgebra;

/// <summary>A row count known to the JIT as a constant, so that one generic kernel compiles to one specialised kernel per count.</summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct OneRow : IRowCount { public static int Value => 1; }
internal readonly struct TwoRows : IRowCount { public static int Value => 2; }
internal readonly struct ThreeRows : IRowCount { public static int Value => 3; }
internal readonly struct FourRows : IRowCount { public static int Value => 4; }
internal readonly struct FiveRows : IRowCount { public static int Value => 5; }
internal readonly struct SixRows : IRowCount { public static int Value => 6; }

/// <summary>
/// How a micro-kernel walks the depth of a packed A micro-panel, known to the JIT as a constant: every depth index in
/// order (<see cref="AllDepths"/>), or only those listed (<see cref="ListedDepths"/>), where the panel's rows are not all
/// zero (see <see cref="DotProducts"/>).
/// </summary>
internal unsafe interface IDepthWalk
{
    /// <summary>The depth index of the <paramref name="e"/>-th packed step.</summary>
    static abstract int At(int* list, int e);
}

/// <summary>Packed step e is depth e.</summary>
internal readonly unsafe struct AllDepths : IDepthWalk { public static int At(int* list, int e) => e; }

/// <summary>Packed step e is depth list[e].</summary>
internal readonly unsafe struct ListedDepths : IDepthWalk { public static int At(int* list, int e) => list[e]; }

/// <summary>
/// The register-blocked micro-kernels: each computes a tile of dot products C[r, j] for r &lt; mr rows of a packed
/// A micro-panel and the 16 rows j of one packed B panel, over a block of depth.
/// </summary>
/// <remarks>
/// <para>
/// Outer-product form (GotoBLAS/BLIS): for each depth index p, the 16 values of the B panel are loaded as two
/// 8-lane vectors, each A value is broadcast, and one fused multiply–add per (row, vector) updates the tile held
/// in registers. With mr = 6 that is 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers,
/// 12 FMAs for 8 loads per depth step, which keeps both FMA pipes busy.
/// </para>
/// <para>
/// Numerical contract shared by every kernel here (and the portable fallback): each output element is the chain
/// acc ← fma(a_p, b_p, acc) for p = 0, 1, …, k−1 starting from acc = 0, in exactly that order, with one
/// rounding per step. A later depth block continues the chain by loading the partial sums back into the
/// accumulators (<c>accumulate</c>), so the result does not depend on the depth blocking, the tile shape, the
/// partitioning between threads or the instruction set: it is bit-for-bit reproducible.
/// </para>
/// </remarks>
internal static unsafe class MicroKernels
{
    internal const int MaxRows = 6;
    internal const int Width = PackedRows.PanelWidth;

    /// <summary>
    /// How many listed depths ahead the kernels prefetch B's line (<see cref="ListedDepths"/>). A listed walk skips the
    /// depths where the A panel is zero, so it reads B's 64-byte lines with gaps the hardware prefetcher does not follow,
    /// and a kernel row's B (a class's packed samples: 3 MB on 10,000 rows, 19 MB on 60,000) comes from L3. Prefetching
    /// 32 listed depths (2 KB) ahead took a 50,000-row fit from 6.10 / 6.24 s to 5.35 / 5.65 s on the AVX2 path and from
    /// 5.03 / 5.18 s to 4.79 / 4.74 s on AVX-512 (two alternated runs each, Intel Xeon); 16 and 64 ahead gained less, and
    /// the same in the one-row kernel (<see cref="RowTimesFourPanels"/>) nothing. The whole-depth walk, read in order,
    /// needs none.
    /// A list is read that far past its last step, so every depth list is allocated with that many more entries
    /// (their values are then arbitrary: a prefetch of any address never faults).
    /// </summary>
    internal const int PrefetchDepths = 32;

    internal static bool Avx2Supported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>
    /// C[r·ldc + j] (+)= Σ_e a[e·mr + r] · b[p_e·16 + j] for r &lt; mr, j &lt; 16, e &lt; <paramref name="steps"/>, where
    /// p_e is e (<see cref="AllDepths"/>) or <paramref name="list"/>[e] (<see cref="ListedDepths"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TileAvx2<TRows, TDepth>(float* a, int* list, int steps, float* b, float* c, nint ldc, bool accumulate)
        where TRows : struct, IRowCount
        where TDepth : struct, IDepthWalk
    {
        int mr = TRows.Value;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (accumulate)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8);
            if (mr > 1) { c10 = Avx.LoadVector256(c + ldc); c11 = Avx.LoadVector256(c + ldc + 8); }
            if (mr > 2) { c20 = Avx.LoadVector256(c + 2 * ldc); c21 = Avx.LoadVector256(c + 2 * ldc + 8); }
            if (mr > 3) { c30 = Avx.LoadVector256(c + 3 * ldc); c31 = Avx.LoadVector256(c + 3 * ldc + 8); }
            if (mr > 4) { c40 = Avx.LoadVector256(c + 4 * ldc); c41 = Avx.LoadVector256(c + 4 * ldc + 8); }
            if (mr > 5) { c50 = Avx.LoadVector256(c + 5 * ldc); c51 = Avx.LoadVector256(c + 5 * ldc + 8); }
        }

        for (int e = 0; e < steps; e++)
        {
            float* bp = b + ((nint)TDepth.At(list, e) * Width);
            if (typeof(TDepth) == typeof(ListedDepths))
            {
                Sse.Prefetch0(b + ((nint)TDepth.At(list, e + PrefetchDepths) * Width));
            }

            Vector256<float> b0 = Avx.LoadAlignedVector256(bp);
            Vector256<float> b1 = Avx.LoadAlignedVector256(bp + 8);
            Vector256<float> ar = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(ar, b0, c00); c01 = Fma.MultiplyAdd(ar, b1, c01);
            if (mr > 1)
            {
                ar = Avx.BroadcastScalarToVector256(a + 1);
                c10 = Fma.MultiplyAdd(ar, b0, c10); c11 = Fma.MultiplyAdd(ar, b1, c11);
            }

            if (mr > 2)
            {
                ar = Avx.BroadcastScalarToVector256(a + 2);
                c20 = Fma.MultiplyAdd(ar, b0, c20); c21 = Fma.MultiplyAdd(ar, b1, c21);
            }

            if (mr > 3)
            {
                ar = Avx.BroadcastScalarToVector256(a + 3);
                c30 = Fma.MultiplyAdd(ar, b0, c30); c31 = Fma.MultiplyAdd(ar, b1, c31);
            }

            if (mr > 4)
            {
                ar = Avx.BroadcastScalarToVector256(a + 4);
                c40 = Fma.MultiplyAdd(ar, b0, c40); c41 = Fma.MultiplyAdd(ar, b1, c41);
            }

            if (mr > 5)
            {
                ar = Avx.BroadcastScalarToVector256(a + 5);
                c50 = Fma.MultiplyAdd(ar, b0, c50); c51 = Fma.MultiplyAdd(ar, b1, c51);
            }

            a += mr;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01);
        if (mr > 1) { Avx.Store(c + ldc, c10); Avx.Store(c + ldc + 8, c11); }
        if (mr > 2) { Avx.Store(c + 2 * ldc, c20); Avx.Store(c + 2 * ldc + 8, c21); }
        if (mr > 3) { Avx.Store(c + 3 * ldc, c30); Avx.Store(c + 3 * ldc + 8, c31); }
        if (mr > 4) { Avx.Store(c + 4 * ldc, c40); Avx.Store(c + 4 * ldc + 8, c41); }
        if (mr > 5) { Avx.Store(c + 5 * ldc, c50); Avx.Store(c + 5 * ldc + 8, c51); }
    }

    /// <summary>The rows of A in a narrow tile (<see cref="NarrowTile"/>).</summary>
    internal const int NarrowRows = 2;

    /// <summary>The B panels of a narrow tile (<see cref="NarrowTile"/>): 48 columns.</summary>
    internal const int NarrowPanels = 3;

    /// <summary>
    /// C[r·ldc + j] (+)= Σ_e a[e·mr + r] · b[p_e] for r &lt; mr ≤ 2 rows and the 48 columns j of three consecutive B panels
    /// (<paramref name="panelStride"/> apart): the tile for sparse rows. Its listed depths are the union of 2 rows' inked
    /// ones instead of 6 (MNIST: about 220 of 784 against 330), so it does a third fewer fused multiply–adds than the
    /// 6 × 16 tile for the same outputs, for the same 8 loads per 12 of them (6 of B, 2 broadcasts of A). Each B vector
    /// is loaded just before its two uses: 12 accumulators, 2 broadcasts and 1 B vector are 15 of the 16 registers.
    /// The chains are those of <see cref="TileAvx2{TRows, TDepth}"/>, so the results are the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void NarrowTile<TRows, TDepth>(float* a, int* list, int steps, float* b, nint panelStride, float* c, nint ldc, bool accumulate)
        where TRows : struct, IRowCount
        where TDepth : struct, IDepthWalk
    {
        int mr = TRows.Value;
        float* c1 = c + ldc;
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default, c04 = default, c05 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        if (accumulate)
        {
            c00 = Avx.LoadVector256(c); c01 = Avx.LoadVector256(c + 8); c02 = Avx.LoadVector256(c + 16);
            c03 = Avx.LoadVector256(c + 24); c04 = Avx.LoadVector256(c + 32); c05 = Avx.LoadVector256(c + 40);
            if (mr > 1)
            {
                c10 = Avx.LoadVector256(c1); c11 = Avx.LoadVector256(c1 + 8); c12 = Avx.LoadVector256(c1 + 16);
                c13 = Avx.LoadVector256(c1 + 24); c14 = Avx.LoadVector256(c1 + 32); c15 = Avx.LoadVector256(c1 + 40);
            }
        }

        for (int e = 0; e < steps; e++)
        {
            float* b0 = b + ((nint)TDepth.At(list, e) * Width), b1 = b0 + panelStride, b2 = b1 + panelStride;
            if (typeof(TDepth) == typeof(ListedDepths))
            {
                float* ahead = b + ((nint)TDepth.At(list, e + PrefetchDepths) * Width);
                Sse.Prefetch0(ahead);
                Sse.Prefetch0(ahead + panelStride);
                Sse.Prefetch0(ahead + (2 * panelStride));
            }

            Vector256<float> a0 = Avx.BroadcastScalarToVector256(a);
            Vector256<float> a1 = mr > 1 ? Avx.BroadcastScalarToVector256(a + 1) : default;
            Vector256<float> bv = Avx.LoadAlignedVector256(b0);
            c00 = Fma.MultiplyAdd(a0, bv, c00);
            if (mr > 1) { c10 = Fma.MultiplyAdd(a1, bv, c10); }
            bv = Avx.LoadAlignedVector256(b0 + 8);
            c01 = Fma.MultiplyAdd(a0, bv, c01);
            if (mr > 1) { c11 = Fma.MultiplyAdd(a1, bv, c11); }
            bv = Avx.LoadAlignedVector256(b1);
            c02 = Fma.MultiplyAdd(a0, bv, c02);
            if (mr > 1) { c12 = Fma.MultiplyAdd(a1, bv, c12); }
            bv = Avx.LoadAlignedVector256(b1 + 8);
            c03 = Fma.MultiplyAdd(a0, bv, c03);
            if (mr > 1) { c13 = Fma.MultiplyAdd(a1, bv, c13); }
            bv = Avx.LoadAlignedVector256(b2);
            c04 = Fma.MultiplyAdd(a0, bv, c04);
            if (mr > 1) { c14 = Fma.MultiplyAdd(a1, bv, c14); }
            bv = Avx.LoadAlignedVector256(b2 + 8);
            c05 = Fma.MultiplyAdd(a0, bv, c05);
            if (mr > 1) { c15 = Fma.MultiplyAdd(a1, bv, c15); }
            a += mr;
        }

        Avx.Store(c, c00); Avx.Store(c + 8, c01); Avx.Store(c + 16, c02);
        Avx.Store(c + 24, c03); Avx.Store(c + 32, c04); Avx.Store(c + 40, c05);
        if (mr > 1)
        {
            Avx.Store(c1, c10); Avx.Store(c1 + 8, c11); Avx.Store(c1 + 16, c12);
            Avx.Store(c1 + 24, c13); Avx.Store(c1 + 32, c14); Avx.Store(c1 + 40, c15);
        }
    }

    /// <summary>
    /// Dispatches <see cref="NarrowTile{TRows, TDepth}"/> for <paramref name="mr"/> rows (1 or 2): every depth when
    /// <paramref name="list"/> is null, else the listed ones.
    /// </summary>
    internal static void NarrowTile(float* a, int mr, int* list, int steps, float* b, nint panelStride, float* c, nint ldc, bool accumulate)
    {
        if (list is null)
        {
            if (mr == 2) { NarrowTile<TwoRows, AllDepths>(a, null, steps, b, panelStride, c, ldc, accumulate); }
            else { NarrowTile<OneRow, AllDepths>(a, null, steps, b, panelStride, c, ldc, accumulate); }
        }
        else if (mr == 2)
        {
            NarrowTile<TwoRows, ListedDepths>(a, list, steps, b, panelStride, c, ldc, accumulate);
        }
        else
        {
            NarrowTile<OneRow, ListedDepths>(a, list, steps, b, panelStride, c, ldc, accumulate);
        }
    }

    /// <summary>
    /// One row of A against four consecutive B panels (64 outputs, contiguous in C): a matrix–vector product
    /// needs more independent accumulators than the 1 × 16 tile offers to hide the FMA latency. The row is packed as a
    /// one-row micro-panel: every depth (<paramref name="list"/> null) or the listed ones.
    /// </summary>
    internal static void RowTimesFourPanels(float* a, int* list, int steps, float* b, nint panelStride, float* c)
    {
        if (list is null)
        {
            RowTimesFourPanelsAvx2<AllDepths>(a, null, steps, b, panelStride, c);
        }
        else
        {
            RowTimesFourPanelsAvx2<ListedDepths>(a, list, steps, b, panelStride, c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimesFourPanelsAvx2<TDepth>(float* a, int* list, int steps, float* b, nint panelStride, float* c)
        where TDepth : struct, IDepthWalk
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector256<float> c4 = default, c5 = default, c6 = default, c7 = default;
        for (int e = 0; e < steps; e++)
        {
            float* b0 = b + ((nint)TDepth.At(list, e) * Width), b1 = b0 + panelStride, b2 = b1 + panelStride, b3 = b2 + panelStride;
            Vector256<float> ar = Avx.BroadcastScalarToVector256(a + e);
            c0 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b0), c0);
            c1 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b0 + 8), c1);
            c2 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b1), c2);
            c3 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b1 + 8), c3);
            c4 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b2), c4);
            c5 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b2 + 8), c5);
            c6 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b3), c6);
            c7 = Fma.MultiplyAdd(ar, Avx.LoadAlignedVector256(b3 + 8), c7);
        }

        Avx.Store(c, c0); Avx.Store(c + 8, c1); Avx.Store(c + 16, c2); Avx.Store(c + 24, c3);
        Avx.Store(c + 32, c4); Avx.Store(c + 40, c5); Avx.Store(c + 48, c6); Avx.Store(c + 56, c7);
    }

    /// <summary>
    /// The portable kernel (no AVX2/FMA): the same tile and the same chain of fused multiply–adds per element as
    /// <see cref="TileAvx2{TRows}"/>, so the results are identical, only slower.
    /// </summary>
    internal static void TilePortable(float* a, int mr, int* list, int steps, float* b, float* c, nint ldc, bool accumulate)
    {
        float* acc = stackalloc float[MaxRows * Width];
        for (int r = 0; r < mr; r++)
        {
            for (int j = 0; j < Width; j++)
            {
                acc[r * Width + j] = accumulate ? c[r * ldc + j] : 0f;
            }
        }

        for (int e = 0; e < steps; e++)
        {
            float* bp = b + ((list is null ? e : list[e]) * Width);
            for (int r = 0; r < mr; r++)
            {
                float ar = a[e * mr + r];
                float* row = acc + r * Width;
                for (int j = 0; j < Width; j++)
                {
                    row[j] = MathF.FusedMultiplyAdd(ar, bp[j], row[j]);
                }
            }
        }

        for (int r = 0; r < mr; r++)
        {
            for (int j = 0; j < Width; j++)
            {
                c[r * ldc + j] = acc[r * Width + j];
            }
        }
    }

    /// <summary>
    /// Dispatches to the kernel specialised for <paramref name="mr"/> rows (1 to 6) over <paramref name="steps"/> packed
    /// depth steps: every depth when <paramref name="list"/> is null, else the listed ones.
    /// </summary>
    internal static void Tile(float* a, int mr, int* list, int steps, float* b, float* c, nint ldc, bool accumulate, bool avx2)
    {
        if (!avx2)
        {
            TilePortable(a, mr, list, steps, b, c, ldc, accumulate);
        }
        else if (list is null)
        {
            TileAvx2<AllDepths>(a, mr, null, steps, b, c, ldc, accumulate);
        }
        else
        {
            TileAvx2<ListedDepths>(a, mr, list, steps, b, c, ldc, accumulate);
        }
    }

    private static void TileAvx2<TDepth>(float* a, int mr, int* list, int steps, float* b, float* c, nint ldc, bool accumulate)
        where TDepth : struct, IDepthWalk
    {
        switch (mr)
        {
            case 6: TileAvx2<SixRows, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
            case 5: TileAvx2<FiveRows, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
            case 4: TileAvx2<FourRows, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
            case 3: TileAvx2<ThreeRows, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
            case 2: TileAvx2<TwoRows, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
            default: TileAvx2<OneRow, TDepth>(a, list, steps, b, c, ldc, accumulate); break;
        }
    }
}
