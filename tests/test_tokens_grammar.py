"""Token scores, grammaticality of generated sentences, likelihood scores and tree measures (cogrnn.analysis)."""

from __future__ import annotations

import numpy as np
import pytest

from cogrnn.analysis.grammar import sampled_grammaticality, template_prefix
from cogrnn.analysis.likelihood import likelihood_scores, sentence_prefixes, vector_errors
from cogrnn.analysis.tokens import position_scores, sample_per_label, token_scores
from cogrnn.analysis.trees import (
    Tree,
    clades_present,
    largest_clade_fraction,
    sister_placement,
    top_split_misplaced,
)
from cogrnn.exceptions import DataError
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences


def test_sample_per_label_caps_each_label_and_follows_the_generator():
    labels = np.array(["b"] * 3 + ["a"] * 10 + ["c"])
    idx = sample_per_label(labels, 4, random_state=1)
    assert np.all(np.diff(idx) > 0)  # sorted, no repeats
    counts = {k: int(np.sum(labels[idx] == k)) for k in "abc"}
    assert counts == {"a": 4, "b": 3, "c": 1}
    np.testing.assert_array_equal(idx, sample_per_label(labels, 4, random_state=1))
    # a Generator advances: two draws from one stream differ, and match a fresh stream drawn twice
    rng = np.random.default_rng(5)
    first, second = sample_per_label(labels, 4, rng), sample_per_label(labels, 4, rng)
    fresh = np.random.default_rng(5)
    np.testing.assert_array_equal(first, sample_per_label(labels, 4, fresh))
    np.testing.assert_array_equal(second, sample_per_label(labels, 4, fresh))
    assert not np.array_equal(first, second)


def _clustered_tokens():
    """Nouns near 0, verbs near 5; within nouns, the sentence-initial tokens a little apart."""
    rng = np.random.default_rng(0)
    nouns = np.vstack([rng.normal(0, 0.05, (6, 4)), rng.normal(0.6, 0.05, (6, 4))])
    verbs = rng.normal(5, 0.05, (8, 4))
    X = np.vstack([nouns, verbs])
    classes = ["noun"] * 12 + ["verb"] * 8
    words = ["man", "cat"] * 6 + ["eat", "see"] * 4
    initial = [True] * 6 + [False] * 14
    return X, classes, words, initial


def test_token_scores_known_answers():
    X, classes, words, initial = _clustered_tokens()
    s = token_scores(X, classes, words, initial)
    assert s["class_consistency"] == 1.0 and s["class_ari"] == 1.0 and s["nn_same_class"] == 1.0
    assert s["top_split_smaller"] == pytest.approx(8 / 20)
    # the top split is not initial vs later: best matching nouns/initial, verbs/later leaves 6 nouns out
    assert s["top_split_vs_initial"] == pytest.approx(1 - 6 / 20)
    assert s["cut3_class_purity"] == 1.0
    assert s["nn_same_word"] < 0.8  # words alternate within the noun and verb blobs
    # an outlier takes the top split: class consistency drops, the 3-cluster cut stays pure
    X2 = np.vstack([X, [[50.0] * 4]])
    s2 = token_scores(X2, [*classes, "verb"], [*words, "eat"], [*initial, False])
    assert s2["class_consistency"] < 0.7 and s2["top_split_smaller"] == pytest.approx(1 / 21)
    with pytest.raises(DataError, match="one entry per row"):
        token_scores(X, classes[:-1], words, initial)


def test_position_scores_count_exceptions_to_the_initial_clade():
    X, _, _, _ = _clustered_tokens()
    roles = ["subject"] * 6 + ["object"] * 6
    s = position_scores(X[:12], roles, "subject")
    assert s == {"initial_clade": 1.0, "ari_position": 1.0, "other_share": 0.5}
    # one subject token among the objects: 5 of 6 in the largest subject-only clade
    X1 = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [5.0], [5.1], [5.2], [5.25], [5.3], [5.4]])
    s = position_scores(X1, ["subject"] * 5 + ["object"] * 3 + ["subject"] + ["object"] * 2, "subject")
    assert s["initial_clade"] == pytest.approx(5 / 6) and s["ari_position"] < 1.0


def test_template_prefix_matches_the_lexical_task():
    task = LexicalSentences()
    cats, templates = task.categories(), task.templates()
    rng = np.random.default_rng(3)
    for sentences in (task.sentences(0)[:20], [["man", "eat", "cookie"], ["cat", "move", "eat"]]):
        words = [w for s in sentences for w in s]
        assert template_prefix(words, templates, cats) == task.grammatical_prefix(words)
    words = [w for s in task.sentences(1)[:30] for w in s]
    cut = int(rng.integers(1, len(words)))
    assert template_prefix(words, templates, cats) == len(words)
    assert template_prefix([*words[:cut], "smash"], templates, cats) <= cut
    with pytest.raises(DataError, match="lacks"):
        template_prefix(["man"], [("NOUN", "VERB")], {"NOUN": ["man"]})


def test_sampled_grammaticality_is_reproducible_and_scores_the_samples():
    task = LexicalSentences(n_sentences=1)
    vocab = task.vocabulary()
    net = ElmanSRN(len(vocab), 8, len(vocab), n_replicas=2, random_state=0)

    def run(seed, replica=0):
        return sampled_grammaticality(
            net, vocab, lambda g: task.sentences(g)[0], task.grammatical_prefix,
            n_samples=4, n_words=6, replica=replica, random_state=seed,
        )  # fmt: skip

    df = run(0)
    assert df["sample"].tolist() == [0, 1, 2, 3]
    for row in df.itertuples():
        words = row.words.split()
        assert len(words) == 6 and set(words) <= set(vocab)
        assert row.grammatical_prefix == task.grammatical_prefix(words) and row.share == row.grammatical_prefix / 6
    assert df.equals(run(0)) and not df.equals(run(1))
    assert not df["words"].equals(run(0, replica=1)["words"])
    with pytest.raises(DataError, match="primer"):
        sampled_grammaticality(net, vocab, lambda g: ["zzz"], task.grammatical_prefix, n_samples=1)


def test_likelihood_scores_against_vector_errors():
    words = ["man", "eat", "cat", "see", "dog", "man", "eat"]
    positions = [0, 1, 0, 1, 2, 0, 1]
    contexts = sentence_prefixes(words, positions)
    assert contexts[4] == ("cat", "see", "dog") and contexts[6] == ("man", "eat")
    successors = [1, 2, 0, 3, 2, 0, 1]
    outputs = np.random.default_rng(0).uniform(size=(7, 4))
    s = likelihood_scores(outputs, contexts, successors)
    vs_succ = vector_errors(outputs, np.eye(4)[successors])
    assert s["sse_vs_successor"] == pytest.approx(vs_succ["sse"].mean())
    assert s["sse_vs_successor_sd"] == pytest.approx(vs_succ["sse"].std(ddof=1))
    assert s["length_vs_successor"] == pytest.approx(vs_succ["error_length"].mean())
    # a perfect predictor of the likelihood vectors scores 0 and cosine 1 against them
    from cogrnn.analysis.likelihood import successor_distributions

    perfect = likelihood_scores(successor_distributions(contexts, successors, 4), contexts, successors)
    assert perfect["sse_vs_likelihood"] == pytest.approx(0.0) and perfect["cosine"] == pytest.approx(1.0)
    with pytest.raises(DataError):
        sentence_prefixes(words, positions[:-1])
    with pytest.raises(DataError):
        likelihood_scores(np.zeros(7), contexts, successors)


def test_tree_measures_on_small_trees():
    t = Tree.from_text("(4, (2, (1, (0.5, man, woman), zog), cat), (3, (1, eat, see), rock))")
    labels = {"man": "n", "woman": "n", "zog": "n", "cat": "n", "eat": "v", "see": "v", "rock": "n"}
    assert top_split_misplaced(t, labels) == 1  # rock sits with the verbs
    with pytest.raises(DataError, match="no label"):
        top_split_misplaced(t, {"man": "n"})
    groups = {"humans": ["man", "woman"], "verbs": ["eat", "see"], "animals": ["cat", "dog"], "mixed": ["cat", "eat"]}
    assert clades_present(t, groups) == ["humans", "verbs"]
    sister, inside = sister_placement(t, "zog", {"man", "woman", "boy", "girl"})
    assert sister == {"man", "woman"} and inside
    sister, inside = sister_placement(t, "cat", {"man", "woman"})
    assert sister == {"man", "woman", "zog"} and not inside
    assert largest_clade_fraction(t, ["man", "woman", "cat"]) == pytest.approx(2 / 3)
    assert np.isnan(largest_clade_fraction(t, []))
