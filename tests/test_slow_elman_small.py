"""Full-size elman-xor/letters/words replications: every claim, as measured (slow: `make test-slow`)."""

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
