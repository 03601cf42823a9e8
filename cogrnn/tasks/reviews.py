"""A generated movie-review corpus for sentiment classification with negation at a controlled distance.

The classic LSTM sentiment demo trains on the IMDB reviews (Maas et al. 2011), which a
machine without network access cannot download. :class:`ReviewSentiment` generates short
reviews instead, built so that the label needs a memory of known length: whether a
sentiment word is negated is shown ``distance`` words before it, e.g.
``the movie was not really very good .`` (negative, distance 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._docs import fill_doc
from ..config import check_choice, check_float, check_int
from ..exceptions import ConfigError, DataError
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task

__all__ = ["ReviewSentiment", "REVIEW_WORDS"]

#: the words of the generated reviews, by role
REVIEW_WORDS: dict[str, tuple[str, ...]] = {
    "determiner": ("the", "this"),
    "noun": ("movie", "film", "plot", "acting", "script", "ending", "cast", "soundtrack"),
    "verb": ("was", "is"),
    "negation": ("not", "never"),
    "neutral": ("so", "just", "truly"),
    "filler": ("really", "very", "quite", "entirely", "particularly", "overall", "that", "especially"),
    "positive": ("good", "great", "fun", "moving", "brilliant", "enjoyable"),
    "negative": ("bad", "dull", "boring", "awful", "weak", "tedious"),
    "end": (".",),
}

LABELS = ("negative", "positive")


class ReviewSentiment(Task):
    """Short generated movie reviews, positive or negative, negation ``distance`` words before the sentiment word.

    Every review reads ``<the|this> <noun> <verb> <slot> <filler x distance> <sentiment> .``.
    The slot holds a negation (``not``, ``never``) with probability ``p_negated``, else a
    neutral word (``so``, ``just``, ``truly``), so negated and plain reviews have the same
    length; the fillers (``really``, ``very``, ...) are drawn independently and carry no
    information. The label is the sentiment word's polarity, flipped when negated: it can
    be read only at the end, from a memory of the slot held over ``distance`` fillers and
    the sentiment word. Words are coded localist (one input per word of
    :attr:`vocabulary`); reviews of different lengths are padded with all-zero steps,
    before the review (``padding="pre"``, as Keras's ``pad_sequences``) or after it.

    Parameters
    ----------
    distances : int or sequence of int, default (0, 2, 4, 8)
        Number of filler words between the slot and the sentiment word (0: ``not good``);
        each review draws one uniformly.
    p_negated : float in [0, 1], default 0.5
        Probability that the slot holds a negation.
    padding : {"pre", "post"}, default "pre"
        Where shorter reviews are padded.

    Attributes
    ----------
    vocabulary : tuple of str
        The words, in the order of the input units.

    Notes
    -----
    Targets are the one-hot label (``negative``, ``positive``) at every step of a review
    (zeros at padding); train many-to-one with the loss at the last word only:
    ``Trainer(...).fit(net, batch.inputs, batch.targets, mask=batch.descriptors["scored"])``.
    Descriptors, arrays (T, B): ``word`` ("" at padding), ``role`` (``prefix``, ``slot``,
    ``filler``, ``sentiment``, ``end``, ``pad``), ``position`` (index of the word in the
    review, -1 at padding), ``distance``, ``negated``, ``polarity`` (of the sentiment word),
    ``label`` (0 negative, 1 positive), ``scored`` (True at the review's last word) and
    ``padding``.

    Examples
    --------
    >>> task = ReviewSentiment(distances=[0, 3])
    >>> batch = task.generate(random_state=0, n_streams=4)
    >>> batch.inputs.shape[1:], batch.targets.shape[2]
    ((4, 38), 2)
    >>> task.texts(batch)[0]
    'this movie was not that overall especially moving .'
    >>> int(batch.descriptors["label"][-1, 0]), int(batch.descriptors["scored"].sum())
    (0, 4)
    """

    name = "review-sentiment"
    reference = Reference(
        "Maas, A. L., Daly, R. E., Pham, P. T., Huang, D., Ng, A. Y. & Potts, C.",
        2011,
        "Learning word vectors for sentiment analysis",
        "Proceedings of the 49th Annual Meeting of the Association for Computational Linguistics, 142-150",
    )

    def __init__(
        self, distances: int | Sequence[int] = (0, 2, 4, 8), p_negated: float = 0.5, padding: str = "pre"
    ) -> None:
        values = [distances] if isinstance(distances, (int, np.integer)) else distances
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) or len(values) == 0:
            raise ConfigError(f"distances must be an int or a non-empty sequence of ints; got {distances!r}")
        checked = [check_int(f"distances[{i}]", d, low=0) for i, d in enumerate(values)]
        if len(set(checked)) != len(checked):
            raise ConfigError(f"distances must not repeat a value; got {checked}")
        self.distances = tuple(checked)
        self.p_negated = check_float("p_negated", p_negated, low=0.0, high=1.0)
        self.padding = check_choice("padding", padding, ("pre", "post"))

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The words, in the order of the input units (a word may serve several roles once)."""
        return tuple(dict.fromkeys(w for words in REVIEW_WORDS.values() for w in words))

    def _review(self, rng: np.random.Generator) -> dict[str, Any]:
        """One review: its words, their roles, and the review's labels."""
        W = REVIEW_WORDS
        distance = self.distances[int(rng.integers(len(self.distances)))]
        negated = bool(rng.random() < self.p_negated)
        positive = bool(rng.random() < 0.5)
        words = [str(rng.choice(W[k])) for k in ("determiner", "noun", "verb")]
        words.append(str(rng.choice(W["negation" if negated else "neutral"])))
        words += [str(w) for w in rng.choice(W["filler"], size=distance)]
        words += [str(rng.choice(W["positive" if positive else "negative"])), "."]
        roles = ["prefix"] * 3 + ["slot"] + ["filler"] * distance + ["sentiment", "end"]
        label = int(positive != negated)
        return {"words": words, "roles": roles, "distance": distance, "negated": negated, "positive": positive,
                "label": label}  # fmt: skip

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` reviews, one per sequence, padded to the longest.

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s
            Here: the number of reviews.

        Returns
        -------
        %(returns_batch)s
        """
        n = check_int("n_streams", n_streams, low=1)
        rng = check_random_state(random_state)
        reviews = [self._review(rng) for _ in range(n)]
        T = max(len(r["words"]) for r in reviews)
        vocab = {w: i for i, w in enumerate(self.vocabulary)}
        inputs, targets = np.zeros((T, n, len(vocab))), np.zeros((T, n, len(LABELS)))
        desc: dict[str, np.ndarray] = {
            "word": np.full((T, n), "", dtype=object), "role": np.full((T, n), "pad", dtype=object),
            "position": np.full((T, n), -1), "distance": np.zeros((T, n), dtype=int),
            "negated": np.zeros((T, n), dtype=bool), "polarity": np.full((T, n), "", dtype=object),
            "label": np.zeros((T, n), dtype=int), "scored": np.zeros((T, n), dtype=bool),
            "padding": np.ones((T, n), dtype=bool),
        }  # fmt: skip
        for b, r in enumerate(reviews):
            L = len(r["words"])
            steps = np.arange(T - L, T) if self.padding == "pre" else np.arange(L)
            inputs[steps, b, [vocab[w] for w in r["words"]]] = 1.0
            targets[steps, b, r["label"]] = 1.0
            desc["word"][steps, b] = r["words"]
            desc["role"][steps, b] = r["roles"]
            desc["position"][steps, b] = np.arange(L)
            desc["padding"][steps, b] = False
            desc["scored"][steps[-1], b] = True
            desc["distance"][:, b] = r["distance"]
            desc["negated"][:, b] = r["negated"]
            desc["polarity"][:, b] = LABELS[int(r["positive"])]
            desc["label"][:, b] = r["label"]
        return SequenceBatch(inputs, targets, desc)

    def texts(self, batch: SequenceBatch) -> list[str]:
        """The reviews of a batch of this task as text, one string per sequence.

        Parameters
        ----------
        batch : SequenceBatch
            A batch made by :meth:`generate`.

        Returns
        -------
        list of str
            The words of each review joined by spaces (padding left out).

        Examples
        --------
        >>> task = ReviewSentiment(distances=1)
        >>> task.texts(task.generate(random_state=1, n_streams=2))
        ['the film is truly very dull .', 'the acting is never really bad .']
        """
        if (
            not isinstance(batch, SequenceBatch)
            or "word" not in batch.descriptors
            or "padding" not in batch.descriptors
        ):
            raise DataError("texts needs a batch made by ReviewSentiment.generate (descriptors word and padding)")
        words, pad = batch.descriptors["word"], batch.descriptors["padding"]
        return [" ".join(str(w) for w in words[~pad[:, b], b]) for b in range(words.shape[1])]
