"""Error profiles: by step, by position in a cycle, by category and by output feature.

Tidy tables in, tidy tables out. The input is one row per step and output feature
(``seed``, ``t``, ``feature``, ``output``, ``target``, ``sq_error`` and the task's
descriptors, built from a :class:`cogrnn.analysis.Recording`), or one row per step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..config import check_int
from ..exceptions import ConfigError, DataError
from ..io import check_columns
from .errors import fold_cycles
from .likelihood import vector_errors

__all__ = ["step_errors", "cycle_profile", "contrast_means", "feature_rms"]


def _column_names(name: str, value: Any, *, allow_empty: bool = False) -> list[Any]:
    # a str names one column (never split into characters); else a sequence of column names
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, Sequence) else None
    if names is None:
        raise ConfigError(f"{name} must be a column name or a sequence of column names; got {value!r}")
    if not names and not allow_empty:
        raise ConfigError(f"{name} must name at least one column; got {value!r}")
    return names


def _numeric_column(
    df: pd.DataFrame, column: Any, what: str, *, allow_nan: bool = False, low: float | None = None
) -> None:
    # refuses a non-numeric column, NaN (unless allowed), infinite values and values below low
    values = df[column]
    if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
        raise DataError(f"column {column!r} of {what} must be numeric; got dtype {values.dtype}")
    x = values.to_numpy(dtype=np.float64)
    nan = np.isnan(x)
    if nan.any() and not allow_nan:
        raise DataError(f"column {column!r} of {what} contains NaN ({int(nan.sum())} rows)")
    if np.isinf(x).any():
        raise DataError(f"column {column!r} of {what} contains infinite values")
    if low is not None and (x[~nan] < low).any():
        raise DataError(f"column {column!r} of {what} must be >= {low}; its smallest value is {np.nanmin(x)}")


def _unique_pivot(df: pd.DataFrame, index: Any, columns: Any, what: str) -> None:
    # pivoting needs one row per (index, columns) pair
    dup = df.duplicated([index, columns])
    if dup.any():
        row = df.loc[dup, [index, columns]].iloc[0].tolist()
        raise DataError(f"{what} has several rows for ({index!r}, {columns!r}) = {tuple(row)}")


def step_errors(
    df: pd.DataFrame,
    keep: Sequence[str] = (),
    *,
    by: str = "seed",
    step: str = "t",
    feature: str = "feature",
    output: str = "output",
    target: str = "target",
) -> pd.DataFrame:
    """Per replica and step: the error over the whole output vector, in three readings.

    ``sse`` (sum of squares over the output features), ``error_length`` (its root: the
    length of the error vector) and ``rms_per_unit`` (root mean square over the features);
    see :func:`cogrnn.analysis.vector_errors`.

    Parameters
    ----------
    df : DataFrame
        One row per replica, step and output feature, with columns ``by``, ``step``,
        ``feature``, ``output``, ``target`` and the ``keep`` columns.
    keep : sequence of str
        Per-step descriptors to carry into the result (taken from the step's first row).
    by, step, feature, output, target : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per replica and step (by step within replica): ``by``, ``step``, the ``keep`` columns,
        ``error_length``, ``sse`` and ``rms_per_unit``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": 0, "letter": "d", "feature": ["high", "back"],
    ...                    "output": [1 / 3, 1 / 3], "target": [1.0, 0.0]})
    >>> step_errors(df, keep=["letter"])[["letter", "error_length", "sse"]].round(3).values.tolist()
    [['d', 0.745, 0.556]]
    """
    keep = _column_names("keep", keep, allow_empty=True)
    check_columns(df, [by, step, feature, output, target, *keep], what="df")
    for column in (output, target):
        _numeric_column(df, column, "df")
    frames = []
    for key, g in df.groupby(by, sort=True):
        _unique_pivot(g, step, feature, f"df ({by} = {key!r})")
        out = g.pivot(index=step, columns=feature, values=output).sort_index()
        tgt = g.pivot(index=step, columns=feature, values=target).loc[out.index, out.columns]
        if out.isna().any().any():
            raise DataError(f"df lacks rows for some ({step!r}, {feature!r}) pairs of replica {key!r}")
        steps = g.drop_duplicates(step).set_index(step).loc[out.index, keep]
        ve = vector_errors(out.to_numpy(), tgt.to_numpy())
        frame = pd.DataFrame({by: key, step: out.index.to_numpy()})
        for col in keep:
            frame[col] = steps[col].to_numpy()
        for col in ("error_length", "sse", "rms_per_unit"):
            frame[col] = ve[col].to_numpy()
        frames.append(frame)
    if not frames:
        raise DataError("step_errors needs at least one row")
    return pd.concat(frames, ignore_index=True)


def cycle_profile(
    df: pd.DataFrame,
    period: int,
    value: str = "sq_error",
    *,
    start: int = 0,
    by: str = "seed",
    step: str = "t",
    position: str = "cycle",
) -> pd.DataFrame:
    """Per replica, the value at ``period`` consecutive steps averaged over the stream.

    The trace of each replica (ordered by ``step``) is folded into consecutive windows
    of ``period`` steps from ``start`` (:func:`cogrnn.analysis.fold_cycles`); Elman's
    (1990) Fig. 3 is this profile of the temporal XOR error with ``period=12``.

    Parameters
    ----------
    df : DataFrame
        One row per replica and step, with ``by``, ``step`` and ``value``.
    period : int
        Window length.
    value : str, default "sq_error"
        Column to fold.
    start : int, default 0
        First step (position in the ordered trace) of the first window.
    by, step : str
        Replica and step columns.
    position : str, default "cycle"
        Name of the output column numbering the window positions from 1.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``position`` (1..period) and ``value``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": range(6), "sq_error": [1.0, 0.0, 3.0, 0.0, 1.0, 2.0]})
    >>> cycle_profile(df, period=2)["sq_error"].tolist()
    [1.6666666666666667, 0.6666666666666666]
    """
    period = check_int("period", period, low=1)
    start = check_int("start", start, low=0)
    check_columns(df, [by, step, value], what="df")
    _numeric_column(df, value, "df", allow_nan=True)
    rows = []
    for key, g in df.sort_values([by, step]).groupby(by):
        if len(g) - start < period:
            raise DataError(
                f"df has {len(g)} steps of replica {key!r}: too few for one window"
                f" of period={period} from start={start}"
            )
        curve = fold_cycles(g[value].to_numpy(), period, start=start)
        rows += [{by: key, position: c + 1, value: v} for c, v in enumerate(curve)]
    return pd.DataFrame(rows, columns=[by, position, value])


def contrast_means(
    df: pd.DataFrame,
    column: str,
    members: Sequence[Any],
    value: str,
    *,
    by: str = "seed",
    names: tuple[str, str] = ("in_group", "out_group"),
) -> pd.DataFrame:
    """Per replica: the mean of ``value`` where ``column`` is one of ``members``, elsewhere, and their ratio.

    Parameters
    ----------
    df : DataFrame
        With columns ``by``, ``column`` and ``value``.
    column : str
        The category column (e.g. ``target_letter``).
    members : sequence
        The categories of the first group (e.g. the consonants).
    value : str
        The column averaged.
    by : str, default "seed"
        The replica column.
    names : (str, str)
        Names of the two mean columns: the members' group, then the others.

    Returns
    -------
    pandas.DataFrame
        One row per replica: ``by``, ``names[0]``, ``names[1]`` and ``ratio`` (the others' mean over the
        members' mean).

    Examples
    --------
    >>> steps = pd.DataFrame({"seed": 0, "target_letter": ["d", "i"], "error_length": [0.7, 0.07]})
    >>> m = contrast_means(steps, "target_letter", ["b", "d", "g"], "error_length", names=("consonant", "vowel"))
    >>> m.columns.tolist(), round(float(m["ratio"].iloc[0]), 3)
    (['seed', 'consonant', 'vowel', 'ratio'], 0.1)
    """
    check_columns(df, [by, column, value], what="df")
    _numeric_column(df, value, "df", allow_nan=True)
    if isinstance(members, str) or not isinstance(members, Iterable):
        members = [members]  # one category, never split into characters
    members = list(members)
    if len(names) != 2 or not all(isinstance(n, str) for n in names) or names[0] == names[1] or by in names:
        raise ConfigError(f"names must be two distinct column names other than {by!r}; got {names!r}")
    kind = df[column].isin(members).rename("_member")
    means = df.groupby([by, kind])[value].mean().unstack("_member")
    for flag in (True, False):
        if flag not in means.columns:
            means[flag] = np.nan
    out = pd.DataFrame(
        {by: means.index.to_numpy(), names[0]: means[True].to_numpy(), names[1]: means[False].to_numpy()}
    )
    out["ratio"] = out[names[1]] / out[names[0]]
    return out


def feature_rms(
    df: pd.DataFrame,
    by: Sequence[str] = ("seed",),
    *,
    feature: str = "feature",
    value: str = "sq_error",
) -> pd.DataFrame:
    """Root mean squared error of each output feature per group: one column per feature.

    Parameters
    ----------
    df : DataFrame
        One row per step and feature, with the ``by`` columns, ``feature`` and ``value``
        (a squared error).
    by : sequence of str, default ("seed",)
        Grouping columns (e.g. ``["seed", "target_letter"]``).
    feature, value : str
        Feature-name and squared-error columns.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, then one column per feature holding ``sqrt(mean(value))``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "feature": ["high", "high", "voiced"], "sq_error": [0.0, 0.5, 0.0]})
    >>> feature_rms(df).round(3).values.tolist()
    [[0.0, 0.5, 0.0]]
    """
    by = _column_names("by", by)
    check_columns(df, [*by, feature, value], what="df")
    _numeric_column(df, value, "df", low=0.0)
    g = df.groupby([*by, feature])[value].mean().unstack(feature)
    out = np.sqrt(g)
    out.columns = [str(c) for c in out.columns]
    return out.reset_index()
