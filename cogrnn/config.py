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
cogrnn.exceptions.ConfigError: lr must be a number in (0.0, inf); got -1
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from ._docs import fill_doc
from .exceptions import ConfigError

__all__ = [
    "Config",
    "check_int",
    "check_float",
    "check_choice",
    "check_bool",
    "check_distinct",
    "check_device_name",
    "check_size",
    "format_bytes",
    "parse_int",
    "parse_value",
    "stable_hash",
    "MEMORY_LIMIT_BYTES",
]

#: the most memory one array may be asked to take (64 GiB); larger requests are refused before allocation
MEMORY_LIMIT_BYTES = 64 * 2**30

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)

C = TypeVar("C", bound="Config")


def stable_hash(obj: Any, length: int = 16) -> str:
    """SHA-256 of the canonical JSON of ``obj`` (sorted keys), truncated to ``length`` hex digits.

    Parameters
    ----------
    obj : object
        JSON-serialisable data (other values are written with ``str``).
    length : int, optional
        Number of hex digits kept (default 16).

    Returns
    -------
    str
        The truncated hex digest.

    Examples
    --------
    >>> stable_hash({"b": 1, "a": 2}) == stable_hash({"a": 2, "b": 1})
    True
    """
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


@dataclasses.dataclass(frozen=True)
class Config:
    """Base class of cogrnn's configurations (frozen dataclasses).

    A subclass declares its fields with defaults and validates them in ``__post_init__``;
    :meth:`with_values` and :meth:`from_dict` then turn every problem into one-line
    :class:`~cogrnn.exceptions.ConfigError`.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Toy(Config):
    ...     n: int = 1
    >>> Toy.from_dict({"n": 2}).to_dict()
    {'n': 2}
    """

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (nested configs become dicts).

        Returns
        -------
        dict of str to object
            Field name -> value.
        """
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any]) -> C:
        """Build from a mapping; unknown keys are an error naming the known ones.

        Parameters
        ----------
        data : mapping of str to object
            Field values by name (lists become tuples); missing fields take their defaults.

        Returns
        -------
        Config
            A validated instance of the class.
        """
        cls._check_names(data)
        return _build(cls, lambda: cls(**_tuples(data)))

    @classmethod
    def _check_names(cls, data: Iterable[str]) -> None:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"unknown parameter(s) {', '.join(unknown)} for {cls.__name__}; known: {', '.join(sorted(names))}"
            )

    def replace(self: C, **changes: Any) -> C:
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes : object
            New values by field name.

        Returns
        -------
        Config
            The changed copy; this one is unchanged.
        """
        return dataclasses.replace(self, **changes)

    def with_values(self: C, changes: Mapping[str, Any]) -> C:
        """A copy with the fields in ``changes`` set, validated; every problem is a one-line :class:`ConfigError`.

        Lists become tuples (TOML and JSON have no tuples).

        Parameters
        ----------
        changes : mapping of str to object
            New values by field name.

        Returns
        -------
        Config
            The changed copy; this one is unchanged.

        Examples
        --------
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Toy(Config):
        ...     n: int = 1
        ...     def __post_init__(self):
        ...         check_int("n", self.n, low=1)
        >>> Toy().with_values({"n": 3})
        Toy(n=3)
        >>> Toy().with_values({"m": 3})
        Traceback (most recent call last):
        ...
        cogrnn.exceptions.ConfigError: unknown parameter(s) m for Toy; known: n
        """
        self._check_names(changes)
        return _build(type(self), lambda: dataclasses.replace(self, **_tuples(changes)))

    @classmethod
    def parse_assignments(cls, assignments: Sequence[str]) -> dict[str, Any]:
        """Parse ``["key=value", ...]`` (the CLI's ``--set``), each value by its field's type.

        ``int`` and ``float`` fields take plain ASCII numbers, ``bool`` fields ``true`` or
        ``false``, tuple fields comma-separated values, optional fields also ``none``.
        The values are not yet validated: pass the result to :meth:`with_values`.

        Parameters
        ----------
        assignments : sequence of str
            ``"key=value"`` strings, each key a field, at most once.

        Returns
        -------
        dict of str to object
            Parsed value by field name.

        Examples
        --------
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Toy(Config):
        ...     lr: float = 0.1
        ...     sizes: tuple[int, ...] = (1,)
        >>> Toy.parse_assignments(["lr=0.05", "sizes=2,3"])
        {'lr': 0.05, 'sizes': (2, 3)}
        >>> Toy.parse_assignments(["lr=fast"])
        Traceback (most recent call last):
        ...
        cogrnn.exceptions.ConfigError: --set lr: expected a number; got 'fast'
        """
        hints = typing.get_type_hints(cls)
        names = [f.name for f in dataclasses.fields(cls)]
        out: dict[str, Any] = {}
        for item in assignments:
            key, sep, raw = item.partition("=")
            if not sep or not key:
                raise ConfigError(f"--set takes key=value; got {item!r}")
            if key not in names:
                raise ConfigError(f"--set: unknown field {key!r} of {cls.__name__}; known: {', '.join(sorted(names))}")
            if key in out:
                raise ConfigError(f"--set {key} is given twice")
            out[key] = parse_value(f"--set {key}", raw, hints[key])
        return out

    def config_hash(self) -> str:
        """A short stable hash of the configuration (for provenance and file names).

        Returns
        -------
        str
            16 hex digits of :func:`stable_hash` of the class name and the fields.
        """
        return stable_hash({"class": type(self).__name__, **self.to_dict()})


def _tuples(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _build(cls: type[C], make: Any) -> C:
    """Call ``make()``; validation errors of any kind become one-line :class:`ConfigError`."""
    try:
        return make()
    except ConfigError:
        raise
    except (ValueError, TypeError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{cls.__name__}: {message}") from None


@fill_doc
def parse_int(name: str, text: str, low: int | None = None, high: int | None = None) -> int:
    """Parse ``text`` as a plain ASCII integer (digits, optional sign) and check its range.

    Underscores, spaces and non-ASCII digits are refused, and so is a number of more
    than 40 digits (before converting it).

    Parameters
    ----------
    %(check_name)s
    text : str
        The text parsed.
    low, high : int, optional
        Inclusive bounds; none when None.

    Returns
    -------
    int
        The number.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> parse_int("--seeds", "12", low=1)
    12
    >>> parse_int("--seeds", "1_0", low=1)
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: --seeds must be an integer >= 1; got '1_0'
    """
    lo = "" if low is None else f" >= {low}"
    hi = "" if high is None else (f" <= {high}" if low is None else f" and <= {high}")
    if not isinstance(text, str) or len(text) > 40 or not _INT.fullmatch(text):
        raise ConfigError(f"{name} must be an integer{lo}{hi}; got {text!r}")
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConfigError(f"{name} must be an integer{lo}{hi}; got {number}")
    return number


@fill_doc
def parse_value(name: str, text: str, kind: Any) -> Any:
    """Parse ``text`` as a value of the type ``kind`` (int, float, bool, str, tuple, Literal, optional).

    Parameters
    ----------
    %(check_name)s
    text : str
        The text parsed.
    kind : type
        The field's type annotation.

    Returns
    -------
    object
        The parsed value.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> parse_value("x", "1e-3", float), parse_value("x", "true", bool), parse_value("x", "1,2", tuple[int, ...])
    (0.001, True, (1, 2))
    """
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and text.lower() == "none":
            return None
        others = [a for a in args if a is not type(None)]
        if len(others) == 1:
            return parse_value(name, text, others[0])
    elif origin is typing.Literal:
        for choice in args:
            if str(choice) == text:
                return choice
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, args))}; got {text!r}")
    elif origin is tuple:
        items = [t.strip() for t in text.split(",")] if text.strip() else []
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(parse_value(name, t, args[0]) for t in items)
        if len(args) == len(items):
            return tuple(parse_value(name, t, a) for t, a in zip(items, args))
        raise ConfigError(f"{name}: expected {len(args)} comma-separated values; got {text!r}")
    elif kind is bool:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ConfigError(f"{name}: expected true or false; got {text!r}")
    elif kind is int:
        return parse_int(name, text)
    elif kind is float:
        if len(text) > 400 or not _FLOAT.fullmatch(text) or not math.isfinite(float(text)):
            raise ConfigError(f"{name}: expected a number; got {text!r}")
        return float(text)
    elif kind is str:
        return text
    raise ConfigError(f"{name}: a field of type {kind} cannot be set from the command line")


@fill_doc
def check_size(name: str, shape: Sequence[int], itemsize: int = 8, limit: int = MEMORY_LIMIT_BYTES) -> int:
    """Check, before allocating, that an array of ``shape`` fits in ``limit`` bytes; return its size.

    Parameters
    ----------
    %(check_name)s
    shape : sequence of int
        Shape of the array.
    itemsize : int, optional
        Bytes per element (default 8).
    limit : int, optional
        Largest allowed size in bytes (default :data:`MEMORY_LIMIT_BYTES`).

    Returns
    -------
    int
        Size of the array in bytes.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_size("weights", (10, 10))
    800
    >>> check_size("weights", (10**6, 10**6))
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: weights of shape (1000000, 1000000) would need 8.0 TB of memory; the limit is 68.7 GB
    """
    n = math.prod(int(d) for d in shape) * int(itemsize)
    if n > limit:
        raise ConfigError(
            f"{name} of shape {tuple(int(d) for d in shape)} would need {format_bytes(n)} of memory; "
            f"the limit is {format_bytes(limit)}"
        )
    return n


def format_bytes(n: float) -> str:
    """A byte count in decimal units.

    Parameters
    ----------
    n : float
        Number of bytes.

    Returns
    -------
    str
        E.g. ``"1.5 TB"`` (one decimal).

    Examples
    --------
    >>> format_bytes(1.5e12)
    '1.5 TB'
    """
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000:
            return f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} PB"


@fill_doc
def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Check that ``value`` is an int in ``[low, high]`` and return it.

    Parameters
    ----------
    %(check_name)s
    value : object
        The value checked (a bool is refused).
    low, high : int, optional
        Inclusive bounds; none when None.

    Returns
    -------
    int
        ``value`` as an int.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_int("n_units", 5, low=1)
    5
    """
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise ConfigError(f"{name} must be an integer in [{lo}, {hi}]; got {value}")
    return v


@fill_doc
def check_float(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number in the given interval and return it.

    Parameters
    ----------
    %(check_name)s
    value : object
        The value checked (a bool or NaN is refused).
    low, high : float, optional
        Bounds; none when None.
    low_inclusive, high_inclusive : bool, optional
        Whether each bound is allowed (default True).

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_float("lr", 0.1, low=0.0, low_inclusive=False)
    0.1
    """
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    # an unbounded side is open: the value must be finite
    opening = "[" if low_inclusive and low is not None else "("
    interval = f"{opening}{lo}, {hi}{']' if high_inclusive and high is not None else ')'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ConfigError(f"{name} must be a number in {interval}; got {value!r}")
    v = float(value)
    bad_low = v < lo or (not low_inclusive and v == lo)
    bad_high = v > hi or (not high_inclusive and v == hi)
    if bad_low or bad_high:
        raise ConfigError(f"{name} must be a number in {interval}; got {value!r}")
    return v


@fill_doc
def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices`` and return it.

    Parameters
    ----------
    %(check_name)s
    value : object
        The value checked.
    choices : iterable
        The allowed values.

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_choice("metric", "cosine", ("cosine", "euclidean"))
    'cosine'
    """
    options = list(choices)
    if value not in options:
        raise ConfigError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


@fill_doc
def check_bool(name: str, value: Any) -> bool:
    """Check that ``value`` is a bool and return it.

    Parameters
    ----------
    %(check_name)s
    value : object
        The value checked.

    Returns
    -------
    bool
        ``value``.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_bool("wrap", True)
    True
    """
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be True or False; got {value!r}")
    return value


#: the device names torch accepts that cogrnn runs on: cpu, cuda, cuda:N, mps
_DEVICE = re.compile(r"(cpu|cuda|mps)(:[0-9]+)?", re.ASCII)


def check_device_name(device: Any) -> str:
    """Check that ``device`` names a device cogrnn runs on and return it; not whether this machine has it.

    A configuration records where it ran; whether that device exists here is checked where
    the networks are built (:func:`cogrnn.models.base.check_device`), so that the tables of a
    GPU run can be read and redrawn on a machine without one, and without importing torch.

    Parameters
    ----------
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    str
        ``device``.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_device_name("cuda:1")
    'cuda:1'
    >>> check_device_name("gpu7")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'gpu7'
    """
    if not (isinstance(device, str) and _DEVICE.fullmatch(device)):
        raise ConfigError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}")
    return device


@fill_doc
def check_distinct(name: str, values: Sequence[Any]) -> tuple[Any, ...]:
    """Check that ``values`` is a non-empty sequence without repeats and return it as a tuple.

    Parameters
    ----------
    %(check_name)s
    values : sequence
        The values checked (a str is refused).

    Returns
    -------
    tuple
        ``values`` as a tuple.

    Raises
    ------
    %(raises_config)s

    Examples
    --------
    >>> check_distinct("lags", (5, 10))
    (5, 10)
    >>> check_distinct("lags", (5, 5))
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: lags must hold distinct values; got (5, 5)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ConfigError(f"{name} must be a sequence of values; got {values!r}")
    values = tuple(values)
    if not values:
        raise ConfigError(f"{name} must hold at least one value; got ()")
    if len(set(values)) != len(values):
        raise ConfigError(f"{name} must hold distinct values; got {values}")
    return values
