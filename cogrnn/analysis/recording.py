"""Labelled hidden-state recordings (after rsatoolbox's Dataset): states plus descriptors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..config import check_int
from ..exceptions import DataError

__all__ = ["Recording"]


class Recording:
    """Hidden states ``(n_obs, n_units)`` with one row of descriptors per observation.

    Parameters
    ----------
    states : array, shape (n_obs, n_units)
    descriptors : DataFrame or mapping of arrays of length n_obs, optional
        Per-observation labels (``seed``, ``t``, ``word``, ``category``, ...).

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

    def __init__(self, states: Any, descriptors: pd.DataFrame | Mapping[str, Any] | None = None) -> None:
        arr = np.asarray(states)
        if arr.ndim != 2:
            raise DataError(f"states must be 2-D (n_obs, n_units); got shape {arr.shape}")
        if arr.shape[0] == 0:
            raise DataError("a Recording needs at least one observation")
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(np.float64)
        desc = pd.DataFrame(descriptors if descriptors is not None else {}).reset_index(drop=True)
        if len(desc.columns) and len(desc) != arr.shape[0]:
            raise DataError(f"descriptors have {len(desc)} rows for {arr.shape[0]} observations")
        if not len(desc.columns):
            desc = pd.DataFrame(index=range(arr.shape[0]))
        self.states = arr
        self.descriptors = desc

    @property
    def n_obs(self) -> int:
        return int(self.states.shape[0])

    @property
    def n_units(self) -> int:
        return int(self.states.shape[1])

    def __len__(self) -> int:
        return self.n_obs

    def __repr__(self) -> str:
        cols = ", ".join(map(str, self.descriptors.columns))
        return f"Recording(n_obs={self.n_obs}, n_units={self.n_units}, descriptors=[{cols}])"

    def _check_keys(self, keys: tuple[str, ...]) -> None:
        missing = [k for k in keys if k not in self.descriptors.columns]
        if missing:
            known = ", ".join(map(str, self.descriptors.columns)) or "(none)"
            raise DataError(f"unknown descriptor(s) {', '.join(missing)}; known: {known}")

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

        Parameters
        ----------
        model : RecurrentEnsemble
        inputs : (T, B, I) or (R, T, B, I)
        descriptors : mapping of (T, B) or (T,) arrays, optional
            Per-step labels; copied to every replica.
        layer : int, default -1
            Which layer's hidden units.
        state : optional initial state
        chunk_size : int
            Steps per forward call (the state carries over), to bound memory.

        Returns
        -------
        Recording with observations ordered by replica, step, sequence, and descriptors
        ``seed`` (the replica), ``t``, ``sequence`` plus the given ones.

        Examples
        --------
        >>> from cogrnn.models import ElmanSRN
        >>> net = ElmanSRN(2, 3, 2, n_replicas=2, random_state=0)
        >>> rec = Recording.from_model(net, np.eye(2)[[0, 1, 0]][:, None], {"word": ["x", "y", "x"]})
        >>> rec.n_obs, rec.n_units, rec.mean_by("seed", "word").n_obs
        (6, 3, 4)
        """
        chunk_size = check_int("chunk_size", chunk_size, low=1)
        x = model.check_inputs(inputs)
        R, T, B, _ = x.shape
        parts = []
        with torch.no_grad():
            for start in range(0, T, chunk_size):
                out = model(x[:, start : start + chunk_size], state)
                state = out.state
                parts.append(out.hidden[:, layer].cpu().numpy().astype(dtype))
        hidden = np.concatenate(parts, axis=1)  # (R, T, B, H)
        desc: dict[str, Any] = {
            "seed": np.repeat(np.arange(R), T * B),
            "t": np.tile(np.repeat(np.arange(T), B), R),
            "sequence": np.tile(np.arange(B), R * T),
        }
        for key, values in (descriptors or {}).items():
            v = np.asarray(values)
            if v.ndim == 1:
                v = v[:, None]
            if v.shape[0] != T or v.shape[1] not in (1, B):
                raise DataError(f"descriptor {key!r} must have shape (T,) or (T, B) = ({T}, {B}); got {v.shape}")
            desc[key] = np.tile(np.broadcast_to(v, (T, B)).reshape(-1), R)
        return cls(hidden.reshape(R * T * B, -1), desc)

    def mean_by(self, *keys: str) -> Recording:
        """Average the states within each combination of descriptor values (``n`` counts them)."""
        if not keys:
            raise DataError("mean_by needs at least one descriptor name")
        self._check_keys(keys)
        codes, uniques = pd.MultiIndex.from_frame(self.descriptors[list(keys)]).factorize(sort=True)
        sums = np.zeros((len(uniques), self.n_units), dtype=np.float64)
        np.add.at(sums, codes, self.states)
        counts = np.bincount(codes, minlength=len(uniques))
        desc = pd.DataFrame(list(uniques), columns=list(keys))
        desc["n"] = counts
        return Recording(sums / counts[:, None], desc)

    def subset(self, mask: Any = None, **equals: Any) -> Recording:
        """Observations where ``mask`` is True and every ``descriptor == value`` (or ``in`` a list)."""
        keep = np.ones(self.n_obs, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if keep.shape != (self.n_obs,):
            raise DataError(f"mask must have one entry per observation ({self.n_obs}); got {keep.shape}")
        self._check_keys(tuple(equals))
        for key, value in equals.items():
            col = self.descriptors[key]
            keep &= col.isin(value).to_numpy() if isinstance(value, (list, tuple, set)) else (col == value).to_numpy()
        if not keep.any():
            raise DataError(f"no observation matches {equals or 'the mask'}")
        return Recording(self.states[keep], self.descriptors[keep])

    def to_df(self, long: bool = True) -> pd.DataFrame:
        """Tidy table: one row per observation and unit (``unit``, ``activation``), or wide (``unit_0``, ...)."""
        if not long:
            wide = pd.DataFrame(self.states, columns=[f"unit_{k}" for k in range(self.n_units)])
            return pd.concat([self.descriptors.reset_index(drop=True), wide], axis=1)
        rep = {c: np.repeat(self.descriptors[c].to_numpy(), self.n_units) for c in self.descriptors.columns}
        rep["unit"] = np.tile(np.arange(self.n_units), self.n_obs)
        rep["activation"] = self.states.reshape(-1)
        return pd.DataFrame(rep)

    @classmethod
    def from_df(cls, df: pd.DataFrame, obs: list[str], unit: str = "unit", value: str = "activation") -> Recording:
        """Inverse of ``to_df()``: pivot a long table (one row per observation and unit) back."""
        missing = [c for c in [*obs, unit, value] if c not in df.columns]
        if missing:
            raise DataError(f"table lacks column(s) {', '.join(missing)}")
        # groupby keeps missing labels (e.g. empty strings read back from a CSV as NaN)
        wide = df.groupby([*obs, unit], sort=False, dropna=False)[value].mean().unstack(unit)
        return cls(wide.to_numpy(), wide.index.to_frame(index=False))
