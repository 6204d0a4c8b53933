"""A fast, explicitly seeded normal generator for numba kernels.

xoshiro256** (Blackman & Vigna) for 64-bit integers, seeded through splitmix64,
and Marsaglia & Tsang's ziggurat (J. Stat. Softw. 5(8), 2000; 128 layers) for
standard normal numbers.  The state is a small uint64 array owned by one
trajectory, so parallel trajectories never share a generator and a run is a
pure function of its seeds.  Tested for its moments and against the normal
distribution in tests/test_rng.py.

The generator's functions are inlined into their callers (``inline="always"``):
called, the state goes through memory at every draw; inlined into the Langevin
step, the step runs 1.3× faster (paired runs, benchmarks/bench_dynamics.py).
"""
import math

import numpy as np
from numba import njit, uint64

_R = 3.442619855899
_V = 9.91256303526217e-3


def _tables():
    m1 = 2147483648.0
    kn = np.zeros(128, dtype=np.int64)
    wn = np.zeros(128)
    fn = np.zeros(128)
    dn = tn = _R
    q = _V / math.exp(-0.5 * dn * dn)
    kn[0] = int((dn / q) * m1)
    kn[1] = 0
    wn[0] = q / m1
    wn[127] = dn / m1
    fn[0] = 1.0
    fn[127] = math.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = math.sqrt(-2.0 * math.log(_V / dn + math.exp(-0.5 * dn * dn)))
        kn[i + 1] = int((dn / tn) * m1)
        tn = dn
        fn[i] = math.exp(-0.5 * dn * dn)
        wn[i] = dn / m1
    return kn, wn, fn


KN, WN, FN = _tables()


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True)
def seed_state(seed):
    """A xoshiro256** state (4 uint64) from an integer seed, via splitmix64."""
    s = np.empty(4, dtype=np.uint64)
    x = uint64(seed)
    for i in range(4):
        x = x + uint64(0x9E3779B97F4A7C15)
        z = x
        z = (z ^ (z >> uint64(30))) * uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> uint64(27))) * uint64(0x94D049BB133111EB)
        s[i] = z ^ (z >> uint64(31))
    return s


@njit(cache=True, inline="always")
def next_u64(s):
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(cache=True, inline="always")
def uniform(s):
    """A double in (0, 1)."""
    return ((next_u64(s) >> uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _int32(s):
    return np.int64(np.int32(np.uint32(next_u64(s) >> uint64(32))))


@njit(cache=True, inline="always")
def normal(s):
    """A standard normal number (ziggurat)."""
    hz = _int32(s)
    iz = hz & 127
    if abs(hz) < KN[iz]:
        return hz * WN[iz]
    while True:
        x = hz * WN[iz]
        if iz == 0:
            while True:
                x = -math.log(uniform(s)) / _R
                y = -math.log(uniform(s))
                if y + y >= x * x:
                    break
            return _R + x if hz > 0 else -_R - x
        if FN[iz] + uniform(s) * (FN[iz - 1] - FN[iz]) < math.exp(-0.5 * x * x):
            return x
        hz = _int32(s)
        iz = hz & 127
        if abs(hz) < KN[iz]:
            return hz * WN[iz]


@njit(cache=True)
def normals(seed, n):
    """n standard normal numbers from ``seed`` (for tests and NumPy-side use)."""
    s = seed_state(seed)
    out = np.empty(n)
    for i in range(n):
        out[i] = normal(s)
    return out

__all__ = ["KN", "WN", "FN", "seed_state", "next_u64", "uniform", "normal", "normals"]
