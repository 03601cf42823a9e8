"""Exceptions raised by cogrnn.

Every error a user can cause by bad input is a :class:`CogrnnError` (and, where it
fits, also a :class:`ValueError` or :class:`TypeError`), so that command-line tools
can report it in one line instead of a traceback.
"""

from __future__ import annotations

__all__ = ["CogrnnError", "ConfigError", "DataError", "TrainingDivergedError"]


class CogrnnError(Exception):
    """Base class of the errors cogrnn raises on purpose."""


class ConfigError(CogrnnError, ValueError):
    """A parameter is out of range, of the wrong type, or inconsistent with another."""


class DataError(CogrnnError, ValueError):
    """Input data (arrays, CSV files) has the wrong shape, dtype, values or columns."""


class TrainingDivergedError(CogrnnError, FloatingPointError):
    """The loss or the weights became NaN or infinite during training."""
