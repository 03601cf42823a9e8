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

    Parameters
    ----------
    epochs : int, default 1
        Passes through the training stream.
    hidden_size : int, default 2
        Hidden (= context) units.
    lr : float, default 0.1
        Learning rate (> 0).
    momentum : float in [0, 1), default 0.0
        Momentum of the weight updates.
    init_range : float, default 0.5
        Initial weights uniform in ``[-init_range, init_range]``.

    Examples
    --------
    >>> OnlineSRNConfig(epochs=600, hidden_size=2).lr
    0.1
    """

    epochs: int = 1
    hidden_size: int = 2
    lr: float = 0.1
    momentum: float = 0.0
    init_range: float = 0.5

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, low=1, high=10**6)
        check_int("hidden_size", self.hidden_size, low=1, high=10**5)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("momentum", self.momentum, low=0.0, high=1.0, high_inclusive=False)
        check_float("init_range", self.init_range, low=0.0, low_inclusive=False)


def stack_streams(batches: Sequence[SequenceBatch]) -> tuple[np.ndarray, np.ndarray]:
    """Streams of one length, stacked one per replica: ``(R, T, 1, I)`` inputs and targets.

    Parameters
    ----------
    batches : sequence of SequenceBatch
        One stream per replica, all of the same length (the first sequence of each is used).

    Returns
    -------
    x, y : ndarray
        Inputs ``(R, T, 1, I)`` and targets ``(R, T, 1, O)``.

    Raises
    ------
    DataError
        When there are no streams or their lengths differ (nothing is cut: train streams of
        different lengths with :func:`train_srn_ensemble`, which groups them by length).

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> x, y = stack_streams([TemporalXOR(20).generate(s) for s in range(3)])
    >>> x.shape[0], x.shape[2:]
    (3, (1, 1))
    """
    if not batches:
        raise DataError("stack_streams needs at least one stream")
    lengths = sorted({b.n_steps for b in batches})
    if len(lengths) > 1:
        raise DataError(f"stack_streams needs streams of one length; got lengths {lengths}")
    x = np.stack([b.inputs[:, :1] for b in batches])
    y = np.stack([b.targets[:, :1] for b in batches])
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
    Every replica trains on its whole stream, whatever the lengths of the others: replicas
    whose streams have the same length train together (one compiled ensemble), each
    group on its own, so a replica ends with the weights it reaches when trained alone.

    Parameters
    ----------
    config : OnlineSRNConfig
        Epochs, hidden units, learning rate, momentum, initial weight range.
    streams : sequence of SequenceBatch
        The training stream of every replica.
    seeds : sequence
        The initial-weight seed of every replica (one per stream).
    dtype : torch.dtype, default torch.float64
        Parameter dtype.
    quiet : bool, default False
        If True, print no progress.
    **model_kw
        Further :class:`~cogrnn.models.ElmanSRN` arguments (e.g. ``context_init``).

    Returns
    -------
    ElmanSRN
        The trained ensemble, replica r trained on ``streams[r]``.

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> cfg = OnlineSRNConfig(epochs=2, hidden_size=2)
    >>> streams = [TemporalXOR(10).generate(1), TemporalXOR(12).generate(2)]
    >>> net = train_srn_ensemble(cfg, streams, [1, 2], quiet=True)
    >>> net.n_replicas
    2
    """
    if len(streams) != len(seeds):
        raise DataError(f"{len(streams)} streams for {len(seeds)} seeds")
    if not streams:
        raise DataError("train_srn_ensemble needs at least one stream")
    sizes = {(b.inputs.shape[-1], b.targets.shape[-1]) for b in streams}
    if len(sizes) > 1:
        raise DataError(f"the streams differ in their input/output sizes: {sorted(sizes)}")
    (n_in, n_out) = sizes.pop()
    np_dtype = np.float32 if dtype == torch.float32 else np.float64

    def build(group_seeds: Sequence[Any]) -> ElmanSRN:
        return ElmanSRN(
            n_in, config.hidden_size, n_out, n_replicas=len(group_seeds), replica_seeds=list(group_seeds),
            init_range=config.init_range, dtype=dtype, **model_kw,
        )  # fmt: skip

    net = build(seeds)
    groups: dict[int, list[int]] = {}
    for r, b in enumerate(streams):
        groups.setdefault(b.n_steps, []).append(r)
    for members in groups.values():
        sub = build([net.replica_seeds[r] for r in members])
        x, y = stack_streams([streams[r] for r in members])
        trainer = Trainer(method="online", epochs=config.epochs, lr=config.lr, momentum=config.momentum, quiet=quiet)
        trainer.fit(sub, x.astype(np_dtype), y.astype(np_dtype))
        index = torch.as_tensor(members)
        trained = dict(sub.named_parameters())
        with torch.no_grad():
            for name, param in net.named_parameters():
                param[index] = trained[name]
    return net
