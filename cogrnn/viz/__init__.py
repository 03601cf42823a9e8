"""Figures: ``plot_*(df, ax=None) -> Figure`` from tidy data only."""

from __future__ import annotations

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
