"""Exact update arithmetic of the classical Hopfield network: a unit whose field equals its threshold keeps its state.

The references are written independently with numpy int64 (the paper's integer T_ij).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import HopfieldNetwork, ModernHopfield
from cogrnn.random import torch_generator
from cogrnn.tasks import partial_cue, random_patterns


def _integer_T(mem: np.ndarray, binary: bool) -> np.ndarray:
    b = (2 * mem - 1 if binary else mem).astype(np.int64)
    T = b.T @ b
    np.fill_diagonal(T, 0)
    return T


def _rule(h: np.ndarray, old: np.ndarray, threshold: float, off: int) -> np.ndarray:
    return np.where(h > threshold, 1, np.where(h < threshold, off, old))


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("threshold", [0.0, 2.0, -4.0])  # fields are even (n = 10)
def test_synchronous_step_equals_the_integer_rule_with_ties(binary, threshold, global_random_seed):
    N, n = 100, 10
    mem = random_patterns(n, N, random_state=global_random_seed, binary=binary)
    starts = random_patterns(200, N, random_state=global_random_seed + 1, binary=binary)
    if not binary:
        starts = partial_cue(starts, 0.2, random_state=global_random_seed + 2)  # zeros make ties in +-1 units
    T = _integer_T(mem, binary)
    s = starts.astype(np.int64)
    h = s @ T.T
    ties = int((h == threshold).sum())
    assert ties > 50  # the test exercises ties (about 1.5% of updates with 0/1 units)
    expected = _rule(h, s, threshold, 0 if binary else -1)
    net = HopfieldNetwork(N, states="binary" if binary else "bipolar", threshold=threshold).store(mem)
    np.testing.assert_array_equal(net.field(starts)[0].numpy(), h)
    got = net.recall(starts, mode="sync", max_sweeps=1).states[0].numpy()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("binary", [True, False])
def test_asynchronous_sweep_equals_the_integer_rule_with_ties(binary, global_random_seed):
    N, n = 60, 8
    mem = random_patterns(n, N, random_state=global_random_seed, binary=binary)
    starts = random_patterns(40, N, random_state=global_random_seed + 1, binary=binary)
    if not binary:
        starts = partial_cue(starts, 0.3, random_state=global_random_seed + 2)
    T = _integer_T(mem, binary)
    s = starts.astype(np.int64)
    order = torch.randperm(N, generator=torch_generator(7)).tolist()  # the network's first sweep order
    ties = 0
    for i in order:
        h = s @ T[i]
        ties += int((h == 0).sum())
        s[:, i] = _rule(h, s[:, i], 0.0, 0 if binary else -1)
    assert ties > 0
    net = HopfieldNetwork(N, states="binary" if binary else "bipolar").store(mem)
    got = net.recall(starts, max_sweeps=1, random_state=7).states[0].numpy()
    np.testing.assert_array_equal(got, s)


def test_a_tie_keeps_either_state():
    # one stored pattern (+1, -1, +1, -1); state (1, 1, V3, V4): units 3 and 4 get T_i1 + T_i2 = 0
    net = HopfieldNetwork(4, states="binary").store(np.array([[1.0, 0, 1, 0]]))
    for v3, v4 in ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)):
        cue = np.array([[1.0, 1.0, v3, v4]])
        h = net.field(cue)[0, 0].numpy()
        assert h[2] == v4 * -1 and h[3] == v3 * -1  # only the other undecided unit contributes
    res = net.recall(np.array([[1.0, 1.0, 1.0, 0.0]]), mode="sync", max_sweeps=1)
    # unit 3 sees T_31 + T_32 + T_34 V_4 = 1 - 1 + 0 = 0: a tie, it stays on; unit 4 sees -1 + 1 - 1 < 0
    assert res.states[0, 0].tolist() == [1.0, 0.0, 1.0, 0.0]


def test_scaled_float_weights_would_break_ties():
    # why exact arithmetic is needed: with W = T / N in float64, exact zeros come out as +-1e-17
    N, n = 100, 10
    mem = random_patterns(n, N, random_state=0, binary=True)
    starts = random_patterns(200, N, random_state=1, binary=True)
    T = _integer_T(mem, True)
    h_exact = starts.astype(np.int64) @ T.T
    h_scaled = starts.astype(np.float64) @ (T / N).T
    tie = h_exact == 0
    assert tie.sum() > 0 and (h_scaled[tie] != 0).any()
    net = HopfieldNetwork(N, states="binary").store(mem)
    assert bool((net.field(starts)[0].numpy()[tie] == 0).all())


def test_threshold_is_the_papers_U_in_unscaled_units():
    # N = 4, one pattern of +1s: T_ij = 1 off the diagonal; all units on gives h_i = 3
    net = HopfieldNetwork(4, states="binary", threshold=3.0).store(np.ones((1, 4)))
    on = np.ones((1, 4))
    assert net.recall(on, mode="sync", max_sweeps=1).states[0, 0].tolist() == [1.0] * 4  # h = U: keep
    net = HopfieldNetwork(4, states="binary", threshold=2.9).store(np.ones((1, 4)))
    assert net.recall(on, mode="sync", max_sweeps=1).states[0, 0].tolist() == [1.0] * 4  # h > U: on
    net = HopfieldNetwork(4, states="binary", threshold=3.1).store(np.ones((1, 4)))
    assert net.recall(on, mode="sync", max_sweeps=1).states[0, 0].tolist() == [0.0] * 4  # h < U: off
    # the energy in the paper's units: -1/2 sum T V V + U sum V
    assert net.energy(on)[0, 0].item() == pytest.approx(-6.0 + 3.1 * 4)


def _hadamard(n: int) -> np.ndarray:
    H = np.array([[1.0]])
    while H.shape[0] < n:
        H = np.block([[H, H], [H, -H]])
    return H


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_pseudoinverse_tie_scaled_to_the_weights(mode):
    # stored rows of a Hadamard matrix; a cue orthogonal to all of them gets the field 0 exactly,
    # which float arithmetic returns as ~1e-16: every unit must keep its state
    H = _hadamard(32)
    net = HopfieldNetwork(32, rule="pseudoinverse").store(H[:8])
    cue = H[8:12]
    h = net.field(cue)[0].numpy()
    assert np.abs(h).max() < 1e-10
    res = net.recall(cue, mode=mode, max_sweeps=3, random_state=0)
    np.testing.assert_array_equal(res.states[0].numpy(), cue)
    assert bool(res.converged.all())
    # a field clearly away from the threshold still decides
    assert bool((net.recall(H[:8], mode=mode, random_state=0).states[0].numpy() == H[:8]).all())


@pytest.mark.parametrize("binary", [True, False])
def test_hebbian_energy_is_exact_and_never_increases(binary, global_random_seed):
    N = 100
    mem = random_patterns(20, N, random_state=global_random_seed, binary=binary)  # above capacity
    starts = random_patterns(50, N, random_state=global_random_seed + 1, binary=binary)
    net = HopfieldNetwork(N, states="binary" if binary else "bipolar").store(mem)
    res = net.recall(starts, random_state=global_random_seed)
    E = res.energy
    assert bool((E == E.round()).all())  # integers: no rounding at all
    assert bool((E.diff(dim=-1) <= 0).all())  # with no tolerance


def test_clipped_synapses_are_the_sign_of_the_hebbian_sum():
    mem = random_patterns(6, 40, random_state=0)
    net = HopfieldNetwork(40, clipped=True).store(mem)
    T = np.sign(_integer_T(mem, False))
    np.testing.assert_array_equal(net.field(mem)[0].numpy(), mem @ T.T)
    np.testing.assert_allclose(net.weight[0].numpy(), T / 40, rtol=1e-6)
    inc = HopfieldNetwork(40, clipped=True).store(mem[:2]).store(mem[2:], append=True)
    torch.testing.assert_close(inc.weight, net.weight, rtol=0, atol=0)  # clipped after summing, not per step
    with pytest.raises(ConfigError, match="Hebbian rule only"):
        HopfieldNetwork(40, rule="storkey", clipped=True)


def test_modern_hopfield_refuses_nan_queries():
    net = ModernHopfield().store(random_patterns(5, 10, random_state=0))
    q = np.ones((1, 10), dtype=np.float32)
    q[0, 3] = np.nan
    with pytest.raises(DataError, match="queries contain NaN"):
        net.retrieve(q)
    with pytest.raises(DataError, match="queries contain NaN"):
        net.energy(q)
