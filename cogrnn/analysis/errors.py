"""Prediction error of frozen networks: per step, per phase, folded into cycles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import check_int
from ..exceptions import DataError
from ..io import check_columns

__all__ = ["fold_cycles", "error_by", "unit_correlations"]


def fold_cycles(errors: np.ndarray, period: int, start: int = 0, n_windows: int | None = None) -> np.ndarray:
    """Average a per-step trace over consecutive windows of ``period`` steps.

    This is how Elman (1990, Fig. 3) plots the temporal XOR error: the error at 12
    consecutive steps averaged over many stretches of the stream.

    Parameters
    ----------
    errors : array, shape (..., T)
        Per-step values (the last axis is time).
    period : int
        Window length (12 in the paper).
    start : int, default 0
        First step of the first window (sets the phase of the curve).
    n_windows : int, optional
        Number of windows (default: as many as fit).

    Returns
    -------
    ndarray, shape (..., period)
        The mean of each of the ``period`` phases over the windows.

    Examples
    --------
    >>> fold_cycles(np.arange(12.0), period=3, start=0)
    array([4.5, 5.5, 6.5])
    """
    period = check_int("period", period, low=1)
    start = check_int("start", start, low=0)
    errors = np.asarray(errors, dtype=np.float64)
    available = (errors.shape[-1] - start) // period
    if n_windows is None:
        n_windows = available
    n_windows = check_int("n_windows", n_windows, low=1)
    if n_windows > available:
        raise DataError(
            f"a trace of {errors.shape[-1]} steps from step {start} holds {available} windows of "
            f"{period}; asked for {n_windows}"
        )
    block = errors[..., start : start + n_windows * period]
    return block.reshape(*errors.shape[:-1], n_windows, period).mean(axis=-2)


def error_by(df: pd.DataFrame, by: Sequence[str], value: str = "sq_error") -> pd.DataFrame:
    """Mean of ``value`` per group of ``by`` (e.g. per seed and phase), as a tidy DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        Tidy table, one row per observation.
    by : sequence of str
        Columns that define the groups.
    value : str, default "sq_error"
        Column to average.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns and the group means of ``value``, one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1], "phase": [0, 1, 0, 1], "sq_error": [1.0, 0, 3, 0]})
    >>> error_by(df, ["phase"])["sq_error"].tolist()
    [2.0, 0.0]
    """
    check_columns(df, [*by, value], what="df")
    return df.groupby(list(by), as_index=False, observed=True)[value].mean()


def unit_correlations(states: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Pearson correlation of every unit's activation with a numeric label.

    Parameters
    ----------
    states : array, shape (n_obs, n_units)
        Activations, one row per observation.
    labels : array, shape (n_obs,)
        The numeric label of every observation.

    Returns
    -------
    ndarray, shape (n_units,)
        The correlations; NaN for a unit (or label) that never varies.

    Examples
    --------
    >>> s = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, -1.0]])
    >>> unit_correlations(s, np.array([0.0, 1.0, 2.0])).round(3).tolist()
    [1.0, -1.0]
    """
    states = np.asarray(states, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    if states.ndim != 2 or labels.shape != (states.shape[0],):
        raise DataError(f"need states (n_obs, n_units) and labels (n_obs,); got {states.shape} and {labels.shape}")
    s = states - states.mean(0)
    y = labels - labels.mean()
    denom = np.sqrt((s**2).sum(0) * (y**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (s * y[:, None]).sum(0) / np.where(denom > 0, denom, 1.0), np.nan)
