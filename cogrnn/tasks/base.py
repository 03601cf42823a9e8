"""Tasks: sequence generators that carry their citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..exceptions import DataError
from ..random import RandomState

__all__ = ["Reference", "SequenceBatch", "Task"]


@dataclass(frozen=True)
class Reference:
    """A publication a task or replication reproduces.

    Parameters
    ----------
    authors : str
        Authors as cited ("Surname, I." first).
    year : int
        Year of publication.
    title : str
        Title of the work.
    venue : str, optional
        Journal or book.
    doi : str, optional
        DOI without the ``doi:`` prefix.
    figure : str, optional
        Figure or table reproduced (e.g. ``"Fig. 3"``).

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
        """Short citation: first author's surname, year and figure, e.g. ``Elman (1990), Fig. 3``."""
        surname = self.authors.split(",")[0]
        return f"{surname} ({self.year})" + (f", {self.figure}" if self.figure else "")

    def cite(self) -> str:
        """Full citation: authors, year, title, venue and DOI.

        Returns
        -------
        str
            The reference as one line of text.
        """
        doi = f" doi:{self.doi}" if self.doi else ""
        venue = f" {self.venue}." if self.venue else ""
        return f"{self.authors} ({self.year}). {self.title}.{venue}{doi}"


@dataclass
class SequenceBatch:
    """Inputs, targets and per-step descriptors of B parallel sequences of T steps.

    Parameters
    ----------
    inputs : numpy.ndarray
        Array (T, B, I) of network inputs.
    targets : numpy.ndarray
        Array (T, B, O) of targets.
    descriptors : dict of str to numpy.ndarray, optional
        Per-step labels, arrays (T, B), e.g. ``phase``, ``letter``, ``word``.

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
        """Number of time steps T."""
        return int(self.inputs.shape[0])

    @property
    def n_sequences(self) -> int:
        """Number of parallel sequences B."""
        return int(self.inputs.shape[1])

    def to_df(self) -> pd.DataFrame:
        """One row per step and sequence with every descriptor (``sequence`` first).

        Returns
        -------
        pandas.DataFrame
            T * B rows, step-major.
        """
        T, B = self.inputs.shape[:2]
        data: dict[str, Any] = {"sequence": np.tile(np.arange(B), T)}
        for name, values in self.descriptors.items():
            data[name] = np.asarray(values).reshape(T * B)
        return pd.DataFrame(data)


class Task:
    """Base class of tasks. The constructor stores hyperparameters only.

    A subclass sets ``name`` and ``reference`` and implements :meth:`generate`.

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> task = TemporalXOR(n_triples=2)
    >>> task.generate(random_state=0).n_steps
    6
    """

    name: str = "task"
    reference: Reference | None = None

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` independent sequences as a :class:`SequenceBatch`.

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        raise NotImplementedError

    def get_params(self) -> dict[str, Any]:
        """The hyperparameters given to the constructor (scikit-learn style).

        Returns
        -------
        dict of str to object
            Public attributes by name.
        """
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
