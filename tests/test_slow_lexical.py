"""Full-size elman-lexical replication: every claim asserted as measured (slow: `make test-slow`).

Run on the default root seed and on one never used in development (10 seeds each). A claim
that reproduces is asserted to pass; one that does not is ``xfail(strict=True)`` with the
measured reason, so that the test fails if it starts to pass (then the README is stale).
"""

from __future__ import annotations

import pytest

from cogrnn.replication import run_replication

pytestmark = pytest.mark.slow

ROOTS = (1990, 20261201)  # the default root, and one never used in development

PASSING = (
    "types-nouns-vs-verbs",
    "types-nearest-neighbour-same-class",
    "types-animate-vs-inanimate",
    "types-tree-similar-to-fig7",
    "tokens-nearest-same-word",
    "likelihood-error",
    "likelihood-cosine",
    "error-vs-successors",
    "zog-nearest-animate",
    "untrained-control-paired",
)

KNOWN_FAILURES = {
    "types-noun-groups-are-clades": "all six noun groups of Fig. 7 are clades in only 6/10 (default root) and "
    "4/10 seeds (median 6 and 5 of 6): the small animals, car/book/rock or the breakables mix with a "
    "neighbouring group",
    "verbs-by-argument-structure": "{think, exist, sleep} and {like, chase} are both clades in 2/10 and 1/10 "
    "seeds: like, chase, think, exist and sleep are the rarest verbs (each in ~2% of sentences under the "
    "nested lexicon) and like is most often merged with the intransitive verbs",
    "tokens-stay-in-branch": "the top split of the token tree separates sentence-initial tokens from the "
    "rest (agreement 0.94), not nouns from verbs (0.64); the 3-cluster cut is class-pure (median 1.00) and "
    "every token's nearest token is of its own word",
    "boy-girl-tokens-by-position": "the largest clade of sentence-initial tokens only holds 0.62-0.84 of "
    "them (both boy and girl >= 0.75 in 0/10 and 2/10 seeds), against Fig. 9's 0.95 and 0.84",
    "zog-with-humans": "zog's nearest word is a human noun in 5/10 seeds on both roots (animate in 9/10): "
    "zog's input weights are untrained, as in the paper, so its hidden state mixes a random input "
    "projection with the human-noun contexts",
    "zog-sister-in-humans": "zog's sister clade lies inside the humans in 3/10 and 2/10 seeds; it is most "
    "often the small animals (same cause as zog-with-humans)",
}


@pytest.fixture(scope="module", params=ROOTS, ids=[f"root{r}" for r in ROOTS])
def claims(request, tmp_path_factory):
    from cogrnn import replications

    out = tmp_path_factory.mktemp(f"lexical{request.param}")
    result = run_replication(replications.get("elman-lexical"), out=out, root_seed=request.param, quiet=True)
    return {c.id: c for c in result.claims}


def test_every_claim_is_asserted(claims):
    assert set(claims) == set(PASSING) | set(KNOWN_FAILURES)
    assert all(c.n_seeds == 10 for c in claims.values())


@pytest.mark.parametrize("claim_id", PASSING)
def test_claim_reproduces(claims, claim_id):
    claim = claims[claim_id]
    assert claim.passed, claim.measured


@pytest.mark.parametrize(
    "claim_id",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=v))
        for k, v in KNOWN_FAILURES.items()
    ],
)
def test_known_failure(claims, claim_id):
    claim = claims[claim_id]
    assert claim.passed, claim.measured
