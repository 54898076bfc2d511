using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Svm;

/// <summary>The solution of one two-class dual problem.</summary>
/// <param name="Alpha">α_i ≥ 0 for every sample of the problem, in the problem's order.</param>
/// <param name="Rho">The threshold ρ: the decision value is Σ α_i y_i K(x_i, x) − ρ.</param>
/// <param name="Objective">The dual objective ½ αᵀQα − eᵀα at the solution (LIBSVM's "obj").</param>
/// <param name="Iterations">The SMO iterations taken.</param>
/// <param name="KernelRowsComputed">Kernel rows computed (on demand and ahead of need).</param>
/// <param name="ReachedIterationLimit">True when the iteration limit stopped the solver before the tolerance was met.</param>
/// <param name="RowsPrefetched">Kernel rows computed ahead of need, in batches with a missing row.</param>
/// <param name="PrefetchedRowsUsed">Of those, the rows the solver later read.</param>
internal sealed record BinarySolution(double[] Alpha, double Rho, double Objective, long Iterations, long KernelRowsComputed, bool ReachedIterationLimit, long RowsPrefetched, long PrefetchedRowsUsed);

/// <summary>The widest SIMD vectors a scan may use; narrower paths exist for processors without the wider ones.</summary>
internal enum VectorWidth
{
    /// <summary>Plain scalar loops.</summary>
    Scalar = 0,

    /// <summary>At most 256-bit vectors (AVX2).</summary>
    Bits256 = 1,

    /// <summary>The widest the processor accelerates (512-bit where available).</summary>
    Widest = 2,
}

/// <summary>
/// Sequential minimal optimisation for the C-SVC dual
/// min ½ αᵀQα − eᵀα subject to yᵀα = 0, 0 ≤ α_i ≤ C_i, Q_ij = y_i y_j K_ij,
/// after Platt (1998), with the second-order working-set selection of Fan, Chen &amp; Lin (2005, "WSS 2"),
/// the shrinking heuristic and the stopping rule m(α) − M(α) &lt; ε of LIBSVM (Chang &amp; Lin 2011).
/// </summary>
/// <remarks>
/// <para>
/// The iterates are LIBSVM's; the bookkeeping is arranged for SIMD. The solver keeps v = −y ∘ ∇f, the quantity
/// both working-set rules compare, so that I_up and I_low become masks (0 or ∓∞ added to v) and the two selection
/// scans are branch-free vector loops over all l variables; the gradient step is v −= y_i Δα_i K_i + y_j Δα_j K_j
/// on plain kernel rows. v is kept exact for every variable, so shrinking only masks variables out of the scans,
/// never needs LIBSVM's gradient reconstruction, and kernel rows stay whole and valid in the cache.
/// </para>
/// </remarks>
internal static class SmoSolver
{
    private const double Tau = 1e-12;

    /// <summary>Solves the problem.</summary>
    /// <param name="q">The kernel matrix and labels.</param>
    /// <param name="cPositive">The upper bound C of the +1 samples' multipliers.</param>
    /// <param name="cNegative">The upper bound C of the −1 samples' multipliers.</param>
    /// <param name="tolerance">ε of the stopping rule m(α) − M(α) &lt; ε.</param>
    /// <param name="shrinking">Whether to shrink.</param>
    /// <param name="maxIterations">The iteration limit; 0 or less means LIBSVM's default, max(10⁷, 100·l).</param>
    /// <param name="vectorWidth">The widest vectors the scans may use (tests pin each code path; results are the same).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BinarySolution Solve(BinaryKernelProblem q, double cPositive, double cNegative, double tolerance, bool shrinking, long maxIterations, VectorWidth vectorWidth = VectorWidth.Widest)
    {
        var state = new State(q, cPositive, cNegative, vectorWidth);
        int l = q.Length;
        long limit = maxIterations > 0 ? maxIterations : Math.Max(10_000_000L, 100L * l);
        long iteration = 0;
        int counter = Math.Min(l, 1000) + 1;
        bool reachedLimit = false, unshrunk = false;
        var upCandidates = new TopCandidates(q.PrefetchWidth);
        var lowCandidates = new TopCandidates(q.PrefetchWidth);
        sbyte[] y = q.Labels;
        double[] alpha = state.Alpha, v = state.V, c = state.UpperBounds;
        ReadOnlySpan<double> kd = q.Diagonal;

        while (true)
        {
            if (iteration >= limit)
            {
                reachedLimit = true;
                break;
            }

            if (--counter == 0)
            {
                counter = Math.Min(l, 1000);
                if (shrinking)
                {
                    state.Shrink(tolerance, ref unshrunk);
                }
            }

            if (!state.SelectWorkingSet(tolerance, upCandidates, lowCandidates, out int i, out int j))
            {
                if (state.ActiveCount == l)
                {
                    break;
                }

                // Optimal on the shrunk problem: check the whole problem before stopping, as LIBSVM does.
                state.ActivateAll();
                if (!state.SelectWorkingSet(tolerance, upCandidates, lowCandidates, out i, out j))
                {
                    break;
                }

                counter = 1; // shrink again at the next iteration
            }

            iteration++;
            float[] ki = q.GetRow(i, upCandidates.Indices);
            float[] kj = q.GetRow(j, lowCandidates.Indices, pinned: i);
            double ci = c[i], cj = c[j];
            double oldAi = alpha[i], oldAj = alpha[j];
            double gi = -y[i] * v[i], gj = -y[j] * v[j]; // ∇f_i, ∇f_j
            double qij = y[i] * y[j] * (double)ki[j];

            // The analytic two-variable step (Platt 1998), clipped to the box as in LIBSVM.
            if (y[i] != y[j])
            {
                double quad = kd[i] + kd[j] + 2.0 * qij;
                if (quad <= 0)
                {
                    quad = Tau;
                }

                double delta = (-gi - gj) / quad;
                double diff = alpha[i] - alpha[j];
                alpha[i] += delta;
                alpha[j] += delta;
                if (diff > 0)
                {
                    if (alpha[j] < 0)
                    {
                        alpha[j] = 0;
                        alpha[i] = diff;
                    }
                }
                else if (alpha[i] < 0)
                {
                    alpha[i] = 0;
                    alpha[j] = -diff;
                }

                if (diff > ci - cj)
                {
                    if (alpha[i] > ci)
                    {
                        alpha[i] = ci;
                        alpha[j] = ci - diff;
                    }
                }
                else if (alpha[j] > cj)
                {
                    alpha[j] = cj;
                    alpha[i] = cj + diff;
                }
            }
            else
            {
                double quad = kd[i] + kd[j] - 2.0 * qij;
                if (quad <= 0)
                {
                    quad = Tau;
                }

                double delta = (gi - gj) / quad;
                double sum = alpha[i] + alpha[j];
                alpha[i] -= delta;
                alpha[j] += delta;
                if (sum > ci)
                {
                    if (alpha[i] > ci)
                    {
                        alpha[i] = ci;
                        alpha[j] = sum - ci;
                    }
                }
                else if (alpha[j] < 0)
                {
                    alpha[j] = 0;
                    alpha[i] = sum;
                }

                if (sum > cj)
                {
                    if (alpha[j] > cj)
                    {
                        alpha[j] = cj;
                        alpha[i] = sum - cj;
                    }
                }
                else if (alpha[i] < 0)
                {
                    alpha[i] = 0;
                    alpha[j] = sum;
                }
            }

            // v = −y∘∇f and ∇f += Q_i Δα_i + Q_j Δα_j, so v −= y_i Δα_i K_i + y_j Δα_j K_j.
            UpdateV(v, ki, -y[i] * (alpha[i] - oldAi), kj, -y[j] * (alpha[j] - oldAj));
            state.UpdateMasks(i);
            state.UpdateMasks(j);
        }

        double rho = state.Rho();
        double objective = 0;
        for (int t = 0; t < l; t++)
        {
            objective += alpha[t] * (-y[t] * v[t] - 1.0);
        }

        return new BinarySolution(alpha, rho, objective / 2, iteration, q.CacheMisses + q.Prefetched, reachedLimit, q.Prefetched, q.PrefetchedUsed);
    }

    /// <summary>v += a K_i + b K_j over all l variables (float rows, double v), vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateV(double[] v, float[] ki, double a, float[] kj, double b)
    {
        int l = v.Length;
        int t = 0;
        if (Vector256.IsHardwareAccelerated && l >= 8)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            ref double g = ref MemoryMarshal.GetArrayDataReference(v);
            ref float ri = ref MemoryMarshal.GetArrayDataReference(ki);
            ref float rj = ref MemoryMarshal.GetArrayDataReference(kj);
            for (; t <= l - 8; t += 8)
            {
                var (iLow, iHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref ri, (nuint)t));
                var (jLow, jHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rj, (nuint)t));
                var g0 = Vector256.LoadUnsafe(ref g, (nuint)t);
                var g1 = Vector256.LoadUnsafe(ref g, (nuint)(t + 4));
                g0 = Vector256.FusedMultiplyAdd(jLow, vb, Vector256.FusedMultiplyAdd(iLow, va, g0));
                g1 = Vector256.FusedMultiplyAdd(jHigh, vb, Vector256.FusedMultiplyAdd(iHigh, va, g1));
                g0.StoreUnsafe(ref g, (nuint)t);
                g1.StoreUnsafe(ref g, (nuint)(t + 4));
            }
        }

        for (; t < l; t++)
        {
            v[t] = Math.FusedMultiplyAdd(kj[t], b, Math.FusedMultiplyAdd(ki[t], a, v[t]));
        }
    }

    /// <summary>The solver's per-variable state and the scans over it.</summary>
    private sealed class State
    {
        private readonly BinaryKernelProblem _problem;
        private readonly sbyte[] _y;
        private readonly double[] _upOffset;   // 0 when t ∈ I_up and active, −∞ otherwise
        private readonly double[] _lowOffset;  // 0 when t ∈ I_low and active, +∞ otherwise
        private readonly bool[] _active;
        private readonly bool _use512;
        private readonly bool _use256;

        public State(BinaryKernelProblem problem, double cPositive, double cNegative, VectorWidth vectorWidth)
        {
            _use512 = vectorWidth >= VectorWidth.Widest && Vector512.IsHardwareAccelerated;
            _use256 = vectorWidth >= VectorWidth.Bits256 && Vector256.IsHardwareAccelerated;
            _problem = problem;
            _y = problem.Labels;
            int l = problem.Length;
            Alpha = new double[l];
            V = new double[l];
            UpperBounds = new double[l];
            _upOffset = new double[l];
            _lowOffset = new double[l];
            _active = new bool[l];
            for (int t = 0; t < l; t++)
            {
                V[t] = _y[t]; // ∇f(0) = −e, so v = −y∘∇f = y
                UpperBounds[t] = _y[t] > 0 ? cPositive : cNegative;
                _active[t] = true;
                UpdateMasks(t);
            }

            ActiveCount = l;
        }

        public double[] Alpha { get; }

        /// <summary>v = −y∘∇f.</summary>
        public double[] V { get; }

        public double[] UpperBounds { get; }

        public int ActiveCount { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool InUp(int t) => _y[t] > 0 ? Alpha[t] < UpperBounds[t] : Alpha[t] > 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool InLow(int t) => _y[t] > 0 ? Alpha[t] > 0 : Alpha[t] < UpperBounds[t];

        public void UpdateMasks(int t)
        {
            _upOffset[t] = _active[t] && InUp(t) ? 0 : double.NegativeInfinity;
            _lowOffset[t] = _active[t] && InLow(t) ? 0 : double.PositiveInfinity;
        }

        public void ActivateAll()
        {
            Array.Fill(_active, true);
            for (int t = 0; t < _active.Length; t++)
            {
                UpdateMasks(t);
            }

            ActiveCount = _active.Length;
        }

        /// <summary>
        /// WSS 2 of Fan, Chen &amp; Lin (2005): i maximises v = −y∇f over I_up; j minimises the second-order decrease
        /// −b²/a, b = v_i − v_j &gt; 0, a = K_ii + K_jj − 2K_ij, over I_low. Returns false when
        /// m(α) − M(α) = max_{I_up} v + max_{I_low} (−v) &lt; ε. Ties go to the larger index, as LIBSVM's ≥ and ≤ do.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool SelectWorkingSet(double tolerance, TopCandidates upCandidates, TopCandidates lowCandidates, out int outI, out int outJ)
        {
            upCandidates.Clear();
            lowCandidates.Clear();
            outJ = -1;

            // The candidates for the next kernel batch are collected by a second pass, only when the row is missing.
            (double gMax, int i) = ArgMaxUp(TopCandidates.None);
            outI = i;
            if (i < 0 || double.IsNegativeInfinity(gMax))
            {
                outI = -1;
                return false;
            }

            if (!_problem.IsCached(i))
            {
                ArgMaxUp(upCandidates);
            }

            float[] ki = _problem.GetRow(i, upCandidates.Indices);
            (double objDiffMin, int j, double gMax2) = ArgMinLow(gMax, _problem.Diagonal[i], ki, TopCandidates.None);
            if (j >= 0 && !_problem.IsCached(j))
            {
                ArgMinLow(gMax, _problem.Diagonal[i], ki, lowCandidates);
            }

            if (gMax + gMax2 < tolerance || j < 0 || double.IsPositiveInfinity(objDiffMin))
            {
                return false;
            }

            outJ = j;
            return true;
        }

        // The two scans below exist at two widths: 512-bit vectors where the processor runs them natively (8 lanes),
        // 256-bit ones elsewhere (AVX2: 4 lanes). Each lane keeps its own best value and index; ties keep the later
        // index, and the lanes are merged the same way, which is what LIBSVM's scalar ≥ / ≤ scans choose.
        private (double Max, int Index) ArgMaxUp(TopCandidates candidates)
        {
            double best = double.NegativeInfinity;
            int bestIndex = -1;
            int t = _use512 ? ArgMaxUp512(candidates, ref best, ref bestIndex)
                : _use256 ? ArgMaxUp256(candidates, ref best, ref bestIndex)
                : 0;
            for (; t < V.Length; t++)
            {
                double key = V[t] + _upOffset[t];
                if (key >= best)
                {
                    best = key;
                    bestIndex = t;
                }

                if (key > candidates.Threshold && key > double.NegativeInfinity)
                {
                    candidates.Offer(key, t);
                }
            }

            return (best, bestIndex);
        }

        private int ArgMaxUp512(TopCandidates candidates, ref double best, ref int bestIndex)
        {
            int l = V.Length, t = 0;
            ref double v = ref MemoryMarshal.GetArrayDataReference(V);
            ref double up = ref MemoryMarshal.GetArrayDataReference(_upOffset);
            var bestValues = Vector512.Create(double.NegativeInfinity);
            var bestIndices = Vector512.Create(-1.0);
            var indices = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
            var step = Vector512.Create(8.0);
            var threshold = Vector512.Create(candidates.Threshold);
            Span<double> lanes = stackalloc double[8];
            for (; t <= l - 8; t += 8)
            {
                var key = Vector512.LoadUnsafe(ref v, (nuint)t) + Vector512.LoadUnsafe(ref up, (nuint)t);
                var better = Vector512.GreaterThanOrEqual(key, bestValues);
                bestValues = Vector512.ConditionalSelect(better, key, bestValues);
                bestIndices = Vector512.ConditionalSelect(better, indices, bestIndices);
                indices += step;
                if (Vector512.GreaterThanAny(key, threshold))
                {
                    key.CopyTo(lanes);
                    OfferLanes(lanes, t, candidates);
                    threshold = Vector512.Create(candidates.Threshold);
                }
            }

            Span<double> values = stackalloc double[8], at = stackalloc double[8];
            bestValues.CopyTo(values);
            bestIndices.CopyTo(at);
            MergeLanes(values, at, maximum: true, ref best, ref bestIndex);
            return t;
        }

        private int ArgMaxUp256(TopCandidates candidates, ref double best, ref int bestIndex)
        {
            int l = V.Length, t = 0;
            ref double v = ref MemoryMarshal.GetArrayDataReference(V);
            ref double up = ref MemoryMarshal.GetArrayDataReference(_upOffset);
            var bestValues = Vector256.Create(double.NegativeInfinity);
            var bestIndices = Vector256.Create(-1.0);
            var indices = Vector256.Create(0.0, 1, 2, 3);
            var step = Vector256.Create(4.0);
            var threshold = Vector256.Create(candidates.Threshold);
            Span<double> lanes = stackalloc double[4];
            for (; t <= l - 4; t += 4)
            {
                var key = Vector256.LoadUnsafe(ref v, (nuint)t) + Vector256.LoadUnsafe(ref up, (nuint)t);
                var better = Vector256.GreaterThanOrEqual(key, bestValues);
                bestValues = Vector256.ConditionalSelect(better, key, bestValues);
                bestIndices = Vector256.ConditionalSelect(better, indices, bestIndices);
                indices += step;
                if (Vector256.GreaterThanAny(key, threshold))
                {
                    key.CopyTo(lanes);
                    OfferLanes(lanes, t, candidates);
                    threshold = Vector256.Create(candidates.Threshold);
                }
            }

            Span<double> values = stackalloc double[4], at = stackalloc double[4];
            bestValues.CopyTo(values);
            bestIndices.CopyTo(at);
            MergeLanes(values, at, maximum: true, ref best, ref bestIndex);
            return t;
        }

        private (double ObjDiff, int Index, double GMax2) ArgMinLow(double gMax, double kii, float[] ki, TopCandidates candidates)
        {
            double best = double.PositiveInfinity, gMax2 = double.NegativeInfinity;
            int bestIndex = -1;
            int t = _use512 ? ArgMinLow512(gMax, kii, ki, candidates, ref best, ref bestIndex, ref gMax2)
                : _use256 ? ArgMinLow256(gMax, kii, ki, candidates, ref best, ref bestIndex, ref gMax2)
                : 0;
            ReadOnlySpan<double> diagonal = _problem.Diagonal;
            for (; t < V.Length; t++)
            {
                double offset = _lowOffset[t];
                gMax2 = Math.Max(gMax2, -V[t] - offset);
                double gradDiff = gMax - V[t];
                double quad = kii + diagonal[t] - 2.0 * ki[t];
                if (!(quad > 0))
                {
                    quad = Tau;
                }

                double objDiff = (gradDiff > 0 ? -(gradDiff * gradDiff) / quad : double.PositiveInfinity) + offset;
                if (objDiff <= best)
                {
                    best = objDiff;
                    bestIndex = t;
                }

                if (-objDiff > candidates.Threshold && objDiff < double.PositiveInfinity)
                {
                    candidates.Offer(-objDiff, t);
                }
            }

            return (best, bestIndex, gMax2);
        }

        private int ArgMinLow512(double gMax, double kii, float[] ki, TopCandidates candidates, ref double best, ref int bestIndex, ref double gMax2)
        {
            int l = V.Length, t = 0;
            ref double v = ref MemoryMarshal.GetArrayDataReference(V);
            ref double low = ref MemoryMarshal.GetArrayDataReference(_lowOffset);
            ref double diagonal = ref MemoryMarshal.GetReference(_problem.Diagonal);
            ref float row = ref MemoryMarshal.GetArrayDataReference(ki);
            var bestValues = Vector512.Create(double.PositiveInfinity);
            var bestIndices = Vector512.Create(-1.0);
            var maxima = Vector512.Create(double.NegativeInfinity);
            var indices = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
            var step = Vector512.Create(8.0);
            var gMaxVector = Vector512.Create(gMax);
            var kiiVector = Vector512.Create(kii);
            var tau = Vector512.Create(Tau);
            var infinity = Vector512.Create(double.PositiveInfinity);
            var threshold = Vector512.Create(candidates.Threshold);
            Span<double> lanes = stackalloc double[8];
            for (; t <= l - 8; t += 8)
            {
                var vv = Vector512.LoadUnsafe(ref v, (nuint)t);
                var offset = Vector512.LoadUnsafe(ref low, (nuint)t);
                maxima = Vector512.Max(maxima, -vv - offset);
                var gradDiff = gMaxVector - vv;
                var k = Vector512.WidenLower(Vector256.LoadUnsafe(ref row, (nuint)t).ToVector512());
                var quad = kiiVector + Vector512.LoadUnsafe(ref diagonal, (nuint)t) - k * 2.0;
                quad = Vector512.ConditionalSelect(Vector512.GreaterThan(quad, Vector512<double>.Zero), quad, tau);
                var objDiff = -(gradDiff * gradDiff) / quad;
                objDiff = Vector512.ConditionalSelect(Vector512.GreaterThan(gradDiff, Vector512<double>.Zero), objDiff, infinity) + offset;
                var better = Vector512.LessThanOrEqual(objDiff, bestValues);
                bestValues = Vector512.ConditionalSelect(better, objDiff, bestValues);
                bestIndices = Vector512.ConditionalSelect(better, indices, bestIndices);
                indices += step;
                var key = -objDiff;
                if (Vector512.GreaterThanAny(key, threshold))
                {
                    key.CopyTo(lanes);
                    OfferLanes(lanes, t, candidates);
                    threshold = Vector512.Create(candidates.Threshold);
                }
            }

            Span<double> lanesMax = stackalloc double[8];
            maxima.CopyTo(lanesMax);
            foreach (double m in lanesMax)
            {
                gMax2 = Math.Max(gMax2, m);
            }

            Span<double> values = stackalloc double[8], at = stackalloc double[8];
            bestValues.CopyTo(values);
            bestIndices.CopyTo(at);
            MergeLanes(values, at, maximum: false, ref best, ref bestIndex);
            return t;
        }

        private int ArgMinLow256(double gMax, double kii, float[] ki, TopCandidates candidates, ref double best, ref int bestIndex, ref double gMax2)
        {
            int l = V.Length, t = 0;
            ref double v = ref MemoryMarshal.GetArrayDataReference(V);
            ref double low = ref MemoryMarshal.GetArrayDataReference(_lowOffset);
            ref double diagonal = ref MemoryMarshal.GetReference(_problem.Diagonal);
            ref float row = ref MemoryMarshal.GetArrayDataReference(ki);
            var bestValues = Vector256.Create(double.PositiveInfinity);
            var bestIndices = Vector256.Create(-1.0);
            var maxima = Vector256.Create(double.NegativeInfinity);
            var indices = Vector256.Create(0.0, 1, 2, 3);
            var step = Vector256.Create(4.0);
            var gMaxVector = Vector256.Create(gMax);
            var kiiVector = Vector256.Create(kii);
            var tau = Vector256.Create(Tau);
            var infinity = Vector256.Create(double.PositiveInfinity);
            var threshold = Vector256.Create(candidates.Threshold);
            Span<double> lanes = stackalloc double[4];
            for (; t <= l - 4; t += 4)
            {
                var vv = Vector256.LoadUnsafe(ref v, (nuint)t);
                var offset = Vector256.LoadUnsafe(ref low, (nuint)t);
                maxima = Vector256.Max(maxima, -vv - offset);
                var gradDiff = gMaxVector - vv;
                var k = Vector256.WidenLower(Vector128.LoadUnsafe(ref row, (nuint)t).ToVector256());
                var quad = kiiVector + Vector256.LoadUnsafe(ref diagonal, (nuint)t) - k * 2.0;
                quad = Vector256.ConditionalSelect(Vector256.GreaterThan(quad, Vector256<double>.Zero), quad, tau);
                var objDiff = -(gradDiff * gradDiff) / quad;
                objDiff = Vector256.ConditionalSelect(Vector256.GreaterThan(gradDiff, Vector256<double>.Zero), objDiff, infinity) + offset;
                var better = Vector256.LessThanOrEqual(objDiff, bestValues);
                bestValues = Vector256.ConditionalSelect(better, objDiff, bestValues);
                bestIndices = Vector256.ConditionalSelect(better, indices, bestIndices);
                indices += step;
                var key = -objDiff;
                if (Vector256.GreaterThanAny(key, threshold))
                {
                    key.CopyTo(lanes);
                    OfferLanes(lanes, t, candidates);
                    threshold = Vector256.Create(candidates.Threshold);
                }
            }

            Span<double> lanesMax = stackalloc double[4];
            maxima.CopyTo(lanesMax);
            foreach (double m in lanesMax)
            {
                gMax2 = Math.Max(gMax2, m);
            }

            Span<double> values = stackalloc double[4], at = stackalloc double[4];
            bestValues.CopyTo(values);
            bestIndices.CopyTo(at);
            MergeLanes(values, at, maximum: false, ref best, ref bestIndex);
            return t;
        }

        private static void OfferLanes(ReadOnlySpan<double> keys, int first, TopCandidates candidates)
        {
            for (int lane = 0; lane < keys.Length; lane++)
            {
                if (keys[lane] > candidates.Threshold && keys[lane] > double.NegativeInfinity)
                {
                    candidates.Offer(keys[lane], first + lane);
                }
            }
        }

        private static void MergeLanes(ReadOnlySpan<double> values, ReadOnlySpan<double> indices, bool maximum, ref double best, ref int bestIndex)
        {
            for (int lane = 0; lane < values.Length; lane++)
            {
                int index = (int)indices[lane];
                double value = values[lane];
                bool wins = maximum ? value > best : value < best;
                if (index >= 0 && (wins || (value == best && index > bestIndex)))
                {
                    best = value;
                    bestIndex = index;
                }
            }
        }

        /// <summary>
        /// LIBSVM's shrinking (Joachims 1999; Chang &amp; Lin 2011, §5.2): a variable that can only be picked from one
        /// side and cannot violate at the current level leaves the scans; when the violation first falls under 10ε
        /// every variable comes back once.
        /// </summary>
        public void Shrink(double tolerance, ref bool unshrunk)
        {
            double gMax1 = double.NegativeInfinity; // max { v_t | t ∈ I_up }
            double gMax2 = double.NegativeInfinity; // max { −v_t | t ∈ I_low }
            for (int t = 0; t < V.Length; t++)
            {
                if (!_active[t])
                {
                    continue;
                }

                if (InUp(t))
                {
                    gMax1 = Math.Max(gMax1, V[t]);
                }

                if (InLow(t))
                {
                    gMax2 = Math.Max(gMax2, -V[t]);
                }
            }

            if (!unshrunk && gMax1 + gMax2 <= tolerance * 10)
            {
                unshrunk = true;
                ActivateAll();
            }

            for (int t = 0; t < V.Length; t++)
            {
                if (!_active[t])
                {
                    continue;
                }

                bool up = InUp(t), low = InLow(t);
                bool shrink = (up && !low && -V[t] > gMax2) || (low && !up && V[t] > gMax1);
                if (shrink)
                {
                    _active[t] = false;
                    ActiveCount--;
                    UpdateMasks(t);
                }
            }
        }

        /// <summary>ρ as LIBSVM's calculate_rho: the mean of y∇f over the free variables, else the middle of its bounds.</summary>
        public double Rho()
        {
            int free = 0;
            double upper = double.PositiveInfinity, lower = double.NegativeInfinity, sumFree = 0;
            for (int t = 0; t < V.Length; t++)
            {
                double yg = -V[t];
                bool atUpper = Alpha[t] >= UpperBounds[t], atLower = Alpha[t] <= 0;
                if (atUpper || atLower)
                {
                    // At the upper bound a −1 sample, at the lower bound a +1 sample, bounds ρ from above.
                    if (atUpper == (_y[t] < 0))
                    {
                        upper = Math.Min(upper, yg);
                    }
                    else
                    {
                        lower = Math.Max(lower, yg);
                    }
                }
                else
                {
                    free++;
                    sumFree += yg;
                }
            }

            return free > 0 ? sumFree / free : (upper + lower) / 2;
        }
    }
}
