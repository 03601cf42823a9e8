"""Gated recurrent networks (LSTM, GRU) as ensembles of R replicas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from ..config import check_float
from ..exceptions import ConfigError
from .base import (
    EnsembleOptions,
    RecurrentEnsemble,
    RecurrentOutput,
    _fill_model_doc,
    _first,
    _pair,
    _ReplicaProducts,
    ensemble_linear,
    uniform_bound,
)

if TYPE_CHECKING:  # typing.Unpack is Python >= 3.11
    from typing_extensions import Unpack

__all__ = ["LSTMNetwork", "GRUNetwork"]


class _GatedBase(RecurrentEnsemble):
    _gates = 1
    default_output_activation = "identity"

    def __init__(
        self, input_size: int, hidden_size: int, output_size: int, **ensemble: Unpack[EnsembleOptions]
    ) -> None:
        super().__init__(input_size, hidden_size, output_size, **ensemble)
        self._build_parameters()

    def _layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        H, G = self.hidden_size, self._gates
        shapes: list[tuple[str, tuple[int, ...]]] = []
        for layer in range(self.num_layers):
            n_in = self.input_size if layer == 0 else H
            shapes.append((f"weight_ih_l{layer}", (G * H, n_in)))
            shapes.append((f"weight_hh_l{layer}", (G * H, H)))
            if self.bias:
                shapes.append((f"bias_ih_l{layer}", (G * H,)))
                shapes.append((f"bias_hh_l{layer}", (G * H,)))
        shapes.append(("weight_ho", (self.output_size, H)))
        if self.bias:
            shapes.append(("bias_o", (self.output_size,)))
        return shapes

    def _init_bound(self, name: str) -> float:
        return uniform_bound(self.hidden_size)

    def _zeros(self, batch_size: int) -> Tensor:
        shape = (self.num_layers, self.n_replicas, batch_size, self.hidden_size)
        return torch.zeros(shape, dtype=self.dtype, device=self.device)

    def _layer_drive(self, layer_in: Tensor, layer: int) -> Tensor:
        R, T, B, n_in = layer_in.shape
        w_ih = self.weight(f"weight_ih_l{layer}")
        b_ih = self.maybe(f"bias_ih_l{layer}")
        return ensemble_linear(layer_in.reshape(R, T * B, n_in), w_ih, b_ih).reshape(R, T, B, -1)

    def _recurrent(self, h: Tensor, layer: int) -> Tensor:
        return ensemble_linear(h, self.weight(f"weight_hh_l{layer}"), self.maybe(f"bias_hh_l{layer}"))


@_fill_model_doc
class LSTMNetwork(_GatedBase):
    r"""Long short-term memory network (Hochreiter & Schmidhuber 1997), R replicas.

    The cell follows :class:`torch.nn.LSTM` (gate order i, f, g, o):

    .. math::

        i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \quad
        f_t = \sigma(\dots) \quad g_t = \tanh(\dots) \quad o_t = \sigma(\dots)

        c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t)

    followed by a linear readout ``y_t = g(W_ho h_t + b_o)`` (identity by default).
    Initial weights are uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` as in PyTorch;
    ``forget_bias`` (default 0, as PyTorch) is added to the forget-gate biases, e.g. 1.0 as
    recommended by Gers et al. (2000) and Jozefowicz et al. (2015) for long lags.

    Parameters
    ----------
    %(sizes)s
    forget_bias : float, default 0.0
        Added to the forget-gate biases (needs ``bias=True``).
    %(ensemble)s
        The output activation is the identity by default.

    Examples
    --------
    >>> import torch
    >>> net = LSTMNetwork(3, 8, 2, num_layers=2, n_replicas=5, random_state=0)
    >>> out = net(torch.zeros(7, 4, 3))
    >>> out.hidden.shape, [s.shape for s in out.state]
    (torch.Size([5, 2, 7, 4, 8]), [torch.Size([2, 5, 4, 8]), torch.Size([2, 5, 4, 8])])
    """

    family = "lstm"
    _gates = 4

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        forget_bias: float = 0.0,
        **ensemble: Unpack[EnsembleOptions],
    ) -> None:
        super().__init__(input_size, hidden_size, output_size, **ensemble)
        self.forget_bias = check_float("forget_bias", forget_bias)
        if self.forget_bias and not self.bias:
            raise ConfigError("forget_bias needs bias=True")
        if self.forget_bias:
            H = self.hidden_size
            with torch.no_grad():
                for layer in range(self.num_layers):
                    self.weight(f"bias_hh_l{layer}")[:, H : 2 * H] += self.forget_bias

    def init_state(self, batch_size: int = 1) -> tuple[Tensor, ...]:
        """``(h, c)``, each ``(L, R, B, H)`` of zeros.

        Parameters
        ----------
        batch_size : int, default 1
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            ``(h, c)``.
        """
        return (self._zeros(batch_size), self._zeros(batch_size))

    def _forward(self, x: Tensor, state: tuple[Tensor, ...]) -> RecurrentOutput:
        h0, c0 = state
        layer_in, hidden_layers, cell_layers, hs, cs = x, [], [], [], []
        for layer in range(self.num_layers):
            drive = self._layer_drive(layer_in, layer)
            w_hh, b_hh = self.weight(f"weight_hh_l{layer}"), self.maybe(f"bias_hh_l{layer}")
            layer_in, cells, h, c = _lstm_layer(drive, h0[layer], c0[layer], w_hh, b_hh)
            hidden_layers.append(layer_in)
            cell_layers.append(cells)
            hs.append(h)
            cs.append(c)
        logits, outputs = self._readout(layer_in)
        return RecurrentOutput(
            outputs,
            torch.stack(hidden_layers, dim=1),
            (torch.stack(hs), torch.stack(cs)),
            logits,
            torch.stack(cell_layers, dim=1),
        )


@_fill_model_doc
class GRUNetwork(_GatedBase):
    r"""Gated recurrent unit network (Cho et al. 2014), R replicas.

    The cell follows :class:`torch.nn.GRU` (gate order r, z, n):

    .. math::

        r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}), \quad
        z_t = \sigma(\dots), \quad
        n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))

        h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    Parameters
    ----------
    %(sizes)s
    %(ensemble)s
        The output activation is the identity by default.

    Examples
    --------
    >>> import torch
    >>> net = GRUNetwork(3, 8, 2, random_state=0)
    >>> net(torch.zeros(7, 4, 3)).outputs.shape
    torch.Size([1, 7, 4, 2])
    """

    family = "gru"
    _gates = 3

    def init_state(self, batch_size: int = 1) -> tuple[Tensor, ...]:
        """``(h,)`` of shape ``(L, R, B, H)``, zeros.

        Parameters
        ----------
        batch_size : int, default 1
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            ``(h,)``.
        """
        return (self._zeros(batch_size),)

    def _forward(self, x: Tensor, state: tuple[Tensor, ...]) -> RecurrentOutput:
        (h0,) = state
        layer_in, hidden_layers, hs = x, [], []
        for layer in range(self.num_layers):
            drive = self._layer_drive(layer_in, layer)
            w_hh, b_hh = self.weight(f"weight_hh_l{layer}"), self.maybe(f"bias_hh_l{layer}")
            layer_in, h = _gru_layer(drive, h0[layer], w_hh, b_hh)
            hidden_layers.append(layer_in)
            hs.append(h)
        logits, outputs = self._readout(layer_in)
        return RecurrentOutput(outputs, torch.stack(hidden_layers, dim=1), (torch.stack(hs),), logits)


# -- fused layers: one autograd node per layer and sequence -----------------------------
#
# The forwards run the operations the cells are defined by (``logistic`` written out as
# ``0.5 * tanh(0.5 * x) + 0.5``) step by step; the backwards repeat, operation for
# operation, what autograd computes through those steps (the same operands, the same
# order of accumulation where a tensor receives more than two gradients), so outputs and
# gradients are those of the per-step autograd graph bit for bit, without its per-step
# bookkeeping (tests/test_models_fused.py).


def _tanh_grad(grad: Tensor, result: Tensor) -> Tensor:
    return torch.ops.aten.tanh_backward(grad, result)


def _logistic_grad(grad: Tensor, tanh_half: Tensor) -> Tensor:
    """Autograd's gradient through ``0.5 * tanh(0.5 * x) + 0.5`` (``tanh_half`` = ``tanh(0.5 * x)``)."""
    return torch.ops.aten.tanh_backward(grad * 0.5, tanh_half) * 0.5


def _wants_grad(*tensors: Tensor | None) -> bool:
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def _add(a: Tensor | None, b: Tensor | None) -> Tensor | None:
    """``a + b`` where either may be missing (a gradient that does not flow)."""
    if a is None:
        return b
    return a if b is None else a + b


def _bias_sum(grad_b: Tensor | None, grad: Tensor, need: bool) -> Tensor | None:
    if not need:
        return None
    step = grad.sum(1)
    return step if grad_b is None else grad_b + step


def _lstm_layer(
    drive: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, b_hh: Tensor | None
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """One LSTM layer over all steps: hidden states and cells ``(R, T, B, H)``, the last of each ``(R, B, H)``."""
    if _wants_grad(drive, h0, c0, w_hh, b_hh):
        hs, cs, h, c = _LSTMLayer.apply(drive, h0, c0, w_hh, b_hh)
        return hs, cs, h, c
    with torch.no_grad():
        hs, cs, h, c, _ = _lstm_forward(drive, h0, c0, w_hh, b_hh, None)
    if w_hh.shape[0] == 1:
        return hs[:1], cs[:1], h[:1], c[:1]
    return hs, cs, h, c


def _lstm_forward(
    drive: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None, saved: list[tuple[Tensor, ...]] | None
) -> tuple[Tensor, Tensor, Tensor, Tensor, _ReplicaProducts]:
    """The steps; a single replica runs as two identical ones (see ``_pair``), and the results keep both."""
    if w_hh.shape[0] == 1:
        drive, h, c, w_hh, b_hh = _pair(drive), _pair(h), _pair(c), _pair(w_hh), _pair(b_hh)
    products = _ReplicaProducts(w_hh, rows=h.shape[1])
    bias = None if b_hh is None else b_hh.unsqueeze(1)
    H = h.shape[-1]
    steps, cells = [], []
    with products.loop_threads():
        for t in range(drive.shape[1]):
            rec = products.linear(h)
            if bias is not None:
                rec = rec + bias
            gates = drive[:, t] + rec
            # the logistic of the adjacent gates i and f in one pass (elementwise: the same numbers)
            t_if = torch.tanh(0.5 * gates[..., : 2 * H])
            s_if = 0.5 * t_if + 0.5
            si, sf = s_if[..., :H], s_if[..., H:]
            p1 = sf * c
            tg = torch.tanh(gates[..., 2 * H : 3 * H])
            c_new = p1 + si * tg
            to = torch.tanh(0.5 * gates[..., 3 * H :])
            so = 0.5 * to + 0.5
            tc = torch.tanh(c_new)
            h_new = so * tc
            if saved is not None:
                saved.append((h, c, t_if, tg, to, si, sf, so, tc))
            h, c = h_new, c_new
            steps.append(h)
            cells.append(c)
    return torch.stack(steps, dim=1), torch.stack(cells, dim=1), h, c, products


class _LSTMLayer(torch.autograd.Function):
    """:func:`_lstm_layer` with gradients (see the note above)."""

    @staticmethod
    def forward(ctx: Any, drive: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Any:
        saved: list[tuple[Tensor, ...]] = []
        hs, cs, h, c, products = _lstm_forward(drive, h0, c0, w_hh, b_hh, saved)
        ctx.save_for_backward(h0, c0, w_hh)  # for autograd's check that they are unchanged at the backward
        ctx.products, ctx.saved = products, [s[2:] for s in saved]
        ctx.prev = [(s[0], s[1]) for s in saved]  # (h, c) entering every step
        ctx.set_materialize_grads(False)
        if w_hh.shape[0] == 1:
            return hs[:1].clone(), cs[:1].clone(), h[:1].clone(), c[:1].clone()
        return hs, cs, h.clone(), c.clone()

    @staticmethod
    def backward(ctx: Any, grad_hs: Tensor | None, grad_cs: Tensor | None, grad_h: Tensor | None,
                 grad_c: Tensor | None) -> tuple[Tensor | None, ...]:  # fmt: skip
        h0, _, _ = ctx.saved_tensors  # (the steps use their pairs: ctx.prev, ctx.products)
        products: _ReplicaProducts = ctx.products
        one = h0.shape[0] == 1
        if one:
            grad_hs, grad_cs, grad_h, grad_c = _pair(grad_hs), _pair(grad_cs), _pair(grad_h), _pair(grad_c)
        prev = ctx.prev
        need_drive, need_h0, need_c0, need_w, need_b = ctx.needs_input_grad
        T = len(ctx.saved)
        grad_drive: list[Tensor] = []
        grad_w = grad_b = None
        with products.loop_threads():
            for t in range(T - 1, -1, -1):
                t_if, tg, to, si, sf, so, tc = ctx.saved[t]
                h_prev, c_prev = prev[t]
                # h_t: from the outputs and from step t + 1 (or the final state); c_t likewise, then through h_t
                gh = _add(None if grad_hs is None else grad_hs[:, t], grad_h)
                gc = _add(None if grad_cs is None else grad_cs[:, t], grad_c)
                if gh is None:
                    gh = torch.zeros_like(tc)
                grad_so = gh * tc
                from_h = _tanh_grad(gh * so, tc)
                gc = from_h if gc is None else gc + from_h
                grad_if = _logistic_grad(torch.cat([gc * tg, gc * c_prev], dim=-1), t_if)
                grad_c = gc * sf
                grad_g = _tanh_grad(gc * si, tg)
                grad_gates = torch.cat([grad_if, grad_g, _logistic_grad(grad_so, to)], dim=-1)
                grad_drive.append(grad_gates)
                if need_w:
                    step_w = products.grad_weight(grad_gates, h_prev)
                    grad_w = step_w if grad_w is None else grad_w + step_w
                grad_b = _bias_sum(grad_b, grad_gates[:1] if one else grad_gates, need_b)
                grad_h = products.grad_input(grad_gates) if (t > 0 or need_h0) else None
        grad_drive.reverse()
        grads = (
            torch.stack(grad_drive, dim=1) if need_drive else None,
            grad_h if need_h0 else None,
            grad_c if need_c0 else None,
            grad_w,
        )
        return (*(_first(g) for g in grads), grad_b) if one else (*grads, grad_b)


def _gru_layer(drive: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """One GRU layer over all steps: hidden states ``(R, T, B, H)`` and the last one ``(R, B, H)``."""
    if _wants_grad(drive, h0, w_hh, b_hh):
        hs, h = _GRULayer.apply(drive, h0, w_hh, b_hh)
        return hs, h
    with torch.no_grad():
        hs, h, _ = _gru_forward(drive, h0, w_hh, b_hh, None)
    return (hs[:1], h[:1]) if w_hh.shape[0] == 1 else (hs, h)


def _gru_forward(
    drive: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, saved: list[tuple[Tensor, ...]] | None
) -> tuple[Tensor, Tensor, _ReplicaProducts]:
    """The steps; a single replica runs as two identical ones (see ``_pair``), and the results keep both."""
    if w_hh.shape[0] == 1:
        drive, h, w_hh, b_hh = _pair(drive), _pair(h), _pair(w_hh), _pair(b_hh)
    products = _ReplicaProducts(w_hh, rows=h.shape[1])
    bias = None if b_hh is None else b_hh.unsqueeze(1)
    H = h.shape[-1]
    steps = []
    with products.loop_threads():
        for t in range(drive.shape[1]):
            rec = products.linear(h)
            if bias is not None:
                rec = rec + bias
            d = drive[:, t]
            hn = rec[..., 2 * H :]
            # the logistic of the adjacent gates r and z in one pass (elementwise: the same numbers)
            t_rz = torch.tanh(0.5 * (d[..., : 2 * H] + rec[..., : 2 * H]))
            s_rz = 0.5 * t_rz + 0.5
            r, z = s_rz[..., :H], s_rz[..., H:]
            n = torch.tanh(d[..., 2 * H :] + r * hn)
            omz = 1 - z
            h_new = omz * n + z * h
            if saved is not None:
                saved.append((h, hn, t_rz, r, z, n, omz))
            h = h_new
            steps.append(h)
    return torch.stack(steps, dim=1), h, products


class _GRULayer(torch.autograd.Function):
    """:func:`_gru_layer` with gradients (see the note above)."""

    @staticmethod
    def forward(ctx: Any, drive: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Any:
        saved: list[tuple[Tensor, ...]] = []
        hs, h, products = _gru_forward(drive, h0, w_hh, b_hh, saved)
        ctx.save_for_backward(h0, w_hh)  # for autograd's check that they are unchanged at the backward
        ctx.products, ctx.saved = products, [s[1:] for s in saved]
        ctx.prev = [s[0] for s in saved]  # h entering every step
        ctx.set_materialize_grads(False)
        return (hs[:1].clone(), h[:1].clone()) if w_hh.shape[0] == 1 else (hs, h.clone())

    @staticmethod
    def backward(ctx: Any, grad_hs: Tensor | None, grad_last: Tensor | None) -> tuple[Tensor | None, ...]:
        h0, _ = ctx.saved_tensors  # (the steps use their pairs: ctx.prev, ctx.products)
        products: _ReplicaProducts = ctx.products
        one = h0.shape[0] == 1
        if one:
            grad_hs, grad_last = _pair(grad_hs), _pair(grad_last)
        prev = ctx.prev
        need_drive, need_h0, need_w, need_b = ctx.needs_input_grad
        T = len(ctx.saved)
        grad_drive: list[Tensor] = []
        grad_w = grad_b = None
        via_gate = via_product = None  # the two gradients step t + 1 sends to h_t, in autograd's order
        with products.loop_threads():
            for t in range(T - 1, -1, -1):
                hn, t_rz, r, z, n, omz = ctx.saved[t]
                h_prev = prev[t]
                gh = _add(None if grad_hs is None else grad_hs[:, t], grad_last if t == T - 1 else via_gate)
                gh = _add(gh, via_product)
                if gh is None:
                    gh = torch.zeros_like(n)
                grad_z = gh * h_prev - gh * n
                grad_an = _tanh_grad(gh * omz, n)
                grad_rz = _logistic_grad(torch.cat([grad_an * hn, grad_z], dim=-1), t_rz)
                grad_drive.append(torch.cat([grad_rz, grad_an], dim=-1))
                grad_rec = torch.cat([grad_rz, grad_an * r], dim=-1)
                if need_w:
                    step_w = products.grad_weight(grad_rec, h_prev)
                    grad_w = step_w if grad_w is None else grad_w + step_w
                grad_b = _bias_sum(grad_b, grad_rec[:1] if one else grad_rec, need_b)
                if t > 0 or need_h0:
                    via_gate, via_product = gh * z, products.grad_input(grad_rec)
        grad_drive.reverse()
        grads = (
            torch.stack(grad_drive, dim=1) if need_drive else None,
            _add(via_gate, via_product) if need_h0 else None,
            grad_w,
        )
        return (*(_first(g) for g in grads), grad_b) if one else (*grads, grad_b)
