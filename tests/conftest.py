from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import torch


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True, scope="session")
def _few_threads():
    torch.set_num_threads(1)
    yield


@pytest.fixture(params=[0, 1, 42])
def global_random_seed(request):
    """Stochastic properties are checked on several seeds, not one lucky seed."""
    return request.param
