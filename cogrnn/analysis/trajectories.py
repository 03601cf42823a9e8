"""State-space trajectories: PCA of hidden states and projections of chosen sequences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import check_bool, check_int
from ..exceptions import DataError
from .recording import NETWORK, Recording, _refuse_pooling

__all__ = ["StatePCA"]


class StatePCA:
    """PCA of hidden states (scikit-learn style), with projections of sequences as trajectories.

    The principal axes are those of one network's units: :meth:`fit`, :meth:`transform` and
    :meth:`trajectories` raise a DataError for a Recording of several networks (more than
    one ``seed``, as :func:`~cogrnn.analysis.evaluate` of an ensemble makes), whose unit j
    are unrelated units; fit each network on its own (``rec.subset(seed=0)``).

    Parameters
    ----------
    n_components : int, default 2
        Number of principal components kept.
    pool_networks : bool, default False
        Accept Recordings of several networks anyway (one PCA over all their states), for
        units that are the same in every network.

    Attributes
    ----------
    components_ : numpy.ndarray
        Array (n_components, n_units): the principal axes.
    explained_variance_ratio_ : numpy.ndarray
        Array (n_components,): fraction of the variance along each axis.
    mean_ : numpy.ndarray
        Array (n_units,): the mean state, subtracted before projecting.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> rec = Recording(rng.normal(size=(50, 5)), {"sentence": np.repeat(np.arange(10), 5),
    ...                                          "t": np.arange(50), "word": list("abcde") * 10})
    >>> pca = StatePCA(2).fit(rec)
    >>> traj = pca.trajectories(rec, by="sentence", order="t", label="word", select=[0, 1])
    >>> traj.shape, list(traj.columns)
    ((10, 6), ['sentence', 'step', 't', 'word', 'pc1', 'pc2'])

    A Recording of two networks: one PCA per network.

    >>> two = Recording(rng.normal(size=(20, 3)), {"seed": np.repeat([0, 1], 10), "t": np.tile(np.arange(10), 2)})
    >>> pcas = {s: StatePCA(2).fit(two.subset(seed=s)) for s in (0, 1)}
    >>> StatePCA(2).fit(two)
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: StatePCA.fit: the recording holds 2 networks (seed 0-1) whose units are not the same units; fit one network (pca.fit(rec.subset(seed=0)))
    """  # noqa: E501

    def __init__(self, n_components: int = 2, *, pool_networks: bool = False) -> None:
        self.n_components = n_components
        self.pool_networks = pool_networks

    def _one_network(self, data: Any, what: str, remedy: str) -> None:
        """Refuse a Recording of several networks, unless ``pool_networks``."""
        if isinstance(data, Recording) and not check_bool("pool_networks", self.pool_networks):
            _refuse_pooling(data.descriptors.get(NETWORK), what, remedy)

    def fit(self, data: Recording | Any) -> StatePCA:
        """Fit on a Recording's states (or an (n_obs, n_units) array).

        Parameters
        ----------
        data : Recording or array-like
            A Recording (its states are used) or an (n_obs, n_units) array.

        Returns
        -------
        StatePCA
            This object, fitted.

        Raises
        ------
        cogrnn.exceptions.DataError
            If the states are not 2-D, or a Recording holds several networks (unless
            ``pool_networks``).
        """
        from sklearn.decomposition import PCA  # imported here: scikit-learn is slow to import

        self._one_network(data, "StatePCA.fit", "fit one network (pca.fit(rec.subset(seed={seed})))")
        X = data.states if isinstance(data, Recording) else np.asarray(data, dtype=np.float64)
        if X.ndim != 2:
            raise DataError(f"states must be 2-D (n_obs, n_units); got shape {X.shape}")
        k = check_int("n_components", self.n_components, low=1, high=min(X.shape))
        self._pca = PCA(n_components=k).fit(X)
        self.components_ = self._pca.components_
        self.explained_variance_ratio_ = self._pca.explained_variance_ratio_
        self.mean_ = self._pca.mean_
        return self

    def transform(self, data: Recording | Any) -> np.ndarray:
        """Project states onto the principal components: (n_obs, n_components).

        Parameters
        ----------
        data : Recording or array-like
            A Recording (its states are used) or an (n_obs, n_units) array.

        Returns
        -------
        numpy.ndarray
            Array (n_obs, n_components) of component scores.

        Raises
        ------
        cogrnn.exceptions.DataError
            If not fitted, the states do not match, or a Recording holds several networks
            (unless ``pool_networks``).
        """
        if not hasattr(self, "_pca"):
            raise DataError("StatePCA is not fitted; call fit() first")
        self._one_network(data, "StatePCA.transform", "project one network (pca.transform(rec.subset(seed={seed})))")
        X = data.states if isinstance(data, Recording) else np.asarray(data, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.components_.shape[1]:
            raise DataError(f"states must be (n_obs, {self.components_.shape[1]}); got {X.shape}")
        return self._pca.transform(X)

    def trajectories(
        self,
        recording: Recording,
        by: str,
        order: str = "t",
        label: str | None = None,
        select: Any = None,
    ) -> pd.DataFrame:
        """Tidy trajectories: one row per step of each sequence (``by`` value), in ``order``.

        Parameters
        ----------
        recording : Recording
            States with their descriptors.
        by : str
            Descriptor whose values each make one sequence.
        order : str, optional
            Descriptor giving the order of the steps within a sequence (default ``"t"``).
        label : str, optional
            Descriptor kept as a column (e.g. the input token).
        select : scalar or sequence, optional
            Values of ``by`` to keep (default: every sequence).

        Returns
        -------
        pandas.DataFrame
            Columns ``by``, ``step`` (0-based within the sequence), ``order``, ``label`` (if
            given) and ``pc1``, ``pc2``, ...

        Raises
        ------
        cogrnn.exceptions.DataError
            If a descriptor is unknown, or the sequences kept hold several networks (unless
            ``pool_networks``): a sequence of one network is a trajectory, steps of several are not.
        """
        cols = [by, order] + ([label] if label else [])
        missing = [c for c in cols if c not in recording.descriptors.columns]
        if missing:
            raise DataError(f"unknown descriptor(s) {', '.join(missing)}")
        rec = recording if select is None else recording.subset(**{by: list(np.atleast_1d(select))})
        self._one_network(
            rec,
            "StatePCA.trajectories",
            f'take one network (pca.trajectories(rec.subset(seed={{seed}}), by="{by}"))',
        )
        pcs = self.transform(rec)
        df = rec.descriptors[cols].reset_index(drop=True).copy()
        for k in range(pcs.shape[1]):
            df[f"pc{k + 1}"] = pcs[:, k]
        df = df.sort_values([by, order], kind="stable").reset_index(drop=True)
        df.insert(1, "step", df.groupby(by).cumcount())
        return df
