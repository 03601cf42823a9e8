"""Statistics across seeds: bootstrap confidence intervals and tidy summaries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import check_float, check_int
from ..exceptions import DataError
from ..io import check_columns
from ..random import RandomState, check_random_state

__all__ = ["bootstrap_ci", "summarize_across_seeds"]


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    ci: float = 0.95,
    n_boot: int = 2000,
    statistic: str = "mean",
    random_state: RandomState | None = 0,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean (or median) of ``values``.

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


def summarize_across_seeds(
    df: pd.DataFrame,
    value: str,
    by: Sequence[str] = (),
    seed_col: str = "seed",
    ci: float = 0.95,
    random_state: RandomState | None = 0,
) -> pd.DataFrame:
    """Per group of ``by``: mean, SD, bootstrap CI and count of per-seed values.

    Values are first averaged within each seed, so every seed counts once.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 1, 2, 0, 1, 2], "phase": [0, 0, 0, 1, 1, 1],
    ...                    "err": [1.0, 2, 3, 0, 0, 0]})
    >>> summarize_across_seeds(df, "err", by=["phase"])[["phase", "mean", "n"]]
       phase  mean  n
    0      0   2.0  3
    1      1   0.0  3
    """
    check_columns(df, [seed_col, value, *by])
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
