"""The replication runner: compute, check the paper's claims, plot from the CSV, record provenance.

A replication subclasses :class:`Replication` and defines

* ``compute(config, seeds, quiet)``: the tidy results (one observation per row, always a
  ``seed`` column), the only thing that trains networks; a DataFrame, or a dict with the
  key ``"results"`` plus the further tables named in ``extra_tables`` (each with a
  ``seed`` column, written as Parquet next to ``results.csv``);
* ``check_claims(results, extras) -> list[Claim]``: each claim of the paper, checked in
  code from the written tables alone;
* ``plot(results, extras, caption) -> Figure``: the figure, from the tables alone.

:func:`run_replication` writes, atomically, into ``out/<name>/``: ``results.csv``,
``figure.png``, ``figure.pdf``, ``claims.json`` and ``provenance.json`` (the replication
contract of DESIGN.md, section 4), and ``<extra>.parquet`` for every extra table.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ._version import __version__
from .config import Config, check_int
from .exceptions import DataError
from .io import (
    atomic_write_bytes,
    ensure_writable_dir,
    read_parquet,
    read_tidy_csv,
    sha256_file,
    write_csv,
    write_json,
    write_parquet,
)
from .provenance import file_hashes, git_info, package_versions, platform_info, thread_info, utc_now
from .random import seed_entropy, spawn_seeds
from .tasks.base import Reference

__all__ = ["Claim", "Replication", "ReplicationResult", "run_replication", "seed_pass_claim", "compute_seeds"]


@dataclass
class Claim:
    """A claim of the original paper and its check."""

    id: str
    statement: str
    paper: str
    measured: str
    criterion: str
    passed: bool
    n_seeds: int
    n_seeds_passed: int

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["passed"] = bool(d["passed"])
        return d


def seed_pass_claim(
    id: str,
    statement: str,
    paper: str,
    per_seed: pd.Series,
    measured: str,
    criterion: str,
    min_fraction: float = 0.8,
) -> Claim:
    """A claim that passes when at least ``min_fraction`` of seeds pass (``per_seed`` is boolean)."""
    n = int(per_seed.size)
    k = int(per_seed.sum())
    return Claim(
        id=id,
        statement=statement,
        paper=paper,
        measured=f"{measured}; {k}/{n} seeds pass",
        criterion=f"{criterion}, in at least {min_fraction:.0%} of seeds",
        passed=n > 0 and k >= min_fraction * n,
        n_seeds=n,
        n_seeds_passed=k,
    )


@dataclass
class ReplicationResult:
    """What :func:`run_replication` produced."""

    name: str
    out_dir: Path
    results: pd.DataFrame
    claims: list[Claim]
    wall_time_s: float

    @property
    def all_passed(self) -> bool:
        return all(c.passed for c in self.claims)


class Replication:
    """Base class of replications (see the module docstring)."""

    name: ClassVar[str]
    description: ClassVar[str]
    reference: ClassVar[Reference]
    columns: ClassVar[tuple[str, ...]]
    default_seeds: ClassVar[int] = 10
    default_root_seed: ClassVar[int] = 0
    config_class: ClassVar[type[Config]]
    #: parameters the paper does not give, and the choice made for each
    free_parameters: ClassVar[dict[str, str]] = {}
    #: further tables (besides results.csv) that compute returns, written as Parquet
    extra_tables: ClassVar[tuple[str, ...]] = ()

    def config(self, quick: bool = False) -> Config:
        """The configuration of a full (or ``quick``) run."""
        return self.config_class()

    def data_inputs(self, config: Config) -> list[Path]:
        """Files under ``data/`` the run reads (hashed into the provenance)."""
        return []

    def compute(
        self, config: Any, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> pd.DataFrame | dict[str, pd.DataFrame]:
        raise NotImplementedError

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        raise NotImplementedError

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> Any:
        raise NotImplementedError


def _init_worker() -> None:
    """One thread per worker process: the processes are the parallelism."""
    import numba
    import torch

    numba.set_num_threads(1)
    torch.set_num_threads(1)


def _tables(replication: Replication, output: pd.DataFrame | dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """compute's output as ``{"results": ..., <extra>: ...}``, checked against the declared tables."""
    tables = {"results": output} if isinstance(output, pd.DataFrame) else dict(output)
    expected = {"results", *replication.extra_tables}
    if set(tables) != expected:  # a bug in the replication, not a user error
        raise RuntimeError(f"{replication.name}.compute returned tables {sorted(tables)}; expected {sorted(expected)}")
    return tables


def _compute_block(
    replication: Replication, config: Any, seeds: list[np.random.SeedSequence]
) -> dict[str, pd.DataFrame]:
    return _tables(replication, replication.compute(config, seeds, True))


def compute_seeds(
    replication: Replication,
    config: Any,
    seeds: Sequence[np.random.SeedSequence],
    workers: int = 1,
    quiet: bool = False,
) -> dict[str, pd.DataFrame]:
    """Run ``replication.compute`` over ``seeds``, in ``workers`` processes over blocks of seeds.

    Every seed's results depend only on its own seed sequence, so the tables are the same
    whatever the number of workers (tested); the ``seed`` columns are renumbered globally.
    """
    workers = check_int("--workers", workers, low=1)
    if workers == 1 or len(seeds) == 1:
        return _tables(replication, replication.compute(config, seeds, quiet))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    n_blocks = min(workers, len(seeds))
    bounds = [(i * len(seeds)) // n_blocks for i in range(n_blocks + 1)]
    blocks = [list(seeds[a:b]) for a, b in itertools.pairwise(bounds)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_blocks, mp_context=ctx, initializer=_init_worker) as pool:
        futures = [pool.submit(_compute_block, replication, config, block) for block in blocks]
        parts: dict[str, list[pd.DataFrame]] = {}
        for offset, end, future in zip(bounds[:-1], bounds[1:], futures):
            for key, frame in future.result().items():
                frame["seed"] = frame["seed"] + offset
                parts.setdefault(key, []).append(frame)
            if not quiet:
                print(f"{replication.name}: {end}/{len(seeds)} seeds done", file=sys.stderr, flush=True)
    return {key: pd.concat(frames, ignore_index=True) for key, frames in parts.items()}


def _figure_bytes(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=150)
    return buf.getvalue()


def run_replication(
    replication: Replication,
    *,
    n_seeds: int | None = None,
    root_seed: int | None = None,
    quick: bool = False,
    out: str | Path = "paper/generated",
    plot_only: bool = False,
    quiet: bool = False,
    workers: int = 1,
    argv: Sequence[str] | None = None,
) -> ReplicationResult:
    """Run one replication and write its five files into ``out/<name>/``.

    Parameters
    ----------
    replication : Replication
    n_seeds : int, optional
        Number of seeds ("subjects"); default: the replication's own.
    root_seed : int, optional
        Root of the per-seed streams (spawned with ``SeedSequence.spawn``).
    quick : bool
        A small configuration that finishes in seconds (for tests).
    out : path
        Parent folder of the outputs.
    plot_only : bool
        Redraw the figure and re-check the claims from an existing ``results.csv``.
    workers : int
        Processes over blocks of seeds (results identical to ``workers=1``).
    """
    import matplotlib.pyplot as plt

    started = time.perf_counter()
    start_time = utc_now()
    if n_seeds is None:
        n_seeds = replication.default_seeds
    n_seeds = check_int("--seeds", n_seeds, low=1)
    root = replication.default_root_seed if root_seed is None else check_int("--seed", root_seed, low=0)
    out_dir = ensure_writable_dir(Path(out) / replication.name)
    config = replication.config(quick=quick)
    results_path = out_dir / "results.csv"
    seeds = spawn_seeds(root, n_seeds)
    extra_paths = {name: out_dir / f"{name}.parquet" for name in replication.extra_tables}
    if plot_only:
        results = read_tidy_csv(results_path, replication.columns)
        extras = {name: read_parquet(path, ["seed"]) for name, path in extra_paths.items()}
        try:
            seed_values = sorted(int(s) for s in pd.unique(results["seed"]))
        except (TypeError, ValueError):
            raise DataError(f"{results_path}: column 'seed' must hold integers") from None
        n_seeds = len(seed_values)
    else:
        tables = compute_seeds(replication, config, seeds, workers=workers, quiet=quiet)
        results = tables.pop("results")
        extras = tables
        missing = [c for c in replication.columns if c not in results.columns]
        if missing:  # a bug in the replication, not a user error
            raise RuntimeError(f"{replication.name} produced no column(s) {missing}")
        write_csv(results_path, results)
        for name, frame in extras.items():
            write_parquet(extra_paths[name], frame)
    claims = replication.check_claims(results, extras)
    results_sha256 = sha256_file(results_path)
    data_sha256 = file_hashes(replication.data_inputs(config))
    data = ", ".join(f"{Path(k).name} {v[:8]}" for k, v in data_sha256.items()) or "none"
    versions = package_versions(("torch", "numpy"))
    caption = (
        f"cogrnn {__version__} (torch {versions['torch']}, numpy {versions['numpy']}) | {replication.name} | "
        f"seeds {n_seeds} (root {root}) | config {config.config_hash()}{' quick' if quick else ''} | "
        f"results.csv sha256 {results_sha256[:12]} | data {data}"
    )
    fig = replication.plot(results, extras, caption)
    try:
        atomic_write_bytes(out_dir / "figure.png", _figure_bytes(fig, "png"))
        atomic_write_bytes(out_dir / "figure.pdf", _figure_bytes(fig, "pdf"))
    finally:
        plt.close(fig)
    claims_doc = {
        "replication": replication.name,
        "all_passed": all(c.passed for c in claims),
        "claims": [c.to_dict() for c in claims],
    }
    write_json(out_dir / "claims.json", claims_doc)
    wall = time.perf_counter() - started
    outputs = [out_dir / f for f in ("figure.png", "figure.pdf", "claims.json")]
    outputs += list(extra_paths.values())
    provenance = {
        "replication": replication.name,
        "description": replication.description,
        "reference": replication.reference.cite(),
        "cogrnn_version": __version__,
        "git": git_info(),
        "argv": list(argv) if argv is not None else list(sys.argv),
        "mode": "plot-only" if plot_only else ("quick" if quick else "full"),
        "config": config.to_dict(),
        "config_hash": config.config_hash(),
        "free_parameters": dict(replication.free_parameters),
        "root_seed": root,
        "n_seeds": n_seeds,
        "seeds": [{"seed": i, **seed_entropy(s)} for i, s in enumerate(seeds[:n_seeds])],
        "packages": package_versions(),
        "platform": platform_info(),
        "threads": thread_info(),
        "workers": workers,
        "start_time": start_time,
        "end_time": utc_now(),
        "wall_time_s": round(wall, 3),
        "outputs_sha256": {"results.csv": results_sha256, **file_hashes(outputs, root=out_dir)},
        "data_inputs_sha256": data_sha256,
    }
    write_json(out_dir / "provenance.json", provenance)
    return ReplicationResult(replication.name, out_dir, results, claims, wall)
