"""Word boundaries from prediction error (Elman 1990, Fig. 6): alignment, detection, scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import check_choice, check_int
from ..exceptions import DataError

__all__ = ["align_to_onsets", "detect_boundaries", "segmentation_scores"]


def _as_trace(errors: Any, name: str = "errors") -> np.ndarray:
    arr = np.asarray(errors, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"{name} must be a non-empty 1-D trace; got shape {arr.shape}")
    return arr


def align_to_onsets(errors: Any, onsets: Any, before: int = 2, after: int = 6) -> pd.DataFrame:
    """Mean error at each lag from the word onsets (lag 0 = predicting a word's first letter).

    Parameters
    ----------
    errors : array (T,)
        Per-step error.
    onsets : bool array (T,)
        True where the target is the first letter of a word.
    before, after : int
        Lags ``-before .. after`` around every onset whose window fits in the trace.

    Returns
    -------
    DataFrame with ``lag``, ``error`` (mean over onsets) and ``n`` (onsets used).

    Examples
    --------
    >>> err = np.array([1.0, .5, .2, 1.0, .5, .2])
    >>> align_to_onsets(err, err == 1.0, before=0, after=2)["error"].tolist()
    [1.0, 0.5, 0.2]
    """
    err = _as_trace(errors)
    on = np.asarray(onsets, dtype=bool)
    if on.shape != err.shape:
        raise DataError(f"onsets {on.shape} and errors {err.shape} differ in shape")
    before = check_int("before", before, low=0)
    after = check_int("after", after, low=0)
    idx = np.flatnonzero(on)
    idx = idx[(idx - before >= 0) & (idx + after < err.size)]
    if idx.size == 0:
        raise DataError("no word onset has a full window in the trace")
    lags = np.arange(-before, after + 1)
    windows = err[idx[:, None] + lags[None, :]]
    return pd.DataFrame({"lag": lags, "error": windows.mean(axis=0), "n": idx.size})


def detect_boundaries(errors: Any, method: str = "peak", threshold: float | None = None) -> np.ndarray:
    """Place word boundaries where the prediction error peaks.

    Parameters
    ----------
    errors : array (T,)
    method : {"peak", "rise"}
        ``"peak"``: a local maximum (higher than the step before, not lower than the
        step after); ``"rise"``: any step where the error goes up.
    threshold : float, optional
        Only steps whose error is at least this (default: the median error).

    Returns
    -------
    bool array (T,): True where a boundary (a word onset) is placed.

    Examples
    --------
    >>> detect_boundaries([0.1, 0.9, 0.5, 0.2, 0.8, 0.3]).tolist()
    [False, True, False, False, True, False]
    """
    err = _as_trace(errors)
    check_choice("method", method, ("peak", "rise"))
    level = float(np.median(err)) if threshold is None else float(threshold)
    prev = np.concatenate([[np.inf], err[:-1]])
    nxt = np.concatenate([err[1:], [-np.inf]])
    rises = err > prev
    hits = rises & (err >= nxt) if method == "peak" else rises
    return hits & (err >= level)


def segmentation_scores(predicted: Any, true: Any) -> dict[str, float]:
    """Precision, recall and F1 of predicted word onsets against the true ones.

    ``base_rate`` is the fraction of steps that are true onsets: the precision of
    boundaries placed at random.

    Examples
    --------
    >>> segmentation_scores([True, False, True, False], [True, False, False, True])
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5, 'base_rate': 0.5, 'n_predicted': 2, 'n_true': 2}
    """
    p = np.asarray(predicted, dtype=bool)
    t = np.asarray(true, dtype=bool)
    if p.shape != t.shape or p.ndim != 1:
        raise DataError(f"predicted {p.shape} and true {t.shape} must be 1-D of the same length")
    hits = int((p & t).sum())
    precision = hits / p.sum() if p.sum() else 0.0
    recall = hits / t.sum() if t.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "base_rate": float(t.mean()),
        "n_predicted": int(p.sum()),
        "n_true": int(t.sum()),
    }
