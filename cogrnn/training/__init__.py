"""Training: Elman's online copy-back, BPTT and truncated BPTT for model ensembles."""

from __future__ import annotations

from .ensembles import OnlineSRNConfig, stack_streams, train_srn_ensemble
from .losses import LOSSES, compute_loss
from .trainer import Trainer, TrainerConfig, train

__all__ = [
    "LOSSES",
    "compute_loss",
    "Trainer",
    "TrainerConfig",
    "train",
    "OnlineSRNConfig",
    "stack_streams",
    "train_srn_ensemble",
]
