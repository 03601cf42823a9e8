"""A lean process: where the time of ``cogrnn replicate elman-xor --seeds 50`` goes.

``bench(quick=False)`` returns rows (``section``, ``case`` and timing fields) for
``benchmarks/run.py``; ``python -m benchmarks.bench_process [--quick]`` prints them as JSON.

Each case runs the command line in a fresh subprocess, as a user would, and reads the
``timings`` record of the run's ``provenance.json``; the training and the evaluation
(inside ``compute``) are timed by wrapping the replication's calls of
``train_srn_ensemble`` and ``evaluate`` in :func:`cogrnn._progress.timed`. Reported per case,
seconds: ``total_s`` (the whole process, from its start to its exit), ``import_s``
(interpreter start-up and imports before the runner starts), ``train_s`` (of which
``numba_import_s``, ``numba_load_s``: initialising numba's target and loading the kernels from
its cache, or compiling them when the cache is stale, and ``kernel_s`` the rest), ``evaluate_s``,
``compute_other_s`` (data generation and tables inside compute), ``setup_s``,
``measures_s``, ``claims_s``, ``figure_s`` (drawing and encoding PNG and PDF), ``files_s``
(writing, reading back, hashing, flushing to disk and publishing the set, and the exit),
and ``peak_rss_mb``, the process's own peak resident memory (:func:`peak_rss_mb`). Against the frozen compiled
baseline (:mod:`benchmarks.baseline_numba`, measured in the same run the way
``benchmarks/run.py`` measures it: ``run.py --case <workload>/baseline-numba`` in a fresh
subprocess, the full workload), ``baseline_s`` is that baseline training the same number of
networks one after another, ``vs_baseline`` the whole process's ratio to it and
``train_vs_baseline`` the training's. The child ends as the ``cogrnn`` program does
(:func:`cogrnn.cli.exit_now`). Two cases time the start-up of ``cogrnn --help`` and ``cogrnn list``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: (replication, seeds) of the full and the quick benchmark
RUNS = {False: [("elman-xor", 50), ("elman-lexical", 10)], True: [("elman-xor", 50)]}
#: the workload of benchmarks/run.py whose frozen baseline trains the same networks as the replication
BASELINE_WORKLOAD = {"elman-xor": "xor", "elman-lexical": "lexical"}


def peak_rss_mb() -> float:
    """Peak resident memory of this process alone so far, MB.

    On Linux ``VmHWM`` of ``/proc/self/status``: the high-water mark of the process's own
    address space. ``getrusage(RUSAGE_SELF).ru_maxrss`` is not: Linux carries it over
    ``fork`` and ``exec``, so a child started by a large parent (the benchmark harness with
    torch loaded) reports at least the parent's peak. Elsewhere ``ru_maxrss`` (kB on Linux
    and the BSDs, bytes on macOS).

    Returns
    -------
    float
        Megabytes (2**20 bytes).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # pragma: no cover - not Linux
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # pragma: no cover - not Linux


def _instrument(name: str) -> None:
    """Time the replication's training and evaluation calls as the phases ``train`` and ``evaluate``."""
    import functools

    from cogrnn import get_replication
    from cogrnn._progress import timed

    module = sys.modules[type(get_replication(name)).__module__]
    calls = {"train_srn_ensemble": "train", "train_ensemble": "train", "evaluate": "evaluate"}
    for attr, phase in calls.items():
        inner = getattr(module, attr, None)
        if inner is None:
            continue

        def wrapper(*args: Any, _inner: Any = inner, _phase: str = phase, **kwargs: Any) -> Any:
            with timed(_phase):
                return _inner(*args, **kwargs)

        setattr(module, attr, functools.wraps(inner)(wrapper))


class _NumbaTimer:
    """A finder on ``sys.meta_path`` that times numba's import and its loads of compiled functions.

    Phases (inside ``train``, where the runner first touches numba): ``numba_import`` (``import
    numba``) and ``numba_load`` (every call that finds no compiled overload in memory:
    initialising numba's target and reading the kernel from its on-disk cache, or compiling
    it when the cache is stale). Nothing is imported early: the process runs as without it.
    """

    NAMES = ("numba", "numba.core.dispatcher")

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        import importlib.machinery

        if name not in self.NAMES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        exec_module = spec.loader.exec_module

        def exec_timed(module: Any) -> None:
            from cogrnn._progress import timed

            if name == "numba":
                with timed("numba_import"):
                    exec_module(module)
                return
            exec_module(module)
            compile_for_args = module.Dispatcher._compile_for_args

            def load_timed(dispatcher: Any, *args: Any, **kwargs: Any) -> Any:
                with timed("numba_load"):
                    return compile_for_args(dispatcher, *args, **kwargs)

            module.Dispatcher._compile_for_args = load_timed

        spec.loader.exec_module = exec_timed  # type: ignore[method-assign]
        return spec


def _child(name: str, seeds: int, out: str) -> None:
    """Run ``cogrnn replicate`` in this (fresh) process, instrumented; exit with its status."""
    from cogrnn.cli import exit_now, main

    if "numba" not in sys.modules:
        sys.meta_path.insert(0, _NumbaTimer())
    _instrument(name)
    rc = main(["replicate", name, "--seeds", str(seeds), "--out", out, "--quiet"])
    Path(out, "peak_rss_mb").write_text(f"{peak_rss_mb():.1f}")
    exit_now(rc)


def baseline_per_network(workload: str) -> float:
    """Seconds per network of the frozen compiled baseline on ``workload`` (full), in a fresh subprocess."""
    args = [sys.executable, "-m", "benchmarks.run", "--case", f"{workload}/baseline-numba"]
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return float(json.loads(proc.stdout)["per_network_s"])


def _replicate_case(name: str, seeds: int, baseline_s: float | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        code = f"from benchmarks.bench_process import _child; _child({name!r}, {seeds}, {out!r})"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        total = time.perf_counter() - started
        if proc.returncode not in (0, 1):  # 1: a claim failed, which does not concern the timing
            raise RuntimeError(f"replicate {name} failed: {proc.stderr.strip().splitlines()[-1:]}")
        timings = json.loads(Path(out, name, "provenance.json").read_text())["timings"]
        peak = float(Path(out, "peak_rss_mb").read_text())
    phases = timings["phases"]
    train, evaluate = phases.get("train", 0.0), phases.get("evaluate", 0.0)
    steps = ("setup_s", "compute_s", "measures_s", "claims_s", "figure_s")
    known = timings["startup_s"] + sum(timings.get(k, 0.0) for k in steps)
    inside = sum(timings.get(k, 0.0) for k in ("compute_s", "measures_s", "claims_s"))
    return {
        "section": "process",
        "case": f"replicate {name} --seeds {seeds}",
        "total_s": round(total, 3),
        "import_s": timings["startup_s"],
        "train_s": train,
        "numba_import_s": phases.get("numba_import"),
        "numba_load_s": phases.get("numba_load"),
        "kernel_s": round(train - phases.get("numba_import", 0.0) - phases.get("numba_load", 0.0), 3),
        "evaluate_s": evaluate,
        "compute_other_s": round(timings["compute_s"] - train - evaluate, 3),
        "setup_s": timings.get("setup_s", 0.0),
        "measures_s": timings.get("measures_s", 0.0),
        "claims_s": timings.get("claims_s", 0.0),
        "figure_s": timings.get("figure_s", 0.0),
        "files_s": round(total - known, 3),
        "outside_share": round(1 - inside / total, 3),
        "peak_rss_mb": peak,
        "baseline_s": None if baseline_s is None else round(baseline_s, 3),
        "vs_baseline": None if baseline_s is None else round(total / baseline_s, 3),
        "train_vs_baseline": None if baseline_s is None else round(train / baseline_s, 3),
    }


def _command_case(args: list[str], repeats: int = 3) -> dict[str, Any]:
    """Median wall time of ``cogrnn ARGS`` (start-up: nothing but the command's own imports)."""
    cogrnn = Path(sys.executable).with_name("cogrnn")
    command = [str(cogrnn)] if cogrnn.exists() else [sys.executable, "-m", "cogrnn.cli"]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([*command, *args], capture_output=True, check=True, env=dict(os.environ))
        times.append(time.perf_counter() - started)
    return {"section": "process", "case": f"cogrnn {' '.join(args)}", "total_s": round(sorted(times)[repeats // 2], 3)}


def bench(quick: bool = False) -> list[dict[str, Any]]:
    """The process benchmark rows (see the module docstring).

    Parameters
    ----------
    quick : bool, optional
        Only ``elman-xor --seeds 50`` and one repeat of the start-up cases (default False).

    Returns
    -------
    list of dict
        One row per case: ``section`` ("process"), ``case`` and the measured fields.
    """
    repeats = 1 if quick else 3
    rows = [_command_case(["--help"], repeats), _command_case(["list"], repeats)]
    for name, seeds in RUNS[quick]:
        baseline = seeds * baseline_per_network(BASELINE_WORKLOAD[name])
        rows.append(_replicate_case(name, seeds, baseline))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    for row in bench(quick=args.quick):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
