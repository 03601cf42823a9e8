"""Exceptions raised by cogrnn.

Every error a user can cause by bad input is a :class:`CogrnnError` (and, where it
fits, also a :class:`ValueError` or :class:`TypeError`), so that command-line tools
can report it in one line instead of a traceback.
"""

from __future__ import annotations

__all__ = ["CogrnnError", "ConfigError", "DataError", "TrainingDivergedError"]


class CogrnnError(Exception):
    """Base class of the errors cogrnn raises on purpose.

    Examples
    --------
    >>> try:
    ...     raise ConfigError("n_units must be >= 1; got 0")
    ... except CogrnnError as exc:
    ...     print(exc)
    n_units must be >= 1; got 0
    """


class ConfigError(CogrnnError, ValueError):
    """A parameter is out of range, of the wrong type, or inconsistent with another.

    Examples
    --------
    >>> from cogrnn.config import check_int
    >>> try:
    ...     check_int("n_units", 0, low=1)
    ... except ConfigError as exc:
    ...     print(exc)
    n_units must be an integer in [1, inf]; got 0
    """


class DataError(CogrnnError, ValueError):
    """Input data (arrays, CSV files) has the wrong shape, dtype, values or columns.

    Examples
    --------
    >>> isinstance(DataError("x"), ValueError)
    True
    """


class TrainingDivergedError(CogrnnError, FloatingPointError):
    """The loss or the weights became NaN or infinite during training.

    Examples
    --------
    >>> issubclass(TrainingDivergedError, FloatingPointError)
    True
    """
