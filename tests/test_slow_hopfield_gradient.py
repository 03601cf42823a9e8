"""Full-size hopfield-recall and gradient-flow replications: every claim, on the default root and on a root
never used in development (slow: `make test-slow`).

A claim that does not reproduce is an ``xfail(strict=True)`` with the measured reason; the verdicts are
estimated from pooled pattern sets (Hopfield) and 20 seeds (gradient flow), so they must not depend on the root.
"""

from __future__ import annotations

import pytest

from cogrnn.replication import run_replication

pytestmark = pytest.mark.slow

ROOTS = [None, 20261201]  # the replication's own default root, and an unused one

HOPFIELD = {
    "near-perfect-recall-at-low-load": None,
    "hebbian-collapse-0.1-0.2": None,
    "storkey-above-hebbian": None,
    "pseudoinverse-where-hebbian-fails": None,
    "energy-never-increases": None,
    "modern-beyond-classical": None,
    "h82-random-starts-exact": "+-1 units: 0.57 / 0.59 of random starts end exactly in a memory or complement "
    "(paper ~0.85; 0/1 units 0.47), 95% CIs far below 0.75 on both roots",
    "h82-random-starts-near": "within 3 bits of a memory or complement: 0.76 / 0.77 (paper 0.90); 23% end in mixtures",
    "h82-fig2-n5": None,
    "h82-n10-exact": None,
    "h82-fig2-n15": "n = 15: 0.26 / 0.27 end with < 5 errors (paper 'about half'), CI below 0.35 on both roots",
    "h82-about-0.15N": None,
    "h82-hamming-distance": "d <= 4 reach the memory > 90% and d = 12 gives 0.22 (paper 0.2), but d = 5 gives "
    "0.89 with a CI reaching below 0.9 on both roots",
    "h82-clipped-9-like-12": "clipped n = 9 recalls exactly 0.26-0.27 vs plain n = 12 0.38-0.39 (difference "
    "-0.12, CI outside +-0.1): clipped 9 is like plain 13.5, as the SNR factor (2/pi)^(1/2) predicts (13.6)",
    "basins-shrink-with-load": None,
}
GRADIENT = {
    "srn-gradient-decays-exponentially": None,
    "spectral-radius-sets-the-regime": None,
    "gated-networks-bridge-long-lags": "with the same training budget for every architecture the SRN solves lag 40 "
    "in 0.40 / 0.60 of 20 seeds (criterion <= 0.2), the LSTM in 0.60 / 0.35, the GRU in 0.90 / 0.75",
    "srn-memory-fades-with-lag": "the SRN solves lags 5-20 in every seed and lag 40 in 8 / 12 of 20, so only 12 / 8 "
    "seeds solve the shortest and fail the longest (criterion 80%)",
}


def _params(claims: dict[str, str | None]) -> list:
    """One case per claim; a known failure (value: the measured reason) is a strict xfail."""
    return [
        pytest.param(cid, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)) if reason else cid
        for cid, reason in claims.items()
    ]


@pytest.fixture(scope="module", params=ROOTS, ids=lambda r: f"root-{r or 'default'}")
def root(request):
    return request.param


_CACHE: dict[tuple[str, int | None], dict] = {}


def _claims(name: str, root: int | None, tmp_path_factory) -> dict:
    from cogrnn import replications

    if (name, root) not in _CACHE:
        out = tmp_path_factory.mktemp(f"{name}-{root}")
        result = run_replication(replications.get(name), out=out, quiet=True, root_seed=root)
        _CACHE[(name, root)] = {c.id: c for c in result.claims}
    return _CACHE[(name, root)]


def test_hopfield_claims_are_all_checked(root, tmp_path_factory):
    assert set(_claims("hopfield-recall", root, tmp_path_factory)) == set(HOPFIELD)


@pytest.mark.parametrize("claim_id", _params(HOPFIELD))
def test_hopfield_recall_claim(claim_id, root, tmp_path_factory):
    claim = _claims("hopfield-recall", root, tmp_path_factory)[claim_id]
    assert claim.passed, claim.measured


def test_gradient_flow_claims_are_all_checked(root, tmp_path_factory):
    claims = _claims("gradient-flow", root, tmp_path_factory)
    assert set(claims) == set(GRADIENT)
    assert claims["gated-networks-bridge-long-lags"].n_seeds == 20


@pytest.mark.parametrize("claim_id", _params(GRADIENT))
def test_gradient_flow_claim(claim_id, root, tmp_path_factory):
    claim = _claims("gradient-flow", root, tmp_path_factory)[claim_id]
    assert claim.passed, claim.measured
