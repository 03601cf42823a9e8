"""Recall in associative memories: overlaps, success, capacity and basin estimates, end states."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..config import check_float, check_int
from ..exceptions import DataError
from ..io import check_columns
from ..random import RandomState
from .stats import pooled_rates

__all__ = [
    "overlap",
    "recall_success",
    "threshold_crossing",
    "capacity_estimate",
    "basin_size",
    "classify_end_states",
    "recall_outcomes",
    "energy_monotone",
    "nearest_memory_reached",
    "outcome_shares",
]


def _pair(states: Any, patterns: Any) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(states, dtype=np.float64)
    p = np.asarray(patterns, dtype=np.float64)
    if s.shape != p.shape:
        raise DataError(f"states {s.shape} and patterns {p.shape} must have the same shape")
    return s, p


def overlap(states: Any, patterns: Any) -> np.ndarray:
    """Overlap ``m = (1/N) sum_i s_i xi_i`` of +-1 states with their patterns (last axis = units).

    Parameters
    ----------
    states, patterns : array-like (..., N)
        +-1 states and the patterns they are compared with, of the same shape.

    Returns
    -------
    numpy.ndarray
        The overlaps, shape ``(...)``.

    Examples
    --------
    >>> overlap([[1, 1, -1, -1]], [[1, 1, 1, -1]]).tolist()
    [0.5]
    """
    s, p = _pair(states, patterns)
    return (s * p).mean(-1)


def recall_success(states: Any, patterns: Any, max_errors: int = 0) -> np.ndarray:
    """True where a state differs from its pattern in at most ``max_errors`` units.

    Units are compared exactly (float64 copies of -1/0/1 values), so the count of errors
    is exact.

    Parameters
    ----------
    states, patterns : array-like (..., N)
        States and the patterns they should equal, of the same shape.
    max_errors : int
        Largest number of wrong units still counted as a success.

    Returns
    -------
    numpy.ndarray
        Booleans, shape ``(...)``.

    Examples
    --------
    >>> recall_success([[1, 1], [1, -1]], [[1, 1], [1, 1]]).tolist()
    [True, False]
    """
    s, p = _pair(states, patterns)
    return (s != p).sum(-1) <= max_errors


def threshold_crossing(x: Any, y: Any, level: float = 0.5) -> float:
    """The first ``x`` at which a (mostly decreasing) curve ``y(x)`` falls below ``level``.

    Linear interpolation between the last point at or above ``level`` and the first below;
    ``x[0]`` if the curve starts below, ``inf`` if it never falls below. In float64; a
    value exactly at ``level`` counts as not below (a rate of 1/2 has not yet fallen).

    Parameters
    ----------
    x, y : array-like (n,)
        The curve (sorted by ``x`` here).
    level : float
        The level.

    Returns
    -------
    float
        The interpolated crossing.

    Examples
    --------
    >>> threshold_crossing([0.1, 0.2, 0.3], [1.0, 0.8, 0.2], level=0.5)
    0.25
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1 or xs.size == 0:
        raise DataError(f"x and y must be 1-D of the same length; got {xs.shape} and {ys.shape}")
    order = np.argsort(xs)
    xs, ys = xs[order], ys[order]
    level = check_float("level", level)
    below = np.flatnonzero(ys < level)
    if below.size == 0:
        return float("inf")
    k = int(below[0])
    if k == 0:
        return float(xs[0])
    x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
    return float(x0 + (y0 - level) * (x1 - x0) / (y0 - y1))


def capacity_estimate(loads: Any, exact_fraction: Any, level: float = 0.5) -> float:
    """Load p/N at which the fraction of exactly recalled patterns falls below ``level`` (1/2).

    Parameters
    ----------
    loads, exact_fraction : array-like (n,)
        Loads and the fraction of patterns recalled exactly at each.
    level : float
        The level.

    Returns
    -------
    float
        The capacity as a load (:func:`threshold_crossing`).

    Examples
    --------
    >>> capacity_estimate([0.05, 0.1, 0.15, 0.2], [1.0, 0.9, 0.6, 0.1])
    0.16
    """
    return threshold_crossing(loads, exact_fraction, level)


def basin_size(flip_fractions: Any, success: Any, level: float = 0.5) -> float:
    """Largest cue corruption (fraction of flipped units) still recalled with probability ``level``.

    Parameters
    ----------
    flip_fractions, success : array-like (n,)
        Fractions of flipped cue units and the recall rate at each.
    level : float
        The level.

    Returns
    -------
    float
        The basin size as a fraction of units (:func:`threshold_crossing`).

    Examples
    --------
    >>> basin_size([0.0, 0.1, 0.2, 0.3], [1.0, 1.0, 0.7, 0.3])
    0.25
    """
    return threshold_crossing(flip_fractions, success, level)


def classify_end_states(states: Any, patterns: Any, near: float = 0.8, near_bits: int | None = None) -> pd.DataFrame:
    """Classify final states ``(C, N)`` against stored patterns ``(P, N)`` (+-1).

    ``outcome`` is ``"memory"`` (a stored pattern exactly), ``"complement"`` (an inverted
    pattern exactly), ``"near"`` (overlap with some pattern or complement >= ``near``, or,
    with ``near_bits``, at most ``near_bits`` units from one), ``"mixture"`` (overlaps
    with 3 or more patterns all >= 0.3 in absolute value: a mixture state) or
    ``"other"``; also the largest absolute overlap and ``hamming``, the number of units
    in which the state differs from the nearest pattern or complement. Counts are exact
    (float64 sums of +-1 values).

    Parameters
    ----------
    states : array-like (C, N)
        Final states, +-1.
    patterns : array-like (P, N)
        Stored patterns, +-1.
    near : float
        Smallest overlap of a "near" state (without ``near_bits``).
    near_bits : int, optional
        Largest Hamming distance of a "near" state (replaces ``near``).

    Returns
    -------
    pandas.DataFrame
        One row per state: ``outcome``, ``max_abs_overlap`` and ``hamming``.

    Examples
    --------
    >>> pats = np.array([[1, 1, 1, 1], [1, -1, 1, -1]])
    >>> classify_end_states([[-1, -1, -1, -1], [1, -1, 1, -1]], pats)["outcome"].tolist()
    ['complement', 'memory']
    >>> classify_end_states([[1, 1, 1, -1]], pats, near_bits=1)[["outcome", "hamming"]].values.tolist()
    [['near', 1]]
    """
    s = np.asarray(states, dtype=np.float64)
    p = np.asarray(patterns, dtype=np.float64)
    if s.ndim != 2 or p.ndim != 2 or s.shape[1] != p.shape[1]:
        raise DataError(f"need states (C, N) and patterns (P, N); got {s.shape} and {p.shape}")
    if not (np.isin(s, (-1.0, 1.0)).all() and np.isin(p, (-1.0, 1.0)).all()):
        raise DataError("classify_end_states needs +-1 states and patterns (convert 0/1 with 2 x - 1)")
    N = s.shape[1]
    dots = s @ p.T  # exact integers
    m = dots / N  # (C, P)
    best = np.abs(m).max(1)
    hamming = ((N - np.abs(dots).max(1)) / 2).astype(np.int64)
    outcome = np.full(s.shape[0], "other", dtype=object)
    outcome[(np.abs(m) >= 0.3).sum(1) >= 3] = "mixture"
    outcome[(best >= near) if near_bits is None else (hamming <= check_int("near_bits", near_bits, low=0))] = "near"
    outcome[(dots == -N).any(1)] = "complement"
    outcome[(dots == N).any(1)] = "memory"
    return pd.DataFrame({"outcome": outcome.astype(str), "max_abs_overlap": best, "hamming": hamming})


def recall_outcomes(states: Any, targets: Any, binary: bool = False) -> pd.DataFrame:
    """Score final states against their targets: overlap, exact recall and the number of wrong units.

    Parameters
    ----------
    states, targets : array-like (..., N)
        Final states and the patterns they should have reached, of the same shape, in
        +-1 units (or 0/1 units with ``binary=True``); the leading axes are flattened
        in C order, one row per state.
    binary : bool
        The units are 0/1; the overlap is then computed on 2 s - 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``overlap`` (m = mean of s_i xi_i over the +-1 units), ``exact`` (no
        wrong unit) and ``n_errors`` (the number of wrong units). Counts and overlaps
        are exact (float64 sums of small integers).

    Examples
    --------
    >>> recall_outcomes([[1, 1, -1, -1], [1, 1, 1, -1]], [[1, 1, 1, -1], [1, 1, 1, -1]]).values.tolist()
    [[0.5, False, 1], [1.0, True, 0]]
    >>> recall_outcomes([[0, 1]], [[1, 1]], binary=True)["overlap"].tolist()
    [0.0]
    """
    s, t = _pair(states, targets)
    if s.ndim == 0:
        raise DataError("states and targets need a last axis of units")
    errors = (s != t).sum(-1).reshape(-1).astype(np.int64)
    bip = (lambda x: 2 * x - 1) if binary else (lambda x: x)
    return pd.DataFrame({"overlap": (bip(s) * bip(t)).mean(-1).reshape(-1), "exact": errors == 0, "n_errors": errors})


def energy_monotone(energy: Any, tolerance: float = 0.0) -> np.ndarray:
    """True for every run whose energy never increased from one sweep to the next.

    Parameters
    ----------
    energy : array-like (..., S + 1)
        The energy of each run before the first and after every sweep (last axis).
    tolerance : float
        Largest allowed increase, relative to the run's largest absolute energy (at
        least 1): 0 for exact (integer) energies, about 1e-9 for float64 ones.

    Returns
    -------
    numpy.ndarray
        Booleans, one per run (leading axes flattened in C order).

    Examples
    --------
    >>> energy_monotone([[3.0, 2.0, 2.0], [3.0, 4.0, 1.0]]).tolist()
    [True, False]
    >>> energy_monotone([[3.0, 3.0 + 1e-12]], tolerance=1e-9).tolist()
    [True]
    """
    e = np.asarray(energy, dtype=np.float64)
    if e.ndim == 0:
        raise DataError("energy needs a last axis of sweeps")
    tolerance = check_float("tolerance", tolerance, low=0.0)
    scale = np.maximum(np.abs(e), 1.0).max(-1, keepdims=True) if e.shape[-1] else np.ones((*e.shape[:-1], 1))
    return (np.diff(e, axis=-1) <= tolerance * scale).all(-1).reshape(-1)


def nearest_memory_reached(states: Any, memories: Any, cued: Any) -> pd.DataFrame:
    """Whether each final state ended nearest (Hamming) to the memory it was cued from.

    A state reached its cued memory when its Hamming distance to that memory is smaller
    than to every other memory and to every complement (the inverted patterns, also
    stable states of the network).

    Parameters
    ----------
    states : array-like (..., C, N)
        Final states, 0/1 units.
    memories : array-like (..., P, N)
        The stored patterns, 0/1 units (the same leading axes as ``states``).
    cued : array-like of int (C,)
        The memory each of the C starts was cued from.

    Returns
    -------
    pandas.DataFrame
        Columns ``distance`` (Hamming distance to the cued memory), ``nearest_reached``
        and ``exact`` (distance 0), one row per state, leading axes flattened in C order.

    Examples
    --------
    >>> mem = [[0, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0]]
    >>> nearest_memory_reached([[0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]], mem, [0, 0]).values.tolist()
    [[1, True, False], [6, False, False]]
    """
    s = np.asarray(states)
    m = np.asarray(memories)
    c = np.asarray(cued)
    if s.ndim < 2 or m.ndim != s.ndim or s.shape[-1] != m.shape[-1] or s.shape[:-2] != m.shape[:-2]:
        raise DataError(f"need states (..., C, N) and memories (..., P, N); got {s.shape} and {m.shape}")
    if c.shape != (s.shape[-2],) or not np.issubdtype(c.dtype, np.integer) or c.min() < 0 or c.max() >= m.shape[-2]:
        raise DataError(f"cued must hold one memory index (0..{m.shape[-2] - 1}) per state; got shape {c.shape}")
    if not (np.isin(s, (0, 1)).all() and np.isin(m, (0, 1)).all()):
        raise DataError("nearest_memory_reached needs 0/1 states and memories (convert +-1 with (x + 1) / 2)")
    N = s.shape[-1]
    to_mem = (s[..., :, None, :] != m[..., None, :, :]).sum(-1)  # (..., C, P)
    nominal = np.concatenate([to_mem, N - to_mem], axis=-1)
    index = np.broadcast_to(c, to_mem.shape[:-1])[..., None]
    own = np.take_along_axis(to_mem, index, axis=-1)[..., 0]
    others = nominal.copy()
    np.put_along_axis(others, index, np.iinfo(np.int64).max, axis=-1)
    return pd.DataFrame(
        {
            "distance": own.reshape(-1).astype(np.int64),
            "nearest_reached": (own < others.min(-1)).reshape(-1),
            "exact": (own == 0).reshape(-1),
        }
    )


@fill_doc
def outcome_shares(
    frame: pd.DataFrame,
    column: str = "outcome",
    categories: Sequence[str] | None = None,
    by: Sequence[str] = (),
    unit: Sequence[str] = ("seed",),
    ci: float = 0.95,
    n_boot: int = 2000,
    random_state: RandomState | None = None,
) -> pd.DataFrame:
    """Share of trials in each outcome category, pooled, with percentile bootstrap CIs over units.

    E.g. the share of random starts that end in a memory, its complement, near one, in a
    mixture state or elsewhere (:func:`classify_end_states`). Each category's share is
    :func:`cogrnn.analysis.stats.pooled_rates` of "this trial is in the category".

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per trial, with ``column``, the ``by`` and the ``unit`` columns.
    column : str
        The outcome column.
    categories : sequence of str, optional
        The categories reported, in this order (default: the values present, sorted);
        a category never observed gets share 0.
    by : sequence of str
        One share per category and group of these columns.
    unit : sequence of str
        The columns naming an independent unit of the bootstrap (e.g. one pattern set).
    ci : float
        Coverage of the interval.
    n_boot : int
        Bootstrap replicates.
    %(random_state)s

    Returns
    -------
    pandas.DataFrame
        One row per category (and group): the ``by`` columns, ``outcome`` (the
        category), ``rate``, ``ci_low``, ``ci_high``, ``n_units``, ``n_trials`` and
        ``count`` (trials in the category).

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1], "outcome": ["memory", "other", "memory", "memory"]})
    >>> outcome_shares(df, random_state=0)[["outcome", "rate", "count"]].values.tolist()
    [['memory', 0.75, 3], ['other', 0.25, 1]]
    """
    check_columns(frame, [column, *by, *unit], what="frame")
    kinds = sorted(pd.unique(frame[column]).tolist()) if categories is None else list(categories)
    rows = []
    for kind in kinds:
        hit = frame.assign(**{"_hit": (frame[column] == kind).astype(float)})
        table, _ = pooled_rates(hit, "_hit", by=by, unit=unit, ci=ci, n_boot=n_boot, random_state=random_state)
        counts = hit.groupby(list(by), sort=True)["_hit"].sum().to_numpy() if by else [hit["_hit"].sum()]
        rows.append(table.assign(outcome=kind, count=np.asarray(counts, dtype=np.int64)))
    table = pd.concat(rows, ignore_index=True)
    return table[[*by, "outcome", "rate", "ci_low", "ci_high", "n_units", "n_trials", "count"]]
