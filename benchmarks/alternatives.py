"""The alternatives a user would pick, timed beside cogrnn on the same work.

For ensembles of R networks trained by BPTT (LSTM, GRU, SRN) and online (Elman's SRN):

* ``cogrnn``: one ensemble model (``n_replicas=R``) and :class:`cogrnn.training.Trainer`;
* ``torch-func``: R PyTorch modules stacked with ``torch.func.stack_module_state`` and
  run with ``vmap`` over ``functional_call`` (the PyTorch ensembling recipe), one SGD
  step on the stacked parameters;
* ``python-loop``: R PyTorch modules trained one after another (own SGD each).

The modules are written with ``nn.Linear`` cells (what ``vmap`` accepts everywhere).
Rows: seconds per epoch of each implementation and its ratio to cogrnn's time, the
minimum over ``repeats`` rounds that run the implementations of a case in turn (cogrnn,
torch-func, python-loop, then again), so that a change of load on a shared machine falls
on all of them; beside the wall time, the CPU time of the process (``cpu_seconds``, all
its threads), which the load does not stretch. On a CUDA device the row names the GPU.
"""

from __future__ import annotations

import copy
import math
import time
from functools import partial
from typing import Any

import torch
from torch import nn

SIZES = {"n_in": 4, "n_hidden": 16, "n_out": 4, "steps": 20, "batch": 16}


class Cell(nn.Module):
    """A one-layer recurrent network over ``(T, B, I)``: SRN (logistic), GRU or LSTM, linear read-out."""

    def __init__(self, kind: str, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.kind = kind
        gates = {"srn": 1, "gru": 3, "lstm": 4}[kind]
        self.ih = nn.Linear(n_in, gates * n_hidden)
        self.hh = nn.Linear(n_hidden, gates * n_hidden)
        self.out = nn.Linear(n_hidden, n_out)
        self.n_hidden = n_hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.new_zeros(x.shape[1], self.n_hidden)
        c = h
        outs = []
        for t in range(x.shape[0]):
            a, b = self.ih(x[t]), self.hh(h)
            if self.kind == "srn":
                h = torch.sigmoid(a + b)
            elif self.kind == "gru":
                ar, az, an = a.chunk(3, -1)
                br, bz, bn = b.chunk(3, -1)
                r, z = torch.sigmoid(ar + br), torch.sigmoid(az + bz)
                h = (1 - z) * torch.tanh(an + r * bn) + z * h
            else:
                i, f, g, o = (a + b).chunk(4, -1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            outs.append(self.out(h))
        return torch.stack(outs)


def _data(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    s = SIZES
    x = torch.rand(s["steps"], s["batch"], s["n_in"], generator=g)
    y = torch.rand(s["steps"], s["batch"], s["n_out"], generator=g)
    return x.to(device), y.to(device)


_last_cpu: list[float] = [0.0]  # CPU seconds per epoch of the latest timed call (process time, all threads)


class _Stopwatch:
    """Wall and CPU time of a block, per ``n`` repetitions; the device synchronised at both ends."""

    def __init__(self, device: str, n: int) -> None:
        self.cuda, self.n = device.startswith("cuda"), n

    def __enter__(self) -> _Stopwatch:
        if self.cuda:
            torch.cuda.synchronize()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cuda:
            torch.cuda.synchronize()
        self.wall = (time.perf_counter() - self.wall) / self.n
        self.cpu = (time.process_time() - self.cpu) / self.n
        _last_cpu[0] = self.cpu


def _timed(step: Any, epochs: int, device: str) -> float:
    step()  # warm-up
    with _Stopwatch(device, epochs) as watch:
        for _ in range(epochs):
            step()
    return watch.wall


def bptt_cogrnn(kind: str, R: int, epochs: int, device: str = "cpu") -> float:
    """Seconds per epoch (one full-batch BPTT update) of a cogrnn ensemble."""
    from cogrnn.models import ElmanSRN, GRUNetwork, LSTMNetwork
    from cogrnn.training import Trainer

    s = SIZES
    cls = {"srn": ElmanSRN, "gru": GRUNetwork, "lstm": LSTMNetwork}[kind]
    kw = {"output_activation": "identity"}
    net = cls(s["n_in"], s["n_hidden"], s["n_out"], n_replicas=R, random_state=0, device=device, **kw)
    x, y = _data(device)
    Trainer(method="bptt", lr=0.1, epochs=1, loss="mse", quiet=True).fit(net, x, y)  # warm-up
    trainer = Trainer(method="bptt", lr=0.1, epochs=epochs, loss="mse", quiet=True)
    with _Stopwatch(device, epochs) as watch:
        trainer.fit(net, x, y)  # one call: the epochs inside, as a user runs it
    return watch.wall


def bptt_torch_func(kind: str, R: int, epochs: int, device: str = "cpu") -> float:
    """Seconds per epoch of R modules stacked with ``stack_module_state`` under ``vmap``."""
    from torch.func import functional_call, stack_module_state

    s = SIZES
    torch.manual_seed(0)
    models = [Cell(kind, s["n_in"], s["n_hidden"], s["n_out"]).to(device) for _ in range(R)]
    params, buffers = stack_module_state(models)  # type: ignore[arg-type]
    base = copy.deepcopy(models[0]).to("meta")
    x, y = _data(device)

    def one(p: dict, b: dict, xx: torch.Tensor) -> torch.Tensor:
        return functional_call(base, (p, b), (xx,))

    ensemble = torch.vmap(one, in_dims=(0, 0, None))

    def step() -> None:
        out = ensemble(params, buffers, x)
        loss = ((out - y) ** 2).mean(dim=(1, 2, 3)).sum()
        grads = torch.autograd.grad(loss, list(params.values()))
        with torch.no_grad():
            for p, g in zip(params.values(), grads):
                p -= 0.1 * g

    return _timed(step, epochs, device)


def bptt_python_loop(kind: str, R: int, epochs: int, device: str = "cpu") -> float:
    """Seconds per epoch of R modules trained one after another."""
    s = SIZES
    torch.manual_seed(0)
    models = [Cell(kind, s["n_in"], s["n_hidden"], s["n_out"]).to(device) for _ in range(R)]
    opts = [torch.optim.SGD(m.parameters(), lr=0.1) for m in models]
    x, y = _data(device)

    def step() -> None:
        for m, opt in zip(models, opts):
            loss = ((m(x) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()

    return _timed(step, epochs, device)


def online_torch_func(R: int, steps: int) -> float:
    """Seconds for ``steps`` online updates of R 1-2-1 SRNs under ``vmap`` (one update per step)."""
    from torch.func import functional_call, grad, stack_module_state

    from benchmarks.naive import NaiveSRN

    torch.manual_seed(0)
    models = [NaiveSRN(1, 2, 1).double() for _ in range(R)]
    params, _ = stack_module_state(models)  # type: ignore[arg-type]
    params = {k: v.detach() for k, v in params.items()}
    base = copy.deepcopy(models[0]).to("meta")
    bits = torch.randint(0, 2, (steps + 1, 1), generator=torch.Generator().manual_seed(0)).double()

    def loss_fn(p: dict, x: torch.Tensor, c: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out, h = functional_call(base, p, (x, c))
        return 0.5 * ((out - t) ** 2).sum(), h

    step_fn = torch.vmap(grad(loss_fn, has_aux=True), in_dims=(0, None, 0, None))
    ctx = torch.full((R, 2), 0.5, dtype=torch.float64)
    start = time.perf_counter()
    for t in range(steps):
        grads, h = step_fn(params, bits[t], ctx, bits[t + 1])
        params = {k: params[k] - 0.1 * grads[k] for k in params}
        ctx = h.detach()
    return time.perf_counter() - start


def online_python_loop(R: int, steps: int) -> float:
    """Seconds for ``steps`` online updates of R naive PyTorch SRNs, one network after another."""
    from benchmarks.naive import NaiveSRN, train_online

    bits = torch.randint(0, 2, (steps + 1, 1), generator=torch.Generator().manual_seed(0)).float()
    start = time.perf_counter()
    for r in range(R):
        torch.manual_seed(r)
        train_online(NaiveSRN(1, 2, 1), bits[:-1], bits[1:], 1)
    return time.perf_counter() - start


def online_cogrnn(R: int, steps: int, epochs: int = 1) -> float:
    """Seconds for ``epochs`` passes of ``steps`` online updates of a cogrnn 1-2-1 ensemble (compiled)."""
    import numpy as np

    from cogrnn.models import ElmanSRN
    from cogrnn.training import Trainer

    bits = np.random.default_rng(0).integers(0, 2, (steps + 1, 1, 1)).astype(np.float64)
    net = ElmanSRN(1, 2, 1, n_replicas=R, random_state=0, dtype=torch.float64)
    Trainer(lr=0.1, epochs=1, backend="compiled", quiet=True).fit(net, bits[:50], bits[1:51])  # compile
    start = time.perf_counter()
    Trainer(lr=0.1, epochs=epochs, backend="compiled", quiet=True).fit(net, bits[:-1], bits[1:])
    return (time.perf_counter() - start) / epochs


def bench(quick: bool = False, repeats: int | None = None) -> list[dict[str, Any]]:
    """All alternatives, on the CPU and (when there is one) on the GPU; one row per case and implementation.

    Each case runs its implementations in turn ``repeats`` times (3, quick 2) and keeps
    each one's minimum wall time (and minimum CPU time).
    """
    rows: list[dict[str, Any]] = []
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    replicas = (1, 10) if quick else (1, 10, 100)
    epochs = 2 if quick else 5
    repeats = repeats or (2 if quick else 3)
    for device in devices:
        name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
        for kind in ("srn", "gru", "lstm"):
            for R in replicas:
                impls = {"cogrnn": bptt_cogrnn, "torch-func": bptt_torch_func, "python-loop": bptt_python_loop}
                if quick and R == 100:
                    del impls["python-loop"]
                best = _interleaved({k: partial(f, kind, R, epochs, device) for k, f in impls.items()}, repeats)
                for impl, (sec, cpu) in best.items():
                    rows.append(_row("bptt", f"{kind} R={R}", impl, sec, best["cogrnn"][0], device, name, R,
                                     cpu=cpu, ref_cpu=best["cogrnn"][1], repeats=repeats))  # fmt: skip
    steps = 200 if quick else 1000
    for R in (1, 10) if quick else (1, 10, 50):
        ref = online_cogrnn(R, 3000) * steps / 3000
        rows.append(_row("online", f"srn 1-2-1 R={R}", "cogrnn", ref, ref, "cpu", "cpu", R, steps))
        for impl, fn in (("torch-func", online_torch_func), ("python-loop", online_python_loop)):
            sec = fn(R, steps)
            rows.append(_row("online", f"srn 1-2-1 R={R}", impl, sec, ref, "cpu", "cpu", R, steps))
    return rows


def _interleaved(calls: dict[str, Any], repeats: int) -> dict[str, tuple[float, float]]:
    """``{name: (min wall, min CPU)}`` over ``repeats`` rounds that call every implementation in turn."""
    best = {name: (math.inf, math.inf) for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            wall = call()
            best[name] = (min(best[name][0], wall), min(best[name][1], _last_cpu[0]))
    return best


def _row(
    section: str, case: str, impl: str, sec: float, ref: float, device: str, name: str, R: int, steps=None,
    cpu: float | None = None, ref_cpu: float | None = None, repeats: int | None = None,
):  # fmt: skip
    row = {
        "section": f"alternatives/{section}",
        "case": case,
        "implementation": impl,
        "replicas": R,
        "device": device,
        "device_name": name,
        "seconds": sec,
        "ratio_to_cogrnn": sec / ref,
    }
    if cpu is not None and ref_cpu is not None:
        row["cpu_seconds"] = cpu
        row["cpu_ratio_to_cogrnn"] = cpu / ref_cpu
    if repeats is not None:
        row["repeats"] = repeats
    if steps is not None:
        row["updates_per_network"] = steps
    return row
