"""Sweeps: seeds x conditions of a replication as independent tasks, locally or on a Dask cluster.

A sweep is described by a TOML file::

    replication = "elman-xor"     # any name of `cogrnn list`
    seeds = 20                     # per condition
    root_seed = 1990
    quick = false                  # start from the replication's quick configuration
    [base]                         # fixed changes to the configuration (optional)
    epochs = 300
    [grid]                         # every combination is one condition
    lr = [0.05, 0.1, 0.3]
    hidden_size = [2, 4]

Every (condition, seed) is one task that writes its own table ``tasks/<hash>.parquet``,
named by a hash of the replication, the resolved configuration and the seed, atomically
(temporary file, then ``os.replace``). A rerun skips what exists and tasks are retried,
so a killed worker or an interrupted sweep loses nothing. The tables are then collected
into ``results.parquet`` and ``results.csv``, with the grid parameters and the global
``seed`` as columns.

Schedulers: ``sync`` (in this process, for tests), ``local`` (a Dask ``LocalCluster``, one
single-threaded worker process per core; the default), ``tcp://HOST:PORT`` (a running
Dask scheduler), ``slurm`` (``dask-jobqueue``'s ``SLURMCluster``).
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import check_bool, check_int, stable_hash
from .exceptions import ConfigError, DataError
from .io import ensure_writable_dir, write_csv, write_parquet
from .random import seed_entropy, spawn_seeds

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["SweepSpec", "load_sweep", "run_sweep", "sweep_tasks"]


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep (see the module docstring for the TOML form)."""

    replication: str
    seeds: int = 10
    root_seed: int = 0
    quick: bool = False
    base: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.replication, str) or not self.replication:
            raise ConfigError("replication must be the name of a replication (see `cogrnn list`)")
        check_int("seeds", self.seeds, low=1)
        check_int("root_seed", self.root_seed, low=0)
        check_bool("quick", self.quick)
        for name, values in self.grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
                raise ConfigError(f"grid.{name} must be a non-empty list of values; got {values!r}")
        overlap = sorted(set(self.base) & set(self.grid))
        if overlap:
            raise ConfigError(f"parameter(s) {', '.join(overlap)} appear in both [base] and [grid]")

    def conditions(self) -> list[dict[str, Any]]:
        """Every combination of the grid values (one empty condition without a grid)."""
        names = list(self.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*(self.grid[n] for n in names))]


def load_sweep(path: str | os.PathLike[str]) -> SweepSpec:
    """Read a sweep TOML file; problems are one-line :class:`ConfigError` messages."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"sweep file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    known = {"replication", "seeds", "root_seed", "quick", "base", "grid"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(unknown)} in {path}; known: {', '.join(sorted(known))}")
    if "replication" not in data:
        raise ConfigError(f'{path} must name a replication (replication = "elman-xor")')
    return SweepSpec(**data)


@dataclass(frozen=True)
class _Task:
    key: str
    condition: dict[str, Any]
    seed_index: int
    seed: np.random.SeedSequence
    config: Any


def sweep_tasks(spec: SweepSpec, replication: Any) -> list[_Task]:
    """The (condition, seed) tasks of a sweep, each with its resolved, validated configuration."""
    base_config = replication.config(quick=spec.quick)
    seeds = spawn_seeds(spec.root_seed, spec.seeds)
    tasks = []
    for condition in spec.conditions():
        params = {**base_config.to_dict(), **dict(spec.base), **condition}
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
        config = type(base_config).from_dict(params)
        for i, seed in enumerate(seeds):
            key = stable_hash(
                {"replication": replication.name, "config": config.to_dict(), "seed": seed_entropy(seed)}, length=20
            )
            tasks.append(_Task(key, condition, i, seed, config))
    return tasks


def _run_task(replication: Any, task: _Task, path: str) -> str:
    """Compute one (condition, seed) and write its table atomically; skip it if it exists."""
    if os.path.exists(path):
        return path
    output = replication.compute(task.config, [task.seed], True)
    table = output if isinstance(output, pd.DataFrame) else output["results"]
    table = table.assign(seed=task.seed_index, **{f"param_{k}": v for k, v in task.condition.items()})
    write_parquet(path, table)
    return path


def _client(scheduler: str, workers: int | None) -> Any:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("this scheduler needs Dask: pip install 'cogrnn[dask]' (or use --scheduler sync)") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True)
        return Client(cluster)
    if scheduler.startswith("tcp://"):
        return Client(scheduler)
    if scheduler == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise ConfigError("--scheduler slurm needs dask-jobqueue: pip install dask-jobqueue") from None
        cluster = SLURMCluster(cores=1, processes=1, memory="4GB")
        cluster.scale(jobs=workers or 1)
        return Client(cluster)
    raise ConfigError(f"unknown scheduler {scheduler!r}; use sync, local, tcp://HOST:PORT or slurm")


def run_sweep(
    spec: SweepSpec,
    replication: Any,
    out: str | os.PathLike[str],
    scheduler: str = "local",
    workers: int | None = None,
    retries: int = 2,
    quiet: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run (or finish) a sweep and collect its results into ``out/results.parquet`` and ``.csv``.

    Examples
    --------
    >>> import tempfile, replications
    >>> spec = SweepSpec("elman-xor", seeds=2, quick=True, base={"epochs": 5, "test_triples": 10},
    ...                  grid={"lr": [0.1, 0.5]})
    >>> df = run_sweep(spec, replications.get("elman-xor"), tempfile.mkdtemp(), scheduler="sync", quiet=True)
    >>> sorted(df["param_lr"].unique()), sorted(df["seed"].unique())
    ([np.float64(0.1), np.float64(0.5)], [np.int64(0), np.int64(1)])
    """
    out_dir = ensure_writable_dir(out)
    task_dir = ensure_writable_dir(out_dir / "tasks")
    tasks = sweep_tasks(spec, replication)
    paths = [str(task_dir / f"{t.key}.parquet") for t in tasks]
    todo = [(t, p) for t, p in zip(tasks, paths) if not os.path.exists(p)]
    done = len(tasks) - len(todo)
    start = time.perf_counter()

    def report(k: int) -> None:
        if progress is not None:
            progress(k, len(tasks))
        elif not quiet:
            print(f"sweep {replication.name}: {k}/{len(tasks)} done ({time.perf_counter() - start:.1f} s)",
                  file=sys.stderr, flush=True)  # fmt: skip

    report(done)
    if todo and scheduler == "sync":
        for task, path in todo:
            _run_task(replication, task, path)
            done += 1
            report(done)
    elif todo:
        from distributed import as_completed

        client = _client(scheduler, workers)
        try:
            futures = [
                client.submit(_run_task, replication, t, p, key=f"task-{t.key}", retries=retries) for t, p in todo
            ]
            for _ in as_completed(futures):
                done += 1
                report(done)
            client.gather(futures)
        finally:
            cluster = client.cluster
            client.close()
            if cluster is not None:
                cluster.close()
    frames = []
    for path in paths:
        try:
            frames.append(pd.read_parquet(path))
        except Exception as exc:  # a corrupt task file: say which, so it can be deleted and rerun
            raise DataError(f"task file {path} is unreadable ({type(exc).__name__}); delete it and rerun") from None
    results = pd.concat(frames, ignore_index=True)
    write_parquet(out_dir / "results.parquet", results)
    write_csv(out_dir / "results.csv", results)
    return results
