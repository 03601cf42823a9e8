"""Training: Elman's online copy-back, BPTT and truncated BPTT for model ensembles."""

from __future__ import annotations

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
