"""Names of a package imported from its submodules on first access (PEP 562)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, submodule_of: Mapping[str, str], names: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``submodule_of`` imported when first used.

    The first access to ``name`` imports ``package.<submodule_of[name]>`` and keeps the value in
    the package's namespace (later accesses do not come back here), so that importing the
    package does not import what its submodules need (torch, numba) until it is used.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    submodule_of : mapping of str to str
        Public name -> the submodule (relative to ``package``) that defines it.
    names : sequence of str
        The package's ``__all__`` (listed by ``dir()`` beside its namespace).

    Returns
    -------
    getattr, dir : callable
        The package's ``__getattr__`` and ``__dir__``.

    Examples
    --------
    >>> getattr_, dir_ = lazy_attributes("cogrnn.analysis", {"error_by": "errors"}, ["error_by"])
    >>> getattr_("error_by").__module__
    'cogrnn.analysis.errors'
    """

    def __getattr__(name: str) -> Any:
        if name in submodule_of:
            value = getattr(importlib.import_module(f"{package}.{submodule_of[name]}"), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
