"""Full-size elman-lexical replication: every claim, as measured (slow: `make test-slow`)."""

from __future__ import annotations

import pytest

from cogrnn.replication import run_replication

pytestmark = pytest.mark.slow


def _claims(name, tmp_path, **kw):
    import replications

    result = run_replication(replications.get(name), out=tmp_path, quiet=True, **kw)
    return {c.id: c for c in result.claims}


def test_elman_lexical(tmp_path):
    claims = _claims("elman-lexical", tmp_path)
    for passing in ("likelihood-cosine", "error-vs-successors", "types-nearest-neighbour-same-class"):
        assert claims[passing].passed, passing
    assert claims["types-nouns-vs-verbs"].n_seeds == 10
