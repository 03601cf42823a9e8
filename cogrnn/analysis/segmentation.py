"""Word boundaries from prediction error (Elman 1990, Fig. 6): alignment, detection, scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import check_choice, check_int
from ..exceptions import DataError
from ..io import check_columns

__all__ = [
    "align_to_onsets",
    "detect_boundaries",
    "segmentation_scores",
    "word_error_profiles",
    "onset_contrast",
    "onset_contrasts",
    "boundary_scores",
    "aligned_errors",
    "word_predictability",
]


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
    pandas.DataFrame
        Columns ``lag``, ``error`` (mean over onsets) and ``n`` (onsets used).

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
        Per-step error.
    method : {"peak", "rise"}
        ``"peak"``: a local maximum (higher than the step before, not lower than the
        step after); ``"rise"``: any step where the error goes up.
    threshold : float, optional
        Only steps whose error is at least this (default: the median error).

    Returns
    -------
    numpy.ndarray of bool, shape (T,)
        True where a boundary (a word onset) is placed.

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

    Parameters
    ----------
    predicted, true : bool array (T,)
        Predicted and true word onsets.

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``base_rate``, ``n_predicted`` and ``n_true``.

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


def word_error_profiles(
    df: pd.DataFrame,
    by: str | list[str] = "word",
    position: str = "position_in_word",
    value: str = "sq_error",
    min_length: int = 3,
) -> pd.DataFrame:
    """How the error runs through each word: the rules a per-word error profile can pass.

    The error at each letter position is averaged over the rows of a group (a word type
    over its tokens, or one token when ``by`` names a token id), then each profile of at
    least ``min_length`` letters is checked against two readings of Elman's (1990, p. 192)
    "at the onset of each new word, the error is high. As more of the word is received the
    error declines":

    * ``onset_falls``: the error at the first letter is above the mean of the later
      letters **and** the least-squares slope of error on position is negative (a
      falling trend across the word);
    * ``strict_123``: the error falls strictly from letter 1 to 2 to 3.

    The paper's own Fig. 6 passes the first in every word and fails the second in "and"
    and "sea" (``data/elman1990_fig6_word_error.csv``).

    Parameters
    ----------
    df : DataFrame
        One row per predicted letter, with the ``by`` column(s), ``position`` (0 at a
        word's first letter) and ``value``.
    by : str or list of str, default "word"
        Columns that define one profile (e.g. ``["seed", "word"]``).
    position, value : str
        Names of the letter-position and error columns.
    min_length : int, default 3
        Profiles with fewer letters (positions) are left out.

    Returns
    -------
    pandas.DataFrame
        One row per profile: the ``by`` columns, ``n_letters``, ``onset``, ``later_mean``, ``slope``,
        ``onset_above_later``, ``falling``, ``onset_falls`` and ``strict_123``.

    Examples
    --------
    >>> df = pd.DataFrame({"word": list("aaabbb"), "position_in_word": [0, 1, 2] * 2,
    ...                    "sq_error": [2.2, 1.3, 1.5, 2.0, 1.0, 0.5]})
    >>> word_error_profiles(df)[["word", "onset_falls", "strict_123"]].values.tolist()
    [['a', True, False], ['b', True, True]]
    """
    keys = [by] if isinstance(by, str) else list(by)
    check_columns(df, [*keys, position, value], what="df")
    min_length = check_int("min_length", min_length, low=3)
    means = df.groupby([*keys, position], observed=True)[value].mean()
    rows = []
    for key, profile in means.groupby(level=list(range(len(keys))), observed=True):
        e = profile.droplevel(list(range(len(keys)))).sort_index()
        if len(e) < min_length:
            continue
        pos = e.index.to_numpy(dtype=np.float64)
        err = e.to_numpy(dtype=np.float64)
        slope = float(np.polyfit(pos, err, 1)[0])
        onset, later = float(err[0]), float(err[1:].mean())
        rows.append(
            {
                **dict(zip(keys, key if isinstance(key, tuple) else (key,))),
                "n_letters": len(err),
                "onset": onset,
                "later_mean": later,
                "slope": slope,
                "onset_above_later": onset > later,
                "falling": slope < 0,
                "onset_falls": onset > later and slope < 0,
                "strict_123": bool(err[0] > err[1] > err[2]),
            }
        )
    columns = [*keys, "n_letters", "onset", "later_mean", "slope", "onset_above_later", "falling",
               "onset_falls", "strict_123"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def onset_contrast(errors: Any, onsets: Any) -> dict[str, float]:
    """How much higher the error is at word onsets than within words.

    Parameters
    ----------
    errors : array (T,)
        Per-step error.
    onsets : bool array (T,)
        True where the target is the first letter of a word.

    Returns
    -------
    dict
        Keys ``onset`` and ``within`` (mean error at onsets and elsewhere), ``ratio`` (``onset / within``)
        and ``p`` (one-sided Mann-Whitney U test, onsets greater).

    Examples
    --------
    >>> c = onset_contrast([2.0, 0.5, 0.4, 1.8, 0.3], [True, False, False, True, False])
    >>> round(c["ratio"], 2), round(c["within"], 2)
    (4.75, 0.4)
    """
    err = _as_trace(errors)
    on = np.asarray(onsets, dtype=bool)
    if on.shape != err.shape:
        raise DataError(f"onsets {on.shape} and errors {err.shape} differ in shape")
    if on.all() or not on.any():
        raise DataError("onset_contrast needs both onset and within-word steps")
    ratio = float(err[on].mean() / err[~on].mean())
    from scipy import stats  # here: importing scipy.stats costs a run that never calls this about 0.5 s

    p = float(stats.mannwhitneyu(err[on], err[~on], alternative="greater").pvalue)
    return {"onset": float(err[on].mean()), "within": float(err[~on].mean()), "ratio": ratio, "p": p}


def _per_replica(df: pd.DataFrame, by: str, step: str, value: str, onset: str) -> Any:
    check_columns(df, [by, step, value, onset], what="df")
    for key, g in df.sort_values([by, step]).groupby(by, sort=True):
        yield key, g[value].to_numpy(dtype=np.float64), g[onset].to_numpy(dtype=bool)


def onset_contrasts(
    df: pd.DataFrame, *, by: str = "seed", step: str = "t", value: str = "sq_error", onset: str = "word_onset"
) -> pd.DataFrame:
    """:func:`onset_contrast` of every replica's trace (ordered by ``step``).

    Parameters
    ----------
    df : DataFrame
        One row per replica and step, with ``by``, ``step``, ``value`` and the boolean ``onset``.
    by, step, value, onset : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per replica: ``by``, ``onset``, ``within``, ``ratio`` and ``p``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": range(4), "sq_error": [2.0, 0.5, 1.0, 0.5],
    ...                    "word_onset": [True, False, True, False]})
    >>> onset_contrasts(df)["ratio"].tolist()
    [3.0]
    """
    rows = [{by: key, **onset_contrast(err, on)} for key, err, on in _per_replica(df, by, step, value, onset)]
    return pd.DataFrame(rows, columns=[by, "onset", "within", "ratio", "p"])


def boundary_scores(
    df: pd.DataFrame,
    *,
    by: str = "seed",
    step: str = "t",
    value: str = "sq_error",
    onset: str = "word_onset",
    method: str = "peak",
) -> pd.DataFrame:
    """Boundaries placed at error peaks (:func:`detect_boundaries`), scored against the true onsets, per replica.

    Parameters
    ----------
    df : DataFrame
        The table of traces, as in :func:`onset_contrasts`.
    by, step, value, onset : str
        Its column names, as in :func:`onset_contrasts`.
    method : {"peak", "rise"}, default "peak"
        Passed to :func:`detect_boundaries` (with its default threshold, the median error).

    Returns
    -------
    pandas.DataFrame
        One row per replica: ``by`` and the :func:`segmentation_scores`.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": range(6), "sq_error": [0.1, 0.9, 0.5, 0.2, 0.8, 0.3],
    ...                    "word_onset": [False, True, False, False, True, False]})
    >>> boundary_scores(df)[["precision", "recall"]].values.tolist()
    [[1.0, 1.0]]
    """
    rows = [
        {by: key, **segmentation_scores(detect_boundaries(err, method=method), on)}
        for key, err, on in _per_replica(df, by, step, value, onset)
    ]
    return pd.DataFrame(rows)


def aligned_errors(
    df: pd.DataFrame,
    before: int = 2,
    after: int = 6,
    *,
    by: str = "seed",
    step: str = "t",
    value: str = "sq_error",
    onset: str = "word_onset",
) -> pd.DataFrame:
    """:func:`align_to_onsets` of every replica's trace (ordered by ``step``).

    Parameters
    ----------
    df : DataFrame
        The table of traces, as in :func:`onset_contrasts`.
    before, after : int
        Lags ``-before .. after`` around every onset.
    by, step, value, onset : str
        Its column names, as in :func:`onset_contrasts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``lag``, ``error``, ``n`` and ``by``: one row per replica and lag.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": range(6), "sq_error": [1.0, .5, .2, 1.0, .5, .2],
    ...                    "word_onset": [True, False, False, True, False, False]})
    >>> aligned_errors(df, before=0, after=2)["error"].tolist()
    [1.0, 0.5, 0.2]
    """
    frames = [
        align_to_onsets(err, on, before=before, after=after).assign(**{by: key})
        for key, err, on in _per_replica(df, by, step, value, onset)
    ]
    return pd.concat(frames, ignore_index=True)


def word_predictability(words: Any) -> pd.Series:
    """How predictable each word is from the word before it, in one stream of word tokens.

    P(word | previous word) is estimated from the bigram counts of the stream itself;
    the value of a word type is its mean over the word's tokens (the first token, having
    no previous word, is left out). Near 1 where the stream makes a word's onset predictable.

    Parameters
    ----------
    words : sequence of str
        The word tokens in order.

    Returns
    -------
    pandas.Series
        Indexed by word type, named ``p``.

    Examples
    --------
    >>> word_predictability(["years", "ago", "a", "boy", "years", "ago"]).round(2).to_dict()
    {'a': 1.0, 'ago': 1.0, 'boy': 1.0, 'years': 1.0}
    """
    tokens = pd.Series(np.asarray(words, dtype=object))
    pairs = pd.DataFrame({"prev": tokens.shift(1), "word": tokens}).dropna()
    p = pairs.groupby("prev")["word"].value_counts(normalize=True).rename("p").reset_index()
    return pairs.merge(p, on=["prev", "word"]).groupby("word")["p"].mean().rename("p")
