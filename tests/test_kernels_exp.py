"""The kernels' own exp: one algorithm on every path (scalar and lane vectors), glibc's bits where glibc is the libm."""

from __future__ import annotations

import math
import platform

import numpy as np
import pytest
from numba import njit

from cogrnn.training import _kernels as K


@njit(cache=True)
def _scalar(xs, libm=False):  # pragma: no cover - compiled
    out = np.empty_like(xs)
    for i in range(xs.size):
        out[i] = math.exp(xs[i]) if libm else K._exp1(xs[i])
    return out


@njit(cache=True)
def _vector(xs):  # pragma: no cover - compiled
    out = np.empty_like(xs)
    for c in range(xs.size // K.LANES):
        K._vstore(out, c * K.LANES, K._vexp(K._vload(xs, c * K.LANES)))
    return out


def _inputs(n=200_000, seed=0):
    rng = np.random.default_rng(seed)
    parts = [rng.uniform(-s, s, n) for s in (1e-300, 1e-17, 1e-6, 0.01, 1.0, 8.0, 40.0, 300.0, 520.0, 760.0, 1100.0)]
    parts.append(rng.normal(0.0, 3.0, n))
    specials = [0.0, -0.0, 2.0**-54, -(2.0**-54), 2.0**-55, 511.9, 512.0, -512.0, 709.78, 709.79, -708.4, -745.1]
    specials += [-745.2, -1074 * math.log(2), 1024.0, -1024.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324]
    xs = np.concatenate([*parts, np.array(specials)])
    return np.concatenate([xs, np.zeros((-xs.size) % K.LANES)])


def _same_bits(a, b):
    return np.array_equal(a.view(np.uint64), b.view(np.uint64))


def test_lane_vectors_give_the_bits_of_the_scalar_exp_in_every_range():
    xs = _inputs()
    # lanes needing the special cases (tiny, huge, inf, nan) are mixed with ordinary ones in one vector
    assert _same_bits(_vector(xs), _scalar(xs))
    shuffled = np.random.default_rng(1).permutation(xs)
    assert _same_bits(_vector(shuffled), _scalar(shuffled))


def test_special_values():
    xs = np.array([0.0, -0.0, math.inf, -math.inf, 1000.0, -1000.0, 709.0, -709.0, -740.0, 1e-20, 1.0, -1.0, math.nan])
    got = _scalar(np.concatenate([xs, np.zeros(3)]))[: xs.size]
    assert got[0] == 1.0 and got[1] == 1.0 and got[2] == math.inf and got[3] == 0.0
    assert got[4] == math.inf and got[5] == 0.0
    assert got[6] == pytest.approx(math.exp(709.0), rel=1e-15) and got[7] == pytest.approx(math.exp(-709.0), rel=1e-15)
    assert 0.0 < got[8] < 2.0**-1022  # subnormal result
    assert got[9] == 1.0 and got[10] == pytest.approx(math.e, rel=1e-16) and math.isnan(got[12])


def test_table_holds_two_to_the_i_over_128():
    tab = K._EXP_TAB
    for i in range(128):
        scale = float(np.uint64((int(tab[2 * i + 1]) + (i << 45)) % 2**64).view(np.float64))
        tail = float(tab[2 * i].view(np.float64))
        assert scale == pytest.approx(2.0 ** (i / 128), rel=2**-52)
        assert abs(tail) < 2**-53


def _glibc_with_fma() -> bool:
    name, version = platform.libc_ver()
    if name != "glibc" or tuple(int(p) for p in version.split(".")[:2]) < (2, 28) or platform.machine() != "x86_64":
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return False
    return "fma" in flags and "avx2" in flags


@pytest.mark.skipif(not _glibc_with_fma(), reason="glibc >= 2.28 on an x86-64 CPU with FMA and AVX2 only")
def test_glibc_exp_bits_on_glibc_with_fma():
    """Where the libm is glibc's FMA build, the kernels' numbers are those of math.exp (old results stand)."""
    xs = _inputs(n=1_000_000, seed=2)
    assert _same_bits(_scalar(xs), _scalar(xs, True))
