"""Paired comparisons between conditions or architectures across seeds, with effect sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .._docs import fill_doc
from ..exceptions import DataError
from ..io import check_columns
from ..random import RandomState
from .stats import bootstrap_ci

__all__ = ["paired_comparison", "cohens_dz"]


def cohens_dz(differences: np.ndarray) -> float:
    """Cohen's d_z of paired differences: mean / SD (inf for a constant non-zero difference).

    Parameters
    ----------
    differences : numpy.ndarray
        The paired differences (at least 2).

    Returns
    -------
    float
        Mean over sample standard deviation (ddof=1); 0 when every difference is 0.

    Examples
    --------
    >>> round(cohens_dz(np.array([1.0, 2.0, 3.0])), 3)
    2.0
    """
    d = np.asarray(differences, dtype=np.float64)
    if d.size < 2:
        raise DataError("Cohen's d_z needs at least 2 paired differences")
    sd = d.std(ddof=1)
    if sd == 0:
        return float(np.sign(d.mean()) * np.inf) if d.mean() != 0 else 0.0
    return float(d.mean() / sd)


@fill_doc
def paired_comparison(
    df: pd.DataFrame,
    value: str,
    condition: str,
    a: object,
    b: object,
    pair_by: str = "seed",
    random_state: RandomState | None = None,
) -> pd.DataFrame:
    """Compare ``value`` between conditions ``a`` and ``b`` paired by ``pair_by`` (seeds).

    Values are averaged within each pair unit and condition first. Returns one tidy row:
    means, mean difference (a - b) with a bootstrap 95% CI, Cohen's d_z, the paired
    t-test and Wilcoxon signed-rank p-values, and the number of pairs.

    Parameters
    ----------
    %(df)s
    value : str
        Column of the compared values.
    condition : str
        Column that names the condition of each row.
    a, b : object
        The two conditions compared (levels of ``condition``); differences are ``a - b``.
    pair_by : str, optional
        Column of the pairing unit (default ``"seed"``); at least 2 units need both conditions.
    %(random_state)s

    Returns
    -------
    pandas.DataFrame
        One row: ``a``, ``b``, ``mean_a``, ``mean_b``, ``mean_difference``, ``ci_low``, ``ci_high``,
        ``cohens_dz``, ``t_test_p``, ``wilcoxon_p`` and ``n_pairs``.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": [0, 0, 1, 1, 2, 2], "arch": ["lstm", "srn"] * 3,
    ...                    "acc": [0.9, 0.5, 0.95, 0.6, 0.92, 0.55]})
    >>> row = paired_comparison(df, "acc", "arch", "lstm", "srn").iloc[0]
    >>> round(float(row["mean_difference"]), 3), int(row["n_pairs"])
    (0.373, 3)
    """
    check_columns(df, [value, condition, pair_by], what="df")
    wide = df.groupby([pair_by, condition], observed=True)[value].mean().unstack(condition)
    for level in (a, b):
        if level not in wide.columns:
            raise DataError(f"condition {level!r} not in column {condition!r}; it has {list(wide.columns)}")
    pairs = wide[[a, b]].dropna()
    if len(pairs) < 2:
        raise DataError(f"need at least 2 {pair_by}s with both {a!r} and {b!r}; got {len(pairs)}")
    d = (pairs[a] - pairs[b]).to_numpy()
    lo, hi = bootstrap_ci(d, random_state=random_state)
    constant = bool(np.all(d == d[0]))
    return pd.DataFrame(
        [
            {
                "a": a,
                "b": b,
                "mean_a": float(pairs[a].mean()),
                "mean_b": float(pairs[b].mean()),
                "mean_difference": float(d.mean()),
                "ci_low": lo,
                "ci_high": hi,
                "cohens_dz": cohens_dz(d),
                "t_test_p": float("nan") if constant else float(stats.ttest_rel(pairs[a], pairs[b]).pvalue),
                "wilcoxon_p": float("nan") if np.all(d == 0) else float(stats.wilcoxon(d).pvalue),
                "n_pairs": len(pairs),
            }
        ]
    )
