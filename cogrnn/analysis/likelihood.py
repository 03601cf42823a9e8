"""Next-word likelihood vectors from a corpus, and output-vs-target vector comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError

__all__ = ["successor_distributions", "vector_errors"]


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

    Returns
    -------
    ndarray (T, n_classes), rows summing to 1.

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
