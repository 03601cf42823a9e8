"""Benchmarks: cogrnn against the naive PyTorch baseline, measured in the same run.

Usage: ``make bench`` or ``python -m benchmarks.run [--repeats 3] [--out DIR]``.

Each case runs in a fresh subprocess (so peak memory is its own) ``--repeats`` times;
the median wall time is reported. Cases that would take minutes (the naive baseline, the
torch backend) run a shortened stream and are extrapolated linearly to the full workload;
the table says which. Results go to ``DIR/bench.json`` and a Markdown table
``DIR/bench.md`` (default ``benchmarks/results``).

Workloads (Elman 1990 sizes):

* ``xor``: 1-2-1 SRN, 600 passes x 3,000 bits = 1.8 M online updates per network;
* ``lexical``: 31-150-31 SRN, 6 passes x 27,500 one-hot words = 165 k updates per network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WORKLOADS = {
    "xor": {"sizes": (1, 2, 1), "steps": 3000, "epochs": 600},
    "lexical": {"sizes": (31, 150, 31), "steps": 27500, "epochs": 6},
}

# name: (workload, implementation, replicas, steps actually run per network, epochs actually run)
CASES = {
    "xor/naive-torch": ("xor", "naive", 1, 3000, 1),
    "xor/cogrnn-torch-backend": ("xor", "torch", 50, 300, 1),
    "xor/cogrnn-compiled-R1": ("xor", "compiled", 1, 3000, 600),
    "xor/cogrnn-compiled-R50": ("xor", "compiled", 50, 3000, 600),
    "lexical/naive-torch": ("lexical", "naive", 1, 1000, 1),
    "lexical/cogrnn-compiled-R1": ("lexical", "compiled", 1, 27500, 6),
    "lexical/cogrnn-compiled-R10": ("lexical", "compiled", 10, 27500, 1),
}


def _stream(workload: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n_in = WORKLOADS[workload]["sizes"][0]
    if n_in == 1:
        x = rng.integers(0, 2, (steps, 1, 1)).astype(np.float32)
    else:
        x = np.eye(n_in, dtype=np.float32)[rng.integers(0, n_in, steps)][:, None, :]
    return x, np.roll(x, -1, axis=0)


def run_case(name: str) -> dict[str, float]:
    """Run one case once in this process; return seconds per network for the full workload."""
    import torch

    workload, impl, R, steps, epochs = CASES[name]
    n_in, n_hidden, n_out = WORKLOADS[workload]["sizes"]
    x, y = _stream(workload, steps)
    full_updates = WORKLOADS[workload]["steps"] * WORKLOADS[workload]["epochs"]
    if impl == "naive":
        from benchmarks.naive import NaiveSRN, train_online

        torch.manual_seed(0)
        net = NaiveSRN(n_in, n_hidden, n_out)
        xt, yt = torch.from_numpy(x[:, 0]), torch.from_numpy(y[:, 0])
        train_online(net, xt[:50], yt[:50], 1)  # warm-up
        start = time.perf_counter()
        train_online(net, xt, yt, epochs)
        elapsed = time.perf_counter() - start
    else:
        from cogrnn.models import ElmanSRN
        from cogrnn.training import Trainer

        net = ElmanSRN(n_in, n_hidden, n_out, n_replicas=R, random_state=0)
        Trainer(lr=0.1, epochs=1, backend=impl, quiet=True).fit(net, x[:50], y[:50])  # warm-up / compile
        start = time.perf_counter()
        Trainer(lr=0.1, epochs=epochs, backend=impl, quiet=True).fit(net, x, y)
        elapsed = time.perf_counter() - start
    factor = full_updates / (steps * epochs)
    return {
        "measured_s": elapsed,
        "extrapolation_factor": factor,
        "full_workload_s": elapsed * factor,
        "per_network_s": elapsed * factor / R,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _subprocess(args: list[str]) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, proc.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    results: dict[str, dict] = {}
    for name in CASES:
        runs = []
        for _ in range(args.repeats):
            _, _, out = _subprocess([sys.executable, "-m", "benchmarks.run", "--case", name])
            runs.append(json.loads(out))
        per_net = statistics.median(r["per_network_s"] for r in runs)
        results[name] = {
            "per_network_s": per_net,
            "runs_per_network_s": [r["per_network_s"] for r in runs],
            "extrapolated": runs[0]["extrapolation_factor"] != 1.0,
            "extrapolation_factor": runs[0]["extrapolation_factor"],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "replicas": CASES[name][2],
        }
        print(f"{name:<30} {per_net:9.3f} s per network", flush=True)
    # the whole replication process, as a user runs it
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        exe = str(Path(sys.executable).with_name("cogrnn"))
        for _ in range(args.repeats):
            wall, _, _ = _subprocess([exe, "replicate", "elman-xor", "--seeds", "50", "--out", tmp, "--quiet"])
            walls.append(wall)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results["process/replicate-elman-xor-50-seeds"] = {
        "wall_s": statistics.median(walls),
        "runs_wall_s": walls,
        "peak_rss_mb_max_over_children": peak,
    }
    print(f"{'replicate elman-xor --seeds 50':<30} {statistics.median(walls):9.3f} s whole process", flush=True)
    doc = {
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version()},
        "repeats": args.repeats,
        "results": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(doc, indent=2) + "\n")
    table = _table(results)
    (out / "bench.md").write_text(table)
    print()
    print(table)
    return 0


def _table(results: dict[str, dict]) -> str:
    lines = [
        "| workload | implementation | s per network | speed-up vs naive | peak RSS (MB) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for workload in WORKLOADS:
        naive = results[f"{workload}/naive-torch"]["per_network_s"]
        for name, r in results.items():
            if not name.startswith(workload + "/"):
                continue
            note = " (extrapolated)" if r["extrapolated"] else ""
            lines.append(
                f"| {workload} | {name.split('/', 1)[1]}{note} | {r['per_network_s']:.3f} | "
                f"{naive / r['per_network_s']:.0f}x | {r['peak_rss_mb']:.0f} |"
            )
    proc = results["process/replicate-elman-xor-50-seeds"]
    xor_r1 = results["xor/cogrnn-compiled-R1"]["per_network_s"]
    lines.append("")
    lines.append(
        f"`cogrnn replicate elman-xor --seeds 50` (whole process, median of {len(proc['runs_wall_s'])}): "
        f"{proc['wall_s']:.1f} s = {proc['wall_s'] / (50 * xor_r1):.2f}x the time of 50 sequential compiled "
        f"single networks ({50 * xor_r1:.1f} s); naive PyTorch would take "
        f"{50 * results['xor/naive-torch']['per_network_s'] / 3600:.1f} h; peak RSS "
        f"{proc['peak_rss_mb_max_over_children']:.0f} MB (max over all child processes)."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
