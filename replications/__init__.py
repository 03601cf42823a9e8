"""Replications of published results, one module each; thin scripts over :mod:`cogrnn`.

Run one with ``cogrnn replicate <name>`` or ``python -m cogrnn.replications.<module>``.
"""

from __future__ import annotations

import importlib

from cogrnn.exceptions import ConfigError
from cogrnn.replication import Replication

__all__ = ["MODULES", "get", "names"]

#: replication name -> module defining ``REPLICATION``
MODULES: dict[str, str] = {
    "elman-xor": "cogrnn.replications.elman_xor",
    "elman-letters": "cogrnn.replications.elman_letters",
    "elman-words": "cogrnn.replications.elman_words",
    "elman-lexical": "cogrnn.replications.elman_lexical",
    "hopfield-recall": "cogrnn.replications.hopfield_recall",
    "gradient-flow": "cogrnn.replications.gradient_flow",
}


def names() -> list[str]:
    """Names of the available replications."""
    return list(MODULES)


def get(name: str) -> Replication:
    """The replication called ``name``."""
    if name not in MODULES:
        raise ConfigError(f"unknown replication {name!r}; known: {', '.join(MODULES)}, all")
    return importlib.import_module(MODULES[name]).REPLICATION
