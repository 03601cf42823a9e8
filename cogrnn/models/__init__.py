"""The recurrent model zoo; every model is an ensemble of ``n_replicas`` networks.

Registered ids (``cogrnn.make_model(id, ...)``): ``elman``, ``jordan``, ``lstm``, ``gru``
(recurrent ensembles) and ``hopfield``, ``modern-hopfield`` (associative memories).
Stacked variants are the same models with ``num_layers > 1``. They are registered in
:mod:`cogrnn.registry` by ``"module:class"``, so that ``cogrnn list`` imports no model (nor torch).
"""

from __future__ import annotations

from .base import RecurrentEnsemble, RecurrentOutput, ensemble_linear
from .gated import GRUNetwork, LSTMNetwork
from .hopfield import HopfieldNetwork, ModernHopfield, RecallResult
from .srn import ElmanSRN, JordanNetwork

__all__ = [
    "RecurrentEnsemble",
    "RecurrentOutput",
    "ElmanSRN",
    "JordanNetwork",
    "LSTMNetwork",
    "GRUNetwork",
    "HopfieldNetwork",
    "ModernHopfield",
    "RecallResult",
    "ensemble_linear",
]
