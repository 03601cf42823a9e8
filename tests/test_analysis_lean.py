"""The lean paths of the analysis give the numbers of the plain ones: replicas run together in
sampled_grammaticality, token_scores' single clustering, contingency tables without pandas,
mean_by's sums, LexicalSentences' cached tables, and evaluate's chunks and padding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from cogrnn.analysis import cluster_scores, cut_tree, n_misassigned, nearest_neighbor_agreement
from cogrnn.analysis.generation import generate, next_token_fn
from cogrnn.analysis.grammar import sampled_grammaticality
from cogrnn.analysis.recording import Recording, evaluate
from cogrnn.analysis.tokens import token_scores
from cogrnn.exceptions import ConfigError
from cogrnn.models import ElmanSRN, GRUNetwork, JordanNetwork, LSTMNetwork
from cogrnn.tasks import LexicalSentences

TASK = LexicalSentences(n_sentences=1)
VOCAB = TASK.vocabulary()


def _primer(rng):
    return TASK.sentences(rng)[0]


def _reference(net, replica, seed, n_samples, n_words):
    """sampled_grammaticality as it was: next_token_fn and generate, one replica at a time."""
    rng = np.random.default_rng(seed)
    index = {w: i for i, w in enumerate(VOCAB)}
    step, state = next_token_fn(net, replica)
    rows = []
    for k in range(n_samples):
        sentence = _primer(rng)
        last = index[sentence[0]]
        for w in sentence[1:]:
            _, state = step(state, last)
            last = index[w]
        sample = generate(step, state, last, n_words, strategy="sample", random_state=rng)
        words = [VOCAB[t] for t in sample[0]["tokens"]]
        n_ok = TASK.grammatical_prefix(words)
        rows.append({"sample": k, "words": " ".join(words), "grammatical_prefix": n_ok, "share": n_ok / len(words)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("model", [ElmanSRN, JordanNetwork, LSTMNetwork, GRUNetwork])
def test_replicas_run_together_sample_what_each_samples_alone(model):
    net = model(len(VOCAB), 6, len(VOCAB), n_replicas=3, random_state=1)
    if model is not ElmanSRN:
        net.output_activation = "logistic"  # next-word probabilities from logistic outputs, as Elman's
    kwargs = {"n_samples": 5, "n_words": 4}
    alone = [sampled_grammaticality(net, VOCAB, _primer, TASK.grammatical_prefix, replica=r, random_state=10 + r,
                                    **kwargs) for r in range(3)]  # fmt: skip
    for r in range(3):
        pd.testing.assert_frame_equal(alone[r], _reference(net, r, 10 + r, **kwargs))
    # replicas 2 and 0 together (in that order), with their own streams; replica 1 reads zeros meanwhile
    rngs = [np.random.default_rng(12), np.random.default_rng(10)]
    together = sampled_grammaticality(net, VOCAB, _primer, TASK.grammatical_prefix, replica=[2, 0], random_state=rngs,
                                      **kwargs)  # fmt: skip
    assert together.columns.tolist() == ["replica", "sample", "words", "grammatical_prefix", "share"]
    assert together["replica"].tolist() == [2] * 5 + [0] * 5
    for r in (2, 0):
        mine = together[together.replica == r].drop(columns="replica").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone[r])
    # the generators advanced as a single run advances its own
    ref = np.random.default_rng(12)
    sampled_grammaticality(net, VOCAB, _primer, TASK.grammatical_prefix, replica=2, random_state=ref, **kwargs)
    assert rngs[0].integers(10**9) == ref.integers(10**9)


def test_running_replicas_together_needs_one_random_state_each():
    net = ElmanSRN(len(VOCAB), 4, len(VOCAB), n_replicas=2, random_state=0)
    for replica, states in (([0, 1], 0), ([0, 1], [0]), ([0, 0], [0, 1]), ([], [])):
        with pytest.raises(ConfigError) as info:
            sampled_grammaticality(net, VOCAB, _primer, TASK.grammatical_prefix, replica=replica, random_state=states)
        assert "\n" not in str(info.value)
    with pytest.raises(ConfigError):
        sampled_grammaticality(net, VOCAB, _primer, TASK.grammatical_prefix, replica=[0, 2], random_state=[0, 1])


def test_token_scores_equal_the_separate_scores():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 1, (20, 5)), rng.normal(1.5, 1, (20, 5))])
    cls = np.repeat(["noun", "verb"], 20)
    words = rng.choice(["a", "b", "c", "d"], 40)
    initial = rng.random(40) < 0.3
    s = token_scores(X, cls, words, initial)
    two, three = cut_tree(X, 2), cut_tree(X, 3)
    assert s["class_consistency"] == 1 - n_misassigned(two, cls) / 40
    assert s["top_split_vs_initial"] == 1 - n_misassigned(two, np.where(initial, "initial", "later")) / 40
    assert s["cut3_class_purity"] == float(pd.crosstab(three, cls).max(axis=1).sum() / 40)
    assert s["class_ari"] == cluster_scores(X, cls, 2)["ari"]
    assert s["nn_same_class"] == nearest_neighbor_agreement(X, cls)
    assert s["nn_same_word"] == nearest_neighbor_agreement(X, words)


def test_n_misassigned_counts_as_the_crosstab_did():
    rng = np.random.default_rng(0)
    for _ in range(20):
        assign, labels = rng.integers(0, 3, 30), rng.choice(["x", "y", "z", "w"], 30)
        table = pd.crosstab(assign, labels).to_numpy()
        rows, cols = linear_sum_assignment(-table)
        assert n_misassigned(assign, labels) == int(table.sum() - table[rows, cols].sum())
    # labels np.unique cannot sort, and missing ones, go through pandas as before
    assert n_misassigned([0, 0, 1, 1], ["n", 1, "v", "v"]) == 1
    assert n_misassigned([0, 0, 1, 1], ["n", None, "v", "v"]) == 0


def test_mean_by_sums_rows_in_order_as_add_at():
    rng = np.random.default_rng(1)
    for dtype in (np.float64, np.float32):
        states = (rng.standard_normal((500, 7)) * 1e3).astype(dtype)
        words = rng.choice(list("abcdef"), 500)
        codes, uniques = pd.factorize(words, sort=True)
        sums = np.zeros((len(uniques), 7))
        np.add.at(sums, codes, states)
        expected = sums / np.bincount(codes)[:, None]
        got = Recording(states, {"w": words}).mean_by("w")
        assert got.descriptors["w"].tolist() == list(uniques)
        np.testing.assert_array_equal(got.states, expected)


def test_lexical_tables_are_read_once_and_handed_out_as_copies(monkeypatch):
    import cogrnn.tasks.sentences as sentences

    task = LexicalSentences(n_sentences=3)
    first_cats, first_templates = task.categories(), task.templates()
    calls = []
    monkeypatch.setattr(sentences, "read_data_table", lambda *a, **k: calls.append(a) or 1 / 0)
    first_cats["NOUN-HUM"].append("zzz")
    first_templates[0].append("zzz")
    assert "zzz" not in task.categories()["NOUN-HUM"] and "zzz" not in task.templates()[0]
    task.sentences(0), task.word_classes(), task.grammatical_prefix(["man", "sleep"])
    assert calls == []


@pytest.mark.parametrize("model", [ElmanSRN, LSTMNetwork])
def test_evaluate_chunks_and_padding_change_no_bit(model):
    # chunks of 17 steps or more: BLAS may round products of a few rows otherwise (LSTM at 1 and 7
    # steps here), which is why evaluate splits the steps into equal chunks (no short last one)
    net = model(5, 9, 4, n_replicas=3, random_state=0)
    x = np.random.default_rng(0).random((3, 70, 2, 5))
    lengths = [70, 41, 17]
    whole = evaluate(net, x, lengths=lengths, chunk_size=70)
    for chunk in (23, 35, 69):  # 69: two chunks of 35 steps, not 69 and 1
        part = evaluate(net, x, lengths=lengths, chunk_size=chunk)
        for k, v in whole.layer_states.items():
            np.testing.assert_array_equal(part.layer_states[k], v)
        np.testing.assert_array_equal(part.outputs, whole.outputs)
        pd.testing.assert_frame_equal(part.descriptors, whole.descriptors)
    for r, n in enumerate(lengths):  # each replica alone, its stream unpadded
        alone = evaluate(net.replica(r), x[r, :n])
        np.testing.assert_array_equal(whole.subset(seed=r).states, alone.states)
        np.testing.assert_array_equal(whole.subset(seed=r).outputs, alone.outputs)
