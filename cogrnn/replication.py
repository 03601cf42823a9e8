"""The replication runner: compute, check the paper's claims, plot from the CSV, record provenance.

A replication subclasses :class:`Replication` and defines

* ``compute(config, seeds, quiet)``: the tidy results (one observation per row, always a
  ``seed`` column), the only thing that trains networks; a DataFrame, or a dict with the
  key ``"results"`` plus the further tables named in ``extra_tables`` (each with a
  ``seed`` column, written as Parquet next to ``results.csv``);
* ``measures(results, extras, config) -> dict``: the derived tables (per-seed measures, curves,
  trees) named in ``measure_tables``, computed once from the written tables and written
  beside them as Parquet, so that claims and figure read the same numbers;
* ``check_claims(results, tables) -> list[Claim]``: each claim of the paper, checked in
  code from the written tables alone (``tables`` holds the extra and the measure tables);
* ``plot(results, tables, caption) -> Figure``: the figure, from the tables alone.

:func:`run_replication` writes ``results.csv``, ``figure.png``, ``figure.pdf``,
``claims.json`` and ``provenance.json`` (the replication contract of DESIGN.md, section 4),
and ``<extra>.parquet`` for every extra table, into a fresh sibling folder of
``out/<name>/`` and only then moves the complete set to ``out/<name>/`` in one step
(:func:`cogrnn.io.publish_dir`): a reader never sees a mix of two runs.
``provenance.json`` is written last and records the sha256 and the schema of every
table; ``--plot-only`` (``plot_only=True``) verifies both before it uses the tables.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ._docs import fill_doc
from ._progress import phase_times
from ._version import __version__
from .config import Config, check_int
from .exceptions import ConfigError, DataError
from .io import (
    atomic_write_bytes,
    check_columns,
    check_out_path,
    check_replaceable,
    ensure_writable_dir,
    publish_dir,
    sha256_file,
    staging_dir,
    sync_files,
    write_csv,
    write_json,
    write_parquet,
)
from .provenance import (
    code_version,
    file_hashes,
    package_versions,
    platform_info,
    process_age,
    thread_info,
    utc_now,
)

if TYPE_CHECKING:  # pragma: no cover - cogrnn.random and the tasks import torch: imported where used
    from .tasks.base import Reference

__all__ = [
    "Claim",
    "Replication",
    "ReplicationResult",
    "run_replication",
    "seed_pass_claim",
    "compute_seeds",
    "read_verified",
    "output_folder",
    "output_names",
    "MAX_WORKERS",
]

#: most worker processes ``--workers`` may ask for
MAX_WORKERS = 1024


@dataclass
class Claim:
    """A claim of the original paper and its check.

    Parameters
    ----------
    id : str
        Short identifier, unique within the replication.
    statement : str
        The claim in words.
    paper : str
        What the paper reports (value, figure or quotation).
    measured : str
        What this run measured.
    criterion : str
        The rule the measurement is judged by.
    passed : bool
        Whether the criterion holds.
    n_seeds : int
        Seeds judged.
    n_seeds_passed : int
        Seeds that pass (equal to ``n_seeds`` or 0 for a claim over pooled seeds).

    Examples
    --------
    >>> c = Claim("xor", "the XOR bit is learned", "Fig. 3", "error 0.1", "error < 0.2", True, 1, 1)
    >>> c.to_dict()["passed"]
    True
    """

    id: str
    statement: str
    paper: str
    measured: str
    criterion: str
    passed: bool
    n_seeds: int
    n_seeds_passed: int

    def to_dict(self) -> dict[str, Any]:
        """The claim as a JSON-ready dict (as written to ``claims.json``).

        Returns
        -------
        dict of str to object
            The fields, ``passed`` a plain bool.
        """
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
    """A claim that passes when at least ``min_fraction`` of seeds pass (``per_seed`` is boolean).

    Parameters
    ----------
    id, statement, paper : str
        As in :class:`Claim`.
    per_seed : pandas.Series
        Whether each seed passes (booleans).
    measured : str
        What was measured; the count of passing seeds is appended.
    criterion : str
        The per-seed criterion; the fraction of seeds required is appended.
    min_fraction : float, optional
        Fraction of seeds that must pass (default 0.8).

    Returns
    -------
    Claim
        The judged claim; never passes with no seeds.

    Examples
    --------
    >>> c = seed_pass_claim("x", "s", "p", pd.Series([True, True, False]), "m", "c", min_fraction=0.6)
    >>> c.passed, c.n_seeds_passed, c.measured
    (True, 2, 'm; 2/3 seeds pass')
    """
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
    """What :func:`run_replication` produced.

    Parameters
    ----------
    name : str
        The replication's name.
    out_dir : pathlib.Path
        Folder of its files (``out/<name>``).
    results : pandas.DataFrame
        The results table (``results.csv``).
    claims : list of Claim
        The judged claims.
    wall_time_s : float
        Wall-clock time of the run, seconds.

    Examples
    --------
    >>> res = ReplicationResult("toy", Path("."), pd.DataFrame(), [], 0.0)
    >>> res.all_passed
    True
    """

    name: str
    out_dir: Path
    results: pd.DataFrame
    claims: list[Claim]
    wall_time_s: float

    @property
    def all_passed(self) -> bool:
        """Whether every claim passed (True when there are none)."""
        return all(c.passed for c in self.claims)


class Replication:
    """Base class of replications (see the module docstring).

    A subclass sets the class attributes (``name``, ``description``, ``reference``,
    ``columns``, ``config_class``, ...) and implements :meth:`compute`,
    :meth:`check_claims` and :meth:`plot`; :func:`run_replication` runs it.

    Examples
    --------
    >>> from cogrnn import replications
    >>> rep = replications.get("elman-xor")
    >>> isinstance(rep, Replication), rep.name
    (True, 'elman-xor')
    """

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
    #: derived tables that ``measures`` returns, written as Parquet; claims and figure read them
    measure_tables: ClassVar[tuple[str, ...]] = ()

    @fill_doc
    def config(self, quick: bool = False) -> Config:
        """The configuration of a full (or ``quick``) run.

        Parameters
        ----------
        %(quick)s

        Returns
        -------
        cogrnn.config.Config
            An instance of ``config_class``.
        """
        return self.config_class()

    def data_inputs(self, config: Config) -> list[Path]:
        """Files under ``data/`` the run reads (hashed into the provenance).

        Parameters
        ----------
        config : cogrnn.config.Config
            The run's configuration.

        Returns
        -------
        list of pathlib.Path
            The files (none by default).
        """
        return []

    @fill_doc
    def compute(
        self, config: Any, seeds: Sequence[np.random.SeedSequence], quiet: bool
    ) -> pd.DataFrame | dict[str, pd.DataFrame]:
        """Run the experiment for every seed.

        Parameters
        ----------
        config : cogrnn.config.Config
            The run's configuration.
        seeds : sequence of numpy.random.SeedSequence
            One seed sequence per seed; seed ``i``'s rows depend on ``seeds[i]`` alone.
        %(quiet)s

        Returns
        -------
        pandas.DataFrame or dict of str to pandas.DataFrame
            The results table (columns ``columns``, a ``seed`` column numbering the seeds
            from 0), or ``{"results": ..., <extra table>: ...}`` with every ``extra_tables``.
        """
        raise NotImplementedError

    def measures(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], config: Any) -> dict[str, pd.DataFrame]:
        """The derived tables named in ``measure_tables``, from the written tables alone.

        Computed once, after the tables are written and read back; ``--plot-only`` reads the
        written measure tables and never calls this.

        Parameters
        ----------
        results : pandas.DataFrame
            The results table.
        extras : dict of str to pandas.DataFrame
            The extra tables, by name.
        config : Config
            The run's configuration (e.g. the steps a measure skips).

        Returns
        -------
        dict of str to pandas.DataFrame
            One table per name of ``measure_tables`` (none by default).
        """
        return {}

    def check_claims(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame]) -> list[Claim]:
        """Judge the paper's claims from the tables.

        Parameters
        ----------
        results : pandas.DataFrame
            The results table.
        extras : dict of str to pandas.DataFrame
            The extra and measure tables, by name.

        Returns
        -------
        list of Claim
            One per claim of the paper, in a fixed order.
        """
        raise NotImplementedError

    def plot(self, results: pd.DataFrame, extras: dict[str, pd.DataFrame], caption: str) -> Any:
        """Draw the replication's figure from the tables.

        Parameters
        ----------
        results : pandas.DataFrame
            The results table.
        extras : dict of str to pandas.DataFrame
            The extra and measure tables, by name.
        caption : str
            Provenance caption to write along the bottom.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        raise NotImplementedError


def _init_worker() -> None:
    """One thread per worker process: the processes are the parallelism."""
    from ._threads import limit_threads

    limit_threads(1)


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


@fill_doc
def compute_seeds(
    replication: Replication,
    config: Any,
    seeds: Sequence[np.random.SeedSequence],
    workers: int = 1,
    quiet: bool = False,
) -> dict[str, pd.DataFrame]:
    """Run ``replication.compute`` over ``seeds``, in ``workers`` processes over blocks of seeds.

    Every seed's results depend only on its own seed sequence, so the tables are the same,
    bit for bit, whatever the number of workers (tested); the ``seed`` columns are
    renumbered globally and the rows put in canonical order (by seed).

    Parameters
    ----------
    %(replication)s
    config : cogrnn.config.Config
        The run's configuration.
    seeds : sequence of numpy.random.SeedSequence
        One seed sequence per seed.
    workers : int, optional
        Worker processes (default 1: in this process).
    %(quiet)s

    Returns
    -------
    dict of str to pandas.DataFrame
        ``{"results": ..., <extra table>: ...}``, rows ordered by seed.

    Examples
    --------
    >>> from cogrnn import replications
    >>> from cogrnn.random import spawn_seeds
    >>> rep = replications.get("elman-xor")
    >>> config = rep.config(quick=True).with_values({"epochs": 2, "test_triples": 10})
    >>> tables = compute_seeds(rep, config, spawn_seeds(0, 2), quiet=True)
    >>> sorted(tables["results"]["seed"].unique().tolist())
    [0, 1]
    """
    workers = check_int("--workers", workers, low=1, high=MAX_WORKERS)
    from .random import fresh_seed

    seeds = [fresh_seed(s) for s in seeds]  # compute may spawn from them: never from a used sequence
    if workers == 1 or len(seeds) == 1:
        return _by_seed(_tables(replication, replication.compute(config, seeds, quiet)))
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
    return _by_seed({key: pd.concat(frames, ignore_index=True) for key, frames in parts.items()})


def _by_seed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every table in one canonical row order: by seed, each seed's rows in the order computed.

    A replication may interleave seeds (one experiment for all seeds, then the next);
    sorted by seed, the rows are the same whichever seeds were computed together.
    """
    return {k: df.sort_values("seed", kind="stable", ignore_index=True) for k, df in tables.items()}


def _figure_bytes(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    # no creation date in a PDF: the same figure gives the same bytes (and hash) on every run
    fig.savefig(buf, format=fmt, dpi=150, **({"metadata": {"CreationDate": None}} if fmt == "pdf" else {}))
    return buf.getvalue()


def _figures(fig: Any, formats: Sequence[str]) -> dict[str, bytes]:
    """``fig`` encoded in each of ``formats``, its layout engine run once.

    The first format's drawing places the axes (constrained layout); the later formats reuse
    those positions instead of running the layout again (the same figure; the layout runs
    once instead of once per format).
    """
    out = {}
    for fmt in formats:
        out[fmt] = _figure_bytes(fig, fmt)
        fig.set_layout_engine("none")  # keeps the positions the first drawing computed
    return out


#: when the last run of this process ended (perf_counter), None before the first
_LAST_END: dict[str, float | None] = {"t": None}
#: a command that runs several replications (``replicate all``): its shared start-up (seconds)
#: and each replication's own import, by name (see :func:`_shared_startup`)
_COMMAND: dict[str, Any] = {"startup": None, "imports": {}}


def _shared_startup(imports: dict[str, float] | None) -> None:
    """Mark the end of the start-up that the replications of one command share.

    Called by ``replicate all`` after it imported and checked every replication, before the
    first run. The shared start-up (interpreter, the command's imports and checks) is the
    process's age less the replications' own imports; each provenance records it once as
    ``command_startup_s``, and each run's ``startup_s`` is its own share: the import of its
    module (``imports[name]``, seconds; with the libraries it was the first to import) and
    the time since the previous run ended (or since this call, for the first run).
    ``imports=None``: a command of one replication, which shares nothing (clears the record).
    """
    if imports is None:
        _COMMAND.update(startup=None, imports={})
        return
    age = process_age()
    _COMMAND["startup"] = None if age is None else max(age - sum(imports.values()), 0.0)
    _COMMAND["imports"] = dict(imports)
    _LAST_END["t"] = time.perf_counter()


class _Clock:
    """Wall time of the runner's steps: ``lap(step)`` adds the time since the last lap to ``step``."""

    def __init__(self, started: float) -> None:
        self.last = started
        self.steps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = self.steps.get(step, 0.0) + now - self.last
        self.last = now

    def record(
        self, startup: float | None, phases: dict[str, float], command_startup: float | None = None
    ) -> dict[str, Any]:
        """The ``timings`` record of ``provenance.json``, seconds.

        ``startup_s``: interpreter start-up and imports before the runner was called (None
        where unknown), or, for a later run of the same process, the time since the previous
        run ended; in a command that runs several replications (``replicate all``) the run's
        own share: the import of its module and the time since the previous run ended, while
        ``command_startup_s`` is the start-up the command's replications share, the same in
        each of them and in none of their ``outside_s`` (None for a command of one replication,
        whose start-up is all its own); one ``<step>_s`` per step of the runner (``compute_s`` trains and
        evaluates; ``files_s`` writes, reads back and hashes the tables and files, up to
        the provenance itself; the final flush to disk and the publication are not in it);
        ``phases``: the phases inside compute that the library timed (``train``,
        ``evaluate``; :func:`cogrnn._progress.timed`), in this process only (none with
        ``--workers`` above 1); ``outside_s``: the run's time outside compute, measures and
        claims (start-up included), and ``outside_share`` its share of start-up plus run.
        """
        steps = {f"{k}_s": round(v, 3) for k, v in self.steps.items()}
        inside = sum(self.steps.get(k, 0.0) for k in ("compute", "measures", "claims"))
        run = sum(self.steps.values())
        total = run + (startup or 0.0)
        return {
            "startup_s": None if startup is None else round(startup, 3),
            "command_startup_s": None if command_startup is None else round(command_startup, 3),
            **steps,
            "phases": {k: round(v, 3) for k, v in phases.items()},
            "run_s": round(run, 3),
            "outside_s": round(total - inside, 3),
            "outside_share": round((total - inside) / total, 3) if total > 0 else None,
        }


def _kind(series: pd.Series) -> str:
    """The coarse type of a column that survives a CSV round trip: bool, integer, float or string."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "string"


#: the kinds a column read back may have, for each kind it was written with
_COMPATIBLE = {"bool": {"bool"}, "integer": {"integer"}, "float": {"integer", "float"}, "string": None}


def _schema(df: pd.DataFrame) -> dict[str, Any]:
    """What a table must look like when read back: columns and kinds, NaN-free columns, rows."""
    return {
        "columns": {str(c): _kind(df[c]) for c in df.columns},
        "nan_free": [str(c) for c in df.columns if not df[c].isna().any()],
        "n_rows": len(df),
    }


def _check_table(df: pd.DataFrame, schema: dict[str, Any], n_seeds: int, what: str, seeds: str = "all") -> None:
    """Refuse (one-line :class:`DataError`) a table whose schema or seeds differ from the record."""
    check_columns(df, list(schema["columns"]), what=what)
    extra = [str(c) for c in df.columns if str(c) not in schema["columns"]]
    if extra:
        raise DataError(f"{what} has column(s) {', '.join(extra)} that the run did not write")
    for col, kind in schema["columns"].items():
        allowed = _COMPATIBLE.get(kind)
        if allowed is not None and _kind(df[col]) not in allowed:
            raise DataError(f"{what}: column {col!r} holds {_kind(df[col])} values; the run wrote {kind} values")
    nan = [c for c in schema["nan_free"] if df[c].isna().any()]
    if nan:
        raise DataError(f"{what}: column(s) {', '.join(nan)} hold NaN; the run wrote none there")
    if len(df) != schema["n_rows"]:
        raise DataError(f"{what} has {len(df)} rows; the run wrote {schema['n_rows']}")
    if seeds == "none":
        return
    found = set(pd.unique(df["seed"]).tolist())
    expected = set(range(n_seeds))
    if (found != expected) if seeds == "all" else not found <= expected:
        listed = ", ".join(map(str, sorted(found)[:12])) + (", ..." if len(found) > 12 else "")
        raise DataError(f"{what}: seeds [{listed}] do not match the run's seeds 0..{n_seeds - 1}")


def _parse_table(name: str, data: bytes, what: str) -> pd.DataFrame:
    try:
        if name.endswith(".csv"):
            return pd.read_csv(io.BytesIO(data))
        return pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # parsers raise many unrelated types for damaged files
        raise DataError(f"{what} is not a readable table ({type(exc).__name__})") from None


@fill_doc
def read_verified(
    replication: Replication, folder: str | Path
) -> tuple[dict[str, Any], pd.DataFrame, dict[str, pd.DataFrame], dict[str, bytes]]:
    """Read a run's tables after checking them against its provenance; refuse anything else.

    Checks, in order: ``provenance.json`` exists, is complete and is this replication's;
    the sha256 of ``results.csv`` and of every extra table equals the recorded one; each
    table has the recorded columns, column types, row count and NaN-free columns, and the
    seeds ``0..n_seeds-1``. Any failure is a one-line :class:`DataError`.

    Parameters
    ----------
    %(replication)s
    folder : str or pathlib.Path
        The run's folder (``out/<name>``).

    Returns
    -------
    provenance : dict
        The run's ``provenance.json``.
    results : pandas.DataFrame
        The results table.
    extras : dict of str to pandas.DataFrame
        The extra and measure tables, by name.
    raw : dict of str to bytes
        The bytes of each table file, by file name (to copy them unchanged).

    Raises
    ------
    cogrnn.exceptions.DataError
        If any check fails.

    Examples
    --------
    >>> import tempfile; from cogrnn import replications
    >>> rep = replications.get("elman-xor")
    >>> res = run_replication(rep, n_seeds=1, quick=True, out=tempfile.mkdtemp(), quiet=True,
    ...                       overrides={"epochs": 2, "test_triples": 10})
    >>> record, results, extras, raw = read_verified(rep, res.out_dir)
    >>> record["n_seeds"], "results.csv" in raw
    (1, True)
    """
    folder = Path(folder)
    prov_path = folder / "provenance.json"
    if not prov_path.is_file():
        raise DataError(f"{prov_path} does not exist; run without --plot-only first")
    try:
        record = json.loads(prov_path.read_text(encoding="utf-8"))
        hashes = dict(record["outputs_sha256"])
        n_seeds = check_int("n_seeds", record["n_seeds"], low=1)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise DataError(f"{prov_path} is damaged or incomplete; rerun without --plot-only") from None
    if not record.get("complete", False) or "schema" not in record:
        raise DataError(f"{prov_path} does not mark a complete, verifiable run; rerun without --plot-only")
    if record.get("replication") != replication.name:
        raise DataError(f"{prov_path} is a run of {record.get('replication')!r}, not of {replication.name!r}")
    tables: dict[str, pd.DataFrame] = {}
    raw: dict[str, bytes] = {}
    names = [*replication.extra_tables, *replication.measure_tables]
    for file in ["results.csv", *(f"{n}.parquet" for n in names)]:
        path = folder / file
        if not path.is_file():
            raise DataError(f"{path} does not exist; the set is incomplete; rerun without --plot-only")
        data = path.read_bytes()
        if file not in hashes or hashlib.sha256(data).hexdigest() != hashes[file]:
            raise DataError(f"{path} does not match the sha256 in provenance.json (changed, truncated or replaced)")
        df = _parse_table(file, data, str(path))
        schema = record["schema"].get(file) if isinstance(record["schema"], dict) else None
        if not (
            isinstance(schema, dict)
            and isinstance(schema.get("columns"), dict)
            and isinstance(schema.get("nan_free"), list)
            and isinstance(schema.get("n_rows"), int)
        ):
            raise DataError(f"{prov_path} records no valid schema for {file}; rerun without --plot-only")
        # results.csv holds every seed; another table a subset, or none when it pools them
        seeds = "all" if file == "results.csv" else "subset" if "seed" in schema["columns"] else "none"
        _check_table(df, schema, n_seeds, str(path), seeds=seeds)
        tables[file], raw[file] = df, data
    results = tables.pop("results.csv")
    extras = {n: tables[f"{n}.parquet"] for n in names}
    return record, results, extras, raw


@fill_doc
def output_names(replication: Replication) -> tuple[str, ...]:
    """The files every run of ``replication`` writes into its folder (its set, with its own tables).

    Parameters
    ----------
    %(replication)s

    Returns
    -------
    tuple of str
        File names.

    Examples
    --------
    >>> from cogrnn import replications
    >>> output_names(replications.get("elman-xor"))[:5]
    ('results.csv', 'figure.png', 'figure.pdf', 'claims.json', 'provenance.json')
    """
    return ("results.csv", "figure.png", "figure.pdf", "claims.json", "provenance.json", *_table_files(replication))


def _table_files(replication: Replication) -> list[str]:
    """The replication's own tables as files: its extra tables, then its measures (``.parquet``)."""
    return [f"{name}.parquet" for name in (*replication.extra_tables, *replication.measure_tables)]


@fill_doc
def output_folder(replication: Replication, out: str | Path, plot_only: bool = False) -> Path:
    """``out/<name>``, checked before any work: a folder that can be written and a run may replace.

    A run replaces the folder as a whole, so it must not hold files cogrnn did not write
    (:func:`cogrnn.io.check_replaceable`); ``replicate all`` and ``compare`` check every
    folder they will write before the first run.

    Parameters
    ----------
    %(replication)s
    out : str or pathlib.Path
        The parent folder (``--out``).
    plot_only : bool, optional
        A redraw (the message then cannot suggest another ``--out``).

    Returns
    -------
    pathlib.Path
        The replication's folder.

    Examples
    --------
    >>> import tempfile; from cogrnn import replications
    >>> output_folder(replications.get("elman-xor"), tempfile.mkdtemp()).name
    'elman-xor'
    """
    final = ensure_writable_dir(check_out_path(out)) / replication.name
    if plot_only and not (final / "provenance.json").is_file():
        return final  # no run to redraw: read_verified says so, and nothing is written
    return check_replaceable(final, output_names(replication), "" if plot_only else "--out")


def _registered_id(replication: Replication) -> str | None:
    """The versioned registry id (``"elman-xor-v1"``) this replication object is registered under, if any."""
    from .registry import REPLICATIONS

    for entry in REPLICATIONS.entries():
        if entry.name == replication.name:
            try:
                if entry.factory is replication:
                    return entry.id
            except ConfigError:  # another, broken entry of the same name
                continue
    return None


@fill_doc
def run_replication(
    replication: Replication,
    *,
    n_seeds: int | None = None,
    root_seed: int | None = None,
    quick: bool = False,
    out: str | Path = "paper/generated",
    plot_only: bool = False,
    quiet: bool = False,
    workers: int | None = None,
    argv: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> ReplicationResult:
    """Run one replication and write its five files into ``out/<name>/``.

    Parameters
    ----------
    replication : Replication
        The replication run.
    n_seeds : int, optional
        Number of seeds ("subjects"); default: the replication's own.
    root_seed : int, optional
        Root of the per-seed streams (spawned with ``SeedSequence.spawn``).
    quick : bool, optional
        A small configuration that finishes in seconds (for tests).
    out : str or pathlib.Path, optional
        Parent folder of the outputs (default ``paper/generated``).
    plot_only : bool, optional
        Redraw the figure and re-check the claims from the verified tables of an earlier
        run, with its seeds, root seed and configuration (taken from its provenance);
        ``n_seeds``, ``root_seed``, ``quick``, ``workers`` and ``overrides`` must then be unset.
    %(quiet)s
    workers : int, optional
        Processes over blocks of seeds (default 1; results identical whatever the number).
    argv : sequence of str, optional
        The command line, recorded in the provenance.
    overrides : dict, optional
        Changes to the configuration (``--set key=value``), validated by its class;
        recorded in the provenance and the figure caption.

    Returns
    -------
    ReplicationResult
        The results, claims and output folder.

    Examples
    --------
    >>> import tempfile; from cogrnn import replications
    >>> res = run_replication(replications.get("elman-xor"), n_seeds=1, quick=True, out=tempfile.mkdtemp(),
    ...                       quiet=True, overrides={"epochs": 2, "test_triples": 10})
    >>> names = {p.name for p in res.out_dir.iterdir()}  # and the replication's extra tables
    >>> sorted(names & {"claims.json", "figure.pdf", "figure.png", "provenance.json", "results.csv"})
    ['claims.json', 'figure.pdf', 'figure.png', 'provenance.json', 'results.csv']
    """
    import matplotlib.pyplot as plt

    from .random import MAX_ROOT_SEED, check_seed_count, seed_entropy, spawn_seeds

    started = time.perf_counter()
    start_time = utc_now()
    clock = _Clock(started)
    # interpreter start-up and imports before the first run of this process; the time since
    # the previous run ended before a later one (``replicate all``: since its shared start-up
    # ended, for the first run; see _shared_startup)
    startup = process_age() if _LAST_END["t"] is None else started - _LAST_END["t"]
    if startup is not None:  # replicate all: its module's import is this run's own start-up
        startup += _COMMAND["imports"].pop(replication.name, 0.0)
    phase_times(reset=True)
    extra_files = _table_files(replication)
    # a run replaces out/<name>/ as a whole: refused at once when that would lose files cogrnn did not
    # write, and again just before the new set takes its place (a file may have been added meanwhile)
    final = output_folder(replication, out, plot_only=plot_only)
    if plot_only:
        given = {"--seeds": n_seeds is not None, "--seed": root_seed is not None, "--quick": quick,
                 "--workers": workers is not None, "--set": bool(overrides)}  # fmt: skip
        refused = [flag for flag, on in given.items() if on]
        if refused:
            raise ConfigError(
                f"--plot-only takes seeds, root seed and configuration from the run's provenance; "
                f"drop {', '.join(refused)}"
            )
        record, results, extras, raw = read_verified(replication, final)
        prov_path = final / "provenance.json"
        try:
            config = replication.config_class.from_dict(record["config"])
            n_seeds = int(record["n_seeds"])
            root = check_int("root_seed", record["root_seed"], low=0, high=MAX_ROOT_SEED)
            if record.get("mode") not in ("quick", "full"):
                raise ValueError("mode")
            quick, overrides = record["mode"] == "quick", dict(record.get("overrides", {}))
            data_sha256 = {str(k): str(v) for k, v in dict(record.get("data_inputs_sha256", {})).items()}
            recorded_hash = str(record["config_hash"])
        except (ConfigError, ValueError, KeyError, TypeError, AttributeError):
            raise DataError(f"{prov_path} is damaged or incomplete; rerun without --plot-only") from None
        if config.config_hash() != recorded_hash:
            raise DataError(
                f"{prov_path}: the recorded config does not match its config_hash; rerun without --plot-only"
            )
        # every field the caption and the claims take from the record agrees with the others: the
        # mode and changes make the recorded config, the root and count make the recorded seeds
        try:
            remade = replication.config(quick=quick).with_values(overrides).config_hash()
        except ConfigError:
            remade = None
        if remade != recorded_hash:
            raise DataError(
                f"{prov_path}: its mode ({record.get('mode')!r}) and changes (overrides) do not make its config; "
                "rerun without --plot-only"
            )
        seeds_made = [{"seed": i, **seed_entropy(s)} for i, s in enumerate(spawn_seeds(root, n_seeds))]
        if record.get("seeds") != seeds_made:
            raise DataError(
                f"{prov_path}: its root_seed ({root}) and n_seeds ({n_seeds}) do not make its per-seed seeds; "
                "rerun without --plot-only"
            )
        from .registry import REPLICATIONS

        rep_id = record.get("replication_id")
        own_ids = {entry.id for entry in REPLICATIONS.entries() if entry.name == replication.name}
        if not (rep_id is None or rep_id in own_ids):  # ("replication" is checked with the tables, by read_verified)
            raise DataError(f"{prov_path} is not a run of {replication.name}; rerun without --plot-only")
        # the claims re-read data/ (e.g. the transcribed figures): they must be the files the run read
        now = {Path(k).name: v for k, v in file_hashes(replication.data_inputs(config)).items()}
        then = {Path(k).name: v for k, v in data_sha256.items()}  # by name: the run may be from another checkout
        if now != then:
            differing = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
            raise DataError(
                f"data/ input(s) {', '.join(differing)} differ from the ones the run read (sha256 in provenance.json); "
                "rerun without --plot-only"
            )
        clock.lap("setup")  # reading and verifying the tables
    else:
        n_seeds = check_seed_count("--seeds", replication.default_seeds if n_seeds is None else n_seeds)
        root = replication.default_root_seed if root_seed is None else root_seed
        root = check_int("--seed", root, low=0, high=MAX_ROOT_SEED)
        overrides = dict(overrides or {})
        config = replication.config(quick=quick).with_values(overrides)
        seeds = spawn_seeds(root, n_seeds)
        data_sha256 = file_hashes(replication.data_inputs(config))
        workers = 1 if workers is None else workers
        clock.lap("setup")
        tables = compute_seeds(replication, config, seeds, workers=workers, quiet=quiet)
        clock.lap("compute")
        results = tables.pop("results")
        extras = tables
        missing = [c for c in replication.columns if c not in results.columns]
        if missing:  # a bug in the replication, not a user error
            raise RuntimeError(f"{replication.name} produced no column(s) {missing}")
    staging = staging_dir(final)
    try:
        # the set is flushed to disk once, all files together, before it is published
        if plot_only:
            for file, content in raw.items():
                atomic_write_bytes(staging / file, content, sync=False)
            clock.lap("files")
        else:
            write_csv(staging / "results.csv", results, sync=False)
            for name, frame in extras.items():
                write_parquet(staging / f"{name}.parquet", frame, sync=False)
            # the tables as a reader will see them (CSV types are inferred on reading)
            results = _parse_table("results.csv", (staging / "results.csv").read_bytes(), "results.csv")
            clock.lap("files")
            derived = replication.measures(results, dict(extras), config)
            if set(derived) != set(replication.measure_tables):  # a bug in the replication
                expected = sorted(replication.measure_tables)
                raise RuntimeError(f"{replication.name}.measures returned {sorted(derived)}; expected {expected}")
            clock.lap("measures")
            for name in replication.measure_tables:
                write_parquet(staging / f"{name}.parquet", derived[name], sync=False)
                extras[name] = _parse_table(
                    f"{name}.parquet", (staging / f"{name}.parquet").read_bytes(), f"{name}.parquet"
                )
            clock.lap("files")
        claims = replication.check_claims(results, extras)
        clock.lap("claims")
        results_sha256 = sha256_file(staging / "results.csv")
        data_text = ", ".join(f"{Path(k).name} {v[:8]}" for k, v in data_sha256.items()) or "none"
        versions = package_versions(("torch", "numpy"))
        changed = f" | set {', '.join(f'{k}={v}' for k, v in overrides.items())}" if overrides else ""
        rep_id = record.get("replication_id") if plot_only else _registered_id(replication)
        caption = (
            f"cogrnn {__version__} (torch {versions['torch']}, numpy {versions['numpy']}) | "
            f"{rep_id or replication.name} | "
            f"seeds {n_seeds} (root {root}) | config {config.config_hash()}{' quick' if quick else ''}{changed} | "
            f"results.csv sha256 {results_sha256[:12]} | data {data_text}"
        )
        fig = replication.plot(results, extras, caption)
        try:
            figures = _figures(fig, ("png", "pdf"))
        finally:
            plt.close(fig)
        clock.lap("figure")
        for fmt, content in figures.items():
            atomic_write_bytes(staging / f"figure.{fmt}", content, sync=False)
        claims_doc = {
            "replication": replication.name,
            "all_passed": all(c.passed for c in claims),
            "claims": [c.to_dict() for c in claims],
        }
        write_json(staging / "claims.json", claims_doc, sync=False)
        wall = time.perf_counter() - started
        outputs = [staging / f for f in ("results.csv", *extra_files, "figure.png", "figure.pdf", "claims.json")]
        hashes = file_hashes(outputs, root=staging)
        argv_list = list(argv) if argv is not None else list(sys.argv)
        if plot_only:
            provenance = dict(record)
            provenance["outputs_sha256"] = hashes
            provenance["redrawn"] = {
                "argv": argv_list, "cogrnn_version": __version__, "git": code_version(),
                "start_time": start_time, "end_time": utc_now(), "wall_time_s": round(wall, 3),
            }  # fmt: skip
        else:
            provenance = {
                "replication": replication.name,
                "replication_id": rep_id,
                "description": replication.description,
                "reference": replication.reference.cite(),
                "cogrnn_version": __version__,
                "git": code_version(),
                "argv": argv_list,
                "mode": "quick" if quick else "full",
                "overrides": overrides,
                "config": config.to_dict(),
                "config_hash": config.config_hash(),
                "free_parameters": dict(replication.free_parameters),
                "root_seed": root,
                "n_seeds": n_seeds,
                "seeds": [{"seed": i, **seed_entropy(s)} for i, s in enumerate(seeds)],
                "packages": package_versions(),
                "platform": platform_info(),
                "threads": thread_info(),
                "workers": workers,
                "start_time": start_time,
                "end_time": utc_now(),
                "wall_time_s": round(wall, 3),
                "outputs_sha256": hashes,
                "schema": {
                    "results.csv": _schema(results),
                    **{f"{n}.parquet": _schema(frame) for n, frame in extras.items()},
                },
                "data_inputs_sha256": data_sha256,
            }
        clock.lap("files")
        # a redrawing records its own timings beside the run's
        timings = clock.record(startup, phase_times(), _COMMAND["startup"])
        (provenance["redrawn"] if plot_only else provenance)["timings"] = timings
        provenance["complete"] = True  # written last: the completion marker of the set
        write_json(staging / "provenance.json", provenance, sync=False)
        sync_files([*staging.iterdir()])
        try:
            output_folder(replication, out, plot_only=plot_only)
        except ConfigError as exc:  # the new set is kept where it was written, nothing replaced
            kept = staging.with_name(f"{final.name}.new-{os.getpid()}-{time.strftime('%Y%m%dT%H%M%S')}")
            os.rename(staging, kept)
            raise ConfigError(f"{exc}; this run's outputs are in {kept}") from None
        publish_dir(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    ended = _LAST_END["t"] = time.perf_counter()
    return ReplicationResult(replication.name, final, results, claims, ended - started)
