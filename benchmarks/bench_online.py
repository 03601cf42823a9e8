"""Online training of gated and stacked networks at the Elman replications' sizes, against naive PyTorch.

``bench(quick=False)`` returns rows (``section="online-gated"``) for ``benchmarks/run.py``;
``python -m benchmarks.bench_online [--quick]`` prints them as JSON.

Every case trains with Elman's online rule (an update after every step, the gradient
stopped at the carried state; for an LSTM both h and c): cogrnn's compiled kernel
(``Trainer(method="online")``, ``backend="auto"``, an ensemble of ``R`` replicas in the
process's numba threads; seconds per network = wall time / R) against the naive baseline,
measured in the same run: one network at a time, ``torch.nn`` cells, autograd and
``optimizer.step()`` after every step, the state detached (what a user writes without
cogrnn). The naive loop runs a shortened stream and is extrapolated linearly to the
full workload (``baseline_extrapolated``); in ``--quick`` mode the compiled runs are
shortened and extrapolated too (``extrapolated``). ``ratio`` is the speed-up: naive
seconds per network / cogrnn seconds per network (wall time); ``cpu_ratio`` the same in
CPU time of the process (``time.process_time``, all threads), which a machine shared with
other jobs disturbs less than the wall time.

Workloads (Elman 1990): ``xor`` 1-2-1, 600 passes x 3,000 bits (a random bit stream here);
``words`` 5-20-5, 10 passes x 5,000 letters; ``letters`` 6-20-6, 200 passes x 3,000
letters; ``lexical`` 31-150-31, 6 passes x 27,500 words (random one-hot streams of those
lengths). Architectures: LSTM, GRU, 2-layer LSTM and 2-layer
(stacked) SRN.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np
import torch
from torch import nn

SECTION = "online-gated"
WORKLOADS = {
    "xor": {"sizes": (1, 2, 1), "steps": 3000, "epochs": 600},
    "words": {"sizes": (5, 20, 5), "steps": 5000, "epochs": 10},
    "letters": {"sizes": (6, 20, 6), "steps": 3000, "epochs": 200},
    "lexical": {"sizes": (31, 150, 31), "steps": 27500, "epochs": 6},
}
ARCHS = {"lstm": ("lstm", 1), "gru": ("gru", 1), "lstm-2layer": ("lstm", 2), "srn-2layer": ("srn", 2)}
REPLICAS = 10
#: steps of the naive loop (one pass, one network), full and quick
NAIVE_STEPS = {False: 1500, True: 300}
#: passes of the compiled run in quick mode (extrapolated to the workload's passes)
QUICK_STEPS = {"xor": 3000, "words": 5000, "letters": 3000, "lexical": 2000}


class NaiveNet(nn.Module):
    """One network of ``torch.nn`` cells: LSTM/GRU cells or logistic SRN layers, and a linear readout."""

    def __init__(self, kind: str, sizes: tuple[int, int, int], layers: int) -> None:
        super().__init__()
        n_in, n_hidden, n_out = sizes
        self.kind = kind
        ins = [n_in] + [n_hidden] * (layers - 1)
        if kind == "lstm":
            self.cells = nn.ModuleList(nn.LSTMCell(i, n_hidden) for i in ins)
        elif kind == "gru":
            self.cells = nn.ModuleList(nn.GRUCell(i, n_hidden) for i in ins)
        else:
            self.cells = nn.ModuleList(nn.Linear(i + n_hidden, n_hidden) for i in ins)
        self.out = nn.Linear(n_hidden, n_out)
        self.n_hidden = n_hidden

    def init_state(self) -> list[Any]:
        zeros = torch.zeros(1, self.n_hidden)
        if self.kind == "lstm":
            return [(zeros, zeros) for _ in self.cells]
        return [zeros if self.kind == "gru" else zeros + 0.5 for _ in self.cells]

    def forward(self, x: torch.Tensor, state: list[Any]) -> tuple[torch.Tensor, list[Any]]:
        new = []
        h = x
        for cell, s in zip(self.cells, state):
            if self.kind == "lstm":
                h, c = cell(h, s)
                new.append((h, c))
            elif self.kind == "gru":
                h = cell(h, s)
                new.append(h)
            else:
                h = torch.sigmoid(cell(torch.cat([h, s], dim=1)))
                new.append(h)
        y = self.out(h)
        return (torch.sigmoid(y) if self.kind == "srn" else y), new


def _detach(state: list[Any]) -> list[Any]:
    return [tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach() for s in state]


def naive_online(net: NaiveNet, inputs: torch.Tensor, targets: torch.Tensor, lr: float = 0.1) -> None:
    """Elman's online rule, the plain way: one autograd step and ``optimizer.step()`` per time step."""
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    state = net.init_state()
    for x, y in zip(inputs, targets):
        out, state = net(x[None], state)
        loss = 0.5 * ((out[0] - y) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = _detach(state)


def _stream(n_symbols: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A random one-hot stream (random bits for one input unit) and its next symbol, ``(T, 1, n)`` each."""
    rng = np.random.default_rng(0)
    if n_symbols == 1:
        x = rng.integers(0, 2, (steps + 1, 1, 1)).astype(np.float32)
    else:
        x = np.eye(n_symbols, dtype=np.float32)[rng.integers(0, n_symbols, steps + 1)][:, None, :]
    return x[:-1], x[1:]


def _model(kind: str, sizes: tuple[int, int, int], layers: int, n_replicas: int) -> Any:
    from cogrnn.models import ElmanSRN, GRUNetwork, LSTMNetwork

    cls = {"lstm": LSTMNetwork, "gru": GRUNetwork, "srn": ElmanSRN}[kind]
    return cls(*sizes, num_layers=layers, n_replicas=n_replicas, random_state=0)


def run_case(workload: str, arch: str, quick: bool) -> dict[str, Any]:
    """Time one workload and architecture: cogrnn's compiled ensemble and the naive loop.

    Parameters
    ----------
    workload : {"xor", "words", "letters", "lexical"}
        The replication's sizes and stream length.
    arch : str
        A key of :data:`ARCHS`.
    quick : bool
        Shorten the compiled run too (and extrapolate).

    Returns
    -------
    dict
        One benchmark row.
    """
    import numba

    from cogrnn.training import Trainer

    spec = WORKLOADS[workload]
    sizes, steps, epochs = spec["sizes"], spec["steps"], spec["epochs"]
    kind, layers = ARCHS[arch]
    full_updates = steps * epochs
    # cogrnn: R replicas, compiled online SGD
    run_steps, run_epochs = (QUICK_STEPS[workload], 1) if quick else (steps, epochs)
    x, y = _stream(sizes[0], run_steps)
    net = _model(kind, sizes, layers, REPLICAS)
    warm = Trainer(lr=0.1, quiet=True).fit(net, x[:50], y[:50])  # compiles the kernel (once per process)
    start, cpu = time.perf_counter(), time.process_time()
    trainer = Trainer(lr=0.1, epochs=run_epochs, quiet=True).fit(net, x, y)
    factor = full_updates / (run_steps * run_epochs) / REPLICAS
    ours, ours_cpu = (time.perf_counter() - start) * factor, (time.process_time() - cpu) * factor
    # naive PyTorch: one network, a shortened stream
    torch.manual_seed(0)
    n_naive = NAIVE_STEPS[quick]
    xn, yn = (torch.from_numpy(a[:n_naive, 0]) for a in _stream(sizes[0], n_naive))
    naive = NaiveNet(kind, sizes, layers)
    naive_online(naive, xn[:20], yn[:20])  # warm-up
    start, cpu = time.perf_counter(), time.process_time()
    naive_online(naive, xn, yn)
    baseline = (time.perf_counter() - start) * full_updates / n_naive
    baseline_cpu = (time.process_time() - cpu) * full_updates / n_naive
    return {
        "section": SECTION,
        "case": f"{workload}/{arch}",
        "seconds_per_network": ours,
        "baseline": "naive-torch",
        "baseline_seconds_per_network": baseline,
        "ratio": baseline / ours,
        "cpu_seconds_per_network": ours_cpu,
        "baseline_cpu_seconds_per_network": baseline_cpu,
        "cpu_ratio": baseline_cpu / ours_cpu,
        "extrapolated": quick,
        "baseline_extrapolated": True,
        "sizes": "-".join(map(str, sizes)),
        "layers": layers,
        "updates_per_network": full_updates,
        "replicas": REPLICAS,
        "threads": numba.get_num_threads(),
        "backend": trainer.backend_ if warm.backend_ == trainer.backend_ else "mixed",
        "minutes_per_replication_of_10": ours * 10 / 60,
    }


def bench(quick: bool = False) -> list[dict[str, Any]]:
    """All cases (xor, words, letters and lexical x LSTM, GRU, 2-layer LSTM, 2-layer SRN).

    Parameters
    ----------
    quick : bool, default False
        Shortened compiled runs, extrapolated (a smoke run of a few seconds per case).

    Returns
    -------
    list of dict
        One row per case: ``section``, ``case``, ``seconds_per_network``, ``baseline``,
        ``baseline_seconds_per_network``, ``ratio`` (speed-up over the baseline),
        ``extrapolated``, the same in CPU time (``cpu_seconds_per_network``, ...,
        ``cpu_ratio``), and the sizes, replicas and threads.
    """
    return [run_case(workload, arch, quick) for workload in WORKLOADS for arch in ARCHS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shortened compiled runs (extrapolated)")
    args = parser.parse_args(argv)
    for row in bench(quick=args.quick):
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
