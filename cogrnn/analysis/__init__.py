"""Analysis of recordings and errors: pure functions over arrays and tidy DataFrames."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    from .capacity import (
        capacity_table,
        capacity_theory,
        hebbian_noise_estimate,
        pooled_statistic,
    )
    from .clustering import (
        branch_consistency,
        cluster_scores,
        cut_tree,
        linkage,
        n_misassigned,
        nearest_neighbor_agreement,
        nearest_neighbors,
    )
    from .comparisons import (
        cohens_dz,
        paired_comparison,
    )
    from .dynamics import (
        decay_fits,
        find_fixed_points,
        gradient_flow,
        recurrent_spectral_radius,
        scale_spectral_radius,
    )
    from .errors import (
        error_by,
        fold_cycles,
        unit_correlations,
    )
    from .generation import (
        generate,
        next_token_fn,
    )
    from .grammar import (
        sampled_grammaticality,
        template_prefix,
    )
    from .likelihood import (
        likelihood_scores,
        next_token_log_probs,
        output_log_probs,
        sentence_prefixes,
        successor_distributions,
        token_surprisal,
        vector_errors,
        word_surprisal,
    )
    from .profiles import (
        contrast_means,
        cycle_profile,
        feature_rms,
        step_errors,
    )
    from .recall import (
        basin_size,
        capacity_estimate,
        classify_end_states,
        energy_monotone,
        nearest_memory_reached,
        outcome_shares,
        overlap,
        recall_outcomes,
        recall_success,
        threshold_crossing,
    )
    from .recording import (
        Recording,
        evaluate,
    )
    from .roles import (
        role_extremes,
        transition_labels,
        unit_roles,
    )
    from .rsa import (
        RDM,
        compare_rdm_set,
        compare_rdms,
        kendall_tau_a,
        model_rdm,
        rdm,
        rdms_to_rsatoolbox,
    )
    from .segmentation import (
        align_to_onsets,
        aligned_errors,
        boundary_scores,
        detect_boundaries,
        onset_contrast,
        onset_contrasts,
        segmentation_scores,
        word_error_profiles,
        word_predictability,
    )
    from .stats import (
        bootstrap_ci,
        pooled_rates,
        summarize_across_seeds,
    )
    from .tokens import (
        position_scores,
        sample_per_label,
        token_scores,
    )
    from .trajectories import (
        StatePCA,
    )
    from .trees import (
        Tree,
        clades_present,
        largest_clade_fraction,
        parse_nested,
        sister_placement,
        top_split_misplaced,
        tree_correlation,
    )

#: public name -> submodule; submodules load on first use (scipy and scikit-learn are slow to import)
_SUBMODULE = {
    "capacity_table": "capacity",
    "capacity_theory": "capacity",
    "hebbian_noise_estimate": "capacity",
    "pooled_statistic": "capacity",
    "branch_consistency": "clustering",
    "cluster_scores": "clustering",
    "cut_tree": "clustering",
    "linkage": "clustering",
    "n_misassigned": "clustering",
    "nearest_neighbor_agreement": "clustering",
    "nearest_neighbors": "clustering",
    "cohens_dz": "comparisons",
    "paired_comparison": "comparisons",
    "decay_fits": "dynamics",
    "find_fixed_points": "dynamics",
    "gradient_flow": "dynamics",
    "recurrent_spectral_radius": "dynamics",
    "scale_spectral_radius": "dynamics",
    "error_by": "errors",
    "fold_cycles": "errors",
    "unit_correlations": "errors",
    "generate": "generation",
    "next_token_fn": "generation",
    "sampled_grammaticality": "grammar",
    "template_prefix": "grammar",
    "likelihood_scores": "likelihood",
    "next_token_log_probs": "likelihood",
    "output_log_probs": "likelihood",
    "token_surprisal": "likelihood",
    "word_surprisal": "likelihood",
    "sentence_prefixes": "likelihood",
    "successor_distributions": "likelihood",
    "vector_errors": "likelihood",
    "contrast_means": "profiles",
    "cycle_profile": "profiles",
    "feature_rms": "profiles",
    "step_errors": "profiles",
    "basin_size": "recall",
    "capacity_estimate": "recall",
    "classify_end_states": "recall",
    "energy_monotone": "recall",
    "nearest_memory_reached": "recall",
    "outcome_shares": "recall",
    "overlap": "recall",
    "recall_outcomes": "recall",
    "recall_success": "recall",
    "threshold_crossing": "recall",
    "evaluate": "recording",
    "Recording": "recording",
    "role_extremes": "roles",
    "transition_labels": "roles",
    "unit_roles": "roles",
    "compare_rdm_set": "rsa",
    "compare_rdms": "rsa",
    "kendall_tau_a": "rsa",
    "model_rdm": "rsa",
    "RDM": "rsa",
    "rdm": "rsa",
    "rdms_to_rsatoolbox": "rsa",
    "align_to_onsets": "segmentation",
    "aligned_errors": "segmentation",
    "boundary_scores": "segmentation",
    "detect_boundaries": "segmentation",
    "onset_contrast": "segmentation",
    "onset_contrasts": "segmentation",
    "segmentation_scores": "segmentation",
    "word_error_profiles": "segmentation",
    "word_predictability": "segmentation",
    "bootstrap_ci": "stats",
    "pooled_rates": "stats",
    "summarize_across_seeds": "stats",
    "position_scores": "tokens",
    "sample_per_label": "tokens",
    "token_scores": "tokens",
    "StatePCA": "trajectories",
    "clades_present": "trees",
    "largest_clade_fraction": "trees",
    "parse_nested": "trees",
    "sister_placement": "trees",
    "top_split_misplaced": "trees",
    "Tree": "trees",
    "tree_correlation": "trees",
}

__all__ = [
    "align_to_onsets",
    "aligned_errors",
    "basin_size",
    "bootstrap_ci",
    "boundary_scores",
    "branch_consistency",
    "capacity_estimate",
    "capacity_table",
    "capacity_theory",
    "clades_present",
    "classify_end_states",
    "cluster_scores",
    "cohens_dz",
    "compare_rdm_set",
    "compare_rdms",
    "contrast_means",
    "cut_tree",
    "cycle_profile",
    "decay_fits",
    "detect_boundaries",
    "energy_monotone",
    "error_by",
    "evaluate",
    "feature_rms",
    "find_fixed_points",
    "fold_cycles",
    "generate",
    "gradient_flow",
    "hebbian_noise_estimate",
    "kendall_tau_a",
    "largest_clade_fraction",
    "likelihood_scores",
    "next_token_log_probs",
    "output_log_probs",
    "token_surprisal",
    "word_surprisal",
    "linkage",
    "model_rdm",
    "n_misassigned",
    "nearest_memory_reached",
    "nearest_neighbor_agreement",
    "nearest_neighbors",
    "next_token_fn",
    "onset_contrast",
    "onset_contrasts",
    "outcome_shares",
    "overlap",
    "paired_comparison",
    "parse_nested",
    "pooled_rates",
    "pooled_statistic",
    "position_scores",
    "RDM",
    "rdm",
    "rdms_to_rsatoolbox",
    "recall_outcomes",
    "recall_success",
    "Recording",
    "recurrent_spectral_radius",
    "role_extremes",
    "sample_per_label",
    "sampled_grammaticality",
    "scale_spectral_radius",
    "segmentation_scores",
    "sentence_prefixes",
    "sister_placement",
    "StatePCA",
    "step_errors",
    "successor_distributions",
    "summarize_across_seeds",
    "template_prefix",
    "threshold_crossing",
    "token_scores",
    "top_split_misplaced",
    "transition_labels",
    "Tree",
    "tree_correlation",
    "unit_correlations",
    "unit_roles",
    "vector_errors",
    "word_error_profiles",
    "word_predictability",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULE:
        value = getattr(importlib.import_module(f"{__name__}.{_SUBMODULE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
