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

Every (condition, seed) is one task that writes its own table ``tasks/<hash>.parquet``
(and its provenance, ``tasks/<hash>.json``), named by a hash of the replication, the
resolved configuration, the seed and the code version (git commit and a hash of the
package source, so changed code never reuses old results), atomically (temporary file,
then ``os.replace``). A rerun skips what exists and tasks are retried, so a killed
worker or an interrupted sweep loses nothing. The tables are then collected into
``results.parquet`` and ``results.csv``, with the grid parameters and the global
``seed`` as columns (further tables of the replication, such as elman-lexical's
``scores``, into ``<name>.parquet``), and the sweep's provenance into ``provenance.json``.

A task's seed is derived from the root seed and the seed's index alone
(:func:`cogrnn.random.seed_at`), never from a shared object, so a condition gives the
same numbers, bit for bit, as ``cogrnn replicate`` with the same parameters, on every
scheduler and after any interruption.

Schedulers: ``sync`` (in this process, for tests), ``local`` (a Dask ``LocalCluster``, one
single-threaded worker process per core; the default), ``tcp://HOST:PORT`` (a running
Dask scheduler), ``slurm`` (``dask-jobqueue``'s ``SLURMCluster``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._docs import fill_doc
from .config import check_bool, check_int, stable_hash
from .exceptions import ConfigError, DataError
from .io import (
    atomic_path,
    check_out_path,
    clean_stale_temp_files,
    ensure_writable_dir,
    sync_files,
    write_csv,
    write_json,
    write_parquet,
)
from .provenance import code_version, file_hashes, package_versions, platform_info, utc_now
from .random import MAX_ROOT_SEED, check_seed_count, seed_at, seed_entropy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["SweepSpec", "load_sweep", "run_sweep", "sweep_tasks", "collect_tables", "MAX_TASKS"]

#: most tasks (conditions x seeds) one sweep may have
MAX_TASKS = 1_000_000


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep (see the module docstring for the TOML form).

    Parameters
    ----------
    replication : str
        Name of the replication (see ``cogrnn list``).
    seeds : int, default 10
        Seeds per condition.
    root_seed : int, optional
        Root of the per-seed streams; None takes the replication's own default root (as
        ``cogrnn replicate`` does).
    quick : bool, default False
        Start from the replication's quick configuration.
    base : mapping of str to object, optional
        Configuration values shared by every condition.
    grid : mapping of str to sequence, optional
        Values of each swept parameter; the conditions are all their combinations.

    Examples
    --------
    >>> spec = SweepSpec("elman-xor", seeds=2, grid={"lr": [0.1, 0.5], "hidden": [2, 4]})
    >>> len(spec.conditions())
    4
    """

    replication: str
    seeds: int = 10
    #: root of the per-seed streams; None: the replication's own default root (as `replicate`)
    root_seed: int | None = None
    quick: bool = False
    base: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.replication, str) or not self.replication:
            raise ConfigError("replication must be the name of a replication (see `cogrnn list`)")
        check_seed_count("seeds", self.seeds)
        if self.root_seed is not None:
            check_int("root_seed", self.root_seed, low=0, high=MAX_ROOT_SEED)
        check_bool("quick", self.quick)
        n_conditions = 1
        for name, values in self.grid.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
                raise ConfigError(f"grid.{name} must be a non-empty list of values; got {values!r}")
            repeated = [v for i, v in enumerate(values) if any(_same(v, w) for w in values[:i])]
            if repeated:
                raise ConfigError(f"grid.{name} repeats the value(s) {', '.join(map(repr, repeated))}")
            n_conditions *= len(values)
        if n_conditions * self.seeds > MAX_TASKS:
            raise ConfigError(
                f"the sweep has {n_conditions} conditions x {self.seeds} seeds = {n_conditions * self.seeds} tasks; "
                f"at most {MAX_TASKS} are allowed"
            )
        overlap = sorted(set(self.base) & set(self.grid))
        if overlap:
            raise ConfigError(f"parameter(s) {', '.join(overlap)} appear in both [base] and [grid]")

    def conditions(self) -> list[dict[str, Any]]:
        """Every combination of the grid values (one empty condition without a grid).

        Returns
        -------
        list of dict
            One ``{parameter: value}`` per condition.
        """
        names = list(self.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*(self.grid[n] for n in names))]


def load_sweep(path: str | os.PathLike[str]) -> SweepSpec:
    """Read a sweep TOML file; problems are one-line :class:`ConfigError` messages.

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file.

    Returns
    -------
    SweepSpec
        The validated specification.

    Raises
    ------
    cogrnn.exceptions.ConfigError
        If the file is missing, not TOML, or has unknown or invalid keys.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = path.write_text("\\n".join(['replication = "elman-xor"', "seeds = 2", "[grid]", "lr = [0.1, 0.5]"]))
    >>> load_sweep(path).grid
    {'lr': [0.1, 0.5]}
    """
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


def _same(a: Any, b: Any) -> bool:
    """Whether two grid values name the same condition (``1`` and ``1.0`` do; ``True`` and ``1`` do not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - values that cannot be compared
        return False


@dataclass(frozen=True)
class _Task:
    key: str
    condition: dict[str, Any]
    seed_index: int
    root_seed: int
    config: Any

    @property
    def seed(self) -> np.random.SeedSequence:
        """A fresh seed sequence from the root and the index (never shared, never mutated)."""
        return seed_at(self.root_seed, self.seed_index)


@fill_doc
def sweep_tasks(spec: SweepSpec, replication: Any, code: Mapping[str, Any] | None = None) -> list[_Task]:
    """The (condition, seed) tasks of a sweep, each with its resolved, validated configuration.

    A task's key hashes the replication, the configuration, the seed and ``code`` (the
    code version, default :func:`cogrnn.provenance.code_version`: commit and source hash).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    %(replication)s
    code : mapping of str to object, optional
        The code version (default :func:`cogrnn.provenance.code_version`).

    Returns
    -------
    list
        One task per condition and seed, conditions outer; each has ``key``, ``condition``,
        ``seed_index``, ``root_seed`` and ``config``.

    Examples
    --------
    >>> from cogrnn import replications
    >>> spec = SweepSpec("elman-xor", seeds=3, quick=True, grid={"lr": [0.1, 0.5]})
    >>> tasks = sweep_tasks(spec, replications.get("elman-xor"), code={"commit": "x"})
    >>> len(tasks), len({t.key for t in tasks})
    (6, 6)
    """
    if code is None:
        code = code_version()
    code_key = {"commit": code.get("commit"), "source_sha256": code.get("source_sha256")}
    root = replication.default_root_seed if spec.root_seed is None else spec.root_seed
    base_config = replication.config(quick=spec.quick)
    tasks = []
    for condition in spec.conditions():
        config = base_config.with_values({**dict(spec.base), **condition})
        # the data/ files the task reads are part of its identity, like the code
        data = {Path(k).name: v for k, v in file_hashes(replication.data_inputs(config)).items()}
        for i in range(spec.seeds):
            identity = {
                "replication": replication.name,
                "config": config.to_dict(),
                "seed": seed_entropy(seed_at(root, i)),
                "code": code_key,
                "data": data,
            }
            tasks.append(_Task(stable_hash(identity, length=20), condition, i, root, config))
    return tasks


def _task_provenance(replication: Any, task: _Task, code: Mapping[str, Any]) -> dict[str, Any]:
    import platform

    return {
        "replication": replication.name,
        "key": task.key,
        "condition": task.condition,
        "config": task.config.to_dict(),
        "config_hash": task.config.config_hash(),
        "seed": {"index": task.seed_index, **seed_entropy(task.seed)},
        "code": dict(code),
        "host": platform.node(),
        "pid": os.getpid(),
    }


def _run_task(
    replication: Any, task: _Task, path: str, code: Mapping[str, Any] | None = None, worker: bool = False
) -> str:
    """Compute one (condition, seed) and write its table atomically; skip it if it exists.

    The task's provenance (``<key>.json``) and further tables are written and flushed to
    disk first, the results table last: its existence marks the task done. A ``worker``
    (a process of a cluster, one task at a time) runs torch and numba on one thread.
    """
    if _done(replication, path):
        return path
    if worker:
        from ._threads import limit_threads

        limit_threads(1)
    started = time.perf_counter()
    start_time = utc_now()
    output = replication.compute(task.config, [task.seed], True)
    tables = {"results": output} if isinstance(output, pd.DataFrame) else dict(output)
    columns = {"seed": task.seed_index, **{f"param_{k}": v for k, v in task.condition.items()}}
    first = []  # the further tables first, flushed together: the results table marks the task done
    for name in replication.extra_tables:
        first.append(write_parquet(_extra_path(path, name), tables[name].assign(**columns), sync=False))
    record = _task_provenance(replication, task, code or {})
    record.update(start_time=start_time, end_time=utc_now(), wall_time_s=round(time.perf_counter() - started, 3))
    first.append(write_json(Path(path).with_suffix(".json"), record, sync=False))
    sync_files(first)
    write_parquet(path, tables["results"].assign(**columns))
    return path


def _done(replication: Any, path: str) -> bool:
    """A task is done when its results table and every further table exist (a missing one is recomputed)."""
    return os.path.exists(path) and all(os.path.exists(_extra_path(path, n)) for n in replication.extra_tables)


def _extra_path(path: str, name: str) -> str:
    """Where a task keeps the further table ``name`` (``tasks/<key>.<name>.parquet``)."""
    return f"{path[: -len('.parquet')]}.{name}.parquet"


def _read_each(paths: Sequence[str], reader: Callable[[str], Any]) -> Iterator[Any]:
    """``reader(path)`` for each task file, one at a time; a corrupt one is named, to be deleted and rerun."""
    for path in paths:
        try:
            yield reader(path)
        except Exception as exc:  # parquet readers raise many unrelated types
            raise DataError(f"task file {path} is unreadable ({type(exc).__name__}); delete it and rerun") from None


def _collect(paths: Sequence[str]) -> pd.DataFrame:
    return pd.concat(list(_read_each(paths, pd.read_parquet)), ignore_index=True)


#: rows gathered before a batch is written (one Parquet row group)
_BATCH_ROWS = 65_536


def collect_tables(
    paths: Sequence[str | os.PathLike[str]],
    parquet: str | os.PathLike[str],
    csv: str | os.PathLike[str] | None = None,
    batch_rows: int = _BATCH_ROWS,
) -> int:
    """Concatenate task tables into one Parquet (and CSV) file, streaming, a batch at a time.

    The files are read one by one and written in batches of about ``batch_rows`` rows, so
    that memory holds one batch, never the whole table twice. The result is what
    ``pandas.concat`` of the tables would give (row order, column types; the CSV the bytes
    of :func:`cogrnn.io.write_csv`); tables whose column types differ between files (a grid
    mixing ``1`` and ``0.5``) are concatenated in memory, by pandas, as before.

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        The task tables (Parquet), in the order of the rows.
    parquet : str or os.PathLike
        The Parquet file written (atomically).
    csv : str or os.PathLike, optional
        A CSV file written too (atomically).
    batch_rows : int, optional
        Rows per written batch (default 65,536).

    Returns
    -------
    int
        The number of rows written.

    Raises
    ------
    cogrnn.exceptions.DataError
        If a task file is unreadable (the message names it).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> parts = [write_parquet(folder / f"{i}.parquet", pd.DataFrame({"seed": [i, i]})) for i in range(3)]
    >>> collect_tables(parts, folder / "all.parquet", folder / "all.csv", batch_rows=4)
    6
    >>> pd.read_parquet(folder / "all.parquet")["seed"].tolist()
    [0, 0, 1, 1, 2, 2]
    """
    import pyarrow.parquet as pq

    files = [str(os.fspath(p)) for p in paths]
    schemas = list(_read_each(files, pq.read_schema))
    if not files or any(not sc.equals(schemas[0], check_metadata=False) for sc in schemas[1:]):
        frame = _collect(files)  # differing column types (or none): pandas concatenates and promotes
        write_parquet(parquet, frame)
        if csv is not None:
            write_csv(csv, frame)
        return len(frame)
    return _stream_tables(files, schemas[0], parquet, csv, batch_rows)


def _stream_tables(
    paths: Sequence[str], schema: Any, parquet: str | os.PathLike[str], csv: str | os.PathLike[str] | None,
    batch_rows: int,
) -> int:  # fmt: skip
    """Stream tables of one schema into ``parquet`` (and ``csv``), a batch at a time."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    n_rows = 0
    with contextlib.ExitStack() as stack:
        pq_writer = pq.ParquetWriter(stack.enter_context(atomic_path(parquet)), schema)
        csv_writer = None
        if csv is not None:
            csv_writer = pa_csv.CSVWriter(stack.enter_context(atomic_path(csv)), schema)
        # closed before the temporary files take their names (the exit stack unwinds in reverse)
        stack.callback(lambda: (pq_writer.close(), csv_writer is not None and csv_writer.close()))
        pending: list[Any] = []
        pending_rows = 0

        def flush() -> None:
            nonlocal pending_rows
            if pending:
                table = pa.concat_tables(pending)
                pq_writer.write_table(table)
                if csv_writer is not None:
                    csv_writer.write_table(table)
                pending.clear()
                pending_rows = 0

        for table in _read_each(paths, lambda path: pq.read_table(path, schema=schema)):
            pending.append(table)
            pending_rows += table.num_rows
            n_rows += table.num_rows
            if pending_rows >= batch_rows:
                flush()
        flush()
    return n_rows


def _read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The collected table, converted column by column (Arrow's buffers freed as pandas takes them)."""
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas(self_destruct=True)


def _client(scheduler: str, workers: int | None) -> Any:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("this scheduler needs Dask: pip install 'cogrnn[dask]' (or use --scheduler sync)") from None
    if scheduler == "local":
        import logging
        import signal
        import threading

        # worker processes started while SIGINT is ignored keep ignoring it: Ctrl-C stops the
        # sweep here (one line), not every worker with its own traceback
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                silence_logs=logging.CRITICAL, dashboard_address=None,
            )  # fmt: skip
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        return Client(cluster)
    if scheduler.startswith("tcp://"):
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler} ({reason})") from None
    if scheduler == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            raise ConfigError("--scheduler slurm needs dask-jobqueue: pip install dask-jobqueue") from None
        cluster = SLURMCluster(cores=1, processes=1, memory="4GB")
        cluster.scale(jobs=workers or 1)
        return Client(cluster)
    raise ConfigError(f"unknown scheduler {scheduler!r}; use sync, local, tcp://HOST:PORT or slurm")


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Dask's own log lines (shutdown notices, tracebacks of cancelled tasks) are not shown to the user."""
    import logging

    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


#: tasks in flight per worker: the scheduler holds a window of tasks, never all of a long sweep
_WINDOW_PER_WORKER = 64
#: smallest window
_MIN_WINDOW = 256


def _run_on(
    client: Any, replication: Any, todo: Sequence[tuple[_Task, str]], code: Mapping[str, Any], retries: int,
    done: int, report: Callable[[int], None],
) -> int:  # fmt: skip
    """Run the tasks on a Dask client, a window at a time; raise the first failure (in task order) at the end.

    The scheduler's memory holds the window (tasks submitted, not yet finished), so a
    sweep of a million tasks needs no more of it than one of a thousand.
    """
    from distributed import as_completed

    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    window = max(_WINDOW_PER_WORKER * n_workers, _MIN_WINDOW)
    pending = iter(enumerate(todo))
    index: dict[str, int] = {}
    failed: list[tuple[int, Any]] = []

    def submit(i: int, task: _Task, path: str) -> Any:
        future = client.submit(_run_task, replication, task, path, code, True, key=f"task-{task.key}", retries=retries)
        index[future.key] = i
        return future

    running = as_completed([submit(i, t, p) for i, (t, p) in itertools.islice(pending, window)])
    for future in running:
        if future.status == "error":
            failed.append((index[future.key], future))  # the others still run: their tables are kept
        del index[future.key]
        done += 1
        report(done)
        nxt = next(pending, None)
        if nxt is not None:
            running.add(submit(nxt[0], *nxt[1]))
    if failed:
        min(failed, key=lambda f: f[0])[1].result()  # raises the task's error
    return done


@fill_doc
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

    Tasks whose table already exists under ``out/tasks`` are reused, so an interrupted
    sweep is finished by running it again.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    %(replication)s
    %(out)s
    scheduler : str, optional
        ``"local"`` (a local dask cluster, default), ``"sync"`` (in this process), ``"slurm"``
        (dask-jobqueue) or the ``tcp://`` address of a running dask scheduler.
    %(workers)s
    retries : int, optional
        Times a failed task is retried (default 2).
    %(quiet)s
    progress : callable, optional
        ``progress(done, total)`` called as tasks finish (instead of the log lines).

    Returns
    -------
    pandas.DataFrame
        The results of every task, with ``param_<name>`` columns for the swept parameters.

    Examples
    --------
    >>> import tempfile; from cogrnn import replications
    >>> spec = SweepSpec("elman-xor", seeds=2, quick=True, base={"epochs": 5, "test_triples": 10},
    ...                  grid={"lr": [0.1, 0.5]})
    >>> df = run_sweep(spec, replications.get("elman-xor"), tempfile.mkdtemp(), scheduler="sync", quiet=True)
    >>> sorted(df["param_lr"].unique()), sorted(df["seed"].unique())
    ([np.float64(0.1), np.float64(0.5)], [np.int64(0), np.int64(1)])
    """
    started = time.perf_counter()
    start_time = utc_now()
    out_dir = ensure_writable_dir(check_out_path(out))
    task_dir = ensure_writable_dir(out_dir / "tasks")
    for folder in (out_dir, task_dir):  # temporary files of killed writes
        clean_stale_temp_files(folder)
    code = code_version()
    tasks = sweep_tasks(spec, replication, code)
    paths = [str(task_dir / f"{t.key}.parquet") for t in tasks]
    todo = [(t, p) for t, p in zip(tasks, paths) if not _done(replication, p)]
    done = reused = len(tasks) - len(todo)

    def report(k: int) -> None:
        if progress is not None:
            progress(k, len(tasks))
        elif not quiet:
            print(f"sweep {replication.name}: {k}/{len(tasks)} done ({time.perf_counter() - started:.1f} s)",
                  file=sys.stderr, flush=True)  # fmt: skip

    with _quiet_dask():
        client = _client(scheduler, workers) if todo and scheduler != "sync" else None  # fail before any output
        try:
            report(done)
            if client is None:
                for task, path in todo:
                    _run_task(replication, task, path, code)
                    done += 1
                    report(done)
            else:
                done = _run_on(client, replication, todo, code, retries, done, report)
        finally:
            if client is not None:
                cluster = client.cluster
                client.close()
                if cluster is not None:
                    cluster.close()
    collect_tables(paths, out_dir / "results.parquet", out_dir / "results.csv")
    outputs = [out_dir / "results.parquet", out_dir / "results.csv"]
    for name in replication.extra_tables:
        collect_tables([_extra_path(p, name) for p in paths], out_dir / f"{name}.parquet")
        outputs.append(out_dir / f"{name}.parquet")
    provenance = {
        "replication": replication.name,
        "spec": {
            "replication": spec.replication, "seeds": spec.seeds, "quick": spec.quick,
            "root_seed": replication.default_root_seed if spec.root_seed is None else spec.root_seed,
            "base": dict(spec.base), "grid": {k: list(v) for k, v in spec.grid.items()},
        },
        "argv": list(sys.argv),
        "scheduler": scheduler,
        "workers": workers,
        "code": code,
        "packages": package_versions(),
        "platform": platform_info(),
        "start_time": start_time,
        "end_time": utc_now(),
        "wall_time_s": round(time.perf_counter() - started, 3),
        "n_tasks": len(tasks),
        "n_tasks_reused": reused,
        "tasks": [
            {"key": t.key, "condition": t.condition, "seed": t.seed_index, "config_hash": t.config.config_hash()}
            for t in tasks
        ],
        "outputs_sha256": file_hashes(outputs, root=out_dir),
    }  # fmt: skip
    write_json(out_dir / "provenance.json", provenance)
    return _read_results(out_dir / "results.parquet")
