"""Losses, computed per replica.

All losses reduce over output units as named (``sse``: half the sum of squared errors,
the convention of Rumelhart, Hinton & Williams 1986; ``mse``: the mean over units;
``cross_entropy``: softmax cross-entropy on the logits against one-hot or probability
targets; ``bce``: logistic cross-entropy per unit, summed) and then average over time
steps and sequences. The result has one value per replica, so that summing it and
calling ``backward`` gives every replica exactly its own gradient.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.nn import functional as F

from ..exceptions import ConfigError

__all__ = ["LOSSES", "compute_loss", "check_loss_compatible"]

LOSSES = ("sse", "mse", "cross_entropy", "bce")


def check_loss_compatible(loss: str, output_activation: str) -> None:
    """Raise :class:`ConfigError` when ``loss`` does not fit the output activation.

    Parameters
    ----------
    loss : {"sse", "mse", "cross_entropy", "bce"}
        The loss.
    output_activation : str
        The model's output activation.

    Examples
    --------
    >>> check_loss_compatible("bce", "logistic")
    >>> check_loss_compatible("bce", "identity")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: loss='bce' needs output_activation 'logistic'; got 'identity'
    """
    if loss not in LOSSES:
        raise ConfigError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
    if loss == "cross_entropy" and output_activation == "logistic":
        raise ConfigError(
            "loss='cross_entropy' (softmax over the outputs) needs output_activation 'softmax' "
            "or 'identity'; for logistic outputs use loss='bce' or 'sse'"
        )
    if loss == "bce" and output_activation != "logistic":
        raise ConfigError(f"loss='bce' needs output_activation 'logistic'; got {output_activation!r}")


def compute_loss(loss: str, logits: Tensor, outputs: Tensor, targets: Tensor, mask: Tensor | None = None) -> Tensor:
    """Loss of every replica, shape ``(R,)``, from ``(R, T, B, O)`` tensors.

    With ``mask`` ``(R, T, B)`` only the steps where it is nonzero count (weighted by it),
    e.g. only the last step of a memory task; a replica without any counted step has loss 0.

    Parameters
    ----------
    loss : {"sse", "mse", "cross_entropy", "bce"}
        Half sum of squared errors, mean squared error, softmax cross-entropy (from the
        logits) or binary cross-entropy (from the logits of logistic outputs).
    logits : Tensor, shape (R, T, B, O)
        Outputs before the output activation.
    outputs : Tensor, shape (R, T, B, O)
        Outputs after it.
    targets : Tensor, shape (R, T, B, O)
        Targets.
    mask : Tensor, shape (R, T, B), optional
        Weight of every step (default: all steps count equally).

    Returns
    -------
    Tensor, shape (R,)
        The mean loss per counted step of every replica.

    Examples
    --------
    >>> import torch
    >>> y = torch.full((2, 3, 1, 4), 0.5)
    >>> compute_loss("sse", y, y, torch.ones_like(y))
    tensor([0.5000, 0.5000])
    """
    if loss == "sse":
        per_step = 0.5 * (outputs - targets).pow(2).sum(-1)
    elif loss == "mse":
        per_step = (outputs - targets).pow(2).mean(-1)
    elif loss == "cross_entropy":
        per_step = -(targets * F.log_softmax(logits, dim=-1)).sum(-1)
    elif loss == "bce":
        # log(1 + e^z) - t z, written out: torch's fused form rounds its gradient by position
        per_step = (logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))).sum(-1)
    else:
        raise ConfigError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
    if mask is None:
        return per_step.flatten(1).mean(1)
    weights = mask.to(per_step.dtype)
    total = weights.flatten(1).sum(1)
    return (per_step * weights).flatten(1).sum(1) / total.clamp(min=torch.finfo(per_step.dtype).tiny)
