"""Common contract checks over the registry, as scikit-learn's ``check_estimator``.

Every registered model, task and replication, plugins included, must pass one generic
battery; a failure raises :class:`CheckFailure` (an ``AssertionError``) that names the entry
and what differs.

* models of the recurrent zoo (:class:`~cogrnn.models.RecurrentEnsemble`): forward shapes
  (outputs and logits ``(R, T, B, O)``, hidden ``(R, L, T, B, H)``, a state shaped as
  ``init_state``), dtype (float32 and float64), determinism for one ``random_state``,
  ``n_replicas`` equivalence (replica r of an R-ensemble is, bit for bit, the single network
  built from replica r's seed, and ``model.replica(r)``), and a stream continued from the
  returned state; associative memories have their own protocol: classical (``store`` /
  ``recall``: shapes, determinism of recall for one ``random_state``, replica equivalence) and
  modern (``store`` / ``retrieve``: shapes, determinism, replica equivalence);
* tasks: ``generate()`` shapes, descriptors of shape ``(T, B)``, ``to_df`` length, determinism
  for one ``random_state``, a :class:`~cogrnn.tasks.Reference`;
* replications: a ``--quick`` run with 2 seeds writes ``results.csv`` (``seed`` and the declared
  columns), every declared table, ``claims.json`` (DESIGN.md section 4), ``provenance.json``
  (complete, its hashes those of the files), and ``--plot-only`` reproduces the claims.

Examples
--------
>>> from cogrnn.checks import check_model, check_task
>>> check_model("elman")
>>> check_task("temporal-xor")
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .registry import MODELS, REPLICATIONS, TASKS, Entry, Registry, get_replication

__all__ = [
    "CheckFailure",
    "CONTRACT_FILES",
    "CLAIM_FIELDS",
    "PROVENANCE_FIELDS",
    "check_model",
    "check_task",
    "check_replication",
    "check_replication_run",
    "check_entry",
    "check_registry",
    "registry_entries",
]

#: the files every replication run writes (DESIGN.md, section 4)
CONTRACT_FILES = ("results.csv", "figure.png", "figure.pdf", "claims.json", "provenance.json")
#: each claim of ``claims.json`` and the type of its value
CLAIM_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "statement": str,
    "paper": str,
    "measured": str,
    "criterion": str,
    "passed": bool,
    "n_seeds": int,
    "n_seeds_passed": int,
}
#: what ``provenance.json`` must record
PROVENANCE_FIELDS = (
    "replication", "cogrnn_version", "git", "argv", "mode", "config", "config_hash", "free_parameters",
    "root_seed", "n_seeds", "seeds", "packages", "platform", "threads", "start_time", "end_time",
    "wall_time_s", "outputs_sha256", "schema", "data_inputs_sha256", "complete",
)  # fmt: skip

_KINDS: dict[str, Registry[Any]] = {"model": MODELS, "task": TASKS, "replication": REPLICATIONS}


class CheckFailure(AssertionError):
    """An entry of the registry breaks the common contract.

    Examples
    --------
    >>> issubclass(CheckFailure, AssertionError)
    True
    """


def _require(condition: bool, entry: Entry[Any], message: str) -> None:
    if not condition:
        raise CheckFailure(f"{entry.id} ({entry.provider}): {message}")


def _check_entry_text(entry: Entry[Any]) -> None:
    _require(bool(entry.description.strip()), entry, "has no description")
    _require(bool(entry.reference.strip()), entry, "has no reference")
    _require(bool(entry.provider.strip()), entry, "has no provider")


# -- models ------------------------------------------------------------------------------


def _equal(a: Any, b: Any) -> bool:
    import torch

    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _check_recurrent(entry: Entry[Any], kwargs: dict[str, Any]) -> None:
    import torch

    R, T, B, I, H, O, L = 3, 6, 2, 3, 4, 2, 2
    base = {"input_size": I, "hidden_size": H, "output_size": O, "num_layers": L, **kwargs}

    def make(**more: Any) -> Any:
        return MODELS.make(entry.id, **{**base, **more})

    x = np.random.default_rng(0).uniform(-1, 1, size=(T, B, I)).astype(np.float32)
    ens = make(n_replicas=R, random_state=0)
    out = ens(x)
    L = ens.num_layers
    _require(tuple(out.outputs.shape) == (R, T, B, O), entry, f"outputs have shape {tuple(out.outputs.shape)}")
    _require(tuple(out.logits.shape) == (R, T, B, O), entry, f"logits have shape {tuple(out.logits.shape)}")
    hidden = tuple(out.hidden.shape)
    _require(hidden == (R, L, T, B, H), entry, f"hidden has shape {hidden}; expected (R, L, T, B, H)")
    _require(isinstance(out.state, tuple), entry, "the state is not a tuple of tensors")
    shapes = [tuple(s.shape) for s in out.state]
    expected = [tuple(s.shape) for s in ens.init_state(B)]
    _require(shapes == expected, entry, f"the final state has shapes {shapes}; init_state gives {expected}")
    for dtype in (torch.float32, torch.float64):
        got = make(n_replicas=1, random_state=0, dtype=dtype)(x)
        kinds = {t.dtype for t in (got.outputs, got.logits, got.hidden, *got.state)}
        _require(kinds == {dtype}, entry, f"a {dtype} model returns tensors of {sorted(map(str, kinds))}")
    # determinism: one random_state, one network
    again = make(n_replicas=R, random_state=0)
    params = dict(ens.named_parameters())
    same = all(torch.equal(p, params[n]) for n, p in again.named_parameters())
    _require(same and _equal(tuple(again(x)), tuple(out)), entry, "random_state=0 twice gives two networks")
    other = make(n_replicas=R, random_state=1)
    differs = any(not torch.equal(p, params[n]) for n, p in other.named_parameters())
    _require(differs, entry, "random_state=0 and random_state=1 give the same weights")
    # n_replicas equivalence: replica r is the network built from its seed alone
    for r in range(R):
        single = make(n_replicas=1, replica_seeds=[ens.replica_seeds[r]])
        for name, p in single.named_parameters():
            _require(torch.equal(p[0], params[name][r]), entry, f"replica {r}'s {name} is not its own seed's")
        got = single(x)
        for field in ("outputs", "logits", "hidden"):
            _require(
                torch.equal(getattr(got, field)[0], getattr(out, field)[r]),
                entry,
                f"replica {r} of an ensemble of {R} computes other {field} than the single network of its seed",
            )
        _require(_equal(tuple(ens.replica(r)(x)), tuple(got)), entry, f"model.replica({r}) is not replica {r}")
    # a stream continued from the returned state is the same stream
    head = ens(x[:2])
    tail = ens(x[2:], head.state)
    whole = torch.cat([head.outputs, tail.outputs], dim=1)
    _require(
        torch.allclose(whole, out.outputs, rtol=1e-5, atol=1e-6),
        entry,
        "running a stream in two parts (the second from the first's state) differs from running it whole",
    )


def _check_hopfield(entry: Entry[Any], kwargs: dict[str, Any]) -> None:
    import torch

    from .tasks import random_patterns

    R, P, C, N = 3, 3, 4, 24
    pats = np.stack([random_patterns(P, N, random_state=r) for r in range(R)])
    cues = np.stack([random_patterns(C, N, random_state=10 + r) for r in range(R)])
    ens = MODELS.make(entry.id, n_units=N, n_replicas=R, **kwargs).store(pats)
    res = ens.recall(cues, random_state=5)
    _require(tuple(res.states.shape) == (R, C, N), entry, f"recall states have shape {tuple(res.states.shape)}")
    _require(tuple(res.converged.shape) == (R, C), entry, f"converged has shape {tuple(res.converged.shape)}")
    again = MODELS.make(entry.id, n_units=N, n_replicas=R, **kwargs).store(pats).recall(cues, random_state=5)
    _require(_equal(tuple(again), tuple(res)), entry, "store and recall with random_state=5 twice differ")
    for r in range(R):
        single = MODELS.make(entry.id, n_units=N, n_replicas=1, **kwargs).store(pats[r])
        _require(torch.equal(single.weight[0], ens.weight[r]), entry, f"replica {r} stores other weights alone")
        got = single.recall(cues[r], random_state=5)
        _require(torch.equal(got.states[0], res.states[r]), entry, f"replica {r} recalls other states alone")


def _check_modern_hopfield(entry: Entry[Any], kwargs: dict[str, Any]) -> None:
    import torch

    from .tasks import random_patterns

    R, M, C, d = 3, 5, 4, 16
    pats = np.stack([random_patterns(M, d, random_state=r) for r in range(R)])
    queries = np.stack([random_patterns(C, d, random_state=10 + r) for r in range(R)])
    out = MODELS.make(entry.id, **kwargs).store(pats).retrieve(queries)
    _require(tuple(out.shape) == (R, C, d), entry, f"retrieve returns shape {tuple(out.shape)}; expected (R, C, d)")
    again = MODELS.make(entry.id, **kwargs).store(pats).retrieve(queries)
    _require(_equal(out, again), entry, "store and retrieve twice differ")
    for r in range(R):
        single = MODELS.make(entry.id, **kwargs).store(pats[r]).retrieve(queries[r])
        _require(
            torch.allclose(single[0], out[r], rtol=1e-5, atol=1e-6),
            entry,
            f"replica {r} retrieves other states alone",
        )


def check_model(id: str, /, **kwargs: Any) -> None:
    """Check a registered model against the common contract of its protocol.

    Parameters
    ----------
    id : str
        A model id of :data:`cogrnn.registry.MODELS`.
    **kwargs
        Further constructor arguments (sizes, ensemble and seeds are the check's own).

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> check_model("gru")
    >>> check_model("hopfield", rule="storkey")
    """
    from .models import RecurrentEnsemble

    entry = MODELS.get(id)
    _check_entry_text(entry)
    target = entry.factory
    if isinstance(target, type) and issubclass(target, RecurrentEnsemble):
        _check_recurrent(entry, kwargs)
    elif callable(getattr(target, "recall", None)) and callable(getattr(target, "store", None)):
        _check_hopfield(entry, kwargs)
    elif callable(getattr(target, "retrieve", None)) and callable(getattr(target, "store", None)):
        _check_modern_hopfield(entry, kwargs)
    else:
        raise CheckFailure(
            f"{entry.id} ({entry.provider}): follows no known protocol (a RecurrentEnsemble subclass, "
            "or store/recall, or store/retrieve)"
        )


# -- tasks -------------------------------------------------------------------------------


def check_task(id: str, /, **kwargs: Any) -> None:
    """Check a registered task: ``generate()`` shapes, descriptors, determinism, reference.

    Parameters
    ----------
    id : str
        A task id of :data:`cogrnn.registry.TASKS`.
    **kwargs
        Constructor arguments (default: the task's defaults).

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> check_task("first-bit-recall", lag=5)
    """
    from .exceptions import ConfigError
    from .tasks import Reference, SequenceBatch

    entry = TASKS.get(id)
    _check_entry_text(entry)
    task = TASKS.make(id, **kwargs)
    _require(isinstance(getattr(task, "reference", None), Reference), entry, "carries no Reference")
    for n_streams in (1, 2):
        try:
            batch = task.generate(random_state=0, n_streams=n_streams)
        except ConfigError:
            if n_streams == 1:
                raise
            continue  # a task may make one stream per call
        _require(isinstance(batch, SequenceBatch), entry, f"generate returns {type(batch).__name__}")
        T, B = batch.inputs.shape[:2]
        _require(B == n_streams, entry, f"generate(n_streams={n_streams}) makes {B} streams")
        _require(batch.inputs.ndim == 3 and batch.targets.ndim == 3, entry, "inputs and targets are not (T, B, F)")
        _require(batch.targets.shape[:2] == (T, B), entry, "inputs and targets differ in (T, B)")
        for name, values in batch.descriptors.items():
            shape = np.shape(values)
            _require(shape == (T, B), entry, f"descriptor {name!r} has shape {shape}; expected {(T, B)}")
        _require(len(batch.to_df()) == T * B, entry, f"to_df has {len(batch.to_df())} rows; expected T * B")
        again = task.generate(random_state=0, n_streams=n_streams)
        same = (
            np.array_equal(batch.inputs, again.inputs)
            and np.array_equal(batch.targets, again.targets)
            and batch.descriptors.keys() == again.descriptors.keys()
            and all(np.array_equal(batch.descriptors[k], again.descriptors[k]) for k in batch.descriptors)
        )
        _require(same, entry, f"generate(random_state=0, n_streams={n_streams}) twice gives two batches")


# -- replications ------------------------------------------------------------------------


def _read_json(path: Path, entry: Entry[Any]) -> Any:
    _require(path.is_file(), entry, f"wrote no {path.name}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CheckFailure(f"{entry.id} ({entry.provider}): {path.name} is not JSON ({exc})") from None


def _check_claims(doc: Any, entry: Entry[Any], name: str) -> list[dict[str, Any]]:
    _require(isinstance(doc, dict), entry, "claims.json is not an object")
    _require(set(doc) == {"replication", "all_passed", "claims"}, entry, f"claims.json has keys {sorted(doc)}")
    _require(doc["replication"] == name, entry, f"claims.json names replication {doc['replication']!r}")
    claims = doc["claims"]
    _require(isinstance(claims, list) and len(claims) > 0, entry, "claims.json holds no claims")
    for c in claims:
        _require(isinstance(c, dict) and set(c) == set(CLAIM_FIELDS), entry, f"a claim has keys {sorted(c)}")
        for key, kind in CLAIM_FIELDS.items():
            ok = isinstance(c[key], kind) and (kind is bool or not isinstance(c[key], bool))
            _require(ok, entry, f"claim {c.get('id')!r}: {key} is {c[key]!r}, not {getattr(kind, '__name__', kind)}")
        _require(0 <= c["n_seeds_passed"] <= c["n_seeds"], entry, f"claim {c['id']!r} counts more seeds than it has")
    ids = [c["id"] for c in claims]
    _require(len(set(ids)) == len(ids), entry, f"claims.json repeats claim ids: {ids}")
    _require(doc["all_passed"] is all(c["passed"] for c in claims), entry, "all_passed disagrees with the claims")
    return claims


def _registered_replication(id: str) -> tuple[Entry[Any], Any]:
    """The entry and the replication, after checking that they describe each other."""
    from .replication import Replication

    entry = REPLICATIONS.get(id)
    _check_entry_text(entry)
    rep = get_replication(entry.id)
    _require(isinstance(rep, Replication), entry, f"is a {type(rep).__name__}, not a Replication")
    _require(rep.description == entry.description, entry, "the registered description is not the replication's")
    cite = rep.reference.cite() if hasattr(rep.reference, "cite") else str(rep.reference)
    _require(cite == entry.reference, entry, f"the registered reference is not the replication's ({cite})")
    return entry, rep


def check_replication(id: str, tmp_dir: str | Path, /, n_seeds: int = 2) -> None:
    """Run a registered replication in ``--quick`` mode and check what it writes.

    Checks that the registered name, description and reference are the replication's, runs it
    with ``n_seeds`` seeds into ``tmp_dir`` and checks the run with :func:`check_replication_run`.

    Parameters
    ----------
    id : str
        A replication id of :data:`cogrnn.registry.REPLICATIONS`.
    tmp_dir : path
        An empty folder for the outputs.
    n_seeds : int, default 2
        Seeds of the quick run.

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> import tempfile
    >>> check_replication("elman-xor", tempfile.mkdtemp())  # doctest: +SKIP
    """
    from .replication import run_replication

    entry, rep = _registered_replication(id)
    run_replication(rep, n_seeds=n_seeds, quick=True, out=tmp_dir, quiet=True, argv=["check_replication", entry.id])
    check_replication_run(entry.id, Path(tmp_dir) / rep.name, n_seeds=n_seeds, mode="quick")


def check_replication_run(id: str, folder: str | Path, /, n_seeds: int | None = None, mode: str | None = None) -> None:
    """Check the files of a replication's run, then redraw them with ``--plot-only``.

    ``results.csv`` holds ``seed`` 0..n_seeds-1 and the declared ``columns``; every declared
    extra and measure table, ``figure.png`` and ``figure.pdf`` exist; ``claims.json`` has the
    schema of DESIGN.md section 4; ``provenance.json`` is complete, records every output with
    the file's sha256 and its config with the config's hash; ``--plot-only`` reproduces the
    claims and leaves the tables unchanged.

    Parameters
    ----------
    id : str
        A replication id of :data:`cogrnn.registry.REPLICATIONS`.
    folder : path
        The run's folder (``out/<name>``).
    n_seeds : int, optional
        The seeds the run must hold (default: those its provenance records).
    mode : {"quick", "full"}, optional
        The mode the provenance must record (default: either).

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> import tempfile; from cogrnn.replication import run_replication
    >>> out = tempfile.mkdtemp()
    >>> _ = run_replication(get_replication("elman-xor"), n_seeds=2, quick=True, out=out, quiet=True)  # doctest: +SKIP
    >>> check_replication_run("elman-xor", f"{out}/elman-xor")  # doctest: +SKIP
    """
    import pandas as pd

    from .replication import run_replication

    entry, rep = _registered_replication(id)
    folder = Path(folder)
    _require(folder.is_dir() and folder.name == rep.name, entry, f"{folder} is not a folder named {rep.name!r}")
    prov = _read_json(folder / "provenance.json", entry)
    _require(isinstance(prov, dict), entry, "provenance.json is not an object")
    absent = [k for k in PROVENANCE_FIELDS if k not in prov]
    _require(not absent, entry, f"provenance.json lacks {absent}")
    n_seeds = prov["n_seeds"] if n_seeds is None else n_seeds
    tables = [f"{t}.parquet" for t in (*rep.extra_tables, *rep.measure_tables)]
    files = {p.name for p in folder.iterdir()}
    missing = sorted((set(CONTRACT_FILES) | set(tables)) - files)
    _require(not missing, entry, f"wrote no {', '.join(missing)}")
    _require(not [f for f in files if f.startswith(".")], entry, "left temporary files behind")
    results = pd.read_csv(folder / "results.csv")
    absent = [c for c in ("seed", *rep.columns) if c not in results.columns]
    _require(not absent, entry, f"results.csv lacks the declared column(s) {absent}")
    seeds = sorted(pd.unique(results["seed"]).tolist())
    _require(seeds == list(range(n_seeds)), entry, f"results.csv holds seeds {seeds[:10]}, not 0..{n_seeds - 1}")
    for t in rep.extra_tables:
        _require("seed" in pd.read_parquet(folder / f"{t}.parquet").columns, entry, f"{t}.parquet has no seed")
    claims = _check_claims(_read_json(folder / "claims.json", entry), entry, rep.name)
    _require(prov["complete"] is True and prov["replication"] == rep.name, entry, "provenance.json is not complete")
    _require(prov["n_seeds"] == n_seeds and len(prov["seeds"]) == n_seeds, entry, "provenance records other seeds")
    _require(mode is None or prov["mode"] == mode, entry, f"provenance records mode {prov['mode']!r}, not {mode!r}")
    outputs = files - {"provenance.json"}
    _require(set(prov["outputs_sha256"]) == outputs, entry, f"provenance hashes {sorted(prov['outputs_sha256'])}")
    for file, digest in prov["outputs_sha256"].items():
        actual = hashlib.sha256((folder / file).read_bytes()).hexdigest()
        _require(actual == digest, entry, f"the sha256 of {file} is not the one in provenance.json")
    config = rep.config_class.from_dict(prov["config"])
    _require(config.config_hash() == prov["config_hash"], entry, "provenance's config_hash is not its config's")
    before = {f: (folder / f).read_bytes() for f in ("results.csv", *tables)}
    argv = ["check_replication_run", entry.id, "--plot-only"]
    run_replication(rep, out=folder.parent, plot_only=True, quiet=True, argv=argv)
    redrawn = _check_claims(_read_json(folder / "claims.json", entry), entry, rep.name)
    _require(redrawn == claims, entry, "--plot-only does not reproduce the claims")
    changed = [f for f, data in before.items() if (folder / f).read_bytes() != data]
    _require(not changed, entry, f"--plot-only changed {changed}")
    again = _read_json(folder / "provenance.json", entry)
    same = all(again.get(k) == prov[k] for k in ("root_seed", "n_seeds", "seeds", "config", "config_hash", "mode"))
    _require(same, entry, "--plot-only recorded other seeds, root seed, config or mode than the run's")


# -- the registry ------------------------------------------------------------------------


def registry_entries(kinds: tuple[str, ...] = ("model", "task", "replication")) -> list[tuple[str, str]]:
    """``(kind, id)`` of every registered entry (plugins included), for parametrised tests.

    Parameters
    ----------
    kinds : tuple of str
        Among ``"model"``, ``"task"``, ``"replication"``.

    Returns
    -------
    list of (str, str)
        Kind and versioned id, in registration order.

    Examples
    --------
    >>> ("model", "elman-v1") in registry_entries()
    True
    """
    return [(kind, e.id) for kind in kinds for e in _KINDS[kind].entries()]


def check_entry(kind: str, id: str, tmp_dir: str | Path | None = None) -> None:
    """Check one registered entry with the battery of its kind.

    Parameters
    ----------
    kind : {"model", "task", "replication"}
        The registry.
    id : str
        The entry's id.
    tmp_dir : path, optional
        Output folder of a replication's run (required for replications).

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> check_entry("task", "temporal-xor")
    """
    if kind == "replication":
        if tmp_dir is None:
            raise ValueError("checking a replication needs tmp_dir, a folder for its outputs")
        check_replication(id, tmp_dir)
        return
    checks: dict[str, Callable[..., None]] = {"model": check_model, "task": check_task}
    if kind not in checks:
        raise ValueError(f"kind must be 'model', 'task' or 'replication'; got {kind!r}")
    checks[kind](id)


def check_registry(tmp_dir: str | Path, kinds: tuple[str, ...] = ("model", "task", "replication")) -> None:
    """Check every registered entry of ``kinds`` (plugins included).

    Parameters
    ----------
    tmp_dir : path
        A folder for the replications' outputs (one subfolder per replication).
    kinds : tuple of str
        Among ``"model"``, ``"task"``, ``"replication"``.

    Returns
    -------
    None
        Raises :class:`CheckFailure` on the first failed check.

    Examples
    --------
    >>> import tempfile
    >>> check_registry(tempfile.mkdtemp(), kinds=("model",))
    """
    for kind, id in registry_entries(kinds):
        folder = Path(tmp_dir) / id
        folder.mkdir(parents=True, exist_ok=True)
        check_entry(kind, id, folder)
