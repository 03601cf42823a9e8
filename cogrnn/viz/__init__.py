"""Figures: ``plot_*(df, ax=None) -> Figure`` from tidy data only.

The functions are imported from their submodules on first use, so that a figure of error
curves does not import SciPy's clustering (:mod:`cogrnn.viz.clustering`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    from .analysis import plot_rdm, plot_trajectories
    from .clustering import plot_dendrogram, plot_tree
    from .core import add_caption, plot_error_curve, plot_seed_values

__all__ = [
    "plot_error_curve",
    "plot_seed_values",
    "plot_dendrogram",
    "plot_tree",
    "plot_trajectories",
    "plot_rdm",
    "add_caption",
]

#: the submodule defining each public name
_WHERE = {
    "plot_error_curve": "core",
    "plot_seed_values": "core",
    "add_caption": "core",
    "plot_dendrogram": "clustering",
    "plot_tree": "clustering",
    "plot_trajectories": "analysis",
    "plot_rdm": "analysis",
}


def __getattr__(name: str) -> Any:
    """Import a public function from its submodule on first access (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
