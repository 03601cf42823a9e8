"""Full-size hopfield-recall and gradient-flow replications: every claim (slow: `make test-slow`)."""

from __future__ import annotations

import pytest

from cogrnn.replication import run_replication

pytestmark = pytest.mark.slow


def _claims(name, tmp_path, **kw):
    import replications

    result = run_replication(replications.get(name), out=tmp_path, quiet=True, **kw)
    return {c.id: c for c in result.claims}


def test_hopfield_recall(tmp_path):
    claims = _claims("hopfield-recall", tmp_path)
    for passing in (
        "near-perfect-recall-at-low-load",
        "hebbian-collapse-0.1-0.2",
        "storkey-above-hebbian",
        "pseudoinverse-where-hebbian-fails",
        "energy-never-increases",
        "modern-beyond-classical",
        "basins-shrink-with-load",
    ):
        assert claims[passing].passed, passing


def test_gradient_flow(tmp_path):
    claims = _claims("gradient-flow", tmp_path)
    for passing in (
        "srn-gradient-decays-exponentially",
        "spectral-radius-sets-the-regime",
        "srn-memory-fades-with-lag",
    ):
        assert claims[passing].passed, passing
    # reported, not passed: the LSTM solves lag 40 in 4/10 seeds only (see the README)
    assert claims["gated-networks-bridge-long-lags"].n_seeds == 10
