"""Elman's simple recurrent network (SRN) and Jordan's network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from ..config import check_choice, check_float
from .base import (
    ACTIVATIONS,
    EnsembleOptions,
    RecurrentEnsemble,
    RecurrentOutput,
    _check_init_range,
    _fill_model_doc,
    _first,
    _pair,
    _ReplicaProducts,
    activation,
    ensemble_linear,
)

if TYPE_CHECKING:  # typing.Unpack is Python >= 3.11
    from typing_extensions import Unpack

__all__ = ["ElmanSRN", "JordanNetwork"]


class _SimpleRecurrent(RecurrentEnsemble):
    """Elman's and Jordan's networks: one hidden nonlinearity, weights uniform in ``[-init_range, init_range]``."""

    _own_hyperparameters: tuple[str, ...] = ()

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        nonlinearity: str,
        init_range: float,
        **ensemble: Unpack[EnsembleOptions],
    ) -> None:
        super().__init__(input_size, hidden_size, output_size, **ensemble)
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, ACTIVATIONS)
        self.init_range = _check_init_range(init_range)

    def _init_bound(self, name: str) -> float:
        return self.init_range

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments that define the architecture (for provenance).

        Returns
        -------
        dict
            Those of :meth:`RecurrentEnsemble.hyperparameters` plus the model's own.

        Examples
        --------
        >>> ElmanSRN(1, 2, 1, random_state=0).hyperparameters()["context_init"]
        0.5
        """
        return {**super().hyperparameters(), **{name: getattr(self, name) for name in self._own_hyperparameters}}


def _elman_layer(nonlinearity: str, drive: Tensor, c0: Tensor, w_ch: Tensor) -> tuple[Tensor, Tensor]:
    """One Elman layer over all steps: ``h_t = f(drive_t + c_t @ w_ch.T)``, ``c_{t+1} = h_t``.

    Returns the hidden states ``(R, T, B, H)`` and the last one ``(R, B, H)``. With
    gradients, one autograd node for the whole sequence (:class:`_ElmanLayer`), whose
    backward computes what autograd computes through the steps, bit for bit.
    """
    if torch.is_grad_enabled() and (drive.requires_grad or c0.requires_grad or w_ch.requires_grad):
        hs, last = _ElmanLayer.apply(nonlinearity, drive, c0, w_ch)
        return hs, last
    with torch.no_grad():
        return _ElmanLayer.forward(None, nonlinearity, drive, c0, w_ch)


class _ElmanLayer(torch.autograd.Function):
    """:func:`_elman_layer` with gradients: the steps' operations in the forward, their derivatives in the backward.

    The backward repeats, operation for operation, what autograd does through
    :func:`activation` and :func:`ensemble_linear` step by step (the same operands, the
    same order of accumulation), so the gradients are the same bit for bit; without the
    per-step graph, the per-step layout of the weights and the per-product thread switches.
    """

    @staticmethod
    def forward(ctx: Any, nonlinearity: str, drive: Tensor, c0: Tensor, w_ch: Tensor) -> tuple[Tensor, Tensor]:
        one = w_ch.shape[0] == 1  # then run as two identical replicas (see _pair)
        products = _ReplicaProducts(_pair(w_ch) if one else w_ch, rows=c0.shape[1])
        inputs, saved, steps = [], [], []  # inputs[t]: the context of step t (t >= 1)
        with products.loop_threads():
            h = _pair(c0) if one else c0
            drive = _pair(drive) if one else drive
            for t in range(drive.shape[1]):
                a = drive[:, t] + products.linear(h)
                if nonlinearity == "logistic":
                    v = torch.tanh(0.5 * a)
                    h = 0.5 * v + 0.5
                    saved.append(v)  # tanh's result, what its derivative needs
                else:
                    h = activation(nonlinearity, a)
                    saved.append(h)
                steps.append(h)
                inputs.append(h)
        hs = torch.stack(steps, dim=1)
        if ctx is None:  # no gradients: the outputs alone
            return (hs[:1], h[:1]) if one else (hs, h)
        ctx.save_for_backward(c0, w_ch)
        ctx.nonlinearity, ctx.products, ctx.inputs, ctx.saved, ctx.one = nonlinearity, products, inputs[:-1], saved, one
        ctx.set_materialize_grads(False)
        return (hs[:1].clone(), h[:1].clone()) if one else (hs, h.clone())

    @staticmethod
    def backward(ctx: Any, grad_hs: Tensor | None, grad_last: Tensor | None) -> tuple[Tensor | None, ...]:
        products: _ReplicaProducts = ctx.products
        c0, w_ch = ctx.saved_tensors
        one = ctx.one
        if one:
            c0, w_ch, grad_hs, grad_last = _pair(c0), _pair(w_ch), _pair(grad_hs), _pair(grad_last)
        products.weight = w_ch
        nonlinearity, inputs, saved = ctx.nonlinearity, [c0, *ctx.inputs], ctx.saved
        T = len(saved)
        need_drive, need_c0, need_w = ctx.needs_input_grad[1:4]
        grad_drive: list[Tensor] = []
        grad_w = grad_h = None
        with products.loop_threads():
            for t in range(T - 1, -1, -1):
                # the gradient of h_t: from the stacked outputs (or the last state) and from step t + 1
                g = grad_last if t == T - 1 else grad_h
                if grad_hs is not None:
                    g = grad_hs[:, t] if g is None else grad_hs[:, t] + g
                if g is None:
                    g = torch.zeros_like(saved[t])
                grad_a = _activation_backward(nonlinearity, g, saved[t])
                grad_drive.append(grad_a)
                if need_w:
                    step_w = products.grad_weight(grad_a, inputs[t])
                    grad_w = step_w if grad_w is None else grad_w + step_w
                grad_h = products.grad_input(grad_a) if (t > 0 or need_c0) else None
        grad_drive.reverse()
        grads = (torch.stack(grad_drive, dim=1) if need_drive else None, grad_h if need_c0 else None, grad_w)
        return (None, *(_first(g) for g in grads)) if one else (None, *grads)


def _activation_backward(nonlinearity: str, grad: Tensor, saved: Tensor) -> Tensor:
    """The gradient autograd computes through :func:`activation` (``saved``: tanh's result for logistic, else f's)."""
    if nonlinearity == "logistic":  # 0.5 * tanh(0.5 * a) + 0.5, backward operation by operation
        return torch.ops.aten.tanh_backward(grad * 0.5, saved) * 0.5
    if nonlinearity == "tanh":
        return torch.ops.aten.tanh_backward(grad, saved)
    if nonlinearity == "relu":
        return torch.ops.aten.threshold_backward(grad, saved, 0)
    return grad


@_fill_model_doc
class ElmanSRN(_SimpleRecurrent):
    r"""Elman's (1990) simple recurrent network, as an ensemble of R replicas.

    For layer :math:`l` (layer 0 reads the input :math:`x_t`):

    .. math::

        h^l_t = f(W^l_{ih} h^{l-1}_t + W^l_{ch} c^l_t + b^l_h), \qquad
        c^l_{t+1} = h^l_t, \qquad
        y_t = g(W_{ho} h^{L-1}_t + b_o)

    The context units :math:`c^l` are an explicit copy of the hidden units (fixed
    one-to-one weights of 1.0); they start at ``context_init`` (0.5 in the paper).
    Elman's training (``cogrnn.training``, ``method="online"``) treats the context as
    a frozen input: the gradient stops at the copy.

    Parameters
    ----------
    %(sizes)s
    nonlinearity : {"logistic", "tanh", "relu", "identity"}, default "logistic"
        Hidden-unit activation ``f``.
    context_init : float, default 0.5
        Initial activation of the context units (one set per layer, as many as its hidden units).
    init_range : float, default 0.5
        Initial weights and biases are uniform in ``[-init_range, init_range]``; the
        paper does not give its range, so this is a free choice.
    %(ensemble)s
        Stacked layers (``num_layers``) each have their own context units; the output
        activation ``g`` is logistic by default.

    Examples
    --------
    >>> import torch
    >>> net = ElmanSRN(1, 2, 1, n_replicas=4, random_state=0)
    >>> out = net(torch.zeros(10, 1, 1))          # (T, B, I) shared by the 4 replicas
    >>> out.outputs.shape, out.hidden.shape
    (torch.Size([4, 10, 1, 1]), torch.Size([4, 1, 10, 1, 2]))
    >>> float(net.init_state()[0][0, 0, 0, 0])
    0.5
    """

    family = "srn"
    _own_hyperparameters = ("nonlinearity", "context_init", "init_range")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        nonlinearity: str = "logistic",
        context_init: float = 0.5,
        init_range: float = 0.5,
        **ensemble: Unpack[EnsembleOptions],
    ) -> None:
        super().__init__(
            input_size, hidden_size, output_size, nonlinearity=nonlinearity, init_range=init_range, **ensemble
        )
        self.context_init = check_float("context_init", context_init)
        self._build_parameters()

    def _layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        H = self.hidden_size
        shapes: list[tuple[str, tuple[int, ...]]] = []
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else H
            shapes.append((f"weight_ih_l{layer}", (H, n_in)))
            shapes.append((f"weight_ch_l{layer}", (H, H)))
            if self.bias:
                shapes.append((f"bias_h_l{layer}", (H,)))
        shapes.append(("weight_ho", (self.output_size, H)))
        if self.bias:
            shapes.append(("bias_o", (self.output_size,)))
        return shapes

    def init_state(self, batch_size: int = 1) -> tuple[Tensor, ...]:
        """``(context,)`` with context of shape ``(L, R, B, H)`` filled with ``context_init``.

        Parameters
        ----------
        batch_size : int, default 1
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            ``(context,)``.
        """
        shape = (self.num_layers, self.n_replicas, batch_size, self.hidden_size)
        return (torch.full(shape, self.context_init, dtype=self.dtype, device=self.device),)

    def _forward(self, x: Tensor, state: tuple[Tensor, ...]) -> RecurrentOutput:
        R, T, B, _ = x.shape
        (context,) = state
        layer_in = x
        hidden_layers, finals = [], []
        for layer in range(self.num_layers):
            w_ih = self.weight(f"weight_ih_l{layer}")
            w_ch = self.weight(f"weight_ch_l{layer}")
            b_h = self.maybe(f"bias_h_l{layer}")
            n_in = layer_in.shape[-1]
            drive = ensemble_linear(layer_in.reshape(R, T * B, n_in), w_ih, b_h).reshape(R, T, B, -1)
            layer_out, c = _elman_layer(self.nonlinearity, drive, context[layer], w_ch)
            hidden_layers.append(layer_out)
            finals.append(c)
            layer_in = layer_out
        logits, outputs = self._readout(layer_in)
        return RecurrentOutput(outputs, torch.stack(hidden_layers, dim=1), (torch.stack(finals),), logits)


@_fill_model_doc
class JordanNetwork(_SimpleRecurrent):
    r"""Jordan's (1986) network: the context is a decaying copy of the output.

    .. math::

        s_t = \mu s_{t-1} + y_{t-1}, \qquad
        h^0_t = f(W_{ih} x_t + W_{sh} s_t + b_h), \qquad
        y_t = g(W_{ho} h^{L-1}_t + b_o)

    Layers above the first are feedforward (``h^l_t = f(W^l h^{l-1}_t + b^l)``); the only
    recurrence is through the state units ``s`` (size ``output_size``), which start at
    ``state_init``.

    Parameters
    ----------
    %(sizes)s
    mu : float in [0, 1), default 0.5
        Decay of the state units.
    nonlinearity : {"logistic", "tanh", "relu", "identity"}, default "logistic"
        Hidden-unit activation ``f``.
    state_init : float, default 0.0
        Initial activation of the state units.
    init_range : float, default 0.5
        Initial weights and biases are uniform in ``[-init_range, init_range]``.
    %(ensemble)s
        The output activation ``g`` is logistic by default.

    Examples
    --------
    >>> import torch
    >>> net = JordanNetwork(3, 5, 3, mu=0.5, n_replicas=2, random_state=0)
    >>> out = net(torch.zeros(4, 1, 3))
    >>> out.state[0].shape                      # state units: (1, R, B, O), as every model's (L, R, B, .)
    torch.Size([1, 2, 1, 3])
    >>> out.hidden.shape                        # (R, L, T, B, H)
    torch.Size([2, 1, 4, 1, 5])
    """

    family = "jordan"
    _own_hyperparameters = ("mu", "nonlinearity", "state_init", "init_range")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        mu: float = 0.5,
        nonlinearity: str = "logistic",
        state_init: float = 0.0,
        init_range: float = 0.5,
        **ensemble: Unpack[EnsembleOptions],
    ) -> None:
        super().__init__(
            input_size, hidden_size, output_size, nonlinearity=nonlinearity, init_range=init_range, **ensemble
        )
        self.mu = check_float("mu", mu, low=0.0, high=1.0, high_inclusive=False)
        self.state_init = check_float("state_init", state_init)
        self._build_parameters()

    def _layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        H = self.hidden_size
        shapes: list[tuple[str, tuple[int, ...]]] = [
            ("weight_ih_l0", (H, self.input_size)),
            ("weight_sh", (H, self.output_size)),
        ]
        if self.bias:
            shapes.append(("bias_h_l0", (H,)))
        for layer in range(1, self.num_layers):
            shapes.append((f"weight_ih_l{layer}", (H, H)))
            if self.bias:
                shapes.append((f"bias_h_l{layer}", (H,)))
        shapes.append(("weight_ho", (self.output_size, H)))
        if self.bias:
            shapes.append(("bias_o", (self.output_size,)))
        return shapes

    def init_state(self, batch_size: int = 1) -> tuple[Tensor, ...]:
        """``(s, y)``: state units and last output, each ``(1, R, B, O)``.

        The layout of every model's state, ``(L, R, B, units)``, with one recurrent layer:
        Jordan's recurrence runs through the output, once per network.

        Parameters
        ----------
        batch_size : int, default 1
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            ``(s, y)``: ``s`` filled with ``state_init``, ``y`` zeros.
        """
        shape = (1, self.n_replicas, batch_size, self.output_size)
        s = torch.full(shape, self.state_init, dtype=self.dtype, device=self.device)
        return (s, torch.zeros(shape, dtype=self.dtype, device=self.device))

    def _forward(self, x: Tensor, state: tuple[Tensor, ...]) -> RecurrentOutput:
        R, T, B, _ = x.shape
        s, y = state[0][0], state[1][0]
        drive = ensemble_linear(
            x.reshape(R, T * B, self.input_size),
            self.weight("weight_ih_l0"),
            self.maybe("bias_h_l0"),
        ).reshape(R, T, B, -1)
        hiddens, logits_t, outputs_t = [], [], []
        for t in range(T):
            s = self.mu * s + y
            h = activation(self.nonlinearity, drive[:, t] + ensemble_linear(s, self.weight("weight_sh"), None))
            per_layer = [h]
            for layer in range(1, self.num_layers):
                h = activation(
                    self.nonlinearity,
                    ensemble_linear(
                        h,
                        self.weight(f"weight_ih_l{layer}"),
                        self.maybe(f"bias_h_l{layer}"),
                    ),
                )
                per_layer.append(h)
            z = ensemble_linear(h, self.weight("weight_ho"), self.maybe("bias_o"))
            y = activation(self.output_activation, z)
            hiddens.append(torch.stack(per_layer, dim=1))
            logits_t.append(z)
            outputs_t.append(y)
        return RecurrentOutput(
            torch.stack(outputs_t, dim=1),
            torch.stack(hiddens, dim=2),
            (s.unsqueeze(0), y.unsqueeze(0)),
            torch.stack(logits_t, dim=1),
        )
