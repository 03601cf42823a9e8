"""The generated review corpus: structure, labels, padding, seeding, and that a gated network learns it."""

from __future__ import annotations

import numpy as np
import pytest

from cogrnn.exceptions import ConfigError, DataError
from cogrnn.tasks.base import SequenceBatch
from cogrnn.tasks.reviews import REVIEW_WORDS, ReviewSentiment


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_structure_and_labels(padding, global_random_seed):
    task = ReviewSentiment(distances=[0, 1, 5], padding=padding)
    batch = task.generate(random_state=global_random_seed, n_streams=60)
    d = batch.descriptors
    vocab = task.vocabulary
    T, B = d["word"].shape
    assert batch.inputs.shape == (T, B, len(vocab)) and batch.targets.shape == (T, B, 2)
    assert set(d["distance"][0]) == {0, 1, 5}
    for b in range(B):
        real = ~d["padding"][:, b]
        steps = np.flatnonzero(real)
        assert steps.size == d["distance"][0, b] + 6 and (np.diff(steps) == 1).all()  # contiguous
        assert steps[-1] == T - 1 if padding == "pre" else steps[0] == 0
        words = list(d["word"][steps, b])
        dist = int(d["distance"][0, b])
        assert words[0] in REVIEW_WORDS["determiner"] and words[1] in REVIEW_WORDS["noun"]
        assert words[2] in REVIEW_WORDS["verb"] and words[-1] == "."
        negated = words[3] in REVIEW_WORDS["negation"]
        assert negated == bool(d["negated"][0, b]) and (negated or words[3] in REVIEW_WORDS["neutral"])
        assert all(w in REVIEW_WORDS["filler"] for w in words[4 : 4 + dist])
        positive = words[4 + dist] in REVIEW_WORDS["positive"]
        assert positive or words[4 + dist] in REVIEW_WORDS["negative"]
        assert d["polarity"][0, b] == ("positive" if positive else "negative")
        assert d["label"][0, b] == int(positive != negated)  # negation flips the polarity
        assert list(d["role"][steps, b]) == ["prefix"] * 3 + ["slot"] + ["filler"] * dist + ["sentiment", "end"]
        assert d["position"][steps, b].tolist() == list(range(steps.size))
        # one scored step, the review's last; localist words; the label at every real step
        assert np.flatnonzero(d["scored"][:, b]).tolist() == [steps[-1]]
        assert [vocab[i] for i in batch.inputs[steps, b].argmax(-1)] == words
        assert (batch.inputs[steps, b].sum(-1) == 1).all() and not batch.inputs[~real, b].any()
        assert (batch.targets[steps, b].argmax(-1) == d["label"][0, b]).all() and not batch.targets[~real, b].any()
    assert task.texts(batch)[0] == " ".join(d["word"][~d["padding"][:, 0], 0])


def test_seeded_and_balanced():
    task = ReviewSentiment(distances=3)
    a, b = task.generate(random_state=5, n_streams=10), task.generate(random_state=5, n_streams=10)
    assert np.array_equal(a.inputs, b.inputs) and task.texts(a) == task.texts(b)
    assert task.texts(task.generate(random_state=6, n_streams=10)) != task.texts(a)
    big = task.generate(random_state=0, n_streams=4000).descriptors
    neg, label = big["negated"][0], big["label"][0]
    # neither the negation nor the sentiment word alone predicts the label
    assert abs(neg.mean() - 0.5) < 0.03 and abs(label[neg].mean() - 0.5) < 0.04 and abs(label[~neg].mean() - 0.5) < 0.04
    pos = big["polarity"][0] == "positive"
    assert abs(label[pos].mean() - 0.5) < 0.04
    assert not ReviewSentiment(p_negated=0.0).generate(random_state=0, n_streams=50).descriptors["negated"].any()
    assert ReviewSentiment(p_negated=1.0).generate(random_state=0, n_streams=50).descriptors["negated"].all()


def test_bad_parameters():
    for bad in ([], [-1], [2, 2], "3", 1.5):
        with pytest.raises(ConfigError, match="distances"):
            ReviewSentiment(distances=bad)
    with pytest.raises(ConfigError, match="p_negated"):
        ReviewSentiment(p_negated=1.5)
    with pytest.raises(ConfigError, match="padding"):
        ReviewSentiment(padding="mid")
    with pytest.raises(ConfigError, match="n_streams"):
        ReviewSentiment().generate(random_state=0, n_streams=0)
    with pytest.raises(DataError, match="texts needs"):
        ReviewSentiment().texts(SequenceBatch(np.zeros((2, 1, 1)), np.zeros((2, 1, 1))))


def test_a_gru_learns_negation_many_to_one():
    """Trained with the loss at the last word only, a small GRU ensemble labels unseen reviews."""
    import cogrnn
    from cogrnn.analysis import evaluate
    from cogrnn.training import Trainer

    task = ReviewSentiment(distances=[0, 2])
    train, test = task.generate(random_state=0, n_streams=400), task.generate(random_state=1, n_streams=200)
    net = cogrnn.make_model("gru", input_size=len(task.vocabulary), hidden_size=8, output_size=2, n_replicas=2,
                            output_activation="softmax", random_state=0)  # fmt: skip
    trainer = Trainer(
        method="bptt", loss="cross_entropy", optimizer="adam", lr=0.02, epochs=15, batch_size=50, quiet=True
    )
    trainer.fit(net, train.inputs, train.targets, mask=train.descriptors["scored"], random_state=0)
    rec = evaluate(net, test.inputs, test.targets, test.descriptors).subset(scored=True)
    correct = rec.outputs.argmax(1) == rec.descriptors["label"].to_numpy()
    accuracy = rec.descriptors.assign(correct=correct).groupby("seed")["correct"].mean()
    assert (accuracy > 0.9).all(), accuracy.to_dict()
