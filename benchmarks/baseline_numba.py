"""The frozen compiled baseline: textbook online SRN training, one network at a time.

A plain single-threaded ``numba.njit`` of the textbook NumPy algorithm of Elman (1990):
logistic hidden and output units, half sum-of-squares error, one plain SGD update after
every time step, the hidden layer copied back into the context (no gradient through it),
float64. It trains one network per call; ``R`` networks are trained one after another.

This is the reference every ratio of issue 18 is measured against. It is deliberately
not cogrnn's kernel and must not change with it: keep it frozen (a faster cogrnn is
measured against it, never the other way round).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["train_srn", "init_srn", "fma_peak"]


def init_srn(n_in: int, n_hidden: int, n_out: int, seed: int = 0, init_range: float = 0.5) -> dict[str, np.ndarray]:
    """Weights uniform in ``[-init_range, init_range]`` (float64), as a dict of arrays."""
    rng = np.random.default_rng(seed)

    def u(*shape: int) -> np.ndarray:
        return rng.uniform(-init_range, init_range, shape)

    return {
        "W_ih": u(n_hidden, n_in),
        "W_ch": u(n_hidden, n_hidden),
        "b_h": u(n_hidden),
        "W_ho": u(n_out, n_hidden),
        "b_o": u(n_out),
    }


@njit(cache=True)
def _sigmoid(a):  # pragma: no cover - compiled
    return 1.0 / (1.0 + math.exp(-a))


@njit(cache=True)
def train_srn(W_ih, W_ch, b_h, W_ho, b_o, X, Y, epochs, lr, context_init):  # pragma: no cover - compiled
    """Train one SRN online in place on ``X (T, I)`` -> ``Y (T, O)``; return the mean loss of the last pass."""
    T = X.shape[0]
    H = W_ih.shape[0]
    n_in = W_ih.shape[1]
    O = W_ho.shape[0]
    context = np.full(H, context_init)
    h = np.empty(H)
    y = np.empty(O)
    d_o = np.empty(O)
    d_h = np.empty(H)
    total = 0.0
    for _ in range(epochs):
        total = 0.0
        for t in range(T):
            # forward: h = f(W_ih x + W_ch c + b_h); y = f(W_ho h + b_o)
            for j in range(H):
                a = b_h[j]
                for i in range(n_in):
                    a += W_ih[j, i] * X[t, i]
                for c in range(H):
                    a += W_ch[j, c] * context[c]
                h[j] = _sigmoid(a)
            for k in range(O):
                a = b_o[k]
                for j in range(H):
                    a += W_ho[k, j] * h[j]
                y[k] = _sigmoid(a)
            # backward: deltas of the output and hidden layers
            for k in range(O):
                e = y[k] - Y[t, k]
                total += 0.5 * e * e
                d_o[k] = e * y[k] * (1.0 - y[k])
            for j in range(H):
                a = 0.0
                for k in range(O):
                    a += W_ho[k, j] * d_o[k]
                d_h[j] = a * h[j] * (1.0 - h[j])
            # SGD update after every step
            for k in range(O):
                for j in range(H):
                    W_ho[k, j] -= lr * d_o[k] * h[j]
                b_o[k] -= lr * d_o[k]
            for j in range(H):
                for i in range(n_in):
                    W_ih[j, i] -= lr * d_h[j] * X[t, i]
                for c in range(H):
                    W_ch[j, c] -= lr * d_h[j] * context[c]
                b_h[j] -= lr * d_h[j]
            # copy-back
            for j in range(H):
                context[j] = h[j]
    return total / T


@njit(cache=True, fastmath=True)
def _fma_loop(n, a, b):  # pragma: no cover - compiled
    # 64 independent accumulators: enough chains to fill the vector FMA units
    acc = np.zeros(64)
    for _ in range(n):
        for q in range(64):
            acc[q] = acc[q] * a + b
    return acc.sum()


def fma_peak(seconds: float = 0.5) -> dict[str, float]:
    """The machine's float64 peak on one core, measured by a fused multiply-add loop.

    Returns ``{"gflops_per_core": ..., "fma_per_s": ...}`` (an FMA counts two flops).
    """
    import time

    _fma_loop(10, 0.999999, 1e-9)
    n = 10_000
    while True:
        start = time.perf_counter()
        _fma_loop(n, 0.999999, 1e-9)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
        n *= 2
    fmas = n * 64 / elapsed
    return {"fma_per_s": fmas, "gflops_per_core": 2 * fmas / 1e9}
