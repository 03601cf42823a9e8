"""The fused recurrent layers (one autograd node per layer and sequence) against autograd step by step.

The references below are the per-step loops the models ran before (``ensemble_linear`` and
``activation`` per step, autograd through every operation); the fused layers must give the
same outputs, states and gradients bit for bit, and replica r's numbers must not depend on R.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cogrnn.models import ElmanSRN, GRUNetwork, LSTMNetwork
from cogrnn.models.base import activation, ensemble_linear, logistic, replica_bmm


def _reference_elman(net: ElmanSRN, x: torch.Tensor, state: tuple[torch.Tensor, ...]):
    R, T, B, _ = x.shape
    (context,) = state
    layer_in, hidden, finals = x, [], []
    for layer in range(net.num_layers):
        w_ch = net.weight(f"weight_ch_l{layer}")
        n_in = layer_in.shape[-1]
        drive = ensemble_linear(
            layer_in.reshape(R, T * B, n_in), net.weight(f"weight_ih_l{layer}"), net.maybe(f"bias_h_l{layer}")
        ).reshape(R, T, B, -1)
        c, steps = context[layer], []
        for t in range(T):
            c = activation(net.nonlinearity, drive[:, t] + ensemble_linear(c, w_ch, None))
            steps.append(c)
        layer_in = torch.stack(steps, dim=1)
        hidden.append(layer_in)
        finals.append(c)
    _, outputs = net._readout(layer_in)
    return outputs, torch.stack(hidden, dim=1), (torch.stack(finals),), None


def _reference_gated(net, x: torch.Tensor, state: tuple[torch.Tensor, ...]):
    lstm = isinstance(net, LSTMNetwork)
    h0, c0 = (state[0], state[1]) if lstm else (state[0], None)
    layer_in, hidden, hs, cs, cells = x, [], [], [], []
    for layer in range(net.num_layers):
        drive = net._layer_drive(layer_in, layer)
        h = h0[layer]
        c = c0[layer] if lstm else None
        steps, cell_steps = [], []
        for t in range(x.shape[1]):
            rec = ensemble_linear(h, net.weight(f"weight_hh_l{layer}"), net.maybe(f"bias_hh_l{layer}"))
            if lstm:
                i, f, g, o = (drive[:, t] + rec).chunk(4, dim=-1)
                c = logistic(f) * c + logistic(i) * torch.tanh(g)
                h = logistic(o) * torch.tanh(c)
            else:
                xr, xz, xn = drive[:, t].chunk(3, dim=-1)
                hr, hz, hn = rec.chunk(3, dim=-1)
                r = logistic(xr + hr)
                z = logistic(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
            steps.append(h)
            cell_steps.append(c)
        layer_in = torch.stack(steps, dim=1)
        hidden.append(layer_in)
        hs.append(h)
        cs.append(c)
        if lstm:
            cells.append(torch.stack(cell_steps, dim=1))
    _, outputs = net._readout(layer_in)
    if lstm:
        return outputs, torch.stack(hidden, dim=1), (torch.stack(hs), torch.stack(cs)), torch.stack(cells, dim=1)
    return outputs, torch.stack(hidden, dim=1), (torch.stack(hs),), None


def _fused(net, x: torch.Tensor, state: tuple[torch.Tensor, ...]):
    out = net._forward(x, state)
    return out.outputs, out.hidden, out.state, out.cells


CASES = [
    (ElmanSRN, {"nonlinearity": "logistic"}),
    (ElmanSRN, {"nonlinearity": "tanh"}),
    (ElmanSRN, {"nonlinearity": "relu"}),
    (ElmanSRN, {"nonlinearity": "identity", "init_range": 0.2}),
    (GRUNetwork, {}),
    (LSTMNetwork, {}),
]


def _grads(net, fn, x, state, weights):
    """Outputs, states and the gradients of the parameters and of the initial state.

    The loss weighs outputs, hidden states, the final state and the cells (LSTM), so
    gradients reach every output of the layers, some tensors from three sides.
    """
    net.zero_grad(set_to_none=True)
    state = tuple(s.clone().requires_grad_(True) for s in state)
    outputs, hidden, final, cells = fn(net, x, state)
    parts = [outputs, hidden, *final] + ([] if cells is None else [cells])
    loss = sum((t * w).sum() for t, w in zip(parts, weights))
    loss.backward()
    grads = [p.grad.clone() for p in net.parameters()] + [s.grad.clone() for s in state]
    return [t.detach() for t in parts] + grads


@pytest.mark.parametrize("cls, kw", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_layers_match_autograd_step_by_step(cls, kw, dtype):
    rng = np.random.default_rng(1)
    reference = _reference_elman if cls is ElmanSRN else _reference_gated
    for R, layers, B in ((1, 1, 3), (3, 2, 5)):
        net = cls(3, 6, 2, num_layers=layers, n_replicas=R, random_state=2, dtype=dtype, **kw)
        x = torch.as_tensor(rng.normal(size=(R, 7, B, 3)), dtype=dtype)
        state = tuple(torch.as_tensor(rng.normal(size=s.shape), dtype=dtype) for s in net.init_state(B))
        with torch.no_grad():
            parts = _fused(net, x, state)
            shapes = [parts[0].shape, parts[1].shape, *(t.shape for t in parts[2])]
            shapes += [] if parts[3] is None else [parts[3].shape]
        weights = [torch.as_tensor(rng.normal(size=shape), dtype=dtype) for shape in shapes]
        fused = _grads(net, _fused, x, state, weights)
        ref = _grads(net, reference, x, state, weights)
        for i, (a, b) in enumerate(zip(fused, ref)):
            assert a.shape == b.shape and torch.equal(a, b), (cls.__name__, kw, dtype, R, layers, i)
        # without gradients the forward is the same too
        with torch.no_grad():
            assert torch.equal(net._forward(x, state).outputs, fused[0])


@pytest.mark.parametrize("cls, kw", CASES[:1] + CASES[4:], ids=lambda v: getattr(v, "__name__", str(v)))
def test_fused_layers_chain_through_the_state(cls, kw):
    """Truncated BPTT feeds a call's final state to the next call: gradients flow through it as through one call."""
    torch.manual_seed(0)
    net = cls(2, 4, 2, n_replicas=2, random_state=0, dtype=torch.float64, **kw)
    x = torch.rand(2, 6, 3, 2, dtype=torch.float64)
    whole = net._forward(x, net.init_state(3)).outputs.sum()
    (g_whole,) = torch.autograd.grad(whole, [net.weight("weight_ih_l0")])
    state, total = net.init_state(3), 0.0
    for t in range(6):
        out = net._forward(x[:, t : t + 1], state)
        state, total = out.state, total + out.outputs.sum()
    (g_chain,) = torch.autograd.grad(total, [net.weight("weight_ih_l0")])
    torch.testing.assert_close(g_chain, g_whole, rtol=1e-12, atol=1e-12)


def test_replica_bmm_of_one_replica_is_that_of_a_batch():
    a, b = torch.rand(4, 5, 7), torch.rand(4, 7, 3)
    for r in range(4):
        assert torch.equal(replica_bmm(a[r : r + 1], b[r : r + 1]), replica_bmm(a, b)[r : r + 1])
    # a transposed, strided single replica gives what its contiguous copy gives
    t = torch.rand(1, 7, 5).transpose(1, 2)
    assert torch.equal(replica_bmm(t, b[:1]), replica_bmm(t.contiguous(), b[:1].clone()))
