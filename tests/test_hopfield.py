from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from cogrnn.analysis import basin_size, capacity_estimate, classify_end_states, overlap, recall_success
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import HopfieldNetwork, ModernHopfield
from cogrnn.tasks import correlated_patterns, corrupt, partial_cue, random_patterns


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudoinverse"])
def test_weights_are_symmetric_with_the_right_diagonal(rule):
    pats = random_patterns(8, 40, random_state=0)
    net = HopfieldNetwork(40, rule=rule).store(pats)
    W = net.weight[0]
    torch.testing.assert_close(W, W.T, rtol=0, atol=1e-6)
    if rule == "pseudoinverse":
        assert torch.diagonal(W).abs().max() > 0  # kept by default
    else:
        assert torch.all(torch.diagonal(W) == 0)


def test_hebbian_weights_by_hand():
    pats = np.array([[1, -1, 1], [1, 1, -1]], dtype=np.float32)
    W = HopfieldNetwork(3).store(pats).weight[0].numpy()
    expected = (np.outer(pats[0], pats[0]) + np.outer(pats[1], pats[1])) / 3
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(W, expected, atol=1e-7)


def test_storkey_weights_by_hand():
    rng = np.random.default_rng(0)
    pats = (2 * rng.integers(0, 2, (3, 6)) - 1).astype(np.float64)
    n = 6
    W = np.zeros((n, n))
    for x in pats:  # the rule as written in Storkey (1997), loop by loop
        new = W.copy()
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                h_ij = sum(W[i, k] * x[k] for k in range(n) if k not in (i, j))
                h_ji = sum(W[j, k] * x[k] for k in range(n) if k not in (i, j))
                new[i, j] = W[i, j] + (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / n
        W = new
    got = HopfieldNetwork(n, rule="storkey", dtype=torch.float64).store(pats).weight[0].numpy()
    np.testing.assert_allclose(got, W, atol=1e-12)


def test_incremental_storage_equals_storing_at_once():
    pats = random_patterns(12, 30, random_state=1)
    for rule in ("hebbian", "storkey", "pseudoinverse"):
        once = HopfieldNetwork(30, rule=rule).store(pats)
        inc = HopfieldNetwork(30, rule=rule).store(pats[:5]).store(pats[5:], append=True)
        torch.testing.assert_close(once.weight, inc.weight, rtol=0, atol=1e-6)
        assert inc.n_patterns == 12


def test_pseudoinverse_stores_every_pattern_as_fixed_point_up_to_n(global_random_seed):
    N = 60
    pats = random_patterns(54, N, random_state=global_random_seed)  # load 0.9
    net = HopfieldNetwork(N, rule="pseudoinverse").store(pats)
    res = net.recall(pats, max_sweeps=3, random_state=0)
    assert bool((res.states[0] == torch.as_tensor(pats)).all())
    assert bool(res.converged.all()) and bool((res.n_sweeps == 1).all())
    heb = HopfieldNetwork(N).store(pats).recall(pats, random_state=0)
    assert (heb.states[0] == torch.as_tensor(pats)).all(-1).float().mean() < 0.5


def test_low_load_recall_from_corrupted_and_partial_cues(global_random_seed):
    pats = random_patterns(5, 100, random_state=global_random_seed)
    net = HopfieldNetwork(100).store(pats)
    for cues in (corrupt(pats, 0.15, random_state=1), partial_cue(pats, 0.4, random_state=2)):
        for mode in ("async", "sync"):
            res = net.recall(cues, mode=mode, random_state=3)
            assert bool(recall_success(res.states[0].numpy(), pats).all())


@pytest.mark.parametrize("rule", ["hebbian", "storkey"])
def test_energy_never_increases_in_asynchronous_updates(rule, global_random_seed):
    pats = random_patterns(20, 80, random_state=global_random_seed)  # above capacity: long trajectories
    net = HopfieldNetwork(80, rule=rule, n_replicas=2).store(np.stack([pats, pats[::-1]]))
    cues = random_patterns(30, 80, random_state=global_random_seed + 1)
    res = net.recall(cues, random_state=global_random_seed)
    assert res.energy.shape[:2] == (2, 30)
    # Hebbian energies are exact integers: non-increasing with no tolerance; Storkey's are float64 sums
    tol = 0.0 if rule == "hebbian" else 1e-12
    assert bool((res.energy.diff(dim=-1) <= tol * res.energy.abs().amax(-1, keepdim=True)).all())
    assert bool(res.converged.all())


def test_synchronous_updates_detect_two_cycles():
    # two units coupled negatively, both on: synchronous updates flip both forever
    net = HopfieldNetwork(2, zero_diagonal=True)
    net.store(np.array([[1.0, -1.0]]))
    res = net.recall(np.array([[1.0, 1.0]]), mode="sync", max_sweeps=10)
    assert bool(res.cycle.all()) and not bool(res.converged.any())
    res_async = net.recall(np.array([[1.0, 1.0]]), mode="async", random_state=0)
    assert bool(res_async.converged.all())


def test_binary_units_as_in_hopfield_1982():
    mem = random_patterns(5, 100, random_state=0, binary=True)
    net = HopfieldNetwork(100, states="binary").store(mem)
    res = net.recall(mem, random_state=0)
    assert bool((res.states[0] == torch.as_tensor(mem)).all())
    # T_ij = sum (2V_i - 1)(2V_j - 1) / N, zero diagonal
    b = 2 * mem - 1
    expected = b.T @ b / 100
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(net.weight[0].numpy(), expected, atol=1e-6)
    with pytest.raises(DataError, match="0 or 1"):
        net.store(2 * mem - 1)


def test_bad_input_is_reported_clearly():
    net = HopfieldNetwork(10)
    with pytest.raises(DataError, match="shape"):
        net.store(np.ones((3, 11)))
    with pytest.raises(DataError, match="-1 or \\+1"):
        net.store(np.full((2, 10), 0.5))
    with pytest.raises(ConfigError, match="store patterns before"):
        net.recall(np.ones((1, 10)))
    with pytest.raises(ConfigError, match="at most N = 10"):
        HopfieldNetwork(10, rule="pseudoinverse").store(random_patterns(11, 10, random_state=0))
    with pytest.raises(ConfigError, match="linearly independent"):
        HopfieldNetwork(10, rule="pseudoinverse").store(np.ones((2, 10)))
    with pytest.raises(ConfigError, match="rule"):
        HopfieldNetwork(10, rule="oja")


def test_modern_hopfield_one_step_retrieval_far_beyond_n(global_random_seed):
    pats = random_patterns(1000, 64, random_state=global_random_seed)  # ~16 N patterns
    net = ModernHopfield(beta=1.0).store(pats)
    cues = corrupt(pats[:50], 0.1, random_state=global_random_seed)
    out = net.retrieve(cues)
    assert bool((torch.sign(out[0]) == torch.as_tensor(pats[:50])).all())
    # retrieval lowers the energy, and a stored pattern is (almost) a fixed point
    assert bool((net.energy(out) <= net.energy(torch.as_tensor(cues)) + 1e-4).all())
    again = net.retrieve(torch.as_tensor(pats[:5]))
    torch.testing.assert_close(again[0], torch.as_tensor(pats[:5]), atol=1e-4, rtol=0)
    with pytest.raises(DataError, match="queries"):
        net.retrieve(np.ones((3, 10)))


def test_modern_hopfield_small_beta_averages():
    pats = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    out = ModernHopfield(beta=1e-6).store(pats).retrieve(np.array([[1.0, 0.0]]))
    torch.testing.assert_close(out[0, 0], torch.tensor([0.5, 0.5]), atol=1e-4, rtol=0)  # the global average


def test_pattern_helpers():
    c = correlated_patterns(50, 400, 0.0, random_state=0)
    assert abs(float((c[0] * c[1]).mean())) < 0.2
    p = random_patterns(4, 50, random_state=0)
    flipped = corrupt(p, 0.2, random_state=1)
    assert ((flipped != p).sum(1) == 10).all()
    assert ((partial_cue(p, 0.3, random_state=2) == 0).sum(1) == 15).all()
    with pytest.raises(DataError):
        partial_cue(random_patterns(2, 5, random_state=0, binary=True) * 2, 0.1)


def test_recall_analysis_known_answers():
    assert overlap([[1, -1]], [[1, 1]]).tolist() == [0.0]
    assert recall_success([[1, -1, 1]], [[1, 1, 1]], max_errors=1).tolist() == [True]
    assert capacity_estimate([0.1, 0.2], [0.9, 0.9]) == float("inf")
    assert capacity_estimate([0.1, 0.2], [0.4, 0.1]) == 0.1
    assert basin_size([0.0, 0.2], [1.0, 0.0]) == pytest.approx(0.1)
    pats = random_patterns(3, 40, random_state=0)
    mix = np.sign(pats.sum(0, keepdims=True))
    out = classify_end_states(np.vstack([pats[:1], -pats[1:2], mix]), pats)
    assert out["outcome"].tolist() == ["memory", "complement", "mixture"]


def test_unavailable_device_is_a_one_line_config_error():
    with pytest.raises(ConfigError, match="device"):
        HopfieldNetwork(10, device="cuda:7" if not torch.cuda.is_available() else "cuda:999")
    with pytest.raises(ConfigError, match="device"):
        ModernHopfield(device="nonesuch")


def test_a_claim_without_observations_fails_and_says_so(tmp_path):
    from cogrnn.cli import main

    argv = ["replicate", "hopfield-recall", "--quick", "--seeds", "2", "--quiet", "--out", str(tmp_path)]
    assert main([*argv, "--set", "sizes=50", "--set", "max_tested=3", "--set", "random_starts=5"]) == 0
    claims = json.loads((tmp_path / "hopfield-recall" / "claims.json").read_text())["claims"]
    empty = [c for c in claims if "no observations under this configuration" in c["measured"]]
    assert empty and not any(c["passed"] for c in empty)
