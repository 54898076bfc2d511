using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mnist.Classifiers.Trees;

/// <summary>
/// Grows one classification tree at a time on <see cref="FeatureBins"/>, with scikit-learn's rules for when a node
/// is a leaf, which features a node draws and which split it takes. One builder per thread: its scratch (row index,
/// histograms, feature permutation) is reused from node to node and tree to tree, so growing allocates only the
/// tree itself.
/// </summary>
/// <remarks>
/// <para>
/// The split search is histogram-based: for a candidate feature, one pass over the node's rows adds each row's weight
/// to the (bin, class) cell of its code, a 256-bit map records which bins are occupied, and the candidate splits are
/// the boundaries between consecutive occupied bins, scanned in order with running class sums. With exact bins these
/// are precisely the splits between adjacent distinct values in the node that scikit-learn's sort-based search
/// (<c>BestSplitter</c>) tries, with the same threshold (the midpoint); the cost is O(rows + occupied bins · classes)
/// per feature instead of a sort.
/// </para>
/// <para>
/// Parent-minus-sibling histogram subtraction (LightGBM) is not used: a node draws its own random feature subset
/// (√784 = 28 of 784 on MNIST), so a child's features rarely have a histogram at its parent; the rows of a node are
/// instead partitioned in place, so each histogram pass reads only that node's rows.
/// </para>
/// </remarks>
internal sealed class TreeBuilder
{

    /// <summary>scikit-learn's <c>EPSILON</c>: <c>np.finfo('double').eps</c>.</summary>
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>The most rows of a subtree whose codes are copied to <see cref="_localCodes"/> (784 features padded to 832: 1.3 MB).</summary>
    private const int LocalRows = 1536;

    /// <summary>
    /// The largest total weight of a tree whose entropy search reads w · log2(w) from a table (8 bytes a weight, 32 MB at
    /// most); a heavier tree computes the logarithms.
    /// </summary>
    private const int EntropyTableLimit = 1 << 22;

    /// <summary>How many rows ahead <see cref="GatherLocal"/> prefetches.</summary>
    private const int GatherAhead = 4;

    /// <summary>Steps from an interpolated guess in <see cref="RandomCut"/> before a binary search takes over.</summary>
    private const int InterpolationSteps = 4;

    private readonly FeatureBins _bins;
    private readonly int[] _labels;
    private readonly int _classes;
    private readonly TreeSettings _settings;
    private readonly int _n;
    private readonly int _d;

    // Rows of the tree's sample, partitioned in place node by node (stably: ascending within a node), with their class
    // and weight alongside. Inside a local subtree (below) _rows holds each row's offset in the local codes instead.
    private readonly int[] _rows;
    private readonly int[] _ys;
    private readonly double[] _ws;
    private readonly int[] _spareRows;
    private readonly int[] _spareYs;
    private readonly double[] _spareWs;

    // With integer weights, each row's histogram increment: its row count (1) in the high half, its weight in the low.
    private readonly long[] _packedWs;
    private readonly long[] _sparePackedWs;

    // A subtree of at most LocalRows rows copies its rows' codes (row-major, d bytes each) here once, so that every node
    // below reads a buffer that stays in the core's L2 cache instead of 28 columns spread over the whole code matrix.
    private readonly byte[] _localCodes;
    private readonly int _localStride;

    // In a local subtree, which features are constant in the node being searched (one bit per feature), found for all
    // features at once by a vector min/max over the node's rows, so that drawing a constant feature costs no histogram.
    private readonly ulong[] _constantInNode;
    private readonly byte[] _nodeMinCodes;
    private readonly byte[] _nodeMaxCodes;
    private bool _constantsKnown;
    private byte[] _codes = [];
    private bool _columnMajor;

    // scikit-learn's feature permutation and the constant features known at each depth-first node.
    private readonly int[] _features;
    private readonly int[] _constantFeatures;

    // One feature's histogram: weighted class counts and row counts per bin, with the occupied bins.
    private readonly double[] _histogram;
    private readonly int[] _binRows;
    private readonly long[] _packed;

    // The packed histogram's row length: the class count rounded up to whole Vector256<long>s, zero beyond the classes.
    private readonly int _paddedClasses;
    private readonly double[] _leftPadded;
    private readonly double[] _bestLeftPadded;
    private readonly byte[] _seen = new byte[FeatureBins.MaxBins];
    private bool _integerWeights;

    // Weights that are whole multiples of one factor per class (bootstrap counts times class weights, e.g. balanced):
    // the histograms pack the multiples ("units") as they pack integer weights, and the split search scales them by the
    // class factors (1 for integer weights; 0 for the padding). _factorLogs holds f log2 f for the entropy search,
    // _totalUnits the node's units per class.
    private bool _factoredWeights;
    private bool _packedWeights;
    private readonly double[] _classFactors;
    private readonly double[] _factorLogs;
    private readonly double[] _totalUnits;

    // Whether this tree's histograms stay packed for the split search (packed weights, and for entropy integer ones
    // that its table covers), and whether the histogram just built is still in _packed (read and cleared by
    // the search itself) rather than converted into _histogram and _binRows.
    private bool _packedSearch;
    private bool _packedPending;

    // w · log2(w) for the integer weights w up to the tree's total (pinned: the entropy search gathers from it).
    private double[] _weightLog2Weight = GC.AllocateArray<double>(1, pinned: true);

    private bool _histogramClean = true;
    private readonly int[] _touched = new int[FeatureBins.MaxBins];

    // The node's class weights, padded with zeros to _paddedClasses for the vector Gini scan.
    private readonly double[] _total;
    private readonly double[] _left;
    private readonly double[] _bestLeft;

    private TreeNode[] _nodes = new TreeNode[256];
    private int _nodeCount;
    private double[] _leafSlots;
    private int _leafCount;
    private double[] _importances;
    private double _rootWeight;

    // The best split of the node being searched.
    private int _bestFeature;
    private int _bestCut;
    private float _bestThreshold;
    private double _bestProxy;
    private int _bestLeftRows;

    public TreeBuilder(FeatureBins bins, int[] labels, int classes, TreeSettings settings)
    {
        _bins = bins;
        _labels = labels;
        _classes = classes;
        _settings = settings;
        _n = bins.Rows;
        _d = bins.Features;
        _rows = new int[_n];
        _ys = new int[_n];
        _ws = new double[_n];
        _spareRows = new int[_n];
        _spareYs = new int[_n];
        _spareWs = new double[_n];
        _packedWs = new long[_n];
        _sparePackedWs = new long[_n];
        _localStride = (_d + Vector512<byte>.Count - 1) / Vector512<byte>.Count * Vector512<byte>.Count;
        _localCodes = new byte[Math.Min(_n, LocalRows) * _localStride];
        _constantInNode = new ulong[(_localStride + 63) / 64];
        _nodeMinCodes = new byte[_localStride];
        _nodeMaxCodes = new byte[_localStride];
        _features = new int[_d];
        _constantFeatures = new int[_d];
        _histogram = new double[FeatureBins.MaxBins * classes];
        _binRows = new int[FeatureBins.MaxBins];
        _paddedClasses = (classes + Vector256<long>.Count - 1) / Vector256<long>.Count * Vector256<long>.Count;
        _packed = new long[FeatureBins.MaxBins * _paddedClasses];
        _leftPadded = new double[_paddedClasses];
        _bestLeftPadded = new double[_paddedClasses];
        _total = new double[_paddedClasses];
        _classFactors = new double[_paddedClasses];
        _factorLogs = new double[_paddedClasses];
        _totalUnits = new double[_paddedClasses];
        _left = new double[classes];
        _bestLeft = new double[classes];
        _leafSlots = new double[256 * classes];
        _importances = new double[_d];
    }

    /// <summary>Grows a tree on the rows whose <paramref name="weights"/> are positive, drawing from <paramref name="random"/>.</summary>
    public GrownTree Grow(ReadOnlySpan<double> weights, SeededRandom random)
    {
        int m = LoadRows(weights);
        _nodeCount = 0;
        _leafCount = 0;
        Array.Clear(_importances);
        _rootWeight = 0;
        if (_settings.MaxLeafNodes > 0)
        {
            GrowBestFirst(m, random);
        }
        else
        {
            GrowDepthFirst(m, random);
        }

        return Finish();
    }

    /// <summary>
    /// Searches the split of one node holding every row of positive weight, as the root of a tree would be searched
    /// (the split search alone, for the benchmarks); returns the chosen feature, or −1 when no split is valid.
    /// </summary>
    internal int SearchRoot(ReadOnlySpan<double> weights, SeededRandom random)
    {
        int m = LoadRows(weights);
        _codes = _bins.Codes;
        _columnMajor = true;
        _constantsKnown = false;
        _rootWeight = NodeTotals(0, m);
        int constants = 0;
        return FindSplit(0, m, _rootWeight, random, ref constants) ? _bestFeature : -1;
    }

    /// <summary>Puts the rows of positive weight, ascending, with their classes and weights, at the start of the row arrays; returns their count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int LoadRows(ReadOnlySpan<double> weights)
    {
        int m = 0;
        double sum = 0;
        _integerWeights = true;
        for (int r = 0; r < _n; r++)
        {
            if (weights[r] > 0)
            {
                sum += weights[r];
                _integerWeights &= weights[r] == Math.Floor(weights[r]) && weights[r] < int.MaxValue;
                _rows[m] = r;
                _ys[m] = _labels[r];
                _ws[m] = weights[r];
                _packedWs[m] = (1L << 32) + (long)Math.Min(weights[r], int.MaxValue);
                m++;
            }
        }

        // A packed histogram word holds a weight sum in its low 32 bits: the whole sample's must fit, or it would carry
        // into the row count.
        _integerWeights &= sum < 4294967296.0;
        double units = sum;
        if (_integerWeights)
        {
            _classFactors.AsSpan(0, _classes).Fill(1.0);
            _factorLogs.AsSpan(0, _classes).Clear();
        }

        _factoredWeights = !_integerWeights && FactorWeights(m, out units);
        _packedWeights = _integerWeights || _factoredWeights;
        bool entropyTable = _packedWeights && _settings.Entropy && !_settings.ExtraTrees && units <= EntropyTableLimit;
        if (entropyTable)
        {
            EnsureEntropyTable((int)units);
        }

        // Entropy needs its table to cover the tree's units; a heavier tree takes the unpacked histogram.
        _packedSearch = _packedWeights && (!_settings.Entropy || _settings.ExtraTrees || entropyTable);
        for (int f = 0; f < _d; f++)
        {
            _features[f] = f;
        }

        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GrowDepthFirst(int m, SeededRandom random)
    {
        var stack = new Stack<(int Start, int End, int Depth, int Parent, bool IsLeft, int Constants, bool Local)>();
        stack.Push((0, m, 0, -1, false, 0, false));
        while (stack.Count > 0)
        {
            var (start, end, depth, parent, isLeft, constants, local) = stack.Pop();
            if (!local && end - start <= LocalRows && end - start >= _settings.MinSamplesSplit)
            {
                GatherLocal(start, end);
                local = true;
            }

            _codes = local ? _localCodes : _bins.Codes;
            _columnMajor = !local;
            _constantsKnown = false;
            int id = NewNode(parent, isLeft);
            double weight = NodeTotals(start, end);
            if (parent < 0)
            {
                _rootWeight = weight;
            }

            double impurity = Impurity(_total, weight);
            int rows = end - start;
            bool leaf = depth >= _settings.MaxDepth || rows < _settings.MinSamplesSplit || rows < 2 * _settings.MinSamplesLeaf
                || impurity <= Epsilon;
            if (!leaf && FindSplit(start, end, weight, random, ref constants)
                && Improvement(weight, impurity, out double leftImpurity, out double rightImpurity, out double leftWeight) + Epsilon >= _settings.MinImpurityDecrease)
            {
                int mid = Partition(start, end);
                MakeInternal(id, _bestFeature, _bestThreshold, weight, impurity, leftWeight, leftImpurity, rightImpurity);
                stack.Push((mid, end, depth + 1, id, false, constants, local));
                stack.Push((start, mid, depth + 1, id, true, constants, local));
            }
            else
            {
                MakeLeaf(id, StoreLeafValues(weight));
            }
        }
    }

    /// <summary>
    /// scikit-learn's <c>BestFirstTreeBuilder</c>: every node's split is searched when the node is made; the pending
    /// node whose split decreases the impurity most is split next, until MaxLeafNodes − 1 splits are made.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GrowBestFirst(int m, SeededRandom random)
    {
        _codes = _bins.Codes;
        _columnMajor = true;
        _constantsKnown = false;
        var frontier = new PriorityQueue<Pending, (double, int)>();
        int splitsLeft = _settings.MaxLeafNodes - 1;
        AddBestFirst(0, m, 0, -1, false, random, frontier);
        while (frontier.TryDequeue(out var node, out _))
        {
            if (splitsLeft <= 0)
            {
                MakeLeaf(node.Id, node.LeafSlot);
                continue;
            }

            splitsLeft--;
            MakeInternal(node.Id, node.Feature, node.Threshold, node.Weight, node.Impurity, node.LeftWeight, node.LeftImpurity, node.RightImpurity);
            AddBestFirst(node.Start, node.Mid, node.Depth + 1, node.Id, true, random, frontier);
            AddBestFirst(node.Mid, node.End, node.Depth + 1, node.Id, false, random, frontier);
        }
    }

    private void AddBestFirst(int start, int end, int depth, int parent, bool isLeft, SeededRandom random, PriorityQueue<Pending, (double, int)> frontier)
    {
        int id = NewNode(parent, isLeft);
        double weight = NodeTotals(start, end);
        if (parent < 0)
        {
            _rootWeight = weight;
        }

        double impurity = Impurity(_total, weight);
        int slot = StoreLeafValues(weight);
        int rows = end - start, constants = 0;
        bool leaf = depth >= _settings.MaxDepth || rows < _settings.MinSamplesSplit || rows < 2 * _settings.MinSamplesLeaf
            || impurity <= Epsilon;
        double improvement = 0, leftImpurity = 0, rightImpurity = 0, leftWeight = 0;
        if (!leaf)
        {
            leaf = !FindSplit(start, end, weight, random, ref constants)
                || (improvement = Improvement(weight, impurity, out leftImpurity, out rightImpurity, out leftWeight)) + Epsilon < _settings.MinImpurityDecrease;
        }

        if (leaf)
        {
            MakeLeaf(id, slot);
            return;
        }

        int mid = Partition(start, end);
        var pending = new Pending(id, start, mid, end, depth, slot, _bestFeature, _bestThreshold, weight, impurity, leftWeight, leftImpurity, rightImpurity);
        frontier.Enqueue(pending, (-improvement, id));
    }

    private readonly record struct Pending(
        int Id, int Start, int Mid, int End, int Depth, int LeafSlot, int Feature, float Threshold,
        double Weight, double Impurity, double LeftWeight, double LeftImpurity, double RightImpurity);

    /// <summary>
    /// Draws features as scikit-learn's splitters do (a Fisher–Yates walk that skips the constants known from the
    /// ancestors and keeps drawing past MaxFeatures until a non-constant feature was visited) and keeps the best split.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FindSplit(int start, int end, double weight, SeededRandom random, ref int constants)
    {
        if (!_columnMajor)
        {
            FindConstantFeatures(start, end);
        }

        int known = constants, drawnConstants = 0, foundConstants = 0, totalConstants = known, visited = 0;
        int remaining = _d;
        _bestProxy = double.NegativeInfinity;
        _bestFeature = -1;
        bool localExtra = _constantsKnown && _settings.ExtraTrees && _packedWeights;
        while (remaining > totalConstants && (visited < _settings.MaxFeatures || visited <= foundConstants + drawnConstants))
        {
            visited++;
            int j = random.Next(drawnConstants, remaining - foundConstants);
            if (j < known)
            {
                (_features[drawnConstants], _features[j]) = (_features[j], _features[drawnConstants]);
                drawnConstants++;
                continue;
            }

            j += foundConstants;
            int feature = _features[j];
            if (localExtra && (_constantInNode[feature >> 6] & (1UL << feature)) == 0)
            {
                remaining--;
                (_features[remaining], _features[j]) = (_features[j], _features[remaining]);
                LocalRandomSplit(feature, start, end, weight, random);
                continue;
            }

            bool constant = _constantsKnown ? (_constantInNode[feature >> 6] & (1UL << feature)) != 0 : CodesAllEqual(feature, start, end);
            int occupied = constant ? 0 : BuildHistogram(feature, start, end);
            if (occupied <= 1)
            {
                ClearHistogram(occupied);
                (_features[j], _features[totalConstants]) = (_features[totalConstants], _features[j]);
                foundConstants++;
                totalConstants++;
                continue;
            }

            remaining--;
            (_features[remaining], _features[j]) = (_features[j], _features[remaining]);
            if (_settings.ExtraTrees)
            {
                RandomSplit(feature, occupied, end - start, weight, random);
            }
            else
            {
                BestSplit(feature, occupied, end - start, weight);
            }

            ClearHistogram(occupied);
        }

        // Keep the known constants in their original order for the siblings, and record the new ones for the children.
        Array.Copy(_constantFeatures, _features, known);
        Array.Copy(_features, known, _constantFeatures, known, foundConstants);
        constants = totalConstants;
        return _bestFeature >= 0;
    }

    /// <summary>
    /// Copies the codes of rows [start, end) to <see cref="_localCodes"/> (row-major) and replaces each row index in
    /// <see cref="_rows"/> by the offset of its codes there. Depth-first growth finishes this subtree before it touches
    /// any other row, so one buffer serves every subtree in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void GatherLocal(int start, int end)
    {
        fixed (byte* rowCodes = _bins.RowCodes)
        {
            for (int i = start; i < end; i++)
            {
                if (i + GatherAhead < end)
                {
                    // The rows are scattered over the code matrix, each a new stream to the hardware prefetcher: ask for
                    // the lines of a row a few copies ahead, so that its copy does not wait a memory latency.
                    CachePrefetch.Lines(new ReadOnlySpan<byte>(rowCodes + ((long)_rows[i + GatherAhead] * _d), _d));
                }

                int offset = (i - start) * _localStride;
                new ReadOnlySpan<byte>(rowCodes + ((long)_rows[i] * _d), _d).CopyTo(_localCodes.AsSpan(offset, _d));
                _rows[i] = offset;
            }
        }
    }

    /// <summary>
    /// Sets <see cref="_constantInNode"/> for the local node [start, end): a feature is constant when its smallest and
    /// largest code over the node's rows agree (the same test as a histogram with one occupied bin, for every feature
    /// at a fraction of the cost). Drawing a feature found constant this way counts as a visit, exactly as drawing a
    /// constant whose histogram was built, so the features a node evaluates have the same law as scikit-learn's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FindConstantFeatures(int start, int end)
    {
        Array.Clear(_constantInNode);
        if (Vector512.IsHardwareAccelerated)
        {
            // Half the loads and compares of 256-bit vectors; the local stride is a whole number of 64-byte chunks.
            for (int chunk = 0; chunk < _localStride; chunk += Vector512<byte>.Count)
            {
                var min = Vector512<byte>.AllBitsSet;
                var max = Vector512<byte>.Zero;
                foreach (int row in _rows.AsSpan(start, end - start))
                {
                    var v = Vector512.LoadUnsafe(ref _localCodes[row + chunk]);
                    min = Vector512.Min(min, v);
                    max = Vector512.Max(max, v);
                }

                _constantInNode[chunk >> 6] = Vector512.Equals(min, max).ExtractMostSignificantBits();
                min.StoreUnsafe(ref _nodeMinCodes[chunk]);
                max.StoreUnsafe(ref _nodeMaxCodes[chunk]);
            }
        }
        else
        {
            for (int chunk = 0; chunk < _localStride; chunk += Vector256<byte>.Count)
            {
                var min = Vector256<byte>.AllBitsSet;
                var max = Vector256<byte>.Zero;
                foreach (int row in _rows.AsSpan(start, end - start))
                {
                    var v = Vector256.LoadUnsafe(ref _localCodes[row + chunk]);
                    min = Vector256.Min(min, v);
                    max = Vector256.Max(max, v);
                }

                _constantInNode[chunk >> 6] |= (ulong)Vector256.Equals(min, max).ExtractMostSignificantBits() << (chunk & 63);
                min.StoreUnsafe(ref _nodeMinCodes[chunk]);
                max.StoreUnsafe(ref _nodeMaxCodes[chunk]);
            }
        }

        _constantsKnown = true;
    }

    /// <summary>
    /// Whether every row of the node [start, end) has the same code of <paramref name="feature"/>: the test a histogram
    /// with one occupied bin makes, for the nodes whose constants <see cref="FindConstantFeatures"/> has not found. It
    /// stops at the first other code, so a feature that varies costs a few rows; one that does not costs a read per row
    /// instead of a histogram pass (on MNIST, a fifth of the histogram rows of the nodes above the local subtrees were
    /// passes over constant features, mostly blank pixels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CodesAllEqual(int feature, int start, int end)
    {
        ref byte codes = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), FeatureBase(feature));
        ref int rows = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), start);
        int m = end - start, i = 1;
        if (m <= 1)
        {
            return true;
        }

        int first = Unsafe.Add(ref codes, rows);
        // Four rows a test: the codes' differences from the first are or-ed, so one branch covers them.
        for (; i <= m - 4; i += 4)
        {
            int differences = (Unsafe.Add(ref codes, Unsafe.Add(ref rows, i)) ^ first) | (Unsafe.Add(ref codes, Unsafe.Add(ref rows, i + 1)) ^ first)
                | (Unsafe.Add(ref codes, Unsafe.Add(ref rows, i + 2)) ^ first) | (Unsafe.Add(ref codes, Unsafe.Add(ref rows, i + 3)) ^ first);
            if (differences != 0)
            {
                return false;
            }
        }

        for (; i < m; i++)
        {
            if (Unsafe.Add(ref codes, Unsafe.Add(ref rows, i)) != first)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where feature <paramref name="feature"/>'s code of the row with key k is: <c>_codes[base + k]</c>.</summary>
    private int FeatureBase(int feature) => _columnMajor ? feature * _n : feature;

    /// <summary>
    /// Fills the histogram of <paramref name="feature"/> over the node's rows; returns the occupied bins, listed in order
    /// in <see cref="_touched"/>, whose weighted class counts are in <see cref="_histogram"/> and row counts in
    /// <see cref="_binRows"/>.
    /// </summary>
    /// <remarks>
    /// With integer weights (bootstrap multiplicities, integer class weights) each row adds one 64-bit word, its row
    /// count in the high half and its weight in the low half, so the loop has a single read-modify-write per row; with
    /// class-factored weights (bootstrap multiplicities times fractional class weights, balanced ones for instance) the
    /// low half holds the multiplicity, scaled by the class's factor in the search. Occupancy is a plain byte store,
    /// turned into the ordered bin list by a vector scan of 256 bytes.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int BuildHistogram(int feature, int start, int end)
    {
        // Unchecked reads: row keys, codes and classes were all made by this builder and are in range.
        ref byte codes = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), FeatureBase(feature));
        ref int rows = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_rows), start);
        ref int ys = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ys), start);
        ref byte seen = ref MemoryMarshal.GetArrayDataReference(_seen);
        int k = _classes, kp = _paddedClasses, m = end - start;
        if (_packedWeights)
        {
            ref long packed = ref MemoryMarshal.GetArrayDataReference(_packed);
            ref long increments = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_packedWs), start);
            for (int i = 0; i < m; i++)
            {
                int bin = Unsafe.Add(ref codes, Unsafe.Add(ref rows, i));
                Unsafe.Add(ref packed, (bin * kp) + Unsafe.Add(ref ys, i)) += Unsafe.Add(ref increments, i);
                Unsafe.Add(ref seen, bin) = 1;
            }
        }
        else
        {
            ref double histogram = ref MemoryMarshal.GetArrayDataReference(_histogram);
            ref int binRows = ref MemoryMarshal.GetArrayDataReference(_binRows);
            ref double ws = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_ws), start);
            for (int i = 0; i < m; i++)
            {
                int bin = Unsafe.Add(ref codes, Unsafe.Add(ref rows, i));
                Unsafe.Add(ref histogram, (bin * k) + Unsafe.Add(ref ys, i)) += Unsafe.Add(ref ws, i);
                Unsafe.Add(ref binRows, bin)++;
                Unsafe.Add(ref seen, bin) = 1;
            }
        }

        int count = 0;
        for (int v = 0; v < FeatureBins.MaxBins; v += Vector256<byte>.Count)
        {
            var block = Vector256.LoadUnsafe(ref seen, (nuint)v);
            Vector256<byte>.Zero.StoreUnsafe(ref seen, (nuint)v);
            uint bits = ~Vector256.Equals(block, Vector256<byte>.Zero).ExtractMostSignificantBits();
            while (bits != 0)
            {
                _touched[count++] = v + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
            }
        }

        _histogramClean = false;
        _packedPending = _packedSearch;
        if (_packedWeights && !_packedPending)
        {
            for (int t = 0; t < count; t++)
            {
                int bin = _touched[t], binRows = 0;
                var packed = _packed.AsSpan(bin * kp, k);
                var cell = _histogram.AsSpan(bin * k, k);
                for (int c = 0; c < k; c++)
                {
                    long value = packed[c];
                    cell[c] = (uint)value * _classFactors[c];
                    binRows += (int)(value >> 32);
                    packed[c] = 0;
                }

                _binRows[bin] = binRows;
            }
        }

        return count;
    }

    private void ClearHistogram(int occupied)
    {
        if (_histogramClean)
        {
            return;
        }

        _histogramClean = true;
        if (_packedPending)
        {
            for (int t = 0; t < occupied; t++)
            {
                _packed.AsSpan(_touched[t] * _paddedClasses, _paddedClasses).Clear();
            }

            _packedPending = false;
            return;
        }

        for (int t = 0; t < occupied; t++)
        {
            int bin = _touched[t];
            _histogram.AsSpan(bin * _classes, _classes).Clear();
            _binRows[bin] = 0;
        }
    }

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

    /// <summary>
    /// Whether the weights of the first <paramref name="m"/> rows are each a whole multiple of their class's smallest
    /// weight, the multiple times that weight giving the weight back exactly (so a class weight times a bootstrap count
    /// is, whatever the class weight); if so, writes the multiples into the packed increments, the smallest weights
    /// into <see cref="_classFactors"/> (and f log2 f into <see cref="_factorLogs"/>), and their sum into <paramref name="units"/>.
    /// </summary>
    private bool FactorWeights(int m, out double units)
    {
        units = 0;
        var factors = _classFactors.AsSpan(0, _classes);
        factors.Fill(double.PositiveInfinity);
        for (int i = 0; i < m; i++)
        {
            factors[_ys[i]] = Math.Min(factors[_ys[i]], _ws[i]);
        }

        for (int i = 0; i < m; i++)
        {
            double factor = factors[_ys[i]], multiple = Math.Round(_ws[i] / factor);
            if (multiple * factor != _ws[i] || multiple >= int.MaxValue)
            {
                return false;
            }

            units += multiple;
            _packedWs[i] = (1L << 32) + (long)multiple;
        }

        for (int c = 0; c < factors.Length; c++)
        {
            factors[c] = double.IsPositiveInfinity(factors[c]) ? 0 : factors[c];
            _factorLogs[c] = factors[c] > 0 ? factors[c] * Math.Log2(factors[c]) : 0;
        }

        // As for integer weights: the node's units must fit the low half of a packed word.
        return units < 4294967296.0;
    }

    /// <summary>Sums the node's class weights into <see cref="_total"/>; returns the node's weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double NodeTotals(int start, int end)
    {
        Array.Clear(_total);
        double weight = 0;
        for (int i = start; i < end; i++)
        {
            _total[_ys[i]] += _ws[i];
            weight += _ws[i];
        }

        if (_factoredWeights)
        {
            Array.Clear(_totalUnits);
            for (int i = start; i < end; i++)
            {
                _totalUnits[_ys[i]] += (uint)_packedWs[i];
            }
        }

        return weight;
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

    /// <summary>
    /// Moves the rows of bins up to the best cut to the front of [start, end), keeping the order on both sides (so rows
    /// stay ascending and reads of a code column move forward); returns where the right child starts.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Partition(int start, int end)
    {
        var codes = _codes.AsSpan(FeatureBase(_bestFeature));
        int cut = _bestCut, write = start, spare = 0;
        for (int i = start; i < end; i++)
        {
            // Branch-free: each row is written to both sides (write never passes i, so the left copy overwrites only
            // rows already read) and only its own side's position moves on. Which side a row takes is a coin flip to
            // the branch predictor.
            int row = _rows[i], y = _ys[i];
            double w = _ws[i];
            long packed = _packedWs[i];
            _rows[write] = row;
            _ys[write] = y;
            _ws[write] = w;
            _packedWs[write] = packed;
            _spareRows[spare] = row;
            _spareYs[spare] = y;
            _spareWs[spare] = w;
            _sparePackedWs[spare] = packed;
            int left = codes[row] <= cut ? 1 : 0;
            write += left;
            spare += 1 - left;
        }

        _spareRows.AsSpan(0, spare).CopyTo(_rows.AsSpan(write));
        _spareYs.AsSpan(0, spare).CopyTo(_ys.AsSpan(write));
        _spareWs.AsSpan(0, spare).CopyTo(_ws.AsSpan(write));
        _sparePackedWs.AsSpan(0, spare).CopyTo(_packedWs.AsSpan(write));
        if (write - start != _bestLeftRows)
        {
            throw new InvalidOperationException($"Partition sent {write - start} rows left, the histogram {_bestLeftRows}.");
        }

        return write;
    }

    private int NewNode(int parent, bool isLeft)
    {
        if (_nodeCount == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodes.Length * 2);
        }

        int id = _nodeCount++;
        _nodes[id] = new TreeNode { Feature = -1, Left = -1, Right = -1 };
        if (parent >= 0)
        {
            if (isLeft)
            {
                _nodes[parent].Left = id;
            }
            else
            {
                _nodes[parent].Right = id;
            }
        }

        return id;
    }

    private void MakeInternal(int id, int feature, float threshold, double weight, double impurity, double leftWeight, double leftImpurity, double rightImpurity)
    {
        _nodes[id].Feature = feature;
        _nodes[id].Threshold = threshold;
        _importances[feature] += (weight * impurity) - (leftWeight * leftImpurity) - ((weight - leftWeight) * rightImpurity);
    }

    private void MakeLeaf(int id, int slot)
    {
        _nodes[id].Feature = 0;
        _nodes[id].Threshold = 0;
        _nodes[id].Left = ~slot;
        _nodes[id].Right = -1;
    }

    /// <summary>Stores the node's class fractions (<see cref="_total"/> normalised by its sum, as scikit-learn's predict_proba does); returns their slot.</summary>
    private int StoreLeafValues(double weight)
    {
        int k = _classes;
        if ((_leafCount + 1) * k > _leafSlots.Length)
        {
            Array.Resize(ref _leafSlots, _leafSlots.Length * 2);
        }

        double sum = 0;
        foreach (double c in _total)
        {
            sum += c;
        }

        var slot = _leafSlots.AsSpan(_leafCount * k, k);
        for (int c = 0; c < k; c++)
        {
            slot[c] = _total[c] / sum;
        }

        return _leafCount++;
    }

    private GrownTree Finish()
    {
        var nodes = _nodes.AsSpan(0, _nodeCount).ToArray();
        int k = _classes, leaves = 0;
        foreach (var node in nodes)
        {
            leaves += node.IsLeaf ? 1 : 0;
        }

        var values = new double[leaves * k];
        int next = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            if (nodes[i].IsLeaf)
            {
                _leafSlots.AsSpan(~nodes[i].Left * k, k).CopyTo(values.AsSpan(next * k, k));
                nodes[i].Left = ~next;
                next++;
            }
        }

        double[]? importances = null;
        if (nodes.Length > 1)
        {
            importances = new double[_d];
            double sum = 0;
            for (int f = 0; f < _d; f++)
            {
                importances[f] = _importances[f] / _rootWeight;
                sum += importances[f];
            }

            if (sum > 0)
            {
                for (int f = 0; f < _d; f++)
                {
                    importances[f] /= sum;
                }
            }
        }

        return new GrownTree(nodes, values, importances);
    }
}
