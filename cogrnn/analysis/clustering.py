"""Hierarchical clustering of representations, scores against categories, nearest neighbours."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist, pdist, squareform

from .._docs import fill_doc
from ..config import check_choice, check_int
from ..exceptions import DataError
from .recording import NETWORK, Recording, _refuse_pooling

__all__ = [
    "linkage",
    "cut_tree",
    "cluster_scores",
    "nearest_neighbors",
    "branch_consistency",
    "n_misassigned",
    "nearest_neighbor_agreement",
]

METHODS = ("average", "complete", "single", "ward", "centroid", "median", "weighted")


def _matrix(X: Any, caller: str, name: str = "X") -> np.ndarray:
    """``X`` as a float64 (n_items, n_units) array of at least 2 rows, finite, else a one-line DataError.

    A Recording, or a table with a ``seed`` column, of several networks is refused (unit j of
    one network and unit j of another are unrelated units); a Recording of one network asks
    for its states array.
    """
    if isinstance(X, Recording):
        _refuse_pooling(
            X.descriptors.get(NETWORK), caller, "pass one network's states (rec.subset(seed={seed}).states)"
        )
        raise DataError(
            f"{caller}: {name} must be an array (items x units); got a Recording: pass its states (rec.states)"
        )
    if isinstance(X, pd.DataFrame):
        one = f'X[X["{NETWORK}"] == {{seed}}].drop(columns="{NETWORK}")'
        _refuse_pooling(X.get(NETWORK), caller, f"take one network ({one})", "table")
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise DataError(f"{name} must be 2-D with at least 2 rows (items x units); got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise DataError(f"{name} contains NaN or infinite values")
    return arr


@fill_doc
def linkage(X: Any, method: str = "average", metric: str = "euclidean") -> np.ndarray:
    """Agglomerative clustering of the rows of ``X`` (scipy's linkage matrix), in float64.

    Parameters
    ----------
    %(X_items)s
    %(linkage_method)s
    %(metric)s

    Returns
    -------
    numpy.ndarray
        The (n_items - 1, 4) linkage matrix of :func:`scipy.cluster.hierarchy.linkage`.

    Examples
    --------
    >>> Z = linkage([[0.0], [0.1], [5.0]])
    >>> Z.shape
    (2, 4)
    """
    check_choice("method", method, METHODS)
    return hierarchy.linkage(_matrix(X, "linkage"), method=method, metric=metric)


def _cut_linkage(Z: np.ndarray, k: int) -> np.ndarray:
    """Labels after the first n - k merges of the linkage ``Z`` (the tree cut into exactly k clusters)."""
    n = Z.shape[0] + 1
    parent = np.arange(2 * n - 1)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for step in range(n - k):
        a, b = int(Z[step, 0]), int(Z[step, 1])
        parent[root(a)] = n + step
        parent[root(b)] = n + step
    roots = np.array([root(i) for i in range(n)])
    _, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
    rank = np.empty_like(first)
    rank[np.argsort(first)] = np.arange(first.size)  # number clusters by their first item
    return rank[inverse]


@fill_doc
def cut_tree(X: Any, k: int, method: str = "average", metric: str = "euclidean") -> np.ndarray:
    """Cluster labels (0..k-1, numbered by first item) from cutting the tree into exactly ``k`` clusters.

    The cut undoes the last k - 1 merges of the tree, so there are exactly ``k`` clusters
    even when merge heights tie (scipy's ``fcluster(..., "maxclust")`` cuts at a height and
    returns fewer: 2 instead of 3 for the four corners of a unit square). Distances and
    merge heights are float64; ties between equal distances are broken in scipy's merge
    order.

    Parameters
    ----------
    %(X_items)s
    k : int
        Number of clusters, from 1 to the number of items.
    %(linkage_method)s
    %(metric)s

    Returns
    -------
    numpy.ndarray
        Integer cluster label of each item.

    Examples
    --------
    >>> cut_tree([[0.0], [0.1], [5.0], [5.2]], 2).tolist()
    [0, 0, 1, 1]
    >>> square = [[0.0, 0], [0, 1], [1, 0], [1, 1]]
    >>> len(set(cut_tree(square, 3).tolist())), len(set(cut_tree(square, 3, method="single").tolist()))
    (3, 3)
    """
    X = _matrix(X, "cut_tree")
    k = check_int("k", k, low=1, high=X.shape[0])
    return _cut_linkage(linkage(X, method, metric), k)


@fill_doc
def cluster_scores(
    X: Any, labels: Any, k: int | None = None, method: str = "average", metric: str = "euclidean"
) -> dict[str, float]:
    """How well the tree of ``X`` recovers ``labels``.

    Returns ``ari`` (adjusted Rand index of the ``k``-cluster cut, ``k`` = number of
    distinct labels by default, against ``labels``) and ``cophenetic`` (correlation of
    the tree's cophenetic distances with the original distances).

    Parameters
    ----------
    %(X_items)s
    labels : array-like
        Reference label of each item.
    k : int, optional
        Number of clusters of the cut (default: the number of distinct labels).
    %(linkage_method)s
    %(metric)s

    Returns
    -------
    dict of str to float
        ``{"ari": ..., "cophenetic": ...}``.

    Examples
    --------
    >>> X = [[0.0, 0], [0.1, 0], [5, 5], [5.1, 5]]
    >>> cluster_scores(X, ["n", "n", "v", "v"])["ari"]
    1.0
    """
    X = _matrix(X, "cluster_scores")
    lab = np.asarray(labels)
    if lab.shape != (X.shape[0],):
        raise DataError(f"labels must have one entry per row of X ({X.shape[0]}); got {lab.shape}")
    k = len(np.unique(lab)) if k is None else k
    k = check_int("k", k, low=1, high=X.shape[0])
    Z = linkage(X, method, metric)
    coph, _ = hierarchy.cophenet(Z, pdist(X, metric=metric))
    assign = _cut_linkage(Z, k)  # cut_tree(X, k, method, metric) without clustering again
    return {"ari": _adjusted_rand(lab, assign), "cophenetic": float(coph)}


def branch_consistency(assign: Any, groups: Any) -> float:
    """Fraction of items in the cluster where most items of their group are.

    1.0 means that no item of a group (e.g. the tokens of a word) falls in another branch.

    Parameters
    ----------
    assign : array-like
        Cluster label of each item.
    groups : array-like
        Group of each item (e.g. the word a token belongs to).

    Returns
    -------
    float
        Fraction of items, between 0 and 1.

    Examples
    --------
    >>> branch_consistency([0, 0, 1, 1, 1], ["a", "a", "a", "b", "b"])
    0.8
    """
    df = pd.DataFrame({"cluster": np.asarray(assign), "group": np.asarray(groups)})
    majority = df.groupby("group")["cluster"].agg(lambda s: s.value_counts().idxmax())
    return float((df["cluster"] == df["group"].map(majority)).mean())


def n_misassigned(assign: Any, labels: Any) -> int:
    """Items outside their label's cluster under the best one-to-one matching of clusters to labels.

    0 means the clusters are exactly the label groups (e.g. the top split of a tree is
    exactly nouns vs verbs).

    Parameters
    ----------
    assign : array-like
        Cluster label of each item.
    labels : array-like
        Reference label of each item.

    Returns
    -------
    int
        Number of items not in the cluster matched to their label.

    Examples
    --------
    >>> n_misassigned([0, 0, 1, 1], ["n", "n", "v", "v"])
    0
    >>> n_misassigned([0, 0, 0, 1], ["n", "n", "v", "v"])
    1
    """
    table = _contingency(assign, labels)
    rows, cols = linear_sum_assignment(-table)
    return int(table.sum() - table[rows, cols].sum())


@fill_doc
def nearest_neighbor_agreement(X: Any, labels: Any, metric: str = "euclidean") -> float:
    """Fraction of items whose nearest other item has the same label.

    Parameters
    ----------
    %(X_items)s
    labels : array-like
        Label of each item.
    %(metric)s

    Returns
    -------
    float
        Fraction of items, between 0 and 1.

    Examples
    --------
    >>> nearest_neighbor_agreement([[0.0], [0.1], [5.0], [5.1]], ["n", "n", "v", "v"])
    1.0
    """
    X = _matrix(X, "nearest_neighbor_agreement")
    lab = np.asarray(labels)
    if lab.shape != (X.shape[0],):
        raise DataError(f"labels must have one entry per row of X ({X.shape[0]}); got {lab.shape}")
    return float((lab[_nearest_other(X, metric)] == lab).mean())


def _nearest_other(X: np.ndarray, metric: str) -> np.ndarray:
    """Index of the nearest other row of ``X`` for every row (the first of equally near ones)."""
    return _nearest_in(cdist(X, X, metric=metric))


def _nearest_in(d: np.ndarray) -> np.ndarray:
    """Row-wise index of the smallest off-diagonal entry of the square distance matrix ``d`` (overwritten)."""
    np.fill_diagonal(d, np.inf)
    return d.argmin(1)


def _linkage_and_nearest(X: np.ndarray, method: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """``linkage(X, method, metric)`` and ``_nearest_other(X, metric)`` from one distance computation.

    scipy computes ``pdist(X)`` inside ``linkage`` and ``cdist(X, X)`` holds the same numbers
    (one routine per pair; tested); the condensed distances are clustered and, as a square
    matrix, searched for each row's nearest other row. Other metrics, and ward, centroid and
    median linkage (whose metric scipy checks on the observations), compute both as before.
    """
    if metric != "euclidean" or method in ("ward", "centroid", "median"):
        return linkage(X, method, metric), _nearest_other(X, metric)
    check_choice("method", method, METHODS)
    condensed = pdist(X, metric=metric)
    return hierarchy.linkage(condensed, method=method), _nearest_in(squareform(condensed))


def _adjusted_rand(labels_true: Any, labels_pred: Any) -> float:
    """The adjusted Rand index of two labellings, as ``sklearn.metrics.adjusted_rand_score`` computes it.

    The same integer pair counts from the contingency table and the same final expression
    in Python integers and floats (so the same float, tested), without importing
    scikit-learn (about 0.6 s per process).
    """
    if pd.isna(np.asarray(labels_true)).any() or pd.isna(np.asarray(labels_pred)).any():
        from sklearn.metrics import adjusted_rand_score  # missing labels: scikit-learn's own handling

        return float(adjusted_rand_score(labels_true, labels_pred))
    table = _contingency(labels_true, labels_pred).astype(np.int64)
    n, squares = int(table.sum()), int((table**2).sum())
    tp = squares - n
    fp = int((table.sum(axis=0) ** 2).sum()) - squares
    fn = int((table.sum(axis=1) ** 2).sum()) - squares
    tn = n * n - fp - fn - squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _contingency(assign: Any, labels: Any) -> np.ndarray:
    """Counts of items per (cluster, label), rows and columns in sorted order: ``pd.crosstab(...).to_numpy()``.

    np.unique instead of pandas (30 ms per table on a busy machine); labels that np.unique cannot
    sort or that are missing (None, NaN) go through pandas' crosstab as before.
    """
    a, b = np.asarray(assign), np.asarray(labels)
    if a.ndim != 1 or a.shape != b.shape:
        raise DataError(f"cluster labels and labels must be 1-D of one length; got shapes {a.shape} and {b.shape}")
    try:
        if pd.isna(a).any() or pd.isna(b).any():
            raise TypeError("missing values")
        rows, row_of = np.unique(a, return_inverse=True)
        cols, col_of = np.unique(b, return_inverse=True)
    except TypeError:
        return pd.crosstab(a, b).to_numpy()
    table = np.zeros((rows.size, cols.size), dtype=np.int64)
    np.add.at(table, (row_of, col_of), 1)
    return table


@fill_doc
def nearest_neighbors(X: Any, labels: Any, query: str, k: int = 5, metric: str = "euclidean") -> pd.DataFrame:
    """The ``k`` items nearest to the item labelled ``query`` (excluding itself).

    Parameters
    ----------
    %(X_items)s
    labels : array-like
        Label of each item; ``query`` must label exactly one.
    query : str
        Label of the item whose neighbours are listed.
    k : int, optional
        Number of neighbours (default 5).
    %(metric)s

    Returns
    -------
    pandas.DataFrame
        Columns ``rank`` (1 = nearest), ``label`` and ``distance``, nearest first.

    Examples
    --------
    >>> X = [[0.0], [1.0], [3.0], [0.5]]
    >>> nearest_neighbors(X, ["zog", "man", "rock", "boy"], "zog", k=2)["label"].tolist()
    ['boy', 'man']
    """
    X = _matrix(X, "nearest_neighbors")
    lab = np.asarray(labels).astype(str)
    hits = np.flatnonzero(lab == query)
    if hits.size != 1:
        raise DataError(f"query {query!r} must label exactly one row; found {hits.size}")
    k = check_int("k", k, low=1, high=X.shape[0] - 1)
    d = cdist(X[hits], X, metric=metric)[0]
    d[hits[0]] = np.inf
    order = np.argsort(d, kind="stable")[:k]
    return pd.DataFrame({"rank": np.arange(1, k + 1), "label": lab[order], "distance": d[order]})
