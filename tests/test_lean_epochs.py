"""Several online passes in one lockstep call: the numbers of one call per pass, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_kernels_simd import _problem

from cogrnn.exceptions import TrainingDivergedError
from cogrnn.models import ElmanSRN
from cogrnn.training import Trainer
from cogrnn.training import _kernels as K


@pytest.mark.parametrize("lane_vectors", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_passes_in_one_call_equal_one_call_per_pass(lane_vectors, dtype):
    R, E = 20, 5
    runs = []
    for grouped in (False, True):
        X, Y, arrays, ctx, yprev = _problem(R, dtype=dtype)
        buffers = [np.zeros_like(a) for a in arrays]
        losses, bad = np.zeros((E, R)), np.full((E, R), -1, dtype=np.int64)
        args = (X, Y, *arrays, *buffers, ctx, yprev, 0.3, 0.4, 0.5, False, 0, 0, 0, 0.0, True, True)
        if grouped:
            K.online_epochs_lockstep(E, *args, losses, bad, 2, lane_vectors=lane_vectors)
        else:
            for e in range(E):
                K.online_epoch_lockstep(*args, losses[e], bad[e], 2, lane_vectors=lane_vectors)
        runs.append([*arrays, *buffers, ctx, yprev, losses, bad])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_trainer_in_grouped_passes_names_the_first_diverging_epoch():
    x = torch.from_numpy(np.random.default_rng(0).integers(0, 2, (60, 1, 1)).astype(np.float64))
    net = ElmanSRN(1, 2, 1, n_replicas=20, random_state=0, dtype=torch.float64, output_activation="identity")
    with pytest.raises(TrainingDivergedError, match=r"replica \d+ became non-finite at epoch \d+"):
        Trainer(lr=1e3, epochs=50, quiet=True, backend="compiled").fit(net, x, x * 1e3)
