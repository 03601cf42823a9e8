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
from .comparisons import cohens_dz, paired_comparison
from .dynamics import find_fixed_points, gradient_flow, recurrent_spectral_radius
from .errors import error_by, error_table, evaluate_stream, fold_cycles, unit_correlations
from .generation import generate, next_token_fn
from .likelihood import successor_distributions, vector_errors
from .recall import basin_size, capacity_estimate, classify_end_states, overlap, recall_success, threshold_crossing
from .recording import Recording
from .rsa import RDM, compare_rdm_set, compare_rdms, kendall_tau_a, model_rdm, rdm
from .segmentation import align_to_onsets, detect_boundaries, segmentation_scores
from .stats import bootstrap_ci, summarize_across_seeds
from .trajectories import StatePCA

__all__ = [
    "StatePCA",
    "RDM",
    "rdm",
    "model_rdm",
    "compare_rdms",
    "compare_rdm_set",
    "kendall_tau_a",
    "gradient_flow",
    "recurrent_spectral_radius",
    "find_fixed_points",
    "generate",
    "next_token_fn",
    "paired_comparison",
    "cohens_dz",
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
