"""Token-level analyses of hidden states: one vector per occurrence of a word, not per word.

Elman (1990, Fig. 9) clusters the hidden states of individual tokens: tokens stay in their
word's branch (the nearest token of a token is of the same word), the top split of all
tokens should separate the lexical classes, and within one word the tokens group by the
word's position in its sentence. :func:`sample_per_label` draws the token sample,
:func:`token_scores` scores a sample against classes and words, and
:func:`position_scores` scores one word's tokens against their positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..config import check_int
from ..exceptions import DataError
from ..random import RandomState, check_random_state
from .clustering import _adjusted_rand, _contingency, _cut_linkage, _linkage_and_nearest, cluster_scores, n_misassigned
from .trees import Tree, largest_clade_fraction

__all__ = ["sample_per_label", "token_scores", "position_scores"]


@fill_doc
def sample_per_label(labels: Any, n: int, random_state: RandomState | None = None) -> np.ndarray:
    """Indices of at most ``n`` observations per label, drawn without replacement, sorted.

    Labels are visited in sorted order; a label with fewer than ``n`` observations gives
    all of them.

    Parameters
    ----------
    labels : array-like (n_obs,)
        The label of every observation (e.g. each token's word).
    n : int
        Observations kept per label.
    %(random_state)s

    Returns
    -------
    int ndarray
        Sorted row indices.

    Examples
    --------
    >>> idx = sample_per_label(["a", "b", "a", "a", "b"], 2, random_state=0)
    >>> len(idx), sorted({["a", "b", "a", "a", "b"][i] for i in idx})
    (4, ['a', 'b'])
    """
    n = check_int("n", n, low=1)
    rng = check_random_state(random_state)
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise DataError(f"labels must be a 1-d sequence (one label per observation); got shape {arr.shape}")
    if pd.isna(arr).any():
        raise DataError("labels contain missing values (None or NaN)")
    groups = pd.Series(arr).groupby(arr).indices
    idx: list[int] = []
    for _, rows in groups.items():
        idx.extend(rng.choice(rows, size=min(n, len(rows)), replace=False))
    return np.sort(np.asarray(idx, dtype=np.int64))


def _labels(values: Any, n_obs: int, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != (n_obs,):
        raise DataError(f"{name} must have one entry per row of states ({n_obs}); got shape {arr.shape}")
    if pd.isna(arr).any():
        raise DataError(f"{name} contain missing values (None or NaN)")
    return arr


def _states(states: Any, min_rows: int) -> np.ndarray:
    try:
        X = np.asarray(states, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise DataError(f"states must be a numeric array (n_tokens, n_units): {err}") from None
    if X.ndim != 2 or X.shape[0] < min_rows or X.shape[1] == 0:
        raise DataError(f"states must be (n_tokens >= {min_rows}, n_units >= 1); got shape {X.shape}")
    if not np.isfinite(X).all():
        raise DataError("states contain NaN or infinite values")
    return X


def _flags(values: Any, n_obs: int, name: str) -> np.ndarray:
    # booleans, or numbers that are all 0 or 1 (a string is not a flag)
    arr = _labels(values, n_obs, name)
    if arr.dtype == bool:
        return arr
    if not np.issubdtype(arr.dtype, np.number) or not np.isin(arr, (0, 1)).all():
        raise DataError(f"{name} must hold booleans (or 0/1); got {arr.dtype} values such as {arr[0]!r}")
    return arr.astype(bool)


def token_scores(
    states: Any,
    classes: Any,
    words: Any,
    initial: Any,
    method: str = "average",
    metric: str = "euclidean",
) -> dict[str, float]:
    """How a sample of token vectors clusters: by class, by word, or by sentence position.

    Parameters
    ----------
    states : array (n_tokens, n_units)
        One hidden state per token.
    classes : array-like (n_tokens,)
        Each token's class (e.g. noun or verb; at least two classes).
    words : array-like (n_tokens,)
        Each token's word.
    initial : bool array-like (n_tokens,)
        Whether the token starts its sentence (booleans or 0/1).
    method, metric : str
        Agglomerative clustering (see :func:`cogrnn.analysis.linkage`).

    Returns
    -------
    dict of float
        ``class_consistency`` (share of tokens on their class's side of the 2-cluster
        cut, best matching), ``top_split_smaller`` (share of tokens on the smaller side),
        ``top_split_vs_initial`` (the same agreement against initial vs later tokens),
        ``cut3_class_purity`` (share of tokens in their cluster's majority class, 3-cluster
        cut), ``class_ari`` (ARI of the 2-cluster cut against class), ``nn_same_class``
        and ``nn_same_word`` (share of tokens whose nearest token shares the class, the word).

    Examples
    --------
    >>> X = [[0.0, 0], [0.1, 0], [0.0, 0.1], [5, 5], [5.1, 5], [5, 5.1]]
    >>> s = token_scores(X, list("nnnvvv"), ["a", "a", "b", "c", "c", "d"], [1, 0, 0, 0, 0, 0])
    >>> s["class_consistency"], s["nn_same_class"], s["top_split_smaller"]
    (1.0, 1.0, 0.5)
    """
    X = _states(states, 3)
    n = X.shape[0]
    cls = _labels(classes, n, "classes")
    if len(np.unique(cls)) < 2:
        raise DataError(f"classes must hold at least 2 distinct classes; got only {cls.tolist()[0]!r}")
    word = _labels(words, n, "words")
    first = np.where(_flags(initial, n, "initial"), "initial", "later")
    # one tree and one distance computation for every score (cut_tree, cluster_scores and
    # nearest_neighbor_agreement of the same X: the same numbers, a quarter of the clustering)
    Z, nearest = _linkage_and_nearest(X, method, metric)
    two, three = _cut_linkage(Z, 2), _cut_linkage(Z, 3)
    return {
        "class_consistency": 1 - n_misassigned(two, cls) / n,
        "top_split_smaller": float(min(np.mean(two == 0), np.mean(two == 1))),
        "top_split_vs_initial": 1 - n_misassigned(two, first) / n,
        "cut3_class_purity": float(_contingency(three, cls).max(axis=1).sum() / n),
        "class_ari": _adjusted_rand(cls, two),
        "nn_same_class": float((cls[nearest] == cls).mean()),
        "nn_same_word": float((word[nearest] == word).mean()),
    }


def position_scores(
    states: Any,
    roles: Sequence[str],
    initial_role: str,
    method: str = "average",
    metric: str = "euclidean",
) -> dict[str, float]:
    """Whether one word's tokens group by their role (e.g. sentence-initial subject vs later object).

    Elman (1990, Fig. 9) clusters the tokens of *boy* and of *girl*: the sentence-initial
    ones form one clade with few exceptions; the others group by the preceding word.

    Parameters
    ----------
    states : array (n_tokens, n_units)
        Hidden states of the tokens of one word.
    roles : sequence of str (n_tokens,)
        Each token's role.
    initial_role : str
        The role whose tokens should form one clade (Elman's 1990 Fig. 9: the
        sentence-initial tokens).
    method, metric : str
        Agglomerative clustering (see :func:`cogrnn.analysis.linkage`).

    Returns
    -------
    dict of float
        ``initial_clade``: share of the ``initial_role`` tokens in the largest clade of the
        tokens' tree made of them only (:func:`cogrnn.analysis.trees.largest_clade_fraction`);
        ``ari_position``: ARI of the tree's 2-cluster cut against the roles;
        ``other_share``: share of the tokens not in ``initial_role``.

    Examples
    --------
    >>> X = [[0.0], [0.1], [0.2], [5.0], [5.1]]
    >>> position_scores(X, ["subject"] * 3 + ["object"] * 2, "subject")
    {'initial_clade': 1.0, 'ari_position': 1.0, 'other_share': 0.4}
    """
    X = _states(states, 2)
    if isinstance(roles, str):
        raise DataError(f"roles must be a sequence of roles, one per token; got the string {roles!r}")
    role = _labels(list(roles), X.shape[0], "roles").astype(str)
    if not (role == initial_role).any():
        raise DataError(f"initial_role {initial_role!r} is the role of no token; roles are {sorted(set(role))}")
    names = [f"{r}{i}" for i, r in enumerate(role)]
    tree = Tree.from_vectors(X, names, method, metric)
    return {
        "initial_clade": largest_clade_fraction(tree, [k for k, r in zip(names, role) if r == initial_role]),
        "ari_position": cluster_scores(X, role, 2, method, metric)["ari"],
        "other_share": float(np.mean(role != initial_role)),
    }
