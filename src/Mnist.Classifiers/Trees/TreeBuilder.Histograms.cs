using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mnist.Classifiers.Trees;

// The per-feature histograms of the split search, the local copies of small subtrees' codes and the constant-feature tests.
internal sealed partial class TreeBuilder
{
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
        if (PackedWeights)
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
        if (PackedWeights && !_packedPending)
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
}
