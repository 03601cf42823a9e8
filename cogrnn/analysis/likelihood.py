"""Next-word likelihood vectors from a corpus, and output-vs-target vector comparisons.

Elman (1990, p. 199) scores a next-word predictor against the empirical distribution of
the next word given the sentence so far (:func:`sentence_prefixes`,
:func:`successor_distributions`) and against the actual next words;
:func:`likelihood_scores` summarises both comparisons (:func:`vector_errors`) over a stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError

__all__ = ["successor_distributions", "vector_errors", "sentence_prefixes", "likelihood_scores"]


def successor_distributions(contexts: Sequence[Any], successors: Any, n_classes: int) -> np.ndarray:
    """Empirical distribution of the successor given the context, for every step.

    Elman (1990, p. 199) scores the network against such vectors: for each word, the
    probability of every possible next word over all sentences identical up to that point.

    Parameters
    ----------
    contexts : sequence of hashables (T,)
        The context of each step (e.g. the tuple of the sentence's words so far).
    successors : int array (T,)
        The index of what came next.
    n_classes : int
        Number of possible successors (e.g. the vocabulary size); every successor must be in
        ``[0, n_classes)``.

    Returns
    -------
    numpy.ndarray of shape (T, n_classes)
        Row ``t``: the share of each successor over all steps whose context equals step ``t``'s;
        rows sum to 1.

    Examples
    --------
    >>> p = successor_distributions([("a",), ("a",), ("b",)], [0, 1, 1], 2)
    >>> p.tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]
    """
    succ = np.asarray(successors, dtype=np.int64)
    if len(contexts) != succ.size:
        raise DataError(f"{len(contexts)} contexts for {succ.size} successors")
    if succ.size and (succ.min() < 0 or succ.max() >= n_classes):
        raise DataError(f"successors must be in [0, {n_classes})")
    codes, _ = pd.factorize(pd.Series(list(contexts), dtype=object))
    counts = np.zeros((codes.max() + 1 if codes.size else 0, n_classes))
    np.add.at(counts, (codes, succ), 1.0)
    probs = counts / counts.sum(1, keepdims=True)
    return probs[codes]


def vector_errors(outputs: Any, targets: Any) -> pd.DataFrame:
    """Per step: the summed squared error, the length of the error vector, and the cosine.

    ``sse`` (the summed squared error over units) is the reading of Elman's (1990, p. 199)
    "RMS error" that fits both of the paper's numbers (0.053 against likelihood vectors,
    0.88 against actual successors; an all-off output against a one-hot target scores
    1.0). The alternatives are reported beside it: ``error_length`` (its root, the
    length of the error vector) and ``rms_per_unit`` (the root mean over units).

    Parameters
    ----------
    outputs : array-like of shape (T, n_units)
        The network's output vector at each step.
    targets : array-like of shape (T, n_units)
        The vector each output is compared with (e.g. a likelihood vector or the one-hot next word).

    Returns
    -------
    pandas.DataFrame
        One row per step, columns ``sse``, ``error_length``, ``rms_per_unit`` and ``cosine`` (the
        cosine of the angle between output and target; NaN where either is all zeros).

    Examples
    --------
    >>> vector_errors([[0.0, 1.0]], [[0.0, 1.0]])[["sse", "error_length", "cosine"]].values.tolist()
    [[0.0, 0.0, 1.0]]
    >>> vector_errors([[0.6, 0.0]], [[0.0, 1.0]])[["sse", "error_length"]].round(3).values.tolist()
    [[1.36, 1.166]]
    """
    out = np.asarray(outputs, dtype=np.float64)
    tgt = np.asarray(targets, dtype=np.float64)
    if out.shape != tgt.shape or out.ndim != 2:
        raise DataError(f"outputs {out.shape} and targets {tgt.shape} must both be (T, units)")
    diff = out - tgt
    norms = np.linalg.norm(out, axis=1) * np.linalg.norm(tgt, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.where(norms > 0, (out * tgt).sum(1) / np.where(norms > 0, norms, 1.0), np.nan)
    return pd.DataFrame(
        {
            "sse": (diff**2).sum(1),
            "error_length": np.sqrt((diff**2).sum(1)),
            "rms_per_unit": np.sqrt((diff**2).mean(1)),
            "cosine": cosine,
        }
    )


def sentence_prefixes(words: Sequence[Any], positions: Sequence[int]) -> list[tuple[Any, ...]]:
    """The sentence so far at every step of a stream of words (a sentence starts at position 0).

    Parameters
    ----------
    words : sequence (T,)
        The word of each step.
    positions : int sequence (T,)
        Each word's position in its sentence (0 starts a new one).

    Returns
    -------
    list of tuples (T,)
        The words of the current sentence up to and including each step.

    Examples
    --------
    >>> sentence_prefixes(["man", "eat", "cat", "see", "dog"], [0, 1, 0, 1, 2])
    [('man',), ('man', 'eat'), ('cat',), ('cat', 'see'), ('cat', 'see', 'dog')]
    """
    if len(words) != len(positions):
        raise DataError(f"{len(words)} words for {len(positions)} positions")
    prefixes: list[tuple[Any, ...]] = []
    current: tuple[Any, ...] = ()
    for w, p in zip(words, positions):
        current = (w,) if p == 0 else (*current, w)
        prefixes.append(current)
    return prefixes


def likelihood_scores(outputs: Any, contexts: Sequence[Any], successors: Any) -> dict[str, float]:
    """A next-token predictor's outputs against the likelihood vectors and the actual successors.

    The likelihood vector of a step is the empirical distribution of the successor given
    its context over the whole stream (:func:`successor_distributions`); the actual
    successor is one-hot. Each comparison is :func:`vector_errors` averaged over steps.

    Parameters
    ----------
    outputs : array (T, n_classes)
        The predictor's output at every step.
    contexts : sequence of hashables (T,)
        The context of each step (e.g. :func:`sentence_prefixes`).
    successors : int array (T,)
        The index of the token that came next.

    Returns
    -------
    dict of float
        ``sse_vs_likelihood`` and ``sse_vs_likelihood_sd`` (mean and SD over steps of the
        summed squared error against the likelihood vectors), ``sse_vs_successor``,
        ``sse_vs_successor_sd``, ``cosine`` and ``cosine_sd`` (against the likelihood
        vectors), ``length_vs_likelihood`` and ``length_vs_successor`` (mean error vector
        length), ``rms_per_unit_vs_likelihood``. SDs are sample SDs (ddof 1).

    Examples
    --------
    >>> out = [[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]
    >>> s = likelihood_scores(out, [("a",), ("a",), ("b",)], [0, 1, 1])
    >>> s["sse_vs_likelihood"], round(s["cosine"], 6), round(s["sse_vs_successor"], 3)
    (0.0, 1.0, 0.333)
    """
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim != 2:
        raise DataError(f"outputs must be (T, n_classes); got shape {out.shape}")
    succ = np.asarray(successors, dtype=np.int64)
    vs_like = vector_errors(out, successor_distributions(contexts, succ, out.shape[1]))
    vs_succ = vector_errors(out, np.eye(out.shape[1])[succ])
    return {
        "sse_vs_likelihood": float(vs_like["sse"].mean()),
        "sse_vs_likelihood_sd": float(vs_like["sse"].std()),
        "sse_vs_successor": float(vs_succ["sse"].mean()),
        "sse_vs_successor_sd": float(vs_succ["sse"].std()),
        "cosine": float(vs_like["cosine"].mean()),
        "cosine_sd": float(vs_like["cosine"].std()),
        "length_vs_likelihood": float(vs_like["error_length"].mean()),
        "length_vs_successor": float(vs_succ["error_length"].mean()),
        "rms_per_unit_vs_likelihood": float(vs_like["rms_per_unit"].mean()),
    }
