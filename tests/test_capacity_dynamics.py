"""cogrnn.analysis.capacity, the recall tables of cogrnn.analysis.recall and the decay/rescaling tools of
cogrnn.analysis.dynamics, each checked against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats as sps

from cogrnn.analysis.capacity import (
    capacity_table,
    capacity_theory,
    crossing,
    hebbian_noise_estimate,
    pooled_statistic,
)
from cogrnn.analysis.dynamics import decay_fits, gradient_flow, recurrent_spectral_radius, scale_spectral_radius
from cogrnn.analysis.recall import (
    energy_monotone,
    nearest_memory_reached,
    outcome_shares,
    recall_outcomes,
    threshold_crossing,
)
from cogrnn.analysis.stats import pooled_rates
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN, HopfieldNetwork, LSTMNetwork
from cogrnn.tasks import random_patterns


def test_capacity_theory_lines():
    t = capacity_theory([100, 500]).set_index(["n_units", "line"])["load"]
    for n in (100, 500):
        assert t[(n, "N / (2 ln N): most exact")] == pytest.approx(1 / (2 * math.log(n)))
        assert t[(n, "N / (4 ln N): all exact")] == pytest.approx(1 / (4 * math.log(n)))
        assert t[(n, "Storkey N / sqrt(2 ln N)")] == pytest.approx(1 / math.sqrt(2 * math.log(n)))
        assert t[(n, "AGS critical load 0.138")] == 0.138 and t[(n, "pseudo-inverse: N")] == 1.0
    with pytest.raises(ConfigError):
        capacity_theory(1)


@pytest.mark.parametrize("n, N", [(10, 100), (5, 100), (15, 100), (7, 30)])
def test_noise_estimate_against_scipy(n, N):
    # independent: the probability that Gaussian noise of variance (n - 1) N / 2 exceeds the signal N / 2
    p = sps.norm.sf((N / 2) / math.sqrt((n - 1) * N / 2))
    assert hebbian_noise_estimate(n, N) == pytest.approx((1 - p) ** N, rel=1e-9)
    assert hebbian_noise_estimate(1, N) == 1.0


def test_noise_estimate_is_the_papers():
    assert hebbian_noise_estimate(10, 100) == pytest.approx(0.40, abs=0.005)  # P = 0.0091, e^-0.91


def _trials(random_state: int = 0, n_seeds: int = 4, n_sets: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(random_state)
    rows = []
    for seed in range(n_seeds):
        for s in range(n_sets):
            for load in (0.05, 0.1, 0.15, 0.2, 0.25):
                p = 1 / (1 + math.exp((load - 0.14) / 0.02))
                for _ in range(6):
                    rows.append({"seed": seed, "set": s, "n_units": 100, "rule": "hebbian", "load": load,
                                 "exact": bool(rng.random() < p)})  # fmt: skip
    return pd.DataFrame(rows)


def test_pooled_statistic_of_one_group_is_the_pooled_rate():
    df = _trials()
    sub = df[df["load"] == 0.15]
    est, lo, hi, per_seed = pooled_statistic(sub, "exact", ["load"], lambda r: float(r.iloc[0]), random_state=3)
    table, _ = pooled_rates(sub.astype({"exact": float}), "exact", by=["load"], unit=["seed", "set"], random_state=3)
    assert est == table["rate"].iloc[0] == pytest.approx(sub["exact"].mean())
    assert (lo, hi) == pytest.approx((table["ci_low"].iloc[0], table["ci_high"].iloc[0]), abs=1e-9)
    pd.testing.assert_series_equal(per_seed, sub.groupby("seed")["exact"].mean(), check_names=False)


def test_pooled_statistic_is_seeded_and_empty_frames_give_nan():
    df = _trials()
    a = pooled_statistic(df, "exact", ["load"], crossing, random_state=1)
    b = pooled_statistic(df, "exact", ["load"], crossing, random_state=1)
    assert a[:3] == b[:3] and a[1] <= a[0] <= a[2]
    est, lo, hi, per_seed = pooled_statistic(df.iloc[:0], "exact", ["load"], crossing)
    assert np.isnan([est, lo, hi]).all() and per_seed.empty


def test_capacity_table_matches_a_direct_crossing():
    df = pd.concat([_trials(0), _trials(1).assign(n_units=500)], ignore_index=True)
    table, per_seed = capacity_table(df, by=["n_units"], random_state=0)
    for n, g in df.groupby("n_units"):
        rates = g.groupby("load")["exact"].mean()
        expected = threshold_crossing(rates.index.to_numpy(), rates.to_numpy(), 0.5)
        row = table.set_index("n_units").loc[n]
        assert row["capacity"] == pytest.approx(expected)
        assert row["ci_low"] <= row["capacity"] <= row["ci_high"]
        assert row["N / (2 ln N): most exact"] == pytest.approx(1 / (2 * math.log(n)))
        for seed, s in g.groupby("seed"):
            own = s.groupby("load")["exact"].mean()
            got = per_seed[(per_seed.n_units == n) & (per_seed.seed == seed)]["capacity"].item()
            assert got == pytest.approx(threshold_crossing(own.index.to_numpy(), own.to_numpy(), 0.5))


def test_recall_outcomes_against_a_loop():
    rng = np.random.default_rng(0)
    s = 2 * rng.integers(0, 2, (3, 4, 20)) - 1
    t = 2 * rng.integers(0, 2, (3, 4, 20)) - 1
    t[0, 0] = s[0, 0]
    out = recall_outcomes(s, t)
    flat_s, flat_t = s.reshape(-1, 20), t.reshape(-1, 20)
    for i, row in out.iterrows():
        errors = sum(int(a != b) for a, b in zip(flat_s[i], flat_t[i]))
        assert row["n_errors"] == errors and row["exact"] == (errors == 0)
        assert row["overlap"] == sum(int(a) * int(b) for a, b in zip(flat_s[i], flat_t[i])) / 20
    assert out["exact"].iloc[0]
    binary = recall_outcomes((s + 1) // 2, (t + 1) // 2, binary=True)
    pd.testing.assert_frame_equal(binary, out)
    with pytest.raises(DataError):
        recall_outcomes(s, t[:, :2])


def test_energy_monotone_by_hand_and_on_a_network():
    assert energy_monotone([[5.0, 3.0, 3.0], [5.0, 3.0, 3.5], [2.0, 2.0 + 1e-12, 1.0]]).tolist() == [True, False, False]
    assert energy_monotone([[2.0, 2.0 + 1e-12, 1.0]], tolerance=1e-9).tolist() == [True]
    pats = random_patterns(10, 60, random_state=0)
    net = HopfieldNetwork(60).store(pats)
    res = net.recall(random_patterns(30, 60, random_state=1), random_state=0)
    assert energy_monotone(res.energy.numpy()).all()  # Hebbian energies are exact integers
    with pytest.raises(ConfigError):
        energy_monotone([[1.0, 0.0]], tolerance=-1)


def test_nearest_memory_reached_against_a_loop():
    rng = np.random.default_rng(2)
    mem = rng.integers(0, 2, (2, 3, 12))
    cued = np.array([0, 1, 2, 0, 1])
    states = np.where(rng.random((2, 5, 12)) < 0.2, 1 - mem[:, cued], mem[:, cued])
    states[0, 0] = mem[0, 0]
    states[1, 0] = 1 - mem[1, 1]  # a complement of another memory: not the cued one
    out = nearest_memory_reached(states, mem, cued)
    k = 0
    for r in range(2):
        for c in range(5):
            d = [int((states[r, c] != m).sum()) for m in mem[r]]
            others = [x for j, x in enumerate(d) if j != cued[c]] + [12 - x for x in d]
            assert out["distance"].iloc[k] == d[cued[c]]
            assert out["nearest_reached"].iloc[k] == (d[cued[c]] < min(others))
            k += 1
    assert out["exact"].iloc[0] and not out["nearest_reached"].iloc[5]
    with pytest.raises(DataError):
        nearest_memory_reached(2 * states - 1, mem, cued)
    with pytest.raises(DataError):
        nearest_memory_reached(states, mem, np.array([0, 1, 2, 3, 0]))


def test_decay_fits_against_scipy_linregress():
    rng = np.random.default_rng(0)
    lag = np.arange(1, 21)
    noisy = [10 ** (-0.1 * s * lag + rng.normal(0, 0.3, 20)) for s in range(3)]
    rows = [pd.DataFrame({"seed": s, "model": "SRN", "lag": lag, "grad_norm": noisy[s]}) for s in range(3)]
    df = pd.concat(rows, ignore_index=True)
    fits = decay_fits(df, by=["seed", "model"])
    for s, g in df.groupby("seed"):
        ref = sps.linregress(g["lag"], np.log10(g["grad_norm"]))
        row = fits[fits.seed == s].iloc[0]
        assert row["slope"] == pytest.approx(ref.slope) and row["intercept"] == pytest.approx(ref.intercept)
        assert row["r2"] == pytest.approx(ref.rvalue**2)
    exact = pd.DataFrame({"rho": [np.nan] * 4, "lag": [1, 2, 3, 4], "grad_norm": 0.5 ** np.arange(1, 5)})
    fit = decay_fits(exact, by=["rho"])  # a NaN label is a group of its own
    assert fit["slope"].item() == pytest.approx(math.log10(0.5)) and fit["r2"].item() == pytest.approx(1.0)
    with pytest.raises(DataError):
        decay_fits(exact.iloc[:1], by=["rho"])


def test_scale_spectral_radius_sets_the_gradient_decay():
    net = ElmanSRN(1, 6, 1, n_replicas=3, nonlinearity="identity", output_activation="identity",
                   random_state=0, dtype=torch.float64)  # fmt: skip
    scale_spectral_radius(net, 0.7)
    radii = recurrent_spectral_radius(net)
    assert list(radii.columns) == ["seed", "block", "spectral_radius"]
    np.testing.assert_allclose(radii["spectral_radius"], 0.7, rtol=1e-10)
    g = gradient_flow(net, np.zeros((40, 1, 1)))
    assert "seed" in g.columns and "replica" not in g.columns
    # a linear network: the norm decays as rho^lag for long lags, so the fitted slope is log10(rho)
    fit = decay_fits(g[g["lag"] >= 20])
    np.testing.assert_allclose(fit["slope"], math.log10(0.7), atol=0.02)
    with pytest.raises(ConfigError):
        scale_spectral_radius(LSTMNetwork(1, 3, 1, random_state=0), 0.5)
    with pytest.raises(ConfigError):
        scale_spectral_radius(net, 0.0)


def test_outcome_shares_against_value_counts():
    rng = np.random.default_rng(4)
    kinds = np.array(["memory", "complement", "near", "mixture"])
    df = pd.DataFrame({"seed": np.repeat(np.arange(5), 40), "set": np.tile(np.repeat([0, 1], 20), 5),
                       "units": np.tile(["bipolar", "binary"], 100),
                       "outcome": kinds[rng.integers(0, 4, 200)]})  # fmt: skip
    table = outcome_shares(df, categories=[*kinds, "other"], by=["units"], unit=["seed", "set"], random_state=0)
    for units, g in df.groupby("units"):
        counts = g["outcome"].value_counts()
        got = table[table.units == units].set_index("outcome")
        assert got.loc["other", "rate"] == 0 and got.loc["other", "count"] == 0
        for kind, n in counts.items():
            assert got.loc[kind, "count"] == n and got.loc[kind, "rate"] == n / len(g)
            assert got.loc[kind, "ci_low"] <= got.loc[kind, "rate"] <= got.loc[kind, "ci_high"]
        assert got["n_units"].eq(10).all() and got["n_trials"].eq(len(g)).all()
    assert outcome_shares(df, random_state=1).equals(outcome_shares(df, random_state=1))
