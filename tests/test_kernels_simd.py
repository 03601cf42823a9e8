"""The lockstep kernel: each replica's numbers independent of R, of its lane and block, and of threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from cogrnn.training import _kernels as K


def _problem(R, seed=0, n_in=1, H=2, O=1, T=40, dtype=np.float64, jordan=False):
    """Replica r's weights depend on r only (so any subset of replicas is the same problem)."""
    C = O if jordan else H

    def per_replica(shape):
        return np.stack([np.random.default_rng([seed, r]).uniform(-0.5, 0.5, shape) for r in range(R)], -1).astype(
            dtype
        )

    arrays = [per_replica((H, n_in)), per_replica((H, C)), per_replica((H,)), per_replica((O, H)), per_replica((O,))]
    rng = np.random.default_rng(seed + 1)
    X = rng.integers(0, 2, (T, 1, n_in, 1)).astype(dtype)
    Y = rng.random((T, 1, O, 1)).astype(dtype)
    ctx = np.full((1, C, R), 0.5, dtype=dtype)
    yprev = np.zeros((1, O if jordan else 0, R), dtype=dtype)
    return X, Y, arrays, ctx, yprev


def _run(R, blocks, subset=None, lane_vectors=True, momentum=0.0, clip=0.0, dtype=np.float64, jordan=False, codes=None):
    X, Y, arrays, ctx, yprev = _problem(R, dtype=dtype, jordan=jordan)
    if subset is not None:
        arrays = [np.ascontiguousarray(a[..., subset]) for a in arrays]
        ctx, yprev = np.ascontiguousarray(ctx[..., subset]), np.ascontiguousarray(yprev[..., subset])
    n = arrays[0].shape[-1]
    buffers = [np.zeros_like(a) for a in arrays]
    losses, bad = np.zeros(n), np.full(n, -1, dtype=np.int64)
    hidden, out, loss = codes or (0, 0, 0)
    for _ in range(2):
        K.online_epoch_lockstep(
            X, Y, *arrays, *buffers, ctx, yprev, 0.3, momentum, 0.5, jordan, hidden, out, loss,
            clip, True, momentum > 0.0, losses, bad, blocks, lane_vectors=lane_vectors,
        )  # fmt: skip
    return [*arrays, *buffers, ctx, yprev, losses]


def _assert_replicas_equal(full, part, picked):
    for a, b in zip(full, part):
        np.testing.assert_array_equal(a[..., picked], b)


@pytest.mark.parametrize("lane_vectors", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_replica_numbers_bit_identical_whatever_r_lane_and_block(lane_vectors, dtype):
    full = _run(50, blocks=2, lane_vectors=lane_vectors, momentum=0.4, dtype=dtype)
    # replica 13 alone (lane 0 of a chunk of one), among 7 (lane 6), in one block or in another thread's block
    for picked, blocks in (([13], 1), (list(range(7, 14)), 1), (list(range(50)), 1), ([13, 2, 40], 2)):
        part = _run(50, blocks=blocks, subset=picked, lane_vectors=lane_vectors, momentum=0.4, dtype=dtype)
        _assert_replicas_equal(full, part, picked)


@pytest.mark.parametrize(
    ("codes", "jordan"), [((0, 0, 0), False), ((1, 1, 1), True), ((2, 0, 0), False), ((3, 1, 1), False)]
)
def test_lane_vectors_compute_what_the_general_loops_compute(codes, jordan):
    fast = _run(21, blocks=2, codes=codes, jordan=jordan, momentum=0.3)
    slow = _run(21, blocks=2, codes=codes, jordan=jordan, momentum=0.3, lane_vectors=False)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def test_one_thread_and_two_threads_give_the_same_bits():
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _run(50, blocks=K.n_blocks(50, numba.get_num_threads()))
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = _run(50, blocks=K.n_blocks(50, numba.get_num_threads()))
    finally:
        numba.set_num_threads(before)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


def test_by_replica_kernel_matches_lockstep_bits():
    X, Y, arrays, ctx, yprev = _problem(9)
    lock = _run(9, blocks=1)
    R = 9
    to_r = [np.ascontiguousarray(np.moveaxis(a, -1, 0)) for a in arrays]
    buffers = [np.zeros_like(a) for a in to_r]
    c, yp = np.ascontiguousarray(np.moveaxis(ctx, -1, 0)), np.ascontiguousarray(np.moveaxis(yprev, -1, 0))
    Xr, Yr = np.broadcast_to(X[..., 0], (R, *X.shape[:3])), np.broadcast_to(Y[..., 0], (R, *Y.shape[:3]))
    losses, bad = np.zeros(R), np.full(R, -1, dtype=np.int64)
    for _ in range(2):
        K.online_epoch_by_replica(
            Xr, Yr, *to_r, *buffers, c, yp, 0.3, 0.0, 0.5, False, 0, 0, 0, 0.0, True, False, losses, bad
        )  # fmt: skip
    for a, b in zip(lock[:5], to_r):
        np.testing.assert_array_equal(np.moveaxis(a, -1, 0), b)
    np.testing.assert_array_equal(lock[-1], losses)


def _by_replica(R, n_in=1, H=2, O=1, B=1, codes=(0, 0, 0), jordan=False, momentum=0.0, shared=True, dtype=np.float64):
    """The by-replica kernel on the problem of :func:`_problem` (B sequences), replica axis first."""
    X, Y, arrays, ctx, yprev = _problem(R, n_in=n_in, H=H, O=O, jordan=jordan, dtype=dtype)
    X, Y = np.repeat(X, B, axis=1), np.repeat(Y, B, axis=1)
    ctx, yprev = np.repeat(ctx, B, axis=0), np.repeat(yprev, B, axis=0)
    to_r = [np.ascontiguousarray(np.moveaxis(a, -1, 0)) for a in arrays]
    buffers = [np.zeros_like(a) for a in to_r]
    c, yp = np.ascontiguousarray(np.moveaxis(ctx, -1, 0)), np.ascontiguousarray(np.moveaxis(yprev, -1, 0))
    Xr, Yr = np.moveaxis(X, -1, 0), np.moveaxis(Y, -1, 0)  # (1, T, B, n): a stream shared by all replicas
    if not shared:
        Xr, Yr = np.ascontiguousarray(np.repeat(Xr, R, 0)), np.ascontiguousarray(np.repeat(Yr, R, 0))
    losses, bad = np.zeros(R), np.full(R, -1, dtype=np.int64)
    hidden, out, loss = codes
    for _ in range(3):
        K.online_epoch_by_replica(
            np.ascontiguousarray(Xr), np.ascontiguousarray(Yr), *to_r, *buffers, c, yp, 0.3, momentum, 0.5, jordan,
            hidden, out, loss, 0.0, True, momentum > 0.0, losses, bad,
        )  # fmt: skip
    return [*to_r, *buffers, c, yp, losses]


CASES_B1 = [
    ((0, 0, 0), False, 0.0),
    ((0, 0, 0), True, 0.4),
    ((1, 2, 2), False, 0.4),
    ((2, 1, 1), True, 0.0),
    ((3, 0, 3), False, 0.2),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("codes", "jordan", "momentum"), CASES_B1)
def test_one_sequence_pass_with_units_innermost_gives_the_bits_of_the_general_pass(codes, jordan, momentum, dtype):
    # B == 1 runs the transposed, vectorised pass; B == 2 with both sequences equal runs the general
    # one (halves of every gradient, added twice: exact), so the two give the same bits; so do a
    # stream shared by all replicas and one stream per replica, and a replica trained alone
    kw = {"n_in": 3, "H": 11, "O": 5, "codes": codes, "jordan": jordan, "momentum": momentum, "dtype": dtype}
    one = _by_replica(3, B=1, **kw)
    two = _by_replica(3, B=2, **kw)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b if a.ndim < 3 or a.shape == b.shape else b[:, :1])
    for a, b in zip(one, _by_replica(3, B=1, shared=False, **kw)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(one, _by_replica(1, B=1, **kw)):
        np.testing.assert_array_equal(a[:1], b)
