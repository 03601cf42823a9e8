"""Long-lag memory tasks (Bengio et al. 1994; Hochreiter & Schmidhuber 1997)."""

from __future__ import annotations

import numpy as np

from .._docs import fill_doc
from ..config import check_int
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task

__all__ = ["FirstBitRecall"]


class FirstBitRecall(Task):
    """Remember the first bit of a sequence of random bits and report it after ``lag`` steps.

    Every step shows a random bit (the later ones are distractors); the target at the
    last step is the first bit. The descriptor ``scored`` is True only at the last step:
    pass it as the ``mask`` of :meth:`cogrnn.training.Trainer.fit`.

    Parameters
    ----------
    lag : int, default 10
        Length of a sequence: the first bit is reported ``lag - 1`` steps after it was shown.

    Examples
    --------
    >>> b = FirstBitRecall(lag=5).generate(random_state=0, n_streams=4)
    >>> b.inputs.shape, bool((b.targets[-1, :, 0] == b.inputs[0, :, 0]).all())
    ((5, 4, 1), True)
    >>> b.descriptors["scored"][:, 0].tolist()
    [False, False, False, False, True]
    """

    name = "first-bit-recall"
    reference = Reference(
        "Bengio, Y., Simard, P. & Frasconi, P.",
        1994,
        "Learning long-term dependencies with gradient descent is difficult",
        "IEEE Transactions on Neural Networks 5(2), 157-166",
        "10.1109/72.279181",
    )

    def __init__(self, lag: int = 10) -> None:
        self.lag = check_int("lag", lag, low=1)

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` sequences of ``lag`` random bits, the first bit the last step's target.

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        n = check_int("n_streams", n_streams, low=1)
        bits = check_random_state(random_state).integers(0, 2, size=(self.lag, n)).astype(np.float64)
        targets = np.zeros((self.lag, n, 1))
        targets[-1, :, 0] = bits[0]
        scored = np.zeros((self.lag, n), dtype=bool)
        scored[-1] = True
        return SequenceBatch(
            bits[:, :, None], targets, {"scored": scored, "first_bit": np.repeat(bits[:1], self.lag, 0)}
        )
