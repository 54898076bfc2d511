using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Classifiers.Trees;

// The best split of a feature (scikit-learn's BestSplitter): the scan of a histogram's bins, its criteria (Gini and entropy,
// packed or not) and the impurities of the split taken.
internal sealed partial class TreeBuilder
{
    /// <summary>scikit-learn's <c>BestSplitter</c> on one feature: every boundary between occupied bins, the first best kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BestSplit(int feature, int occupied, int rows, double weight)
    {
        var left = _left.AsSpan();
        left.Clear();
        var total = _total.AsSpan(0, left.Length);
        double leftWeight = 0;
        int leftRows = 0, minLeaf = _settings.MinSamplesLeaf, k = _classes;
        bool gini = !_settings.Entropy;
        if (_packedPending)
        {
            switch (gini, _factoredWeights)
            {
                case (true, false):
                    PackedSplit<PackedGini, UnitWeights>(feature, occupied, rows, weight);
                    break;
                case (true, true):
                    PackedSplit<PackedGini, ClassScaledWeights>(feature, occupied, rows, weight);
                    break;
                case (false, false):
                    PackedSplit<PackedEntropy, UnitWeights>(feature, occupied, rows, weight);
                    break;
                default:
                    PackedSplit<PackedEntropy, ClassScaledWeights>(feature, occupied, rows, weight);
                    break;
            }

            return;
        }

        for (int t = 0; t < occupied - 1; t++)
        {
            int bin = _touched[t];
            var cell = _histogram.AsSpan(bin * k, k);
            double proxy;
            if (gini)
            {
                // One pass: the running class sums and both sides' sums of squares (scikit-learn's Gini terms).
                double leftSquares = 0, rightSquares = 0;
                for (int c = 0; c < cell.Length; c++)
                {
                    double l = left[c] + cell[c];
                    left[c] = l;
                    leftWeight += cell[c];
                    double r = total[c] - l;
                    leftSquares += l * l;
                    rightSquares += r * r;
                }

                leftRows += _binRows[bin];
                if (leftRows < minLeaf)
                {
                    continue;
                }

                if (rows - leftRows < minLeaf)
                {
                    break;
                }

                double rightWeight = weight - leftWeight;
                double leftImpurity = 1.0 - (leftSquares / (leftWeight * leftWeight));
                double rightImpurity = 1.0 - (rightSquares / (rightWeight * rightWeight));
                proxy = (-rightWeight * rightImpurity) - (leftWeight * leftImpurity);
            }
            else
            {
                for (int c = 0; c < cell.Length; c++)
                {
                    left[c] += cell[c];
                    leftWeight += cell[c];
                }

                leftRows += _binRows[bin];
                if (leftRows < minLeaf)
                {
                    continue;
                }

                if (rows - leftRows < minLeaf)
                {
                    break;
                }

                proxy = Proxy(left, leftWeight, weight - leftWeight);
            }

            if (proxy > _bestProxy)
            {
                KeepBest(proxy, feature, bin, leftRows, Midpoint(_bins.High[feature][bin], _bins.Low[feature][_touched[t + 1]]), left);
            }
        }
    }

    /// <summary>
    /// <see cref="BestSplit"/> on a histogram still packed (integer or class-factored weights): each bin's row count and
    /// class weights (or units) are read from the packed words, which are cleared on the way, so the histogram needs no
    /// other pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // no slow first tier: its calls to the criterion are inlined from the start
    private unsafe void PackedSplit<TCriterion, TWeights>(int feature, int occupied, int rows, double weight)
        where TCriterion : struct, IPackedCriterion
        where TWeights : struct, IPackedWeights
    {
        int kp = _paddedClasses, lanes = Vector256<long>.Count;
        double* table = (double*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_weightLog2Weight)); // pinned
        ref double left = ref MemoryMarshal.GetArrayDataReference(_leftPadded);
        ref double total = ref MemoryMarshal.GetArrayDataReference(TWeights.Scaled ? _totalUnits : _total);
        ref double factors = ref MemoryMarshal.GetArrayDataReference(_classFactors);
        ref double factorLogs = ref MemoryMarshal.GetArrayDataReference(_factorLogs);
        ref long packed = ref MemoryMarshal.GetArrayDataReference(_packed);
        for (int c = 0; c < kp; c += lanes)
        {
            Vector256<double>.Zero.StoreUnsafe(ref left, (nuint)c);
        }

        // A weight below 2^32 becomes a double exactly by placing it in the mantissa of 2^52 and subtracting 2^52.
        var low = Vector256.Create(0xFFFFFFFFL);
        var magicBits = Vector256.Create(0x4330000000000000L);
        var magic = Vector256.Create(4503599627370496.0);

        // The packed words of all bins so far summed: rows on the left in the high half, their weight in the low (the
        // node's weight is below 2^32, see LoadRows), so one horizontal sum per bin gives both.
        long leftPacked = 0;
        int minLeaf = _settings.MinSamplesLeaf;
        bool searching = true;

        // The best split so far is kept in locals and taken (KeepBest, the threshold's Midpoint) after the loop: with a
        // call in the loop, the JIT kept the loop's vector constants and array references in memory and reloaded them
        // for every vector of classes.
        ref double bestLeft = ref MemoryMarshal.GetArrayDataReference(_bestLeftPadded);
        double bestProxy = _bestProxy;
        int bestT = -1, bestLeftRows = 0;
        for (int t = 0; t < occupied; t++)
        {
            int bin = _touched[t];
            ref long cell = ref Unsafe.Add(ref packed, bin * kp);
            if (!searching || t == occupied - 1)
            {
                for (int c = 0; c < kp; c += lanes)
                {
                    Vector256<long>.Zero.StoreUnsafe(ref cell, (nuint)c);
                }

                continue;
            }

            // The criterion's per-class sums on both sides, in the same lane order for every boundary. Factored weights
            // are summed as units (exact), then scaled: a class all on the left leaves exactly nothing on the right.
            var leftTerms = Vector256<double>.Zero;
            var rightTerms = Vector256<double>.Zero;
            var leftWeights = Vector256<double>.Zero;
            var rightWeights = Vector256<double>.Zero;
            var binPacked = Vector256<long>.Zero;
            for (int c = 0; c < kp; c += lanes)
            {
                var value = Vector256.LoadUnsafe(ref cell, (nuint)c);
                Vector256<long>.Zero.StoreUnsafe(ref cell, (nuint)c);
                binPacked += value;
                var w = ((value & low) | magicBits).AsDouble() - magic;
                var l = Vector256.LoadUnsafe(ref left, (nuint)c) + w;
                l.StoreUnsafe(ref left, (nuint)c);
                var r = Vector256.LoadUnsafe(ref total, (nuint)c) - l;
                if (TWeights.Scaled)
                {
                    var factor = Vector256.LoadUnsafe(ref factors, (nuint)c);
                    leftWeights += l * factor;
                    rightWeights += r * factor;
                    TCriterion.AddScaledClassTerms(l, r, factor, Vector256.LoadUnsafe(ref factorLogs, (nuint)c), table, ref leftTerms, ref rightTerms);
                }
                else
                {
                    TCriterion.AddClassTerms(l, r, table, ref leftTerms, ref rightTerms);
                }
            }

            leftPacked += Vector256.Sum(binPacked);
            int leftRows = (int)(leftPacked >>> 32);
            if (leftRows < minLeaf)
            {
                continue;
            }

            if (rows - leftRows < minLeaf)
            {
                searching = false;
                continue;
            }

            double leftWeight = TWeights.Scaled ? Vector256.Sum(leftWeights) : (uint)leftPacked;
            double rightWeight = TWeights.Scaled ? Vector256.Sum(rightWeights) : weight - leftWeight;
            double proxy = TWeights.Scaled
                ? TCriterion.ScaledProxy(Vector256.Sum(leftTerms), Vector256.Sum(rightTerms), leftWeight, rightWeight)
                : TCriterion.Proxy(Vector256.Sum(leftTerms), Vector256.Sum(rightTerms), leftWeight, rightWeight, table);
            if (proxy > bestProxy)
            {
                bestProxy = proxy;
                bestT = t;
                bestLeftRows = leftRows;
                for (int c = 0; c < kp; c += lanes)
                {
                    var best = Vector256.LoadUnsafe(ref left, (nuint)c);
                    (TWeights.Scaled ? best * Vector256.LoadUnsafe(ref factors, (nuint)c) : best).StoreUnsafe(ref bestLeft, (nuint)c);
                }
            }
        }

        if (bestT >= 0)
        {
            int bin = _touched[bestT];
            KeepBest(bestProxy, feature, bin, bestLeftRows, Midpoint(_bins.High[feature][bin], _bins.Low[feature][_touched[bestT + 1]]), _bestLeftPadded.AsSpan(0, _classes));
        }

        _packedPending = false;
        _histogramClean = true;
    }

    /// <summary>Fills <see cref="_weightLog2Weight"/> up to weight <paramref name="most"/> if it is shorter.</summary>
    private void EnsureEntropyTable(int most)
    {
        if (_weightLog2Weight.Length > most)
        {
            return;
        }

        var table = GC.AllocateUninitializedArray<double>(most + 1, pinned: true);
        table[0] = 0;
        for (int w = 1; w <= most; w++)
        {
            table[w] = w * Math.Log2(w);
        }

        _weightLog2Weight = table;
    }

    /// <summary>How <see cref="PackedSplit"/> reads the packed weights: as the weights, or as units to scale by the class factors.</summary>
    private interface IPackedWeights
    {
        /// <summary>Whether the packed words hold units, each class's weight being its units times its factor.</summary>
        static abstract bool Scaled { get; }
    }

    /// <summary>Integer weights: the packed words hold the weights themselves.</summary>
    private readonly struct UnitWeights : IPackedWeights
    {
        public static bool Scaled => false;
    }

    /// <summary>Class-factored weights (<see cref="FactorWeights"/>): the packed words hold units.</summary>
    private readonly struct ClassScaledWeights : IPackedWeights
    {
        public static bool Scaled => true;
    }

    /// <summary>A criterion of <see cref="PackedSplit"/>: sums over the classes, then scikit-learn's proxy from them.</summary>
    private unsafe interface IPackedCriterion
    {
        /// <summary>Adds four classes' terms, from their weights on the left <paramref name="left"/> and right <paramref name="right"/>.</summary>
        static abstract void AddClassTerms(
            Vector256<double> left, Vector256<double> right, double* table, ref Vector256<double> leftTerms, ref Vector256<double> rightTerms);

        /// <summary>scikit-learn's <c>proxy_impurity_improvement</c> from the two sides' sums and weights.</summary>
        static abstract double Proxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight, double* table);

        /// <summary>
        /// <see cref="AddClassTerms"/> for class-factored weights: four classes' units on each side, their factors f (a
        /// class's weight is its units times f) and f log2 f.
        /// </summary>
        static abstract void AddScaledClassTerms(
            Vector256<double> leftUnits, Vector256<double> rightUnits, Vector256<double> factors, Vector256<double> factorLogs, double* table,
            ref Vector256<double> leftTerms, ref Vector256<double> rightTerms);

        /// <summary><see cref="Proxy"/> from the sums of <see cref="AddScaledClassTerms"/> and the sides' (fractional) weights.</summary>
        static abstract double ScaledProxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight);
    }

    /// <summary>
    /// Gini: the sums of squared class weights (with integer weights exact integers below 2^53, so the lane order changes
    /// nothing; scaled weights are summed in the same order at every boundary).
    /// </summary>
    private readonly unsafe struct PackedGini : IPackedCriterion
    {
        public static void AddClassTerms(
            Vector256<double> left, Vector256<double> right, double* table, ref Vector256<double> leftTerms, ref Vector256<double> rightTerms)
        {
            leftTerms += left * left;
            rightTerms += right * right;
        }

        public static double Proxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight, double* table)
        {
            double leftImpurity = 1.0 - (leftTerms / (leftWeight * leftWeight));
            double rightImpurity = 1.0 - (rightTerms / (rightWeight * rightWeight));
            return (-rightWeight * rightImpurity) - (leftWeight * leftImpurity);
        }

        public static void AddScaledClassTerms(
            Vector256<double> leftUnits, Vector256<double> rightUnits, Vector256<double> factors, Vector256<double> factorLogs, double* table,
            ref Vector256<double> leftTerms, ref Vector256<double> rightTerms) =>
            AddClassTerms(leftUnits * factors, rightUnits * factors, table, ref leftTerms, ref rightTerms);

        public static double ScaledProxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight) =>
            Proxy(leftTerms, rightTerms, leftWeight, rightWeight, null);
    }

    /// <summary>
    /// Entropy from a table of w · log2(w): a side of weight N with class weights c_k has N · H = N log2 N − Σ c_k log2 c_k,
    /// so the proxy −N_R H_R − N_L H_L needs no logarithm and no division at a boundary, only table reads (the weights
    /// are integers). With class-factored weights c_k = f_k u_k, c_k log2 c_k = f_k (u_k log2 u_k) + (f_k log2 f_k) u_k
    /// is still read from the table, and only the sides' N log2 N take a logarithm: 2 a boundary instead of 2k.
    /// scikit-learn computes each −p log2 p; the two agree to rounding, which can only matter between splits equally
    /// good in exact arithmetic.
    /// </summary>
    private readonly unsafe struct PackedEntropy : IPackedCriterion
    {
        public static void AddClassTerms(
            Vector256<double> left, Vector256<double> right, double* table, ref Vector256<double> leftTerms, ref Vector256<double> rightTerms)
        {
            leftTerms += Lookup(table, left);
            rightTerms += Lookup(table, right);
        }

        public static double Proxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight, double* table) =>
            (rightTerms - table[(long)rightWeight]) + (leftTerms - table[(long)leftWeight]);

        public static void AddScaledClassTerms(
            Vector256<double> leftUnits, Vector256<double> rightUnits, Vector256<double> factors, Vector256<double> factorLogs, double* table,
            ref Vector256<double> leftTerms, ref Vector256<double> rightTerms)
        {
            leftTerms += (factors * Lookup(table, leftUnits)) + (factorLogs * leftUnits);
            rightTerms += (factors * Lookup(table, rightUnits)) + (factorLogs * rightUnits);
        }

        // A boundary the search scores leaves at least MinSamplesLeaf ≥ 1 rows on each side, so both weights are positive.
        public static double ScaledProxy(double leftTerms, double rightTerms, double leftWeight, double rightWeight) =>
            (rightTerms - (rightWeight * Math.Log2(rightWeight))) + (leftTerms - (leftWeight * Math.Log2(leftWeight)));

        /// <summary>table[w] for four weights w, integers in [0, 2^52) held as doubles.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<double> Lookup(double* table, Vector256<double> weights)
        {
            // Adding 2^52 puts an integer below 2^52 in the mantissa; taking away 2^52's bits leaves it as a long.
            var index = (weights + Vector256.Create(4503599627370496.0)).AsInt64() - Vector256.Create(0x4330000000000000L);
            if (Avx2.IsSupported)
            {
                return Avx2.GatherVector256(table, index, 8);
            }

            return Vector256.Create(table[index[0]], table[index[1]], table[index[2]], table[index[3]]);
        }
    }

    /// <summary>Remembers a split better than every one seen so far in this node.</summary>
    private void KeepBest(double proxy, int feature, int cut, int leftRows, float threshold, ReadOnlySpan<double> leftCounts)
    {
        _bestProxy = proxy;
        _bestFeature = feature;
        _bestCut = cut;
        _bestLeftRows = leftRows;
        _bestThreshold = threshold;

        // Element by element: a call to a general copy costs more than ten doubles (this runs for every improvement).
        for (int c = 0; c < leftCounts.Length; c++)
        {
            _bestLeft[c] = leftCounts[c];
        }
    }

    /// <summary>
    /// scikit-learn's threshold between adjacent values a &lt; b: a/2 + b/2 in double (a when that rounds to b), stored
    /// as the largest float not above it, so that x ≤ threshold holds for a float x exactly when x ≤ the double does.
    /// </summary>
    internal static float Midpoint(float a, float b)
    {
        double mid = (a / 2.0) + (b / 2.0);
        if (mid == b || double.IsInfinity(mid))
        {
            mid = a;
        }

        return FloorToSingle(mid);
    }

    /// <summary>The largest float that is not above <paramref name="value"/>.</summary>
    internal static float FloorToSingle(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    /// <summary>scikit-learn's <c>proxy_impurity_improvement</c>: −(N_R · right impurity) − N_L · left impurity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Proxy(ReadOnlySpan<double> left, double leftWeight, double rightWeight)
    {
        double leftImpurity, rightImpurity;
        if (_settings.Entropy)
        {
            leftImpurity = 0;
            rightImpurity = 0;
            for (int c = 0; c < left.Length; c++)
            {
                double l = left[c], r = _total[c] - l;
                if (l > 0)
                {
                    double p = l / leftWeight;
                    leftImpurity -= p * Math.Log2(p);
                }

                if (r > 0)
                {
                    double p = r / rightWeight;
                    rightImpurity -= p * Math.Log2(p);
                }
            }
        }
        else
        {
            double leftSquares = 0, rightSquares = 0;
            for (int c = 0; c < left.Length; c++)
            {
                double l = left[c], r = _total[c] - l;
                leftSquares += l * l;
                rightSquares += r * r;
            }

            leftImpurity = 1.0 - (leftSquares / (leftWeight * leftWeight));
            rightImpurity = 1.0 - (rightSquares / (rightWeight * rightWeight));
        }

        return (-rightWeight * rightImpurity) - (leftWeight * leftImpurity);
    }

    /// <summary>The impurity of class weights <paramref name="counts"/> summing to <paramref name="weight"/>.</summary>
    private double Impurity(ReadOnlySpan<double> counts, double weight)
    {
        if (_settings.Entropy)
        {
            double entropy = 0;
            foreach (double c in counts)
            {
                if (c > 0)
                {
                    double p = c / weight;
                    entropy -= p * Math.Log2(p);
                }
            }

            return entropy;
        }

        double squares = 0;
        foreach (double c in counts)
        {
            squares += c * c;
        }

        return 1.0 - (squares / (weight * weight));
    }

    /// <summary>scikit-learn's <c>impurity_improvement</c> of the best split, with the children's impurities.</summary>
    private double Improvement(double weight, double impurity, out double leftImpurity, out double rightImpurity, out double leftWeight)
    {
        leftWeight = 0;
        Span<double> right = _classes <= 64 ? stackalloc double[_classes] : new double[_classes];
        for (int c = 0; c < _classes; c++)
        {
            leftWeight += _bestLeft[c];
            right[c] = _total[c] - _bestLeft[c];
        }

        double rightWeight = weight - leftWeight;
        leftImpurity = Impurity(_bestLeft, leftWeight);
        rightImpurity = Impurity(right, rightWeight);
        return weight / _rootWeight * (impurity - (rightWeight / weight * rightImpurity) - (leftWeight / weight * leftImpurity));
    }
}
