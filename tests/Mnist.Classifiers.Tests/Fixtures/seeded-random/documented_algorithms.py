"""Recomputes the expected values of SeededRandomTests that go beyond the raw outputs (bounded integers, the
shuffle, stream seeds) from the algorithms as docs/randomness.md and SeededRandom's XML docs describe them,
with Python's exact integers, independently of the C# code.

Run: python3 documented_algorithms.py   (no third-party modules). Its raw outputs must equal reference_outputs.c's.
"""

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    """SplitMix64's output function."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed):
        counter = seed & MASK
        self.s = []
        for _ in range(4):
            counter = (counter + GAMMA) & MASK
            self.s.append(mix(counter))

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound):
        """Lemire: high word of output * bound, drawing again while the low word < 2^64 mod bound."""
        if bound <= 1:
            return 0
        while True:
            product = self.next() * bound
            if product & MASK >= (1 << 64) % bound:
                return product >> 64


def for_stream(seed, stream):
    return Xoshiro256StarStar(mix(mix(((seed & MASK) + GAMMA) & MASK) ^ (stream & MASK)))


for seed in (42, -1):
    g = Xoshiro256StarStar(seed)
    print(f"raw, seed {seed}:", ", ".join(f"0x{g.next():016X}UL" for _ in range(8)))

g = Xoshiro256StarStar(42)
print("Next(10), seed 42:", [g.below(10) for _ in range(12)])

g = Xoshiro256StarStar(42)
items = list(range(10))
for i in range(len(items) - 1, 0, -1):
    j = g.below(i + 1)
    items[i], items[j] = items[j], items[i]
print("FisherYatesShuffle(0..9), seed 42:", items)

for stream in (0, 1, 2):
    g = for_stream(42, stream)
    print(f"ForStream(42, {stream}) raw:", ", ".join(f"0x{g.next():016X}UL" for _ in range(2)))
