"""Property-based tests (hypothesis) of small pure functions."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cogrnn.analysis import fold_cycles, kendall_tau_a, n_misassigned, threshold_crossing
from cogrnn.tasks import TemporalXOR, corrupt

floats = st.floats(-100, 100, allow_nan=False)


@given(st.lists(floats, min_size=2, max_size=30), st.integers(0, 2**32 - 1))
def test_kendall_tau_a_is_bounded_symmetric_and_antisymmetric(x, seed):
    y = np.random.default_rng(seed).normal(size=len(x))
    tau = kendall_tau_a(x, y)
    assert -1.0 <= tau <= 1.0
    assert np.isclose(tau, kendall_tau_a(y, x))
    assert np.isclose(kendall_tau_a(x, -y), -tau)


@given(st.integers(1, 12), st.integers(1, 10), st.integers(0, 5))
def test_fold_cycles_of_a_periodic_trace_recovers_the_period(period, n_windows, start):
    base = np.arange(period, dtype=float)
    trace = np.tile(base, n_windows + start // period + 2)
    folded = fold_cycles(trace, period, start=start, n_windows=n_windows)
    np.testing.assert_allclose(folded, np.roll(base, -start))


@settings(max_examples=30)
@given(st.integers(1, 40), st.floats(0, 1), st.integers(0, 1000))
def test_corrupt_flips_exactly_round_fn_units(n, f, seed):
    p = np.where(np.random.default_rng(seed).random((3, n)) < 0.5, -1.0, 1.0).astype(np.float32)
    flipped = corrupt(p, f, random_state=seed)
    assert ((flipped != p).sum(axis=1) == round(f * n)).all()


@given(st.lists(st.integers(0, 3), min_size=1, max_size=40))
def test_n_misassigned_is_zero_for_any_relabelling(labels):
    perm = {0: 2, 1: 0, 2: 3, 3: 1}
    assert n_misassigned([perm[v] for v in labels], labels) == 0


@given(st.lists(st.floats(0, 1), min_size=2, max_size=20))
def test_threshold_crossing_lies_in_the_range_or_is_inf(ys):
    xs = np.arange(len(ys), dtype=float)
    c = threshold_crossing(xs, ys, 0.5)
    assert c == float("inf") or 0 <= c <= len(ys) - 1


@settings(max_examples=20)
@given(st.integers(1, 50), st.integers(0, 10_000))
def test_every_third_bit_is_the_xor_of_the_two_before(n, seed):
    bits = TemporalXOR(n).bits(seed)
    assert bits.size == 3 * n
    assert np.array_equal(bits[2::3], bits[0::3] ^ bits[1::3])
