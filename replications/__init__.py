"""Replications of published results, one module each; thin scripts over :mod:`cogrnn`.

Run one with ``cogrnn replicate <name>`` or ``python -m cogrnn.replications.<module>``.
The six built-ins are registered here in :data:`cogrnn.registry.REPLICATIONS` by
``"module:REPLICATION"``: a module is imported only when its replication is used, so
``cogrnn list`` imports none. Their descriptions and references are repeated here for the
listing; :func:`cogrnn.checks.check_replication` checks that they match the modules'.
"""

from __future__ import annotations

from cogrnn.registry import REPLICATIONS, get_replication
from cogrnn.replication import Replication

__all__ = ["get", "names"]

_ELMAN_1990 = (
    "Elman, J. L. (1990). Finding structure in time. Cognitive Science 14(2), 179-211. doi:10.1207/s15516709cog1402_1"
)
_BUILTINS = [
    ("elman-xor-v1", "elman_xor", "Elman (1990) Fig. 3: temporal XOR error dips every third bit.", _ELMAN_1990),
    (
        "elman-letters-v1",
        "elman_letters",
        "Elman (1990) Figs. 4-5: letter prediction error is high for consonants, low for vowels.",
        _ELMAN_1990,
    ),
    (
        "elman-words-v1",
        "elman_words",
        "Elman (1990) Fig. 6: letter prediction error peaks at word onsets.",
        _ELMAN_1990,
    ),
    (
        "elman-lexical-v1",
        "elman_lexical",
        "Elman (1990) Figs. 7-9: lexical categories emerge in SRN hidden states; the novel word zog.",
        _ELMAN_1990,
    ),
    (
        "hopfield-recall-v1",
        "hopfield_recall",
        "Hopfield (1982): content-addressable recall pooled over pattern sets; capacity per rule; modern.",
        "Hopfield, J. J. (1982). Neural networks and physical systems with emergent collective computational "
        "abilities. PNAS 79(8), 2554-2558. doi:10.1073/pnas.79.8.2554",
    ),
    (
        "gradient-flow-v1",
        "gradient_flow",
        "Bengio et al. (1994): SRN gradients vanish with lag; LSTM/GRU keep long-lag memories.",
        "Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with gradient descent is "
        "difficult. IEEE Transactions on Neural Networks 5(2), 157-166. doi:10.1109/72.279181",
    ),
]
for _id, _module, _description, _reference in _BUILTINS:
    REPLICATIONS.register(_id, f"cogrnn.replications.{_module}:REPLICATION", _description, _reference, "cogrnn")


def names() -> list[str]:
    """Names of the available replications (built-in and plugins), in registration order.

    Returns
    -------
    list of str
        Names without version.

    Examples
    --------
    >>> names()[:2]
    ['elman-xor', 'elman-letters']
    """
    return REPLICATIONS.names()


def get(name: str) -> Replication:
    """The replication called ``name`` (a versioned id such as ``elman-xor-v1`` works too).

    Parameters
    ----------
    name : str
        A replication name or id.

    Returns
    -------
    Replication
        The replication.

    Examples
    --------
    >>> get("elman-xor").name
    'elman-xor'
    """
    return get_replication(name)
