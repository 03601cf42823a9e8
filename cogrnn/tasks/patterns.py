"""Pattern sets and cues for associative memories (Hopfield networks)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._docs import fill_doc
from ..config import check_float, check_int
from ..exceptions import DataError
from ..random import RandomState, check_random_state

__all__ = ["random_patterns", "correlated_patterns", "corrupt", "partial_cue"]


@fill_doc
def random_patterns(
    n_patterns: int, n_units: int, random_state: RandomState | None = None, binary: bool = False
) -> np.ndarray:
    """``n_patterns`` random patterns of ``n_units`` unbiased units: +-1 (or 0/1 with ``binary``).

    Parameters
    ----------
    n_patterns : int
        Number of patterns.
    n_units : int
        Units per pattern.
    %(random_state)s
    binary : bool, optional
        If True, units are 0/1 instead of -1/+1.

    Returns
    -------
    numpy.ndarray
        Array (n_patterns, n_units), float32.

    Examples
    --------
    >>> random_patterns(3, 4, random_state=0).shape
    (3, 4)
    """
    n_patterns = check_int("n_patterns", n_patterns, low=1)
    n_units = check_int("n_units", n_units, low=1)
    bits = check_random_state(random_state).integers(0, 2, size=(n_patterns, n_units))
    return bits.astype(np.float32) if binary else (2 * bits - 1).astype(np.float32)


@fill_doc
def correlated_patterns(
    n_patterns: int, n_units: int, correlation: float, random_state: RandomState | None = None
) -> np.ndarray:
    """+-1 patterns around a common random prototype: each unit agrees with it with probability ``(1 + c) / 2``.

    Two patterns then have an expected overlap of ``c**2``.

    Parameters
    ----------
    n_patterns : int
        Number of patterns.
    n_units : int
        Units per pattern.
    correlation : float
        Agreement ``c`` with the prototype, between 0 (independent) and 1 (all equal).
    %(random_state)s

    Returns
    -------
    numpy.ndarray
        Array (n_patterns, n_units) of -1/+1, float32.

    Examples
    --------
    >>> p = correlated_patterns(200, 500, 0.8, random_state=0)
    >>> 0.55 < float((p[0] * p[1]).mean()) < 0.75
    True
    """
    c = check_float("correlation", correlation, low=0.0, high=1.0)
    rng = check_random_state(random_state)
    proto = 2 * rng.integers(0, 2, size=n_units) - 1
    agree = rng.random((check_int("n_patterns", n_patterns, low=1), n_units)) < (1 + c) / 2
    return np.where(agree, proto, -proto).astype(np.float32)


@fill_doc
def corrupt(patterns: Any, flip_fraction: float, random_state: RandomState | None = None) -> np.ndarray:
    """Flip exactly ``round(flip_fraction * N)`` randomly chosen units of every pattern.

    Works on +-1 and 0/1 patterns (a flip is ``-x`` or ``1 - x``).

    Parameters
    ----------
    patterns : array-like
        Patterns, units on the last axis (+-1 or 0/1).
    flip_fraction : float
        Fraction of the units flipped, between 0 and 1.
    %(random_state)s

    Returns
    -------
    numpy.ndarray
        Corrupted copy, same shape, float32.

    Examples
    --------
    >>> p = np.ones((2, 10), dtype=np.float32)
    >>> (corrupt(p, 0.3, random_state=0) == -1).sum(axis=1).tolist()
    [3, 3]
    """
    p = np.asarray(patterns, dtype=np.float32)
    f = check_float("flip_fraction", flip_fraction, low=0.0, high=1.0)
    if p.ndim < 1 or p.shape[-1] == 0:
        raise DataError(f"patterns must have units on the last axis; got shape {p.shape}")
    if not bool(np.isin(p, (-1.0, 0.0, 1.0)).all()):
        raise DataError("corrupt needs +-1 or 0/1 patterns")
    binary = bool((p == 0).any()) and not bool((p == -1).any())  # all-ones counts as +-1
    rng = check_random_state(random_state)
    N = p.shape[-1]
    k = round(f * N)
    flat = p.reshape(-1, N).copy()
    for row in flat:
        idx = rng.choice(N, size=k, replace=False)
        row[idx] = 1 - row[idx] if binary else -row[idx]
    return flat.reshape(p.shape)


@fill_doc
def partial_cue(patterns: Any, unknown_fraction: float, random_state: RandomState | None = None) -> np.ndarray:
    """Set ``round(unknown_fraction * N)`` random units of every +-1 pattern to 0 ("unknown").

    Parameters
    ----------
    patterns : array-like
        +-1 patterns, units on the last axis.
    unknown_fraction : float
        Fraction of the units set to 0, between 0 and 1.
    %(random_state)s

    Returns
    -------
    numpy.ndarray
        The cues, same shape, float32.

    Examples
    --------
    >>> (partial_cue(np.ones((1, 10)), 0.5, random_state=0) == 0).sum()
    np.int64(5)
    """
    p = np.asarray(patterns, dtype=np.float32)
    f = check_float("unknown_fraction", unknown_fraction, low=0.0, high=1.0)
    if not bool(np.isin(p, (-1.0, 1.0)).all()):
        raise DataError("partial_cue needs +-1 patterns (0 marks an unknown unit)")
    rng = check_random_state(random_state)
    N = p.shape[-1]
    flat = p.reshape(-1, N).copy()
    for row in flat:
        row[rng.choice(N, size=round(f * N), replace=False)] = 0.0
    return flat.reshape(p.shape)
