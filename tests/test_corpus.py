"""Tasks from data: TextCorpus and LabelledSequences (tokens, vocabulary, layouts, bad files)."""

from __future__ import annotations

import numpy as np
import pytest

from cogrnn.analysis import evaluate
from cogrnn.checks import check_task
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.models import LSTMNetwork
from cogrnn.tasks import EOS, UNK, LabelledSequences, TextCorpus, Vocabulary
from cogrnn.training import Trainer


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_word_stream_with_boundaries_predicts_every_word():
    task = TextCorpus(["the dog runs", "", "a cat sleeps"])
    b = task.generate()
    d = b.descriptors
    assert d["next_token"][:, 0].tolist() == ["the", "dog", "runs", EOS, "a", "cat", "sleeps", EOS]
    assert d["sentence"][:, 0].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert d["position"][:, 0].tolist() == [0, 1, 2, 3, 0, 1, 2, 3]
    assert d["line"][:, 0].tolist() == [1, 1, 1, 1, 3, 3, 3, 3]  # blank line 2 skipped
    # localist codes: one unit on per step, the target is the next input
    assert (b.inputs.sum(-1) == 1).all() and (b.targets.sum(-1) == 1).all()
    assert np.array_equal(b.targets[:-1], b.inputs[1:])
    assert task.decode(b.inputs[:3, 0].argmax(-1)) == [EOS, "the", "dog"]


def test_boundaries_removed_as_elman():
    b = TextCorpus(["a b", "c d"], boundaries=False).generate()
    assert b.descriptors["token"][:, 0].tolist() == ["a", "b", "c"]
    assert b.descriptors["next_token"][:, 0].tolist() == ["b", "c", "d"]
    assert EOS not in TextCorpus(["a b"], boundaries=False).vocabulary_


def test_char_unit_words_and_spaces():
    task = TextCorpus(["ab  cd"], unit="char")
    d = task.generate().descriptors
    assert d["next_token"][:, 0].tolist() == ["a", "b", " ", "c", "d", EOS]
    assert d["word"][:, 0].tolist() == ["ab", "ab", "ab", "cd", "cd", "cd"]  # a space or boundary closes a word
    assert d["word_index"][:, 0].tolist() == [0, 0, 0, 1, 1, 1]


def test_sentences_layout_pads_and_scores():
    task = TextCorpus(["a b c", "d"], layout="sentences")
    b = task.generate()
    assert b.inputs.shape[:2] == (4, 2)
    assert b.descriptors["scored"][:, 1].tolist() == [True, True, False, False]
    assert b.inputs[2:, 1].sum() == 0 and b.targets[2:, 1].sum() == 0
    sub = task.generate(random_state=0, n_streams=1)
    assert sub.n_sequences == 1
    with pytest.raises(ConfigError, match="n_streams"):
        task.generate(n_streams=3)


def test_shuffle_is_seeded_and_streams_differ():
    task = TextCorpus(shuffle=True)
    a, b = task.generate(random_state=1, n_streams=2), task.generate(random_state=1, n_streams=2)
    assert np.array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs[:, 0], a.inputs[:, 1])
    assert sorted(a.descriptors["sentence"][:, 0].tolist()) == sorted(a.descriptors["sentence"][:, 1].tolist())


def test_vocabulary_policies():
    with pytest.raises(DataError, match=r"<strings> line 2: token 'zebra' is not in the vocabulary"):
        TextCorpus(["a b", "zebra"], vocabulary=[EOS, "a", "b"])
    task = TextCorpus(["a b", "zebra"], vocabulary=[EOS, UNK, "a", "b"], unknown="map")
    assert task.generate().descriptors["token"][:, 0].tolist()[-1] == "zebra"
    assert task.generate().inputs[-1, 0].argmax() == 1  # coded as <unk>
    rare = TextCorpus(["a a b"], unknown="map", min_count=2)
    assert rare.vocabulary_.tokens == [EOS, UNK, "a"]
    with pytest.raises(ConfigError, match="unknown='map'"):
        TextCorpus(["a a b"], min_count=2)
    with pytest.raises(ConfigError, match="repeated"):
        Vocabulary(["a", "a"])
    again = TextCorpus.from_description(TextCorpus(["a b"]).describe(), ["b a b"])
    assert again.vocabulary_ == TextCorpus(["a b"]).vocabulary_


def test_bad_text_files_name_file_and_line(tmp_path):
    with pytest.raises(DataError, match=r"empty.txt: the file is empty"):
        TextCorpus(write(tmp_path, "empty.txt", "\n  \n"))
    with pytest.raises(DataError, match=r"latin.txt line 2: not utf-8 text"):
        TextCorpus(write(tmp_path, "latin.txt", "ok\ncaf\xe9\n".encode("latin-1")))
    assert TextCorpus(write(tmp_path, "latin1.txt", "caf\xe9\n".encode("latin-1")), encoding="latin-1").sentences_
    with pytest.raises(DataError, match=r"long.txt line 3: a sequence of 4 words is longer than max_length=3"):
        TextCorpus(write(tmp_path, "long.txt", "a b\n\na b c d\n"), max_length=3)
    with pytest.raises(DataError, match=r"missing.txt: no such file"):
        TextCorpus(tmp_path / "missing.txt")
    with pytest.raises(ConfigError, match="encoding"):
        TextCorpus(write(tmp_path, "x.txt", "a"), encoding="no-such-codec")
    with pytest.raises(DataError, match="NUL"):
        TextCorpus(write(tmp_path, "bin.txt", b"a\x00b"))


def test_labelled_csv_and_errors(tmp_path):
    path = write(tmp_path, "ok.csv", 'label,sequence\npos,"good film"\nneg,bad film\n')
    task = LabelledSequences(path)
    b = task.generate()
    assert task.labels_ == ["neg", "pos"] and b.inputs.shape[:2] == (2, 2)
    assert b.descriptors["scored"][:, 0].tolist() == [False, True]
    assert b.descriptors["label"][0].tolist() == ["pos", "neg"]
    with pytest.raises(DataError, match=r"nolabel.csv line 3: the label is missing"):
        LabelledSequences(write(tmp_path, "nolabel.csv", "sequence,label\na b,x\nc d,\n"))
    with pytest.raises(DataError, match=r"header.csv line 1: the header must name the columns"):
        LabelledSequences(write(tmp_path, "header.csv", "text,y\na,b\n"))
    with pytest.raises(DataError, match=r"fields.csv line 2: 1 fields"):
        LabelledSequences(write(tmp_path, "fields.csv", "sequence,label\nabc\n"))
    with pytest.raises(DataError, match=r"long.csv line 2: a sequence of 3 chars is longer than max_length=2"):
        LabelledSequences(write(tmp_path, "long.csv", "sequence,label\nabc,x\n"), unit="char", max_length=2)
    with pytest.raises(DataError, match=r"other.csv line 2: label 'z' is not one of"):
        LabelledSequences(write(tmp_path, "other.csv", "sequence,label\na,z\n"), labels=["x", "y"])
    with pytest.raises(DataError, match="no rows after the header"):
        LabelledSequences(write(tmp_path, "head.csv", "sequence,label\n"))


def test_registered_tasks_pass_common_checks():
    check_task("text-corpus")
    check_task("labelled-sequences")
    check_task("text-corpus", unit="char", layout="sentences")


def test_evaluate_and_many_to_one_training():
    task = LabelledSequences()
    batch = task.generate()
    net = LSTMNetwork(len(task.vocabulary_), 8, 2, n_replicas=2, output_activation="softmax", random_state=0)
    before = task.accuracy(net, batch)["accuracy"].to_numpy()
    Trainer(method="bptt", loss="cross_entropy", optimizer="adam", lr=0.05, epochs=15, batch_size=50, quiet=True).fit(
        net, batch.inputs, batch.targets, mask=batch.descriptors["scored"], random_state=0
    )
    after = task.accuracy(net, batch)["accuracy"].to_numpy()
    assert (after > 0.9).all() and (after > before).all(), (before, after)
    rec = evaluate(net, batch.inputs, batch.targets, batch.descriptors)
    assert {"token", "label", "scored"} <= set(rec.descriptors.columns)
