using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Svm;

/// <summary>The solution of one two-class dual problem.</summary>
/// <param name="Alpha">α_i ≥ 0 for every sample of the problem, in the problem's order.</param>
/// <param name="Rho">The threshold ρ: the decision value is Σ α_i y_i K(x_i, x) − ρ.</param>
/// <param name="Objective">The dual objective ½ αᵀQα − eᵀα at the solution (LIBSVM's "obj").</param>
/// <param name="Iterations">The SMO iterations taken.</param>
/// <param name="KernelRowsComputed">Kernel rows computed (cache misses).</param>
/// <param name="ReachedIterationLimit">True when the iteration limit stopped the solver before the tolerance was met.</param>
/// <param name="RowsPrefetched">Kernel rows computed ahead of need, in batches with a missing row.</param>
/// <param name="PrefetchedRowsUsed">Of those, the rows the solver later read.</param>
internal sealed record BinarySolution(double[] Alpha, double Rho, double Objective, long Iterations, long KernelRowsComputed, bool ReachedIterationLimit, long RowsPrefetched, long PrefetchedRowsUsed);

/// <summary>
/// Sequential minimal optimisation for the C-SVC dual
/// min ½ αᵀQα − eᵀα subject to yᵀα = 0, 0 ≤ α_i ≤ C_i,
/// after Platt (1998), with the second-order working-set selection of Fan, Chen &amp; Lin (2005, "WSS 2"),
/// the shrinking heuristic and the stopping rule m(α) − M(α) &lt; ε of LIBSVM (Chang &amp; Lin 2011).
/// </summary>
/// <remarks>
/// One difference from LIBSVM's code, not from its iterates: the gradient is kept exact for every variable
/// (each step updates all l entries with two SIMD passes), so shrinking only narrows the working-set search
/// and no gradient reconstruction is ever needed; kernel rows are always whole, in the original order, and
/// stay valid in the cache whatever is shrunk. The sequence of working sets is the one LIBSVM chooses.
/// </remarks>
internal static class SmoSolver
{
    private const double Tau = 1e-12;

    /// <summary>Solves the problem; <paramref name="maxIterations"/> ≤ 0 means LIBSVM's default limit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static BinarySolution Solve(BinaryKernelProblem q, double cPositive, double cNegative, double tolerance, bool shrinking, long maxIterations)
    {
        int l = q.Length;
        sbyte[] y = q.Labels;
        ReadOnlySpan<double> qd = q.Diagonal;
        var alpha = new double[l];
        var gradient = new double[l];
        var upperBounds = new double[l];
        for (int i = 0; i < l; i++)
        {
            gradient[i] = -1.0; // ∇f(0) = p = −e
            upperBounds[i] = y[i] > 0 ? cPositive : cNegative;
        }

        var active = new int[l];
        for (int i = 0; i < l; i++)
        {
            active[i] = i;
        }

        int activeSize = l;
        bool unshrunk = false;
        long limit = maxIterations > 0 ? maxIterations : Math.Max(10_000_000L, 100L * l);
        long iteration = 0;
        int counter = Math.Min(l, 1000) + 1;
        bool reachedLimit = false;
        var upCandidates = new TopCandidates(q.PrefetchWidth);
        var lowCandidates = new TopCandidates(q.PrefetchWidth);

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
                    activeSize = Shrink(y, alpha, gradient, upperBounds, tolerance, active, activeSize, ref unshrunk);
                }
            }

            if (!SelectWorkingSet(q, y, alpha, gradient, upperBounds, tolerance, active, activeSize, upCandidates, lowCandidates, out int i, out int j))
            {
                if (activeSize == l)
                {
                    break;
                }

                // Converged on the shrunk problem: check the whole problem before stopping (LIBSVM does the same).
                activeSize = ResetActive(active, l);
                if (!SelectWorkingSet(q, y, alpha, gradient, upperBounds, tolerance, active, activeSize, upCandidates, lowCandidates, out i, out j))
                {
                    break;
                }

                counter = 1; // shrink again at the next iteration
            }

            iteration++;
            float[] qi = q.GetRow(i, upCandidates.Indices);
            float[] qj = q.GetRow(j, lowCandidates.Indices, pinned: i);
            double ci = upperBounds[i], cj = upperBounds[j];
            double oldAi = alpha[i], oldAj = alpha[j];

            // The analytic two-variable step (Platt 1998), clipped to the box as in LIBSVM.
            if (y[i] != y[j])
            {
                double quad = qd[i] + qd[j] + 2.0 * qi[j];
                if (quad <= 0)
                {
                    quad = Tau;
                }

                double delta = (-gradient[i] - gradient[j]) / quad;
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
                double quad = qd[i] + qd[j] - 2.0 * qi[j];
                if (quad <= 0)
                {
                    quad = Tau;
                }

                double delta = (gradient[i] - gradient[j]) / quad;
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

            UpdateGradient(gradient, qi, alpha[i] - oldAi, qj, alpha[j] - oldAj);
        }

        double rho = CalculateRho(y, alpha, gradient, upperBounds);
        double objective = 0;
        for (int t = 0; t < l; t++)
        {
            objective += alpha[t] * (gradient[t] - 1.0);
        }

        return new BinarySolution(alpha, rho, objective / 2, iteration, q.CacheMisses + q.Prefetched, reachedLimit, q.Prefetched, q.PrefetchedUsed);
    }

    private static int ResetActive(int[] active, int l)
    {
        for (int t = 0; t < l; t++)
        {
            active[t] = t;
        }

        return l;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUpper(double a, double c) => a >= c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLower(double a) => a <= 0;

    /// <summary>
    /// WSS 2 of Fan, Chen &amp; Lin (2005): i maximises −y_i∇f_i over I_up; j minimises the second-order decrease
    /// −(b_ij²)/a_ij over the j ∈ I_low that violate with i. Returns false when m(α) − M(α) &lt; ε (optimal).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SelectWorkingSet(
        BinaryKernelProblem q, sbyte[] y, double[] alpha, double[] gradient, double[] upperBounds, double tolerance,
        int[] active, int activeSize, TopCandidates upCandidates, TopCandidates lowCandidates, out int outI, out int outJ)
    {
        upCandidates.Clear();
        lowCandidates.Clear();
        double gMax = double.NegativeInfinity, gMax2 = double.NegativeInfinity;
        int gMaxIndex = -1, gMinIndex = -1;
        double objDiffMin = double.PositiveInfinity;
        for (int a = 0; a < activeSize; a++)
        {
            int t = active[a];
            if (y[t] > 0)
            {
                if (!IsUpper(alpha[t], upperBounds[t]))
                {
                    upCandidates.Offer(-gradient[t], t);
                    if (-gradient[t] >= gMax)
                    {
                        gMax = -gradient[t];
                        gMaxIndex = t;
                    }
                }
            }
            else if (!IsLower(alpha[t]))
            {
                upCandidates.Offer(gradient[t], t);
                if (gradient[t] >= gMax)
                {
                    gMax = gradient[t];
                    gMaxIndex = t;
                }
            }
        }

        outI = gMaxIndex;
        outJ = -1;
        if (gMaxIndex < 0)
        {
            return false;
        }

        int i = gMaxIndex;
        float[] qi = q.GetRow(i, upCandidates.Indices);
        ReadOnlySpan<double> qd = q.Diagonal;
        double qdi = qd[i];
        int yi = y[i];
        for (int a = 0; a < activeSize; a++)
        {
            int j = active[a];
            if (y[j] > 0)
            {
                if (!IsLower(alpha[j]))
                {
                    double gradDiff = gMax + gradient[j];
                    if (gradient[j] >= gMax2)
                    {
                        gMax2 = gradient[j];
                    }

                    if (gradDiff > 0)
                    {
                        double quad = qdi + qd[j] - 2.0 * yi * qi[j];
                        double objDiff = quad > 0 ? -(gradDiff * gradDiff) / quad : -(gradDiff * gradDiff) / Tau;
                        lowCandidates.Offer(-objDiff, j);
                        if (objDiff <= objDiffMin)
                        {
                            gMinIndex = j;
                            objDiffMin = objDiff;
                        }
                    }
                }
            }
            else if (!IsUpper(alpha[j], upperBounds[j]))
            {
                double gradDiff = gMax - gradient[j];
                if (-gradient[j] >= gMax2)
                {
                    gMax2 = -gradient[j];
                }

                if (gradDiff > 0)
                {
                    double quad = qdi + qd[j] + 2.0 * yi * qi[j];
                    double objDiff = quad > 0 ? -(gradDiff * gradDiff) / quad : -(gradDiff * gradDiff) / Tau;
                    lowCandidates.Offer(-objDiff, j);
                    if (objDiff <= objDiffMin)
                    {
                        gMinIndex = j;
                        objDiffMin = objDiff;
                    }
                }
            }
        }

        if (gMax + gMax2 < tolerance || gMinIndex == -1)
        {
            return false;
        }

        outJ = gMinIndex;
        return true;
    }

    private static bool BeShrunk(int t, sbyte[] y, double[] alpha, double[] gradient, double[] upperBounds, double gMax1, double gMax2)
    {
        if (IsUpper(alpha[t], upperBounds[t]))
        {
            return y[t] > 0 ? -gradient[t] > gMax1 : -gradient[t] > gMax2;
        }

        if (IsLower(alpha[t]))
        {
            return y[t] > 0 ? gradient[t] > gMax2 : gradient[t] > gMax1;
        }

        return false;
    }

    /// <summary>
    /// LIBSVM's shrinking (Joachims 1999; Chang &amp; Lin 2011, §5.2): variables at a bound that cannot move at the
    /// current violation level leave the active set; when the violation first falls under 10ε every variable
    /// comes back once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Shrink(sbyte[] y, double[] alpha, double[] gradient, double[] upperBounds, double tolerance, int[] active, int activeSize, ref bool unshrunk)
    {
        double gMax1 = double.NegativeInfinity; // max { −y_i ∇f_i | i ∈ I_up }
        double gMax2 = double.NegativeInfinity; // max {  y_i ∇f_i | i ∈ I_low }
        for (int a = 0; a < activeSize; a++)
        {
            int t = active[a];
            bool upper = IsUpper(alpha[t], upperBounds[t]), lower = IsLower(alpha[t]);
            if (y[t] > 0)
            {
                if (!upper)
                {
                    gMax1 = Math.Max(gMax1, -gradient[t]);
                }

                if (!lower)
                {
                    gMax2 = Math.Max(gMax2, gradient[t]);
                }
            }
            else
            {
                if (!upper)
                {
                    gMax2 = Math.Max(gMax2, -gradient[t]);
                }

                if (!lower)
                {
                    gMax1 = Math.Max(gMax1, gradient[t]);
                }
            }
        }

        if (!unshrunk && gMax1 + gMax2 <= tolerance * 10)
        {
            unshrunk = true;
            activeSize = ResetActive(active, alpha.Length);
        }

        // Keep the active list in ascending index order so scans stay cache friendly and ties break as in LIBSVM's
        // unshrunk order.
        int kept = 0;
        for (int a = 0; a < activeSize; a++)
        {
            int t = active[a];
            if (!BeShrunk(t, y, alpha, gradient, upperBounds, gMax1, gMax2))
            {
                active[kept++] = t;
            }
        }

        return kept;
    }

    private static double CalculateRho(sbyte[] y, double[] alpha, double[] gradient, double[] upperBounds)
    {
        int free = 0;
        double upper = double.PositiveInfinity, lower = double.NegativeInfinity, sumFree = 0;
        for (int t = 0; t < alpha.Length; t++)
        {
            double yg = y[t] * gradient[t];
            if (IsUpper(alpha[t], upperBounds[t]))
            {
                if (y[t] < 0)
                {
                    upper = Math.Min(upper, yg);
                }
                else
                {
                    lower = Math.Max(lower, yg);
                }
            }
            else if (IsLower(alpha[t]))
            {
                if (y[t] > 0)
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

    /// <summary>∇f += Δα_i Q_i + Δα_j Q_j over all l variables (float rows, double gradient), vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateGradient(double[] gradient, float[] qi, double deltaI, float[] qj, double deltaJ)
    {
        int l = gradient.Length;
        int t = 0;
        if (Vector256.IsHardwareAccelerated && l >= 8)
        {
            var di = Vector256.Create(deltaI);
            var dj = Vector256.Create(deltaJ);
            ref double g = ref gradient[0];
            ref float ri = ref qi[0];
            ref float rj = ref qj[0];
            for (; t <= l - 8; t += 8)
            {
                var (iLow, iHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref ri, (nuint)t));
                var (jLow, jHigh) = Vector256.Widen(Vector256.LoadUnsafe(ref rj, (nuint)t));
                var g0 = Vector256.LoadUnsafe(ref g, (nuint)t);
                var g1 = Vector256.LoadUnsafe(ref g, (nuint)(t + 4));
                g0 = Vector256.FusedMultiplyAdd(jLow, dj, Vector256.FusedMultiplyAdd(iLow, di, g0));
                g1 = Vector256.FusedMultiplyAdd(jHigh, dj, Vector256.FusedMultiplyAdd(iHigh, di, g1));
                g0.StoreUnsafe(ref g, (nuint)t);
                g1.StoreUnsafe(ref g, (nuint)(t + 4));
            }
        }

        for (; t < l; t++)
        {
            gradient[t] += qi[t] * deltaI + qj[t] * deltaJ;
        }
    }
}
