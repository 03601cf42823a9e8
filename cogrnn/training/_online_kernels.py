"""Compiled (numba) online training of gated and stacked ensembles: LSTM, GRU, stacked SRN and Jordan.

Elman's rule (``method="online"``) for every architecture: one SGD update after every
time step, the gradient stopped at the carried state (an LSTM's ``h`` and ``c``, a GRU's
``h``, an SRN's context copies, Jordan's state units) but flowing down through the
layers within the step. One call runs one pass over a stream for R independent
networks, blocks of replicas in parallel threads, one replica at a time: replica r's
numbers are computed by the same operations whatever the other replicas are, so an
ensemble trains every replica exactly as it would train alone (tested).

It computes what the autograd reference in :mod:`cogrnn.training.trainer` computes
(``backend="torch"``; tested to 1e-10 in float64).

Parameter layout: every replica's parameters are packed into one row of ``theta``
``(R, P)``; weight matrices are stored transposed (``(in, out)``, row-major), so the
forward products run along contiguous memory, with the offsets of :func:`layout`.
Model kinds (:data:`KINDS`): 0 stacked SRN, 1 Jordan, 2 LSTM (gate order i, f, g, o),
3 GRU (gate order r, z, n). Codes of the activations and losses as :data:`HIDDEN_CODES`,
:data:`OUTPUT_CODES`, :data:`LOSS_CODES`.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import numpy as np
from numba import njit

from ._kernels import _hidden_deriv as _act_deriv

__all__ = ["KINDS", "HIDDEN_CODES", "OUTPUT_CODES", "LOSS_CODES", "layout", "online_epoch"]

KINDS = {"srn": 0, "jordan": 1, "lstm": 2, "gru": 3}
HIDDEN_CODES = {"logistic": 0, "tanh": 1, "relu": 2, "identity": 3}
OUTPUT_CODES = {"logistic": 0, "identity": 1, "softmax": 2}
LOSS_CODES = {"sse": 0, "mse": 1, "cross_entropy": 2, "bce": 3}
_GATES = {"srn": 1, "jordan": 1, "lstm": 4, "gru": 3}


def layout(
    kind: str, num_layers: int, input_size: int, hidden_size: int, output_size: int, bias: bool
) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
    """Offsets of every parameter in a replica's packed row, and the parameters to pack.

    Returns ``offs`` ``(L + 1, 4)`` int64 (row l: W_ih, W_hh, b_ih, b_hh of layer l; last row:
    W_ho, b_o; -1 where absent) and ``[(torch name, offset, size)]`` in packing order.
    """
    G, H, O = _GATES[kind], hidden_size, output_size
    GH = G * H
    offs = np.full((num_layers + 1, 4), -1, dtype=np.int64)
    params: list[tuple[str, int, int]] = []
    pos = 0

    def add(row: int, col: int, name: str, size: int) -> None:
        nonlocal pos
        offs[row, col] = pos
        params.append((name, pos, size))
        pos += size

    for layer in range(num_layers):
        n_in = input_size if layer == 0 else H
        if kind in ("lstm", "gru"):
            add(layer, 0, f"weight_ih_l{layer}", n_in * GH)
            add(layer, 1, f"weight_hh_l{layer}", H * GH)
            if bias:
                add(layer, 2, f"bias_ih_l{layer}", GH)
                add(layer, 3, f"bias_hh_l{layer}", GH)
            continue
        add(layer, 0, f"weight_ih_l{layer}", n_in * H)
        if kind == "srn":
            add(layer, 1, f"weight_ch_l{layer}", H * H)
        elif layer == 0:
            add(layer, 1, "weight_sh", O * H)
        if bias:
            add(layer, 2, f"bias_h_l{layer}", H)
    add(num_layers, 0, "weight_ho", H * O)
    if bias:
        add(num_layers, 1, "bias_o", O)
    return offs, params


@njit(cache=True)
def _sigmoid(a):  # pragma: no cover - compiled
    return 0.5 * math.tanh(0.5 * a) + 0.5


@njit(cache=True)
def _act(code, a):  # pragma: no cover - compiled
    if code == 0:
        return _sigmoid(a)
    if code == 1:
        return math.tanh(a)
    if code == 2:
        return a if a > 0.0 else 0.0
    return a


@njit(cache=True)
def _affine(p, ow, ob, vec, n, width, out):  # pragma: no cover - compiled
    """``out = W vec + b`` with W stored transposed at ``p[ow:]`` (``(n, width)``); zeros in vec skipped."""
    for j in range(width):
        out[j] = 0.0
    if ow >= 0:
        W = p[ow : ow + n * width].reshape((n, width))
        for k in range(n):
            v = vec[k]
            if v != 0.0:
                for j in range(width):
                    out[j] += W[k, j] * v
    if ob >= 0:
        for j in range(width):
            out[j] += p[ob + j]


@njit(cache=True)
def _outer_add(grad, ow, vec, n, d, width):  # pragma: no cover - compiled
    """``grad[W] += vec d^T`` (W stored transposed at ``grad[ow:]``); zeros in vec skipped."""
    Gw = grad[ow : ow + n * width].reshape((n, width))
    for k in range(n):
        v = vec[k]
        if v != 0.0:
            for j in range(width):
                Gw[k, j] += v * d[j]


@njit(cache=True)
def _back(p, ow, n, width, d, out):  # pragma: no cover - compiled
    """``out = W^T d`` for W stored transposed at ``p[ow:]`` (``(n, width)``), four partial sums per row."""
    W = p[ow : ow + n * width].reshape((n, width))
    n4 = width - width % 4
    for k in range(n):
        s0 = s1 = s2 = s3 = 0.0
        for j in range(0, n4, 4):
            s0 += W[k, j] * d[j]
            s1 += W[k, j + 1] * d[j + 1]
            s2 += W[k, j + 2] * d[j + 2]
            s3 += W[k, j + 3] * d[j + 3]
        for j in range(n4, width):
            s0 += W[k, j] * d[j]
        out[k] = (s0 + s1) + (s2 + s3)


@njit(cache=True)
def _output_and_loss(out_code, loss_code, z, y, dz, tgt):  # pragma: no cover - compiled
    """Output activation ``y`` of the logits ``z``, the step's loss, and ``dz`` = dloss/dz."""
    O = z.shape[0]
    zmax = -np.inf
    for k in range(O):
        zmax = max(zmax, z[k])
    lse = 0.0
    for k in range(O):
        lse += math.exp(z[k] - zmax)
    lse = zmax + math.log(lse)
    for k in range(O):
        if out_code == 0:
            y[k] = _sigmoid(z[k])
        elif out_code == 1:
            y[k] = z[k]
        else:
            y[k] = math.exp(z[k] - lse)
    loss = 0.0
    if loss_code <= 1:  # sse (half sum of squares) or mse (mean over units)
        scale = 1.0 if loss_code == 0 else 2.0 / O
        dot = 0.0
        for k in range(O):
            e = y[k] - tgt[k]
            loss += e * e
            dz[k] = scale * e
            dot += y[k] * dz[k]
        loss = 0.5 * loss if loss_code == 0 else loss / O
        for k in range(O):
            if out_code == 0:
                dz[k] *= y[k] * (1.0 - y[k])
            elif out_code == 2:
                dz[k] = y[k] * (dz[k] - dot)
    elif loss_code == 2:  # softmax cross-entropy on the logits
        tsum = 0.0
        for k in range(O):
            loss -= tgt[k] * (z[k] - lse)
            tsum += tgt[k]
        for k in range(O):
            dz[k] = math.exp(z[k] - lse) * tsum - tgt[k]
    else:  # logistic cross-entropy on the logits
        for k in range(O):
            zk = z[k]
            loss += max(zk, 0.0) - zk * tgt[k] + math.log1p(math.exp(-abs(zk)))
            dz[k] = _sigmoid(zk) - tgt[k]
    return loss


@njit(cache=True)
def _sgd_step(p, m, grad, lr, momentum, decay, clip, use_momentum, use_decay):  # pragma: no cover - compiled
    """Clip ``grad`` to norm ``clip`` (if > 0), then SGD as torch.optim.SGD; zeroes ``grad``.

    ``g += decay p; buf = momentum buf + g; p -= lr buf``.
    """
    P = grad.shape[0]
    coef = 1.0
    if clip > 0.0:
        norm_sq = 0.0
        for i in range(P):
            norm_sq += grad[i] * grad[i]
        coef = min(1.0, clip / (math.sqrt(norm_sq) + 1e-6))
    for i in range(P):
        if coef < 1.0:
            grad[i] *= coef  # rounded to the parameters' dtype, as torch's clipping
        g = grad[i]
        if use_decay:
            g = g + p[i] * decay
        if use_momentum:
            m[i] = momentum * m[i] + g
            g = m[i]
        p[i] -= lr * g
        grad[i] = 0.0


@njit(cache=True)
def _replica(  # pragma: no cover - compiled
    r, X, Y, theta, mom, S1, S2, offs, kind, H, codes, scalars, flags, losses, bad
):  # fmt: skip
    """One pass of replica ``r`` over the stream (see :func:`online_epoch`)."""
    hidden_code, out_code, loss_code = codes[0], codes[1], codes[2]
    lr, momentum, mu, decay, clip = scalars[0], scalars[1], scalars[2], scalars[3], scalars[4]
    use_momentum, use_decay = flags[0] != 0, flags[1] != 0
    T, B, I = X.shape[1], X.shape[2], X.shape[3]
    O = Y.shape[3]
    L = offs.shape[0] - 1
    P = theta.shape[1]
    G = 4 if kind == 2 else (3 if kind == 3 else 1)
    GH = G * H
    dt = theta.dtype
    p = theta[r]
    m = mom[r]
    grad = np.zeros(P, dtype=dt)
    width = max(I, H, O)
    xin = np.zeros((L, width), dtype=dt)
    rin = np.zeros((L, width), dtype=dt)
    ax = np.zeros((L, GH), dtype=dt)
    ah = np.zeros((L, GH), dtype=dt)
    gates = np.zeros((L, GH), dtype=dt)
    hs = np.zeros((L, H), dtype=dt)
    cs = np.zeros((L, H), dtype=dt)
    tcs = np.zeros((L, H), dtype=dt)
    z = np.zeros(O, dtype=dt)
    y = np.zeros(O, dtype=dt)
    dz = np.zeros(O, dtype=dt)
    dh = np.zeros(H, dtype=dt)
    dax = np.zeros(GH, dtype=dt)
    dah = np.zeros(GH, dtype=dt)
    o_who, o_bo = offs[L, 0], offs[L, 1]
    rx = r if X.shape[0] > 1 else r - r  # a stream shared by all replicas is passed once (r - r: the type of r)
    ry = r if Y.shape[0] > 1 else r - r
    total = 0.0
    bad[r] = -1
    for t in range(T):
        step_loss = 0.0
        for b in range(B):
            if kind == 1:  # Jordan's state units: s = mu s + y_prev
                for k in range(O):
                    S1[r, 0, b, k] = mu * S1[r, 0, b, k] + S2[r, 0, b, k]
            # forward, layer by layer
            for li in range(L):
                n_in = I if li == 0 else H
                for i in range(n_in):
                    xin[li, i] = X[rx, t, b, i] if li == 0 else hs[li - 1, i]
                n_rec = 0
                if offs[li, 1] >= 0:
                    n_rec = O if kind == 1 else H
                    for k in range(n_rec):
                        rin[li, k] = S1[r, li, b, k]
                _affine(p, offs[li, 0], offs[li, 2], xin[li], n_in, GH, ax[li])
                _affine(p, offs[li, 1], offs[li, 3], rin[li], n_rec, GH, ah[li])
                if kind <= 1:
                    for j in range(H):
                        hs[li, j] = _act(hidden_code, ax[li, j] + ah[li, j])
                elif kind == 2:
                    for j in range(H):
                        ig = _sigmoid(ax[li, j] + ah[li, j])
                        fg = _sigmoid(ax[li, H + j] + ah[li, H + j])
                        gg = math.tanh(ax[li, 2 * H + j] + ah[li, 2 * H + j])
                        og = _sigmoid(ax[li, 3 * H + j] + ah[li, 3 * H + j])
                        gates[li, j], gates[li, H + j], gates[li, 2 * H + j], gates[li, 3 * H + j] = ig, fg, gg, og
                        c = fg * S2[r, li, b, j] + ig * gg
                        tc = math.tanh(c)
                        cs[li, j] = c
                        tcs[li, j] = tc
                        hs[li, j] = og * tc
                else:
                    for j in range(H):
                        rg = _sigmoid(ax[li, j] + ah[li, j])
                        zg = _sigmoid(ax[li, H + j] + ah[li, H + j])
                        ng = math.tanh(ax[li, 2 * H + j] + rg * ah[li, 2 * H + j])
                        gates[li, j], gates[li, H + j], gates[li, 2 * H + j] = rg, zg, ng
                        hs[li, j] = (1.0 - zg) * ng + zg * rin[li, j]
            _affine(p, o_who, o_bo, hs[L - 1], H, O, z)
            step_loss += _output_and_loss(out_code, loss_code, z, y, dz, Y[ry, t, b]) / B
            for k in range(O):
                dz[k] /= B
            # backward: readout, then down through the layers (never back in time)
            _outer_add(grad, o_who, hs[L - 1], H, dz, O)
            if o_bo >= 0:
                for k in range(O):
                    grad[o_bo + k] += dz[k]
            _back(p, o_who, H, O, dz, dh)
            for li in range(L - 1, -1, -1):
                if kind <= 1:
                    for j in range(H):
                        d = dh[j] * _act_deriv(hidden_code, hs[li, j])
                        dax[j] = d
                        dah[j] = d
                elif kind == 2:
                    for j in range(H):
                        ig, fg, gg, og = gates[li, j], gates[li, H + j], gates[li, 2 * H + j], gates[li, 3 * H + j]
                        tc = tcs[li, j]
                        dc = dh[j] * og * (1.0 - tc * tc)
                        dax[j] = dc * gg * (ig * (1.0 - ig))
                        dax[H + j] = dc * S2[r, li, b, j] * (fg * (1.0 - fg))
                        dax[2 * H + j] = dc * ig * (1.0 - gg * gg)
                        dax[3 * H + j] = dh[j] * tc * (og * (1.0 - og))
                    for j in range(GH):
                        dah[j] = dax[j]
                else:
                    for j in range(H):
                        rg, zg, ng = gates[li, j], gates[li, H + j], gates[li, 2 * H + j]
                        dan = dh[j] * (1.0 - zg) * (1.0 - ng * ng)
                        dax[j] = dan * ah[li, 2 * H + j] * (rg * (1.0 - rg))
                        dax[H + j] = dh[j] * (rin[li, j] - ng) * (zg * (1.0 - zg))
                        dax[2 * H + j] = dan
                        dah[j] = dax[j]
                        dah[H + j] = dax[H + j]
                        dah[2 * H + j] = dan * rg
                n_in = I if li == 0 else H
                _outer_add(grad, offs[li, 0], xin[li], n_in, dax, GH)
                if offs[li, 1] >= 0:
                    _outer_add(grad, offs[li, 1], rin[li], O if kind == 1 else H, dah, GH)
                if offs[li, 2] >= 0:
                    for j in range(GH):
                        grad[offs[li, 2] + j] += dax[j]
                if offs[li, 3] >= 0:
                    for j in range(GH):
                        grad[offs[li, 3] + j] += dah[j]
                if li > 0:  # into the layer below, within the step
                    _back(p, offs[li, 0], H, GH, dax, dh)
            # the carried state, detached: the gradient stops here
            if kind == 1:
                for k in range(O):
                    S2[r, 0, b, k] = y[k]
            else:
                for li in range(L):
                    for j in range(H):
                        S1[r, li, b, j] = hs[li, j]
                        if kind == 2:
                            S2[r, li, b, j] = cs[li, j]
        if not math.isfinite(step_loss):  # the first step with a non-finite loss; this replica stops
            bad[r] = t
            break
        total += step_loss
        _sgd_step(p, m, grad, lr, momentum, decay, clip, use_momentum, use_decay)
    losses[r] = total / T


@njit(cache=True, nogil=True)
def _replicas(  # pragma: no cover - compiled
    r0, r1, X, Y, theta, mom, S1, S2, offs, kind, hidden_size, codes, scalars, flags, losses, bad
):  # fmt: skip
    """Replicas ``r0 .. r1 - 1`` one after the other (without the GIL: one such call per thread)."""
    for r in range(r0, r1):
        _replica(r, X, Y, theta, mom, S1, S2, offs, kind, hidden_size, codes, scalars, flags, losses, bad)


def online_epoch(*args: Any, n_threads: int = 1) -> None:
    """One online pass over the stream for all replicas, blocks of replicas in ``n_threads`` threads.

    Arguments, in order: ``X`` ``(R, T, B, I)`` and ``Y`` ``(R, T, B, O)``, C-contiguous (first
    dimension 1 for a stream shared by all replicas); ``theta`` and ``mom`` ``(R, P)``: packed
    parameters and momentum buffers (see :func:`layout`), updated in place; ``S1``/``S2``
    ``(R, L, B, U)``: the carried state (SRN: context, unused; Jordan: state units, last
    output; LSTM: h, c; GRU: h, unused), updated in place; ``offs`` from :func:`layout`;
    ``kind`` (:data:`KINDS`); ``hidden_size``; ``codes`` (hidden, output, loss) int64;
    ``scalars`` (lr, momentum, mu, weight decay, clip norm or 0) in the parameters' dtype;
    ``flags`` (use momentum, use weight decay) int64; ``losses`` ``(R,)`` float64 and ``bad``
    ``(R,)`` int64, into which every replica's mean loss and the first step with a
    non-finite loss (-1 when none) are written.
    """
    R = args[2].shape[0]
    n = max(1, min(n_threads, R))
    bounds = [(i * R) // n for i in range(n + 1)]
    if n == 1:
        _replicas(0, R, *args)
        return
    with ThreadPoolExecutor(n) as pool:
        for future in [pool.submit(_replicas, lo, hi, *args) for lo, hi in pairwise(bounds)]:
            future.result()
