"""Elman's (1990) temporal XOR: pairs of random bits, each followed by their XOR."""

from __future__ import annotations

import numpy as np

from .._docs import fill_doc
from ..config import check_bool, check_int
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task

__all__ = ["TemporalXOR", "ELMAN_1990"]

ELMAN_1990 = Reference(
    authors="Elman, J. L.",
    year=1990,
    title="Finding structure in time",
    venue="Cognitive Science 14(2), 179-211",
    doi="10.1207/s15516709cog1402_1",
)


class TemporalXOR(Task):
    """The temporal XOR stream of Elman (1990, pp. 185-187).

    Two random bits are followed by their XOR; triples are concatenated without
    breaks into one stream of ``3 * n_triples`` bits. The task is to predict the next
    bit, so only every third target (the XOR bit) is predictable.

    Parameters
    ----------
    n_triples : int, default 1000
        Triples per stream (the paper: 1,000, i.e. 3,000 bits).
    wrap : bool, default True
        The target of the last bit is the first bit (the stream wraps around, as when
        it is presented pass after pass).

    Notes
    -----
    Descriptors: ``t`` (step), ``input_phase`` and ``target_phase`` (position within the triple,
    0, 1, 2; 2 is the XOR bit), ``input`` and ``target`` (the bits).

    Examples
    --------
    >>> batch = TemporalXOR(n_triples=4).generate(random_state=0)
    >>> bits = batch.inputs[:, 0, 0].astype(int)
    >>> bool(np.all(bits[2::3] == bits[0::3] ^ bits[1::3]))
    True
    >>> batch.descriptors["target_phase"][:6, 0].tolist()
    [1, 2, 0, 1, 2, 0]
    """

    name = "temporal-xor"
    reference = Reference(**{**ELMAN_1990.__dict__, "figure": "Fig. 3"})

    def __init__(self, n_triples: int = 1000, wrap: bool = True) -> None:
        self.n_triples = check_int("n_triples", n_triples, low=1)
        self.wrap = check_bool("wrap", wrap)

    @fill_doc
    def bits(self, random_state: RandomState | None = None) -> np.ndarray:
        """One stream of ``3 * n_triples`` bits (int8).

        Parameters
        ----------
        %(random_state)s

        Returns
        -------
        numpy.ndarray
            The bits, every third the XOR of the two before it.
        """
        rng = check_random_state(random_state)
        pairs = rng.integers(0, 2, size=(self.n_triples, 2), dtype=np.int8)
        return np.column_stack([pairs, pairs[:, 0] ^ pairs[:, 1]]).reshape(-1)

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` independent streams as a :class:`SequenceBatch` of shape (T, B, 1).

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        n_streams = check_int("n_streams", n_streams, low=1)
        rng = check_random_state(random_state)
        streams = np.stack([self.bits(rng) for _ in range(n_streams)], axis=1)  # (3N, B)
        if self.wrap:
            inputs, targets = streams, np.roll(streams, -1, axis=0)
        else:
            inputs, targets = streams[:-1], streams[1:]
        T, B = inputs.shape
        phase = np.arange(T) % 3
        return SequenceBatch(
            inputs=inputs[:, :, None].astype(np.float64),
            targets=targets[:, :, None].astype(np.float64),
            descriptors={
                "t": np.repeat(np.arange(T)[:, None], B, axis=1),
                "input_phase": np.repeat(phase[:, None], B, axis=1),
                "target_phase": np.repeat(((phase + 1) % 3)[:, None], B, axis=1),
                "input": inputs.astype(np.int64),
                "target": targets.astype(np.int64),
            },
        )
