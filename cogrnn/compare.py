"""Compare architectures on one replication: the same seeds and streams, one model at a time.

:func:`run_compare` runs a replication whose configuration has ``model`` and ``layers``
(the Elman replications) once per architecture, with the same seeds, root seed and
configuration otherwise: every model of a seed trains and is tested on the same streams,
which the replications derive from the seed alone. It writes into ``out``:

* ``<label>/<name>/``: the ordinary outputs of each architecture's run (``label`` is the
  model, e.g. ``lstm``, or ``lstm-2l`` for two layers);
* ``results.csv``: the runs' results tables, one above the other, with ``model`` and
  ``layers`` columns first;
* ``claims.csv`` and ``claims.json``: model x claim (seeds passed per model); every claim
  record carries a ``model`` field; ``applies_to`` says when a claim is specific to the
  SRN's mechanism (the replication's ``mechanism_claims``);
* ``paired.csv``: for the measure behind each claim (the replication's ``claim_measures``)
  and each pair of models, paired over seeds: mean difference, bootstrap 95% CI, Cohen's
  d_z, t-test and Wilcoxon p (:func:`cogrnn.analysis.comparisons.paired_comparison`);
* ``figure.png``/``figure.pdf``: one panel per measure, a dot per seed and model, the mean
  with its bootstrap CI, the paper's value where it gives one;
* ``provenance.json`` (written last): the models, the sha256 of every run's provenance and
  outputs, and of the files above.

``plot_only=True`` re-reads the runs after verifying them (as ``cogrnn replicate
--plot-only`` does, plus the comparison's own hashes) and redraws the figure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._docs import docdict
from ._version import __version__
from .config import check_int
from .exceptions import ConfigError, DataError
from .io import atomic_write_bytes, check_out_path, ensure_writable_dir, sha256_file, write_csv, write_json
from .provenance import code_version, file_hashes, utc_now
from .random import check_seed_count

__all__ = ["CompareResult", "claim_measure_table", "parse_models", "parse_layers", "run_compare", "model_label"]

TOP_FILES = ("results.csv", "claims.csv", "claims.json", "paired.csv")
FIGURES = ("figure.png", "figure.pdf")
MEASURE_COLUMNS = ["seed", "claim", "measure", "value", "paper"]

docdict["claim_measures"] = """
Parameters
----------
results : DataFrame
    The results table.
extras : dict of str to DataFrame
    The extra and measure tables.

Returns
-------
pandas.DataFrame
    One row per claim and seed: ``seed``, ``claim``, ``measure`` (what is measured),
    ``value`` and ``paper`` (the paper's value, NaN when it gives none), from
    :func:`cogrnn.compare.claim_measure_table`.
"""


@dataclass
class CompareResult:
    """What :func:`run_compare` produced.

    Parameters
    ----------
    name : str
        The replication.
    out_dir : pathlib.Path
        The comparison's folder.
    labels : list of str
        One label per architecture, in order (the ``model`` column).
    claims : pandas.DataFrame
        ``claims.csv``: one row per model and claim.
    paired : pandas.DataFrame
        ``paired.csv``: one row per measure and pair of models.
    wall_time_s : float
        Wall-clock time, seconds.

    Examples
    --------
    >>> CompareResult("toy", Path("."), ["elman"], pd.DataFrame(), pd.DataFrame(), 0.0).labels
    ['elman']
    """

    name: str
    out_dir: Path
    labels: list[str]
    claims: pd.DataFrame
    paired: pd.DataFrame
    wall_time_s: float


def parse_models(text: str) -> list[str]:
    """Parse ``--models elman,lstm``: distinct architectures of :data:`cogrnn.training.ARCHITECTURES`.

    Parameters
    ----------
    text : str
        Comma-separated model names.

    Returns
    -------
    list of str
        The names, in the order given.

    Examples
    --------
    >>> parse_models("elman, lstm")
    ['elman', 'lstm']
    """
    from .training import ARCHITECTURES

    names = [t.strip() for t in str(text).split(",") if t.strip()]
    if not names:
        raise ConfigError("--models needs at least one model, e.g. --models elman,lstm")
    for n in names:
        if n not in ARCHITECTURES:
            raise ConfigError(f"--models: unknown model {n!r}; known: {', '.join(ARCHITECTURES)}")
    if len(set(names)) < len(names):
        raise ConfigError(f"--models names a model twice: {text!r}")
    return names


def parse_layers(text: str | None) -> list[int]:
    """Parse ``--layers 1,2`` (default ``[1]``): distinct layer counts >= 1.

    Parameters
    ----------
    text : str or None
        Comma-separated integers.

    Returns
    -------
    list of int
        The layer counts, in the order given.

    Examples
    --------
    >>> parse_layers("1,2"), parse_layers(None)
    ([1, 2], [1])
    """
    from .config import parse_int

    if text is None:
        return [1]
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not items:
        raise ConfigError("--layers needs at least one number, e.g. --layers 1,2")
    values = [parse_int("--layers", t, low=1, high=64) for t in items]
    if len(set(values)) < len(values):
        raise ConfigError(f"--layers names a number twice: {text!r}")
    return values


def model_label(model: str, layers: int) -> str:
    """The label of an architecture in the comparison's tables and folders.

    Parameters
    ----------
    model : str
        The model name.
    layers : int
        Its layers.

    Returns
    -------
    str
        ``model`` for one layer, ``model-<layers>l`` otherwise.

    Examples
    --------
    >>> model_label("lstm", 1), model_label("lstm", 2)
    ('lstm', 'lstm-2l')
    """
    return model if layers == 1 else f"{model}-{layers}l"


def claim_measure_table(measures: Mapping[str, tuple[str, pd.Series, float]]) -> pd.DataFrame:
    """The per-seed measure behind each claim, as a replication's ``claim_measures`` returns it.

    Parameters
    ----------
    measures : mapping of str to (str, pandas.Series, float)
        Claim id -> (what is measured, the value per seed indexed by seed, the paper's value
        or NaN when the paper gives none).

    Returns
    -------
    pandas.DataFrame
        Columns ``seed``, ``claim``, ``measure``, ``value``, ``paper``, one row per claim and seed.

    Examples
    --------
    >>> t = claim_measure_table({"c": ("ratio", pd.Series([0.2, 0.3], index=[0, 1]), 0.25)})
    >>> t.columns.tolist(), t["value"].tolist()
    (['seed', 'claim', 'measure', 'value', 'paper'], [0.2, 0.3])
    """
    frames = []
    for claim, (what, values, paper) in measures.items():
        v = pd.Series(values, dtype=np.float64)
        frames.append(
            pd.DataFrame(
                {
                    "seed": np.asarray(v.index, dtype=np.int64),
                    "claim": claim,
                    "measure": what,
                    "value": v.to_numpy(),
                    "paper": float(paper),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[MEASURE_COLUMNS]


def _check_replication(replication: Any) -> None:
    fields = {f.name for f in dataclasses.fields(replication.config_class)}
    if not {"model", "layers"} <= fields:
        raise ConfigError(
            f"{replication.name} has no model/layers in its configuration (--model/--layers and compare are for "
            "the Elman replications; gradient-flow compares its architectures in its own design)"
        )


def _runs(models: Sequence[str], layers: Sequence[int]) -> list[tuple[str, str, int]]:
    """(label, model, layers) of every run, models varying fastest."""
    return [(model_label(m, n), m, n) for n in layers for m in models]


def _read_run(replication: Any, folder: Path) -> tuple[dict[str, Any], pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """One architecture's verified run: provenance, results, extras and its claims.json."""
    from .replication import read_verified

    record, results, extras, _ = read_verified(replication, folder)
    claims_path = folder / "claims.json"
    data = claims_path.read_bytes() if claims_path.is_file() else b""
    if hashlib.sha256(data).hexdigest() != record["outputs_sha256"].get("claims.json"):
        raise DataError(f"{claims_path} does not match the sha256 in provenance.json (changed, truncated or replaced)")
    return record, results, extras, json.loads(data)


def _paired(measures: pd.DataFrame, labels: Sequence[str], root: int) -> pd.DataFrame:
    from .analysis.comparisons import paired_comparison

    rows = []
    for (claim, what), g in measures.groupby(["claim", "measure"], sort=False):
        for a, b in itertools.combinations(labels, 2):
            row: dict[str, Any] = {"claim": claim, "measure": what}
            try:
                row.update(paired_comparison(g, "value", "model", a, b, random_state=root).iloc[0].to_dict())
            except DataError as exc:  # fewer than 2 seeds with both values
                row.update({"a": a, "b": b, "n_pairs": int(g.dropna(subset=["value"])["seed"].nunique()),
                            "note": str(exc)})  # fmt: skip
            rows.append(row)
    columns = ["claim", "measure", "a", "b", "mean_a", "mean_b", "mean_difference", "ci_low", "ci_high",
               "cohens_dz", "t_test_p", "wilcoxon_p", "n_pairs", "note"]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=columns)


def _plot(measures: pd.DataFrame, claims: pd.DataFrame, labels: Sequence[str], caption: str, root: int) -> Any:
    import matplotlib.pyplot as plt

    from .analysis.stats import bootstrap_ci
    from .viz import add_caption

    groups = list(measures.groupby(["claim", "measure"], sort=False))
    n = max(len(groups), 1)
    ncols = min(4, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.2 * nrows + 0.6), layout="constrained",
                             squeeze=False)  # fmt: skip
    passed = claims.set_index(["claim", "model"])
    rng = np.random.default_rng(root)
    for ax, ((claim, what), g) in zip(axes.ravel(), groups):
        wide = g.pivot_table(index="seed", columns="model", values="value").reindex(columns=list(labels))
        xs = np.arange(len(labels))
        jitter = rng.uniform(-0.12, 0.12, size=len(wide))
        for k in range(len(wide)):  # one grey line per seed: the pairing
            ax.plot(xs + jitter[k], wide.iloc[k].to_numpy(), color="0.8", lw=0.6, zorder=1)
        for i, label in enumerate(labels):
            v = wide[label].dropna().to_numpy()
            ax.scatter(np.full(len(wide), i) + jitter, wide[label], s=12, color=f"C{i}", zorder=2)
            if v.size:
                lo, hi = bootstrap_ci(v, random_state=root)
                ax.errorbar(i + 0.3, v.mean(), yerr=[[v.mean() - lo], [hi - v.mean()]], fmt="o", color="k",
                            ms=4, capsize=3, zorder=3)  # fmt: skip
        paper = g["paper"].dropna()
        if len(paper):
            ax.axhline(float(paper.iloc[0]), color="k", ls="--", lw=0.9, label="paper")
            ax.legend(loc="best", fontsize=7, frameon=False)
        ticks = []
        for label in labels:
            key = (claim, label)
            row = passed.loc[key] if key in passed.index else None
            ticks.append(label if row is None else f"{label}\n{int(row['n_seeds_passed'])}/{int(row['n_seeds'])}")
        ax.set_xticks(xs, ticks, fontsize=8)
        specific = (claims.loc[claims["claim"] == claim, "applies_to"] != "all").any()
        ax.set_title(claim + ("\n(specific to the SRN's mechanism)" if specific else ""), fontsize=9)
        ax.set_ylabel("\n".join(_wrap(what, 38)), fontsize=7)
    for ax in axes.ravel()[len(groups) :]:
        ax.axis("off")
    return add_caption(fig, caption)


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _write_outputs(
    replication: Any, out: Path, runs: Sequence[tuple[str, str, int]], root: int, caption_head: str
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Read every run (verified), write the combined tables and the figure; return the runs' records."""
    import matplotlib.pyplot as plt

    from .replication import _figures

    records: dict[str, Any] = {}
    tables, claim_rows, claim_docs, measure_frames = [], [], [], []
    notes = dict(getattr(replication, "mechanism_claims", {}))
    for label, model, layers in runs:
        folder = out / label / replication.name
        record, results, extras, claims_doc = _read_run(replication, folder)
        config = record.get("config", {})
        if config.get("model") != model or int(config.get("layers", 0)) != layers:
            raise DataError(f"{folder} is a run of model {config.get('model')!r} with {config.get('layers')} layers, "
                            f"not {model!r} with {layers}; rerun without --plot-only")  # fmt: skip
        records[label] = record
        tables.append(results.assign(model=label, layers=layers)[["model", "layers", *results.columns]])
        for c in claims_doc["claims"]:
            claim_rows.append({
                "model": label, "layers": layers, "claim": c["id"], "passed": bool(c["passed"]),
                "n_seeds_passed": int(c["n_seeds_passed"]), "n_seeds": int(c["n_seeds"]),
                "applies_to": "srn-mechanism" if c["id"] in notes else "all", "note": notes.get(c["id"], ""),
                "measured": c["measured"], "criterion": c["criterion"],
            })  # fmt: skip
            claim_docs.append({**c, "model": label, "layers": layers, "applies_to": claim_rows[-1]["applies_to"],
                               "note": claim_rows[-1]["note"]})  # fmt: skip
        if hasattr(replication, "claim_measures"):
            measure_frames.append(replication.claim_measures(results, extras).assign(model=label))
    first = records[runs[0][0]]
    for label, record in records.items():  # the same seeds (hence the same streams) for every model
        if record.get("seeds") != first.get("seeds") or record.get("root_seed") != first.get("root_seed"):
            raise DataError(f"the run of {label} has other seeds than the run of {runs[0][0]}; rerun the comparison")
    measures = pd.concat(measure_frames, ignore_index=True) if measure_frames else pd.DataFrame(
        columns=[*MEASURE_COLUMNS, "model"])  # fmt: skip
    labels = [r[0] for r in runs]
    paired = _paired(measures, labels, root)
    claims = pd.DataFrame(claim_rows)
    write_csv(out / "results.csv", pd.concat(tables, ignore_index=True))
    write_csv(out / "claims.csv", claims)
    write_json(out / "claims.json", {
        "replication": replication.name, "models": labels,
        "all_passed": {label: bool(claims.loc[claims.model == label, "passed"].all()) for label in labels},
        "claims": claim_docs,
    })  # fmt: skip
    write_csv(out / "paired.csv", paired)
    hashes = {f: sha256_file(out / f) for f in TOP_FILES}
    caption = f"{caption_head} | results.csv sha256 {hashes['results.csv'][:12]}"
    fig = _plot(measures, claims, labels, caption, root)
    try:
        drawn = _figures(fig, [f.rsplit(".", 1)[1] for f in FIGURES])
        for f in FIGURES:
            atomic_write_bytes(out / f, drawn[f.rsplit(".", 1)[1]])
    finally:
        plt.close(fig)
    return records, claims, paired, hashes


def run_compare(
    replication: Any,
    models: Sequence[str],
    *,
    layers: Sequence[int] = (1,),
    n_seeds: int | None = None,
    root_seed: int | None = None,
    quick: bool = False,
    out: str | Path = "compare",
    plot_only: bool = False,
    quiet: bool = False,
    workers: int | None = None,
    argv: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
    reuse: bool = False,
) -> CompareResult:
    """Run ``replication`` once per architecture on the same seeds; write the comparison into ``out``.

    Parameters
    ----------
    replication : Replication
        A replication whose configuration has ``model`` and ``layers`` (the Elman replications).
    models : sequence of str
        Architectures (``"elman"``, ``"jordan"``, ``"lstm"``, ``"gru"``), in the order of the tables.
    layers : sequence of int, default (1,)
        Layer counts; every model runs with each.
    n_seeds, root_seed : int, optional
        Seeds and root seed (default: the replication's), the same for every model.
    quick : bool, default False
        The replication's quick configuration.
    out : str or pathlib.Path, default "compare"
        The comparison's folder (the runs go to ``out/<label>/<name>/``).
    plot_only : bool, default False
        Verify the earlier comparison in ``out`` and its runs, rebuild the tables and redraw the
        figure; ``models`` and ``layers`` must be the recorded ones, the other options unset.
    quiet : bool, default False
        No progress output.
    workers : int, optional
        Processes over blocks of seeds, for each run.
    argv : sequence of str, optional
        The command line, recorded in the provenance.
    overrides : dict, optional
        Further configuration changes (``--set``), the same for every model (not ``model``, ``layers``).
    reuse : bool, default False
        Read, instead of recomputing, a model's earlier run in ``out/<label>/<name>`` when it verifies
        (as ``--plot-only``) and has this comparison's configuration, seeds, root seed and mode (to
        resume an interrupted comparison, or to assemble runs made side by side with
        ``cogrnn replicate NAME --model M --out out/<label>``); the provenance lists the reused runs.

    Returns
    -------
    CompareResult
        The folder, labels, claims table and paired comparisons.

    Examples
    --------
    Two runs of a replication take seconds (tests/test_compare.py runs this):

    >>> import tempfile; from cogrnn import replications
    >>> res = run_compare(replications.get("elman-xor"), ["elman", "jordan"], n_seeds=2, quick=True, quiet=True,
    ...                   out=tempfile.mkdtemp(), overrides={"epochs": 2, "test_triples": 10})  # doctest: +SKIP
    >>> res.labels, sorted(set(res.paired["a"] + "-" + res.paired["b"]))  # doctest: +SKIP
    (['elman', 'jordan'], ['elman-jordan'])
    """
    from .replication import MAX_WORKERS, output_folder, run_replication

    started = time.perf_counter()
    start_time = utc_now()
    _check_replication(replication)
    models = list(models)
    layers = [check_int("layers", n, low=1, high=64) for n in layers]
    overrides = dict(overrides or {})
    given = sorted({"model", "layers"} & set(overrides))
    if given:
        raise ConfigError(f"compare sets {' and '.join(given)} itself (--models, --layers); drop --set {given[0]}")
    runs = _runs(models, layers)
    if not runs:
        raise ConfigError("compare needs at least one model")
    folder = ensure_writable_dir(check_out_path(out))
    prov_path = folder / "provenance.json"
    if plot_only:
        given_flags = {"--seeds": n_seeds is not None, "--seed": root_seed is not None, "--quick": quick,
                       "--workers": workers is not None, "--set": bool(overrides), "--reuse": reuse}  # fmt: skip
        refused = [flag for flag, on in given_flags.items() if on]
        if refused:
            raise ConfigError(f"--plot-only takes seeds, root seed and configuration from the comparison's "
                              f"provenance; drop {', '.join(refused)}")  # fmt: skip
        record = _read_compare_record(prov_path, replication)
        recorded = [(r["label"], r["model"], int(r["layers"])) for r in record["runs"]]
        if recorded != runs:
            raise ConfigError(f"{prov_path} compares {', '.join(r[0] for r in recorded)}; give those --models/--layers")
        for f in TOP_FILES:
            path = folder / f
            if not path.is_file() or sha256_file(path) != record["outputs_sha256"].get(f):
                raise DataError(f"{path} does not match the sha256 in provenance.json (changed, truncated or replaced)")
        root = int(record["root_seed"])
        n_seeds, quick, overrides = int(record["n_seeds"]), record["mode"] == "quick", dict(record["overrides"])
        wall_times = {r["label"]: r["wall_time_s"] for r in record["runs"]}
    else:
        n_seeds = check_seed_count("--seeds", replication.default_seeds if n_seeds is None else n_seeds)
        root = replication.default_root_seed if root_seed is None else root_seed
        from .random import MAX_ROOT_SEED

        root = check_int("--seed", root, low=0, high=MAX_ROOT_SEED)
        if workers is not None:
            check_int("--workers", workers, low=1, high=MAX_WORKERS)
        for label, model, n in runs:  # every configuration and output folder is valid before anything runs
            replication.config(quick=quick).with_values({**overrides, "model": model, "layers": n})
            output_folder(replication, folder / label)
        wall_times, reused = {}, []
        for label, model, n in runs:
            changes = {**overrides, "model": model, "layers": n}
            if reuse:
                earlier = _reusable(replication, folder / label / replication.name, changes, n_seeds, root, quick)
                if earlier is not None:
                    wall_times[label] = earlier
                    reused.append(label)
                    continue
            if not quiet:
                print(f"compare {replication.name}: {label}", file=sys.stderr)
            res = run_replication(
                replication, n_seeds=n_seeds, root_seed=root, quick=quick, out=folder / label, quiet=quiet,
                workers=workers, argv=argv, overrides=changes,
            )  # fmt: skip
            wall_times[label] = round(res.wall_time_s, 3)
    head = (
        f"cogrnn {__version__} | compare {replication.name}: {', '.join(r[0] for r in runs)} | seeds {n_seeds} "
        f"(root {root}){' quick' if quick else ''}"
        + (f" | set {', '.join(f'{k}={v}' for k, v in overrides.items())}" if overrides else "")
    )
    records, claims, paired, hashes = _write_outputs(replication, folder, runs, root, head)
    wall = time.perf_counter() - started
    if plot_only:
        provenance = dict(record)
        provenance["redrawn"] = {"argv": list(argv if argv is not None else sys.argv), "end_time": utc_now(),
                                 "git": code_version()}  # fmt: skip
    else:
        provenance = {
            "comparison": replication.name,
            "replication_id": records[runs[0][0]].get("replication_id"),
            "cogrnn_version": __version__,
            "git": code_version(),
            "argv": list(argv if argv is not None else sys.argv),
            "mode": "quick" if quick else "full",
            "n_seeds": n_seeds,
            "root_seed": root,
            "overrides": overrides,
            "streams": "every model of a seed trains and is tested on the same streams: the replication derives "
            "them from the seed alone (the runs' seeds are checked equal)",
            "runs": [
                {
                    "label": label,
                    "model": model,
                    "layers": n,
                    "folder": f"{label}/{replication.name}",
                    "config_hash": records[label]["config_hash"],
                    "wall_time_s": wall_times[label],
                    "provenance_sha256": sha256_file(folder / label / replication.name / "provenance.json"),
                    "outputs_sha256": records[label]["outputs_sha256"],
                }
                for label, model, n in runs
            ],
            "reused": reused,
            "start_time": start_time,
            "end_time": utc_now(),
            "wall_time_s": round(wall, 3),
        }
    provenance["outputs_sha256"] = {**hashes, **file_hashes([folder / f for f in FIGURES], root=folder)}
    provenance["complete"] = True
    write_json(prov_path, provenance)
    return CompareResult(replication.name, folder, [r[0] for r in runs], claims, paired, wall)


def _reusable(
    replication: Any, folder: Path, changes: dict[str, Any], n_seeds: int, root: int, quick: bool
) -> float | None:
    """The recorded wall time of a verified earlier run with this configuration, seeds and mode; else None."""
    if not (folder / "provenance.json").is_file():
        return None
    record, _, _, _ = _read_run(replication, folder)  # refuses a tampered run
    config = replication.config(quick=quick).with_values(changes)
    same = (
        record.get("config_hash") == config.config_hash() and record.get("n_seeds") == n_seeds
        and record.get("root_seed") == root and record.get("mode") == ("quick" if quick else "full")
    )  # fmt: skip
    return float(record.get("wall_time_s", float("nan"))) if same else None


def _read_compare_record(prov_path: Path, replication: Any) -> dict[str, Any]:
    if not prov_path.is_file():
        raise DataError(f"{prov_path} does not exist; run the comparison without --plot-only first")
    try:
        record = json.loads(prov_path.read_text(encoding="utf-8"))
        ok = (
            record.get("complete") is True and isinstance(record.get("runs"), list)
            and isinstance(record.get("outputs_sha256"), dict) and isinstance(record.get("overrides"), dict)
            and isinstance(record.get("root_seed"), int) and isinstance(record.get("n_seeds"), int)
        )  # fmt: skip
        if ok:
            for r in record["runs"]:
                ok = ok and {"label", "model", "layers", "provenance_sha256", "wall_time_s"} <= set(r)
    except (ValueError, UnicodeDecodeError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise DataError(f"{prov_path} is damaged or incomplete; rerun the comparison without --plot-only")
    if record.get("comparison") != replication.name:
        raise DataError(f"{prov_path} is a comparison of {record.get('comparison')!r}, not of {replication.name!r}")
    for r in record["runs"]:
        path = prov_path.parent / str(r["label"]) / replication.name / "provenance.json"
        data = path.read_bytes() if path.is_file() else None
        if data is None or hashlib.sha256(data).hexdigest() != r["provenance_sha256"]:
            raise DataError(
                f"{path} does not match the sha256 in the comparison's provenance.json; rerun the comparison"
            )
        # the seeds, mode and changes the caption states are the ones each (hashed) run records
        run = json.loads(data.decode("utf-8"))
        stated = {"root_seed": record["root_seed"], "n_seeds": record["n_seeds"], "mode": record.get("mode"),
                  "overrides": {**record["overrides"], "model": r["model"], "layers": r["layers"]}}  # fmt: skip
        differing = [k for k, v in stated.items() if run.get(k) != v]
        if {"model", "layers"} & set(record["overrides"]):  # compare sets them per run, never for all
            differing.append("overrides")
        if differing:
            raise DataError(
                f"{prov_path}: {' and '.join(dict.fromkeys(differing))} not those of run {r['label']} "
                "(its provenance.json); rerun the comparison without --plot-only"
            )
    return dict(record)
