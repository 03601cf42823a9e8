"""Capacity of associative memories: theory lines, noise estimates and pooled statistics of recall curves.

Recall experiments pool many trials (cues) of many independent units (pattern sets);
the functions here turn such tidy tables into the quantities capacity studies report:
the load where recall falls below a level (:func:`capacity_table`), any statistic of
pooled rate curves with a bootstrap CI over units (:func:`pooled_statistic`), and the
theory lines these are compared with (:func:`capacity_theory`,
:func:`hebbian_noise_estimate`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..config import check_float, check_int
from ..exceptions import ConfigError, DataError
from ..io import check_columns
from ..random import RandomState
from .profiles import _column_names, _numeric_column
from .recall import threshold_crossing
from .stats import pooled_rates

__all__ = ["capacity_theory", "hebbian_noise_estimate", "crossing", "pooled_statistic", "capacity_table"]


def capacity_theory(n_units: int | Sequence[int]) -> pd.DataFrame:
    """Capacity results for N units, as loads p/N: one row per network size and theory line.

    The lines: Amit, Gutfreund & Sompolinsky's critical load 0.138 (recall with a few
    errors), Hopfield's (1982) "about 0.15 N", N / (2 ln N) (most patterns exact) and
    N / (4 ln N) (all patterns exact) for the Hebbian rule, Storkey's N / sqrt(2 ln N)
    and the pseudo-inverse rule's N.

    Parameters
    ----------
    n_units : int or sequence of int
        Network size(s) N (at least 2; at least one size).

    Returns
    -------
    pandas.DataFrame
        Columns ``n_units``, ``line`` (its name) and ``load`` (p / N).

    Examples
    --------
    >>> t = capacity_theory(100)
    >>> round(float(t.set_index("line").loc["N / (2 ln N): most exact", "load"]), 4)
    0.1086
    >>> capacity_theory([100, 500]).shape
    (12, 3)
    """
    if isinstance(n_units, (str, bytes)) or not isinstance(n_units, (numbers.Number, Iterable)):
        raise ConfigError(f"n_units must be an int or a sequence of ints; got {n_units!r}")
    sizes = list(n_units) if isinstance(n_units, Iterable) else [n_units]
    if not sizes:
        raise ConfigError("n_units must hold at least one network size; got an empty sequence")
    rows = []
    for n in sizes:
        ln = math.log(check_int("n_units", n, low=2))
        lines = {
            "AGS critical load 0.138": 0.138,
            "Hopfield (1982): about 0.15": 0.15,
            "N / (2 ln N): most exact": 1 / (2 * ln),
            "N / (4 ln N): all exact": 1 / (4 * ln),
            "Storkey N / sqrt(2 ln N)": 1 / math.sqrt(2 * ln),
            "pseudo-inverse: N": 1.0,
        }
        rows += [{"n_units": int(n), "line": name, "load": value} for name, value in lines.items()]
    return pd.DataFrame(rows)


def hebbian_noise_estimate(n_patterns: int, n_units: int) -> float:
    """Hopfield's (1982) Eq. 10: probability that a stored pattern has no bit error, (1 - P)^N.

    With n patterns of N 0/1 units stored by the Hebbian rule, the noise on a unit's field
    is Gaussian with variance (n - 1) N / 2 and the signal is N / 2; P is the probability
    that the noise exceeds the signal.

    Parameters
    ----------
    n_patterns : int
        Patterns stored, n (at least 1).
    n_units : int
        Units, N (at least 1).

    Returns
    -------
    float
        The estimated share of patterns recalled with no error (1.0 for one pattern).

    Examples
    --------
    >>> round(hebbian_noise_estimate(10, 100), 2)  # the paper: P = 0.0091, e^-0.91 = 0.40
    0.4
    """
    n_patterns = check_int("n_patterns", n_patterns, low=1)
    n_units = check_int("n_units", n_units, low=1)
    if n_patterns == 1:
        return 1.0
    sigma = math.sqrt((n_patterns - 1) * n_units / 2)
    p = 0.5 * math.erfc((n_units / 2) / (sigma * math.sqrt(2)))
    return (1 - p) ** n_units


def crossing(rates: pd.Series, level: float = 0.5) -> float:
    """Where a curve of rates (a Series indexed by x) falls below ``level``.

    :func:`cogrnn.analysis.recall.threshold_crossing` of the Series' index and values.

    Parameters
    ----------
    rates : Series
        Rates indexed by a numeric x.
    level : float
        The level (default 1/2).

    Returns
    -------
    float
        The interpolated x (``inf`` if the curve never falls below).

    Examples
    --------
    >>> crossing(pd.Series([1.0, 0.8, 0.2], index=[0.1, 0.2, 0.3]))
    0.25
    """
    if not isinstance(rates, pd.Series):
        raise DataError(f"rates must be a pandas Series indexed by x; got {type(rates).__name__}")
    if not (pd.api.types.is_numeric_dtype(rates.index) and pd.api.types.is_numeric_dtype(rates)):
        raise DataError(f"rates must hold numbers indexed by numbers; got {rates.dtype} indexed by {rates.index.dtype}")
    return threshold_crossing(rates.index.to_numpy(dtype=float), rates.to_numpy(), check_float("level", level))


def _quantiles(ci: float) -> list[float]:
    # rounded so that ci = 0.95 gives exactly the quantile levels 0.025 and 0.975
    return [round((1.0 - ci) / 2.0, 12), round((1.0 + ci) / 2.0, 12)]


@fill_doc
def pooled_statistic(
    frame: pd.DataFrame,
    value: str,
    by: Sequence[str],
    statistic: Callable[[pd.Series], float],
    unit: Sequence[str] = ("seed", "set"),
    ci: float = 0.95,
    n_boot: int = 2000,
    random_state: RandomState | None = None,
) -> tuple[float, float, float, pd.Series]:
    """A statistic of pooled rates, with a percentile bootstrap CI over units and one estimate per seed.

    The rates of ``value`` are pooled over all rows of each group of ``by``
    (:func:`cogrnn.analysis.stats.pooled_rates`); ``statistic`` maps the Series of rates
    (indexed by ``by``: a MultiIndex for several columns) to one number, e.g. the mean,
    a crossing (:func:`crossing`) or a difference of two crossings. The CI applies the
    statistic to every bootstrap replicate (whole units resampled, the same units for
    every group); each seed's estimate applies it to that seed's mean rates.

    Parameters
    ----------
    frame : DataFrame
        One row per trial, with ``value`` (0/1, bool or numeric), the ``by`` columns,
        ``seed`` and the ``unit`` columns present (absent unit columns are ignored).
    value : str
        The column pooled.
    by : sequence of str
        The columns indexing the curve the statistic reads.
    statistic : callable
        Series of rates -> float.
    unit : sequence of str
        The columns naming an independent unit of the bootstrap (default: one pattern set).
    ci : float
        Coverage of the interval.
    n_boot : int
        Bootstrap replicates.
    %(random_state)s

    Returns
    -------
    (estimate, ci_low, ci_high, per_seed)
        Floats (NaN for an empty ``frame``, and a NaN CI when a replicate is not finite)
        and a Series of the estimate per seed (empty for an empty frame).

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1], "set": [0, 0, 0, 0], "n": [5, 10, 5, 10],
    ...                    "ok": [1, 0, 1, 1]})
    >>> est, lo, hi, per_seed = pooled_statistic(df, "ok", ["n"], lambda r: float(r.mean()))
    >>> est, per_seed.tolist()
    (0.75, [0.5, 1.0])
    """
    by = _column_names("by", by)
    unit = _column_names("unit", unit, allow_empty=True)
    if not callable(statistic):
        raise ConfigError(f"statistic must be callable (Series of rates -> float); got {statistic!r}")
    if isinstance(frame, pd.DataFrame) and frame.empty:  # a configuration without this condition: callers report it
        return np.nan, np.nan, np.nan, pd.Series(dtype=float)
    check_columns(frame, [value, "seed", *by], what="frame")
    ci = check_float("ci", ci, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    _numeric_column(frame, value, "frame")
    frame = frame.assign(**{value: frame[value].astype(float)})
    units = [u for u in unit if u in frame.columns]
    table, boot = pooled_rates(frame, value, by=by, unit=units, n_boot=n_boot, random_state=random_state)
    index = pd.MultiIndex.from_frame(table[list(by)]) if len(by) > 1 else pd.Index(table[by[0]])
    estimate = statistic(pd.Series(table["rate"].to_numpy(), index=index))
    reps = np.array([statistic(pd.Series(b, index=index)) for b in boot])
    lo, hi = np.quantile(reps, _quantiles(ci)) if np.isfinite(reps).all() else (np.nan, np.nan)
    per_seed = frame.groupby("seed").apply(lambda g: statistic(g.groupby(list(by))[value].mean()))
    return float(estimate), float(lo), float(hi), per_seed


@fill_doc
def capacity_table(
    frame: pd.DataFrame,
    value: str = "exact",
    x: str = "load",
    by: Sequence[str] = ("n_units", "rule"),
    level: float = 0.5,
    unit: Sequence[str] = ("seed", "set"),
    ci: float = 0.95,
    n_boot: int = 2000,
    random_state: RandomState | None = None,
) -> pd.DataFrame:
    """Capacity per condition: the ``x`` (load) where the pooled rate of ``value`` falls below ``level``.

    For each group of ``by``, :func:`pooled_statistic` of :func:`crossing` over the
    curve of ``value`` against ``x``; with ``n_units`` among the ``by`` columns, the
    theory lines of :func:`capacity_theory` for that N follow in columns of their own.

    Parameters
    ----------
    frame : DataFrame
        One row per recall trial: ``value``, ``x``, the ``by`` columns, ``seed`` and the
        ``unit`` columns.
    value, x : str
        The success column and the load column.
    by : sequence of str
        One capacity per group of these columns.
    level : float
        The rate that defines the capacity (default 1/2).
    unit : sequence of str
        The columns naming an independent unit of the bootstrap (default: one pattern set).
    ci : float
        Coverage of the interval.
    n_boot : int
        Bootstrap replicates.
    %(random_state)s

    Returns
    -------
    (table, per_seed)
        ``table``: one row per group, with the ``by`` columns, ``capacity``, ``ci_low``,
        ``ci_high`` (``inf`` when recall never falls below ``level``) and the theory
        lines; ``per_seed``: the ``by`` columns, ``seed`` and ``capacity``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0] * 4 + [1] * 4, "set": 0, "n_units": 100, "rule": "hebbian",
    ...                    "load": [0.1, 0.1, 0.2, 0.2] * 2, "exact": [1, 1, 1, 0, 1, 1, 0, 0]})
    >>> table, per_seed = capacity_table(df)
    >>> round(float(table["capacity"].iloc[0]), 3), per_seed["capacity"].round(3).tolist()
    (0.167, [inf, 0.15])
    """
    by = _column_names("by", by)
    check_columns(frame, [value, x, *by], what="frame")
    level = check_float("level", level)
    if frame.empty:
        raise DataError("frame has no rows: there is no recall curve to read a capacity from")
    _numeric_column(frame, x, "frame")
    rows, seeds = [], []
    for key, sub in frame.groupby(list(by), sort=True):
        labels = dict(zip(by, key))
        est, lo, hi, per_seed = pooled_statistic(
            sub, value, [x], lambda r: crossing(r, level), unit=unit, ci=ci, n_boot=n_boot, random_state=random_state
        )
        row = {**labels, "capacity": est, "ci_low": lo, "ci_high": hi}
        if "n_units" in labels:
            theory = capacity_theory(int(labels["n_units"]))
            row.update(dict(zip(theory["line"], theory["load"])))
        rows.append(row)
        seeds.append(pd.DataFrame({**labels, "seed": per_seed.index, "capacity": per_seed.to_numpy(dtype=float)}))
    return pd.DataFrame(rows), pd.concat(seeds, ignore_index=True)
