"""Full-size replications: their claims, as measured (slow: `make test-slow`)."""

from __future__ import annotations

import pytest

from cogrnn.replication import run_replication

pytestmark = pytest.mark.slow


def _claims(name, tmp_path, **kw):
    import replications

    result = run_replication(replications.get(name), out=tmp_path, quiet=True, **kw)
    return {c.id: c for c in result.claims}


def test_elman_letters(tmp_path):
    claims = _claims("elman-letters", tmp_path)
    assert claims["consonants-high-vowels-low"].passed
    assert claims["consonantal-bit-below-high-bit"].passed
    assert claims["bit1-below-bit4-at-all-points"].passed
    assert claims["consonants-high-vowels-low"].n_seeds == 10


def test_elman_words(tmp_path):
    claims = _claims("elman-words", tmp_path)
    assert claims["error-high-at-word-onsets"].passed
    assert claims["boundaries-from-error-peaks"].passed
    # reported, not reproduced in every seed: see the README (error letter 2 vs 3)
    assert claims["error-falls-within-words"].n_seeds == 10


@pytest.mark.parametrize("name", ["elman-letters", "elman-words"])
def test_quick_mode_claims(name, tmp_path):
    claims = _claims(name, tmp_path, quick=True)
    assert all(c.n_seeds == 10 for c in claims.values())
    assert claims[next(iter(claims))].passed


def test_elman_lexical(tmp_path):
    claims = _claims("elman-lexical", tmp_path)
    for passing in ("likelihood-cosine", "error-vs-successors", "types-nearest-neighbour-same-class"):
        assert claims[passing].passed, passing
    assert claims["types-nouns-vs-verbs"].n_seeds == 10


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
