"""Labelled recordings (after rsatoolbox's Dataset): states, outputs and targets plus descriptors.

:func:`evaluate` runs a frozen network over a stream and returns a :class:`Recording` of every
step: the hidden state of every layer (and the LSTM's memory cells), the outputs and, when
given, the targets, with one row of descriptors (``seed``, ``t``, ``sequence``, the task's
own) per observation.
"""

from __future__ import annotations

import importlib
import itertools
import sys
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._progress import timed
from ..config import check_bool, check_choice, check_int
from ..exceptions import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover - imported where used: a Recording and its tables load without torch
    import torch

__all__ = ["Recording", "evaluate"]

#: the arrays of a Recording that ``to_df`` tabulates -> the name of their value column
_TABLES = {
    "states": "activation", "outputs": "output", "targets": "target", "errors": "error", "predictions": "output",
}  # fmt: skip


#: descriptors that index the observations of a Recording made by evaluate -> their xarray dimension
_OBS_DIMS = {"t": "step", "seed": "replica", "sequence": "sequence"}


def _require(module: str, extra: str, what: str) -> Any:
    """Import the optional package ``module``, else a one-line ConfigError naming the extra to install.

    Parameters
    ----------
    module : str
        The package to import (e.g. ``"xarray"``).
    extra : str
        The extra of cogrnn that installs it (e.g. ``"xarray"``: ``pip install 'cogrnn[xarray]'``).
    what : str
        The function that needs it, for the message.

    Returns
    -------
    module
        The imported package.

    Examples
    --------
    >>> _require("numpy", "none", "this example").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(f"{what} needs {module}: pip install 'cogrnn[{extra}]'") from None


#: the descriptor naming the network (replica) of each observation; unit j of one network and
#: unit j of another are unrelated, so what combines states over units must not mix networks
NETWORK = "seed"


def _shown(value: Any) -> str:
    """A descriptor value as Python source: ``0`` for a (numpy) integer, ``'a'`` for a string."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def _refuse_pooling(seeds: Any, what: str, remedy: str, holder: str = "recording") -> None:
    """A one-line DataError when ``seeds`` (the ``seed`` of every row, or None) name more than one network.

    Parameters
    ----------
    seeds : array-like or None
        The network of every row (the ``seed`` descriptor or column); None: no such labels.
    what : str
        The call refused, first in the message (e.g. ``'mean_by("token")'``).
    remedy : str
        What to do instead; ``{seed}`` is replaced by the first network's seed as Python source.
    holder : str, default "recording"
        What holds the rows, for the message (``"recording"``, ``"table"``).

    Examples
    --------
    >>> _refuse_pooling([0, 0, 0], "f", "take one network")  # one network: nothing to refuse
    >>> _refuse_pooling([0, 1, 2, 2], "f", "take one network (rec.subset(seed={seed}))")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: f: the recording holds 3 networks (seed 0-2) whose units are not the same units; take one network (rec.subset(seed=0))
    """  # noqa: E501
    if seeds is None:
        return
    arr = np.asarray(seeds)
    if arr.size < 2 or (arr.dtype.kind in "iu" and arr.min() == arr.max()):  # the common case, without hashing
        return
    values = pd.unique(pd.Series(arr.ravel()).dropna())
    if len(values) < 2:
        return
    try:
        ordered = sorted(values)
    except TypeError:  # labels of mixed types: in order of appearance
        ordered = list(values)
    if all(isinstance(v, (int, np.integer)) for v in ordered) and ordered[-1] - ordered[0] == len(ordered) - 1:
        span = f"{_shown(ordered[0])}-{_shown(ordered[-1])}"
    elif len(ordered) <= 5:
        span = ", ".join(map(_shown, ordered))
    else:
        span = f"{_shown(ordered[0])}, {_shown(ordered[1])}, ..., {_shown(ordered[-1])}"
    raise DataError(
        f"{what}: the {holder} holds {len(ordered)} networks ({NETWORK} {span}) whose units are not the same "
        f"units; {remedy.replace('{seed}', _shown(ordered[0]))}"
    )


def _quoted(keys: Sequence[str]) -> str:
    """``"a", "b"``: descriptor names as the arguments of a call, for messages."""
    return ", ".join(f'"{k}"' for k in keys)


def _fewest_dims(frame: pd.DataFrame, dims: list[str]) -> list[str]:
    """The fewest of ``dims`` (columns of ``frame``) within which the column ``_value`` is constant."""
    if frame["_value"].nunique(dropna=False) <= 1:
        return []
    for n in range(1, len(dims)):
        for sub in combinations(dims, n):
            if bool((frame.groupby(list(sub), dropna=False)["_value"].nunique(dropna=False) <= 1).all()):
                return list(sub)
    return list(dims)


def _obs_array(name: str, value: Any, n_obs: int) -> np.ndarray:
    """``value`` as a 2-D floating array with ``n_obs`` rows, else a one-line DataError."""
    arr = np.asarray(value)
    if arr.ndim != 2:
        raise DataError(f"{name} must be 2-D (n_obs, n_units); got shape {arr.shape}")
    if arr.shape[0] != n_obs:
        raise DataError(f"{name} have {arr.shape[0]} rows for {n_obs} observations")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


class Recording:
    """Hidden states ``(n_obs, n_units)`` with one row of descriptors per observation.

    A Recording made by :func:`evaluate` also holds the network's outputs and targets of
    every observation and the states of every layer, so that errors and other layers are
    analysed with the same descriptors; :meth:`mean_by` and :meth:`subset` carry them along.

    Parameters
    ----------
    states : array, shape (n_obs, n_units)
        The states analysed (by default the last layer's hidden units).
    descriptors : DataFrame or mapping of arrays of length n_obs, optional
        Per-observation labels (``seed``, ``t``, ``word``, ``category``, ...).
    outputs : array, shape (n_obs, n_outputs), optional
        The network's outputs (after the output activation).
    targets : array, shape (n_obs, n_outputs), optional
        The targets of those outputs.
    layer_states : mapping of str to arrays of shape (n_obs, n_k), optional
        Every recorded state by name: ``"h0"``, ``"h1"``, ... (hidden units of each layer)
        and, for LSTMs, ``"c0"``, ``"c1"``, ... (memory cells).
    state_name : str, optional
        The key of ``layer_states`` that ``states`` is (None when it is none of them).

    Attributes
    ----------
    states : ndarray, shape (n_obs, n_units)
    descriptors : DataFrame, n_obs rows
    outputs, targets : ndarray, shape (n_obs, n_outputs), or None
    layer_states : dict of str to ndarray
    state_name : str or None

    Examples
    --------
    >>> rec = Recording(np.arange(8.0).reshape(4, 2), {"word": ["a", "b", "a", "b"]})
    >>> rec.mean_by("word").states.tolist()
    [[2.0, 3.0], [4.0, 5.0]]
    >>> rec.subset(word="a").n_obs
    2
    >>> rec.to_df().columns.tolist()
    ['word', 'unit', 'activation']
    """

    def __init__(
        self,
        states: Any,
        descriptors: pd.DataFrame | Mapping[str, Any] | None = None,
        *,
        outputs: Any = None,
        targets: Any = None,
        layer_states: Mapping[str, Any] | None = None,
        state_name: str | None = None,
    ) -> None:
        arr = np.asarray(states)
        if arr.ndim != 2:
            raise DataError(f"states must be 2-D (n_obs, n_units); got shape {arr.shape}")
        if arr.shape[0] == 0:
            raise DataError("a Recording needs at least one observation")
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
        n_obs = arr.shape[0]
        desc = pd.DataFrame(descriptors if descriptors is not None else {}).reset_index(drop=True)
        if len(desc.columns) and len(desc) != n_obs:
            raise DataError(f"descriptors have {len(desc)} rows for {n_obs} observations")
        if not len(desc.columns):
            desc = pd.DataFrame(index=range(n_obs))
        self.states = arr
        self.descriptors = desc
        self.outputs = None if outputs is None else _obs_array("outputs", outputs, n_obs)
        self.targets = None if targets is None else _obs_array("targets", targets, n_obs)
        if self.outputs is not None and self.targets is not None and self.targets.shape != self.outputs.shape:
            raise DataError(f"targets of shape {self.targets.shape} do not match outputs of shape {self.outputs.shape}")
        self.layer_states = {
            str(k): _obs_array(f"layer_states[{k!r}]", v, n_obs) for k, v in (layer_states or {}).items()
        }
        if state_name is not None and state_name not in self.layer_states:
            raise DataError(f"state_name {state_name!r} is not a key of layer_states ({self._known_states()})")
        self.state_name = state_name

    @property
    def n_obs(self) -> int:
        """Number of observations (rows)."""
        return int(self.states.shape[0])

    @property
    def n_units(self) -> int:
        """Number of units of ``states`` (columns)."""
        return int(self.states.shape[1])

    @property
    def errors(self) -> np.ndarray:
        """``outputs - targets``, shape (n_obs, n_outputs).

        Returns
        -------
        ndarray, shape (n_obs, n_outputs)

        Examples
        --------
        >>> rec = Recording(np.zeros((2, 1)), outputs=[[0.5], [1.0]], targets=[[1.0], [1.0]])
        >>> rec.errors.ravel().tolist()
        [-0.5, 0.0]
        """
        if self.outputs is None or self.targets is None:
            missing = "outputs" if self.outputs is None else "targets"
            raise DataError(
                f"this Recording has no {missing}; errors need outputs and targets (evaluate(..., targets))"
            )
        return self.outputs - self.targets

    @property
    def sq_error(self) -> np.ndarray:
        """Squared error of every observation, summed over the output units: shape (n_obs,).

        After :meth:`mean_by` this is the squared error of the averaged outputs, not the mean
        squared error.

        Returns
        -------
        ndarray, shape (n_obs,)

        Examples
        --------
        >>> rec = Recording(np.zeros((1, 1)), outputs=[[0.5, 0.0]], targets=[[1.0, 1.0]])
        >>> rec.sq_error.tolist()
        [1.25]
        """
        return (self.errors**2).sum(axis=1)

    def __len__(self) -> int:
        return self.n_obs

    def __repr__(self) -> str:
        cols = ", ".join(map(str, self.descriptors.columns))
        extra = "".join(f", {k}" for k in ("outputs", "targets") if getattr(self, k) is not None)
        layers = f", layer_states=[{', '.join(self.layer_states)}]" if self.layer_states else ""
        return f"Recording(n_obs={self.n_obs}, n_units={self.n_units}, descriptors=[{cols}]{extra}{layers})"

    def _known_states(self) -> str:
        return ", ".join(self.layer_states) or "(none)"

    def _check_keys(self, keys: tuple[str, ...]) -> None:
        missing = [k for k in keys if k not in self.descriptors.columns]
        if missing:
            known = ", ".join(map(str, self.descriptors.columns)) or "(none)"
            raise DataError(f"unknown descriptor(s) {', '.join(missing)}; known: {known}")

    def _replace(self, rows: Any, descriptors: pd.DataFrame, states: np.ndarray | None = None) -> Recording:
        """A Recording of the same kind with every array mapped by ``rows`` (a function of an array).

        An array held twice (``states`` is also ``layer_states[state_name]``) is mapped once.
        """
        done: dict[int, np.ndarray] = {}

        def mapped(values: np.ndarray) -> np.ndarray:
            if id(values) not in done:
                done[id(values)] = rows(values)
            return done[id(values)]

        return Recording(
            mapped(self.states) if states is None else states,
            descriptors,
            outputs=None if self.outputs is None else mapped(self.outputs),
            targets=None if self.targets is None else mapped(self.targets),
            layer_states={k: mapped(v) for k, v in self.layer_states.items()},
            state_name=self.state_name,
        )

    def with_states(self, name: str) -> Recording:
        """The same Recording analysing the recorded states ``name`` (``"h0"``, ``"c1"``, ...).

        Parameters
        ----------
        name : str
            A key of :attr:`layer_states`.

        Returns
        -------
        Recording
            The same observations, descriptors, outputs and targets, with ``states`` set to
            ``layer_states[name]``.

        Examples
        --------
        >>> from cogrnn.models import ElmanSRN
        >>> net = ElmanSRN(2, 3, 2, num_layers=2, random_state=0)
        >>> rec = evaluate(net, np.eye(2)[[0, 1, 0]][:, None])
        >>> rec.state_name, rec.with_states("h0").state_name, sorted(rec.layer_states)
        ('h1', 'h0', ['h0', 'h1'])
        """
        if name not in self.layer_states:
            raise DataError(f"no recorded states {name!r}; known: {self._known_states()}")
        return Recording(
            self.layer_states[name],
            self.descriptors,
            outputs=self.outputs,
            targets=self.targets,
            layer_states=self.layer_states,
            state_name=name,
        )

    @classmethod
    def from_model(
        cls,
        model: Any,
        inputs: Any,
        descriptors: Mapping[str, Any] | None = None,
        layer: int = -1,
        state: Any = None,
        chunk_size: int = 4096,
        dtype: Any = np.float32,
    ) -> Recording:
        """Record the hidden states of every replica of ``model`` over ``inputs`` (frozen weights).

        A thin wrapper of :func:`evaluate` without targets, analysing layer ``layer`` and
        casting every state and output to ``dtype``.

        Parameters
        ----------
        model : RecurrentEnsemble
            The network (an ensemble of R replicas).
        inputs : array, (T, B, I) or (R, T, B, I)
            The stream, shared by the replicas or one per replica.
        descriptors : mapping of (T,), (T, B), (R, T) or (R, T, B) arrays, optional
            Per-step labels.
        layer : int, default -1
            Which layer's hidden units ``states`` holds.
        state : tuple of tensors, optional
            Initial state (default: the model's ``init_state``).
        chunk_size : int, default 4096
            Steps per forward call (the state carries over), to bound memory.
        dtype : numpy dtype, default float32
            Dtype of the recorded arrays.

        Returns
        -------
        Recording
            Observations ordered by replica, step, sequence; descriptors ``seed`` (the
            replica), ``t``, ``sequence`` plus the given ones.

        Examples
        --------
        >>> from cogrnn.models import ElmanSRN
        >>> net = ElmanSRN(2, 3, 2, n_replicas=2, random_state=0)
        >>> rec = Recording.from_model(net, np.eye(2)[[0, 1, 0]][:, None], {"word": ["x", "y", "x"]})
        >>> rec.n_obs, rec.n_units, rec.mean_by("seed", "word").n_obs
        (6, 3, 4)
        """
        n_layers = check_int("model.num_layers", getattr(model, "num_layers", 1), low=1)
        layer = check_int("layer", layer, low=-n_layers, high=n_layers - 1)
        rec = evaluate(model, inputs, None, descriptors, state=state, chunk_size=chunk_size, dtype=dtype)
        return rec.with_states(f"h{layer % n_layers}")

    def mean_by(self, *keys: str, pool_networks: bool = False) -> Recording:
        """Average every array within each combination of descriptor values.

        A Recording of several networks (more than one ``seed``, as :func:`evaluate` of an
        ensemble makes) is averaged within each network: ``keys`` must include ``"seed"``
        (``mean_by("seed", "word")``), since unit j of one network and unit j of another are
        unrelated; without it mean_by raises a DataError instead of averaging them.

        Parameters
        ----------
        *keys : str
            Descriptor names that define the groups.
        pool_networks : bool, default False
            Average over several networks anyway (keys without ``"seed"``): for units that
            are the same in every network (e.g. the outputs and targets, one unit per word);
            the averaged states then mix unrelated units.

        Returns
        -------
        Recording
            One observation per group (sorted), descriptors ``keys`` plus ``n`` (the group's
            size); states, outputs, targets and layer states are the group means.

        Raises
        ------
        cogrnn.exceptions.DataError
            If a key is not a descriptor, or if the groups would mix networks (see above).

        Examples
        --------
        >>> rec = Recording(np.arange(4.0).reshape(2, 2), {"w": ["a", "a"]}, outputs=[[1.0], [3.0]])
        >>> m = rec.mean_by("w")
        >>> m.states.tolist(), m.outputs.tolist(), m.descriptors["n"].tolist()
        ([[1.0, 2.0]], [[2.0]], [2])

        Two networks are averaged each on its own:

        >>> two = Recording(np.arange(8.0).reshape(4, 2), {"seed": [0, 0, 1, 1], "w": ["a", "b"] * 2})
        >>> two.mean_by("seed", "w").n_obs
        4
        >>> two.mean_by("w")
        Traceback (most recent call last):
        ...
        cogrnn.exceptions.DataError: mean_by("w"): the recording holds 2 networks (seed 0-1) whose units are not the same units; group by seed too (mean_by("seed", "w")) or take one network (rec.subset(seed=0))
        """  # noqa: E501
        if not keys:
            raise DataError("mean_by needs at least one descriptor name")
        self._check_keys(keys)
        if not check_bool("pool_networks", pool_networks) and NETWORK not in keys:
            _refuse_pooling(
                self.descriptors.get(NETWORK),
                f"mean_by({_quoted(keys)})",
                f"group by seed too (mean_by({_quoted((NETWORK, *keys))})) "
                "or take one network (rec.subset(seed={seed}))",
            )
        codes, uniques = pd.MultiIndex.from_frame(self.descriptors[list(keys)]).factorize(sort=True)
        counts = np.bincount(codes, minlength=len(uniques))

        def group_mean(values: np.ndarray) -> np.ndarray:
            return _group_sums(codes, values, len(uniques)) / counts[:, None]

        desc = pd.DataFrame(list(uniques), columns=list(keys))
        desc["n"] = counts
        return self._replace(group_mean, desc)

    def subset(self, mask: Any = None, **equals: Any) -> Recording:
        """Observations where ``mask`` is True and every ``descriptor == value`` (or ``in`` a list).

        Parameters
        ----------
        mask : array of bool, shape (n_obs,), optional
            Observations to keep.
        **equals
            ``descriptor=value`` (or a list, tuple or set of values) to keep.

        Returns
        -------
        Recording
            The kept observations, with their outputs, targets and layer states.

        Examples
        --------
        >>> rec = Recording(np.arange(6.0).reshape(3, 2), {"w": ["a", "b", "a"]}, outputs=np.ones((3, 1)))
        >>> rec.subset(w="a").outputs.shape, rec.subset(rec.states[:, 0] > 1).n_obs
        ((2, 1), 2)
        """
        keep = np.ones(self.n_obs, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if keep.shape != (self.n_obs,):
            raise DataError(f"mask must have one entry per observation ({self.n_obs}); got {keep.shape}")
        self._check_keys(tuple(equals))
        for key, value in equals.items():
            col = self.descriptors[key]
            keep &= col.isin(value).to_numpy() if isinstance(value, (list, tuple, set)) else (col == value).to_numpy()
        if not keep.any():
            raise DataError(f"no observation matches {equals or 'the mask'}")
        return self._replace(lambda values: values[keep], self.descriptors[keep])

    def to_df(self, long: bool = True, what: str = "states") -> pd.DataFrame:
        """A tidy table of one of the Recording's arrays with the descriptors.

        Parameters
        ----------
        long : bool, default True
            One row per observation and unit, or one row per observation (wide).
        what : {"states", "outputs", "targets", "errors", "predictions"}, default "states"
            The array: long tables have a ``unit`` column (the state or output unit) and a
            value column ``activation``, ``output``, ``target`` or ``error``; wide tables one
            column per unit, ``unit_0``, ... for states and ``output_0``, ``target_0``,
            ``error_0``, ... for the others. ``"predictions"`` (long only) puts ``output``,
            ``target``, ``error`` and ``sq_error`` side by side, one row per observation and
            output unit: the input of :func:`cogrnn.analysis.step_errors` (``feature="unit"``).

        Returns
        -------
        pandas.DataFrame
            The descriptors, then the unit and value columns (long) or one column per unit (wide).

        Examples
        --------
        >>> rec = Recording(np.zeros((2, 3)), {"w": ["a", "b"]}, outputs=np.ones((2, 1)), targets=np.ones((2, 1)))
        >>> rec.to_df(what="errors").columns.tolist(), rec.to_df(long=False).shape
        (['w', 'unit', 'error'], (2, 4))
        >>> rec.to_df(what="predictions").columns.tolist()
        ['w', 'unit', 'output', 'target', 'error', 'sq_error']
        """
        if what not in _TABLES:
            raise ConfigError(f"what must be one of {', '.join(_TABLES)}; got {what!r}")
        if what == "predictions":
            if not long:
                raise ConfigError('what="predictions" is a long table; use long=True')
            if self.outputs is None or self.targets is None:
                raise DataError("this Recording has no outputs and targets")
            table = self.to_df(what="outputs")
            table["target"] = self.targets.reshape(-1)
            table["error"] = self.errors.reshape(-1)
            table["sq_error"] = table["error"] ** 2
            return table
        if what == "states":
            values = self.states
        elif what == "errors":
            values = self.errors
        else:
            values = getattr(self, what)
            if values is None:
                raise DataError(f"this Recording has no {what}")
        value = _TABLES[what]
        if not long:
            prefix = "unit" if what == "states" else value
            wide = pd.DataFrame(values, columns=[f"{prefix}_{k}" for k in range(values.shape[1])])
            return pd.concat([self.descriptors.reset_index(drop=True), wide], axis=1)
        n_units = values.shape[1]
        rep = {c: np.repeat(self.descriptors[c].to_numpy(), n_units) for c in self.descriptors.columns}
        rep["unit"] = np.tile(np.arange(n_units), self.n_obs)
        rep[value] = values.reshape(-1)
        return pd.DataFrame(rep)

    @classmethod
    def from_df(
        cls,
        df: pd.DataFrame,
        obs: list[str],
        unit: str = "unit",
        value: str = "activation",
        *,
        pool_networks: bool = False,
    ) -> Recording:
        """Inverse of ``to_df()``: pivot a long table (one row per observation and unit) back.

        Rows that share their ``obs`` and ``unit`` are averaged. A table of several networks
        (a ``seed`` column with more than one value) needs ``"seed"`` among ``obs``: averaging
        unit j over networks mixes unrelated units, and from_df raises a DataError instead.

        Parameters
        ----------
        df : DataFrame
            Long table with the ``obs`` columns, ``unit`` and ``value``.
        obs : list of str
            Columns that identify an observation (they become the descriptors).
        unit, value : str
            Columns of the unit index and of the activation.
        pool_networks : bool, default False
            Average over several networks anyway (``obs`` without ``"seed"``), for units
            that are the same in every network (e.g. output units).

        Returns
        -------
        Recording

        Raises
        ------
        cogrnn.exceptions.DataError
            If a column is missing, or if the observations would mix networks (see above).

        Examples
        --------
        >>> rec = Recording(np.arange(4.0).reshape(2, 2), {"w": ["a", "b"]})
        >>> Recording.from_df(rec.to_df(), ["w"]).states.tolist()
        [[0.0, 1.0], [2.0, 3.0]]
        >>> two = Recording(np.arange(8.0).reshape(4, 2), {"seed": [0, 0, 1, 1], "w": ["a", "b"] * 2})
        >>> Recording.from_df(two.to_df(), ["seed", "w"]).n_obs
        4
        """
        missing = [c for c in [*obs, unit, value] if c not in df.columns]
        if missing:
            raise DataError(f"table lacks column(s) {', '.join(missing)}")
        if not check_bool("pool_networks", pool_networks) and NETWORK not in obs:
            _refuse_pooling(
                df.get(NETWORK),
                f"Recording.from_df(obs=[{_quoted(obs)}])",
                f"put seed among obs (from_df(df, [{_quoted((NETWORK, *obs))}])) "
                'or take one network (df[df["seed"] == {seed}])',
                holder="table",
            )
        # groupby keeps missing labels (e.g. empty strings read back from a CSV as NaN)
        wide = df.groupby([*obs, unit], sort=False, dropna=False)[value].mean().unstack(unit)
        return cls(wide.to_numpy(), wide.index.to_frame(index=False))

    # -- interop ------------------------------------------------------------------------
    def _obs_grid(self) -> tuple[list[str], list[str], dict[str, Any], tuple[np.ndarray, ...]]:
        """The observation axes of :meth:`to_xarray`: descriptor keys, dims, coordinates and each row's cell."""
        desc = self.descriptors
        if not {"t", "seed"} <= set(desc.columns):
            return [], ["obs"], {"obs": np.arange(self.n_obs)}, (np.arange(self.n_obs),)
        keys = [k for k in _OBS_DIMS if k in desc.columns and (k != "sequence" or desc[k].nunique(dropna=False) > 1)]
        values, cells = {}, []
        for key in keys:
            codes, uniques = pd.factorize(desc[key], sort=True)
            if (codes < 0).any():
                raise DataError(f"descriptor {key!r} has missing values; to_xarray indexes the observations by it")
            values[_OBS_DIMS[key]] = np.asarray(uniques)
            cells.append(codes)
        shape = tuple(len(v) for v in values.values())
        flat = np.ravel_multi_index(tuple(cells), shape)
        if len(np.unique(flat)) != self.n_obs:
            raise DataError(
                f"observations share their ({', '.join(keys)}); to_xarray needs one observation per cell "
                "(average them first with mean_by)"
            )
        return keys, [_OBS_DIMS[k] for k in keys], values, tuple(cells)

    def to_xarray(self, what: str = "states") -> Any:
        """The Recording as a labelled :class:`xarray.DataArray` (needs the extra ``xarray``).

        A Recording made by :func:`evaluate` (descriptors ``t``, ``seed``, ``sequence``) is laid
        out on the dimensions ``step``, ``replica``, ``sequence`` (only when the recording has
        more than one sequence), then ``layer`` and ``unit``; any other Recording on ``obs``,
        ``layer``, ``unit``. Every other descriptor becomes a coordinate on the fewest
        observation dimensions it varies along (``word`` on ``step`` alone when every replica
        read the same stream). Cells without an observation (replicas of unequal ``lengths``)
        and the missing units of a smaller layer are NaN.

        Parameters
        ----------
        what : {"states", "outputs", "targets", "errors"}, default "states"
            ``"states"``: every recorded layer (``layer_states``, the layer coordinate holding
            ``"h0"``, ``"h1"``, ..., ``"c0"``, ...; a Recording without them has the single
            layer ``"states"``). The others have no ``layer`` dimension; their ``unit`` is the
            output unit.

        Returns
        -------
        xarray.DataArray
            Named ``activation``, ``output``, ``target`` or ``error``; ``attrs["state_name"]``
            is the layer that :attr:`states` analyses.

        Examples
        --------
        >>> from cogrnn.models import ElmanSRN
        >>> net = ElmanSRN(2, 3, 2, num_layers=2, n_replicas=2, random_state=0)
        >>> rec = evaluate(net, np.eye(2)[[0, 1, 0]][:, None], descriptors={"word": list("xyx")})
        >>> da = rec.to_xarray()
        >>> da.dims, da.sizes["layer"], da["word"].dims
        (('step', 'replica', 'layer', 'unit'), 2, ('step',))
        >>> bool((da.sel(replica=1, layer="h1").values == rec.subset(seed=1).states).all())
        True
        """
        xr = _require("xarray", "xarray", "Recording.to_xarray")
        check_choice("what", what, ("states", "outputs", "targets", "errors"))
        keys, dims, coords, cells = self._obs_grid()
        shape = tuple(len(v) for v in coords.values())
        if what == "states":
            layers = {} if self.state_name is not None else {"states": self.states}
            layers.update(self.layer_states)
            n_units = max(v.shape[1] for v in layers.values())
            data = np.full((*shape, len(layers), n_units), np.nan)
            for i, values in enumerate(layers.values()):
                where: Any = (*cells, i, slice(0, values.shape[1]))
                data[where] = values
            names, coords = [*dims, "layer", "unit"], {**coords, "layer": list(layers)}
        else:
            values = self.errors if what == "errors" else getattr(self, what)
            if values is None:
                raise DataError(f"this Recording has no {what}")
            n_units = values.shape[1]
            data = np.full((*shape, n_units), np.nan)
            data[cells] = values
            names = [*dims, "unit"]
        coords["unit"] = np.arange(n_units)
        attrs = {} if self.state_name is None else {"state_name": self.state_name}
        da = xr.DataArray(data, dims=names, coords=coords, name=_TABLES[what], attrs=attrs)
        return da.assign_coords(self._xarray_coords(keys, dims, coords, names))

    def _xarray_coords(
        self, keys: list[str], dims: list[str], coords: dict[str, Any], names: list[str]
    ) -> dict[str, tuple[Any, ...]]:
        """Every descriptor but the observation keys, on the fewest observation dims it varies along."""
        desc = self.descriptors
        out: dict[str, tuple[Any, ...]] = {}
        for col in desc.columns:
            if col in keys:
                continue
            if col in names:
                raise DataError(f"descriptor {col!r} has the name of a dimension; rename it before to_xarray")
            if not keys:
                out[str(col)] = (("obs",), desc[col].to_numpy())
                continue
            frame = desc[keys].set_axis(dims, axis=1).assign(_value=desc[col])
            found = _fewest_dims(frame, dims)
            if not found:
                out[str(col)] = ((), desc[col].iloc[0])
                continue
            first = frame.groupby(found, dropna=False)["_value"].first()
            full = pd.MultiIndex.from_product([coords[d] for d in found], names=found)
            values = first.reindex(full if len(found) > 1 else full.get_level_values(0)).to_numpy()
            out[str(col)] = (tuple(found), values.reshape([len(coords[d]) for d in found]))
        return out

    def to_rsatoolbox(self) -> Any:
        """The Recording as an :class:`rsatoolbox.data.Dataset` (needs the extra ``rsa``).

        The measurements are :attr:`states` (one channel per unit, channel descriptor
        ``unit``), every descriptor is an observation descriptor, and the dataset descriptor
        ``state_name`` names the layer. ``rsatoolbox.rdm.calc_rdm(ds, descriptor=...)`` then
        gives the RDMs of :func:`cogrnn.analysis.rdm` (its ``"euclidean"`` is cogrnn's
        ``"sqeuclidean"`` divided by the number of units). A Recording of several networks is
        exported whole, with the observation descriptor ``seed``: calc_rdm would average unit
        j over unrelated networks, so split it first (``ds.split_obs("seed")``, one Dataset
        per network), as :func:`cogrnn.analysis.rdm` refuses to pool them.

        Returns
        -------
        rsatoolbox.data.Dataset
            One observation per row of the Recording, one channel per unit.

        Examples
        --------
        >>> rec = Recording(np.arange(8.0).reshape(4, 2) ** 2, {"word": ["a", "b", "a", "b"]})
        >>> ds = rec.to_rsatoolbox()
        >>> ds.n_obs, ds.n_channel, list(ds.obs_descriptors["word"])
        (4, 2, ['a', 'b', 'a', 'b'])
        """
        rsa = _require("rsatoolbox", "rsa", "Recording.to_rsatoolbox")
        obs = {str(c): self.descriptors[c].to_numpy() for c in self.descriptors.columns}
        return rsa.data.Dataset(
            measurements=np.asarray(self.states),
            descriptors={"state_name": self.state_name or "states"},
            obs_descriptors=obs,
            channel_descriptors={"unit": np.arange(self.n_units)},
        )

    @classmethod
    def from_rsatoolbox(cls, dataset: Any) -> Recording:
        """A Recording of an :class:`rsatoolbox.data.Dataset`'s measurements and observation descriptors.

        Parameters
        ----------
        dataset : rsatoolbox.data.Dataset
            Measurements (n_obs, n_channels); its obs_descriptors become the descriptors.

        Returns
        -------
        Recording
            The measurements as states, the obs_descriptors as descriptors.

        Examples
        --------
        >>> rec = Recording(np.arange(4.0).reshape(2, 2), {"w": ["a", "b"]})
        >>> back = Recording.from_rsatoolbox(rec.to_rsatoolbox())
        >>> back.states.tolist(), back.descriptors["w"].tolist()
        ([[0.0, 1.0], [2.0, 3.0]], ['a', 'b'])
        """
        if not (hasattr(dataset, "measurements") and hasattr(dataset, "obs_descriptors")):
            raise DataError(f"need an rsatoolbox Dataset; got {type(dataset).__name__}")
        return cls(np.asarray(dataset.measurements), {k: np.asarray(v) for k, v in dataset.obs_descriptors.items()})


def _check_lengths(lengths: Any, R: int, T: int) -> list[int] | None:
    import torch

    if lengths is None:
        return None
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, (Sequence, np.ndarray, torch.Tensor)):
        raise ConfigError(f"lengths must be a sequence of one int per replica ({R}); got {type(lengths).__name__}")
    values = [v.item() if hasattr(v, "item") else v for v in lengths]
    if len(values) != R:
        raise DataError(f"lengths must have one entry per replica ({R}); got {len(values)}")
    return [check_int(f"lengths[{r}]", v, low=1, high=T) for r, v in enumerate(values)]


def _check_targets(targets: Any, shape: tuple[int, int, int, int]) -> np.ndarray:
    """Targets as a float64 array of ``shape`` (R, T, B, O) (shared ones broadcast, not copied)."""
    import torch

    from ..models.base import as_real_tensor

    y = as_real_tensor("targets", targets, torch.float64).numpy()
    R, T, B, O = shape
    if y.ndim == 2 and B == 1:
        y = y[:, None]
    if y.ndim == 3:
        y = y[None]
    if y.ndim != 4 or y.shape[0] not in (1, R) or y.shape[1:] != (T, B, O):
        raise DataError(f"targets of shape {tuple(np.shape(targets))} do not match outputs of shape {shape}")
    return np.broadcast_to(y, shape)


def _check_descriptor(key: str, value: Any, R: int, T: int, B: int) -> np.ndarray:
    """A descriptor as an (R, T, B) array (a broadcast view), from (T,), (T, B), (R, T) or (R, T, B)."""
    v = np.asarray(value)
    as_tb = v.ndim == 2 and v.shape[0] == T and v.shape[1] in (1, B)
    as_rt = v.ndim == 2 and v.shape == (R, T)
    if as_tb and as_rt and B != 1:
        raise DataError(f"descriptor {key!r} of shape {v.shape} is ambiguous ((T, B) or (R, T)); give it as (R, T, B)")
    if v.ndim == 1 and v.shape[0] == T:
        v = v[None, :, None]
    elif as_tb:
        v = v[None]
    elif as_rt:
        v = v[:, :, None]
    elif not (v.ndim == 3 and v.shape == (R, T, B)):
        raise DataError(
            f"descriptor {key!r} must have shape (T,), (T, B), (R, T) or (R, T, B) with R={R}, T={T}, B={B}; "
            f"got {v.shape}"
        )
    return np.broadcast_to(v, (R, T, B))


def evaluate(
    model: Any,
    inputs: Any,
    targets: Any = None,
    descriptors: Mapping[str, Any] | None = None,
    *,
    state: Any = None,
    lengths: Sequence[int] | None = None,
    chunk_size: int = 4096,
    dtype: Any = np.float64,
) -> Recording:
    """Run a network with frozen weights over a stream and record every step.

    The forward pass runs under :func:`torch.no_grad` in chunks of at most ``chunk_size``
    steps, of equal length (the state carries over from chunk to chunk, so the result is that
    of one pass; no short last chunk, whose input products BLAS may round otherwise: chunks of
    a few rows take other kernels). The states and outputs of every step go straight into
    arrays of ``dtype``, one row per observation, so the memory used is about that of the result.

    Parameters
    ----------
    model : RecurrentEnsemble
        The network: an ensemble of R replicas (``ElmanSRN``, ``JordanNetwork``,
        ``LSTMNetwork``, ``GRUNetwork``).
    inputs : array or Tensor, (T, B, I) or (R, T, B, I)
        One stream per sequence shared by every replica, or one stream per replica.
    targets : array or Tensor, (T, B, O) or (R, T, B, O), optional
        Targets of the outputs; needed for :attr:`Recording.errors` and
        :attr:`Recording.sq_error`.
    descriptors : mapping of str to arrays, optional
        Per-step labels, each of shape (T,), (T, B), (R, T) or (R, T, B).
    state : tuple of tensors, optional
        Initial state (default: the model's ``init_state``).
    lengths : sequence of int, optional
        One length per replica: replica r's steps from ``lengths[r]`` on are padding and are
        dropped (streams of unequal length padded at the end to a common T).
    chunk_size : int, default 4096
        Most steps per forward call, to bound memory (the steps are split into equal chunks).
    dtype : floating dtype or "model", default float64
        Dtype of the recorded states, layer states and outputs; ``"model"`` keeps the
        model's (float32 for a float32 model: half the memory of float64, which holds the
        same numbers exactly).

    Returns
    -------
    Recording
        Observations ordered by (seed, t, sequence); descriptors ``seed`` (the replica),
        ``t``, ``sequence`` and then the given ones; ``states`` the last layer's hidden
        units, ``layer_states`` ``"h0"``, ``"h1"``, ... (and ``"c0"``, ... for LSTMs) and
        ``outputs`` in ``dtype``, ``targets`` (or None) as float64.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(2, 3, 2, n_replicas=2, random_state=0)
    >>> x = np.eye(2)[[0, 1, 0, 1]][:, None]          # (T, B, I) = (4, 1, 2)
    >>> rec = evaluate(net, x, np.roll(x, -1, axis=0), {"letter": list("abab")})
    >>> rec.descriptors.columns.tolist(), rec.states.shape, rec.sq_error.shape
    (['seed', 't', 'sequence', 'letter'], (8, 3), (8,))
    >>> evaluate(net, np.stack([x, x]), lengths=[4, 2]).n_obs
    6
    >>> evaluate(net, x, dtype="model").states.dtype
    dtype('float32')
    """
    import torch

    from .._threads import single_torch_thread

    if not (hasattr(model, "check_inputs") and hasattr(model, "init_state") and callable(model)):
        raise ConfigError(f"model must be a cogrnn recurrent network (RecurrentEnsemble); got {type(model).__name__}")
    chunk_size = check_int("chunk_size", chunk_size, low=1)
    x = model.check_inputs(inputs)
    stored = _floating_dtype(torch.empty(0, dtype=x.dtype).numpy().dtype if _is_model(dtype) else dtype)
    R, T, B, _ = x.shape
    lens = _check_lengths(lengths, R, T)
    y = None if targets is None else _check_targets(targets, (R, T, B, model.output_size))
    reserved = {"seed", "t", "sequence"}
    desc_arrays = {}
    for key, value in (descriptors or {}).items():
        arr = _check_descriptor(str(key), value, R, T, B)
        if key in reserved:
            # a task's own step index (SequenceBatch descriptors carry ``t``) is the same labelling
            same = {"t": np.arange(T)[None, :, None], "sequence": np.arange(B)[None, None, :],
                    "seed": np.arange(R)[:, None, None]}[key]  # fmt: skip
            if not np.array_equal(np.asarray(arr), np.broadcast_to(same, np.shape(arr))):
                raise DataError(f"descriptor {key!r} is set by evaluate (the {key} index); give yours another name")
            continue
        desc_arrays[str(key)] = arr

    n_run = T if lens is None else max(lens)
    kept = [n_run] * R if lens is None else lens
    rows = _ObservationRows(kept, B, stored)
    arrays: dict[str, np.ndarray] = {}
    # one intra-op thread: small per-chunk products gain nothing from threads, and contended
    # threads made a 50-seed evaluation 27x slower on a busy machine (same bits either way)
    with torch.no_grad(), single_torch_thread(), timed("evaluate"):
        compiled = _compiled_pass(model, x[:, :n_run], state)
        n_chunks = -(-n_run // chunk_size)
        bounds = [n_run * k // n_chunks for k in range(n_chunks + 1)]
        for start, stop in itertools.pairwise(bounds):
            if compiled is None:
                out = model(x[:, start:stop], state)
            else:
                out = compiled(x[:, start:stop], model.check_state(state, B))
            state = out.state
            rows.store(arrays, "outputs", out.outputs, start)
            for layer in range(out.hidden.shape[1]):
                rows.store(arrays, f"h{layer}", out.hidden[:, layer], start)
            cells_t = getattr(out, "cells", None)
            if cells_t is not None:
                for layer in range(cells_t.shape[1]):
                    rows.store(arrays, f"c{layer}", cells_t[:, layer], start)
            del out

    steps = np.arange(n_run)
    desc: dict[str, Any] = {
        "seed": rows.gather(np.broadcast_to(np.arange(R)[:, None, None], (R, n_run, B))),
        "t": rows.gather(np.broadcast_to(steps[None, :, None], (R, n_run, B))),
        "sequence": rows.gather(np.broadcast_to(np.arange(B)[None, None, :], (R, n_run, B))),
    }
    for key, v in desc_arrays.items():
        desc[key] = rows.gather(v[:, :n_run])
    outputs = arrays.pop("outputs")
    layer_states = {k: arrays[k] for k in sorted(arrays, key=lambda k: (k[0] != "h", int(k[1:])))}
    top = f"h{sum(k.startswith('h') for k in layer_states) - 1}"
    return Recording(
        layer_states[top],
        desc,
        outputs=outputs,
        targets=None if y is None else rows.gather(y[:, :n_run]),
        layer_states=layer_states,
        state_name=top,
    )


def _group_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the float64 sum of the rows of ``values``, added in row order (as np.add.at and bincount add them).

    Large arrays in a process that has loaded numba (training loads it) are summed by one
    compiled pass over the rows; otherwise ``np.bincount`` per column (the same sums: each
    group's rows added one after another to 0.0 in float64).
    """
    sums = np.zeros((n_groups, values.shape[1]), dtype=np.float64)
    compiled = values.size >= _COMPILED_SUMS and "numba" in sys.modules and codes.min() >= 0
    if compiled and values.dtype in (np.float32, np.float64):
        _sum_rows_kernel()(np.asarray(codes, dtype=np.int64), values, sums)
        return sums
    for j in range(values.shape[1]):
        sums[:, j] = np.bincount(codes, weights=values[:, j], minlength=n_groups)
    return sums


#: elements of an array from which :func:`_group_sums` sums by a compiled pass (when numba is loaded)
_COMPILED_SUMS = 1 << 20
_SUM_ROWS: list[Any] = []


def _sum_rows_kernel() -> Any:
    """``sums[codes[i]] += values[i]`` (float64) for every row i in order, compiled (numba, cached on disk)."""
    if not _SUM_ROWS:
        import numba

        @numba.njit(cache=True, nogil=True)
        def sum_rows(codes: Any, values: Any, sums: Any) -> None:
            for i in range(values.shape[0]):
                g = codes[i]
                for j in range(values.shape[1]):
                    sums[g, j] += np.float64(values[i, j])

        _SUM_ROWS.append(sum_rows)
    return _SUM_ROWS[0]


def _compiled_pass(model: Any, x: torch.Tensor, state: Any) -> Any:
    """A compiled pass of ``model`` that computes its numbers bit for bit over ``x``'s first steps, or None.

    Long streams of a one-layer logistic ElmanSRN run through
    :class:`cogrnn.analysis._elman_pass.ElmanPass` (one compiled call and one torch
    ``tanh`` per step instead of the model's per-step torch operations) when it reproduces
    the model's own first steps exactly; any other model, a short stream or any
    difference: None (the model's forward).
    """
    from ._elman_pass import ElmanPass

    if not ElmanPass.applies(model, x):
        return None
    compiled = ElmanPass(model)
    return compiled if compiled.matches(model, x, model.check_state(state, x.shape[2])) else None


def _is_model(dtype: Any) -> bool:
    return isinstance(dtype, str) and dtype == "model"


def _floating_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a numpy floating dtype, else a one-line ConfigError."""
    try:
        out = np.dtype(dtype)
    except TypeError:
        out = np.dtype(object)
    if not np.issubdtype(out, np.floating):
        raise ConfigError(f"dtype must be a floating dtype (float32, float64) or 'model'; got {dtype!r}")
    return out


class _ObservationRows:
    """Where the steps of each replica go among the observations of :func:`evaluate`.

    Observations are ordered by (seed, t, sequence); replica r keeps its first ``kept[r]``
    steps (the rest is padding).
    """

    def __init__(self, kept: Sequence[int], batch: int, dtype: np.dtype) -> None:
        self.kept, self.batch, self.dtype = list(kept), batch, dtype
        self.offsets = np.concatenate([[0], np.cumsum(self.kept)]) * batch
        self.n_obs = int(self.offsets[-1])

    def store(self, arrays: dict[str, np.ndarray], name: str, per_step: torch.Tensor, start: int) -> None:
        """Write steps ``start..start+t`` ``(R, t, B, K)`` into ``arrays[name]`` (made on first use)."""
        host = per_step.detach().cpu().numpy()
        R, t, B, K = host.shape
        if name not in arrays:
            arrays[name] = np.empty((self.n_obs, K), dtype=self.dtype)
        for r in range(R):
            stop = min(start + t, self.kept[r])
            if stop > start:
                first = int(self.offsets[r]) + start * B
                arrays[name][first : first + (stop - start) * B] = host[r, : stop - start].reshape(-1, K)

    def gather(self, per_step: np.ndarray) -> np.ndarray:
        """``(R, T', B, ...)`` -> ``(n_obs, ...)`` in (seed, t, sequence) order, padding dropped."""
        R = per_step.shape[0]
        if all(k == per_step.shape[1] for k in self.kept):
            return per_step.reshape(R * per_step.shape[1] * self.batch, *per_step.shape[3:])
        tail = per_step.shape[3:]
        return np.concatenate([per_step[r, :k].reshape(k * self.batch, *tail) for r, k in enumerate(self.kept)])
