"""Elman-style experiments in one call: an SRN ensemble trained online, one stream per replica."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..config import Config, check_float, check_int
from ..exceptions import DataError
from ..models.srn import ElmanSRN
from ..tasks.base import SequenceBatch
from .trainer import Trainer

__all__ = ["OnlineSRNConfig", "stack_streams", "train_srn_ensemble"]


@dataclass(frozen=True)
class OnlineSRNConfig(Config):
    """The parameters of Elman's (1990) simulations that the paper leaves open or states.

    Replications subclass it, changing the defaults to the paper's values and adding
    their own fields; ``__post_init__`` validates these five.
    """

    epochs: int = 1
    hidden_size: int = 2
    lr: float = 0.1
    momentum: float = 0.0
    init_range: float = 0.5

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, low=1)
        check_int("hidden_size", self.hidden_size, low=1)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("momentum", self.momentum, low=0.0, high=1.0, high_inclusive=False)
        check_float("init_range", self.init_range, low=0.0, low_inclusive=False)


def stack_streams(batches: Sequence[SequenceBatch]) -> tuple[np.ndarray, np.ndarray]:
    """One stream per replica, ``(R, T, 1, I)`` inputs and targets, cut to the shortest stream.

    Examples
    --------
    >>> from cogrnn.tasks import LetterSequence
    >>> x, y = stack_streams([LetterSequence(20).generate(s) for s in range(3)])
    >>> x.shape[0], x.shape[2:]
    (3, (1, 6))
    """
    if not batches:
        raise DataError("stack_streams needs at least one stream")
    T = min(b.n_steps for b in batches)
    x = np.stack([b.inputs[:T, :1] for b in batches])
    y = np.stack([b.targets[:T, :1] for b in batches])
    return x, y


def train_srn_ensemble(
    config: OnlineSRNConfig,
    streams: Sequence[SequenceBatch],
    seeds: Sequence[Any],
    dtype: torch.dtype = torch.float64,
    quiet: bool = False,
    **model_kw: Any,
) -> ElmanSRN:
    """Train one Elman SRN per stream (replica r on ``streams[r]``, initial weights from ``seeds[r]``).

    Elman's online copy-back training for ``config.epochs`` passes (the stream wraps
    around and the context is never reset), logistic units, half sum of squared errors.

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> cfg = OnlineSRNConfig(epochs=2, hidden_size=2)
    >>> net = train_srn_ensemble(cfg, [TemporalXOR(10).generate(s) for s in (1, 2)], [1, 2], quiet=True)
    >>> net.n_replicas
    2
    """
    if len(streams) != len(seeds):
        raise DataError(f"{len(streams)} streams for {len(seeds)} seeds")
    x, y = stack_streams(streams)
    net = ElmanSRN(
        x.shape[-1], config.hidden_size, y.shape[-1], n_replicas=len(seeds), replica_seeds=list(seeds),
        init_range=config.init_range, dtype=dtype, **model_kw,
    )  # fmt: skip
    trainer = Trainer(method="online", epochs=config.epochs, lr=config.lr, momentum=config.momentum, quiet=quiet)
    trainer.fit(net, x.astype(np.float32 if dtype == torch.float32 else np.float64), y)
    return net
