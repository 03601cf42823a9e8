"""Issue 13: nothing silently wrong, nothing lost.

Each observation of the issue is a test here: the runner's verified outputs, atomic
result sets, bounded and strictly parsed inputs, ``--set``, provenance. The runner is
exercised with a tiny replication (:class:`Toy`, milliseconds per run) so that these
tests are fast; the identity of numbers across execution paths for the real
replications is in ``test_reliability_paths.py``, the fault injections (kill -9,
Ctrl-C, concurrent runs) in ``test_reliability_faults.py``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cogrnn.config import Config, check_choice, check_float, check_int
from cogrnn.exceptions import ConfigError, DataError
from cogrnn.provenance import git_info
from cogrnn.replication import Claim, Replication, run_replication
from cogrnn.tasks.base import Reference


@dataclass(frozen=True)
class ToyConfig(Config):
    n_steps: int = 6
    scale: float = 1.0
    mode: str = "plain"
    sizes: tuple[int, ...] = (1, 2)
    flag: bool = False

    def __post_init__(self) -> None:
        check_int("n_steps", self.n_steps, low=1, high=1000)
        check_float("scale", self.scale, low=0.0, low_inclusive=False)
        check_choice("mode", self.mode, ("plain", "fancy"))


class Toy(Replication):
    """A replication in miniature: per-seed random numbers, one claim, an extra table."""

    name = "toy"
    description = "toy replication for the runner's tests"
    reference = Reference("Nobody", 2026, "A toy", "Tests")
    columns = ("seed", "t", "value")
    default_seeds = 3
    config_class = ToyConfig
    extra_tables = ("summary",)
    captions: list[str] = []

    def config(self, quick: bool = False) -> ToyConfig:
        return ToyConfig(n_steps=4) if quick else ToyConfig()

    def compute(self, config, seeds, quiet):
        rows, summary = [], []
        for r, s in enumerate(seeds):
            x = np.random.default_rng(s.spawn(1)[0]).normal(size=config.n_steps) * config.scale
            rows.append(pd.DataFrame({"seed": r, "t": np.arange(config.n_steps), "value": x, "label": "a"}))
            summary.append({"seed": r, "mean": float(x.mean())})
        return {"results": pd.concat(rows, ignore_index=True), "summary": pd.DataFrame(summary)}

    def check_claims(self, results, extras):
        per_seed = results.groupby("seed")["value"].mean()
        ok = bool((per_seed.abs() < 10).all())
        return [Claim("small", "values are small", "-", f"max |mean| {per_seed.abs().max():.3f}", "< 10", ok,
                      int(per_seed.size), int((per_seed.abs() < 10).sum()))]  # fmt: skip

    def plot(self, results, extras, caption):
        import matplotlib.pyplot as plt

        Toy.captions.append(caption)
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(results["t"], results["value"], ".")
        return fig


TOY = Toy()


def _run(tmp_path, **kw):
    return run_replication(TOY, out=tmp_path, quiet=True, argv=["test"], **kw)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- verified outputs ------------------------------------------------------------------


def test_run_writes_a_complete_verifiable_set_and_plot_only_redraws_it(tmp_path):
    res = _run(tmp_path, n_seeds=3, root_seed=7)
    folder = tmp_path / "toy"
    assert res.out_dir == folder
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["toy"]  # no staging folder left
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["complete"] is True and prov["n_seeds"] == 3 and prov["root_seed"] == 7
    assert set(prov["outputs_sha256"]) == {"results.csv", "summary.parquet", "figure.png", "figure.pdf", "claims.json"}
    assert prov["schema"]["results.csv"]["columns"] == {"seed": "integer", "t": "integer", "value": "float",
                                                        "label": "string"}  # fmt: skip
    Toy.captions.clear()
    again = run_replication(TOY, out=tmp_path, quiet=True, plot_only=True, argv=["redraw"])
    # the redraw takes seeds, root and config from the run: the caption says root 7
    assert "seeds 3 (root 7)" in Toy.captions[-1] and f"config {prov['config_hash']}" in Toy.captions[-1]
    assert [c.to_dict() for c in again.claims] == json.loads((folder / "claims.json").read_text())["claims"]
    redrawn = json.loads((folder / "provenance.json").read_text())
    assert redrawn["argv"] == ["test"] and redrawn["redrawn"]["argv"] == ["redraw"]
    assert redrawn["outputs_sha256"]["results.csv"] == prov["outputs_sha256"]["results.csv"]
    # and a redrawn set is itself verifiable
    run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)


def _tamper_csv(folder: Path, edit) -> None:
    path = folder / "results.csv"
    path.write_text(edit(path.read_text()))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


TAMPERINGS = {
    "changed value": lambda t: t.replace(_lines(t)[2].split(",")[2], "9.5", 1),
    "duplicated rows": lambda t: t + "".join(_lines(t)[1:4]),
    "copied extra seed": lambda t: t + "".join(line.replace("2,", "3,", 1) for line in _lines(t) if line[:2] == "2,"),
    "truncated mid-line": lambda t: t[: len(t) // 2],
    "truncated mid-number": lambda t: t[: t.rindex(".") + 3],
    "nan in a third of a column": lambda t: "".join(
        line if i == 0 or i % 3 else ",".join([*line.split(",")[:2], "nan", *line.split(",")[3:]])
        for i, line in enumerate(_lines(t))
    ),
    "string dtype": lambda t: "".join(line.replace(",a", ",a").replace(".", "x", 1) for line in _lines(t)),
    "dropped column": lambda t: "".join(",".join(line.rstrip("\n").split(",")[:3]) + "\n" for line in _lines(t)),
    "empty file": lambda t: "",
}


#: a forger who also writes the new sha256 into provenance.json: the schema check still refuses
#: these (a consistent forgery of a single value cannot be detected, and is not listed)
FORGED = [(how, True) for how in TAMPERINGS if how != "changed value"]
#: the check that refuses each forgery
FORGED_REASON = {
    "duplicated rows": "has 21 rows; the run wrote 18",
    "copied extra seed": "has 24 rows; the run wrote 18",
    "truncated mid-line": "hold NaN; the run wrote none there",
    "truncated mid-number": "hold NaN; the run wrote none there",
    "nan in a third of a column": "column(s) value hold NaN",
    "string dtype": "column 'value' holds string values; the run wrote float values",
    "dropped column": "lacks column(s) label",
    "empty file": "is not a readable table",
}


@pytest.mark.parametrize("how, also_fix_the_hash", [(how, False) for how in TAMPERINGS] + FORGED)
def test_plot_only_refuses_a_tampered_results_file(tmp_path, how, also_fix_the_hash):
    _run(tmp_path, n_seeds=3, root_seed=1)
    folder = tmp_path / "toy"
    before = (folder / "claims.json").read_bytes()
    _tamper_csv(folder, TAMPERINGS[how])
    if also_fix_the_hash:
        from cogrnn.io import sha256_file

        prov = json.loads((folder / "provenance.json").read_text())
        prov["outputs_sha256"]["results.csv"] = sha256_file(folder / "results.csv")
        (folder / "provenance.json").write_text(json.dumps(prov))
    with pytest.raises(DataError) as info:
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    reason = FORGED_REASON[how] if also_fix_the_hash else "does not match the sha256 in provenance.json"
    assert reason in str(info.value) and "\n" not in str(info.value)
    assert (folder / "claims.json").read_bytes() == before  # nothing redrawn


def test_plot_only_refuses_a_results_file_of_another_run(tmp_path):
    _run(tmp_path / "quick", n_seeds=3, quick=True)
    _run(tmp_path / "full", n_seeds=3)
    (tmp_path / "full" / "toy" / "results.csv").write_bytes((tmp_path / "quick" / "toy" / "results.csv").read_bytes())
    with pytest.raises(DataError, match="does not match the sha256"):
        run_replication(TOY, out=tmp_path / "full", quiet=True, plot_only=True)


def test_plot_only_refuses_tampered_extra_tables_and_damaged_provenance(tmp_path):
    _run(tmp_path, n_seeds=2)
    folder = tmp_path / "toy"
    summary = pd.read_parquet(folder / "summary.parquet")
    pd.concat([summary, summary]).to_parquet(folder / "summary.parquet")
    with pytest.raises(DataError, match=r"summary\.parquet does not match the sha256"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    _run(tmp_path, n_seeds=2)
    (folder / "summary.parquet").unlink()
    with pytest.raises(DataError, match=r"summary\.parquet does not exist"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    _run(tmp_path, n_seeds=2)
    text = (folder / "provenance.json").read_text()
    (folder / "provenance.json").write_text(text[: len(text) // 2])
    with pytest.raises(DataError, match="damaged or incomplete"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    _run(tmp_path, n_seeds=2)
    prov = json.loads((folder / "provenance.json").read_text())
    del prov["complete"]
    (folder / "provenance.json").write_text(json.dumps(prov))
    with pytest.raises(DataError, match="complete, verifiable run"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    (folder / "provenance.json").unlink()
    with pytest.raises(DataError, match=r"provenance\.json does not exist"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("root_seed"), "damaged or incomplete"),
        (lambda d: d.pop("config"), "damaged or incomplete"),
        (lambda d: d.__setitem__("root_seed", "x"), "damaged or incomplete"),
        (lambda d: d.__setitem__("overrides", [1]), "damaged or incomplete"),
        (lambda d: d.__setitem__("data_inputs_sha256", 5), "damaged or incomplete"),
        (lambda d: d.__setitem__("schema", []), "no valid schema"),
        (lambda d: d["schema"].__setitem__("results.csv", {}), "no valid schema"),
        (lambda d: d["config"].__setitem__("scale", 2.0), "does not match its config_hash"),
        # the fields the caption states must agree with the config and the seeds they describe
        (lambda d: d.__setitem__("root_seed", 7), r"root_seed \(7\) and n_seeds \(2\) do not make its per-seed seeds"),
        (lambda d: d["seeds"][1].__setitem__("entropy", 7), "do not make its per-seed seeds"),
        (lambda d: d.__setitem__("mode", "quick"), r"its mode \('quick'\) and changes \(overrides\) do not make"),
        (lambda d: d.__setitem__("overrides", {"scale": 2.0}), "do not make its config"),
        (lambda d: d.__setitem__("mode", "bogus"), "damaged or incomplete"),
        (lambda d: d.__setitem__("replication", "other"), "is a run of 'other', not of 'toy'"),
        (lambda d: d.__setitem__("replication_id", "other-v1"), "is not a run of toy"),
    ],
)
def test_plot_only_refuses_an_incomplete_or_edited_provenance_in_one_line(tmp_path, edit, message):
    _run(tmp_path, n_seeds=2)
    path = tmp_path / "toy" / "provenance.json"
    prov = json.loads(path.read_text())
    edit(prov)
    path.write_text(json.dumps(prov))
    with pytest.raises(DataError, match=message):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)


class ToyWithData(Toy):
    data_file: Path

    def data_inputs(self, config):
        return [self.data_file]


def test_plot_only_refuses_data_inputs_changed_since_the_run(tmp_path):
    toy = ToyWithData()
    toy.data_file = tmp_path / "figure.csv"
    toy.data_file.write_text("x,y\n1,2\n")
    run_replication(toy, out=tmp_path / "out", quiet=True, n_seeds=2)
    run_replication(toy, out=tmp_path / "out", quiet=True, plot_only=True)  # unchanged: redrawn
    toy.data_file.write_text("x,y\n1,3\n")
    with pytest.raises(DataError, match=r"figure\.csv differ from the ones the run read"):
        run_replication(toy, out=tmp_path / "out", quiet=True, plot_only=True)


@pytest.mark.parametrize(
    "kw, flag",
    [({"quick": True}, "--quick"), ({"root_seed": 3}, "--seed"), ({"n_seeds": 2}, "--seeds"),
     ({"workers": 2}, "--workers"), ({"overrides": {"scale": 2.0}}, "--set")],
)  # fmt: skip
def test_plot_only_refuses_flags_that_cannot_apply(tmp_path, kw, flag):
    _run(tmp_path, n_seeds=2)
    with pytest.raises(ConfigError, match=f"drop {flag}"):
        run_replication(TOY, out=tmp_path, quiet=True, plot_only=True, **kw)


def test_a_rerun_replaces_the_whole_set_and_leaves_no_temporary_files(tmp_path):
    _run(tmp_path, n_seeds=2, root_seed=1)
    folder = tmp_path / "toy"
    before = {name: (folder / name).read_bytes() for name in _files(folder)}
    # a file cogrnn did not write is never lost: the run is refused before any work, the set untouched
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"holds files cogrnn did not write \(notes\.txt\)"):
        _run(tmp_path, n_seeds=3, root_seed=2)
    assert {name: (folder / name).read_bytes() for name in _files(folder) if name != "notes.txt"} == before
    (folder / "notes.txt").unlink()
    # a file the earlier run wrote and listed, which the new set lacks, goes with the old set
    prov = json.loads((folder / "provenance.json").read_text())
    (folder / "stray.txt").write_text("from an older run")
    prov["outputs_sha256"]["stray.txt"] = "0" * 64
    (folder / "provenance.json").write_text(json.dumps(prov))
    _run(tmp_path, n_seeds=3, root_seed=2)
    assert "stray.txt" not in _files(folder)  # the set is replaced, not merged
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy"]
    assert json.loads((folder / "provenance.json").read_text())["root_seed"] == 2
    run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)


class ToyNoting(Toy):
    """A toy whose compute stands for a user writing into the output folder while the run works."""

    def compute(self, config, seeds, quiet):
        (self.folder / "notes.txt").write_text("written during the run")
        return super().compute(config, seeds, quiet)


def test_a_file_added_during_the_run_is_kept_and_the_new_set_is_put_beside_it(tmp_path):
    _run(tmp_path, n_seeds=2)
    folder = tmp_path / "toy"
    before = _files(folder)
    toy = ToyNoting()
    toy.folder = folder
    with pytest.raises(ConfigError, match=r"did not write \(notes\.txt\).*outputs are in .*toy\.new-"):
        run_replication(toy, out=tmp_path, quiet=True, n_seeds=3)
    assert {k: v for k, v in _files(folder).items() if k != "notes.txt"} == before  # nothing replaced
    (kept,) = tmp_path.glob("toy.new-*")
    assert json.loads((kept / "provenance.json").read_text())["n_seeds"] == 3  # the new set, complete


def test_only_a_provenance_makes_the_usual_names_cogrnns_and_links_are_refused(tmp_path):
    mine = tmp_path / "toy"
    mine.mkdir()
    (mine / "results.csv").write_text("my own table\n")
    with pytest.raises(ConfigError, match=r"holds files \(results\.csv\) but no provenance\.json"):
        _run(tmp_path, n_seeds=1)
    assert (mine / "results.csv").read_text() == "my own table\n"
    other = tmp_path / "other"
    _run(other, n_seeds=1)
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "toy").symlink_to(other / "toy")
    with pytest.raises(ConfigError, match="is a symbolic link"):
        _run(tmp_path / "linked", n_seeds=1)


def test_replicate_all_checks_every_output_folder_before_the_first_run(tmp_path, capsys):
    from cogrnn.cli import main

    (tmp_path / "elman-words").mkdir(parents=True)
    (tmp_path / "elman-words" / "notes.txt").write_text("mine")
    assert main(["replicate", "all", "--quick", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cogrnn: error:") and "elman-words holds files (notes.txt)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elman-words"]  # no replication ran


def test_stale_staging_folders_of_dead_runs_are_cleaned(tmp_path):
    from cogrnn.io import _host

    proc = subprocess.Popen(["true"])
    proc.wait()  # a pid that no longer runs
    stale = tmp_path / f".toy.tmp-{_host()}-{proc.pid}-abc"
    stale.mkdir()
    (stale / "results.csv").write_text("half")
    alive = tmp_path / f".toy.tmp-{_host()}-{__import__('os').getpid()}-def"
    alive.mkdir()  # this process: a run in progress, kept
    _run(tmp_path, n_seeds=1)
    assert not stale.exists() and alive.exists()


def test_an_interrupted_run_keeps_the_old_set(tmp_path, monkeypatch):
    _run(tmp_path, n_seeds=2, root_seed=1)
    before = _files(tmp_path / "toy")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Toy, "plot", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, n_seeds=3, root_seed=2)
    assert _files(tmp_path / "toy") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["toy"]


# -- bounded, strictly parsed inputs ------------------------------------------------------


def test_counts_and_seeds_are_bounded_before_allocation(tmp_path):
    import time

    start = time.perf_counter()
    with pytest.raises(ConfigError, match=r"--seeds must be at most 100000; 1000000000000 seeds would need .* PB"):
        _run(tmp_path, n_seeds=10**12)
    with pytest.raises(ConfigError, match=r"--seed must be an integer in \[0, 9223372036854775807\]"):
        _run(tmp_path, root_seed=2**64)
    assert time.perf_counter() - start < 5
    assert not (tmp_path / "toy").exists()


def test_cli_bounds_and_strict_integers(tmp_path, capsys):
    from cogrnn.cli import main

    for argv, message in [
        (["--seeds", "1000000000000"], "--seeds must be at most 100000; 1000000000000 seeds would need"),
        (["--seed", str(2**64)], "--seed must be an integer >= 0 and <= 9223372036854775807"),
        (["--seeds", "1_0"], "--seeds must be an integer >= 1; got '1_0'"),
        (["--seeds", "\u0663"], "--seeds must be an integer >= 1; got '\u0663'"),
        (["--seeds", " 3 "], "--seeds must be an integer >= 1; got ' 3 '"),
        (["--workers", "1_0"], "--workers must be an integer >= 1"),
        (["--workers", "100000"], "--workers must be an integer >= 1 and <= 1024"),
        (["--out", ""], "--out must name a folder"),
        (["--plot-only", "--seed", "7"], "--plot-only takes seeds, root seed and configuration from the run's"),
        (
            ["--plot-only", "--quick", "--seeds", "2", "--workers", "2", "--set", "lr=0.2"],
            "drop --seeds, --quick, --workers, --set",
        ),
    ]:
        assert main(["replicate", "elman-xor", *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("cogrnn: error:") and "\n" not in err and message in err, err


# -- --set ----------------------------------------------------------------------------


def test_set_parses_by_field_type_and_the_config_class_validates():
    parse = ToyConfig.parse_assignments
    assert parse(["n_steps=5", "scale=2.5e-1", "mode=fancy", "sizes=3,4", "flag=true"]) == {
        "n_steps": 5, "scale": 0.25, "mode": "fancy", "sizes": (3, 4), "flag": True}  # fmt: skip
    for item, message in [
        ("bogus=1", "unknown field 'bogus' of ToyConfig; known: flag, mode, n_steps, scale, sizes"),
        ("n_steps=1_0", "--set n_steps must be an integer; got '1_0'"),
        ("n_steps=2.0", "--set n_steps must be an integer; got '2.0'"),
        ("scale=nan", "--set scale: expected a number; got 'nan'"),
        ("scale=inf", "--set scale: expected a number"),
        ("flag=yes", "--set flag: expected true or false"),
        ("sizes=1,x", "--set sizes must be an integer; got 'x'"),
        ("n_steps", "--set takes key=value; got 'n_steps'"),
        ("=3", "--set takes key=value"),
    ]:
        with pytest.raises(ConfigError, match=__import__("re").escape(message)):
            parse([item])
    with pytest.raises(ConfigError, match="given twice"):
        parse(["scale=1", "scale=2"])
    for changes, message in [
        ({"n_steps": 0}, "n_steps must be an integer in [1, 1000]"),
        ({"n_steps": 10**12}, "n_steps must be an integer in [1, 1000]"),
        ({"mode": "odd"}, "mode must be one of 'plain', 'fancy'"),
        ({"scale": -1.0}, "scale must be a number in (0.0, inf)"),
    ]:
        with pytest.raises(ConfigError, match=__import__("re").escape(message)):
            ToyConfig().with_values(changes)


def test_set_is_applied_and_recorded_in_provenance_and_caption(tmp_path):
    Toy.captions.clear()
    res = _run(tmp_path, n_seeds=2, overrides={"n_steps": 9, "scale": 0.5})
    assert len(res.results) == 18
    prov = json.loads((tmp_path / "toy" / "provenance.json").read_text())
    assert prov["overrides"] == {"n_steps": 9, "scale": 0.5} and prov["config"]["n_steps"] == 9
    assert "set n_steps=9, scale=0.5" in Toy.captions[-1]
    run_replication(TOY, out=tmp_path, quiet=True, plot_only=True)
    assert "set n_steps=9, scale=0.5" in Toy.captions[-1]  # the redraw keeps them


def test_cli_set_errors_are_one_line(tmp_path, capsys):
    from cogrnn.cli import main

    base = ["replicate", "elman-xor", "--quick", "--out", str(tmp_path)]
    for argv, message in [
        (["--set", "bogus=1"], "--set: unknown field 'bogus' of XorConfig; known: burn_in, context_init, epochs"),
        (["--set", "lr=-1"], "lr must be a number in (0.0, inf); got -1.0"),
        (["--set", "lr=fast"], "--set lr: expected a number; got 'fast'"),
        (["--set", "burn_in=4"], "burn_in must be a multiple of 3"),
    ]:
        assert main([*base, *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("cogrnn: error:") and "\n" not in err and message in err, err
    assert not (tmp_path / "elman-xor").exists()


# -- provenance --------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def test_git_info_counts_untracked_files_as_dirty(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.py").write_text("x = 1\n")
    _git(repo, "add", "a.py")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    assert git_info(repo) == {"commit": _git(repo, "rev-parse", "HEAD"), "dirty": False}
    (repo / "new_module.py").write_text("y = 2\n")  # untracked: results may depend on it
    assert git_info(repo)["dirty"] is True
    (repo / ".gitignore").write_text("new_module.py\n.gitignore\n")  # ignored files do not count
    assert git_info(repo)["dirty"] is False
    (repo / "a.py").write_text("x = 2\n")
    assert git_info(repo)["dirty"] is True
    assert git_info(tmp_path / "nowhere") == {"commit": None, "dirty": None}


def test_source_hash_changes_with_any_module(tmp_path):
    from cogrnn.provenance import source_hash

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    first = source_hash([pkg])
    (pkg / "b.py").write_text("y = 1\n")
    second = source_hash([pkg])
    (pkg / "a.py").write_text("x = 2\n")
    assert len({first, second, source_hash([pkg])}) == 3


def test_temporary_files_of_killed_writes_are_cleaned_by_the_next_sweep(tmp_path):
    import os

    from cogrnn import replications
    from cogrnn.io import _host
    from cogrnn.sweep import SweepSpec, run_sweep

    spec = SweepSpec("elman-xor", seeds=1, quick=True, base={"epochs": 2, "test_triples": 10})
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    dead = tasks / f".abc.parquet.{_host()}-999999999-x1.tmp"  # a write killed mid-way
    dead.write_bytes(b"PAR1 half")
    live = tasks / f".def.parquet.{_host()}-{os.getpid()}-x2.tmp"  # a write in progress
    live.write_bytes(b"PAR1")
    run_sweep(spec, replications.get("elman-xor"), tmp_path, scheduler="sync", quiet=True)
    assert not dead.exists() and live.exists()


def test_sweeps_keep_the_further_tables_and_match_replicate(tmp_path):
    from cogrnn.sweep import SweepSpec, run_sweep

    spec = SweepSpec("toy", seeds=3, root_seed=5, grid={"scale": [1.0, 2.0]})
    df = run_sweep(spec, TOY, tmp_path / "s", scheduler="sync", quiet=True)
    summary = pd.read_parquet(tmp_path / "s" / "summary.parquet")
    assert len(summary) == 6 and set(summary["param_scale"]) == {1.0, 2.0} and set(summary["seed"]) == {0, 1, 2}
    prov = json.loads((tmp_path / "s" / "provenance.json").read_text())
    assert set(prov["outputs_sha256"]) == {"results.parquet", "results.csv", "summary.parquet"}
    direct = _run(tmp_path / "r", n_seeds=3, root_seed=5, overrides={"scale": 2.0})
    swept = df[df["param_scale"] == 2.0].drop(columns="param_scale").reset_index(drop=True)
    pd.testing.assert_frame_equal(swept, direct.results, check_dtype=False)
    mine = summary[summary["param_scale"] == 2.0].drop(columns="param_scale").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, pd.read_parquet(tmp_path / "r" / "toy" / "summary.parquet"))


# -- the measures layer (issue 14): derived tables computed once, written, read back ------


class Measured(Toy):
    """Toy with a measures layer: a per-seed table and a pooled one (no seed column)."""

    name = "measured"
    measure_tables = ("per_seed", "pooled")
    n_measure_calls = 0

    def measures(self, results, extras, config):
        Measured.n_measure_calls += 1
        per_seed = results.groupby("seed", as_index=False)["value"].mean().rename(columns={"value": "mean"})
        pooled = pd.DataFrame(
            {"statistic": ["grand_mean"], "value": [float(results["value"].mean())], "n_steps": [config.n_steps]}
        )
        return {"per_seed": per_seed, "pooled": pooled}

    def check_claims(self, results, extras):
        per_seed = extras["per_seed"].set_index("seed")["mean"]  # read, not recomputed
        ok = per_seed.abs() < 10
        return [Claim("small", "values are small", "-", f"grand mean {extras['pooled']['value'].iloc[0]:.6f}",
                      "< 10", bool(ok.all()), int(ok.size), int(ok.sum()))]  # fmt: skip


def test_measure_tables_are_written_hashed_and_read_back_by_plot_only(tmp_path):
    rep = Measured()
    res = run_replication(rep, out=tmp_path, quiet=True, n_seeds=3, root_seed=11)
    folder = tmp_path / "measured"
    prov = json.loads((folder / "provenance.json").read_text())
    assert {"per_seed.parquet", "pooled.parquet"} <= set(prov["outputs_sha256"])
    assert "seed" not in prov["schema"]["pooled.parquet"]["columns"]
    per_seed = pd.read_parquet(folder / "per_seed.parquet")
    assert per_seed["seed"].tolist() == [0, 1, 2]
    calls = Measured.n_measure_calls
    again = run_replication(rep, out=tmp_path, quiet=True, plot_only=True)
    assert Measured.n_measure_calls == calls  # --plot-only reads the measures; it does not recompute them
    assert [c.to_dict() for c in again.claims] == [c.to_dict() for c in res.claims]
    # a tampered measure table is refused
    pooled = pd.read_parquet(folder / "pooled.parquet").assign(value=99.0)
    pooled.to_parquet(folder / "pooled.parquet")
    with pytest.raises(DataError, match=r"pooled\.parquet does not match the sha256"):
        run_replication(rep, out=tmp_path, quiet=True, plot_only=True)


def test_measures_returning_other_tables_is_a_bug_not_a_silent_result(tmp_path):
    class Wrong(Measured):
        name = "wrong"

        def measures(self, results, extras, config):
            return {"per_seed": results}

    with pytest.raises(RuntimeError, match="measures returned"):
        run_replication(Wrong(), out=tmp_path, quiet=True, n_seeds=2)
    assert not (tmp_path / "wrong").exists()


def test_measures_see_the_runs_configuration_with_its_overrides(tmp_path):
    run_replication(Measured(), out=tmp_path, quiet=True, n_seeds=2, overrides={"n_steps": 5})
    assert pd.read_parquet(tmp_path / "measured" / "pooled.parquet")["n_steps"].tolist() == [5]
