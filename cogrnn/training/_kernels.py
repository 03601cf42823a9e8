"""Compiled (numba) kernel of Elman's online copy-back training for SRN and Jordan ensembles.

One call runs one pass over a stream for R independent single-layer networks, one
weight update per time step, with the gradient stopped at the context copy. The
kernel works in place on NumPy views of the torch parameters, so the models stay
ordinary torch modules. It computes exactly what the autograd reference in
:mod:`cogrnn.training.trainer` computes (tested to 1e-10 in float64).

Codes: hidden activation 0 logistic, 1 tanh, 2 relu, 3 identity; output activation
0 logistic, 1 identity, 2 softmax; loss 0 sse (half sum of squares), 1 mse, 2 softmax
cross-entropy, 3 logistic cross-entropy (bce).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["HIDDEN_CODES", "OUTPUT_CODES", "LOSS_CODES", "online_epoch"]

HIDDEN_CODES = {"logistic": 0, "tanh": 1, "relu": 2, "identity": 3}
OUTPUT_CODES = {"logistic": 0, "identity": 1, "softmax": 2}
LOSS_CODES = {"sse": 0, "mse": 1, "cross_entropy": 2, "bce": 3}


@njit(cache=True, inline="always")
def _hidden(code, a):  # pragma: no cover - compiled
    if code == 0:
        return 1.0 / (1.0 + math.exp(-a))
    if code == 1:
        return math.tanh(a)
    if code == 2:
        return a if a > 0.0 else 0.0
    return a


@njit(cache=True, inline="always")
def _hidden_deriv(code, h):  # pragma: no cover - compiled
    if code == 0:
        return h * (1.0 - h)
    if code == 1:
        return 1.0 - h * h
    if code == 2:
        return 1.0 if h > 0.0 else 0.0
    return 1.0


@njit(cache=True, parallel=True)
def online_epoch(  # pragma: no cover - compiled
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """One online pass over ``X (R, T, B, I)`` with targets ``Y (R, T, B, O)``.

    Updates the weights ``W_*``/``b_*``, the momentum buffers ``M_*``, the context
    ``ctx (R, B, C)`` and last outputs ``yprev (R, B, O)`` in place; writes each
    replica's mean loss into ``losses`` and the first step with a non-finite loss
    into ``bad`` (-1 when none).
    """
    R, T, B, n_in = X.shape
    H = W_in.shape[1]
    C = W_ctx.shape[2]
    O = W_out.shape[1]
    for r in prange(R):
        h = np.empty((B, H), dtype=W_in.dtype)
        z = np.empty((B, O), dtype=W_in.dtype)
        y = np.empty((B, O), dtype=W_in.dtype)
        dz = np.empty(O, dtype=W_in.dtype)
        dh = np.empty(H, dtype=W_in.dtype)
        g_in = np.zeros((H, n_in), dtype=W_in.dtype)
        g_ctx = np.zeros((H, C), dtype=W_in.dtype)
        g_bh = np.zeros(H, dtype=W_in.dtype)
        g_out = np.zeros((O, H), dtype=W_in.dtype)
        g_bo = np.zeros(O, dtype=W_in.dtype)
        total = 0.0
        bad[r] = -1
        for t in range(T):
            g_in[:] = 0.0
            g_ctx[:] = 0.0
            g_bh[:] = 0.0
            g_out[:] = 0.0
            g_bo[:] = 0.0
            step_loss = 0.0
            for b in range(B):
                if jordan:
                    for c in range(C):
                        ctx[r, b, c] = mu * ctx[r, b, c] + yprev[r, b, c]
                # forward: hidden
                for j in range(H):
                    a = b_h[r, j] if use_bias else 0.0
                    for i in range(n_in):
                        a += W_in[r, j, i] * X[r, t, b, i]
                    for c in range(C):
                        a += W_ctx[r, j, c] * ctx[r, b, c]
                    h[b, j] = _hidden(hidden_code, a)
                # forward: output
                zmax = -np.inf
                for k in range(O):
                    a = b_o[r, k] if use_bias else 0.0
                    for j in range(H):
                        a += W_out[r, k, j] * h[b, j]
                    z[b, k] = a
                    if a > zmax:
                        zmax = a
                if out_code == 0:
                    for k in range(O):
                        y[b, k] = 1.0 / (1.0 + math.exp(-z[b, k]))
                elif out_code == 1:
                    for k in range(O):
                        y[b, k] = z[b, k]
                else:
                    s = 0.0
                    for k in range(O):
                        y[b, k] = math.exp(z[b, k] - zmax)
                        s += y[b, k]
                    for k in range(O):
                        y[b, k] /= s
                # loss and dL/dz
                item = 0.0
                if loss_code == 0 or loss_code == 1:
                    scale = 1.0 if loss_code == 0 else 2.0 / O
                    dot = 0.0
                    for k in range(O):
                        e = y[b, k] - Y[r, t, b, k]
                        item += e * e
                        dz[k] = scale * e
                        dot += y[b, k] * dz[k]
                    item = 0.5 * item if loss_code == 0 else item / O
                    for k in range(O):
                        if out_code == 0:
                            dz[k] *= y[b, k] * (1.0 - y[b, k])
                        elif out_code == 2:
                            dz[k] = y[b, k] * (dz[k] - dot)
                elif loss_code == 2:
                    lse = 0.0
                    for k in range(O):
                        lse += math.exp(z[b, k] - zmax)
                    lse = zmax + math.log(lse)
                    tsum = 0.0
                    for k in range(O):
                        item -= Y[r, t, b, k] * (z[b, k] - lse)
                        tsum += Y[r, t, b, k]
                    for k in range(O):
                        dz[k] = math.exp(z[b, k] - lse) * tsum - Y[r, t, b, k]
                else:
                    for k in range(O):
                        zk = z[b, k]
                        tk = Y[r, t, b, k]
                        item += max(zk, 0.0) - zk * tk + math.log1p(math.exp(-abs(zk)))
                        dz[k] = 1.0 / (1.0 + math.exp(-zk)) - tk
                step_loss += item / B
                for k in range(O):
                    dz[k] /= B
                # backward (gradient stops at the context copy)
                for j in range(H):
                    acc = 0.0
                    for k in range(O):
                        g_out[k, j] += dz[k] * h[b, j]
                        acc += W_out[r, k, j] * dz[k]
                    dh[j] = acc * _hidden_deriv(hidden_code, h[b, j])
                for k in range(O):
                    g_bo[k] += dz[k]
                for j in range(H):
                    for i in range(n_in):
                        g_in[j, i] += dh[j] * X[r, t, b, i]
                    for c in range(C):
                        g_ctx[j, c] += dh[j] * ctx[r, b, c]
                    g_bh[j] += dh[j]
            if not math.isfinite(step_loss):
                bad[r] = t
                break
            total += step_loss
            if clip > 0.0:
                sq = 0.0
                for j in range(H):
                    for i in range(n_in):
                        sq += g_in[j, i] * g_in[j, i]
                    for c in range(C):
                        sq += g_ctx[j, c] * g_ctx[j, c]
                    if use_bias:
                        sq += g_bh[j] * g_bh[j]
                for k in range(O):
                    for j in range(H):
                        sq += g_out[k, j] * g_out[k, j]
                    if use_bias:
                        sq += g_bo[k] * g_bo[k]
                coef = clip / (math.sqrt(sq) + 1e-6)
                if coef < 1.0:
                    g_in *= coef
                    g_ctx *= coef
                    g_bh *= coef
                    g_out *= coef
                    g_bo *= coef
            # SGD (with momentum as torch.optim.SGD: buf = m * buf + g; p -= lr * buf)
            if use_momentum:
                for j in range(H):
                    for i in range(n_in):
                        M_in[r, j, i] = momentum * M_in[r, j, i] + g_in[j, i]
                        W_in[r, j, i] -= lr * M_in[r, j, i]
                    for c in range(C):
                        M_ctx[r, j, c] = momentum * M_ctx[r, j, c] + g_ctx[j, c]
                        W_ctx[r, j, c] -= lr * M_ctx[r, j, c]
                    if use_bias:
                        M_bh[r, j] = momentum * M_bh[r, j] + g_bh[j]
                        b_h[r, j] -= lr * M_bh[r, j]
                for k in range(O):
                    for j in range(H):
                        M_out[r, k, j] = momentum * M_out[r, k, j] + g_out[k, j]
                        W_out[r, k, j] -= lr * M_out[r, k, j]
                    if use_bias:
                        M_bo[r, k] = momentum * M_bo[r, k] + g_bo[k]
                        b_o[r, k] -= lr * M_bo[r, k]
            else:
                for j in range(H):
                    for i in range(n_in):
                        W_in[r, j, i] -= lr * g_in[j, i]
                    for c in range(C):
                        W_ctx[r, j, c] -= lr * g_ctx[j, c]
                    if use_bias:
                        b_h[r, j] -= lr * g_bh[j]
                for k in range(O):
                    for j in range(H):
                        W_out[r, k, j] -= lr * g_out[k, j]
                    if use_bias:
                        b_o[r, k] -= lr * g_bo[k]
            # the copy-back: context for the next step
            for b in range(B):
                if jordan:
                    for k in range(O):
                        yprev[r, b, k] = y[b, k]
                else:
                    for j in range(H):
                        ctx[r, b, j] = h[b, j]
        losses[r] = total / T
