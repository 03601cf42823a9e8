"""Compiled (numba) kernels of Elman's online copy-back training for SRN and Jordan ensembles.

One call runs one pass over a stream for R independent single-layer networks, one
weight update per time step, with the gradient stopped at the context copy. Two loop
orders, chosen by :func:`use_lockstep` (the same arithmetic; measured in ``benchmarks/``):

* ``online_epoch_lockstep``, for many small networks: the R networks advance in
  lockstep with the replica axis last, so the innermost loops run over independent
  replicas, which the compiler vectorises and which hides the latency of the
  step-to-step dependency chain of online learning. Replicas are split into blocks
  run in parallel threads. (1-2-1 XOR networks: ~3x faster per network than below.)
* ``online_epoch_by_replica``, for larger networks or few replicas: one replica at a
  time (in parallel threads), whose weights stay in cache for the whole pass.
  (31-150-31 lexical networks: ~5x faster than lockstep.)

It computes exactly what the autograd reference in :mod:`cogrnn.training.trainer`
computes (tested to 1e-10 in float64, 1e-5 in float32).

Codes: hidden activation 0 logistic, 1 tanh, 2 relu, 3 identity; output activation
0 logistic, 1 identity, 2 softmax; loss 0 sse (half sum of squares), 1 mse, 2 softmax
cross-entropy, 3 logistic cross-entropy (bce).

Lockstep array layouts (R last): X ``(T, B, I, Rx)`` with ``Rx`` = R or 1 (a stream shared by
all replicas), Y ``(T, B, O, Ry)``, W_in ``(H, I, R)``, W_ctx ``(H, C, R)``, b_h
``(H, R)``, W_out ``(O, H, R)``, b_o ``(O, R)``, momentum buffers alike, ctx ``(B, C, R)``,
yprev ``(B, O, R)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = [
    "HIDDEN_CODES",
    "OUTPUT_CODES",
    "LOSS_CODES",
    "online_epoch_lockstep",
    "online_epoch_by_replica",
    "use_lockstep",
    "n_blocks",
]

HIDDEN_CODES = {"logistic": 0, "tanh": 1, "relu": 2, "identity": 3}
OUTPUT_CODES = {"logistic": 0, "identity": 1, "softmax": 2}
LOSS_CODES = {"sse": 0, "mse": 1, "cross_entropy": 2, "bce": 3}


def use_lockstep(n_replicas: int, n_params: int) -> bool:
    """Lockstep pays off for several replicas of a small network (weights of all replicas in cache)."""
    return n_replicas >= 4 and n_params * n_replicas <= 32_768


def n_blocks(n_replicas: int, n_threads: int, min_block: int = 8) -> int:
    """How many parallel blocks to split R replicas into (at least ``min_block`` each)."""
    return max(1, min(n_threads, n_replicas // min_block))


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


@njit(cache=True)
def _block(  # pragma: no cover - compiled
    r0, r1, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    T, B, n_in = X.shape[0], X.shape[1], X.shape[2]
    shared_x = X.shape[3] == 1
    shared_y = Y.shape[3] == 1
    H = W_in.shape[0]
    C = W_ctx.shape[1]
    O = W_out.shape[0]
    n = r1 - r0
    dt = W_in.dtype
    h = np.empty((B, H, n), dtype=dt)
    z = np.empty((O, n), dtype=dt)
    y = np.empty((B, O, n), dtype=dt)
    dz = np.empty((O, n), dtype=dt)
    dh = np.empty((H, n), dtype=dt)
    acc = np.empty(n, dtype=dt)
    aux = np.empty(n, dtype=dt)
    aux2 = np.empty(n, dtype=dt)
    item = np.empty(n, dtype=np.float64)
    step_loss = np.empty(n, dtype=np.float64)
    total = np.zeros(n, dtype=np.float64)
    g_in = np.empty((H, n_in, n), dtype=dt)
    g_ctx = np.empty((H, C, n), dtype=dt)
    g_bh = np.empty((H, n), dtype=dt)
    g_out = np.empty((O, H, n), dtype=dt)
    g_bo = np.empty((O, n), dtype=dt)
    for q in range(n):
        bad[r0 + q] = -1
    for t in range(T):
        g_in[:] = 0.0
        g_ctx[:] = 0.0
        g_bh[:] = 0.0
        g_out[:] = 0.0
        g_bo[:] = 0.0
        step_loss[:] = 0.0
        for b in range(B):
            if jordan:
                for c in range(C):
                    for q in range(n):
                        ctx[b, c, r0 + q] = mu * ctx[b, c, r0 + q] + yprev[b, c, r0 + q]
            # forward: hidden
            for j in range(H):
                for q in range(n):
                    acc[q] = b_h[j, r0 + q] if use_bias else 0.0
                for i in range(n_in):
                    if shared_x:
                        xv = X[t, b, i, 0]
                        for q in range(n):
                            acc[q] += W_in[j, i, r0 + q] * xv
                    else:
                        for q in range(n):
                            acc[q] += W_in[j, i, r0 + q] * X[t, b, i, r0 + q]
                for c in range(C):
                    for q in range(n):
                        acc[q] += W_ctx[j, c, r0 + q] * ctx[b, c, r0 + q]
                for q in range(n):
                    h[b, j, q] = _hidden(hidden_code, acc[q])
            # forward: output
            for k in range(O):
                for q in range(n):
                    acc[q] = b_o[k, r0 + q] if use_bias else 0.0
                for j in range(H):
                    for q in range(n):
                        acc[q] += W_out[k, j, r0 + q] * h[b, j, q]
                for q in range(n):
                    z[k, q] = acc[q]
            if out_code == 0:
                for k in range(O):
                    for q in range(n):
                        y[b, k, q] = 1.0 / (1.0 + math.exp(-z[k, q]))
            elif out_code == 1:
                for k in range(O):
                    for q in range(n):
                        y[b, k, q] = z[k, q]
            if out_code == 2 or loss_code == 2:
                for q in range(n):  # aux = max_k z, aux2 = sum_k exp(z - max)
                    aux[q] = -np.inf
                    aux2[q] = 0.0
                for k in range(O):
                    for q in range(n):
                        if z[k, q] > aux[q]:
                            aux[q] = z[k, q]
                for k in range(O):
                    for q in range(n):
                        aux2[q] += math.exp(z[k, q] - aux[q])
                if out_code == 2:
                    for k in range(O):
                        for q in range(n):
                            y[b, k, q] = math.exp(z[k, q] - aux[q]) / aux2[q]
            # loss and dL/dz
            item[:] = 0.0
            if loss_code == 0 or loss_code == 1:
                scale = 1.0 if loss_code == 0 else 2.0 / O
                acc[:] = 0.0  # acc = sum_k y_k dL/dy_k (for softmax outputs)
                for k in range(O):
                    for q in range(n):
                        tk = Y[t, b, k, 0] if shared_y else Y[t, b, k, r0 + q]
                        e = y[b, k, q] - tk
                        item[q] += e * e
                        dz[k, q] = scale * e
                        acc[q] += y[b, k, q] * dz[k, q]
                for q in range(n):
                    item[q] = 0.5 * item[q] if loss_code == 0 else item[q] / O
                if out_code == 0:
                    for k in range(O):
                        for q in range(n):
                            dz[k, q] *= y[b, k, q] * (1.0 - y[b, k, q])
                elif out_code == 2:
                    for k in range(O):
                        for q in range(n):
                            dz[k, q] = y[b, k, q] * (dz[k, q] - acc[q])
            elif loss_code == 2:
                for q in range(n):  # aux = log-sum-exp of z, acc = sum of targets
                    aux[q] = aux[q] + math.log(aux2[q])
                    acc[q] = 0.0
                for k in range(O):
                    for q in range(n):
                        tk = Y[t, b, k, 0] if shared_y else Y[t, b, k, r0 + q]
                        item[q] -= tk * (z[k, q] - aux[q])
                        acc[q] += tk
                for k in range(O):
                    for q in range(n):
                        tk = Y[t, b, k, 0] if shared_y else Y[t, b, k, r0 + q]
                        dz[k, q] = math.exp(z[k, q] - aux[q]) * acc[q] - tk
            else:
                for k in range(O):
                    for q in range(n):
                        zk = z[k, q]
                        tk = Y[t, b, k, 0] if shared_y else Y[t, b, k, r0 + q]
                        item[q] += max(zk, 0.0) - zk * tk + math.log1p(math.exp(-abs(zk)))
                        dz[k, q] = 1.0 / (1.0 + math.exp(-zk)) - tk
            for q in range(n):
                step_loss[q] += item[q] / B
            for k in range(O):
                for q in range(n):
                    dz[k, q] /= B
            # backward (the gradient stops at the context copy)
            for j in range(H):
                acc[:] = 0.0
                for k in range(O):
                    for q in range(n):
                        g_out[k, j, q] += dz[k, q] * h[b, j, q]
                        acc[q] += W_out[k, j, r0 + q] * dz[k, q]
                for q in range(n):
                    dh[j, q] = acc[q] * _hidden_deriv(hidden_code, h[b, j, q])
            for k in range(O):
                for q in range(n):
                    g_bo[k, q] += dz[k, q]
            for j in range(H):
                for i in range(n_in):
                    if shared_x:
                        xv = X[t, b, i, 0]
                        for q in range(n):
                            g_in[j, i, q] += dh[j, q] * xv
                    else:
                        for q in range(n):
                            g_in[j, i, q] += dh[j, q] * X[t, b, i, r0 + q]
                for c in range(C):
                    for q in range(n):
                        g_ctx[j, c, q] += dh[j, q] * ctx[b, c, r0 + q]
                for q in range(n):
                    g_bh[j, q] += dh[j, q]
        for q in range(n):
            if bad[r0 + q] < 0 and not math.isfinite(step_loss[q]):
                bad[r0 + q] = t
            total[q] += step_loss[q]
        if clip > 0.0:
            acc[:] = 0.0  # squared gradient norm per replica
            for j in range(H):
                for i in range(n_in):
                    for q in range(n):
                        acc[q] += g_in[j, i, q] * g_in[j, i, q]
                for c in range(C):
                    for q in range(n):
                        acc[q] += g_ctx[j, c, q] * g_ctx[j, c, q]
                if use_bias:
                    for q in range(n):
                        acc[q] += g_bh[j, q] * g_bh[j, q]
            for k in range(O):
                for j in range(H):
                    for q in range(n):
                        acc[q] += g_out[k, j, q] * g_out[k, j, q]
                if use_bias:
                    for q in range(n):
                        acc[q] += g_bo[k, q] * g_bo[k, q]
            for q in range(n):
                coef = clip / (math.sqrt(acc[q]) + 1e-6)
                aux[q] = coef if coef < 1.0 else 1.0
            for j in range(H):
                for q in range(n):
                    g_bh[j, q] *= aux[q]
                for i in range(n_in):
                    for q in range(n):
                        g_in[j, i, q] *= aux[q]
                for c in range(C):
                    for q in range(n):
                        g_ctx[j, c, q] *= aux[q]
            for k in range(O):
                for q in range(n):
                    g_bo[k, q] *= aux[q]
                for j in range(H):
                    for q in range(n):
                        g_out[k, j, q] *= aux[q]
        # SGD (with momentum as torch.optim.SGD: buf = m * buf + g; p -= lr * buf)
        if use_momentum:
            for j in range(H):
                for i in range(n_in):
                    for q in range(n):
                        M_in[j, i, r0 + q] = momentum * M_in[j, i, r0 + q] + g_in[j, i, q]
                        W_in[j, i, r0 + q] -= lr * M_in[j, i, r0 + q]
                for c in range(C):
                    for q in range(n):
                        M_ctx[j, c, r0 + q] = momentum * M_ctx[j, c, r0 + q] + g_ctx[j, c, q]
                        W_ctx[j, c, r0 + q] -= lr * M_ctx[j, c, r0 + q]
                if use_bias:
                    for q in range(n):
                        M_bh[j, r0 + q] = momentum * M_bh[j, r0 + q] + g_bh[j, q]
                        b_h[j, r0 + q] -= lr * M_bh[j, r0 + q]
            for k in range(O):
                for j in range(H):
                    for q in range(n):
                        M_out[k, j, r0 + q] = momentum * M_out[k, j, r0 + q] + g_out[k, j, q]
                        W_out[k, j, r0 + q] -= lr * M_out[k, j, r0 + q]
                if use_bias:
                    for q in range(n):
                        M_bo[k, r0 + q] = momentum * M_bo[k, r0 + q] + g_bo[k, q]
                        b_o[k, r0 + q] -= lr * M_bo[k, r0 + q]
        else:
            for j in range(H):
                for i in range(n_in):
                    for q in range(n):
                        W_in[j, i, r0 + q] -= lr * g_in[j, i, q]
                for c in range(C):
                    for q in range(n):
                        W_ctx[j, c, r0 + q] -= lr * g_ctx[j, c, q]
                if use_bias:
                    for q in range(n):
                        b_h[j, r0 + q] -= lr * g_bh[j, q]
            for k in range(O):
                for j in range(H):
                    for q in range(n):
                        W_out[k, j, r0 + q] -= lr * g_out[k, j, q]
                if use_bias:
                    for q in range(n):
                        b_o[k, r0 + q] -= lr * g_bo[k, q]
        # the copy-back: context for the next step
        for b in range(B):
            if jordan:
                for k in range(O):
                    for q in range(n):
                        yprev[b, k, r0 + q] = y[b, k, q]
            else:
                for j in range(H):
                    for q in range(n):
                        ctx[b, j, r0 + q] = h[b, j, q]
    for q in range(n):
        losses[r0 + q] = total[q] / T


@njit(cache=True, parallel=True)
def online_epoch_lockstep(  # pragma: no cover - compiled
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad, blocks,
):  # fmt: skip
    """One online pass for all replicas, in ``blocks`` parallel blocks of replicas.

    Updates the weights, momentum buffers, ``ctx`` and ``yprev`` in place; writes each
    replica's mean loss into ``losses`` and the first step with a non-finite loss into
    ``bad`` (-1 when none).
    """
    R = W_in.shape[2]
    for blk in prange(blocks):
        r0 = (blk * R) // blocks
        r1 = ((blk + 1) * R) // blocks
        _block(
            r0, r1, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
            ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
            clip, use_bias, use_momentum, losses, bad,
        )  # fmt: skip


@njit(cache=True, parallel=True)
def online_epoch_by_replica(  # pragma: no cover - compiled
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """One online pass, replica by replica (layout: replica axis first, as the torch parameters).

    For larger networks: each replica's weights stay in cache for the whole pass. ``X``
    is ``(R, T, B, I)``, ``Y`` ``(R, T, B, O)``, weights as the torch parameters,
    ``ctx`` ``(R, B, C)``, ``yprev`` ``(R, B, O)``.

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
