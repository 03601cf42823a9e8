"""Issue 13, item 1: one (condition, seed) gives the same numbers, bit for bit, on every path.

The paths: ``cogrnn replicate`` with ``--workers 1`` and ``--workers 2``, ``cogrnn sweep``
on the sync scheduler, on a local Dask cluster, and a sync sweep interrupted after its
first task and resumed. Each path's ``results.csv`` (for a sweep: its rows written as a
``results.csv`` without the grid columns) must be byte-identical to ``--workers 1``.
``make test`` runs one representative path per replication (quick mode, shrunk further
with ``--set``, 2 seeds from the replication's default root); ``make test-slow`` runs the
whole matrix (3 seeds from a root never used in development).
"""

from __future__ import annotations

import pandas as pd
import pytest

from cogrnn import replications
from cogrnn.cli import main
from cogrnn.io import write_csv
from cogrnn.sweep import SweepSpec, run_sweep

UNUSED_ROOT = 20261201  # a root never used in development (the full matrix)

#: per replication: quick-mode changes that keep a run to seconds
SHRINK: dict[str, dict[str, object]] = {
    "elman-xor": {"epochs": 5, "test_triples": 20},
    "elman-letters": {"epochs": 3, "n_consonants": 60, "test_consonants": 30},
    "elman-words": {"epochs": 2},
    "elman-lexical": {"epochs": 1, "n_sentences": 300, "zog_sentences": 100, "tokens_per_word": 5},
    "hopfield-recall": {"max_tested": 3, "random_starts": 5, "sets_per_seed": 1},
    "gradient-flow": {
        "chunk_epochs": 2,
        "patience_epochs": 2,
        "max_epochs": 2,
        "lags": (5,),
        "train_sequences": 64,
        "test_sequences": 32,
        "steps": 10,
    },
}
#: the representative path of each replication in ``make test``
FAST_PATH = {
    "elman-xor": "sweep-sync",
    "elman-letters": "workers-2",
    "elman-words": "sweep-sync",
    "elman-lexical": "workers-2",
    "hopfield-recall": "sweep-sync",
    "gradient-flow": "workers-2",
}
PATHS = ("workers-2", "workers-3", "sweep-sync", "sweep-local", "sweep-resumed")


def _set_args(changes: dict[str, object]) -> list[str]:
    args = []
    for key, value in changes.items():
        text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        args += ["--set", f"{key}={text}"]
    return args


def _root(name: str, n_seeds: int) -> int:
    """The representative paths run on the replication's default root, the matrix on an unused one."""
    return replications.get(name).default_root_seed if n_seeds == 2 else UNUSED_ROOT


def _replicate(name: str, out, n_seeds: int, workers: int) -> bytes:
    argv = ["replicate", name, "--quick", "--seeds", str(n_seeds), "--seed", str(_root(name, n_seeds)), "--quiet"]
    argv += ["--out", str(out), "--workers", str(workers), *_set_args(SHRINK[name])]
    assert main(argv) == 0
    return (out / name / "results.csv").read_bytes()


def _sweep(name: str, out, n_seeds: int, scheduler: str) -> bytes:
    rep = replications.get(name)
    spec = SweepSpec(name, seeds=n_seeds, root_seed=_root(name, n_seeds), quick=True, base=SHRINK[name])
    if scheduler == "resumed":

        def stop(k: int, n: int) -> None:
            if k == 1:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            run_sweep(spec, rep, out, scheduler="sync", progress=stop)
        scheduler = "sync"
    df = run_sweep(spec, rep, out, scheduler=scheduler, workers=2, quiet=True)
    write_csv(out / "rows.csv", df.drop(columns=[c for c in df.columns if c.startswith("param_")]))
    return (out / "rows.csv").read_bytes()


def _path(name: str, path: str, out, n_seeds: int) -> bytes:
    kind, _, arg = path.partition("-")
    if kind == "workers":
        return _replicate(name, out, n_seeds, int(arg))
    if arg == "local":
        pytest.importorskip("distributed")
    return _sweep(name, out, n_seeds, arg)


@pytest.mark.parametrize("name", list(FAST_PATH))
def test_representative_path_gives_identical_results(name, tmp_path):
    reference = _replicate(name, tmp_path / "reference", 2, 1)
    assert _path(name, FAST_PATH[name], tmp_path / "path", 2) == reference


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(FAST_PATH))
def test_every_path_gives_identical_results(name, path, tmp_path):
    reference = _replicate(name, tmp_path / "reference", 3, 1)
    assert _path(name, path, tmp_path / "path", 3) == reference
    assert len(pd.read_csv(tmp_path / "reference" / name / "results.csv")["seed"].unique()) == 3
