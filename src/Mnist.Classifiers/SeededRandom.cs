using System.Buffers.Binary;
using System.Numerics;

namespace Mnist.Classifiers;

/// <summary>
/// The library's one pseudorandom generator: xoshiro256** (Blackman &amp; Vigna, "Scrambled linear pseudorandom
/// number generators", ACM TOMS 47(4), 2021) with its 256-bit state filled from a 64-bit seed by SplitMix64
/// (Steele, Lea &amp; Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014), as the authors
/// recommend. Every number it returns is computed by this class's own documented code, so a seed gives the same
/// results on every machine and every .NET version (unlike <see cref="Random(int)"/>, whose seeded sequence .NET
/// does not promise to keep). The policy is written down in docs/randomness.md.
/// </summary>
/// <remarks>
/// <para>
/// It derives from <see cref="Random"/> so that it plugs into APIs that take one, and overrides every virtual
/// member with the algorithms documented on each. Integers in a range [min, max) are all drawn by Lemire's
/// unbiased multiply-shift with rejection ("Fast random integer generation in an interval", ACM TOMS 29(1), 2019)
/// over the range max − min; a range of one value (or none) returns min without drawing.
/// </para>
/// <para>
/// Independent generators for parallel work (tree i, fold j, class pair p) come from
/// <see cref="ForStream(long, long)"/>: the child depends only on the seed and the stream index, never on how many
/// numbers anyone drew before, so results are the same whatever the thread count and scheduling.
/// </para>
/// <para>An instance is not thread-safe: give each thread or task its own stream.</para>
/// </remarks>
public sealed class SeededRandom : Random
{
    /// <summary>SplitMix64's increment, 2^64 divided by the golden ratio, rounded to odd.</summary>
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>2^-53: scales the top 53 bits of an output to a double in [0, 1).</summary>
    private const double DoubleUnit = 1.0 / (1UL << 53);

    /// <summary>2^-24: scales the top 24 bits of an output to a float in [0, 1).</summary>
    private const float SingleUnit = 1.0f / (1 << 24);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>
    /// A generator whose state is the first four outputs of SplitMix64 started at <paramref name="seed"/> (read as
    /// 64 unsigned bits). The state is never all zero, which xoshiro requires: SplitMix64's output function is a
    /// bijection applied to four distinct counter values, so at most one of the four words can be zero.
    /// </summary>
    /// <param name="seed">Any 64-bit value.</param>
    public SeededRandom(long seed)
    {
        // The base class's own generator is never consulted: every virtual member is overridden below.
        Seed = seed;
        var counter = unchecked((ulong)seed);
        _s0 = SplitMix64Next(ref counter);
        _s1 = SplitMix64Next(ref counter);
        _s2 = SplitMix64Next(ref counter);
        _s3 = SplitMix64Next(ref counter);
    }

    /// <summary>The seed this generator was made from (for a stream, the derived seed).</summary>
    public long Seed { get; }

    /// <summary>
    /// The generator of stream <paramref name="stream"/> of <paramref name="seed"/>: use one per independent piece
    /// of work (tree i, fold j, class pair p) so that each draws the same numbers whichever thread runs it and
    /// whatever ran before.
    /// </summary>
    /// <remarks>
    /// The stream's seed is <c>mix(mix(seed + γ) XOR stream)</c>, where <c>mix</c> is SplitMix64's output function
    /// (Stafford's "Mix13" finaliser) and γ = 0x9E3779B97F4A7C15, so <c>mix(seed + γ)</c> is the first SplitMix64
    /// output of <paramref name="seed"/>; the generator is then <c>new SeededRandom(streamSeed)</c>. Because
    /// <c>mix</c> is a bijection, different streams of one seed always get different stream seeds, and its
    /// avalanche makes neighbouring stream indices unrelated. Streams nest: a stream's own
    /// <see cref="ForStream(long)"/> derives from its <see cref="Seed"/>. (The authors' jump functions would
    /// guarantee non-overlapping streams too, but cost work proportional to the stream index; with a 2^256 period,
    /// hashed starting points overlap with negligible probability.)
    /// </remarks>
    /// <param name="seed">The seed of the whole computation.</param>
    /// <param name="stream">The index of the piece of work, any 64-bit value.</param>
    public static SeededRandom ForStream(long seed, long stream)
    {
        var firstOutput = Mix(unchecked((ulong)seed + GoldenGamma));
        return new SeededRandom(unchecked((long)Mix(firstOutput ^ (ulong)stream)));
    }

    /// <summary>
    /// The generator of stream <paramref name="stream"/> of this generator's <see cref="Seed"/>, the same as
    /// <c>ForStream(Seed, stream)</c>: it does not depend on how many numbers this instance has drawn.
    /// </summary>
    /// <param name="stream">The index of the piece of work, any 64-bit value.</param>
    public SeededRandom ForStream(long stream) => ForStream(Seed, stream);

    /// <summary>The next raw 64-bit output of xoshiro256** (the authors' <c>next()</c>, step for step).</summary>
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var shifted = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= shifted;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <see cref="int.MaxValue"/>), as <c>Next(0, int.MaxValue)</c>.</summary>
    public override int Next() => (int)NextBelow(int.MaxValue);

    /// <summary>A uniform integer in [0, <paramref name="maxValue"/>), by Lemire's method; 0 without drawing when
    /// <paramref name="maxValue"/> is 0 or 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative.</exception>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextBelow((ulong)maxValue);
    }

    /// <summary>A uniform integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>), by Lemire's method
    /// over the range; <paramref name="minValue"/> without drawing when the range holds at most one value.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minValue"/> is greater than <paramref name="maxValue"/>.</exception>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)NextBelow((ulong)((long)maxValue - minValue)));
    }

    /// <summary>A uniform integer in [0, <see cref="long.MaxValue"/>), as <c>NextInt64(0, long.MaxValue)</c>.</summary>
    public override long NextInt64() => (long)NextBelow(long.MaxValue);

    /// <summary>A uniform integer in [0, <paramref name="maxValue"/>), by Lemire's method; 0 without drawing when
    /// <paramref name="maxValue"/> is 0 or 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is negative.</exception>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)NextBelow((ulong)maxValue);
    }

    /// <summary>A uniform integer in [<paramref name="minValue"/>, <paramref name="maxValue"/>), by Lemire's method
    /// over the range (up to 2^64 − 1 values); <paramref name="minValue"/> without drawing when the range holds at
    /// most one value.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minValue"/> is greater than <paramref name="maxValue"/>.</exception>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);

        // The range and the sum wrap around in 64 bits and land on the right value (two's complement).
        var range = unchecked((ulong)maxValue - (ulong)minValue);
        return unchecked((long)((ulong)minValue + NextBelow(range)));
    }

    /// <summary>A uniform double in [0, 1): the top 53 bits of one output times 2^-53 (every value a multiple of 2^-53).</summary>
    public override double NextDouble() => (NextUInt64() >> 11) * DoubleUnit;

    /// <summary>A uniform float in [0, 1): the top 24 bits of one output times 2^-24 (every value a multiple of 2^-24).</summary>
    public override float NextSingle() => (NextUInt64() >> 40) * SingleUnit;

    /// <summary>Fills <paramref name="buffer"/> with random bytes; see <see cref="NextBytes(Span{byte})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> with random bytes: each 8 bytes are one output written little-endian (so the
    /// bytes do not depend on the machine's byte order), and a last partial group takes the low bytes of one more
    /// output.
    /// </summary>
    public override void NextBytes(Span<byte> buffer)
    {
        while (buffer.Length >= sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, NextUInt64());
            buffer = buffer[sizeof(ulong)..];
        }

        if (!buffer.IsEmpty)
        {
            Span<byte> last = stackalloc byte[sizeof(ulong)];
            BinaryPrimitives.WriteUInt64LittleEndian(last, NextUInt64());
            last[..buffer.Length].CopyTo(buffer);
        }
    }

    /// <summary>
    /// Shuffles <paramref name="items"/> in place by the Fisher–Yates shuffle in Durstenfeld's form (Knuth,
    /// TAOCP vol. 2, Algorithm 3.4.2 P): for i from n − 1 down to 1, swap item i with item
    /// <c>Next(i + 1)</c>. Every permutation is equally likely. This is the shuffle the library uses everywhere.
    /// </summary>
    /// <remarks>
    /// <see cref="Random.Shuffle{T}(Span{T})"/> cannot be overridden (it is not virtual). On a
    /// <see cref="SeededRandom"/> it still draws through the overridden <see cref="Next(int, int)"/>, but the order in
    /// which it walks the items is .NET's implementation detail, not a documented contract; this method's order is
    /// part of this library's documented, version-stable policy, so the library never calls the inherited one.
    /// </remarks>
    /// <param name="items">The items to shuffle.</param>
    /// <typeparam name="T">The item type.</typeparam>
    public void FisherYatesShuffle<T>(Span<T> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = (int)NextBelow((ulong)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The same as <see cref="NextDouble"/>, so that legacy code paths of <see cref="Random"/> stay on this generator.</summary>
    protected override double Sample() => NextDouble();

    /// <summary>
    /// A uniform integer in [0, <paramref name="range"/>) by Lemire's nearly divisionless method (2019, Algorithm 5):
    /// the high 64 bits of output × range, drawing again while the low 64 bits fall below 2^64 mod range, which
    /// removes exactly the bias of the multiply-shift. The division is computed only when the low bits are below
    /// the range, which is rare. Returns 0 without drawing for a range of 0 or 1.
    /// </summary>
    private ulong NextBelow(ulong range)
    {
        if (range <= 1)
        {
            return 0;
        }

        var high = Math.BigMul(NextUInt64(), range, out var low);
        if (low < range)
        {
            // 2^64 mod range, computed in 64 bits as (2^64 − range) mod range.
            var threshold = unchecked(0UL - range) % range;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), range, out low);
            }
        }

        return high;
    }

    /// <summary>One SplitMix64 step: advances <paramref name="counter"/> by γ and returns the mixed counter.</summary>
    private static ulong SplitMix64Next(ref ulong counter)
    {
        counter = unchecked(counter + GoldenGamma);
        return Mix(counter);
    }

    /// <summary>SplitMix64's output function (Stafford's "Mix13" variant of the MurmurHash3 finaliser), a bijection on 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
