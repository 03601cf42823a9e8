"""Analysis of recordings and errors: pure functions over arrays and tidy DataFrames."""

from __future__ import annotations

from .clustering import (
    branch_consistency,
    cluster_scores,
    cut_tree,
    linkage,
    n_misassigned,
    nearest_neighbor_agreement,
    nearest_neighbors,
)
from .errors import error_by, error_table, evaluate_stream, fold_cycles, unit_correlations
from .likelihood import successor_distributions, vector_errors
from .recall import basin_size, capacity_estimate, classify_end_states, overlap, recall_success, threshold_crossing
from .recording import Recording
from .segmentation import align_to_onsets, detect_boundaries, segmentation_scores
from .stats import bootstrap_ci, summarize_across_seeds

__all__ = [
    "overlap",
    "recall_success",
    "threshold_crossing",
    "capacity_estimate",
    "basin_size",
    "classify_end_states",
    "Recording",
    "linkage",
    "cut_tree",
    "cluster_scores",
    "branch_consistency",
    "nearest_neighbors",
    "n_misassigned",
    "nearest_neighbor_agreement",
    "successor_distributions",
    "vector_errors",
    "evaluate_stream",
    "error_table",
    "align_to_onsets",
    "detect_boundaries",
    "segmentation_scores",
    "fold_cycles",
    "error_by",
    "unit_correlations",
    "bootstrap_ci",
    "summarize_across_seeds",
]
