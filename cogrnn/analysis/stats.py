"""Statistics across seeds: bootstrap confidence intervals and tidy summaries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..config import check_float, check_int
from ..exceptions import DataError
from ..io import check_columns
from ..random import RandomState, check_random_state

__all__ = ["bootstrap_ci", "summarize_across_seeds", "pooled_rates"]


@fill_doc
def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    ci: float = 0.95,
    n_boot: int = 2000,
    statistic: str = "mean",
    random_state: RandomState | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean (or median) of ``values``.

    Parameters
    ----------
    values : array-like of float
        The sample (flattened); finite values only.
    ci : float, optional
        Coverage of the interval, strictly between 0 and 1 (default 0.95).
    n_boot : int, optional
        Number of bootstrap resamples (default 2000).
    statistic : {"mean", "median"}, optional
        The statistic whose interval is computed (default ``"mean"``).
    %(random_state)s

    Returns
    -------
    tuple of float
        ``(low, high)``: the interval's bounds; both equal the value when there is one value.

    Examples
    --------
    >>> lo, hi = bootstrap_ci([1.0, 2.0, 3.0, 4.0], random_state=0)
    >>> 1.0 <= lo <= 2.5 <= hi <= 4.0
    True
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size == 0:
        raise DataError("bootstrap_ci needs at least one value")
    if not np.isfinite(x).all():
        raise DataError("bootstrap_ci got NaN or infinite values")
    ci = check_float("ci", ci, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    n_boot = check_int("n_boot", n_boot, low=1)
    if statistic not in ("mean", "median"):
        raise DataError(f"statistic must be 'mean' or 'median'; got {statistic!r}")
    func = np.mean if statistic == "mean" else np.median
    if x.size == 1:
        return float(x[0]), float(x[0])
    rng = check_random_state(random_state)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    stats = func(x[idx], axis=1)
    alpha = (1.0 - ci) / 2.0
    return float(np.quantile(stats, alpha)), float(np.quantile(stats, 1.0 - alpha))


@fill_doc
def summarize_across_seeds(
    df: pd.DataFrame,
    value: str,
    by: Sequence[str] = (),
    seed_col: str = "seed",
    ci: float = 0.95,
    random_state: RandomState | None = None,
) -> pd.DataFrame:
    """Per group of ``by``: mean, SD, bootstrap CI and count of per-seed values.

    Values are first averaged within each seed, so every seed counts once.

    Parameters
    ----------
    %(df)s
    value : str
        Column of the values to summarize.
    by : sequence of str, optional
        Grouping columns; one row per group (one row in all when empty).
    %(seed_col)s
    ci : float, optional
        Coverage of the bootstrap interval (default 0.95).
    %(random_state)s

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``mean``, ``sd``, ``ci_low``, ``ci_high`` and ``n``
        (the number of seeds).

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 1, 2, 0, 1, 2], "phase": [0, 0, 0, 1, 1, 1],
    ...                    "err": [1.0, 2, 3, 0, 0, 0]})
    >>> summarize_across_seeds(df, "err", by=["phase"])[["phase", "mean", "n"]]
       phase  mean  n
    0      0   2.0  3
    1      1   0.0  3
    """
    check_columns(df, [seed_col, value, *by], what="df")
    per_seed = df.groupby([*by, seed_col], as_index=False, observed=True)[value].mean()
    rows = []
    groups = per_seed.groupby(list(by), observed=True) if by else [((), per_seed)]
    for key, group in groups:
        vals = group[value].to_numpy()
        lo, hi = bootstrap_ci(vals, ci=ci, random_state=random_state)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                **dict(zip(by, key)),
                "mean": float(vals.mean()),
                "sd": float(vals.std(ddof=1)) if vals.size > 1 else 0.0,
                "ci_low": lo,
                "ci_high": hi,
                "n": int(vals.size),
            }
        )
    return pd.DataFrame(rows)


@fill_doc
def pooled_rates(
    df: pd.DataFrame,
    value: str,
    by: Sequence[str] = (),
    unit: Sequence[str] = ("seed",),
    ci: float = 0.95,
    n_boot: int = 2000,
    random_state: RandomState | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rates pooled over all trials per group of ``by``, with bootstrap CIs over independent units.

    A unit (e.g. one pattern set: the columns ``unit``) holds many trials (rows) whose
    ``value`` is 0/1 or a number; the pooled rate of a group is the sum of ``value`` over
    all its trials divided by their number. The CI resamples whole units with replacement
    (percentile bootstrap), the same resampled units for every group, so the bootstrap
    rates of a curve (one group per x) can be used jointly, e.g. for the CI of where the
    curve crosses a level.

    Parameters
    ----------
    %(df)s
    value : str
        Column of the trial outcomes (0/1, booleans or numbers).
    by : sequence of str, optional
        Grouping columns; one rate per group.
    unit : sequence of str, optional
        Columns that together name the independent unit resampled by the bootstrap
        (default ``("seed",)``).
    ci : float, optional
        Coverage of the bootstrap interval (default 0.95).
    n_boot : int, optional
        Number of bootstrap resamples (default 2000).
    %(random_state)s

    Returns
    -------
    table : pandas.DataFrame
        One row per group with the ``by`` columns, ``rate``, ``ci_low``, ``ci_high``,
        ``n_units`` and ``n_trials``.
    boot : numpy.ndarray
        Array (n_boot, n_groups) of bootstrap rates, columns in the order of ``table``'s rows.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1, 2, 2], "n": [5, 5, 5, 5, 5, 5],
    ...                    "ok": [1, 1, 1, 0, 0, 0]})
    >>> table, boot = pooled_rates(df, "ok", by=["n"], random_state=0)
    >>> table[["n", "rate", "n_units", "n_trials"]].to_dict("records")
    [{'n': 5, 'rate': 0.5, 'n_units': 3, 'n_trials': 6}]
    >>> boot.shape
    (2000, 1)
    """
    check_columns(df, [value, *by, *unit], what="df")
    if df.empty:
        raise DataError("pooled_rates needs at least one row")
    ci = check_float("ci", ci, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    n_boot = check_int("n_boot", n_boot, low=1)
    if not (pd.api.types.is_numeric_dtype(df[value]) or pd.api.types.is_bool_dtype(df[value])):
        raise DataError(f"column {value!r} must hold numbers or booleans; it holds {df[value].dtype}")
    vals = df[value].astype(np.float64)
    if not np.isfinite(vals.to_numpy()).all():
        raise DataError(f"column {value!r} has NaN or infinite values")
    missing = [c for c in [*by, *unit] if df[c].isna().any()]
    if missing:  # factorize would give NaN the code -1, i.e. the last unit or group
        raise DataError(f"column(s) {', '.join(map(repr, missing))} hold NaN; every row needs a group and a unit")
    keys = list(by)
    units = pd.factorize(pd.MultiIndex.from_frame(df[list(unit)]))[0]
    groups = df.groupby(keys, sort=True).ngroup().to_numpy() if keys else np.zeros(len(df), dtype=np.int64)
    n_units, n_groups = int(units.max()) + 1, int(groups.max()) + 1
    succ = np.zeros((n_units, n_groups))
    trials = np.zeros((n_units, n_groups))
    np.add.at(succ, (units, groups), vals.to_numpy())
    np.add.at(trials, (units, groups), 1.0)
    rng = check_random_state(random_state)
    counts = np.stack([np.bincount(rng.integers(0, n_units, n_units), minlength=n_units) for _ in range(n_boot)])
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (counts @ succ) / (counts @ trials)
    alpha = (1.0 - ci) / 2.0
    labels = df[keys].iloc[np.unique(groups, return_index=True)[1]].to_dict("records") if keys else [{}]
    rows = []
    for g, label in enumerate(labels):
        b = boot[:, g][np.isfinite(boot[:, g])]
        rows.append(
            {
                **label,
                "rate": float(succ[:, g].sum() / trials[:, g].sum()),
                "ci_low": float(np.quantile(b, alpha)),
                "ci_high": float(np.quantile(b, 1.0 - alpha)),
                "n_units": int((trials[:, g] > 0).sum()),
                "n_trials": int(trials[:, g].sum()),
            }
        )
    return pd.DataFrame(rows), boot
