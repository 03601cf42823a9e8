"""Sweeps that scale: per-task overhead of ``cogrnn sweep`` and the memory of collecting its results.

``bench(quick=False)`` returns rows (``section``, ``case`` and timing fields) for
``benchmarks/run.py``; ``python -m benchmarks.bench_sweep [--quick]`` prints them as JSON.

Cases, each in a fresh subprocess (so that the peak memory is its own):

* ``tasks/sync`` and ``tasks/local``: a sweep of ``N`` small tasks (elman-xor, one pass through
  a 30-bit stream, a 102-step test stream: 102 result rows per task, 102,000 rows for
  ``N = 1000``), run in the process (``sync``) and on a Dask ``LocalCluster`` of one
  single-threaded worker per core (``local``). Reported: the cluster's start-up; the
  workers' warm-up (until each has finished its first task: importing cogrnn and compiling
  the kernels, once per process); the steady tasks per second after it; the per-task
  overhead (the steady phase's wall time times the workers per task, less the median of
  the tasks' own time as recorded in their provenance); the collection (cluster shut-down
  included); and the peak resident memory of the process that runs the scheduler (with a
  ``LocalCluster`` the scheduler runs in the calling process; its workers are separate), its
  own high-water mark (:func:`benchmarks.bench_process.peak_rss_mb`), not the harness's
  (``ru_maxrss`` of a child carries its parent's peak over ``fork`` and ``exec`` on Linux).
* ``collect/stream`` and ``collect/concat``: collecting 1,000 task tables of 1,000 rows
  (1 M rows) into ``results.parquet`` and ``results.csv``, streamed by
  :func:`cogrnn.sweep.collect_tables` against read-all-then-``pandas.concat`` (the way
  before); reported: seconds and the growth of the peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_process import peak_rss_mb

#: tasks of the full and the quick benchmark
N_TASKS = {False: 1000, True: 100}
#: task tables (of 1,000 rows) collected, full and quick
N_TABLES = {False: 1000, True: 100}


def _spec(n_tasks: int) -> Any:
    from cogrnn.sweep import SweepSpec

    n_lr = 10 if n_tasks >= 10 else 1
    grid = {"lr": [round(0.05 + 0.05 * i, 2) for i in range(n_lr)]}
    base = {"epochs": 1, "n_triples": 10, "test_triples": 34}
    return SweepSpec("elman-xor", seeds=n_tasks // n_lr, root_seed=0, quick=True, base=base, grid=grid)


def _tasks_case(scheduler: str, n_tasks: int, workers: int) -> dict[str, Any]:
    """One sweep in this process (called in a fresh subprocess)."""
    from cogrnn import replications
    from cogrnn.sweep import run_sweep

    rep = replications.get("elman-xor")
    spec = _spec(n_tasks)
    before = peak_rss_mb()
    times: list[float] = []
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        df = run_sweep(spec, rep, out, scheduler=scheduler, workers=workers, quiet=True,
                       progress=lambda k, n: times.append(time.perf_counter()))  # fmt: skip
        total = time.perf_counter() - started
        task_s = [json.loads(p.read_text())["wall_time_s"] for p in Path(out, "tasks").glob("*.json")]
    n = len(spec.conditions()) * spec.seeds
    slots = 1 if scheduler == "sync" else workers
    # times[0]: the cluster is up, before any task; times[k]: k tasks done. Until each worker
    # has finished one task it imports cogrnn and compiles the kernels (once per process):
    # the warm-up; the steady rate is measured over the remaining tasks
    warm = min(slots, n - 1)
    steady = times[-1] - times[warm]
    own = sorted(task_s)
    median_own = own[len(own) // 2]
    return {
        "section": "sweep",
        "case": f"tasks/{scheduler}",
        "n_tasks": n,
        "workers": slots,
        "rows": len(df),
        "seconds": round(total, 3),
        "startup_s": round(times[0] - started, 3),
        "warmup_s": round(times[warm] - times[0], 3),
        "task_phase_s": round(times[-1] - times[0], 3),
        "collect_s": round(total - (times[-1] - started), 3),
        "tasks_per_s": round((n - warm) / steady, 1),
        "task_own_ms": round(1000 * median_own, 2),
        "overhead_ms_per_task": round(1000 * (steady * slots / (n - warm) - median_own), 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "peak_rss_growth_mb": round(peak_rss_mb() - before, 1),
    }


def _write_tables(folder: Path, n_tables: int, rows: int = 1000) -> list[Path]:
    import numpy as np
    import pandas as pd

    from cogrnn.io import write_parquet

    paths = []
    for i in range(n_tables):
        rng = np.random.default_rng(i)
        df = pd.DataFrame({
            "seed": np.full(rows, i), "t": np.arange(rows), "input": rng.integers(0, 2, rows),
            "output": rng.random(rows), "sq_error": rng.random(rows), "param_lr": 0.1,
        })  # fmt: skip
        paths.append(write_parquet(folder / f"{i}.parquet", df, sync=False))
    return paths


def _collect_case(how: str, n_tables: int) -> dict[str, Any]:
    """Collect ``n_tables`` task tables of 1,000 rows (called in a fresh subprocess)."""
    from cogrnn.io import write_csv, write_parquet
    from cogrnn.sweep import _collect, collect_tables

    with tempfile.TemporaryDirectory() as folder:
        paths = _write_tables(Path(folder), n_tables)
        before = peak_rss_mb()
        started = time.perf_counter()
        if how == "stream":
            rows = collect_tables(paths, Path(folder, "all.parquet"), Path(folder, "all.csv"))
        else:  # the way before: every table read, concatenated, then written
            frame = _collect([str(p) for p in paths])
            write_parquet(Path(folder, "all.parquet"), frame)
            write_csv(Path(folder, "all.csv"), frame)
            rows = len(frame)
        seconds = time.perf_counter() - started
    return {
        "section": "sweep",
        "case": f"collect/{how}",
        "rows": rows,
        "seconds": round(seconds, 3),
        "peak_rss_growth_mb": round(peak_rss_mb() - before, 1),
    }


def _in_subprocess(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_sweep", "--child", *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"bench_sweep {args} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench(quick: bool = False) -> list[dict[str, Any]]:
    """The sweep benchmark rows (see the module docstring).

    Parameters
    ----------
    quick : bool, optional
        100 tasks and 100 tables instead of 1,000 (default False).

    Returns
    -------
    list of dict
        One row per case: ``section`` ("sweep"), ``case`` and the measured fields.
    """
    n_tasks, n_tables = N_TASKS[quick], N_TABLES[quick]
    workers = os.cpu_count() or 1
    rows = [
        _in_subprocess(["tasks", "sync", str(n_tasks), "1"]),
        _in_subprocess(["tasks", "local", str(n_tasks), str(workers)]),
        _in_subprocess(["collect", "stream", str(n_tables)]),
        _in_subprocess(["collect", "concat", str(n_tables)]),
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, how, n, *rest = args.child
        row = _tasks_case(how, int(n), int(rest[0])) if kind == "tasks" else _collect_case(how, int(n))
        print(json.dumps(row))
        return 0
    for row in bench(quick=args.quick):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
