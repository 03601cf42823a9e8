"""Sequence tasks; each carries its :class:`Reference`.

Registered ids (``cogrnn.make_task(id, ...)``): ``temporal-xor``.
"""

from __future__ import annotations

from ..registry import TASKS
from .base import Reference, SequenceBatch, Task
from .temporal_xor import ELMAN_1990, TemporalXOR

__all__ = ["Reference", "SequenceBatch", "Task", "TemporalXOR", "ELMAN_1990"]

TASKS.register(
    "temporal-xor-v1",
    TemporalXOR,
    "Two random bits then their XOR, concatenated; predict the next bit.",
    TemporalXOR.reference.cite() if TemporalXOR.reference else "",
)
