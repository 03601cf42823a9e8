"""Roles of hidden units: how each unit's activation correlates with labels of the input sequence.

Elman (1990, p. 186) describes the two hidden units of his temporal XOR network by what
drives them ("one unit is highly activated when the input sequence is a series of
identical elements, whereas the other unit is highly activated when the input elements
alternate"); :func:`unit_roles` measures such descriptions as Pearson correlations, and
:func:`transition_labels` builds the usual labels of a sequence of symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..io import check_columns
from .errors import unit_correlations
from .profiles import _column_names, _numeric_column, _unique_pivot

__all__ = ["unit_roles", "role_extremes", "transition_labels"]


def transition_labels(df: pd.DataFrame, column: str, *, by: str = "seed", step: str = "t") -> pd.DataFrame:
    """Labels of each step of integer (e.g. binary) sequences: the symbol, whether it repeats, their XOR.

    Parameters
    ----------
    df : DataFrame
        One row per replica and step, with ``by``, ``step`` and the integer ``column``.
    column : str
        The symbol column (e.g. ``input``).
    by, step : str
        Replica and step columns.

    Returns
    -------
    pandas.DataFrame
        One row per replica and step (ordered by ``by`` then ``step``): ``by``, ``step``, ``current`` (the
        symbol, as float), ``same`` (1.0 when it equals the previous symbol, 0.0 when not) and
        ``xor_previous`` (the XOR of the symbol and the previous one); the last two are NaN at each
        replica's first step.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "t": range(4), "input": [0, 0, 1, 0]})
    >>> transition_labels(df, "input")["same"].tolist()
    [nan, 1.0, 0.0, 0.0]
    """
    check_columns(df, [by, step, column], what="df")
    rows = df.sort_values([by, step])
    x = rows[column].to_numpy()
    if not np.issubdtype(x.dtype, np.integer):
        raise DataError(f"column {column!r} must hold integers; got {x.dtype}")
    first = rows[by].ne(rows[by].shift()).to_numpy()
    prev = np.roll(x, 1)
    same = np.where(first, np.nan, (x == prev).astype(float))
    xor = np.where(first, np.nan, (x ^ prev).astype(float))
    return pd.DataFrame(
        {by: rows[by].to_numpy(), step: rows[step].to_numpy(), "current": x.astype(float), "same": same,
         "xor_previous": xor}
    )  # fmt: skip


def unit_roles(
    states: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    by: str = "seed",
    step: str = "t",
    unit: str = "unit",
    value: str = "activation",
) -> pd.DataFrame:
    """Pearson correlation of every unit with every label, per replica.

    Parameters
    ----------
    states : DataFrame
        Long table of activations: one row per replica, step and unit, with ``by``,
        ``step``, ``unit`` and ``value`` (as ``Recording.to_df(long=True)`` writes it).
    labels : DataFrame
        One row per replica and step, with ``by``, ``step`` and one numeric column per
        label; a NaN label leaves that step out of that label's correlations.
    by, step, unit, value : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per replica, label and unit: ``by``, ``label``, ``unit``, ``r`` (NaN for a unit or label
        that does not vary) and ``n`` (steps used).

    Examples
    --------
    >>> states = pd.DataFrame({"seed": 0, "t": [0, 0, 1, 1, 2, 2], "unit": [0, 1] * 3,
    ...                        "activation": [0.0, 1.0, 1.0, 0.0, 2.0, -1.0]})
    >>> labels = pd.DataFrame({"seed": 0, "t": [0, 1, 2], "x": [0.0, 1.0, 2.0]})
    >>> unit_roles(states, labels)["r"].round(3).tolist()
    [1.0, -1.0]
    """
    check_columns(states, [by, step, unit, value], what="states")
    check_columns(labels, [by, step], what="labels")
    names = [c for c in labels.columns if c not in (by, step)]
    if not names:
        raise DataError("labels has no label column besides the replica and step columns")
    _numeric_column(states, value, "states")
    for name in names:
        _numeric_column(labels, name, "labels", allow_nan=True)  # a NaN label leaves its step out
    if labels.duplicated([by, step]).any():
        raise DataError(f"labels has several rows for one ({by!r}, {step!r}) pair")
    rows = []
    if states.duplicated([by, step, unit]).any():  # name the first replica with a repeated (step, unit) pair
        for key, g in states.groupby(by, sort=True):
            _unique_pivot(g, step, unit, f"states ({by} = {key!r})")
    # one sort instead of a pivot per replica: sorted by step then unit, a replica's complete grid of
    # rows is its (steps x units) table, the table pivot(...).sort_index() gives; each replica's rows
    # (and its labels', sorted by step) are then read as slices of whole columns, without a frame per replica
    ordered = states.sort_values([by, step, unit], kind="stable")
    t_all, u_all = ordered[step].to_numpy(), ordered[unit].to_numpy()
    v_all = ordered[value].to_numpy(dtype=np.float64)
    lab_sorted = labels.sort_values([by, step], kind="stable")
    lab_steps_all = lab_sorted[step].to_numpy()
    lab_values = {name: lab_sorted[name].to_numpy(dtype=np.float64) for name in names}
    label_rows = lab_sorted.groupby(by, sort=False).indices
    no_rows = np.zeros(0, dtype=np.intp)
    for key, pos in ordered.groupby(by, sort=True).indices.items():
        key = key.item() if isinstance(key, np.generic) else key  # as iterating the groups gives it
        t, u = t_all[pos], u_all[pos]
        steps, units = pd.unique(t), pd.unique(u[t == t[0]])
        if len(pos) != len(steps) * len(units) or not (
            np.array_equal(u, np.tile(units, len(steps))) and np.array_equal(t, np.repeat(steps, len(units)))
        ):
            raise DataError(f"states lack rows for some ({step!r}, {unit!r}) pairs of replica {key!r}")
        values = v_all[pos].reshape(len(steps), len(units))
        lab_pos = label_rows.get(key, no_rows)
        lab_steps = lab_steps_all[lab_pos]
        if not (len(lab_steps) == len(steps) and np.array_equal(lab_steps, steps)):
            # the labels' steps of this replica, sorted and unique: find each of the states' steps
            at = np.minimum(np.searchsorted(lab_steps, steps), max(len(lab_steps) - 1, 0))
            found = lab_steps[at] == steps if len(lab_steps) else np.zeros(len(steps), dtype=bool)
            if not found.all():
                raise DataError(f"labels lack step(s) {pd.Index(steps[~found])[:5].tolist()} of replica {key!r}")
            lab_pos = lab_pos[at]
        for name in names:
            y = lab_values[name][lab_pos]
            keep = ~np.isnan(y)
            # one unit's activations contiguous in memory: each correlation sums along its own column
            r = unit_correlations(np.asfortranarray(values[keep]), y[keep])
            rows += [
                {by: key, "label": name, "unit": u_, "r": float(v), "n": int(keep.sum())} for u_, v in zip(units, r)
            ]
    return pd.DataFrame(rows, columns=[by, "label", "unit", "r", "n"])


def role_extremes(roles: pd.DataFrame, labels: Sequence[str] | None = None, *, by: str = "seed") -> pd.DataFrame:
    """Per replica and label: the largest and smallest correlation over units, and of their sizes.

    Parameters
    ----------
    roles : DataFrame
        From :func:`unit_roles` (``by``, ``label``, ``unit``, ``r``).
    labels : sequence of str, optional
        Labels to keep (default: all).
    by : str, default "seed"
        The replica column.

    Returns
    -------
    pandas.DataFrame
        One row per replica: ``by`` and, for each label, ``r_<label>_max``, ``r_<label>_min``,
        ``r_<label>_abs_max`` and ``r_<label>_abs_min`` (NaN units left out).

    Examples
    --------
    >>> roles = pd.DataFrame({"seed": 0, "label": "same", "unit": [0, 1], "r": [0.4, -0.9]})
    >>> role_extremes(roles).iloc[0].tolist()
    [0.0, 0.4, -0.9, 0.9, 0.4]
    """
    check_columns(roles, [by, "label", "unit", "r"], what="roles")
    _numeric_column(roles, "r", "roles", allow_nan=True)  # NaN: a unit or label that does not vary
    if labels is not None:
        labels = _column_names("labels", labels)
    keep = roles if labels is None else roles[roles["label"].isin(list(labels))]
    order = list(dict.fromkeys(keep["label"])) if labels is None else list(labels)
    g = keep.assign(abs_r=keep["r"].abs()).groupby([by, "label"], sort=False)
    stats = pd.DataFrame(
        {"max": g["r"].max(), "min": g["r"].min(), "abs_max": g["abs_r"].max(), "abs_min": g["abs_r"].min()}
    ).unstack("label")
    out = pd.DataFrame({by: stats.index.to_numpy()})
    for name in order:
        for stat in ("max", "min", "abs_max", "abs_min"):
            out[f"r_{name}_{stat}"] = stats[(stat, name)].to_numpy()
    return out
