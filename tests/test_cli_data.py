"""cogrnn train / surprisal / generate on small shipped and generated data; malformed inputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from cogrnn.checkpoint import load, load_checkpoint
from cogrnn.cli import main
from cogrnn.io import data_path
from cogrnn.tasks import TextCorpus

CORPUS = data_path("corpora/elman_sentences.txt")
TINY = ["boy eat cookie", "girl eat bread", "dog chase cat", "cat sleep", "boy see dog"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One small word-level LSTM ensemble trained by the command on the shipped corpus."""
    tmp = tmp_path_factory.mktemp("train")
    rc = main(["train", "--text", str(CORPUS), "--model", "lstm", "--hidden-size", "12", "--epochs", "8",
               "--seeds", "3", "--seed", "5", "--out", str(tmp / "run"), "--quiet"])  # fmt: skip
    assert rc == 0
    return tmp / "run"


def test_train_writes_checkpoint_history_provenance(trained):
    assert sorted(p.name for p in trained.iterdir()) == ["history.csv", "model.safetensors", "provenance.json"]
    hist = pd.read_csv(trained / "history.csv")
    assert list(hist.columns) == ["model", "replica", "epoch", "loss", "n_updates"]
    assert len(hist) == 3 * 8
    first, last = hist[hist.epoch == 1].loss.to_numpy(), hist[hist.epoch == 8].loss.to_numpy()
    assert (last < 0.8 * first).all(), (first, last)  # every network learned something
    ckpt = load_checkpoint(trained / "model.safetensors")
    assert ckpt.model.n_replicas == 3 and ckpt.header["model_id"] == "lstm-v1"
    task = ckpt.header["metadata"]["task"]
    assert task["unit"] == "word" and task["vocabulary"]["tokens"][0] == "<eos>"
    prov = json.loads((trained / "provenance.json").read_text())
    assert prov["root_seed"] == 5 and len(prov["replica_seeds"]) == 3
    assert prov["corpus"]["sentences"] == 300 and set(prov["outputs"]) == {"model.safetensors", "history.csv"}


def test_train_is_reproducible(tmp_path, trained):
    rc = main(["train", "--text", str(CORPUS), "--model", "lstm", "--hidden-size", "12", "--epochs", "8",
               "--seeds", "3", "--seed", "5", "--out", str(tmp_path / "again"), "--quiet"])  # fmt: skip
    assert rc == 0
    a, b = load(trained / "model.safetensors"), load(tmp_path / "again" / "model.safetensors")
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_surprisal_of_grammatical_vs_scrambled_words(tmp_path, trained):
    (tmp_path / "test.txt").write_text("boy eat cookie\ncookie eat boy\n")
    assert main(["surprisal", str(trained / "model.safetensors"), "--text", str(tmp_path / "test.txt"),
                 "--out", str(tmp_path / "s.csv")]) == 0  # fmt: skip
    df = pd.read_csv(tmp_path / "s.csv")
    assert list(df.columns) == [
        "replica", "sentence", "line", "position", "token", "known", "word_index", "word", "surprisal", "entropy"
    ]  # fmt: skip
    assert df.known.all()
    assert len(df) == 3 * 8 and (df.surprisal >= 0).all() and (df.entropy >= 0).all()
    # "eat" after the human "boy" is expected; "boy" as the object of "cookie eat" is not (Elman's grammar:
    # foods do not eat); every network finds the scrambled sentence's last word more surprising
    last = df[df.position == 2].pivot(index="replica", columns="sentence", values="surprisal")
    assert (last[1] > last[0]).all(), last
    assert not (tmp_path / "s.words.csv").exists()  # word model: no per-word sums file


def test_char_model_surprisal_words_and_online_training(tmp_path):
    (tmp_path / "c.txt").write_text("\n".join(TINY) + "\n")
    assert main(["train", "--text", str(tmp_path / "c.txt"), "--unit", "char", "--model", "elman", "--method",
                 "online", "--optimizer", "sgd", "--hidden-size", "6", "--epochs", "2", "--seeds", "2",
                 "--out", str(tmp_path / "run"), "--quiet"]) == 0  # fmt: skip
    assert load_checkpoint(tmp_path / "run" / "model.safetensors").header["metadata"]["task"]["layout"] == "stream"
    (tmp_path / "t.txt").write_text("cat eat bread\n")
    assert main(["surprisal", str(tmp_path / "run" / "model.safetensors"), "--text", str(tmp_path / "t.txt"),
                 "--out", str(tmp_path / "s.csv")]) == 0  # fmt: skip
    chars, words = pd.read_csv(tmp_path / "s.csv"), pd.read_csv(tmp_path / "s.words.csv")
    assert len(chars) == 2 * (len("cat eat bread") + 1)  # every character and the boundary
    assert words.word.tolist() == ["cat", "eat", "bread"] * 2
    sums = chars.groupby(["replica", "word_index"]).surprisal.sum().to_numpy()
    np.testing.assert_allclose(words.sort_values(["replica", "word_index"]).surprisal.to_numpy(), sums)
    assert words.n_tokens.tolist() == [4, 4, 6] * 2  # each word with the space or boundary that ends it


def test_generate_strategies(tmp_path, trained, capsys):
    ckpt = str(trained / "model.safetensors")
    assert main(["generate", ckpt, "--strategy", "beam", "--beam-width", "4", "--n", "3",
                 "--out", str(tmp_path / "g.csv")]) == 0  # fmt: skip
    beam = pd.read_csv(tmp_path / "g.csv")
    assert beam["rank"].tolist() == [1, 2, 3] and beam.log_prob.is_monotonic_decreasing
    assert main(["generate", ckpt, "--strategy", "greedy", "--n", "1", "--replica", "all", "--out",
                 str(tmp_path / "greedy.csv")]) == 0  # fmt: skip
    greedy = pd.read_csv(tmp_path / "greedy.csv")
    assert greedy.replica.tolist() == [0, 1, 2]
    # beam search finds a sequence at least as probable as greedy decoding's
    assert beam.log_prob.iloc[0] >= greedy.log_prob.iloc[0] - 1e-9
    args = ["generate", ckpt, "--strategy", "sample", "--temperature", "0.8", "--n", "4", "--seed", "3"]
    capsys.readouterr()
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0 and capsys.readouterr().out == first  # same seed, same samples
    assert len(first.strip().splitlines()) == 4
    vocab = set(load_checkpoint(ckpt).header["metadata"]["task"]["vocabulary"]["tokens"])
    assert all(set(line.split("\t")[3].split()) <= vocab for line in first.strip().splitlines())
    assert main(["generate", ckpt, "--strategy", "greedy", "--n", "1", "--prefix", "dragon"]) == 0
    verbs = {"eat", "see", "chase", "move", "break", "smash", "like", "think", "sleep", "exist", "smell"}
    assert capsys.readouterr().out.split("\t")[3].split()[0] in verbs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--text", "{tmp}/missing.txt", "--out", "{tmp}/o"], "missing.txt: no such file"),
        (["train", "--text", "{tmp}/empty.txt", "--out", "{tmp}/o"], "empty.txt: the file is empty"),
        (["train", "--text", "{tmp}/latin.txt", "--out", "{tmp}/o"], "latin.txt line 2: not utf-8 text"),
        (["train", "--text", "{tmp}/ok.txt", "--max-length", "2", "--out", "{tmp}/o"], "ok.txt line 1: a sequence"),
        (["train", "--text", "{tmp}/ok.txt", "--model", "hopfield", "--out", "{tmp}/o"], "model must be one of"),
        (["train", "--text", "{tmp}/ok.txt", "--seeds", "0", "--out", "{tmp}/o"], "--seeds must be >= 1"),
        (["train", "--text", "{tmp}/ok.txt", "--epochs", "x", "--out", "{tmp}/o"], "--epochs must be an integer"),
        (["train", "--text", "{tmp}/ok.txt", "--unit", "byte", "--out", "{tmp}/o"], "unit must be one of"),
        (["train", "--text", "{tmp}/ok.txt", "--out", "{tmp}/busy"], "holds files (notes.txt) but no provenance.json"),
        (["surprisal", "{tmp}/ok.txt", "--text", "{tmp}/ok.txt", "--out", "{tmp}/s.csv"], "not a cogrnn checkpoint"),
        (
            ["surprisal", "{run}", "--text", "{tmp}/unknown.txt", "--out", "{tmp}/s.csv"],
            "unknown.txt line 1: token 'zebra' is not in the vocabulary",
        ),
        (["surprisal", "{run}", "--text", "{tmp}/ok.txt", "--out", "{tmp}"], "is a folder"),
        (["surprisal", "{run}", "--text", "{tmp}/ok.txt", "--out", "{tmp}/ok.txt/s.csv"], "cannot write to output"),
        (["generate", "{run}", "--out", "{tmp}/ok.txt/g.csv"], "cannot write to output"),
        (["generate", "{run}", "--strategy", "beam", "--beam-width", "2", "--n", "3"], "--beam-width (2) must be"),
        (["generate", "{run}", "--strategy", "greedy", "--n", "2"], "greedy gives one sequence"),
        (["generate", "{run}", "--temperature", "0"], "temperature must be"),
        (["generate", "{run}", "--replica", "7"], "replica must be an integer in [0, 2]"),
        (["generate", "{run}", "--prefix", "zebra"], "--prefix: token 'zebra'"),
        (["generate", "{tmp}/truncated.safetensors"], "truncated"),
    ],
)
def test_malformed_inputs_one_line_exit_2(tmp_path, trained, capsys, args, message):
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "latin.txt").write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    (tmp_path / "ok.txt").write_text("boy eat cookie\n")
    (tmp_path / "unknown.txt").write_text("zebra eat cookie\n")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    data = (trained / "model.safetensors").read_bytes()
    (tmp_path / "truncated.safetensors").write_bytes(data[: len(data) // 2])
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.format(tmp=tmp_path, run=trained / "model.safetensors") for a in args]
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cogrnn: error: ") and err.count("\n") == 1 and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, not even half
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_rerun_replaces_an_earlier_train_folder(tmp_path):
    (tmp_path / "c.txt").write_text("\n".join(TINY) + "\n")
    base = ["train", "--text", str(tmp_path / "c.txt"), "--hidden-size", "3", "--epochs", "1", "--seeds", "1",
            "--model", "gru", "--out", str(tmp_path / "run"), "--quiet"]  # fmt: skip
    assert main(base) == 0
    assert main([*base, "--seed", "9"]) == 0
    assert json.loads((tmp_path / "run" / "provenance.json").read_text())["root_seed"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt", "run"]  # no staging folder left


def test_text_corpus_matches_command_tokenisation(trained):
    task = load_checkpoint(trained / "model.safetensors").header["metadata"]["task"]
    corpus = TextCorpus.from_description(task, ["boy eat cookie"])
    assert corpus.sentences_ == [["boy", "eat", "cookie"]] and corpus.layout == "sentences"


def test_beam_search_finds_the_most_probable_sequence():
    """Beam search as wide as the vocabulary squared keeps every 2-prefix: its best 3-token sequence is exact."""
    import itertools

    from cogrnn.analysis.generation import generate, next_token_fn
    from cogrnn.models import GRUNetwork

    net = GRUNetwork(3, 5, 3, output_activation="softmax", random_state=2)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(4.0)  # sharper distributions, so greedy and beam differ
    step, state = next_token_fn(net)

    def score(seq):
        st, last, total = state, 0, 0.0
        for tok in seq:
            logp, st = step(st, last)
            total, last = total + float(logp[tok]), tok
        return total

    best = max(itertools.product(range(3), repeat=3), key=score)
    beam = generate(step, state, 0, 3, strategy="beam", beam_width=9)
    assert tuple(beam[0]["tokens"]) == best and beam[0]["log_prob"] == pytest.approx(score(best))
    greedy = generate(step, state, 0, 3)[0]
    assert greedy["log_prob"] <= beam[0]["log_prob"] + 1e-12


def test_unknown_words_are_flagged(tmp_path):
    (tmp_path / "c.txt").write_text("\n".join(TINY * 2) + "\n")
    assert main(["train", "--text", str(tmp_path / "c.txt"), "--min-count", "2", "--hidden-size", "3", "--epochs",
                 "1", "--seeds", "1", "--model", "gru", "--out", str(tmp_path / "run"), "--quiet"]) == 0  # fmt: skip
    (tmp_path / "t.txt").write_text("zebra eat cookie\n")
    assert main(["surprisal", str(tmp_path / "run" / "model.safetensors"), "--text", str(tmp_path / "t.txt"),
                 "--out", str(tmp_path / "s.csv")]) == 0  # fmt: skip
    df = pd.read_csv(tmp_path / "s.csv")
    assert df.token.tolist() == ["zebra", "eat", "cookie", "<eos>"] and df.known.tolist() == [False, True, True, True]


def test_train_classifier_from_csv_with_held_out_rows(tmp_path):
    rows = pd.read_csv(data_path("corpora/elman_subjects.csv"))
    rows.iloc[:150].to_csv(tmp_path / "train.csv", index=False)
    rows.iloc[150:].to_csv(tmp_path / "test.csv", index=False)
    assert main(["train", "--csv", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"), "--model",
                 "gru", "--hidden-size", "8", "--epochs", "12", "--seeds", "3", "--out", str(tmp_path / "run"),
                 "--quiet"]) == 0  # fmt: skip
    acc = pd.read_csv(tmp_path / "run" / "accuracy.csv")
    assert list(acc.columns) == ["data", "replica", "accuracy", "n_sequences"]
    assert acc.data.tolist() == ["train"] * 3 + ["test"] * 3 and acc.n_sequences.tolist() == [150] * 3 + [50] * 3
    # the label is the subject's class, read at the sentence's last word: every network must remember it
    assert (acc.accuracy > 0.9).all(), acc
    header = load_checkpoint(tmp_path / "run" / "model.safetensors").header
    assert header["metadata"]["task"]["labels"] == ["human", "other"] and header["constructor"]["output_size"] == 2
    prov = json.loads((tmp_path / "run" / "provenance.json").read_text())
    assert set(prov["outputs"]) == {"model.safetensors", "history.csv", "accuracy.csv"} and len(prov["data"]) == 2
    assert main(["surprisal", str(tmp_path / "run" / "model.safetensors"), "--text", str(tmp_path / "train.csv"),
                 "--out", str(tmp_path / "s.csv")]) == 2  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--out", "{tmp}/o"], "give the data as --text FILE"),
        (["train", "--text", "{tmp}/a.csv", "--csv", "{tmp}/a.csv", "--out", "{tmp}/o"], "give the data as"),
        (["train", "--text", "{tmp}/a.csv", "--test", "{tmp}/a.csv", "--out", "{tmp}/o"], "--test goes with --csv"),
        (["train", "--csv", "{tmp}/a.csv", "--method", "online", "--out", "{tmp}/o"], "--csv trains with"),
        (
            ["train", "--csv", "{tmp}/a.csv", "--test", "{tmp}/b.csv", "--out", "{tmp}/o"],
            "b.csv line 2: label 'maybe' is not one of ['neg', 'pos']",
        ),
        (["train", "--csv", "{tmp}/c.csv", "--out", "{tmp}/o"], "c.csv line 3: the label is missing"),
    ],
)
def test_csv_training_errors(tmp_path, capsys, args, message):
    (tmp_path / "a.csv").write_text("sequence,label\ngood film,pos\nbad film,neg\n")
    (tmp_path / "b.csv").write_text("sequence,label\nodd film,maybe\n")
    (tmp_path / "c.csv").write_text("sequence,label\ngood film,pos\nbad film,\n")
    capsys.readouterr()
    assert main([a.format(tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cogrnn: error: ") and message in err, err
    assert not (tmp_path / "o").exists()
