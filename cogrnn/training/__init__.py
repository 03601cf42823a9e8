"""Training: Elman's online copy-back, BPTT and truncated BPTT for model ensembles.

The ensembles' functions and configuration (:mod:`cogrnn.training.ensembles`) load without
torch, which they import when they train; the trainer and the losses are imported on first
use (PEP 562), so that a replication's module and ``--plot-only`` do not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
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

#: the names that need torch at import, by the submodule that defines them (imported on first access)
_SUBMODULE = {
    "LOSSES": "losses",
    "compute_loss": "losses",
    "Trainer": "trainer",
    "TrainerConfig": "trainer",
    "train": "trainer",
}

__getattr__, __dir__ = lazy_attributes(__name__, _SUBMODULE, __all__)
