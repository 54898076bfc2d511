using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Classifiers.LinearAlgebra;

internal readonly struct SevenRows : IRowCount { public static int Value => 7; }
internal readonly struct EightRows : IRowCount { public static int Value => 8; }
internal readonly struct NineRows : IRowCount { public static int Value => 9; }
internal readonly struct TenRows : IRowCount { public static int Value => 10; }
internal readonly struct ElevenRows : IRowCount { public static int Value => 11; }
internal readonly struct TwelveRows : IRowCount { public static int Value => 12; }

/// <summary>A panel count (1 or 2) known to the JIT as a constant.</summary>
internal interface IPanelCount
{
    static abstract int Value { get; }
}

internal readonly struct OnePanel : IPanelCount { public static int Value => 1; }
internal readonly struct TwoPanels : IPanelCount { public static int Value => 2; }

/// <summary>
/// The AVX-512 micro-kernels (used only where <see cref="Vector512.IsHardwareAccelerated"/>): a tile of up to 12 rows
/// of A by one or two B panels (16 or 32 columns), one 16-lane zmm accumulator per row and panel, so up to 24
/// accumulators of the 32 registers. Same numerical contract as <see cref="MicroKernels"/>: each output is the
/// chain acc ← fma(a_p, b_p, acc), so the results equal those of the AVX2 and portable kernels bit for bit.
/// </summary>
internal static unsafe class MicroKernels512
{
    internal const int MaxRows = 12;

    internal static bool Supported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Tile<TRows, TPanels, TDepth>(float* a, int* list, int steps, float* b, nint panelStride, float* c, nint ldc, bool accumulate)
        where TRows : struct, IRowCount
        where TPanels : struct, IPanelCount
        where TDepth : struct, IDepthWalk
    {
        int mr = TRows.Value;
        int np = TPanels.Value;
        Vector512<float> c0_0 = default, c0_1 = default, c1_0 = default, c1_1 = default, c2_0 = default, c2_1 = default, c3_0 = default, c3_1 = default, c4_0 = default, c4_1 = default, c5_0 = default, c5_1 = default, c6_0 = default, c6_1 = default, c7_0 = default, c7_1 = default, c8_0 = default, c8_1 = default, c9_0 = default, c9_1 = default, c10_0 = default, c10_1 = default, c11_0 = default, c11_1 = default;
        if (accumulate)
        {
            { c0_0 = Avx512F.LoadVector512(c + 0 * ldc); if (np > 1) { c0_1 = Avx512F.LoadVector512(c + 0 * ldc + 16); } }
            if (mr > 1) { c1_0 = Avx512F.LoadVector512(c + 1 * ldc); if (np > 1) { c1_1 = Avx512F.LoadVector512(c + 1 * ldc + 16); } }
            if (mr > 2) { c2_0 = Avx512F.LoadVector512(c + 2 * ldc); if (np > 1) { c2_1 = Avx512F.LoadVector512(c + 2 * ldc + 16); } }
            if (mr > 3) { c3_0 = Avx512F.LoadVector512(c + 3 * ldc); if (np > 1) { c3_1 = Avx512F.LoadVector512(c + 3 * ldc + 16); } }
            if (mr > 4) { c4_0 = Avx512F.LoadVector512(c + 4 * ldc); if (np > 1) { c4_1 = Avx512F.LoadVector512(c + 4 * ldc + 16); } }
            if (mr > 5) { c5_0 = Avx512F.LoadVector512(c + 5 * ldc); if (np > 1) { c5_1 = Avx512F.LoadVector512(c + 5 * ldc + 16); } }
            if (mr > 6) { c6_0 = Avx512F.LoadVector512(c + 6 * ldc); if (np > 1) { c6_1 = Avx512F.LoadVector512(c + 6 * ldc + 16); } }
            if (mr > 7) { c7_0 = Avx512F.LoadVector512(c + 7 * ldc); if (np > 1) { c7_1 = Avx512F.LoadVector512(c + 7 * ldc + 16); } }
            if (mr > 8) { c8_0 = Avx512F.LoadVector512(c + 8 * ldc); if (np > 1) { c8_1 = Avx512F.LoadVector512(c + 8 * ldc + 16); } }
            if (mr > 9) { c9_0 = Avx512F.LoadVector512(c + 9 * ldc); if (np > 1) { c9_1 = Avx512F.LoadVector512(c + 9 * ldc + 16); } }
            if (mr > 10) { c10_0 = Avx512F.LoadVector512(c + 10 * ldc); if (np > 1) { c10_1 = Avx512F.LoadVector512(c + 10 * ldc + 16); } }
            if (mr > 11) { c11_0 = Avx512F.LoadVector512(c + 11 * ldc); if (np > 1) { c11_1 = Avx512F.LoadVector512(c + 11 * ldc + 16); } }
        }

        for (int e = 0; e < steps; e++)
        {
            float* bp = b + ((nint)TDepth.At(list, e) * PackedRows.PanelWidth);
            if (typeof(TDepth) == typeof(ListedDepths))
            {
                float* ahead = b + ((nint)TDepth.At(list, e + MicroKernels.PrefetchDepths) * PackedRows.PanelWidth);
                Sse.Prefetch0(ahead);
                if (np > 1)
                {
                    Sse.Prefetch0(ahead + panelStride);
                }
            }

            Vector512<float> b0v = Avx512F.LoadAlignedVector512(bp);
            Vector512<float> b1v = np > 1 ? Avx512F.LoadAlignedVector512(bp + panelStride) : default;
            Vector512<float> ar;
            { ar = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c0_0); if (np > 1) { c0_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c0_1); } }
            if (mr > 1) { ar = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c1_0); if (np > 1) { c1_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c1_1); } }
            if (mr > 2) { ar = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c2_0); if (np > 1) { c2_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c2_1); } }
            if (mr > 3) { ar = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c3_0); if (np > 1) { c3_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c3_1); } }
            if (mr > 4) { ar = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c4_0); if (np > 1) { c4_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c4_1); } }
            if (mr > 5) { ar = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c5_0); if (np > 1) { c5_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c5_1); } }
            if (mr > 6) { ar = Vector512.Create(a[6]); c6_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c6_0); if (np > 1) { c6_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c6_1); } }
            if (mr > 7) { ar = Vector512.Create(a[7]); c7_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c7_0); if (np > 1) { c7_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c7_1); } }
            if (mr > 8) { ar = Vector512.Create(a[8]); c8_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c8_0); if (np > 1) { c8_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c8_1); } }
            if (mr > 9) { ar = Vector512.Create(a[9]); c9_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c9_0); if (np > 1) { c9_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c9_1); } }
            if (mr > 10) { ar = Vector512.Create(a[10]); c10_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c10_0); if (np > 1) { c10_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c10_1); } }
            if (mr > 11) { ar = Vector512.Create(a[11]); c11_0 = Avx512F.FusedMultiplyAdd(ar, b0v, c11_0); if (np > 1) { c11_1 = Avx512F.FusedMultiplyAdd(ar, b1v, c11_1); } }
            a += mr;
        }

        { Avx512F.Store(c + 0 * ldc, c0_0); if (np > 1) { Avx512F.Store(c + 0 * ldc + 16, c0_1); } }
        if (mr > 1) { Avx512F.Store(c + 1 * ldc, c1_0); if (np > 1) { Avx512F.Store(c + 1 * ldc + 16, c1_1); } }
        if (mr > 2) { Avx512F.Store(c + 2 * ldc, c2_0); if (np > 1) { Avx512F.Store(c + 2 * ldc + 16, c2_1); } }
        if (mr > 3) { Avx512F.Store(c + 3 * ldc, c3_0); if (np > 1) { Avx512F.Store(c + 3 * ldc + 16, c3_1); } }
        if (mr > 4) { Avx512F.Store(c + 4 * ldc, c4_0); if (np > 1) { Avx512F.Store(c + 4 * ldc + 16, c4_1); } }
        if (mr > 5) { Avx512F.Store(c + 5 * ldc, c5_0); if (np > 1) { Avx512F.Store(c + 5 * ldc + 16, c5_1); } }
        if (mr > 6) { Avx512F.Store(c + 6 * ldc, c6_0); if (np > 1) { Avx512F.Store(c + 6 * ldc + 16, c6_1); } }
        if (mr > 7) { Avx512F.Store(c + 7 * ldc, c7_0); if (np > 1) { Avx512F.Store(c + 7 * ldc + 16, c7_1); } }
        if (mr > 8) { Avx512F.Store(c + 8 * ldc, c8_0); if (np > 1) { Avx512F.Store(c + 8 * ldc + 16, c8_1); } }
        if (mr > 9) { Avx512F.Store(c + 9 * ldc, c9_0); if (np > 1) { Avx512F.Store(c + 9 * ldc + 16, c9_1); } }
        if (mr > 10) { Avx512F.Store(c + 10 * ldc, c10_0); if (np > 1) { Avx512F.Store(c + 10 * ldc + 16, c10_1); } }
        if (mr > 11) { Avx512F.Store(c + 11 * ldc, c11_0); if (np > 1) { Avx512F.Store(c + 11 * ldc + 16, c11_1); } }
    }

    /// <summary>
    /// Dispatches to the kernel specialised for <paramref name="mr"/> rows (1 to 12) and <paramref name="panels"/> panels
    /// (1 or 2) over <paramref name="steps"/> packed depth steps: every depth when <paramref name="list"/> is null, else
    /// the listed ones.
    /// </summary>
    internal static void Tile(float* a, int mr, int* list, int steps, float* b, nint panelStride, int panels, float* c, nint ldc, bool accumulate)
    {
        if (list is null)
        {
            Tile<AllDepths>(a, mr, null, steps, b, panelStride, panels, c, ldc, accumulate);
        }
        else
        {
            Tile<ListedDepths>(a, mr, list, steps, b, panelStride, panels, c, ldc, accumulate);
        }
    }

    private static void Tile<TDepth>(float* a, int mr, int* list, int steps, float* b, nint panelStride, int panels, float* c, nint ldc, bool accumulate)
        where TDepth : struct, IDepthWalk
    {
        if (panels == 2)
        {
            Tile<TwoPanels, TDepth>(a, mr, list, steps, b, panelStride, c, ldc, accumulate);
        }
        else
        {
            Tile<OnePanel, TDepth>(a, mr, list, steps, b, panelStride, c, ldc, accumulate);
        }
    }

    private static void Tile<TPanels, TDepth>(float* a, int mr, int* list, int steps, float* b, nint panelStride, float* c, nint ldc, bool accumulate)
        where TPanels : struct, IPanelCount
        where TDepth : struct, IDepthWalk
    {
        switch (mr)
        {
            case 12: Tile<TwelveRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 11: Tile<ElevenRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 10: Tile<TenRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 9: Tile<NineRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 8: Tile<EightRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 7: Tile<SevenRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 6: Tile<SixRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 5: Tile<FiveRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 4: Tile<FourRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 3: Tile<ThreeRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            case 2: Tile<TwoRows, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
            default: Tile<OneRow, TPanels, TDepth>(a, list, steps, b, panelStride, c, ldc, accumulate); break;
        }
    }
}
