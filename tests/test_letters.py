from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cogrnn.analysis import align_to_onsets, detect_boundaries, segmentation_scores
from cogrnn.analysis.segmentation import (
    aligned_errors,
    boundary_scores,
    onset_contrast,
    onset_contrasts,
    word_predictability,
)
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.tasks import FEATURES, LetterInWord, LetterSequence, elman_letter_code, letter_features, letter_stream


def test_table1_features_are_the_papers():
    f = letter_features()
    assert list(f) == ["b", "d", "g", "a", "i", "u"]
    assert f["d"].tolist() == [1, 0, 1, 1, 0, 1]
    assert f["u"].tolist() == [0, 1, 0, 1, 1, 1]
    assert all(v[-1] == 1 for v in f.values())  # every letter is voiced
    assert len(FEATURES) == 6


def test_letter_sequence_counts_and_rules(global_random_seed):
    task = LetterSequence(n_consonants=300)
    batch = task.generate(random_state=global_random_seed)
    letters = "".join(batch.descriptors["letter"][:, 0])
    # every consonant is followed by its vowels: b->a, d->ii, g->uuu
    assert letters.replace("guuu", "").replace("dii", "").replace("ba", "") == ""
    n_cons = sum(letters.count(c) for c in "bdg")
    assert n_cons == 300
    assert 0.25 < letters.count("b") / n_cons < 0.42  # random b, d, g in about equal numbers
    assert batch.n_steps == len(letters) == letters.count("b") * 2 + letters.count("d") * 3 + letters.count("g") * 4
    # wrap-around: the target of the last letter is the first letter
    np.testing.assert_array_equal(batch.targets[-1, 0], batch.inputs[0, 0])
    np.testing.assert_array_equal(batch.targets[:-1, 0], batch.inputs[1:, 0])
    onsets = batch.descriptors["word_onset"][:, 0]
    assert set(batch.descriptors["target_letter"][onsets, 0]) <= {"b", "d", "g"}


def test_letter_sequence_streams_are_new_randomizations():
    a = LetterSequence(50).generate(1, n_streams=2)
    assert not np.array_equal(a.inputs[:, 0], a.inputs[:, 1])
    np.testing.assert_array_equal(LetterSequence(50).generate(1).inputs, LetterSequence(50).generate(1).inputs)
    with pytest.raises(ConfigError):
        LetterSequence(0)


def test_elman_code_is_alphabet_position_in_binary():
    code = elman_letter_code("abdegy")
    assert code["a"].tolist() == [0, 0, 0, 0, 1]
    assert code["g"].tolist() == [0, 0, 1, 1, 1]
    assert code["y"].tolist() == [1, 1, 0, 0, 1]
    with pytest.raises(DataError):
        elman_letter_code(["ab"])


def test_letter_stream_descriptors_describe_the_target():
    _, _, d = letter_stream(["the", "sea"], elman_letter_code("thesa"), wrap=True)
    assert "".join(d["target_letter"]) == "heseat"
    assert d["word_onset"].tolist() == [False, False, True, False, False, True]
    assert d["position_in_word"].tolist() == [1, 2, 0, 1, 2, 0]
    assert d["word"].tolist() == ["the", "the", "sea", "sea", "sea", "the"]
    with pytest.raises(DataError, match="no code for letter"):
        letter_stream(["zz"], elman_letter_code("a"))


def test_letter_in_word_corpus_matches_the_paper_in_size(global_random_seed):
    task = LetterInWord()
    sentences = task.sentences(global_random_seed)
    lengths = [len(s) for s in sentences]
    assert len(sentences) == 200 and min(lengths) >= 4 and max(lengths) <= 9
    n_words = sum(lengths)
    assert 1150 < n_words < 1400  # paper: 1,270 words
    batch = task.generate(global_random_seed)
    assert 4300 < batch.n_steps < 5600  # paper: 4,963 letters
    assert batch.inputs.shape[2] == 5
    onsets = batch.descriptors["word_onset"][:, 0]
    assert onsets.sum() == n_words  # one onset per word (the first onset is the wrapped target)
    # no breaks: the inputs are only letters
    assert set(batch.descriptors["letter"][:, 0]) <= set("abcdefghijklmnopqrstuvwxyz")


def test_letter_in_word_codes():
    task = LetterInWord(coding="random", code_seed=3)
    code = task.code()
    vecs = {tuple(v) for v in code.values()}
    assert len(vecs) == len(code)  # distinct
    assert task.code()["a"].tolist() == code["a"].tolist()  # same code every time
    frag = LetterInWord().spell("a boy")
    assert "".join(frag.descriptors["target_letter"][:, 0]) == "boy"
    with pytest.raises(ConfigError, match="coding"):
        LetterInWord(coding="onehot")


def test_align_detect_and_score_known_answers():
    err = np.array([0.2, 1.0, 0.6, 0.3, 0.9, 0.4, 0.2, 1.2, 0.5])
    onsets = np.array([False, True, False, False, True, False, False, True, False])
    aligned = align_to_onsets(err, onsets, before=1, after=1)
    assert aligned["lag"].tolist() == [-1, 0, 1]
    np.testing.assert_allclose(aligned["error"], [(0.2 + 0.3 + 0.2) / 3, (1.0 + 0.9 + 1.2) / 3, 0.5])
    found = detect_boundaries(err)
    np.testing.assert_array_equal(found, onsets)
    scores = segmentation_scores(found, onsets)
    assert scores["precision"] == scores["recall"] == scores["f1"] == 1.0
    assert scores["base_rate"] == pytest.approx(3 / 9)
    assert detect_boundaries(err, method="rise", threshold=0.0).sum() == 3
    with pytest.raises(DataError):
        align_to_onsets(err, onsets[:-1])
    with pytest.raises(DataError):
        detect_boundaries([])
    with pytest.raises(ConfigError):
        detect_boundaries(err, method="valley")


def test_per_replica_segmentation_tables_equal_the_single_trace_functions():
    err = np.array([0.2, 1.0, 0.6, 0.3, 0.9, 0.4, 0.2, 1.2, 0.5])
    onsets = np.array([False, True, False, False, True, False, False, True, False])
    df = pd.DataFrame({"seed": np.repeat([0, 1], 9), "t": np.tile(np.arange(9), 2),
                       "sq_error": np.r_[err, err[::-1]], "word_onset": np.r_[onsets, onsets[::-1]]})  # fmt: skip
    shuffled = df.sample(frac=1, random_state=0)  # each replica is ordered by its steps
    contrast = onset_contrasts(shuffled)
    assert contrast.columns.tolist() == ["seed", "onset", "within", "ratio", "p"]
    assert contrast.iloc[0, 1:].tolist() == pytest.approx(list(onset_contrast(err, onsets).values()))
    assert contrast["ratio"].iloc[0] == pytest.approx((3.1 / 3) / (2.2 / 6))
    scores = boundary_scores(shuffled)
    assert scores["seed"].tolist() == [0, 1] and scores["precision"].iloc[0] == 1.0
    assert scores.iloc[1, 1:].to_dict() == segmentation_scores(detect_boundaries(err[::-1]), onsets[::-1])
    aligned = aligned_errors(shuffled, before=1, after=1)
    pd.testing.assert_frame_equal(
        aligned[aligned.seed == 0].drop(columns="seed").reset_index(drop=True), align_to_onsets(err, onsets, 1, 1)
    )
    with pytest.raises(DataError, match="both onset and within-word"):
        onset_contrast(err, np.ones(9, dtype=bool))
    with pytest.raises(DataError):
        onset_contrasts(df.drop(columns="word_onset"))


def test_word_predictability_from_bigram_counts():
    p = word_predictability(["the", "boy", "the", "girl", "the", "boy"])
    # P(boy | the) = 2/3 at both boy tokens; P(girl | the) = 1/3; P(the | boy) = P(the | girl) = 1
    assert p.to_dict() == pytest.approx({"boy": 2 / 3, "girl": 1 / 3, "the": 1.0})
