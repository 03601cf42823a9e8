"""Training: Elman's online copy-back, BPTT and truncated BPTT for model ensembles.

The ensembles' functions and configuration (:mod:`cogrnn.training.ensembles`) load without
torch, which they import when they train; the trainer and the losses are imported on first
use (PEP 562), so that a replication's module and ``--plot-only`` do not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ensembles import (
    ARCHITECTURE_PARAMETERS,
    ARCHITECTURES,
    OnlineSRNConfig,
    architecture_options,
    build_ensemble,
    stack_streams,
    state_name,
    train_ensemble,
    train_srn_ensemble,
)

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time (see __getattr__)
    from .losses import LOSSES, compute_loss
    from .trainer import Trainer, TrainerConfig, train

__all__ = [
    "LOSSES",
    "compute_loss",
    "Trainer",
    "TrainerConfig",
    "train",
    "ARCHITECTURES",
    "ARCHITECTURE_PARAMETERS",
    "OnlineSRNConfig",
    "architecture_options",
    "build_ensemble",
    "state_name",
    "train_ensemble",
    "stack_streams",
    "train_srn_ensemble",
]

#: the names that need torch, by the submodule that defines them (imported on first access)
_LAZY = {
    "losses": ("LOSSES", "compute_loss"),
    "trainer": ("Trainer", "TrainerConfig", "train"),
}


def __getattr__(name: str) -> Any:
    """Import the torch-dependent names of ``__all__`` on first access (PEP 562)."""
    import importlib

    for module, names in _LAZY.items():
        if name in names:
            value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
