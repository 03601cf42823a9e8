"""Tree tools (cogrnn.analysis.trees) and Elman's (1990) Fig. 7 as transcribed in data/."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from cogrnn.analysis import linkage
from cogrnn.analysis.trees import Tree, parse_nested, tree_correlation
from cogrnn.exceptions import DataError
from cogrnn.io import data_path


def fig7() -> Tree:
    return Tree.from_file(data_path("elman1990_fig7.txt"))


def test_fig7_transcription_has_the_29_words_and_the_labelled_groups():
    t = fig7()
    assert len(t.leaves) == 29
    from cogrnn.tasks import LexicalSentences

    assert set(t.leaves) == set(LexicalSentences().base_vocabulary())
    for group in (
        {"woman", "girl", "man", "boy"},
        {"mouse", "cat", "dog"},
        {"monster", "lion", "dragon"},
        {"sandwich", "cookie", "bread"},
        {"plate", "glass"},
        {"car", "book", "rock"},
        {"think", "exist", "sleep"},
        {"like", "chase"},
    ):
        assert t.is_clade(group), group
    assert not t.is_clade({"break", "smash"})  # DO-OPT is a label, not a clade
    assert t.cophenetic().loc["smell", "glass"] == 2.10


def test_tree_from_vectors_matches_scipy_cophenetic():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 5))
    labels = [f"w{i}" for i in range(12)]
    t = Tree.from_vectors(X, labels)
    ours = t.cophenetic().loc[labels, labels].to_numpy()
    ref = squareform(hierarchy.cophenet(linkage(X)))
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)
    assert len(t.clades()) == 11 and t.clades()[-1] == frozenset(labels)
    assert tree_correlation(t, t) == pytest.approx(1.0)


def test_restrict_split_sister_and_correlation():
    t = Tree.from_text("(3, (2, (1, a, b), c), (1.5, d, (0.5, e, f)))")
    sub = t.restrict(["a", "c", "e", "f"])
    assert sub.root == (3.0, (2.0, "a", "c"), (0.5, "e", "f"))
    pairs = ["a", "c", "e", "f"]
    np.testing.assert_array_equal(sub.cophenetic().loc[pairs, pairs], t.cophenetic().loc[pairs, pairs])
    assert t.split() == (frozenset("abc"), frozenset("def"))
    assert t.split(["e", "f"]) == (frozenset("e"), frozenset("f"))
    assert Tree.from_text("(1, man, (0.5, cat, dog))").sister("man") == {"cat", "dog"}
    assert t.sister(["c"]) == frozenset("ab") and t.sister("d") == frozenset("ef")
    # the same topology with other heights: rho 1; a shuffled one: lower
    same = Tree.from_text("(30, (20, (10, a, b), c), (15, d, (5, e, f)))")
    other = Tree.from_text("(3, (2, (1, a, d), e), (1.5, c, (0.5, b, f)))")
    assert tree_correlation(t, same) == pytest.approx(1.0)
    assert tree_correlation(t, other) < 0.5


def test_trees_bad_input_is_one_clear_error():
    with pytest.raises(DataError, match="above its parent"):
        Tree.from_text("(1, (2, a, b), c)")
    with pytest.raises(DataError, match="unique"):
        Tree.from_text("(1, (0.5, a, b), a)")
    with pytest.raises(DataError, match="expected"):
        parse_nested("(1, a b)")
    with pytest.raises(DataError, match="after the root"):
        parse_nested("(1, a, b) c")
    with pytest.raises(DataError, match="height"):
        parse_nested("(x, a, b)")
    t = Tree.from_text("(2, (1, a, b), c)")
    with pytest.raises(DataError, match="not leaves"):
        t.is_clade(["z"])
    with pytest.raises(DataError, match="not a clade"):
        t.split(["a", "c"])
    with pytest.raises(DataError, match="share"):
        tree_correlation(t, Tree.from_text("(1, x, y)"))
    with pytest.raises(DataError, match="does not exist"):
        Tree.from_file("/nonexistent/tree.txt")
