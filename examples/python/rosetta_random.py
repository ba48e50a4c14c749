"""What Rosetta draws in Java, drawn bit-for-bit in Python: initial weights, batch order and
dropout masks, so a Python run needs no file from Java to start where Rosetta starts.

- `SplittableRandom`: java.util.SplittableRandom of JDK 17 (seeded constructor, nextLong,
  nextInt, nextInt(bound), nextDouble, split). In JDK 17 nextInt(bound) and nextDouble are
  RandomGenerator's defaults: RandomSupport.boundedNextInt (a rejection loop) and
  `(nextLong() >>> 11) * 0x1.0p-53`.
- `stream_seed`, `initial_values`, `initialize`: api/.../weights/Initializer.java.
- `batch_order`: api/.../data/BatchOrder.forEpoch (Fisher-Yates, epochs numbered from 1).
- `dropout_mask`: api/.../train/DropoutMasks.mask (global steps numbered from 1).

Java's longs are kept here as Python ints in [0, 2**64) (two's complement bits); `to_signed64`
gives the value Java prints. The vectorised draws (`next_doubles`, used for weights and masks)
rely on the i-th draw of a SplittableRandom depending only on seed + i * gamma.
"""
import math

import numpy as np

import rosetta_spec

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15
DOUBLE_UNIT = 2.0 ** -53


def to_signed64(x):
    x &= MASK64
    return x - (1 << 64) if x >> 63 else x


def to_signed32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >> 31 else x


def mix64(z):
    """Stafford variant 13: SplittableRandom.mix64 and Rosetta's Initializer.mix (the same)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mix32(z):
    """The high 32 bits of Stafford variant 4, as a signed Java int."""
    z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & MASK64
    return to_signed32((((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3) & MASK64) >> 32)


def mix_gamma(z):
    """MurmurHash3's finaliser, forced odd, with enough bit transitions (split()'s gamma)."""
    z = ((z ^ (z >> 33)) * 0xFF51AFD7ED558CCD) & MASK64
    z = ((z ^ (z >> 33)) * 0xC4CEB9FE1A85EC53) & MASK64
    z = (z ^ (z >> 33)) | 1
    return z ^ 0xAAAAAAAAAAAAAAAA if bin(z ^ (z >> 1)).count("1") < 24 else z


def _mix64_np(z):
    """mix64 over a uint64 array (numpy's uint64 arithmetic wraps modulo 2**64, as Java's long)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class SplittableRandom:
    """java.util.SplittableRandom (JDK 17)."""

    def __init__(self, seed, gamma=GOLDEN_GAMMA):
        self.seed = seed & MASK64
        self.gamma = gamma & MASK64

    def _next_seed(self):
        self.seed = (self.seed + self.gamma) & MASK64
        return self.seed

    def next_long(self):
        return to_signed64(mix64(self._next_seed()))

    def next_int(self, bound=None):
        """nextInt(), or nextInt(bound) for 0 < bound < 2**31: RandomSupport.boundedNextInt."""
        r = mix32(self._next_seed())
        if bound is None:
            return r
        if not 0 < bound < 1 << 31:
            raise ValueError(f"bound must be a positive int, got {bound}")
        m = bound - 1
        if bound & m == 0:  # a power of two: the low bits
            return r & m
        # Rejects the over-represented top of the range: Java's `u + m - r < 0` is int overflow.
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if u + m - r < 1 << 31:
                return r
            u = (mix32(self._next_seed()) & 0xFFFFFFFF) >> 1

    def next_double(self):
        return (mix64(self._next_seed()) >> 11) * DOUBLE_UNIT

    def next_doubles(self, n):
        """The next n nextDouble() values as a float64 array, in one vectorised draw."""
        steps = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(self.gamma) + np.uint64(self.seed)
        self.seed = (self.seed + n * self.gamma) & MASK64
        return (_mix64_np(steps) >> np.uint64(11)).astype(np.float64) * DOUBLE_UNIT

    def split(self):
        seed = mix64(self._next_seed())
        return SplittableRandom(seed, mix_gamma(self._next_seed()))


def stream_seed(seed, name):
    """Initializer.streamSeed: FNV-1a over the UTF-8 name, xor the seed, then mix64.

    Java xors a signed byte, so bytes >= 0x80 are sign-extended to 64 bits first."""
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h ^= b | (0xFFFFFFFFFFFFFF00 if b >= 0x80 else 0)
        h = (h * 0x100000001B3) & MASK64
    return mix64((seed & MASK64) ^ h)


def initial_values(p, rng):
    """Initializer.values: one tensor's values, float32, in the canonical layout.

    Java computes `(float) ((rng.nextDouble() * 2 - 1) * bound)` in double and rounds once to
    float32 (round-to-nearest-even), which float64 numpy arithmetic and astype reproduce."""
    count = int(np.prod(p.shape))
    if p.init in ("zeros", "ones"):
        return np.full(p.shape, 0.0 if p.init == "zeros" else 1.0, np.float32)
    if p.init == "uniform_fan_in":
        bound = 1.0 / math.sqrt(p.fan_in)
    elif p.init == "xavier_uniform":
        bound = math.sqrt(6.0 / (p.fan_in + p.fan_out))
    elif p.init == "kaiming_uniform":
        bound = math.sqrt(6.0 / p.fan_in)
    else:
        raise ValueError(f"{p.name}: unknown initialiser {p.init!r}")
    return ((rng.next_doubles(count) * 2 - 1) * bound).astype(np.float32).reshape(p.shape)


def initialize(spec):
    """Initializer.initialize: {name: float32 array} for every parameter and buffer, in
    checkpoint order, from the spec's training.seed. `spec` is a path or a dict."""
    spec = rosetta_spec.load_spec(spec)
    seed = spec["training"]["seed"]
    return {p.name: initial_values(p, SplittableRandom(stream_seed(seed, p.name))) for p in rosetta_spec.params(spec)}


def batch_order(size, seed, epoch, shuffle):
    """BatchOrder.forEpoch: sample indices in visiting order for epoch `epoch` (1-based)."""
    order = np.arange(size, dtype=np.int64)
    if not shuffle:
        return order
    rng = SplittableRandom(stream_seed(seed, f"shuffle/{epoch}"))
    idx = list(range(size))  # python ints: the swap loop is about 3x faster than on numpy
    for i in range(size - 1, 0, -1):
        j = rng.next_int(i + 1)
        idx[i], idx[j] = idx[j], idx[i]
    return np.array(idx, dtype=np.int64)


def dropout_mask(seed, step, layer, count, rate):
    """DropoutMasks.mask: float32 [count], 0 for a dropped element and (float) (1 / (1 - rate))
    for a kept one, row-major over the layer's input [batch, ...] at global step `step` (1-based)."""
    rng = SplittableRandom(stream_seed(seed, f"dropout/{layer}/{step}"))
    keep = np.float32(1.0 / (1.0 - rate))
    return np.where(rng.next_doubles(count) < rate, np.float32(0), keep).astype(np.float32)
