using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// <para>
/// This file holds the growth (depth-first and best-first), the rows and the nodes; TreeBuilder.Histograms.cs the
/// histograms and constant-feature tests, TreeBuilder.BestSplits.cs the best split and its criteria,
/// TreeBuilder.RandomSplits.cs extra trees' random split.
/// </para>
/// </remarks>
internal sealed partial class TreeBuilder
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

    /// <summary>Whether the histograms pack the weights: integer or class-factored ones.</summary>
    private bool PackedWeights => _integerWeights || _factoredWeights;

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
        bool entropyTable = PackedWeights && _settings.Entropy && !_settings.ExtraTrees && units <= EntropyTableLimit;
        if (entropyTable)
        {
            EnsureEntropyTable((int)units);
        }

        // Entropy needs its table to cover the tree's units; a heavier tree takes the unpacked histogram.
        _packedSearch = PackedWeights && (!_settings.Entropy || _settings.ExtraTrees || entropyTable);
        for (int f = 0; f < _d; f++)
        {
            _features[f] = f;
        }

        return m;
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
        bool localExtra = _constantsKnown && _settings.ExtraTrees && PackedWeights;
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

    /// <summary>Sums the node's class weights into <see cref="_total"/>; returns the node's weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double NodeTotals(int start, int end)
    {
        Array.Clear(_total);
        double weight = 0;
        if (_factoredWeights)
        {
            Array.Clear(_totalUnits);
            for (int i = start; i < end; i++)
            {
                _total[_ys[i]] += _ws[i];
                _totalUnits[_ys[i]] += (uint)_packedWs[i];
                weight += _ws[i];
            }

            return weight;
        }

        for (int i = start; i < end; i++)
        {
            _total[_ys[i]] += _ws[i];
            weight += _ws[i];
        }

        return weight;
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
