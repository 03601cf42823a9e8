"""Fast checks of the hopfield-recall and gradient-flow replications' own machinery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis.capacity import hebbian_noise_estimate
from cogrnn.random import spawn_seeds
from cogrnn.replications.gradient_flow import REPLICATION as GRADIENT
from cogrnn.replications.gradient_flow import GradientFlowConfig, train_until_plateau
from cogrnn.replications.hopfield_recall import REPLICATION as HOPFIELD


def _data(lag: int, seeds, n_train: int = 64, n_test: int = 32):
    from cogrnn.tasks import FirstBitRecall

    task = FirstBitRecall(lag)
    train = [task.generate(s, n_streams=n_train) for s in seeds]
    test = [task.generate(s.spawn(1)[0], n_streams=n_test) for s in seeds]
    return (
        np.stack([b.inputs for b in train]),
        np.stack([b.targets for b in train]),
        np.stack([b.descriptors["scored"] for b in train]),
        np.stack([b.inputs for b in test]),
        np.stack([b.targets[-1, :, 0] for b in test]),
    )


@pytest.mark.parametrize("model", ["SRN", "LSTM"])
def test_budget_rule_gives_each_seed_the_same_result_in_any_ensemble(model):
    config = GradientFlowConfig(hidden_size=4, chunk_epochs=2, patience_epochs=4, max_epochs=8, train_sequences=64)
    seeds = spawn_seeds(5, 3)
    data = _data(4, spawn_seeds(6, 3))
    together, hist = train_until_plateau(model, config, seeds, data)
    assert together["stopped"].isin(["converged", "plateau", "cap"]).all()
    assert (together["epochs"] <= 8).all() and (together["epochs"] % 2 == 0).all()
    assert hist.groupby("seed")["epoch"].max().tolist() == together["epochs"].tolist()
    alone = pd.concat(
        [train_until_plateau(model, config, [seeds[r]], tuple(a[r : r + 1] for a in data))[0].assign(seed=r)
         for r in range(3)],
        ignore_index=True,
    )  # fmt: skip
    pd.testing.assert_frame_equal(together, alone)


def test_h82_noise_estimate_is_the_papers():
    assert hebbian_noise_estimate(10, 100) == pytest.approx(0.40, abs=0.005)  # P = 0.0091, e^-0.91
    assert hebbian_noise_estimate(5, 100) > 0.95 > hebbian_noise_estimate(15, 100)


def test_pooled_claims_use_every_pattern_set():
    seeds = spawn_seeds(3, 2)
    config = HOPFIELD.config(quick=True).replace(
        sizes=(60,), max_tested=3, random_starts=4, sets_per_seed=2,
        fig2_n=(5, 9, 10, 12, 15, 20), hamming_distances=(1, 5, 12),
    )  # fmt: skip
    tables = HOPFIELD.compute(config, seeds, quiet=True)
    results = tables.pop("results")
    assert set(tables) == set(HOPFIELD.extra_tables)
    assert tables["fig2"].groupby("seed")["set"].nunique().tolist() == [2, 2]
    measures = HOPFIELD.measures(results, tables, config)
    assert set(measures) == set(HOPFIELD.measure_tables)
    claims = {c.id: c for c in HOPFIELD.check_claims(results, {**tables, **measures})}
    assert all(c.n_seeds == 2 for c in claims.values())
    assert "95% CI over pattern sets" in claims["h82-n10-exact"].measured
    assert "0.40" in claims["h82-n10-exact"].measured  # the paper's noise estimate beside the measured rate
    # claims and figure read the measure tables: every judged part has its per-seed values
    stats, per_seed = measures["statistics"], measures["seed_statistics"]
    judged = stats[stats["judged"]]
    assert set(zip(judged.claim, judged.part)) == set(zip(per_seed.claim, per_seed.part))
    assert (measures["energy"]["n_runs"] > 0).all()
    import matplotlib.pyplot as plt

    plt.close(HOPFIELD.plot(results, {**tables, **measures}, "caption"))


def test_gradient_flow_measures_are_what_the_claims_read():
    config = GradientFlowConfig(hidden_size=4, steps=8, lags=(3, 5), train_sequences=32, test_sequences=32,
                                chunk_epochs=2, patience_epochs=2, max_epochs=4)  # fmt: skip
    tables = GRADIENT.compute(config, spawn_seeds(4, 3), quiet=True)
    results = tables.pop("results")
    assert "replica" not in results.columns and set(tables["training"].columns) >= {"seed", "epoch", "loss"}
    measures = GRADIENT.measures(results, tables, config)
    fits, rates = measures["decay_fits"], measures["solve_rates"]
    assert len(fits) == 3 * 5 and set(fits.columns) == {"seed", "model", "rho", "slope", "intercept", "r2"}
    mem = tables["memory"]
    pd.testing.assert_series_equal(
        rates.set_index(["model", "lag"])["rate"], mem.groupby(["model", "lag"])["solved"].mean(), check_names=False
    )
    claims = {c.id: c for c in GRADIENT.check_claims(results, {**tables, **measures})}
    assert len(claims) == 4 and all(c.n_seeds == 3 for c in claims.values())
