"""The alternatives a user would pick, timed beside cogrnn on the same work.

For ensembles of R networks trained by BPTT (LSTM, GRU, SRN) and online (Elman's SRN):

* ``cogrnn``: one ensemble model (``n_replicas=R``) and :class:`cogrnn.training.Trainer`;
* ``torch-func``: R PyTorch modules stacked with ``torch.func.stack_module_state`` and
  run with ``vmap`` over ``functional_call`` (the PyTorch ensembling recipe), one SGD
  step on the stacked parameters;
* ``python-loop``: R PyTorch modules trained one after another (own SGD each).

The modules are written with ``nn.Linear`` cells (what ``vmap`` accepts everywhere).
Rows: seconds per epoch of each implementation and its ratio to cogrnn's time.
"""

from __future__ import annotations

import copy
import time
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


def _timed(step: Any, epochs: int, device: str) -> float:
    step()  # warm-up
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(epochs):
        step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / epochs


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
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    trainer.fit(net, x, y)  # one call: the epochs inside, as a user runs it
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / epochs


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


def bench(quick: bool = False) -> list[dict[str, Any]]:
    """All alternatives, on the CPU and (when there is one) on the GPU; one row per case."""
    rows: list[dict[str, Any]] = []
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    replicas = (1, 10) if quick else (1, 10, 100)
    epochs = 1 if quick else 5
    for device in devices:
        name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
        for kind in ("srn", "gru", "lstm"):
            for R in replicas:
                ref = bptt_cogrnn(kind, R, epochs, device)
                rows.append(_row("bptt", f"{kind} R={R}", "cogrnn", ref, ref, device, name, R))
                for impl, fn in (("torch-func", bptt_torch_func), ("python-loop", bptt_python_loop)):
                    if impl == "python-loop" and R == 100 and quick:
                        continue
                    sec = fn(kind, R, epochs, device)
                    rows.append(_row("bptt", f"{kind} R={R}", impl, sec, ref, device, name, R))
    steps = 200 if quick else 1000
    for R in (1, 10) if quick else (1, 10, 50):
        ref = online_cogrnn(R, 3000) * steps / 3000
        rows.append(_row("online", f"srn 1-2-1 R={R}", "cogrnn", ref, ref, "cpu", "cpu", R, steps))
        for impl, fn in (("torch-func", online_torch_func), ("python-loop", online_python_loop)):
            sec = fn(R, steps)
            rows.append(_row("online", f"srn 1-2-1 R={R}", impl, sec, ref, "cpu", "cpu", R, steps))
    return rows


def _row(section: str, case: str, impl: str, sec: float, ref: float, device: str, name: str, R: int, steps=None):
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
    if steps is not None:
        row["updates_per_network"] = steps
    return row
