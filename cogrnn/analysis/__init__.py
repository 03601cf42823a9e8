"""Analysis of recordings and errors: pure functions over arrays and tidy DataFrames."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
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
    from .segmentation import align_to_onsets, detect_boundaries, segmentation_scores, word_error_profiles
    from .stats import bootstrap_ci, pooled_rates, summarize_across_seeds
    from .trajectories import StatePCA
    from .trees import Tree, parse_nested, tree_correlation

#: public name -> submodule; submodules load on first use (scipy and scikit-learn are slow to import)
_SUBMODULE = {
    "RDM": "rsa",
    "Recording": "recording",
    "StatePCA": "trajectories",
    "Tree": "trees",
    "parse_nested": "trees",
    "tree_correlation": "trees",
    "align_to_onsets": "segmentation",
    "basin_size": "recall",
    "bootstrap_ci": "stats",
    "pooled_rates": "stats",
    "branch_consistency": "clustering",
    "capacity_estimate": "recall",
    "classify_end_states": "recall",
    "cluster_scores": "clustering",
    "cohens_dz": "comparisons",
    "compare_rdm_set": "rsa",
    "compare_rdms": "rsa",
    "cut_tree": "clustering",
    "detect_boundaries": "segmentation",
    "error_by": "errors",
    "error_table": "errors",
    "evaluate_stream": "errors",
    "find_fixed_points": "dynamics",
    "fold_cycles": "errors",
    "generate": "generation",
    "gradient_flow": "dynamics",
    "kendall_tau_a": "rsa",
    "linkage": "clustering",
    "model_rdm": "rsa",
    "n_misassigned": "clustering",
    "nearest_neighbor_agreement": "clustering",
    "nearest_neighbors": "clustering",
    "next_token_fn": "generation",
    "overlap": "recall",
    "paired_comparison": "comparisons",
    "rdm": "rsa",
    "recall_success": "recall",
    "recurrent_spectral_radius": "dynamics",
    "segmentation_scores": "segmentation",
    "word_error_profiles": "segmentation",
    "successor_distributions": "likelihood",
    "summarize_across_seeds": "stats",
    "threshold_crossing": "recall",
    "unit_correlations": "errors",
    "vector_errors": "likelihood",
}

__all__ = [
    "StatePCA",
    "Tree",
    "parse_nested",
    "tree_correlation",
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
    "word_error_profiles",
    "fold_cycles",
    "error_by",
    "unit_correlations",
    "bootstrap_ci",
    "pooled_rates",
    "summarize_across_seeds",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULE:
        value = getattr(importlib.import_module(f"{__name__}.{_SUBMODULE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
