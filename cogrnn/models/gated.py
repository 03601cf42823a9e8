"""Gated recurrent networks (LSTM, GRU) as ensembles of R replicas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ..config import check_float
from ..exceptions import ConfigError
from .base import (
    EnsembleOptions,
    RecurrentEnsemble,
    RecurrentOutput,
    _fill_model_doc,
    ensemble_linear,
    logistic,
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
            h, c = h0[layer], c0[layer]
            steps, cell_steps = [], []
            for t in range(x.shape[1]):
                gates = drive[:, t] + self._recurrent(h, layer)
                i, f, g, o = gates.chunk(4, dim=-1)
                c = logistic(f) * c + logistic(i) * torch.tanh(g)
                h = logistic(o) * torch.tanh(c)
                steps.append(h)
                cell_steps.append(c)
            layer_in = torch.stack(steps, dim=1)
            hidden_layers.append(layer_in)
            cell_layers.append(torch.stack(cell_steps, dim=1))
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
            h = h0[layer]
            steps = []
            for t in range(x.shape[1]):
                xr, xz, xn = drive[:, t].chunk(3, dim=-1)
                hr, hz, hn = self._recurrent(h, layer).chunk(3, dim=-1)
                r = logistic(xr + hr)
                z = logistic(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
                steps.append(h)
            layer_in = torch.stack(steps, dim=1)
            hidden_layers.append(layer_in)
            hs.append(h)
        logits, outputs = self._readout(layer_in)
        return RecurrentOutput(outputs, torch.stack(hidden_layers, dim=1), (torch.stack(hs),), logits)
