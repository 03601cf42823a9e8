"""The recurrent model zoo; every model is an ensemble of ``n_replicas`` networks.

Registered ids (``cogrnn.make_model(id, ...)``): ``elman``, ``jordan``, ``lstm``, ``gru``
(recurrent ensembles) and ``hopfield``, ``modern-hopfield`` (associative memories).
Stacked variants are the same models with ``num_layers > 1``.
"""

from __future__ import annotations

from ..registry import MODELS
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

MODELS.register(
    "elman-v1",
    ElmanSRN,
    "Elman simple recurrent network: context units copy the hidden layer (logistic units).",
    "Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179-211.",
)
MODELS.register(
    "jordan-v1",
    JordanNetwork,
    "Jordan network: state units hold a decaying copy of the output.",
    "Jordan, M. I. (1986). Serial order: a parallel distributed processing approach. ICS Report 8604.",
)
MODELS.register(
    "lstm-v1",
    LSTMNetwork,
    "Long short-term memory network with a linear readout.",
    "Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. Neural Computation 9(8).",
)
MODELS.register(
    "gru-v1",
    GRUNetwork,
    "Gated recurrent unit network with a linear readout.",
    "Cho, K. et al. (2014). Learning phrase representations using RNN encoder-decoder. EMNLP.",
)
MODELS.register(
    "hopfield-v1",
    HopfieldNetwork,
    "Classical Hopfield network: binary units; Hebbian, Storkey or pseudo-inverse storage; energy.",
    "Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective computational "
    "abilities. PNAS 79(8), 2554-2558.",
)
MODELS.register(
    "modern-hopfield-v1",
    ModernHopfield,
    "Modern continuous Hopfield network: xi <- X softmax(beta X^T xi), one-step retrieval.",
    "Ramsauer, H. et al. (2021). Hopfield networks is all you need. ICLR.",
)
