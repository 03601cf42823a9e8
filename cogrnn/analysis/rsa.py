"""Representational similarity analysis: RDMs from recordings, model RDMs, RDM comparisons."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import pdist, squareform

from ..config import check_bool, check_choice, check_int
from ..exceptions import ConfigError, DataError
from .recording import NETWORK, Recording, _refuse_pooling, _require

__all__ = ["RDM", "rdm", "model_rdm", "compare_rdms", "kendall_tau_a", "compare_rdm_set", "rdms_to_rsatoolbox"]

METRICS = ("correlation", "euclidean", "cosine", "sqeuclidean")
COMPARISONS = ("spearman", "kendall_tau_a", "pearson")


@dataclass
class RDM:
    """A representational dissimilarity matrix over labelled conditions.

    Parameters
    ----------
    matrix : numpy.ndarray
        Array (n, n), symmetric with a zero diagonal.
    labels : list of str
        Name of each condition, in the matrix's order.
    metric : str
        The dissimilarity measure (e.g. ``"correlation"``, or ``"category"`` for a model RDM).

    Examples
    --------
    >>> r = rdm(np.array([[0.0, 0], [3, 4], [0, 1]]), labels=["a", "b", "c"], metric="euclidean")
    >>> r.vector().round(3).tolist()
    [5.0, 1.0, 4.243]
    """

    matrix: np.ndarray
    labels: list[str]
    metric: str

    def vector(self) -> np.ndarray:
        """The upper triangle (without the diagonal), in scipy's condensed order.

        Returns
        -------
        numpy.ndarray
            The n (n - 1) / 2 dissimilarities.
        """
        return squareform(self.matrix, checks=False)

    def to_df(self) -> pd.DataFrame:
        """Tidy long form: ``row``, ``col``, ``dissimilarity`` for every pair (both orders).

        Returns
        -------
        pandas.DataFrame
            One row per ordered pair (n * n rows, the diagonal included).
        """
        n = len(self.labels)
        return pd.DataFrame(
            {
                "row": np.repeat(self.labels, n),
                "col": np.tile(self.labels, n),
                "dissimilarity": self.matrix.reshape(-1),
            }
        )

    def reorder(self, labels: Sequence[str]) -> RDM:
        """The same RDM with conditions in the order of ``labels``.

        Parameters
        ----------
        labels : sequence of str
            The RDM's labels, each once, in the new order.

        Returns
        -------
        RDM
            A new RDM; this one is unchanged.
        """
        missing = sorted(set(labels) ^ set(self.labels))
        if missing:
            raise DataError(f"labels differ from the RDM's: {', '.join(map(str, missing))}")
        idx = [self.labels.index(lab) for lab in labels]
        return RDM(self.matrix[np.ix_(idx, idx)], list(labels), self.metric)

    def to_rsatoolbox(self, descriptor: str = "conds") -> Any:
        """The RDM as an :class:`rsatoolbox.rdm.RDMs` holding one RDM (needs the extra ``rsa``).

        Parameters
        ----------
        descriptor : str, default "conds"
            Name of the pattern descriptor holding the labels (rsatoolbox's ``calc_rdm``
            names it after the descriptor the patterns were averaged by, e.g. ``"word"``).

        Returns
        -------
        rsatoolbox.rdm.RDMs
            The dissimilarities as they are (``dissimilarity_measure`` is cogrnn's metric:
            cogrnn's ``"euclidean"`` is the distance, rsatoolbox's its square divided by the
            number of units).

        Examples
        --------
        >>> r = rdm(np.array([[0.0, 0], [3, 4], [0, 1]]), labels=["a", "b", "c"], metric="euclidean")
        >>> rr = r.to_rsatoolbox()
        >>> rr.get_vectors().round(3).tolist(), rr.pattern_descriptors["conds"]
        ([[5.0, 1.0, 4.243]], ['a', 'b', 'c'])
        """
        return rdms_to_rsatoolbox({0: self}, descriptor=descriptor)

    @classmethod
    def from_rsatoolbox(cls, rdms: Any, index: int = 0, descriptor: str | None = None) -> RDM:
        """One RDM of an :class:`rsatoolbox.rdm.RDMs` as a cogrnn RDM.

        Parameters
        ----------
        rdms : rsatoolbox.rdm.RDMs
            The RDMs.
        index : int, default 0
            Which of them.
        descriptor : str, optional
            The pattern descriptor that holds the labels (default: the first one other than
            rsatoolbox's ``"index"``, else ``"index"``).

        Returns
        -------
        RDM
            Labels as strings; metric the RDMs' ``dissimilarity_measure``.

        Examples
        --------
        >>> r = rdm(np.array([[0.0, 1, 2], [2, 1, 0], [0, 1, 3]]), labels=["a", "b", "c"])
        >>> back = RDM.from_rsatoolbox(r.to_rsatoolbox())
        >>> back.labels, bool(np.allclose(back.matrix, r.matrix)), back.metric
        (['a', 'b', 'c'], True, 'correlation')
        """
        if not (hasattr(rdms, "get_matrices") and hasattr(rdms, "pattern_descriptors")):
            raise DataError(f"need an rsatoolbox RDMs; got {type(rdms).__name__}")
        index = check_int("index", index, low=0, high=rdms.n_rdm - 1)
        names = [k for k in rdms.pattern_descriptors if k != "index"] or ["index"]
        key = names[0] if descriptor is None else descriptor
        if key not in rdms.pattern_descriptors:
            raise DataError(f"no pattern descriptor {key!r}; known: {', '.join(rdms.pattern_descriptors)}")
        matrix = np.asarray(rdms.get_matrices()[index], dtype=np.float64)
        labels = [str(v) for v in rdms.pattern_descriptors[key]]
        return cls(matrix, labels, str(rdms.dissimilarity_measure or "unknown"))


def rdm(
    data: Recording | Any,
    by: str | None = None,
    labels: Sequence[str] | None = None,
    metric: str = "correlation",
    *,
    pool_networks: bool = False,
) -> RDM:
    """RDM of condition-averaged patterns.

    An RDM compares patterns over the units of one network: a Recording of several networks
    (more than one ``seed``, as :func:`~cogrnn.analysis.evaluate` of an ensemble makes) raises
    a DataError; take one network (``rdm(rec.subset(seed=0), by=...)``), one RDM per network,
    and compare the networks' RDMs (:func:`compare_rdm_set`).

    Parameters
    ----------
    data : Recording or array (n_conditions, n_units)
        With a Recording, states are first averaged by the descriptor ``by``.
    by : str, optional
        Descriptor that defines the conditions (Recording input).
    labels : list of str, optional
        Condition names (array input; default "0", "1", ...).
    metric : {"correlation", "euclidean", "cosine", "sqeuclidean"}
        ``correlation`` is 1 - Pearson r between patterns.
    pool_networks : bool, default False
        Average the states of several networks anyway (Recording input), for units that are
        the same in every network; otherwise such a Recording raises a DataError.

    Returns
    -------
    RDM
        The RDM over the conditions (at least 2).

    Raises
    ------
    cogrnn.exceptions.DataError
        If the patterns are not 2-D, a condition is constant (correlation, cosine), or a
        Recording holds several networks (see above).

    Examples
    --------
    >>> r = rdm(np.array([[0.0, 1, 2], [2, 1, 0], [0, 1, 3]]), labels=["a", "b", "c"])
    >>> r.matrix.round(2).tolist()
    [[0.0, 2.0, 0.02], [2.0, 0.0, 1.98], [0.02, 1.98, 0.0]]

    One RDM per network of a Recording of two:

    >>> rec = Recording(np.arange(12.0).reshape(6, 2) ** 2, {"seed": [0] * 3 + [1] * 3, "w": list("abc") * 2})
    >>> rdms = {s: rdm(rec.subset(seed=s), by="w", metric="euclidean") for s in (0, 1)}
    >>> rdm(rec, by="w")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: rdm(by="w"): the recording holds 2 networks (seed 0-1) whose units are not the same units; take one network (rdm(rec.subset(seed=0), by="w")), one RDM per network, and compare their RDMs (compare_rdm_set)
    """  # noqa: E501
    check_choice("metric", metric, METRICS)
    if isinstance(data, Recording):
        if by is None:
            raise DataError("rdm of a Recording needs by=<descriptor> to define the conditions")
        data._check_keys((by,))
        if not check_bool("pool_networks", pool_networks):
            _refuse_pooling(
                data.descriptors.get(NETWORK),
                f'rdm(by="{by}")',
                f'take one network (rdm(rec.subset(seed={{seed}}), by="{by}")), one RDM per network, '
                "and compare their RDMs (compare_rdm_set)",
            )
        means = data.mean_by(by, pool_networks=True)  # one network, or pooled on purpose
        X, names = means.states, [str(v) for v in means.descriptors[by]]
    else:
        X = np.asarray(data, dtype=np.float64)
        if X.ndim != 2:
            raise DataError(f"patterns must be 2-D (conditions x units); got shape {X.shape}")
        names = [str(v) for v in (labels if labels is not None else range(X.shape[0]))]
        if len(names) != X.shape[0]:
            raise DataError(f"{len(names)} labels for {X.shape[0]} conditions")
    if X.shape[0] < 2:
        raise DataError("an RDM needs at least 2 conditions")
    degenerate = {
        "correlation": X.std(axis=1) == 0,
        "cosine": np.linalg.norm(X, axis=1) == 0,
    }.get(metric)
    if degenerate is not None and bool(degenerate.any()):
        raise DataError(f"a condition has a constant pattern; the {metric} distance is undefined")
    return RDM(squareform(pdist(X, metric=metric)), names, metric)


def model_rdm(labels: Sequence[str], categories: Mapping[str, str] | Sequence[str]) -> RDM:
    """Categorical model RDM: 0 between conditions of the same category, 1 otherwise.

    Parameters
    ----------
    labels : sequence of str
        The conditions.
    categories : mapping of str to str, or sequence of str
        Category of each label (by label, or in the order of ``labels``).

    Returns
    -------
    RDM
        The 0/1 RDM, metric ``"category"``.

    Examples
    --------
    >>> model_rdm(["man", "cat", "eat"], {"man": "N", "cat": "N", "eat": "V"}).matrix.tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    cats = [categories[lab] for lab in labels] if isinstance(categories, Mapping) else list(categories)
    if len(cats) != len(labels):
        raise DataError(f"{len(cats)} categories for {len(labels)} labels")
    c = np.asarray(cats, dtype=object)
    return RDM((c[:, None] != c[None, :]).astype(np.float64), [str(x) for x in labels], "category")


def kendall_tau_a(x: Any, y: Any) -> float:
    """Kendall's tau-a: (concordant - discordant) / (n (n - 1) / 2); ties count as neither.

    The comparison recommended for categorical model RDMs (Nili et al. 2014). Runs in
    O(n log n) time and O(n) memory: the numerator S = concordant - discordant is an
    integer, recovered exactly from scipy's tau-b (computed by merge sort) and the tie
    counts, S = tau_b sqrt((n0 - n1)(n0 - n2)), rounded to the nearest integer. Values
    are compared in float64; equal values are ties.

    Parameters
    ----------
    x, y : array-like of float
        Two 1-D vectors of the same length (at least 2), finite.

    Returns
    -------
    float
        Tau-a, between -1 and 1 (0 when either vector is constant).

    Examples
    --------
    >>> kendall_tau_a([1, 2, 3], [1, 3, 2])
    0.3333333333333333
    >>> kendall_tau_a([0, 0, 1, 1], [1, 2, 3, 4])  # 4 concordant pairs, 2 tied in x
    0.6666666666666666
    """
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size < 2:
        raise DataError(f"need two 1-D vectors of the same length >= 2; got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise DataError("kendall_tau_a got NaN or infinite values")
    n = a.size
    n0 = n * (n - 1) // 2

    def tied_pairs(v: np.ndarray) -> int:
        counts = np.unique(v, return_counts=True)[1].astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    n1, n2 = tied_pairs(a), tied_pairs(b)
    if n1 == n0 or n2 == n0:  # a constant vector: every pair is tied
        return 0.0
    tau_b = float(stats.kendalltau(a, b, variant="b").statistic)
    s = round(tau_b * math.sqrt(float(n0 - n1) * float(n0 - n2)))
    return s / n0


def compare_rdms(a: RDM, b: RDM, method: str = "spearman") -> float:
    """Similarity of two RDMs over the same conditions (upper triangles), by rank or linear correlation.

    Parameters
    ----------
    a, b : RDM
        The RDMs compared; ``b`` is reordered to ``a``'s labels.
    method : {"spearman", "kendall_tau_a", "pearson"}, optional
        The correlation of the two upper triangles (default ``"spearman"``).

    Returns
    -------
    float
        The correlation, between -1 and 1.

    Examples
    --------
    >>> a = rdm(np.array([[0.0], [1.0], [3.0]]), labels=list("xyz"), metric="euclidean")
    >>> compare_rdms(a, a)
    1.0
    """
    check_choice("method", method, COMPARISONS)
    if sorted(a.labels) != sorted(b.labels):
        raise DataError("the RDMs have different conditions")
    b = b.reorder(a.labels)
    va, vb = a.vector(), b.vector()
    if method == "kendall_tau_a":
        return kendall_tau_a(va, vb)
    if method == "spearman":
        return float(stats.spearmanr(va, vb).statistic)
    return float(stats.pearsonr(va, vb).statistic)


def compare_rdm_set(rdms: Mapping[Any, RDM], method: str = "spearman") -> pd.DataFrame:
    """All pairwise comparisons of a set of RDMs (e.g. seeds or layers), as a tidy table.

    Parameters
    ----------
    rdms : mapping of object to RDM
        The RDMs, by key (e.g. seed).
    method : {"spearman", "kendall_tau_a", "pearson"}, optional
        The comparison of :func:`compare_rdms` (default ``"spearman"``).

    Returns
    -------
    pandas.DataFrame
        One row per pair of keys: columns ``a``, ``b`` and the comparison named by ``method``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(4, 6))
    >>> rs = {s: rdm(X + 0.1 * s, labels=list("abcd")) for s in range(3)}
    >>> compare_rdm_set(rs).shape
    (3, 3)
    """
    keys = list(rdms)
    rows = []
    for i, ka in enumerate(keys):
        for kb in keys[i + 1 :]:
            rows.append({"a": ka, "b": kb, method: compare_rdms(rdms[ka], rdms[kb], method)})
    return pd.DataFrame(rows)


def rdms_to_rsatoolbox(rdms: Mapping[Any, RDM], key: str = "key", descriptor: str = "conds") -> Any:
    """A set of RDMs over the same conditions (seeds, layers) as one :class:`rsatoolbox.rdm.RDMs`.

    Needs the extra ``rsa``. Each RDM is reordered to the first one's labels.

    Parameters
    ----------
    rdms : mapping of object to RDM
        The RDMs by key (e.g. seed); all of one metric and over the same labels.
    key : str, default "key"
        Name of the rdm descriptor holding the keys (e.g. ``"seed"``).
    descriptor : str, default "conds"
        Name of the pattern descriptor holding the labels.

    Returns
    -------
    rsatoolbox.rdm.RDMs
        ``n_rdm = len(rdms)``, rdm descriptor ``key``, pattern descriptor ``descriptor``.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(4, 6))
    >>> rr = rdms_to_rsatoolbox({s: rdm(X + 0.1 * s, labels=list("abcd")) for s in range(3)}, key="seed")
    >>> rr.n_rdm, rr.n_cond, list(rr.rdm_descriptors["seed"])
    (3, 4, [0, 1, 2])
    """
    rsa = _require("rsatoolbox", "rsa", "rdms_to_rsatoolbox")
    items = list(rdms.items())
    if not items:
        raise DataError("rdms_to_rsatoolbox needs at least one RDM")
    if not isinstance(key, str) or key == "index":
        raise ConfigError(f"key must be a string other than 'index'; got {key!r}")
    first = items[0][1]
    metrics = sorted({r.metric for _, r in items})
    if len(metrics) > 1:
        raise DataError(f"the RDMs have different metrics ({', '.join(metrics)})")
    vectors = np.stack([r.reorder(first.labels).vector() for _, r in items])
    return rsa.rdm.RDMs(
        dissimilarities=vectors,
        dissimilarity_measure=first.metric,
        rdm_descriptors={key: [k for k, _ in items]},
        pattern_descriptors={descriptor: list(first.labels)},
    )
