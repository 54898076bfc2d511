using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// <paramref name="whenTrue"/> where <paramref name="mask"/>'s lanes are all ones, else <paramref name="whenFalse"/>: a
    /// comparison's mask, whose lanes are all ones or all zeros, so the blend by each lane's sign bit (vblendvps) selects
    /// the same as <see cref="Vector256.ConditionalSelect{T}"/>, which the JIT compiled to three bitwise operations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Select<T>(Vector256<T> mask, Vector256<T> whenTrue, Vector256<T> whenFalse)
        where T : struct =>
        Avx.IsSupported
            ? Avx.BlendVariable(whenFalse.AsSingle(), whenTrue.AsSingle(), mask.AsSingle()).As<float, T>()
            : Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    /// <summary>How far ahead (in floats) the scans ask for a kernel row's lines.</summary>
    private const int RowPrefetchDistance = 512;

    /// <summary>Solves the problem.</summary>
    /// <param name="q">The kernel matrix and labels.</param>
    /// <param name="cPositive">The upper bound C of the +1 samples' multipliers.</param>
    /// <param name="cNegative">The upper bound C of the −1 samples' multipliers.</param>
    /// <param name="tolerance">ε of the stopping rule m(α) − M(α) &lt; ε.</param>
    /// <param name="shrinking">Whether to shrink.</param>
    /// <param name="maxIterations">The iteration limit; 0 or less means LIBSVM's default, max(10⁷, 100·l).</param>
    /// <param name="cancellation">Checked every thousand iterations (with the shrinking counter), so a cancelled search stops its fits within milliseconds.</param>
    /// <param name="vectorWidth">The widest vectors the scans may use (tests pin each code path; results are the same).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BinarySolution Solve(
        BinaryKernelProblem q, double cPositive, double cNegative, double tolerance, bool shrinking, long maxIterations,
        CancellationToken cancellation = default, VectorWidth vectorWidth = VectorWidth.Widest)
    {
        var state = new State(q, cPositive, cNegative, vectorWidth);
        int l = q.Length;
        long limit = maxIterations > 0 ? maxIterations : Math.Max(10_000_000L, 100L * l);
        long iteration = 0;
        int counter = Math.Min(l, 1000) + 1;
        bool reachedLimit = false, unshrunk = false;
        // The candidates for a kernel batch leave out the rows already cached: the best-placed samples' rows mostly are,
        // so lists of the best 16 outright left batches of 3–5 rows, each of which streamed the problem's packed samples
        // from L3 or memory again (docs/benchmarks-log.md, fifteenth session).
        var upCandidates = new TopCandidates(q.PrefetchWidth, q.IsCached);
        var lowCandidates = new TopCandidates(q.PrefetchWidth, q.IsCached);
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
                cancellation.ThrowIfCancellationRequested();
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
            KernelRow ki = q.GetRow(i, upCandidates.Indices);
            KernelRow kj = q.GetRow(j, lowCandidates.Indices, pinned: i);
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
            // The masks first: the update also finds the next i over them (State.UpdateV).
            state.UpdateMasks(i);
            state.UpdateMasks(j);
            state.UpdateV(ki, -y[i] * (alpha[i] - oldAi), kj, -y[j] * (alpha[j] - oldAj));
        }

        double rho = state.Rho();
        double objective = 0;
        for (int t = 0; t < l; t++)
        {
            objective += alpha[t] * (-y[t] * v[t] - 1.0);
        }

        return new BinarySolution(alpha, rho, objective / 2, iteration, q.CacheMisses + q.Prefetched, reachedLimit, q.Prefetched, q.PrefetchedUsed);
    }

    /// <summary>The solver's per-variable state and the scans over it.</summary>
    private sealed class State
    {
        private readonly BinaryKernelProblem _problem;
        private readonly sbyte[] _y;
        // 0 when t ∈ I_up and active, −∞ otherwise; in float (widened exactly when added to v), so that the scans over v,
        // which are bound by the bytes they read, read 4 bytes per variable for it instead of 8.
        private readonly float[] _upOffset;

        // What the float scan for j reads (ArgMinLow): v rounded to float, the I_low mask, and the kernel's diagonal.
        private readonly float[] _vSingle;
        private readonly float[] _lowOffsetSingle; // 0 when t ∈ I_low and active, +∞ otherwise
        private readonly float[] _diagonalSingle;
        private readonly bool[] _active;
        private readonly bool _use512;
        private readonly bool _use256;

        // ArgMaxUp over the current v and masks, found by the last UpdateV on its way through v; any change of a mask
        // (UpdateMasks, which shrinking and reactivation go through) makes it unknown again.
        private bool _maxUpKnown;
        private double _knownMax;
        private int _knownIndex;

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
            _upOffset = new float[l];
            _vSingle = new float[l];
            _lowOffsetSingle = new float[l];
            _diagonalSingle = new float[l];
            _active = new bool[l];
            for (int t = 0; t < l; t++)
            {
                V[t] = _y[t]; // ∇f(0) = −e, so v = −y∘∇f = y
                _vSingle[t] = _y[t];
                _diagonalSingle[t] = (float)problem.Diagonal[t];
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
            _maxUpKnown = false;
            _upOffset[t] = _active[t] && InUp(t) ? 0 : float.NegativeInfinity;
            _lowOffsetSingle[t] = _active[t] && InLow(t) ? 0 : float.PositiveInfinity;
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

            if (_problem.Prefetches && !_problem.IsCached(i))
            {
                ArgMaxUp(upCandidates);
            }

            KernelRow ki = _problem.GetRow(i, upCandidates.Indices);
            (double objDiffMin, int j, double gMax2) = ArgMinLow(gMax, _problem.Diagonal[i], ki, TopCandidates.None);
            if (j >= 0 && _problem.Prefetches && !_problem.IsCached(j))
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

        // Both scans run on vectors of doubles, 512-bit ones where the processor runs them natively (8 lanes), 256-bit
        // ones elsewhere (AVX2: 4 lanes): one generic loop, which the JIT compiles once per width (ScanVector512,
        // ScanVector256). Each lane keeps its own best value and index; ties keep the later index, and the lanes are
        // merged the same way, which is what LIBSVM's scalar ≥ / ≤ scans choose.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (double Max, int Index) ArgMaxUp(TopCandidates candidates)
        {
            if (_maxUpKnown && ReferenceEquals(candidates, TopCandidates.None))
            {
                return (_knownMax, _knownIndex);
            }

            double best = double.NegativeInfinity;
            int bestIndex = -1;
            bool collect = !ReferenceEquals(candidates, TopCandidates.None);
            int t = _use512 ? (collect ? ArgMaxUpVectors<Vector512<double>, ScanVector512, Collecting>(candidates, ref best, ref bestIndex)
                    : ArgMaxUpVectors<Vector512<double>, ScanVector512, NotCollecting>(candidates, ref best, ref bestIndex))
                : _use256 ? (collect ? ArgMaxUpVectors<Vector256<double>, ScanVector256, Collecting>(candidates, ref best, ref bestIndex)
                    : ArgMaxUpVectors<Vector256<double>, ScanVector256, NotCollecting>(candidates, ref best, ref bestIndex))
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

        /// <summary>
        /// v += a K_i + b K_j over all l variables (float rows, double v), at the scans' vector width: each element gets
        /// the same two fused multiply–adds on every path, so the width never changes the result. On the way it finds
        /// the next iteration's i, max over I_up of v, exactly as <see cref="ArgMaxUp"/> would (the same lanes, the same
        /// ties, the same merge), which saves that scan a pass over v: call it after the masks are up to date.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void UpdateV(KernelRow ki, double a, KernelRow kj, double b)
        {
            double best = double.NegativeInfinity;
            int bestIndex = -1;
            // The +1 samples' values, then the −1 samples' (each piece contiguous in its own array, see KernelRow): the same
            // operations on every element, and the lanes' bests merged by value with ties to the larger index, so the
            // split into two pieces changes neither v nor i.
            UpdateV(0, ki.Split, ki.Positives, ki.PositivesStart, kj.Positives, kj.PositivesStart, a, b, ref best, ref bestIndex);
            UpdateV(ki.Split, V.Length, ki.Negatives, ki.NegativesStart, kj.Negatives, kj.NegativesStart, a, b, ref best, ref bestIndex);
            (_knownMax, _knownIndex, _maxUpKnown) = (best, bestIndex, true);
        }

        /// <summary>The update of v over variables [<paramref name="start"/>, <paramref name="end"/>), whose row values start at the given positions.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdateV(int start, int end, float[] ki, int kiStart, float[] kj, int kjStart, double a, double b, ref double best, ref int bestIndex)
        {
            int count = end - start;
            if (count <= 0)
            {
                return;
            }

            // Checked once here, as the vector loops read without bounds checks.
            _ = ki.AsSpan(kiStart, count);
            _ = kj.AsSpan(kjStart, count);
            ref float ri = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ki), kiStart);
            ref float rj = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(kj), kjStart);
            int u = _use512 ? UpdateVVectors<Vector512<double>, ScanVector512>(start, count, ref ri, a, ref rj, b, ref best, ref bestIndex)
                : _use256 ? UpdateVVectors<Vector256<double>, ScanVector256>(start, count, ref ri, a, ref rj, b, ref best, ref bestIndex)
                : 0;
            var v = V;
            for (; u < count; u++)
            {
                int t = start + u;
                v[t] = Math.FusedMultiplyAdd(kj[kjStart + u], b, Math.FusedMultiplyAdd(ki[kiStart + u], a, v[t]));
                _vSingle[t] = (float)v[t];
                double key = v[t] + _upOffset[t];
                if (key >= best)
                {
                    best = key;
                    bestIndex = t;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int UpdateVVectors<TVector, TScan>(int start, int length, ref float ri, double a, ref float rj, double b, ref double best, ref int bestIndex)
            where TVector : struct
            where TScan : struct, IScanVector<TVector>
        {
            int t = 0, width = TScan.Count;
            ref double v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(V), start);
            ref float single = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vSingle), start);
            ref float up = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_upOffset), start);
            var va = TScan.Create(a);
            var vb = TScan.Create(b);
            // Two sets of lanes, for even and odd vectors, as in ArgMinLowVectors: with one set, the compare-and-select
            // chain from vector to vector bound the loop (4 doubles in ~10 cycles on AVX2 with the rows in L2). The sets
            // are merged by value, ties to the larger index, so the split does not change i.
            var bestValues = TScan.Create(double.NegativeInfinity);
            var bestIndices = TScan.Create(-1.0);
            var oddValues = bestValues;
            // The odd lanes keep the even vector's indices; their offset is added at the merge, which leaves −1 (no index)
            // in a lane no odd vector reached.
            var oddIndices = TScan.Create(-1.0 - width);
            var indices = TScan.Add(TScan.LaneIndices, TScan.Create(start));
            var step = TScan.Create(2 * width);
            for (; t <= length - (2 * width); t += 2 * width)
            {
                // The rows come from a kernel cache of gigabytes, mostly from memory: asked for ahead of the hardware
                // prefetcher, which restarts at every 4 KB page.
                CachePrefetch.Line(ref ri, t + RowPrefetchDistance);
                CachePrefetch.Line(ref rj, t + RowPrefetchDistance);
                var updated = UpdateVector<TVector, TScan>(ref v, ref ri, ref rj, va, vb, t);
                var oddUpdated = UpdateVector<TVector, TScan>(ref v, ref ri, ref rj, va, vb, t + width);
                TScan.StoreNarrowedPair(updated, oddUpdated, ref single, (nuint)t);
                var key = TScan.Add(updated, TScan.LoadWidened(ref up, (nuint)t));
                var oddKey = TScan.Add(oddUpdated, TScan.LoadWidened(ref up, (nuint)(t + width)));
                var better = TScan.GreaterThanOrEqual(key, bestValues);
                bestValues = TScan.ConditionalSelect(better, key, bestValues);
                bestIndices = TScan.ConditionalSelect(better, indices, bestIndices);
                var oddBetter = TScan.GreaterThanOrEqual(oddKey, oddValues);
                oddValues = TScan.ConditionalSelect(oddBetter, oddKey, oddValues);
                oddIndices = TScan.ConditionalSelect(oddBetter, indices, oddIndices);
                indices = TScan.Add(indices, step);
            }

            if (t <= length - width)
            {
                var updated = UpdateVector<TVector, TScan>(ref v, ref ri, ref rj, va, vb, t);
                TScan.StoreNarrowed(updated, ref single, (nuint)t);
                var key = TScan.Add(updated, TScan.LoadWidened(ref up, (nuint)t));
                var better = TScan.GreaterThanOrEqual(key, bestValues);
                bestValues = TScan.ConditionalSelect(better, key, bestValues);
                bestIndices = TScan.ConditionalSelect(better, indices, bestIndices);
                t += width;
            }

            // The odd lanes join the even ones in registers before any call: a vector live across a call is kept in memory
            // by the JIT's register allocator, which then sent the odd lanes' values and indices through the stack on
            // every iteration of the loop above.
            oddIndices = TScan.Add(oddIndices, TScan.Create(width));
            var takeOdd = TScan.RanksAbove(oddValues, oddIndices, bestValues, bestIndices);
            MergeVectorLanes<TVector, TScan>(
                TScan.ConditionalSelect(takeOdd, oddValues, bestValues), TScan.ConditionalSelect(takeOdd, oddIndices, bestIndices), maximum: true, ref best, ref bestIndex);
            return t;
        }

        /// <summary>v += a K_i + b K_j for one vector of variables from <paramref name="t"/>, stored and returned.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector UpdateVector<TVector, TScan>(ref double v, ref float ri, ref float rj, TVector a, TVector b, int t)
            where TVector : struct
            where TScan : struct, IScanVector<TVector>
        {
            var updated = TScan.FusedMultiplyAdd(TScan.LoadWidened(ref ri, (nuint)t), a, TScan.Load(ref v, (nuint)t));
            updated = TScan.FusedMultiplyAdd(TScan.LoadWidened(ref rj, (nuint)t), b, updated);
            TScan.Store(updated, ref v, (nuint)t);
            return updated;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ArgMaxUpVectors<TVector, TScan, TCollect>(TopCandidates candidates, ref double best, ref int bestIndex)
            where TVector : struct
            where TScan : struct, IScanVector<TVector>
            where TCollect : struct, ICollectFlag
        {
            int l = V.Length, t = 0, count = TScan.Count;
            ref double v = ref MemoryMarshal.GetArrayDataReference(V);
            ref float up = ref MemoryMarshal.GetArrayDataReference(_upOffset);
            var bestValues = TScan.Create(double.NegativeInfinity);
            var bestIndices = TScan.Create(-1.0);
            var indices = TScan.LaneIndices;
            var step = TScan.Create(count);
            // Read only by the collecting scan: a call before the loop makes the JIT keep the loop's vectors in memory.
            var threshold = TCollect.Collects ? TScan.Create(candidates.Threshold) : default;
            var laneBuffer = default(LaneBuffer);
            Span<double> lanes = laneBuffer;
            for (; t <= l - count; t += count)
            {
                var key = TScan.Add(TScan.Load(ref v, (nuint)t), TScan.LoadWidened(ref up, (nuint)t));
                var better = TScan.GreaterThanOrEqual(key, bestValues);
                bestValues = TScan.ConditionalSelect(better, key, bestValues);
                bestIndices = TScan.ConditionalSelect(better, indices, bestIndices);
                indices = TScan.Add(indices, step);
                if (TCollect.Collects && TScan.GreaterThanAny(key, threshold))
                {
                    TScan.CopyTo(key, lanes);
                    OfferLanes(lanes[..count], t, candidates);
                    threshold = TScan.Create(candidates.Threshold);
                }
            }

            MergeVectorLanes<TVector, TScan>(bestValues, bestIndices, maximum: true, ref best, ref bestIndex);
            return t;
        }

        /// <summary>
        /// j of WSS 2: the minimum of −b²/a over I_low (ties to the larger index), and max over I_low of −v for the stopping
        /// rule. The scan runs in float, on a float copy of v, 8 lanes per 256-bit vector: it only chooses j (i, the step
        /// and the gradient stay in double), and while m(α) − M(α) ≥ ε the j of the double scan has b ≥ ε, far above
        /// float's resolution, so it still has a candidate; the choice differs from the double scan's only between
        /// candidates whose −b²/a agree to float precision. The division, which bound the double scan (4 lanes per
        /// vector on AVX2), costs about a third per value in float.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (double ObjDiff, int Index, double GMax2) ArgMinLow(double gMax, double kii, KernelRow ki, TopCandidates candidates)
        {
            float best = float.PositiveInfinity, gMax2 = float.NegativeInfinity;
            int bestIndex = -1;
            // The two pieces of the row one after the other: the candidates are offered in the order of t either way, and
            // the lanes merged by value with ties to the larger index, so the split changes neither j nor the candidates.
            ArgMinLow(0, ki.Split, ki.Positives, ki.PositivesStart, (float)gMax, (float)kii, candidates, ref best, ref bestIndex, ref gMax2);
            ArgMinLow(ki.Split, V.Length, ki.Negatives, ki.NegativesStart, (float)gMax, (float)kii, candidates, ref best, ref bestIndex, ref gMax2);
            return (best, bestIndex, gMax2);
        }

        /// <summary>The j scan over variables [<paramref name="start"/>, <paramref name="end"/>), whose row values start at <paramref name="rowStart"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ArgMinLow(
            int start, int end, float[] row, int rowStart, float gMaxSingle, float kiiSingle, TopCandidates candidates, ref float best, ref int bestIndex, ref float gMax2)
        {
            int count = end - start;
            if (count <= 0)
            {
                return;
            }

            _ = row.AsSpan(rowStart, count); // checked once here, as the vector loop reads without bounds checks
            ref float rowValues = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(row), rowStart);
            int u = !_use256 ? 0
                : ReferenceEquals(candidates, TopCandidates.None) ? ArgMinLowVectors<NotCollecting>(start, count, ref rowValues, gMaxSingle, kiiSingle, candidates, ref best, ref bestIndex, ref gMax2)
                : ArgMinLowVectors<Collecting>(start, count, ref rowValues, gMaxSingle, kiiSingle, candidates, ref best, ref bestIndex, ref gMax2);
            float[] v = _vSingle, low = _lowOffsetSingle, diagonal = _diagonalSingle;
            for (; u < count; u++)
            {
                // The vector lanes' operations, in the same order.
                int t = start + u;
                float offset = low[t];
                gMax2 = MathF.Max(gMax2, -v[t] - offset);
                float gradDiff = gMaxSingle - v[t];
                float quad = (kiiSingle + diagonal[t]) - (row[rowStart + u] * 2f);
                if (!(quad > 0))
                {
                    quad = (float)Tau;
                }

                float objDiff = (gradDiff > 0 ? -(gradDiff * gradDiff) / quad : float.PositiveInfinity) + offset;
                if (objDiff <= best)
                {
                    best = objDiff;
                    bestIndex = t;
                }

                if (-objDiff > candidates.Threshold && objDiff < float.PositiveInfinity)
                {
                    candidates.Offer(-objDiff, t);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int ArgMinLowVectors<TCollect>(
            int start, int length, ref float row, float gMax, float kii, TopCandidates candidates, ref float best, ref int bestIndex, ref float gMax2)
            where TCollect : struct, ICollectFlag
        {
            const int Count = 8;
            int t = 0;
            ref float v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vSingle), start);
            ref float low = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_lowOffsetSingle), start);
            ref float diagonal = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_diagonalSingle), start);
            // Two sets of lanes, for even and odd vectors: one set's compare-and-select chain, vector after vector, bound
            // the loop. The sets are merged by value, ties to the larger index, so the split does not change j.
            var bestValues = Vector256.Create(float.PositiveInfinity);
            var bestIndices = Vector256.Create(-1);
            var maxima = Vector256.Create(float.NegativeInfinity);
            var oddValues = bestValues;
            var oddIndices = Vector256.Create(-1 - Count); // the offset added at the merge leaves −1 where no odd vector was taken
            var oddMaxima = maxima;
            var indices = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) + Vector256.Create(start);
            var step = Vector256.Create(2 * Count);
            var gMaxVector = Vector256.Create(gMax);
            var kiiVector = Vector256.Create(kii);
            // Read only by the collecting scan: a call before the loop makes the JIT keep the loop's vectors in memory.
            var threshold = TCollect.Collects ? Vector256.Create((float)candidates.Threshold) : default;
            for (; t <= length - (2 * Count); t += 2 * Count)
            {
                CachePrefetch.Line(ref row, t + RowPrefetchDistance); // as in UpdateVVectors
                var objDiff = LowObjective(ref v, ref low, ref diagonal, ref row, gMaxVector, kiiVector, t, ref maxima);
                var oddObjDiff = LowObjective(ref v, ref low, ref diagonal, ref row, gMaxVector, kiiVector, t + Count, ref oddMaxima);
                var better = Vector256.LessThanOrEqual(objDiff, bestValues);
                bestValues = Select(better, objDiff, bestValues);
                bestIndices = Select(better.AsInt32(), indices, bestIndices);
                var oddBetter = Vector256.LessThanOrEqual(oddObjDiff, oddValues);
                oddValues = Select(oddBetter, oddObjDiff, oddValues);
                oddIndices = Select(oddBetter.AsInt32(), indices, oddIndices);
                indices += step;
                // Compiled out of the plain scan, whose loop then holds no call (a call in it made the JIT keep the
                // vectors on the stack, which tripled the scan's time).
                if (TCollect.Collects)
                {
                    threshold = OfferLowCandidates(-objDiff, start + t, candidates, threshold);
                    threshold = OfferLowCandidates(-oddObjDiff, start + t + Count, candidates, threshold);
                }
            }

            if (t <= length - Count)
            {
                var objDiff = LowObjective(ref v, ref low, ref diagonal, ref row, gMaxVector, kiiVector, t, ref maxima);
                var better = Vector256.LessThanOrEqual(objDiff, bestValues);
                bestValues = Select(better, objDiff, bestValues);
                bestIndices = Select(better.AsInt32(), indices, bestIndices);
                if (TCollect.Collects)
                {
                    OfferLowCandidates(-objDiff, start + t, candidates, threshold);
                }

                t += Count;
            }

            // The odd lanes join the even ones in registers (as in UpdateVVectors, no vector lives across a call), then the
            // lanes are merged as the double scans merge theirs (floats widen exactly, so the order and ties are the same).
            (bestValues, bestIndices) = LowerOfLanes(bestValues, bestIndices, oddValues, oddIndices + Vector256.Create(Count));
            double merged = best;
            gMax2 = MergeLowLanes(bestValues, bestIndices, Vector256.MaxNative(maxima, oddMaxima), gMax2, ref merged, ref bestIndex);
            best = (float)merged;
            return t;
        }

        /// <summary>
        /// −b²/a + offset for 8 variables from <paramref name="t"/> (+∞ where b ≤ 0 or outside I_low), and the running
        /// maximum of −v − offset. The maximum is the processor's (vmaxps): the values are never NaN, and where the largest
        /// is a zero its sign does not matter (it is only added to m(α) for the stopping test).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> LowObjective(
            ref float v, ref float low, ref float diagonal, ref float row, Vector256<float> gMax, Vector256<float> kii, int t, ref Vector256<float> maxima)
        {
            var vv = Vector256.LoadUnsafe(ref v, (nuint)t);
            var offset = Vector256.LoadUnsafe(ref low, (nuint)t);
            maxima = Vector256.MaxNative(maxima, -vv - offset);
            var gradDiff = gMax - vv;
            var quad = (kii + Vector256.LoadUnsafe(ref diagonal, (nuint)t)) - (Vector256.LoadUnsafe(ref row, (nuint)t) * Vector256.Create(2f));
            quad = Select(Vector256.GreaterThan(quad, Vector256<float>.Zero), quad, Vector256.Create((float)Tau));
            var objDiff = -(gradDiff * gradDiff) / quad;
            return Select(Vector256.GreaterThan(gradDiff, Vector256<float>.Zero), objDiff, Vector256.Create(float.PositiveInfinity)) + offset;
        }

        /// <summary>Offers the lanes of <paramref name="keys"/> above the threshold; returns the new threshold.</summary>
        private static Vector256<float> OfferLowCandidates(Vector256<float> keys, int first, TopCandidates candidates, Vector256<float> threshold)
        {
            if (!Vector256.GreaterThanAny(keys, threshold))
            {
                return threshold;
            }

            // Widened exactly, so the double scans' offer takes the same keys.
            LaneBuffer laneBuffer = default;
            Span<double> lanes = laneBuffer;
            for (int lane = 0; lane < Vector256<float>.Count; lane++)
            {
                lanes[lane] = keys[lane];
            }

            OfferLanes(lanes[..Vector256<float>.Count], first, candidates);
            return Vector256.Create((float)candidates.Threshold);
        }

        /// <summary>
        /// Merges the 8 lanes into the running best as <see cref="MergeLanes"/> would, lane after lane: the winner is the
        /// smallest value, ties to the larger index, whatever the order the lanes are taken in (the indices differ), so the
        /// lanes are first reduced pairwise in registers (halves, pairs, neighbours) and only their winner is merged. Lane
        /// by lane, through buffers of doubles, the merges took 2.2% of a 10,000-row fit (AVX2 path, AMD EPYC Zen 5). The
        /// maxima reduce with the processor's max: a zero's sign does not matter to the stopping test they feed.
        /// </summary>
        private static float MergeLowLanes(
            Vector256<float> values, Vector256<int> indices, Vector256<float> maxima, float gMax2, ref double best, ref int bestIndex)
        {
            var halves = Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3);
            var pairs = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
            var neighbours = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
            (values, indices) = LowerOfLanes(values, indices, halves);
            (values, indices) = LowerOfLanes(values, indices, pairs);
            (values, indices) = LowerOfLanes(values, indices, neighbours);
            maxima = Vector256.MaxNative(maxima, Vector256.Shuffle(maxima, halves));
            maxima = Vector256.MaxNative(maxima, Vector256.Shuffle(maxima, pairs));
            maxima = Vector256.MaxNative(maxima, Vector256.Shuffle(maxima, neighbours));
            int index = indices.ToScalar();
            double value = values.ToScalar();
            if (index >= 0 && (value < best || (value == best && index > bestIndex)))
            {
                best = value;
                bestIndex = index;
            }

            return MathF.Max(gMax2, maxima.ToScalar());
        }

        /// <summary>Lane by lane, the lower of (value, index) and its partner at <paramref name="partner"/> (<see cref="LowerOfLanes(Vector256{float}, Vector256{int}, Vector256{float}, Vector256{int})"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector256<float> Values, Vector256<int> Indices) LowerOfLanes(Vector256<float> values, Vector256<int> indices, Vector256<int> partner) =>
            LowerOfLanes(values, indices, Vector256.Shuffle(values, partner), Vector256.Shuffle(indices, partner));

        /// <summary>Lane by lane, the lower of (value, index) and (other value, other index): the smaller value, ties to the larger index.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector256<float> Values, Vector256<int> Indices) LowerOfLanes(
            Vector256<float> values, Vector256<int> indices, Vector256<float> otherValues, Vector256<int> otherIndices)
        {
            var take = Vector256.LessThan(otherValues, values)
                | (Vector256.Equals(otherValues, values) & Vector256.GreaterThan(otherIndices, indices).AsSingle());
            return (Select(take, otherValues, values), Select(take.AsInt32(), otherIndices, indices));
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

        /// <summary>Merges a scan's per-lane bests (<see cref="MergeLanes"/>) into <paramref name="best"/> and <paramref name="bestIndex"/>.</summary>
        private static void MergeVectorLanes<TVector, TScan>(TVector bestValues, TVector bestIndices, bool maximum, ref double best, ref int bestIndex)
            where TVector : struct
            where TScan : struct, IScanVector<TVector>
        {
            LaneBuffer valueBuffer = default, indexBuffer = default;
            Span<double> values = valueBuffer, at = indexBuffer;
            TScan.CopyTo(bestValues, values);
            TScan.CopyTo(bestIndices, at);
            MergeLanes(values[..TScan.Count], at[..TScan.Count], maximum, ref best, ref bestIndex);
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

    /// <summary>
    /// The vector operations of the working-set scans on one width of vectors of doubles. The scans are generic over
    /// an implementing struct, so the JIT compiles one specialised loop per width, with these calls inlined.
    /// </summary>
    /// <typeparam name="TVector">The vector type: <see cref="Vector512{T}"/> or <see cref="Vector256{T}"/> of double.</typeparam>
    private interface IScanVector<TVector>
        where TVector : struct
    {
        /// <summary>The number of lanes.</summary>
        static abstract int Count { get; }

        /// <summary>0, 1, …, Count − 1.</summary>
        static abstract TVector LaneIndices { get; }

        static abstract TVector Create(double value);

        static abstract TVector Load(ref double source, nuint index);

        /// <summary>Count floats from <paramref name="source"/> + <paramref name="index"/>, widened to double.</summary>
        static abstract TVector LoadWidened(ref float source, nuint index);

        static abstract void CopyTo(TVector vector, Span<double> destination);

        static abstract TVector Add(TVector left, TVector right);

        static abstract TVector GreaterThanOrEqual(TVector left, TVector right);

        static abstract bool GreaterThanAny(TVector left, TVector right);

        static abstract TVector ConditionalSelect(TVector condition, TVector whenTrue, TVector whenFalse);

        /// <summary>
        /// Lane by lane, whether (value, index) ranks above (other value, other index) in <see cref="State.MergeLanes"/>' order
        /// for a maximum: a larger value, or the same value with a larger index.
        /// </summary>
        static abstract TVector RanksAbove(TVector value, TVector index, TVector otherValue, TVector otherIndex);

        /// <summary>left · right + addend, rounded once.</summary>
        static abstract TVector FusedMultiplyAdd(TVector left, TVector right, TVector addend);

        static abstract void Store(TVector vector, ref double destination, nuint index);

        /// <summary>Stores the lanes rounded to float at <paramref name="destination"/> + <paramref name="index"/>.</summary>
        static abstract void StoreNarrowed(TVector vector, ref float destination, nuint index);

        /// <summary>Stores the lanes of <paramref name="first"/> then <paramref name="second"/> rounded to float (one conversion of both).</summary>
        static abstract void StoreNarrowedPair(TVector first, TVector second, ref float destination, nuint index);
    }

    /// <summary>
    /// Room for the lanes of the widest vector (8 doubles), where a scan copies a vector to read its lanes: a local of
    /// fixed size, where a stackalloc sized by the width would stay a dynamic stack allocation in the generic scans.
    /// </summary>
    [InlineArray(8)]
    private struct LaneBuffer
    {
        private double _element;
    }

    /// <summary>Whether a scan offers its keys to a <see cref="TopCandidates"/> (a type argument, so the JIT drops the code when not).</summary>
    private interface ICollectFlag
    {
        static abstract bool Collects { get; }
    }

    private readonly struct Collecting : ICollectFlag
    {
        public static bool Collects => true;
    }

    private readonly struct NotCollecting : ICollectFlag
    {
        public static bool Collects => false;
    }

    /// <summary>512-bit vectors: 8 doubles (AVX-512).</summary>
    private readonly struct ScanVector512 : IScanVector<Vector512<double>>
    {
        public static int Count => 8;

        public static Vector512<double> LaneIndices
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Create(double value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Load(ref double source, nuint index) => Vector512.LoadUnsafe(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<double> vector, ref double destination, nuint index) => vector.StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreNarrowed(Vector512<double> vector, ref float destination, nuint index) =>
            Vector512.Narrow(vector, vector).GetLower().StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreNarrowedPair(Vector512<double> first, Vector512<double> second, ref float destination, nuint index) =>
            Vector512.Narrow(first, second).StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> FusedMultiplyAdd(Vector512<double> left, Vector512<double> right, Vector512<double> addend) =>
            Vector512.FusedMultiplyAdd(left, right, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> LoadWidened(ref float source, nuint index) =>
            Vector512.WidenLower(Vector256.LoadUnsafe(ref source, index).ToVector512());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyTo(Vector512<double> vector, Span<double> destination) => vector.CopyTo(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Add(Vector512<double> left, Vector512<double> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> GreaterThanOrEqual(Vector512<double> left, Vector512<double> right) => Vector512.GreaterThanOrEqual(left, right);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GreaterThanAny(Vector512<double> left, Vector512<double> right) => Vector512.GreaterThanAny(left, right);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> ConditionalSelect(Vector512<double> condition, Vector512<double> whenTrue, Vector512<double> whenFalse) =>
            Vector512.ConditionalSelect(condition, whenTrue, whenFalse);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> RanksAbove(Vector512<double> value, Vector512<double> index, Vector512<double> otherValue, Vector512<double> otherIndex) =>
            Vector512.GreaterThan(value, otherValue) | (Vector512.Equals(value, otherValue) & Vector512.GreaterThan(index, otherIndex));
    }

    /// <summary>256-bit vectors: 4 doubles (AVX2).</summary>
    private readonly struct ScanVector256 : IScanVector<Vector256<double>>
    {
        public static int Count => 4;

        public static Vector256<double> LaneIndices
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Vector256.Create(0.0, 1, 2, 3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Create(double value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ref double source, nuint index) => Vector256.LoadUnsafe(ref source, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> vector, ref double destination, nuint index) => vector.StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreNarrowed(Vector256<double> vector, ref float destination, nuint index) =>
            Vector256.Narrow(vector, vector).GetLower().StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreNarrowedPair(Vector256<double> first, Vector256<double> second, ref float destination, nuint index) =>
            Vector256.Narrow(first, second).StoreUnsafe(ref destination, index);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> FusedMultiplyAdd(Vector256<double> left, Vector256<double> right, Vector256<double> addend) =>
            Vector256.FusedMultiplyAdd(left, right, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> LoadWidened(ref float source, nuint index) =>
            Vector256.WidenLower(Vector128.LoadUnsafe(ref source, index).ToVector256());

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyTo(Vector256<double> vector, Span<double> destination) => vector.CopyTo(destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Add(Vector256<double> left, Vector256<double> right) => left + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> GreaterThanOrEqual(Vector256<double> left, Vector256<double> right) => Vector256.GreaterThanOrEqual(left, right);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool GreaterThanAny(Vector256<double> left, Vector256<double> right) => Vector256.GreaterThanAny(left, right);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> ConditionalSelect(Vector256<double> condition, Vector256<double> whenTrue, Vector256<double> whenFalse) =>
            Select(condition, whenTrue, whenFalse);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> RanksAbove(Vector256<double> value, Vector256<double> index, Vector256<double> otherValue, Vector256<double> otherIndex) =>
            Vector256.GreaterThan(value, otherValue) | (Vector256.Equals(value, otherValue) & Vector256.GreaterThan(index, otherIndex));
    }
}
