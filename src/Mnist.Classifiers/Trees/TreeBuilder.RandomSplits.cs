using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Trees;

// Extra trees' random split of a feature (scikit-learn's RandomSplitter, Geurts et al. 2006).
internal sealed partial class TreeBuilder
{
    /// <summary>
    /// scikit-learn's <c>RandomSplitter</c> on one feature (Geurts et al. 2006): one threshold t drawn uniformly in
    /// [min, max) of the feature in the node, rows with x ≤ t going left.
    /// </summary>
    /// <remarks>How t is drawn and mapped to the bins: <see cref="RandomThreshold"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RandomSplit(int feature, int occupied, int rows, double weight, SeededRandom random)
    {
        float[] low = _bins.Low[feature], high = _bins.High[feature];
        int first = _touched[0], last = _touched[occupied - 1];
        double t = RandomThreshold(low, high, first, last, random);
        int cut = RandomCut(low, high, first, last, t);
        var left = _left.AsSpan();
        left.Clear();
        double leftWeight = 0;
        int leftRows = 0, k = _classes;
        for (int i = 0; i < occupied && _touched[i] <= cut; i++)
        {
            int bin = _touched[i];
            if (_packedPending)
            {
                // Still packed (cleared afterwards by ClearHistogram): row counts high, weights low.
                var packed = _packed.AsSpan(bin * _paddedClasses, k);
                for (int c = 0; c < k; c++)
                {
                    double classWeight = (uint)packed[c] * _classFactors[c];
                    left[c] += classWeight;
                    leftWeight += classWeight;
                    leftRows += (int)(packed[c] >> 32);
                }
            }
            else
            {
                var cell = _histogram.AsSpan(bin * k, k);
                for (int c = 0; c < k; c++)
                {
                    left[c] += cell[c];
                    leftWeight += cell[c];
                }

                leftRows += _binRows[bin];
            }
        }

        TakeRandomSplit(feature, cut, last, t, rows, leftRows, weight, leftWeight);
    }

    /// <summary>
    /// <see cref="RandomSplit"/> in a local node with integer weights, without a histogram: the node's smallest and largest
    /// code come from <see cref="FindConstantFeatures"/>, and one pass over the rows sums the class weights of those
    /// at or below the cut (branch-free, alternating between two sets of sums). It draws the same threshold and takes
    /// the same split as <see cref="RandomSplit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void LocalRandomSplit(int feature, int start, int end, double weight, SeededRandom random)
    {
        float[] low = _bins.Low[feature], high = _bins.High[feature];
        int first = _nodeMinCodes[feature], last = _nodeMaxCodes[feature];
        double t = RandomThreshold(low, high, first, last, random);
        int cut = RandomCut(low, high, first, last, t);
        if (cut < first || cut >= last)
        {
            return;
        }

        int k = _classes, m = end - start;
        Span<long> sums = stackalloc long[2 * k];
        sums.Clear();
        ref byte codes = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), FeatureBase(feature));
        ref int rows = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), start);
        ref int ys = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ys), start);
        ref long increments = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packedWs), start);
        ref long even = ref MemoryMarshal.GetReference(sums);
        ref long odd = ref Unsafe.Add(ref even, k);
        int i = 0;
        for (; i + 2 <= m; i += 2)
        {
            // (cut − code) >> 31 is all ones when code > cut: the row adds nothing.
            long take0 = ~(long)((cut - Unsafe.Add(ref codes, Unsafe.Add(ref rows, i))) >> 31);
            long take1 = ~(long)((cut - Unsafe.Add(ref codes, Unsafe.Add(ref rows, i + 1))) >> 31);
            Unsafe.Add(ref even, Unsafe.Add(ref ys, i)) += Unsafe.Add(ref increments, i) & take0;
            Unsafe.Add(ref odd, Unsafe.Add(ref ys, i + 1)) += Unsafe.Add(ref increments, i + 1) & take1;
        }

        if (i < m)
        {
            long take = ~(long)((cut - Unsafe.Add(ref codes, Unsafe.Add(ref rows, i))) >> 31);
            Unsafe.Add(ref even, Unsafe.Add(ref ys, i)) += Unsafe.Add(ref increments, i) & take;
        }

        var left = _left.AsSpan();
        double leftWeight = 0;
        int leftRows = 0;
        for (int c = 0; c < k; c++)
        {
            long value = sums[c] + sums[k + c];
            left[c] = (uint)value * _classFactors[c];
            leftWeight += left[c];
            leftRows += (int)(value >> 32);
        }

        TakeRandomSplit(feature, cut, last, t, m, leftRows, weight, leftWeight);
    }

    /// <summary>
    /// Draws the threshold t uniformly in [min, max) of the feature in the node (scikit-learn's
    /// <c>rand_uniform(min, max)</c>, t = max read as min), min and max being the low edge of the node's first bin and
    /// the high edge of its last.
    /// </summary>
    /// <remarks>
    /// The float t itself is drawn and then mapped to the bins (<see cref="RandomCut"/>): bins whose values are all ≤ t
    /// go left. With exact bins (one distinct value per bin) this is exactly the partition x ≤ t, and the stored threshold
    /// is t itself (rounded down to a float, which sends every float input the same way as the double t does), so the
    /// draw keeps the law of Geurts et al.: the cut falls in each gap between the node's values with probability
    /// proportional to the gap. Only with quantile bins can t fall inside a bin; that bin then goes to the side of its
    /// own midpoint, and the threshold is the midpoint between it and the next bin.
    /// </remarks>
    private static double RandomThreshold(float[] low, float[] high, int first, int last, SeededRandom random)
    {
        double min = low[first], max = high[last];
        double t = ((max - min) * random.NextDouble()) + min;
        return t == max ? min : t;
    }

    /// <summary>The last bin in [first, last] that goes left of t (first − 1 when none does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int RandomCut(float[] low, float[] high, int first, int last, double t)
    {
        int lo = first, hi = last, cut = first - 1;

        // Start where t would fall if the bins were evenly spread (pixel values scaled affinely nearly are) and step to
        // the answer when it is near: one or two cache lines of edges instead of a binary search's eight. Otherwise the
        // steps have narrowed the range for the binary search. The answer is the same either way: the last bin whose
        // largest value is ≤ t.
        double span = (double)high[last] - high[first];
        if (span > 0 && last > first)
        {
            int guess = first + (int)Math.Clamp((t - high[first]) / span * (last - first), 0, last - first);
            for (int step = 0; step < InterpolationSteps && lo <= hi; step++)
            {
                if (high[guess] <= t)
                {
                    cut = guess;
                    lo = guess + 1;
                    guess++;
                }
                else
                {
                    hi = guess - 1;
                    guess--;
                }

                if (guess < lo || guess > hi)
                {
                    break;
                }
            }
        }

        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (high[mid] <= t)
            {
                cut = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        int straddling = cut + 1;
        if (straddling <= last && low[straddling] <= t && t >= (low[straddling] / 2.0) + (high[straddling] / 2.0))
        {
            cut = straddling;
        }

        return cut;
    }

    /// <summary>Keeps the random split at <paramref name="cut"/> if it is valid and the best so far.</summary>
    private void TakeRandomSplit(int feature, int cut, int last, double t, int rows, int leftRows, double weight, double leftWeight)
    {
        if (cut >= last || leftRows == 0 || leftRows < _settings.MinSamplesLeaf || rows - leftRows < _settings.MinSamplesLeaf)
        {
            return;
        }

        double proxy = Proxy(_left, leftWeight, weight - leftWeight);
        if (proxy > _bestProxy)
        {
            float[] low = _bins.Low[feature], high = _bins.High[feature];
            float threshold = FloorToSingle(t);
            KeepBest(proxy, feature, cut, leftRows, threshold >= high[cut] && threshold < low[cut + 1] ? threshold : Midpoint(high[cut], low[cut + 1]), _left);
        }
    }
}
