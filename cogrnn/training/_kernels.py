# mypy: disable-error-code="call-arg,var-annotated"
# (numba intrinsics are called with their typing context filled in by numba, which mypy cannot see)
"""Compiled (numba) kernels of Elman's online copy-back training for SRN and Jordan ensembles.

One call runs one pass over a stream for R independent single-layer networks, one
weight update per time step, with the gradient stopped at the context copy. Two loop
orders, chosen by :func:`use_lockstep` (the same arithmetic; measured in ``benchmarks/``):

* ``online_epoch_lockstep``, for many small networks: replicas in chunks of ``LANES`` (16),
  the replica axis last, so every innermost operation runs over the lanes of one chunk
  (SIMD). A chunk runs its whole pass on contiguous copies of its replicas' weights (in
  cache), chunks are split into blocks run in parallel threads. float64 networks with
  logistic or identity outputs, sse or mse and no clipping run on lane vectors (explicit
  LLVM vectors of 16 float64: two AVX-512 instructions per operation, two independent
  chains that fill the pipeline, 1.7x the throughput of 8 lanes); the rest on loops over
  the lanes (scalar code: numba's LLVM does not vectorise such short loops). Each
  lane does the operations of a lone replica in the same order (no reduction across
  lanes, no fast-math), so a replica's numbers do not depend on R, its lane, its block
  or the number of threads (``tests/test_kernels_simd.py``). Spare lanes of the last
  chunk repeat its first replica and are discarded.
* ``online_epoch_by_replica``, for larger networks or few replicas: one replica at a
  time (in parallel threads), whose weights stay in cache for the whole pass. For one
  sequence (``B == 1``) without clipping, the weights are kept transposed so that the
  innermost loops run over the units (each unit's sum still in the same order: the same
  bits) and vectorise, instead of one latency-bound chain of additions per unit.

It computes exactly what the autograd reference in :mod:`cogrnn.training.trainer`
computes (tested to 1e-10 in float64, 1e-5 in float32). The entry points release the GIL
(``nogil``): separate fits can run side by side in Python threads.

Codes: hidden activation 0 logistic, 1 tanh, 2 relu, 3 identity; output activation
0 logistic, 1 identity, 2 softmax; loss 0 sse (half sum of squares), 1 mse, 2 softmax
cross-entropy, 3 logistic cross-entropy (bce).

Lockstep array layouts (R last): X ``(T, B, I, Rx)`` with ``Rx`` = R or 1 (a stream shared by
all replicas), Y ``(T, B, O, Ry)``, W_in ``(H, I, R)``, W_ctx ``(H, C, R)``, b_h
``(H, R)``, W_out ``(O, H, R)``, b_o ``(O, R)``, momentum buffers alike, ctx ``(B, C, R)``,
yprev ``(B, O, R)``.
"""

from __future__ import annotations

import decimal
import math
import warnings

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.core.errors import NumbaIRAssumptionWarning
from numba.extending import intrinsic, models, overload, register_model

__all__ = [
    "HIDDEN_CODES",
    "OUTPUT_CODES",
    "LOSS_CODES",
    "online_epoch_lockstep",
    "online_epochs_lockstep",
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


def n_blocks(n_replicas: int, n_threads: int) -> int:
    """How many parallel blocks to split R replicas into: one per thread, at most one per lockstep chunk."""
    return max(1, min(n_threads, -(-n_replicas // LANES)))


# --- exp -------------------------------------------------------------------------------------
# Every exp of these kernels (the logistic, softmax, the losses) is ``_exp1`` for float64 and
# ``_vexp`` on lane vectors: one algorithm, written out here, so a replica's numbers are the
# same in every loop order (R = 1, lockstep lanes, blocks) and on every machine, whatever the
# platform's libm does. The algorithm is the table-driven exp of ARM's optimized-routines
# (MIT licence; the exp of glibc >= 2.28), with its fused multiply-adds where glibc's x86-64
# FMA build has them: on such a machine (glibc on a CPU with FMA, as here) it returns the bits
# ``math.exp`` returns (tested on 10^6 random inputs in each of 12 ranges, special cases included,
# in tests/test_kernels_exp.py).
# exp(x) = 2^(k/N) exp(r), N = 128, x = k ln2/N + r, |r| <= ln2/2N; 2^(k/N) from a table of
# 2^(i/N) (derived below, not copied) and exp(r) - 1 from a degree-5 polynomial.

_EXP_N = 128
_INV_LN2_N = float.fromhex("0x1.71547652b82fep7")  # N / ln 2
_NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")  # -(ln 2 / N), high part
_NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")  # low part
_EXP_C2 = float.fromhex("0x1.ffffffffffdbdp-2")
_EXP_C3 = float.fromhex("0x1.555555555543cp-3")
_EXP_C4 = float.fromhex("0x1.55555cf172b91p-5")
_EXP_C5 = float.fromhex("0x1.1111167a4d017p-7")
_EXP_SHIFT = float.fromhex("0x1.8p52")  # adding it rounds N x / ln 2 to an integer k (in the low bits)
_TWO_1009 = float.fromhex("0x1p1009")
_TWO_M1022 = float.fromhex("0x1p-1022")


def _exp_table() -> np.ndarray:
    """``tab[2i]``: bits of the relative error of the double nearest 2^(i/N); ``tab[2i+1]``: its bits minus ``i << 45``.

    Computed to 60 significant digits and rounded once to float64 (each entry is the correctly
    rounded value of its definition).
    """
    out = np.empty(2 * _EXP_N, dtype=np.uint64)
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        ln2 = decimal.Decimal(2).ln()
        for i in range(_EXP_N):
            exact = (ln2 * i / _EXP_N).exp()
            nearest = float(exact)
            tail = float((exact - decimal.Decimal(nearest)) / decimal.Decimal(nearest))
            out[2 * i] = np.float64(tail).view(np.uint64)
            out[2 * i + 1] = (int(np.float64(nearest).view(np.uint64)) - (i << 45)) % 2**64
    return out


_EXP_TAB = _exp_table()


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (IEEE fused multiply-add), float64."""
    if not all(isinstance(x, types.Float) for x in (a, b, c)):
        return None

    def codegen(context, builder, sig, args):
        d = ir.DoubleType()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]), "llvm.fma.f64")
        return builder.call(fn, [context.cast(builder, v, t, types.float64) for v, t in zip(args, sig.args)])

    return types.float64(a, b, c), codegen


@intrinsic
def _bits(typingctx, x):
    """The bits of a float64 as uint64."""
    if x != types.float64:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.uint64(x), codegen


@intrinsic
def _double(typingctx, u):
    """The float64 with bits ``u`` (uint64)."""
    if not isinstance(u, types.Integer):
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(context.cast(builder, args[0], sig.args[0], types.uint64), ir.DoubleType())

    return types.float64(u), codegen


@njit(cache=True, inline="always")
def _exp_reduce(x):  # pragma: no cover - compiled
    """k (its bits: ``ki``), ``tmp`` = 2^(k/N)-scaled exp(r) - 1 and the bits of 2^(k/N) (``sbits``)."""
    kd = _fma(x, _INV_LN2_N, _EXP_SHIFT)
    ki = _bits(kd)
    kd = kd - _EXP_SHIFT
    r = _fma(kd, _NEG_LN2_LO_N, _fma(kd, _NEG_LN2_HI_N, x))
    idx = np.uint64(2) * (ki & np.uint64(_EXP_N - 1))
    tail = _double(_EXP_TAB[idx])
    sbits = _EXP_TAB[idx + np.uint64(1)] + (ki << np.uint64(45))
    r2 = r * r
    tmp = _fma(r2 * r2, _fma(r, _EXP_C5, _EXP_C4), _fma(_fma(r, _EXP_C3, _EXP_C2), r2, tail + r))
    return ki, tmp, sbits


@njit(cache=True)
def _exp1_special(x):  # pragma: no cover - compiled
    """exp(x) for |x| < 2^-54, |x| >= 512, inf and nan (results near or past the float64 range)."""
    abstop = (_bits(x) >> np.uint64(52)) & np.uint64(0x7FF)
    if abstop < np.uint64(0x3C9):
        return 1.0 + x
    if abstop >= np.uint64(0x409):
        if x == -math.inf:
            return 0.0
        if abstop >= np.uint64(0x7FF):
            return 1.0 + x
        return 0.0 if x < 0.0 else math.inf
    ki, tmp, sbits = _exp_reduce(x)
    if (ki & np.uint64(0x80000000)) == np.uint64(0):  # k > 0: 2^(k/N) may overflow; scale by 2^1009 last
        scale = _double(sbits - (np.uint64(1009) << np.uint64(52)))
        return _TWO_1009 * _fma(scale, tmp, scale)
    scale = _double(sbits + (np.uint64(1022) << np.uint64(52)))  # k < 0: round once before the subnormal range
    st = scale * tmp
    y = scale + st
    if y < 1.0:
        lo = scale - y + st
        hi = 1.0 + y
        lo = 1.0 - hi + y + lo
        y = (hi + lo) - 1.0
        if y == 0.0:
            y = 0.0
    return _TWO_M1022 * y


@njit(cache=True, inline="always")
def _exp1(x):  # pragma: no cover - compiled
    """exp of a float64 (see the section comment): the same bits on every path of these kernels."""
    if ((_bits(x) >> np.uint64(52)) & np.uint64(0x7FF)) - np.uint64(0x3C9) >= np.uint64(0x3F):
        return _exp1_special(x)
    _ki, tmp, sbits = _exp_reduce(x)
    scale = _double(sbits)
    return _fma(scale, tmp, scale)


def _expk(x):  # pragma: no cover - replaced by the overload below in compiled code
    return math.exp(x)


# numba's pedantic check of the IR flags the variables of this inlined overload when it lowers a
# parallel loop ("variable '_expk_impl...' is not in scope ... Please report"): a false alarm of
# inlined overloads in parfors (the kernels' numbers are tested bit for bit against autograd and
# across loop orders). It printed a dozen multi-line warnings at every first compile; only it is hidden.
warnings.filterwarnings("ignore", message=r"variable '_expk_impl", category=NumbaIRAssumptionWarning)


@overload(_expk, inline="always")
def _expk_impl(x):
    """``_exp1`` for float64; float32 values keep ``math.exp`` (the float32 libm exp, as before)."""
    if x == types.float64:
        return lambda x: _exp1(x)
    return lambda x: math.exp(x)


@njit(cache=True, inline="always")
def _hidden(code, a):  # pragma: no cover - compiled
    if code == 0:
        return 1.0 / (1.0 + _expk(-a))
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


LANES = 16
"""Replicas per lockstep chunk: the width of the innermost loops, a compile-time constant."""


@njit(cache=True)
def _gather3(a, src):  # pragma: no cover - compiled
    out = np.empty((a.shape[0], a.shape[1], LANES), dtype=a.dtype)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            for q in range(LANES):
                out[i, j, q] = a[i, j, src[q]]
    return out


@njit(cache=True)
def _gather2(a, src):  # pragma: no cover - compiled
    out = np.empty((a.shape[0], LANES), dtype=a.dtype)
    for i in range(a.shape[0]):
        for q in range(LANES):
            out[i, q] = a[i, src[q]]
    return out


@njit(cache=True)
def _scatter3(a, lanes, r0, n):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            for q in range(n):
                a[i, j, r0 + q] = lanes[i, j, q]


@njit(cache=True)
def _scatter2(a, lanes, r0, n):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        for q in range(n):
            a[i, r0 + q] = lanes[i, q]


@njit(cache=True)
def _activate(code, acc, out):  # pragma: no cover - compiled
    """``out[q] = f(acc[q])`` for every lane, the code tested once (loops without branches)."""
    if code == 0:
        for q in range(LANES):
            out[q] = 1.0 / (1.0 + _expk(-acc[q]))
    elif code == 1:
        for q in range(LANES):
            out[q] = math.tanh(acc[q])
    elif code == 2:
        for q in range(LANES):
            out[q] = acc[q] if acc[q] > 0.0 else 0.0
    else:
        for q in range(LANES):
            out[q] = acc[q]


@njit(cache=True)
def _deriv_times(code, acc, h, out):  # pragma: no cover - compiled
    """``out[q] = acc[q] * f'(h[q])`` for every lane (f' written from the activation h)."""
    if code == 0:
        for q in range(LANES):
            out[q] = acc[q] * (h[q] * (1.0 - h[q]))
    elif code == 1:
        for q in range(LANES):
            out[q] = acc[q] * (1.0 - h[q] * h[q])
    elif code == 2:
        for q in range(LANES):
            out[q] = acc[q] * (1.0 if h[q] > 0.0 else 0.0)
    else:
        for q in range(LANES):
            out[q] = acc[q] * 1.0


@njit(cache=True, inline="always")
def _zero(a):  # pragma: no cover - compiled
    for i in range(a.shape[0]):
        a[i] = 0.0


@njit(cache=True)
def _block(  # pragma: no cover - compiled
    r0, r1, X, Y, W_in_all, W_ctx_all, b_h_all, W_out_all, b_o_all, M_in_all, M_ctx_all, M_bh_all, M_out_all,
    M_bo_all, ctx_all, yprev_all, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """Replicas ``r0:r1`` in lockstep, the replica (lane) axis innermost and contiguous.

    The block works on its own contiguous copies of its replicas' weights, buffers and
    state (lane q is replica r0 + q), so every innermost loop runs from 0 over unit-stride
    arrays without branches and vectorises; the copies are written back at the end. Each
    lane performs the same floating-point operations in the same order as a lone replica
    (no reduction crosses lanes, no fast-math reassociation), so a replica's numbers do
    not depend on its lane, the block or the number of replicas.
    """
    T, B, n_in = X.shape[0], X.shape[1], X.shape[2]
    shared_x = X.shape[3] == 1
    shared_y = Y.shape[3] == 1
    H = W_in_all.shape[0]
    C = W_ctx_all.shape[1]
    O = W_out_all.shape[0]
    n = r1 - r0
    dt = W_in_all.dtype
    src = np.empty(LANES, dtype=np.int64)  # the replica each lane computes (spare lanes repeat r0)
    for q in range(LANES):
        src[q] = r0 + q if q < n else r0
    W_in, W_ctx, W_out = _gather3(W_in_all, src), _gather3(W_ctx_all, src), _gather3(W_out_all, src)
    M_in, M_ctx, M_out = _gather3(M_in_all, src), _gather3(M_ctx_all, src), _gather3(M_out_all, src)
    b_h, b_o = _gather2(b_h_all, src), _gather2(b_o_all, src)
    M_bh, M_bo = _gather2(M_bh_all, src), _gather2(M_bo_all, src)
    ctx, yprev = _gather3(ctx_all, src), _gather3(yprev_all, src)
    xin = np.empty((n_in, LANES), dtype=X.dtype)
    tgt = np.empty((O, LANES), dtype=Y.dtype)
    h = np.empty((B, H, LANES), dtype=dt)
    z = np.empty((O, LANES), dtype=dt)
    y = np.empty((B, O, LANES), dtype=dt)
    dz = np.empty((O, LANES), dtype=dt)
    dh = np.empty((H, LANES), dtype=dt)
    acc = np.empty(LANES, dtype=dt)
    aux = np.empty(LANES, dtype=dt)
    aux2 = np.empty(LANES, dtype=dt)
    item = np.empty(LANES, dtype=np.float64)
    step_loss = np.empty(LANES, dtype=np.float64)
    total = np.zeros(LANES, dtype=np.float64)
    bad_q = np.full(LANES, -1, dtype=np.int64)
    g_in = np.empty((H, n_in, LANES), dtype=dt)
    g_ctx = np.empty((H, C, LANES), dtype=dt)
    g_bh = np.empty((H, LANES), dtype=dt)
    g_out = np.empty((O, H, LANES), dtype=dt)
    g_bo = np.empty((O, LANES), dtype=dt)
    for t in range(T):
        _zero(g_in.reshape(-1))
        _zero(g_ctx.reshape(-1))
        _zero(g_bh.reshape(-1))
        _zero(g_out.reshape(-1))
        _zero(g_bo.reshape(-1))
        _zero(step_loss)
        for b in range(B):
            # this step's inputs and targets, one per lane
            for i in range(n_in):
                if shared_x:
                    for q in range(LANES):
                        xin[i, q] = X[t, b, i, 0]
                else:
                    for q in range(LANES):
                        xin[i, q] = X[t, b, i, src[q]]
            for k in range(O):
                if shared_y:
                    for q in range(LANES):
                        tgt[k, q] = Y[t, b, k, 0]
                else:
                    for q in range(LANES):
                        tgt[k, q] = Y[t, b, k, src[q]]
            if jordan:
                for c in range(C):
                    for q in range(LANES):
                        ctx[b, c, q] = mu * ctx[b, c, q] + yprev[b, c, q]
            # forward: hidden
            for j in range(H):
                if use_bias:
                    for q in range(LANES):
                        acc[q] = b_h[j, q]
                else:
                    _zero(acc)
                for i in range(n_in):
                    for q in range(LANES):
                        acc[q] += W_in[j, i, q] * xin[i, q]
                for c in range(C):
                    for q in range(LANES):
                        acc[q] += W_ctx[j, c, q] * ctx[b, c, q]
                _activate(hidden_code, acc, h[b, j])
            # forward: output
            for k in range(O):
                if use_bias:
                    for q in range(LANES):
                        acc[q] = b_o[k, q]
                else:
                    _zero(acc)
                for j in range(H):
                    for q in range(LANES):
                        acc[q] += W_out[k, j, q] * h[b, j, q]
                for q in range(LANES):
                    z[k, q] = acc[q]
            if out_code == 0:
                for k in range(O):
                    for q in range(LANES):
                        y[b, k, q] = 1.0 / (1.0 + _expk(-z[k, q]))
            elif out_code == 1:
                for k in range(O):
                    for q in range(LANES):
                        y[b, k, q] = z[k, q]
            if out_code == 2 or loss_code == 2:
                for q in range(LANES):  # aux = max_k z, aux2 = sum_k exp(z - max)
                    aux[q] = -np.inf
                    aux2[q] = 0.0
                for k in range(O):
                    for q in range(LANES):
                        if z[k, q] > aux[q]:
                            aux[q] = z[k, q]
                for k in range(O):
                    for q in range(LANES):
                        aux2[q] += _expk(z[k, q] - aux[q])
                if out_code == 2:
                    for k in range(O):
                        for q in range(LANES):
                            y[b, k, q] = _expk(z[k, q] - aux[q]) / aux2[q]
            # loss and dL/dz
            _zero(item)
            if loss_code == 0 or loss_code == 1:
                scale = 1.0 if loss_code == 0 else 2.0 / O
                _zero(acc)  # acc = sum_k y_k dL/dy_k (for softmax outputs)
                for k in range(O):
                    for q in range(LANES):
                        e = y[b, k, q] - tgt[k, q]
                        item[q] += e * e
                        dz[k, q] = scale * e
                        acc[q] += y[b, k, q] * dz[k, q]
                if loss_code == 0:
                    for q in range(LANES):
                        item[q] = 0.5 * item[q]
                else:
                    for q in range(LANES):
                        item[q] = item[q] / O
                if out_code == 0:
                    for k in range(O):
                        for q in range(LANES):
                            dz[k, q] *= y[b, k, q] * (1.0 - y[b, k, q])
                elif out_code == 2:
                    for k in range(O):
                        for q in range(LANES):
                            dz[k, q] = y[b, k, q] * (dz[k, q] - acc[q])
            elif loss_code == 2:
                for q in range(LANES):  # aux = log-sum-exp of z, acc = sum of targets
                    aux[q] = aux[q] + math.log(aux2[q])
                    acc[q] = 0.0
                for k in range(O):
                    for q in range(LANES):
                        item[q] -= tgt[k, q] * (z[k, q] - aux[q])
                        acc[q] += tgt[k, q]
                for k in range(O):
                    for q in range(LANES):
                        dz[k, q] = _expk(z[k, q] - aux[q]) * acc[q] - tgt[k, q]
            else:
                for k in range(O):
                    for q in range(LANES):
                        zk = z[k, q]
                        tk = tgt[k, q]
                        item[q] += max(zk, 0.0) - zk * tk + math.log1p(_expk(-abs(zk)))
                        dz[k, q] = 1.0 / (1.0 + _expk(-zk)) - tk
            for q in range(LANES):
                step_loss[q] += item[q] / B
            for k in range(O):
                for q in range(LANES):
                    dz[k, q] /= B
            # backward (the gradient stops at the context copy)
            for j in range(H):
                _zero(acc)
                for k in range(O):
                    for q in range(LANES):
                        g_out[k, j, q] += dz[k, q] * h[b, j, q]
                        acc[q] += W_out[k, j, q] * dz[k, q]
                _deriv_times(hidden_code, acc, h[b, j], dh[j])
            for k in range(O):
                for q in range(LANES):
                    g_bo[k, q] += dz[k, q]
            for j in range(H):
                for i in range(n_in):
                    for q in range(LANES):
                        g_in[j, i, q] += dh[j, q] * xin[i, q]
                for c in range(C):
                    for q in range(LANES):
                        g_ctx[j, c, q] += dh[j, q] * ctx[b, c, q]
                for q in range(LANES):
                    g_bh[j, q] += dh[j, q]
        for q in range(LANES):
            if bad_q[q] < 0 and not math.isfinite(step_loss[q]):
                bad_q[q] = t
            total[q] += step_loss[q]
        if clip > 0.0:
            _zero(acc)  # squared gradient norm per replica
            for j in range(H):
                for i in range(n_in):
                    for q in range(LANES):
                        acc[q] += g_in[j, i, q] * g_in[j, i, q]
                for c in range(C):
                    for q in range(LANES):
                        acc[q] += g_ctx[j, c, q] * g_ctx[j, c, q]
                if use_bias:
                    for q in range(LANES):
                        acc[q] += g_bh[j, q] * g_bh[j, q]
            for k in range(O):
                for j in range(H):
                    for q in range(LANES):
                        acc[q] += g_out[k, j, q] * g_out[k, j, q]
                if use_bias:
                    for q in range(LANES):
                        acc[q] += g_bo[k, q] * g_bo[k, q]
            for q in range(LANES):
                coef = clip / (math.sqrt(acc[q]) + 1e-6)
                aux[q] = coef if coef < 1.0 else 1.0
            for j in range(H):
                for q in range(LANES):
                    g_bh[j, q] *= aux[q]
                for i in range(n_in):
                    for q in range(LANES):
                        g_in[j, i, q] *= aux[q]
                for c in range(C):
                    for q in range(LANES):
                        g_ctx[j, c, q] *= aux[q]
            for k in range(O):
                for q in range(LANES):
                    g_bo[k, q] *= aux[q]
                for j in range(H):
                    for q in range(LANES):
                        g_out[k, j, q] *= aux[q]
        # SGD (with momentum as torch.optim.SGD: buf = m * buf + g; p -= lr * buf)
        if use_momentum:
            for j in range(H):
                for i in range(n_in):
                    for q in range(LANES):
                        M_in[j, i, q] = momentum * M_in[j, i, q] + g_in[j, i, q]
                        W_in[j, i, q] -= lr * M_in[j, i, q]
                for c in range(C):
                    for q in range(LANES):
                        M_ctx[j, c, q] = momentum * M_ctx[j, c, q] + g_ctx[j, c, q]
                        W_ctx[j, c, q] -= lr * M_ctx[j, c, q]
                if use_bias:
                    for q in range(LANES):
                        M_bh[j, q] = momentum * M_bh[j, q] + g_bh[j, q]
                        b_h[j, q] -= lr * M_bh[j, q]
            for k in range(O):
                for j in range(H):
                    for q in range(LANES):
                        M_out[k, j, q] = momentum * M_out[k, j, q] + g_out[k, j, q]
                        W_out[k, j, q] -= lr * M_out[k, j, q]
                if use_bias:
                    for q in range(LANES):
                        M_bo[k, q] = momentum * M_bo[k, q] + g_bo[k, q]
                        b_o[k, q] -= lr * M_bo[k, q]
        else:
            for j in range(H):
                for i in range(n_in):
                    for q in range(LANES):
                        W_in[j, i, q] -= lr * g_in[j, i, q]
                for c in range(C):
                    for q in range(LANES):
                        W_ctx[j, c, q] -= lr * g_ctx[j, c, q]
                if use_bias:
                    for q in range(LANES):
                        b_h[j, q] -= lr * g_bh[j, q]
            for k in range(O):
                for j in range(H):
                    for q in range(LANES):
                        W_out[k, j, q] -= lr * g_out[k, j, q]
                if use_bias:
                    for q in range(LANES):
                        b_o[k, q] -= lr * g_bo[k, q]
        # the copy-back: context for the next step
        for b in range(B):
            if jordan:
                for k in range(O):
                    for q in range(LANES):
                        yprev[b, k, q] = y[b, k, q]
            else:
                for j in range(H):
                    for q in range(LANES):
                        ctx[b, j, q] = h[b, j, q]
    _scatter3(W_in_all, W_in, r0, n)
    _scatter3(W_ctx_all, W_ctx, r0, n)
    _scatter3(W_out_all, W_out, r0, n)
    _scatter3(M_in_all, M_in, r0, n)
    _scatter3(M_ctx_all, M_ctx, r0, n)
    _scatter3(M_out_all, M_out, r0, n)
    _scatter3(ctx_all, ctx, r0, n)
    _scatter3(yprev_all, yprev, r0, n)
    _scatter2(b_h_all, b_h, r0, n)
    _scatter2(b_o_all, b_o, r0, n)
    _scatter2(M_bh_all, M_bh, r0, n)
    _scatter2(M_bo_all, M_bo, r0, n)
    for q in range(n):
        losses[r0 + q] = total[q] / T
        bad[r0 + q] = bad_q[q]


# lane vectors: LLVM vectors of LANES float64 values, one element per lane, built by the
# intrinsics below. numba does not run LLVM's straight-line (SLP) vectoriser, and its loop
# vectoriser gives up on loops of LANES iterations (fully unrolled first, then possible
# aliasing between arrays), so code on tuples or on short lane loops stays scalar. On
# explicit vectors every operation is one SIMD instruction (fadd, fsub, fmul, fdiv: the
# same IEEE operation in each lane as the scalar one, no fused multiply-add), and exp is
# ``_vexp``: ``_exp1``'s operations on vectors (its own fused multiply-adds, table lookups
# lane by lane): each lane's bits are those of the scalar code.


class _Vec(types.Type):
    """numba type of an LLVM vector of ``LANES`` float64 values."""

    def __init__(self) -> None:
        super().__init__(name=f"Vec(float64x{LANES})")


_VEC = _Vec()


@register_model(_Vec)
class _VecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.VectorType(ir.DoubleType(), LANES))


def _vec_ptr(context, builder, arrty, arr, offset):
    data = context.make_array(arrty)(context, builder, arr).data
    return builder.bitcast(builder.gep(data, [offset]), ir.VectorType(ir.DoubleType(), LANES).as_pointer())


@intrinsic
def _vload(typingctx, arr, offset):
    """Elements ``offset .. offset + LANES - 1`` of the C-contiguous float64 array ``arr``."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float64 and isinstance(offset, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        return builder.load(_vec_ptr(context, builder, sig.args[0], args[0], args[1]), align=8)

    return _VEC(arr, offset), codegen


@intrinsic
def _vstore(typingctx, arr, offset, v):
    if not (isinstance(arr, types.Array) and arr.dtype == types.float64 and isinstance(v, _Vec)):
        return None

    def codegen(context, builder, sig, args):
        builder.store(args[2], _vec_ptr(context, builder, sig.args[0], args[0], args[1]), align=8)
        return context.get_dummy_value()

    return types.none(arr, offset, v), codegen


def _vec_binary(op: str):
    @intrinsic
    def impl(typingctx, a, b):
        if not (isinstance(a, _Vec) and isinstance(b, _Vec)):
            return None

        def codegen(context, builder, sig, args):
            return getattr(builder, op)(args[0], args[1])

        return _VEC(a, b), codegen

    return impl


_add, _sub, _mul, _div = (_vec_binary(op) for op in ("fadd", "fsub", "fmul", "fdiv"))


@intrinsic
def _neg(typingctx, v):
    if not isinstance(v, _Vec):
        return None

    def codegen(context, builder, sig, args):
        return builder.fneg(args[0])

    return _VEC(v), codegen


@intrinsic
def _fill(typingctx, x):
    """``x`` (as float64) in every lane."""
    if not isinstance(x, (types.Float, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[0], sig.args[0], types.float64)
        v = ir.Constant(ir.VectorType(ir.DoubleType(), LANES), ir.Undefined)
        for q in range(LANES):
            v = builder.insert_element(v, value, ir.Constant(ir.IntType(32), q))
        return v

    return _VEC(x), codegen


@intrinsic
def _set_lane(typingctx, v, q, x):
    """The lane vector ``v`` with element ``q`` set to ``x``."""
    if not (isinstance(v, _Vec) and isinstance(q, types.Integer) and isinstance(x, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        value = context.cast(builder, args[2], sig.args[2], types.float64)
        return builder.insert_element(args[0], value, args[1])

    return _VEC(v, q, x), codegen


@intrinsic
def _lane(typingctx, v, q):
    """Element ``q`` of a lane vector."""
    if not (isinstance(v, _Vec) and isinstance(q, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        return builder.extract_element(args[0], args[1])

    return types.float64(v, q), codegen


@njit(cache=True, inline="always")
def _v2(a, i):  # pragma: no cover - compiled
    return _vload(a, i * LANES)


@njit(cache=True, inline="always")
def _v3(a, i, j):  # pragma: no cover - compiled
    return _vload(a, (i * a.shape[1] + j) * LANES)


@njit(cache=True, inline="always")
def _s2(a, i, v):  # pragma: no cover - compiled
    _vstore(a, i * LANES, v)


@njit(cache=True, inline="always")
def _s3(a, i, j, v):  # pragma: no cover - compiled
    _vstore(a, (i * a.shape[1] + j) * LANES, v)


@njit(cache=True, inline="always")
def _gather_x(a, t, b, i, src):  # pragma: no cover - compiled
    v = _fill(0.0)
    for q in range(LANES):
        v = _set_lane(v, q, a[t, b, i, src[q]])
    return v


@njit(cache=True, inline="always")
def _smul(s, v):  # pragma: no cover - compiled
    return _mul(_fill(s), v)


@njit(cache=True, inline="always")
def _sdiv(v, s):  # pragma: no cover - compiled
    return _div(v, _fill(s))


def _splat(value, ty):
    return ir.Constant(ir.VectorType(ty, LANES), [value] * LANES)


@intrinsic
def _vexp_special(typingctx, v):
    """Bit mask of the lanes that ``_vexp_fast`` does not cover (``_exp1_special``'s inputs)."""
    if not isinstance(v, _Vec):
        return None

    def codegen(context, builder, sig, args):
        i64 = ir.IntType(64)
        bits = builder.bitcast(args[0], ir.VectorType(i64, LANES))
        abstop = builder.and_(builder.lshr(bits, _splat(52, i64)), _splat(0x7FF, i64))
        out = builder.icmp_unsigned(">=", builder.sub(abstop, _splat(0x3C9, i64)), _splat(0x3F, i64))
        return builder.zext(builder.bitcast(out, ir.IntType(LANES)), i64)

    return types.int64(v), codegen


@intrinsic
def _vexp_fast(typingctx, v, tab):
    """``_exp1`` of every lane, for lanes with 2^-54 <= |x| < 512: the same operations, on vectors."""
    if not (isinstance(v, _Vec) and isinstance(tab, types.Array) and tab.dtype == types.uint64):
        return None

    def codegen(context, builder, sig, args):
        f64, i64 = ir.DoubleType(), ir.IntType(64)
        vty, ity = ir.VectorType(f64, LANES), ir.VectorType(i64, LANES)
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vty, [vty] * 3), f"llvm.fma.v{LANES}f64")
        data = context.make_array(sig.args[1])(context, builder, args[1]).data
        x = args[0]
        kd = builder.call(fma, [x, _splat(_INV_LN2_N, f64), _splat(_EXP_SHIFT, f64)])
        ki = builder.bitcast(kd, ity)
        kd = builder.fsub(kd, _splat(_EXP_SHIFT, f64))
        r = builder.call(fma, [kd, _splat(_NEG_LN2_LO_N, f64), builder.call(fma, [kd, _splat(_NEG_LN2_HI_N, f64), x])])
        idx = builder.shl(builder.and_(ki, _splat(_EXP_N - 1, i64)), _splat(1, i64))
        tail = ir.Constant(ity, ir.Undefined)
        sbits = ir.Constant(ity, ir.Undefined)
        for q in range(LANES):
            lane = ir.Constant(ir.IntType(32), q)
            i = builder.extract_element(idx, lane)
            tail = builder.insert_element(tail, builder.load(builder.gep(data, [i])), lane)
            sbits = builder.insert_element(sbits, builder.load(builder.gep(data, [builder.add(i, i64(1))])), lane)
        sbits = builder.add(sbits, builder.shl(ki, _splat(45, i64)))
        r2 = builder.fmul(r, r)
        t5 = builder.call(fma, [r, _splat(_EXP_C5, f64), _splat(_EXP_C4, f64)])
        t3 = builder.call(fma, [r, _splat(_EXP_C3, f64), _splat(_EXP_C2, f64)])
        low = builder.call(fma, [t3, r2, builder.fadd(builder.bitcast(tail, vty), r)])
        tmp = builder.call(fma, [builder.fmul(r2, r2), t5, low])
        scale = builder.bitcast(sbits, vty)
        return builder.call(fma, [scale, tmp, scale])

    return _VEC(v, tab), codegen


@njit(cache=True, inline="always")
def _vexp(v):  # pragma: no cover - compiled
    """exp of every lane: ``_exp1``'s bits, on vectors when no lane needs its special cases."""
    if _vexp_special(v) != 0:
        out = v
        for q in range(LANES):
            out = _set_lane(out, q, _exp1(_lane(v, q)))
        return out
    return _vexp_fast(v, _EXP_TAB)


@njit(cache=True, inline="always")
def _logistic(v):  # pragma: no cover - compiled
    one = _fill(1.0)
    return _div(one, _add(one, _vexp(_neg(v))))


@njit(cache=True, inline="always")
def _act(code, v):  # pragma: no cover - compiled
    if code == 0:
        return _logistic(v)
    if code == 1:
        out = v
        for q in range(LANES):
            out = _set_lane(out, q, math.tanh(_lane(v, q)))
        return out
    if code == 2:
        return _select_positive(v, v, _fill(0.0))
    return v


@njit(cache=True, inline="always")
def _dact(code, a, h):  # pragma: no cover - compiled
    one = _fill(1.0)
    if code == 0:
        return _mul(a, _mul(h, _sub(one, h)))
    if code == 1:
        return _mul(a, _sub(one, _mul(h, h)))
    if code == 2:
        return _mul(a, _select_positive(h, one, _fill(0.0)))
    return _mul(a, one)


@intrinsic
def _select_positive(typingctx, h, a, b):
    """Lane by lane: ``a if h > 0.0 else b``."""
    if not (isinstance(h, _Vec) and isinstance(a, _Vec) and isinstance(b, _Vec)):
        return None

    def codegen(context, builder, sig, args):
        zero = ir.Constant(ir.VectorType(ir.DoubleType(), LANES), [0.0] * LANES)
        return builder.select(builder.fcmp_ordered(">", args[0], zero), args[1], args[2])

    return _VEC(h, a, b), codegen


@njit(cache=True, inline="always")
def _dlogistic(d, y):  # pragma: no cover - compiled
    return _mul(d, _mul(y, _sub(_fill(1.0), y)))


@njit(cache=True)
def _chunk_f64(  # pragma: no cover - compiled
    r0, r1, X, Y, W_in_all, W_ctx_all, b_h_all, W_out_all, b_o_all, M_in_all, M_ctx_all, M_bh_all, M_out_all,
    M_bo_all, ctx_all, yprev_all, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """:func:`_block` for float64, logistic or identity outputs, sse or mse, no clipping: lane vectors.

    The same operations in the same order as :func:`_block`, lane by lane (tested bit for bit).
    """
    T, B, n_in = X.shape[0], X.shape[1], X.shape[2]
    shared_x = X.shape[3] == 1
    shared_y = Y.shape[3] == 1
    H = W_in_all.shape[0]
    C = W_ctx_all.shape[1]
    O = W_out_all.shape[0]
    n = r1 - r0
    src = np.empty(LANES, dtype=np.int64)
    for q in range(LANES):
        src[q] = r0 + q if q < n else r0
    W_in, W_ctx, W_out = _gather3(W_in_all, src), _gather3(W_ctx_all, src), _gather3(W_out_all, src)
    M_in, M_ctx, M_out = _gather3(M_in_all, src), _gather3(M_ctx_all, src), _gather3(M_out_all, src)
    b_h, b_o = _gather2(b_h_all, src), _gather2(b_o_all, src)
    M_bh, M_bo = _gather2(M_bh_all, src), _gather2(M_bo_all, src)
    ctx, yprev = _gather3(ctx_all, src), _gather3(yprev_all, src)
    xin = np.empty((n_in, LANES))
    h = np.empty((B, H, LANES))
    y = np.empty((B, O, LANES))
    dz = np.empty((O, LANES))
    dh = np.empty((H, LANES))
    g_in = np.empty((H, n_in, LANES))
    g_ctx = np.empty((H, C, LANES))
    g_bh = np.empty((H, LANES))
    g_out = np.empty((O, H, LANES))
    g_bo = np.empty((O, LANES))
    bad_q = np.full(LANES, -1, dtype=np.int64)
    zero = _fill(0.0)
    total = zero
    scale = 1.0 if loss_code == 0 else 2.0 / O
    for t in range(T):
        for j in range(H):
            for i in range(n_in):
                _s3(g_in, j, i, zero)
            for c in range(C):
                _s3(g_ctx, j, c, zero)
            _s2(g_bh, j, zero)
        for k in range(O):
            for j in range(H):
                _s3(g_out, k, j, zero)
            _s2(g_bo, k, zero)
        step = zero
        for b in range(B):
            for i in range(n_in):
                _s2(xin, i, _fill(X[t, b, i, 0]) if shared_x else _gather_x(X, t, b, i, src))
            if jordan:
                for c in range(C):
                    _s3(ctx, b, c, _add(_smul(mu, _v3(ctx, b, c)), _v3(yprev, b, c)))
            # forward
            for j in range(H):
                acc = _v2(b_h, j) if use_bias else zero
                for i in range(n_in):
                    acc = _add(acc, _mul(_v3(W_in, j, i), _v2(xin, i)))
                for c in range(C):
                    acc = _add(acc, _mul(_v3(W_ctx, j, c), _v3(ctx, b, c)))
                _s3(h, b, j, _act(hidden_code, acc))
            for k in range(O):
                acc = _v2(b_o, k) if use_bias else zero
                for j in range(H):
                    acc = _add(acc, _mul(_v3(W_out, k, j), _v3(h, b, j)))
                _s3(y, b, k, _logistic(acc) if out_code == 0 else acc)
            # loss and dL/dz
            item = zero
            for k in range(O):
                yk = _v3(y, b, k)
                e = _sub(yk, _fill(Y[t, b, k, 0]) if shared_y else _gather_x(Y, t, b, k, src))
                item = _add(item, _mul(e, e))
                d = _smul(scale, e)
                _s2(dz, k, _dlogistic(d, yk) if out_code == 0 else d)
            item = _smul(0.5, item) if loss_code == 0 else _sdiv(item, O)
            step = _add(step, _sdiv(item, B))
            for k in range(O):
                _s2(dz, k, _sdiv(_v2(dz, k), B))
            # backward (the gradient stops at the context copy)
            for j in range(H):
                acc = zero
                hj = _v3(h, b, j)
                for k in range(O):
                    dk = _v2(dz, k)
                    _s3(g_out, k, j, _add(_v3(g_out, k, j), _mul(dk, hj)))
                    acc = _add(acc, _mul(_v3(W_out, k, j), dk))
                _s2(dh, j, _dact(hidden_code, acc, hj))
            for k in range(O):
                _s2(g_bo, k, _add(_v2(g_bo, k), _v2(dz, k)))
            for j in range(H):
                dj = _v2(dh, j)
                for i in range(n_in):
                    _s3(g_in, j, i, _add(_v3(g_in, j, i), _mul(dj, _v2(xin, i))))
                for c in range(C):
                    _s3(g_ctx, j, c, _add(_v3(g_ctx, j, c), _mul(dj, _v3(ctx, b, c))))
                _s2(g_bh, j, _add(_v2(g_bh, j), dj))
        for q in range(LANES):
            if bad_q[q] < 0 and not math.isfinite(_lane(step, q)):
                bad_q[q] = t
        total = _add(total, step)
        # SGD (with momentum as torch.optim.SGD: buf = m * buf + g; p -= lr * buf)
        if use_momentum:
            for j in range(H):
                for i in range(n_in):
                    m = _add(_smul(momentum, _v3(M_in, j, i)), _v3(g_in, j, i))
                    _s3(M_in, j, i, m)
                    _s3(W_in, j, i, _sub(_v3(W_in, j, i), _smul(lr, m)))
                for c in range(C):
                    m = _add(_smul(momentum, _v3(M_ctx, j, c)), _v3(g_ctx, j, c))
                    _s3(M_ctx, j, c, m)
                    _s3(W_ctx, j, c, _sub(_v3(W_ctx, j, c), _smul(lr, m)))
                if use_bias:
                    m = _add(_smul(momentum, _v2(M_bh, j)), _v2(g_bh, j))
                    _s2(M_bh, j, m)
                    _s2(b_h, j, _sub(_v2(b_h, j), _smul(lr, m)))
            for k in range(O):
                for j in range(H):
                    m = _add(_smul(momentum, _v3(M_out, k, j)), _v3(g_out, k, j))
                    _s3(M_out, k, j, m)
                    _s3(W_out, k, j, _sub(_v3(W_out, k, j), _smul(lr, m)))
                if use_bias:
                    m = _add(_smul(momentum, _v2(M_bo, k)), _v2(g_bo, k))
                    _s2(M_bo, k, m)
                    _s2(b_o, k, _sub(_v2(b_o, k), _smul(lr, m)))
        else:
            for j in range(H):
                for i in range(n_in):
                    _s3(W_in, j, i, _sub(_v3(W_in, j, i), _smul(lr, _v3(g_in, j, i))))
                for c in range(C):
                    _s3(W_ctx, j, c, _sub(_v3(W_ctx, j, c), _smul(lr, _v3(g_ctx, j, c))))
                if use_bias:
                    _s2(b_h, j, _sub(_v2(b_h, j), _smul(lr, _v2(g_bh, j))))
            for k in range(O):
                for j in range(H):
                    _s3(W_out, k, j, _sub(_v3(W_out, k, j), _smul(lr, _v3(g_out, k, j))))
                if use_bias:
                    _s2(b_o, k, _sub(_v2(b_o, k), _smul(lr, _v2(g_bo, k))))
        # the copy-back: context for the next step
        for b in range(B):
            if jordan:
                for k in range(O):
                    _s3(yprev, b, k, _v3(y, b, k))
            else:
                for j in range(H):
                    _s3(ctx, b, j, _v3(h, b, j))
    _scatter3(W_in_all, W_in, r0, n)
    _scatter3(W_ctx_all, W_ctx, r0, n)
    _scatter3(W_out_all, W_out, r0, n)
    _scatter3(M_in_all, M_in, r0, n)
    _scatter3(M_ctx_all, M_ctx, r0, n)
    _scatter3(M_out_all, M_out, r0, n)
    _scatter3(ctx_all, ctx, r0, n)
    _scatter3(yprev_all, yprev, r0, n)
    _scatter2(b_h_all, b_h, r0, n)
    _scatter2(b_o_all, b_o, r0, n)
    _scatter2(M_bh_all, M_bh, r0, n)
    _scatter2(M_bo_all, M_bo, r0, n)
    for q in range(n):
        losses[r0 + q] = _lane(total, q) / T
        bad[r0 + q] = bad_q[q]


def online_epoch_lockstep(
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad, blocks, lane_vectors=True,
):  # fmt: skip
    """One online pass for all replicas, chunks of ``LANES`` replicas in ``blocks`` parallel blocks.

    Updates the weights, momentum buffers, ``ctx`` and ``yprev`` in place; writes each
    replica's mean loss into ``losses`` and the first step with a non-finite loss into
    ``bad`` (-1 when none). float64 networks with logistic or identity outputs, sse or mse
    loss and no clipping run on lane vectors (``lane_vectors=False`` forces the general
    loops: the same numbers, slower). :func:`online_epochs_lockstep` with one pass.
    """
    online_epochs_lockstep(
        1, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo, ctx, yprev, lr, momentum, mu, jordan,
        hidden_code, out_code, loss_code, clip, use_bias, use_momentum, losses.reshape(1, -1), bad.reshape(1, -1),
        blocks, lane_vectors,
    )  # fmt: skip


def online_epochs_lockstep(
    n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad, blocks, lane_vectors=True,
):  # fmt: skip
    """``n_epochs`` online passes for all replicas in one call: :func:`online_epoch_lockstep` without a barrier.

    Each parallel block runs its chunks of replicas through all the passes, so the threads
    never wait for each other between passes; a replica's operations and their order are
    those of one call per pass (its numbers too). ``losses`` and ``bad`` are
    ``(n_epochs, R)``: row e is pass e's.
    """
    fast = (
        lane_vectors
        and W_in.dtype == np.float64
        and X.dtype == np.float64
        and Y.dtype == np.float64
        and out_code in (0, 1)
        and loss_code in (0, 1)
        and not clip > 0.0
    )
    args = (
        X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
        ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    )  # fmt: skip
    if fast:  # a separate function: the lane vectors are typed for float64 arrays only
        _epoch_lockstep_f64(n_epochs, *args, use_bias, use_momentum, losses, bad, blocks)
    else:
        _epoch_lockstep(n_epochs, *args, clip, use_bias, use_momentum, losses, bad, blocks)


@njit(cache=True, parallel=True, nogil=True)
def _epoch_lockstep(  # pragma: no cover - compiled
    n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad, blocks,
):  # fmt: skip
    R = W_in.shape[2]
    chunks = (R + LANES - 1) // LANES
    for blk in prange(blocks):
        for epoch in range(n_epochs):
            for chunk in range((blk * chunks) // blocks, ((blk + 1) * chunks) // blocks):
                r0 = chunk * LANES
                _block(
                    r0, min(R, r0 + LANES), X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
                    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
                    clip, use_bias, use_momentum, losses[epoch], bad[epoch],
                )  # fmt: skip


@njit(cache=True, parallel=True, nogil=True)
def _epoch_lockstep_f64(  # pragma: no cover - compiled
    n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    use_bias, use_momentum, losses, bad, blocks,
):  # fmt: skip
    R = W_in.shape[2]
    chunks = (R + LANES - 1) // LANES
    for blk in prange(blocks):
        for epoch in range(n_epochs):
            for chunk in range((blk * chunks) // blocks, ((blk + 1) * chunks) // blocks):
                r0 = chunk * LANES
                _chunk_f64(
                    r0, min(R, r0 + LANES), X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
                    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
                    use_bias, use_momentum, losses[epoch], bad[epoch],
                )  # fmt: skip


@njit(cache=True, inline="always")
def _output_loss(out_code, loss_code, z, y, dz, tgt):  # pragma: no cover - compiled
    """Outputs ``y`` of the logits ``z``, ``dz`` = dL/dz and the loss of one sequence's step (1-D rows)."""
    O = z.shape[0]
    zmax = -np.inf
    for k in range(O):
        if z[k] > zmax:
            zmax = z[k]
    if out_code == 0:
        for k in range(O):
            y[k] = 1.0 / (1.0 + _expk(-z[k]))
    elif out_code == 1:
        for k in range(O):
            y[k] = z[k]
    else:
        s = 0.0
        for k in range(O):
            y[k] = _expk(z[k] - zmax)
            s += y[k]
        for k in range(O):
            y[k] /= s
    item = 0.0
    if loss_code == 0 or loss_code == 1:
        scale = 1.0 if loss_code == 0 else 2.0 / O
        dot = 0.0
        for k in range(O):
            e = y[k] - tgt[k]
            item += e * e
            dz[k] = scale * e
            dot += y[k] * dz[k]
        item = 0.5 * item if loss_code == 0 else item / O
        for k in range(O):
            if out_code == 0:
                dz[k] *= y[k] * (1.0 - y[k])
            elif out_code == 2:
                dz[k] = y[k] * (dz[k] - dot)
    elif loss_code == 2:
        lse = 0.0
        for k in range(O):
            lse += _expk(z[k] - zmax)
        lse = zmax + math.log(lse)
        tsum = 0.0
        for k in range(O):
            item -= tgt[k] * (z[k] - lse)
            tsum += tgt[k]
        for k in range(O):
            dz[k] = _expk(z[k] - lse) * tsum - tgt[k]
    else:
        for k in range(O):
            zk = z[k]
            tk = tgt[k]
            item += max(zk, 0.0) - zk * tk + math.log1p(_expk(-abs(zk)))
            dz[k] = 1.0 / (1.0 + _expk(-zk)) - tk
    return item


@njit(cache=True)
def _replica(  # pragma: no cover - compiled
    r, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """Replica ``r``'s pass (a plain function: no parallel loop nested in the caller's ``prange``)."""
    T, B, n_in = X.shape[1], X.shape[2], X.shape[3]
    xr = 0 if X.shape[0] == 1 else r  # a stream shared by all replicas: (1, T, B, I)
    yr = 0 if Y.shape[0] == 1 else r
    H = W_in.shape[1]
    C = W_ctx.shape[2]
    O = W_out.shape[1]
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
                    a += W_in[r, j, i] * X[xr, t, b, i]
                for c in range(C):
                    a += W_ctx[r, j, c] * ctx[r, b, c]
                h[b, j] = _hidden(hidden_code, a)
            # forward: output
            for k in range(O):
                a = b_o[r, k] if use_bias else 0.0
                for j in range(H):
                    a += W_out[r, k, j] * h[b, j]
                z[b, k] = a
            # loss and dL/dz
            item = _output_loss(out_code, loss_code, z[b], y[b], dz, Y[yr, t, b])
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
                    g_in[j, i] += dh[j] * X[xr, t, b, i]
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


@njit(cache=True)
def _replica_b1(  # pragma: no cover - compiled
    r, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """:func:`_replica` for one sequence (``B == 1``) and no clipping, the unit axis innermost.

    Every sum runs in the order of :func:`_replica` (over ``i``, then ``c``, for each
    unit ``j``), but the loops are turned so that the innermost one runs over the units
    ``j`` (or ``k``) of contiguous rows: weights are kept transposed (``W_in`` as
    ``(I, H)``, ``W_ctx`` as ``(C, H)``; ``W_out`` both as ``(O, H)`` for the backward
    pass and ``(H, O)`` for the forward pass, the two copies updated by the same
    operations). Each unit's chain of additions stays sequential (the same bits), while
    the units advance side by side in SIMD lanes instead of one latency-bound chain after
    another. The gradient of each step is applied as it is formed (``0.0 + d * x``: the
    value the zeroed accumulator of :func:`_replica` holds for one sequence).
    """
    T, n_in = X.shape[1], X.shape[3]
    xr = 0 if X.shape[0] == 1 else r
    yr = 0 if Y.shape[0] == 1 else r
    H = W_in.shape[1]
    C = W_ctx.shape[2]
    O = W_out.shape[1]
    dt = W_in.dtype
    WinT = np.ascontiguousarray(W_in[r].T)
    WctxT = np.ascontiguousarray(W_ctx[r].T)
    Wout = W_out[r].copy()
    WoutT = np.ascontiguousarray(W_out[r].T)
    MinT = np.ascontiguousarray(M_in[r].T)
    MctxT = np.ascontiguousarray(M_ctx[r].T)
    Mout = M_out[r].copy()
    MoutT = np.ascontiguousarray(M_out[r].T)
    bh = b_h[r].copy()
    bo = b_o[r].copy()
    Mbh = M_bh[r].copy()
    Mbo = M_bo[r].copy()
    cx = ctx[r, 0].copy()
    yp = yprev[r, 0].copy()
    a = np.empty(H)  # sums in float64 (as the scalar accumulators of _replica), stored in the model's dtype
    h = np.empty(H, dtype=dt)
    za = np.empty(O)
    z = np.empty(O, dtype=dt)
    da = np.empty(H)
    y = np.empty(O, dtype=dt)
    dz = np.empty(O, dtype=dt)
    dh = np.empty(H, dtype=dt)
    total = 0.0
    bad[r] = -1
    for t in range(T):
        if jordan:
            for c in range(C):
                cx[c] = mu * cx[c] + yp[c]
        # forward: hidden, a_j = b_j + sum_i W_in[j, i] x_i + sum_c W_ctx[j, c] ctx_c in that order
        for j in range(H):
            a[j] = bh[j] if use_bias else 0.0
        for i in range(n_in):
            xi = X[xr, t, 0, i]
            for j in range(H):
                a[j] += WinT[i, j] * xi
        for c in range(C):
            cc = cx[c]
            for j in range(H):
                a[j] += WctxT[c, j] * cc
        for j in range(H):
            h[j] = _hidden(hidden_code, a[j])
        # forward: output
        for k in range(O):
            za[k] = bo[k] if use_bias else 0.0
        for j in range(H):
            hj = h[j]
            for k in range(O):
                za[k] += WoutT[j, k] * hj
        for k in range(O):
            z[k] = za[k]
        # loss and dL/dz
        item = _output_loss(out_code, loss_code, z, y, dz, Y[yr, t, 0])
        step_loss = 0.0
        step_loss += item / 1
        for k in range(O):
            dz[k] /= 1
        if not math.isfinite(step_loss):
            bad[r] = t
            break
        total += step_loss
        # backward, with the weights of this step: dh_j = f'(h_j) sum_k W_out[k, j] dz_k (over k in order)
        for j in range(H):
            da[j] = 0.0
        for k in range(O):
            dk = dz[k]
            for j in range(H):
                da[j] += Wout[k, j] * dk
        for j in range(H):
            dh[j] = da[j] * _hidden_deriv(hidden_code, h[j])
        # SGD (with momentum as torch.optim.SGD: buf = m * buf + g; p -= lr * buf), g = 0.0 + d * x
        if use_momentum:
            for k in range(O):
                dk = dz[k]
                for j in range(H):
                    m = momentum * Mout[k, j] + (0.0 + dk * h[j])
                    Mout[k, j] = m
                    Wout[k, j] -= lr * Mout[k, j]
            for j in range(H):
                hj = h[j]
                for k in range(O):
                    m = momentum * MoutT[j, k] + (0.0 + dz[k] * hj)
                    MoutT[j, k] = m
                    WoutT[j, k] -= lr * MoutT[j, k]
            if use_bias:
                for k in range(O):
                    m = momentum * Mbo[k] + (0.0 + dz[k])
                    Mbo[k] = m
                    bo[k] -= lr * Mbo[k]
                for j in range(H):
                    m = momentum * Mbh[j] + (0.0 + dh[j])
                    Mbh[j] = m
                    bh[j] -= lr * Mbh[j]
            for i in range(n_in):
                xi = X[xr, t, 0, i]
                for j in range(H):
                    m = momentum * MinT[i, j] + (0.0 + dh[j] * xi)
                    MinT[i, j] = m
                    WinT[i, j] -= lr * MinT[i, j]
            for c in range(C):
                cc = cx[c]
                for j in range(H):
                    m = momentum * MctxT[c, j] + (0.0 + dh[j] * cc)
                    MctxT[c, j] = m
                    WctxT[c, j] -= lr * MctxT[c, j]
        else:
            for k in range(O):
                dk = dz[k]
                for j in range(H):
                    Wout[k, j] -= lr * (0.0 + dk * h[j])
            for j in range(H):
                hj = h[j]
                for k in range(O):
                    WoutT[j, k] -= lr * (0.0 + dz[k] * hj)
            if use_bias:
                for k in range(O):
                    bo[k] -= lr * (0.0 + dz[k])
                for j in range(H):
                    bh[j] -= lr * (0.0 + dh[j])
            for i in range(n_in):
                xi = X[xr, t, 0, i]
                for j in range(H):
                    WinT[i, j] -= lr * (0.0 + dh[j] * xi)
            for c in range(C):
                cc = cx[c]
                for j in range(H):
                    WctxT[c, j] -= lr * (0.0 + dh[j] * cc)
        # the copy-back: context for the next step
        if jordan:
            for k in range(O):
                yp[k] = y[k]
        else:
            for j in range(H):
                cx[j] = h[j]
    W_in[r] = WinT.T
    W_ctx[r] = WctxT.T
    W_out[r] = Wout
    b_h[r] = bh
    b_o[r] = bo
    M_in[r] = MinT.T
    M_ctx[r] = MctxT.T
    M_out[r] = Mout
    M_bh[r] = Mbh
    M_bo[r] = Mbo
    ctx[r, 0] = cx
    yprev[r, 0] = yp
    losses[r] = total / T


def online_epoch_by_replica(
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """One online pass, replica by replica (layout: replica axis first, as the torch parameters).

    For larger networks: each replica's weights stay in cache for the whole pass. ``X``
    is ``(R, T, B, I)`` (or ``(1, T, B, I)``, a stream shared by all replicas), ``Y``
    ``(R, T, B, O)`` (or ``(1, T, B, O)``), weights as the torch parameters,
    ``ctx`` ``(R, B, C)``, ``yprev`` ``(R, B, O)``.

    Updates the weights ``W_*``/``b_*``, the momentum buffers ``M_*``, the context
    ``ctx (R, B, C)`` and last outputs ``yprev (R, B, O)`` in place; writes each
    replica's mean loss into ``losses`` and the first step with a non-finite loss
    into ``bad`` (-1 when none).
    """
    args = (
        X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
        ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
        clip, use_bias, use_momentum, losses, bad,
    )  # fmt: skip
    if W_in.shape[0] == 1:  # one replica: no parallel region to start and join every pass
        _one_replica(0, *args)
    else:
        _epoch_by_replica(*args)


def online_epochs_one_replica(
    n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """``n_epochs`` passes of :func:`online_epoch_by_replica` for one replica in one compiled call.

    ``losses`` is ``(n_epochs, 1)``: row ``e`` the mean loss of pass ``e``. Returns the
    number of passes run: fewer than ``n_epochs`` when a pass met a non-finite loss (its
    step in ``bad``). The same numbers as ``n_epochs`` calls of one pass, without the
    cost of a call per pass (for small networks, a large part of a short pass).
    """
    return _one_replica_epochs(
        n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
        ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
        clip, use_bias, use_momentum, losses, bad,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _one_replica_epochs(  # pragma: no cover - compiled
    n_epochs, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    for e in range(n_epochs):
        _one_replica(
            0, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
            ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
            clip, use_bias, use_momentum, losses[e], bad,
        )  # fmt: skip
        if bad[0] >= 0:
            return e + 1
    return n_epochs


@njit(cache=True, nogil=True)
def _one_replica(  # pragma: no cover - compiled
    r, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    """Replica ``r``'s pass: :func:`_replica_b1` for one sequence without clipping, else :func:`_replica`."""
    if X.shape[2] == 1 and not clip > 0.0:
        _replica_b1(
            r, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
            ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
            use_bias, use_momentum, losses, bad,
        )  # fmt: skip
    else:
        _replica(
            r, X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
            ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
            clip, use_bias, use_momentum, losses, bad,
        )  # fmt: skip


@njit(cache=True, parallel=True, nogil=True)
def _epoch_by_replica(  # pragma: no cover - compiled
    X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
    ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
    clip, use_bias, use_momentum, losses, bad,
):  # fmt: skip
    for r in prange(W_in.shape[0]):
        _one_replica(
            np.int64(r), X, Y, W_in, W_ctx, b_h, W_out, b_o, M_in, M_ctx, M_bh, M_out, M_bo,
            ctx, yprev, lr, momentum, mu, jordan, hidden_code, out_code, loss_code,
            clip, use_bias, use_momentum, losses, bad,
        )  # fmt: skip
