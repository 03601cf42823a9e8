"""Prediction error of frozen networks: per step, per phase, folded into cycles."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..config import check_int
from ..exceptions import DataError
from ..io import check_columns

__all__ = ["evaluate_stream", "error_table", "fold_cycles", "error_by", "unit_correlations"]


def evaluate_stream(model: Any, inputs: Any, targets: Any, state: Any = None) -> dict[str, np.ndarray]:
    """Run a frozen ensemble over a stream and return outputs, hidden states and errors as arrays.

    .. deprecated::
        Use :func:`cogrnn.analysis.evaluate`, which returns a :class:`~cogrnn.analysis.Recording`
        (the same numbers, labelled by seed, step and sequence). This thin wrapper of it stays
        until every replication has moved.

    Parameters
    ----------
    model : RecurrentEnsemble
        The network (an ensemble of R replicas).
    inputs : array, (T, B, I) or (R, T, B, I)
        The stream, shared by every replica or one per replica.
    targets : array, (T, B, O) or (R, T, B, O)
        The targets of the outputs.
    state : tuple of tensors, optional
        Initial state (default: the model's ``init_state``).

    Returns
    -------
    dict
        ``outputs`` (R, T, B, O), ``hidden`` (R, L, T, B, H) and ``sq_error``
        (R, T, B, O) = (output - target)^2, as float64 NumPy arrays.

    Examples
    --------
    >>> import warnings
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(1, 2, 1, n_replicas=2, random_state=0)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     res = evaluate_stream(net, np.zeros((5, 1, 1)), np.ones((5, 1, 1)))
    >>> res["sq_error"].shape
    (2, 5, 1, 1)
    """
    from .recording import evaluate

    warnings.warn(
        "evaluate_stream is deprecated; use cogrnn.analysis.evaluate, which returns a Recording",
        DeprecationWarning,
        stacklevel=2,
    )
    R, T, B, _ = model.check_inputs(inputs).shape
    rec = evaluate(model, inputs, targets, state=state)
    n_layers = sum(key.startswith("h") for key in rec.layer_states)
    hidden = np.stack([rec.layer_states[f"h{k}"].reshape(R, T, B, -1) for k in range(n_layers)], axis=1)
    outputs = rec.outputs.reshape(R, T, B, -1)  # type: ignore[union-attr]
    return {"outputs": outputs, "hidden": hidden, "sq_error": (rec.errors**2).reshape(R, T, B, -1)}


def error_table(
    evaluation: dict[str, np.ndarray],
    targets: Any,
    descriptors: dict[str, Any] | None = None,
    features: Sequence[str] | None = None,
    sequence: int = 0,
) -> pd.DataFrame:
    """A tidy table of errors per replica ("seed"), step and output feature.

    Parameters
    ----------
    evaluation : dict
        From :func:`evaluate_stream` (``outputs`` and ``sq_error`` of shape (R, T, B, O)).
    targets : array (T, B, O) or (R, T, B, O)
        The targets of the outputs.
    descriptors : dict of (T, B) arrays, optional
        Per-step labels to copy into every row (e.g. ``target_letter``).
    features : list of str, optional
        Names of the O output units (default ``"0"``, ``"1"``, ...).
    sequence : int, default 0
        Which of the B sequences to tabulate.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed``, ``t``, the descriptors, ``feature``, ``target``, ``output``
        and ``sq_error``: one row per seed, step and feature.

    Examples
    --------
    >>> ev = {"outputs": np.zeros((2, 3, 1, 2)), "sq_error": np.ones((2, 3, 1, 2))}
    >>> df = error_table(ev, np.ones((3, 1, 2)), {"letter": np.array([["a"], ["b"], ["c"]])}, ["x", "y"])
    >>> df.shape, list(df.columns)
    ((12, 7), ['seed', 't', 'letter', 'feature', 'target', 'output', 'sq_error'])
    """
    outputs = np.asarray(evaluation["outputs"])[:, :, sequence]
    sq = np.asarray(evaluation["sq_error"])[:, :, sequence]
    R, T, O = outputs.shape
    y = np.broadcast_to(np.asarray(targets, dtype=np.float64), np.asarray(evaluation["outputs"]).shape)[:, :, sequence]
    names = [str(k) for k in range(O)] if features is None else list(features)
    if len(names) != O:
        raise DataError(f"{len(names)} feature names for {O} outputs")
    data: dict[str, Any] = {
        "seed": np.repeat(np.arange(R), T * O),
        "t": np.tile(np.repeat(np.arange(T), O), R),
    }
    for key, values in (descriptors or {}).items():
        v = np.asarray(values)
        if v.shape[0] != T:
            raise DataError(f"descriptor {key!r} has {v.shape[0]} steps; the outputs have {T}")
        v = v[:, sequence] if v.ndim == 2 else v
        data[key] = np.tile(np.repeat(v, O), R)
    data["feature"] = np.tile(np.asarray(names, dtype=object), R * T)
    data["target"] = y.reshape(-1)
    data["output"] = outputs.reshape(-1)
    data["sq_error"] = sq.reshape(-1)
    return pd.DataFrame(data)


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
    check_columns(df, [*by, value])
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
