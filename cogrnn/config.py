"""Frozen, validated configuration dataclasses.

Subclass :class:`Config` with ``@dataclass(frozen=True)`` and validate fields in
``__post_init__`` with the ``check_*`` helpers, whose messages name the parameter,
the allowed range and the value given.

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Toy(Config):
...     lr: float = 0.1
...     def __post_init__(self):
...         check_float("lr", self.lr, low=0.0, low_inclusive=False)
>>> Toy(lr=0.5).to_dict()
{'lr': 0.5}
>>> Toy(lr=-1)
Traceback (most recent call last):
...
cogrnn.exceptions.ConfigError: lr must be a number in (0.0, inf]; got -1
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from .exceptions import ConfigError

__all__ = ["Config", "check_int", "check_float", "check_choice", "check_bool", "stable_hash"]

C = TypeVar("C", bound="Config")


def stable_hash(obj: Any, length: int = 16) -> str:
    """SHA-256 of the canonical JSON of ``obj`` (sorted keys), truncated to ``length`` hex digits.

    Examples
    --------
    >>> stable_hash({"b": 1, "a": 2}) == stable_hash({"a": 2, "b": 1})
    True
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


@dataclasses.dataclass(frozen=True)
class Config:
    """Base class of cogrnn's configurations (frozen dataclasses)."""

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (nested configs become dicts)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
        """Build from a mapping; unknown keys are an error naming the known ones."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"unknown parameter(s) {', '.join(unknown)} for {cls.__name__}; known: {', '.join(sorted(names))}"
            )
        return cls(**dict(data))

    def replace(self: C, **changes: Any) -> C:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def config_hash(self) -> str:
        """A short stable hash of the configuration (for provenance and file names)."""
        return stable_hash({"class": type(self).__name__, **self.to_dict()})


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an int in ``[low, high]`` and return it."""
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]; got {value}")
    return v


def check_float(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number in the given interval and return it."""
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    interval = f"{'[' if low_inclusive else '('}{lo}, {hi}{']' if high_inclusive else ')'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ConfigError(f"{name} must be a number in {interval}; got {value!r}")
    v = float(value)
    bad_low = v < lo or (not low_inclusive and v == lo)
    bad_high = v > hi or (not high_inclusive and v == hi)
    if bad_low or bad_high:
        raise ConfigError(f"{name} must be a number in {interval}; got {value!r}")
    return v


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices`` and return it."""
    options = list(choices)
    if value not in options:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """Check that ``value`` is a bool and return it."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be True or False; got {value!r}")
    return value
