"""Benchmarks: cogrnn against the naive PyTorch baseline, measured in the same run.

Usage: ``make bench`` or ``python -m benchmarks.run [--quick] [--repeats 3] [--out DIR]``.

Sections, all in one run: ``kernel`` (the cases below, against the frozen compiled baseline
:mod:`benchmarks.baseline_numba` and the machine's FMA peak), ``alternatives``
(:mod:`benchmarks.alternatives`: torch.func ensembles and Python loops beside cogrnn) and
the optional sections of ``bench_online``, ``bench_process`` and ``bench_sweep`` (each a
module with ``bench(quick) -> list[dict]``; a module that is absent is skipped).
``--quick`` runs shortened workloads once (a smoke run).

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
from typing import Any

import numpy as np

from benchmarks.bench_process import peak_rss_mb

WORKLOADS = {
    "xor": {"sizes": (1, 2, 1), "steps": 3000, "epochs": 600},
    "lexical": {"sizes": (31, 150, 31), "steps": 27500, "epochs": 6},
}

# floating-point operations of one online update of a 1-2-1 SRN, counted as multiply-adds
# (forward 8, output error 3, hidden deltas 6, gradients 8, updates 9), plus 3 exp and 3 divisions
XOR_FMA_PER_UPDATE = 34

# the compiled cases whose first-ever run (an empty numba cache: compilation) is timed apart
COLD_CASES = ("xor/cogrnn-compiled-R1", "xor/cogrnn-compiled-R50")

OPTIONAL_SECTIONS = ("bench_online", "bench_process", "bench_sweep")

# name: (workload, implementation, replicas, steps actually run per network, epochs actually run)
CASES = {
    "xor/baseline-numba": ("xor", "baseline", 1, 3000, 600),
    "xor/naive-torch": ("xor", "naive", 1, 3000, 1),
    "xor/cogrnn-torch-backend": ("xor", "torch", 50, 300, 1),
    "xor/cogrnn-compiled-R1": ("xor", "compiled", 1, 3000, 600),
    "xor/cogrnn-compiled-R50": ("xor", "compiled", 50, 3000, 600),
    "lexical/baseline-numba": ("lexical", "baseline", 1, 27500, 6),
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


def run_case(name: str, quick: bool = False) -> dict[str, float]:
    """Run one case once in this process; return seconds per network for the full workload."""
    import torch

    workload, impl, R, steps, epochs = CASES[name]
    if quick:  # a tenth of the work (at most), extrapolated
        epochs = max(1, epochs // 10) if epochs > 1 else epochs
        steps = steps if epochs > 1 or steps <= 300 else max(300, steps // 10)
    n_in, n_hidden, n_out = WORKLOADS[workload]["sizes"]
    x, y = _stream(workload, steps)
    full_updates = WORKLOADS[workload]["steps"] * WORKLOADS[workload]["epochs"]
    if impl == "baseline":
        from benchmarks.baseline_numba import init_srn, train_srn

        w = init_srn(n_in, n_hidden, n_out)
        xd, yd = x[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
        train_srn(*w.values(), xd[:50], yd[:50], 1, 0.1, 0.5)  # compile (cached)
        start = time.perf_counter()
        train_srn(*w.values(), xd, yd, epochs, 0.1, 0.5)
        elapsed = time.perf_counter() - start
    elif impl == "naive":
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

        net = ElmanSRN(n_in, n_hidden, n_out, n_replicas=R, random_state=0, dtype=torch.float64)
        start = time.perf_counter()
        Trainer(lr=0.1, epochs=1, backend=impl, quiet=True).fit(net, x[:50], y[:50])  # warm-up / compile
        warmup = time.perf_counter() - start
        start = time.perf_counter()
        Trainer(lr=0.1, epochs=epochs, backend=impl, quiet=True).fit(net, x, y)
        elapsed = time.perf_counter() - start
    factor = full_updates / (steps * epochs)
    return {
        "warmup_s": warmup if impl in ("compiled", "torch") else 0.0,
        "measured_s": elapsed,
        "extrapolation_factor": factor,
        "full_workload_s": elapsed * factor,
        "per_network_s": elapsed * factor / R,
        "peak_rss_mb": peak_rss_mb(),
    }


def _subprocess(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, proc.stdout


def machine_info() -> dict[str, Any]:
    """Platform, CPU, library versions and the accelerator (``device_name``: the GPU when CUDA is there)."""
    import numba
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cuda = torch.cuda.is_available()
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "numba": numba.__version__,
        "cuda_available": cuda,
        "device_name": torch.cuda.get_device_name(0) if cuda else "cpu (no CUDA device)",
    }


def optional_sections(quick: bool, names: tuple[str, ...] = OPTIONAL_SECTIONS) -> tuple[list[dict], list[str]]:
    """Rows of every optional section module present; the names of those absent."""
    import importlib

    rows: list[dict] = []
    absent: list[str] = []
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}":
                raise
            absent.append(name)
            continue
        print(f"section {name} ...", flush=True)
        rows += module.bench(quick=quick)
    return rows, absent


def kernel_section(repeats: int, quick: bool) -> dict[str, dict]:
    """The kernel cases, each in a fresh subprocess ``repeats`` times (median)."""
    results: dict[str, dict] = {}
    runs_of: dict[str, list[dict]] = {}
    for name in CASES:
        runs = runs_of[name] = []
        for _ in range(repeats):
            args = [sys.executable, "-m", "benchmarks.run", "--case", name] + (["--quick"] if quick else [])
            _, _, out = _subprocess(args)
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
    # a first-ever run compiles the kernels (numba's on-disk cache empty): the warm-up call, timed apart
    for name in COLD_CASES:
        with tempfile.TemporaryDirectory() as cache:
            args = [sys.executable, "-m", "benchmarks.run", "--case", name] + (["--quick"] if quick else [])
            _, _, out = _subprocess(args, env={**os.environ, "NUMBA_CACHE_DIR": cache})
        cold = json.loads(out)
        results[name]["cold_warmup_s"] = cold["warmup_s"]
        results[name]["cached_warmup_s"] = statistics.median(r["warmup_s"] for r in runs_of[name])
        print(f"{name:<30} first-ever warm-up (compiles) {cold['warmup_s']:.1f} s", flush=True)
    return results


def summary(results: dict[str, dict], peak: dict[str, float], threads: int) -> dict[str, float]:
    """Ratios against the frozen baseline and updates per second per core against the FMA peak."""
    base = results["xor/baseline-numba"]["per_network_s"]
    out: dict[str, float] = {}
    updates = WORKLOADS["xor"]["steps"] * WORKLOADS["xor"]["epochs"]
    for name in ("xor/cogrnn-compiled-R1", "xor/cogrnn-compiled-R50"):
        r = results[name]
        cores = 1 if r["replicas"] == 1 else max(1, threads)
        per_core = updates / r["per_network_s"] / cores
        key = name.split("/", 1)[1]
        out[f"{key}_vs_baseline"] = r["per_network_s"] / base
        out[f"{key}_updates_per_s_per_core"] = per_core
        out[f"{key}_fraction_of_fma_peak"] = per_core * XOR_FMA_PER_UPDATE / peak["fma_per_s"]
    out["baseline_updates_per_s_per_core"] = updates / base
    out["baseline_fraction_of_fma_peak"] = updates / base * XOR_FMA_PER_UPDATE / peak["fma_per_s"]
    lex = results["lexical/baseline-numba"]["per_network_s"]
    out["lexical-R10_vs_baseline"] = results["lexical/cogrnn-compiled-R10"]["per_network_s"] / lex
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="runs per case (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="shortened workloads, one run each (a smoke run)")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument(
        "--sections", default="kernel,alternatives,optional", help="comma-separated: kernel, alternatives, optional"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, quick=args.quick)))
        return 0
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if repeats < 1:
        parser.error("--repeats must be >= 1")
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    unknown = sections - {"kernel", "alternatives", "optional"}
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    import numba

    from benchmarks.baseline_numba import fma_peak

    doc: dict[str, Any] = {"machine": machine_info(), "quick": args.quick, "repeats": repeats}
    doc["fma_peak_per_core"] = fma_peak(0.2 if args.quick else 1.0)
    results: dict[str, dict] = {}
    if "kernel" in sections:
        results = kernel_section(repeats, args.quick)
        doc["summary"] = summary(results, doc["fma_peak_per_core"], numba.get_num_threads())
        if not args.quick:  # the whole replication process, as a user runs it
            walls = []
            with tempfile.TemporaryDirectory() as tmp:
                exe = str(Path(sys.executable).with_name("cogrnn"))
                for _ in range(repeats):
                    cmd = [exe, "replicate", "elman-xor", "--seeds", "50", "--out", tmp, "--quiet"]
                    wall, _, _ = _subprocess(cmd)
                    walls.append(wall)
            results["process/replicate-elman-xor-50-seeds"] = {
                "wall_s": statistics.median(walls),
                "runs_wall_s": walls,
            }
    doc["results"] = results
    rows: list[dict] = []
    if "alternatives" in sections:
        from benchmarks.alternatives import bench as alternatives

        print("section alternatives ...", flush=True)
        rows += alternatives(quick=args.quick)
    if "optional" in sections:
        extra, absent = optional_sections(args.quick)
        rows += extra
        doc["sections_absent"] = absent
    doc["rows"] = rows
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    table = render(doc)
    (out / "bench.md").write_text(table)
    print()
    print(table)
    return 0


def render(doc: dict[str, Any]) -> str:
    """bench.md: machine, kernel table and summary, then every section's rows as a table."""
    m = doc["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cpu_count']} cores; device: {m['device_name']}; torch {m['torch']}, "
        f"numba {m['numba']}, numpy {m['numpy']}; FMA peak {doc['fma_peak_per_core']['gflops_per_core']:.1f} "
        f"GFLOP/s per core (float64).{' QUICK RUN (shortened, extrapolated).' if doc.get('quick') else ''}",
        "",
    ]
    if doc["results"]:
        lines.append(_table(doc["results"], doc.get("rows")))
        s = doc.get("summary", {})
        if s:
            lines.append(
                f"XOR training alone, per network, against the frozen baseline (one network at a time): "
                f"R=50 {s['cogrnn-compiled-R50_vs_baseline']:.2f}x, R=1 {s['cogrnn-compiled-R1_vs_baseline']:.2f}x; "
                f"lexical R=10 {s['lexical-R10_vs_baseline']:.2f}x. Updates/s per core: baseline "
                f"{s['baseline_updates_per_s_per_core'] / 1e6:.1f} M ({100 * s['baseline_fraction_of_fma_peak']:.1f}% "
                f"of FMA peak at {XOR_FMA_PER_UPDATE} multiply-adds per update), cogrnn R=50 "
                f"{s['cogrnn-compiled-R50_updates_per_s_per_core'] / 1e6:.1f} M "
                f"({100 * s['cogrnn-compiled-R50_fraction_of_fma_peak']:.1f}%)."
            )
            lines.append("")
    cold = [(name, r) for name, r in doc["results"].items() if "cold_warmup_s" in r]
    if cold:
        lines.append(
            "First-ever run (numba's on-disk cache empty: the kernels compile), the warm-up call alone: "
            + "; ".join(
                f"{name} {r['cold_warmup_s']:.1f} s (from the cache: {r['cached_warmup_s']:.2f} s)" for name, r in cold
            )
            + ". Not counted in the per-network times above."
        )
        lines.append("")
    by_section: dict[str, list[dict]] = {}
    for row in doc.get("rows", []):
        by_section.setdefault(str(row.get("section", "?")), []).append(row)
    for section, rows in by_section.items():
        keys: list[str] = []
        for row in rows:
            keys += [k for k in row if k != "section" and k not in keys]
        lines += [f"### {section}", "", "| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys)]
        for row in rows:
            lines.append("| " + " | ".join(_fmt(row.get(k, "")) for k in keys) + " |")
        lines.append("")
    if doc.get("sections_absent"):
        lines.append(f"Sections absent (modules not found): {', '.join(doc['sections_absent'])}.")
    return "\n".join(lines) + "\n"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _table(results: dict[str, dict], rows: list[dict] | None = None) -> str:
    lines = [
        "| workload | implementation | s per network | speed-up vs naive | vs baseline | peak RSS (MB) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for workload in WORKLOADS:
        naive = results[f"{workload}/naive-torch"]["per_network_s"]
        base = results[f"{workload}/baseline-numba"]["per_network_s"]
        for name, r in results.items():
            if not name.startswith(workload + "/"):
                continue
            note = " (extrapolated)" if r["extrapolated"] else ""
            lines.append(
                f"| {workload} | {name.split('/', 1)[1]}{note} | {r['per_network_s']:.4f} | "
                f"{naive / r['per_network_s']:.0f}x | {r['per_network_s'] / base:.3f}x | {r['peak_rss_mb']:.0f} |"
            )
    proc = results.get("process/replicate-elman-xor-50-seeds")
    own = next((r for r in rows or [] if r.get("case") == "replicate elman-xor --seeds 50"), None)
    if proc:
        base = results["xor/baseline-numba"]["per_network_s"]
        lines.append("")
        lines.append(
            f"`cogrnn replicate elman-xor --seeds 50` (whole process, median of {len(proc['runs_wall_s'])}): "
            f"{proc['wall_s']:.1f} s = {proc['wall_s'] / (50 * base):.2f}x the frozen baseline training 50 "
            f"networks one after another ({50 * base:.1f} s); naive PyTorch would take "
            f"{50 * results['xor/naive-torch']['per_network_s'] / 3600:.1f} h"
            + (f"; peak RSS {own['peak_rss_mb']:.0f} MB (the process's own, section process)." if own else ".")
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
