from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis import (
    Recording,
    branch_consistency,
    cluster_scores,
    cut_tree,
    n_misassigned,
    nearest_neighbor_agreement,
    nearest_neighbors,
    successor_distributions,
    vector_errors,
)
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import ElmanSRN
from cogrnn.tasks import LexicalSentences


def test_lexicon_and_templates_resolve_the_papers_inconsistencies():
    task = LexicalSentences()
    cats = task.categories()
    assert len(cats) == 12  # Table 3 has 12 categories (the text says 13)
    assert len(task.templates()) == 16  # Table 4 has 16 rows (the text says 15)
    assert len(task.base_vocabulary()) == 29  # the leaves of Fig. 7
    assert "bread" in cats["NOUN-FOOD"] and "break" not in cats["NOUN-FOOD"]  # the typo, corrected
    assert set(cats["VERB-PERCEPT"]) == {"smell", "see"} and "see" in cats["VERB-TRAN"]
    printed = LexicalSentences(lexicon="printed")
    assert len(printed.base_vocabulary()) < 29
    # the default reading nests the categories (p. 195, p. 199, Table 5)
    assert set(cats["NOUN-ANIM"]) == {"cat", "mouse", "dog", "man", "woman", "boy", "girl", "dragon", "monster", "lion"}
    assert set(cats["NOUN-INANIM"]) == {"book", "rock", "car", "cookie", "bread", "sandwich", "glass", "plate"}
    assert set(cats["VERB-TRAN"]) == {"see", "chase", "like", "move", "break", "smash"}
    assert set(cats["NOUN-HUM"]) == {"man", "woman", "boy", "girl"}  # included categories keep their words
    flat = LexicalSentences(lexicon="flat").categories()
    assert set(flat["NOUN-ANIM"]) == {"cat", "mouse", "dog"} and set(flat["VERB-TRAN"]) == {"see", "chase", "like"}
    nouns = LexicalSentences(lexicon="nouns-nested").categories()
    assert set(nouns["NOUN-ANIM"]) == set(cats["NOUN-ANIM"]) and nouns["VERB-TRAN"] == flat["VERB-TRAN"]
    with pytest.raises(ConfigError, match="lexicon"):
        LexicalSentences(lexicon="completed")


#: Elman (1990) Table 5: the start of the training stream, as printed
TABLE_5 = "woman smash plate / cat move / man break car / boy move / girl eat bread / dog move mouse / mouse move book"


@pytest.mark.parametrize("lexicon", ["nested", "flat"])
def test_table_5_fragment_needs_the_nested_lexicon(lexicon):
    task = LexicalSentences(lexicon=lexicon)
    sentences = [s.split() for s in TABLE_5.split(" / ")]
    produced = {" ".join(s): task.grammatical_prefix(s) == len(s) for s in sentences}
    if lexicon == "nested":
        assert all(produced.values()), produced
        # ... and the sentences come from the generator itself
        corpus = {" ".join(s) for s in task.sentences(0)}
        assert {" ".join(s) for s in sentences} <= corpus
    else:
        assert produced == {" ".join(s): s != ["dog", "move", "mouse"] for s in sentences}


def test_corpus_counts_and_template_coverage(global_random_seed):
    task = LexicalSentences(n_sentences=10000)
    sentences = task.sentences(global_random_seed)
    lengths = Counter(len(s) for s in sentences)
    assert set(lengths) == {2, 3}
    n_words = sum(len(s) for s in sentences)
    assert 27200 < n_words < 27800  # paper: 27,534 (expected 27,500)
    # every sentence fits a template, and every template is used
    cats, templates = task.categories(), task.templates()
    fits = np.array(
        [[len(t) == len(s) and all(w in cats[c] for w, c in zip(s, t)) for t in templates] for s in sentences]
    )
    assert fits.any(1).all()
    assert fits.sum(0).min() > 400  # each template is drawn ~625 times
    classes = task.word_classes().set_index("word")["lexical_class"]
    assert all(classes[s[0]] == "noun" and classes[s[1]] == "verb" for s in sentences)


def test_stream_has_no_breaks_and_localist_codes():
    task = LexicalSentences(n_sentences=300)
    batch = task.generate(random_state=0)
    x = batch.inputs[:, 0]
    assert x.shape[1] == 31 and np.all(x.sum(1) == 1)  # one word per step, no break symbols
    assert np.all(x[:, 29:] == 0)  # the two spare bits are unused
    words = batch.descriptors["word"][:, 0]
    targets = batch.descriptors["target_word"][:, 0]
    np.testing.assert_array_equal(targets[:-1], words[1:])
    assert targets[-1] == words[0]  # wrap-around
    pos = batch.descriptors["position"][:, 0]
    assert set(pos) == {0, 1, 2} and np.all((pos == 0) == (batch.descriptors["prev_word"][:, 0] == "") | (pos == 0))


def test_zog_replaces_man_on_a_spare_bit():
    task = LexicalSentences(n_sentences=500, replace={"man": "zog"})
    batch = task.generate(random_state=1)
    words = set(batch.descriptors["word"][:, 0])
    assert "zog" in words and "man" not in words
    zog_steps = batch.descriptors["word"][:, 0] == "zog"
    assert np.all(batch.inputs[zog_steps, 0, 29] == 1)
    classes = task.word_classes().set_index("word")
    assert classes.loc["zog", "category"] == "NOUN-HUM" and classes.loc["zog", "novel"]
    with pytest.raises(ConfigError, match="not a word"):
        LexicalSentences(replace={"xyz": "zog"})
    with pytest.raises(ConfigError, match="already a word"):
        LexicalSentences(replace={"man": "woman"})


def test_word_classes_argument_structure():
    wc = LexicalSentences().word_classes().set_index("word")
    assert wc.loc["think", "argument"] == "absent"
    assert wc.loc["chase", "argument"] == "obligatory"
    assert wc.loc["move", "argument"] == "optional"
    assert wc.loc["break", "argument"] == "optional"  # AGPAT (optional) and DESTROY (obligatory)
    assert wc.loc["dragon", "animacy"] == "animate" and wc.loc["plate", "animacy"] == "inanimate"


def test_recording_from_model_mean_by_subset_to_df():
    net = ElmanSRN(3, 4, 3, n_replicas=2, random_state=0)
    x = np.eye(3)[[0, 1, 2, 0, 1]][:, None]
    rec = Recording.from_model(net, x, {"word": list("abcab")}, chunk_size=2)
    assert rec.n_obs == 10 and rec.n_units == 4
    full = net(x).hidden[:, -1, :, 0].detach().numpy().reshape(10, 4)
    np.testing.assert_allclose(rec.states, full, rtol=1e-6)  # chunking carries the state over
    means = rec.mean_by("seed", "word")
    assert means.n_obs == 6 and means.descriptors["n"].tolist() == [2, 2, 1, 2, 2, 1]
    a = rec.subset(seed=0, word="a")
    np.testing.assert_allclose(means.states[0], a.states.mean(0), rtol=1e-6)
    long = rec.to_df()
    assert len(long) == 40 and {"seed", "t", "word", "unit", "activation"} <= set(long.columns)
    back = Recording.from_df(long, ["seed", "t", "word"])
    np.testing.assert_allclose(back.states, rec.states)
    assert rec.to_df(long=False).shape == (10, 3 + 1 + 4)


def test_recording_bad_input():
    with pytest.raises(DataError, match="2-D"):
        Recording(np.zeros(3))
    with pytest.raises(DataError, match="rows"):
        Recording(np.zeros((3, 2)), {"w": [1, 2]})
    rec = Recording(np.zeros((3, 2)), {"w": ["a", "b", "a"]})
    with pytest.raises(DataError, match="unknown descriptor"):
        rec.mean_by("word")
    with pytest.raises(DataError, match="no observation"):
        rec.subset(w="z")
    with pytest.raises(DataError, match="at least one observation"):
        Recording(np.zeros((0, 2)))


def test_clustering_known_answers():
    rng = np.random.default_rng(0)
    nouns = rng.normal(0, 0.1, (5, 3))
    verbs = rng.normal(3, 0.1, (4, 3))
    X = np.vstack([nouns, verbs])
    labels = ["n"] * 5 + ["v"] * 4
    s = cluster_scores(X, labels)
    assert s["ari"] == 1.0 and s["cophenetic"] > 0.9
    assert n_misassigned(cut_tree(X, 2), labels) == 0
    assert nearest_neighbor_agreement(X, labels) == 1.0
    # an outlier takes the top split: the ARI drops and one-to-one matching counts the errors
    X2 = np.vstack([X, [[40.0, 40, 40]]])
    two = cut_tree(X2, 2)
    assert n_misassigned(two, [*labels, "v"]) == 4
    assert branch_consistency([0, 0, 1, 1, 1], list("aaabb")) == 0.8
    nn = nearest_neighbors(X, [f"w{i}" for i in range(9)], "w0", k=3)
    assert set(nn["label"]) <= {f"w{i}" for i in range(1, 5)}
    with pytest.raises(DataError, match="exactly one"):
        nearest_neighbors(X, ["a"] * 9, "b")
    with pytest.raises(DataError):
        cluster_scores(X, labels[:-1])


def test_successor_distributions_and_vector_errors():
    contexts = [("man",), ("man", "eat"), ("cat",), ("man",), ("man", "eat")]
    succ = [1, 2, 1, 1, 3]
    p = successor_distributions(contexts, succ, 4)
    np.testing.assert_allclose(p[1], [0, 0, 0.5, 0.5])
    np.testing.assert_allclose(p[0], [0, 1, 0, 0])
    assert np.allclose(p.sum(1), 1)
    ve = vector_errors(np.zeros((1, 31)), np.eye(31)[[0]])
    assert ve["error_length"].iloc[0] == 1.0  # the paper's all-off baseline
    assert np.isnan(ve["cosine"].iloc[0])
    with pytest.raises(DataError):
        vector_errors(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(DataError):
        successor_distributions([("a",)], [5], 4)
    # the three readings of the paper's "RMS error" on a known case: 0.5 everywhere vs one-hot
    half = vector_errors(np.full((1, 31), 0.5), np.eye(31)[[3]]).iloc[0]
    assert half["sse"] == pytest.approx(31 * 0.25)  # summed squared error
    assert half["error_length"] == pytest.approx(np.sqrt(31 * 0.25))  # its root
    assert half["rms_per_unit"] == pytest.approx(0.5)
    assert half["cosine"] == pytest.approx(0.5 / (np.sqrt(31 * 0.25) * 1.0))


def test_frozen_pass_over_padded_streams_equals_each_replica_alone():
    from cogrnn.analysis.recording import evaluate
    from cogrnn.replications.elman_lexical import _DESCRIPTORS, _frozen_pass

    task = LexicalSentences(n_sentences=15)
    zog = LexicalSentences(n_sentences=12, replace={"man": "zog"})
    streams = [[task.generate(s) for s in (0, 1, 2)], [zog.generate(s) for s in (3, 4, 5)]]
    assert len({b.n_steps for batches in streams for b in batches}) > 2  # different lengths: padded at the end
    net = ElmanSRN(31, 8, 31, n_replicas=3, random_state=0)
    out = _frozen_pass(net, streams, "h0", (_DESCRIPTORS, ("word",)))
    assert [len(recs) for recs in out] == [3, 3]
    for k, recs in enumerate(out):  # stream k of every replica: sequence k of one batch
        for r, rec in enumerate(recs):
            alone = evaluate(net.replica(r), streams[k][r].inputs)  # float64 arrays of the float32 model's numbers
            assert rec.states.dtype == np.float32
            np.testing.assert_array_equal(rec.states, alone.states)
            np.testing.assert_array_equal(rec.outputs, alone.outputs)
            assert rec.descriptors["seed"].eq(r).all() and rec.descriptors["sequence"].eq(k).all()
            assert len(rec.descriptors) == streams[k][r].n_steps
            keys = _DESCRIPTORS if k == 0 else ("word",)
            assert rec.descriptors.columns.tolist() == ["seed", "t", "sequence", *keys]
            pd.testing.assert_frame_equal(rec.descriptors, alone.descriptors[["seed", "t", "sequence"]].assign(
                seed=r, sequence=k, **{key: streams[k][r].descriptors[key][:, 0] for key in keys}))  # fmt: skip
