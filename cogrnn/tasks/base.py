"""Tasks: sequence generators that carry their citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..random import RandomState

__all__ = ["Reference", "SequenceBatch", "Task"]


@dataclass(frozen=True)
class Reference:
    """A publication a task or replication reproduces.

    Examples
    --------
    >>> ref = Reference("Elman, J. L.", 1990, "Finding structure in time", "Cognitive Science",
    ...                 "10.1207/s15516709cog1402_1", "Fig. 3")
    >>> ref.short
    'Elman (1990), Fig. 3'
    """

    authors: str
    year: int
    title: str
    venue: str = ""
    doi: str = ""
    figure: str = ""

    @property
    def short(self) -> str:
        surname = self.authors.split(",")[0]
        return f"{surname} ({self.year})" + (f", {self.figure}" if self.figure else "")

    def cite(self) -> str:
        doi = f" doi:{self.doi}" if self.doi else ""
        venue = f" {self.venue}." if self.venue else ""
        return f"{self.authors} ({self.year}). {self.title}.{venue}{doi}"


@dataclass
class SequenceBatch:
    """Inputs, targets and per-step descriptors of B parallel sequences of T steps.

    Attributes
    ----------
    inputs : ndarray, shape (T, B, I)
    targets : ndarray, shape (T, B, O)
    descriptors : dict of str to ndarray of shape (T, B)
        Per-step labels, e.g. ``phase``, ``letter``, ``word``.

    Examples
    --------
    >>> b = SequenceBatch(np.zeros((4, 1, 2)), np.ones((4, 1, 2)), {"t": np.arange(4)[:, None]})
    >>> b.n_steps, b.n_sequences, list(b.to_df().columns)
    (4, 1, ['sequence', 't'])
    """

    inputs: np.ndarray
    targets: np.ndarray
    descriptors: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.inputs.ndim != 3 or self.targets.ndim != 3:
            raise DataError(
                f"inputs and targets must be (T, B, features); got {self.inputs.shape} and {self.targets.shape}"
            )
        if self.inputs.shape[:2] != self.targets.shape[:2]:
            raise DataError(f"inputs {self.inputs.shape} and targets {self.targets.shape} differ in (T, B)")
        for name, values in self.descriptors.items():
            if np.shape(values) != self.inputs.shape[:2]:
                raise DataError(
                    f"descriptor {name!r} must have shape (T, B) = {self.inputs.shape[:2]}; got {np.shape(values)}"
                )

    @property
    def n_steps(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def n_sequences(self) -> int:
        return int(self.inputs.shape[1])

    def to_df(self) -> pd.DataFrame:
        """One row per step and sequence with every descriptor (``sequence`` first)."""
        T, B = self.inputs.shape[:2]
        data: dict[str, Any] = {"sequence": np.tile(np.arange(B), T)}
        for name, values in self.descriptors.items():
            data[name] = np.asarray(values).reshape(T * B)
        return pd.DataFrame(data)


class Task:
    """Base class of tasks. The constructor stores hyperparameters only."""

    name: str = "task"
    reference: Reference | None = None

    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` independent sequences as a :class:`SequenceBatch`."""
        raise NotImplementedError

    def get_params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
