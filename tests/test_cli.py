from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from cogrnn.cli import main
from cogrnn.registry import get_replication

CONTRACT_FILES = {"results.csv", "figure.png", "figure.pdf", "claims.json", "provenance.json"}


def _one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cogrnn: error:") and "\n" not in err and "Traceback" not in err, err
    assert match in err, err


def test_list_shows_models_tasks_replications_with_references(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for word in (
        "elman-v1",
        "jordan-v1",
        "lstm-v1",
        "gru-v1",
        "temporal-xor-v1",
        "elman-xor-v1",
        "gradient-flow-v1",
        "Elman, J. L. (1990)",
        "provided by cogrnn",
    ):
        assert word in out


def test_list_imports_no_replication_module():
    code = (
        "import sys\nfrom cogrnn.cli import main\nmain(['list'])\n"
        "loaded = [m for m in sys.modules if m.startswith('cogrnn.replications.')]\n"
        "assert not loaded, loaded\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "hopfield-recall-v1" in proc.stdout


def test_bad_input_gets_one_line_and_status_2(capsys, tmp_path):
    _one_line_error(
        capsys, ["replicate", "nonesuch"], "unknown replication 'nonesuch'; known: elman-xor, elman-letters"
    )
    _one_line_error(capsys, ["replicate", "elman-xor", "--seeds", "0"], "--seeds must be an integer >= 1; got 0")
    _one_line_error(capsys, ["replicate", "elman-xor", "--seeds", "-3"], "--seeds must be an integer >= 1")
    _one_line_error(capsys, ["replicate", "elman-xor", "--seeds", "2.5"], "--seeds must be an integer >= 1; got '2.5'")
    _one_line_error(capsys, ["replicate", "elman-xor", "--seed", "x"], "--seed must be an integer >= 0")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_line_error(
        capsys,
        ["replicate", "elman-xor", "--out", str(blocker / "d")],
        "cannot write to output folder",
    )
    _one_line_error(capsys, ["replicate", "elman-xor", "--out", str(tmp_path), "--plot-only"], "does not exist")
    for bad in ("1_0", "\u0663", " 3 ", "3 ", "+", "", "1e3", "0x10"):
        _one_line_error(capsys, ["replicate", "elman-xor", "--seeds", bad], "--seeds must be an integer >= 1")
    _one_line_error(capsys, ["replicate", "elman-xor", "--out", ""], "--out must name a folder")
    _one_line_error(capsys, ["replicate", "elman-xor", "--out", "  "], "--out must name a folder")
    _one_line_error(capsys, ["replicate", "elman-xor", "--bogus"], "No such option")


def test_quick_run_writes_the_contract_files_and_plot_only_redraws(tmp_path, capsys):
    argv = [
        "replicate",
        "elman-xor",
        "--quick",
        "--seeds",
        "3",
        "--seed",
        "5",
        "--out",
        str(tmp_path),
        "--quiet",
    ]
    assert main(argv) == 0
    out_dir = tmp_path / "elman-xor"
    assert CONTRACT_FILES <= {p.name for p in out_dir.iterdir()}
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]  # no temporary files
    df = pd.read_csv(out_dir / "results.csv")
    assert {"seed", "t", "target_phase", "target", "output", "sq_error"} <= set(df.columns)
    assert sorted(df["seed"].unique()) == [0, 1, 2]
    claims = json.loads((out_dir / "claims.json").read_text())
    assert claims["replication"] == "elman-xor" and isinstance(claims["all_passed"], bool)
    for c in claims["claims"]:
        assert {
            "id",
            "statement",
            "paper",
            "measured",
            "criterion",
            "passed",
            "n_seeds",
            "n_seeds_passed",
        } <= set(c)
        assert c["n_seeds"] == 3
    prov = json.loads((out_dir / "provenance.json").read_text())
    for key in ("cogrnn_version", "git", "argv", "config", "config_hash", "root_seed", "seeds", "packages",
                "platform", "threads", "start_time", "end_time", "wall_time_s", "outputs_sha256",
                "data_inputs_sha256", "free_parameters"):  # fmt: skip
        assert key in prov, key
    assert prov["root_seed"] == 5 and prov["mode"] == "quick" and len(prov["seeds"]) == 3
    rep = get_replication("elman-xor")
    tables = {f"{t}.parquet" for t in (*rep.extra_tables, *rep.measure_tables)}
    assert set(prov["outputs_sha256"]) == (CONTRACT_FILES - {"provenance.json"}) | tables
    assert prov["complete"] is True and set(prov["schema"]) == {"results.csv"} | tables
    assert "PASS" in capsys.readouterr().out

    # --plot-only redraws from the CSV and re-checks the same claims, with the run's seeds and root
    (out_dir / "figure.png").unlink()
    redraw = ["replicate", "elman-xor", "--out", str(tmp_path), "--quiet", "--plot-only"]
    assert main(redraw) == 0
    assert (out_dir / "figure.png").exists()
    assert json.loads((out_dir / "claims.json").read_text())["claims"] == claims["claims"]
    redrawn = json.loads((out_dir / "provenance.json").read_text())
    assert redrawn["root_seed"] == 5 and redrawn["n_seeds"] == 3 and redrawn["mode"] == "quick"
    assert (
        redrawn["redrawn"]["argv"] and redrawn["outputs_sha256"]["results.csv"] == prov["outputs_sha256"]["results.csv"]
    )

    # a changed CSV is a one-line error, whatever it holds
    (out_dir / "results.csv").write_text("seed,t\n0,1\n")
    _one_line_error(capsys, redraw, "does not match the sha256 in provenance.json")


def test_same_seed_same_results(tmp_path):
    argv = ["replicate", "elman-xor", "--quick", "--seeds", "2", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "a")]) == 0
    argv[1] = "elman-xor-v1"  # the versioned id names the same replication and the same output folder
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / "elman-xor" / "results.csv").read_bytes()
    b = (tmp_path / "b" / "elman-xor" / "results.csv").read_bytes()
    assert a == b


def test_strict_exit_status(tmp_path, monkeypatch):
    import cogrnn.replications.elman_xor as mod

    monkeypatch.setattr(mod, "RATIO_CRITERION", 0.0)  # an impossible criterion must fail
    argv = ["replicate", "elman-xor", "--quick", "--seeds", "2", "--out", str(tmp_path), "--quiet"]
    assert main(argv) == 0
    assert main([*argv, "--strict"]) == 1


def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cogrnn.replications.elman_xor", "--quick", "--seeds", "1",
         "--out", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "elman-xor" / "claims.json").exists()


@pytest.mark.parametrize("name", ["elman-letters", "elman-words", "elman-lexical", "hopfield-recall"])
def test_every_replication_follows_the_contract_in_quick_mode(name, tmp_path):
    from cogrnn import replications

    rep = replications.get(name)
    assert main(["replicate", name, "--quick", "--seeds", "2", "--out", str(tmp_path), "--quiet"]) == 0
    out_dir = tmp_path / name
    names = {p.name for p in out_dir.iterdir()}
    assert CONTRACT_FILES <= names
    assert {f"{extra}.parquet" for extra in rep.extra_tables} <= names
    df = pd.read_csv(out_dir / "results.csv")
    assert set(rep.columns) <= set(df.columns) and sorted(df["seed"].unique()) == [0, 1]
    claims = json.loads((out_dir / "claims.json").read_text())
    assert claims["claims"] and all(c["n_seeds"] == 2 for c in claims["claims"])
    prov = json.loads((out_dir / "provenance.json").read_text())
    assert set(prov["data_inputs_sha256"]) == {str(p) for p in rep.data_inputs(rep.config(quick=True))}
    assert main(["replicate", name, "--out", str(tmp_path), "--quiet", "--plot-only"]) == 0
    assert json.loads((out_dir / "claims.json").read_text())["claims"] == claims["claims"]


@pytest.mark.parametrize(
    ("name", "field", "huge", "limit"),
    [
        ("elman-xor", "n_triples", 10**11, "10000000"),
        ("elman-letters", "n_consonants", 10**11, "10000000"),
        ("elman-words", "n_sentences", 10**9, "1000000"),
        ("elman-lexical", "n_sentences", 10**9, "1000000"),
        ("elman-lexical", "epochs", 10**9, "1000000"),
    ],
)
def test_config_sizes_are_bounded_before_anything_runs(capsys, name, field, huge, limit):
    argv = ["replicate", name, "--quick", "--set", f"{field}={huge}"]
    _one_line_error(capsys, argv, f"{field} must be an integer in [")
    _one_line_error(capsys, argv, f", {limit}]; got {huge}")


@pytest.mark.parametrize(
    ("name", "setting", "message"),
    [
        ("gradient-flow", "lags=", "lags must hold at least one value"),
        ("gradient-flow", "lags=5,5", "lags must hold distinct values"),
        ("hopfield-recall", "sizes=20", "sizes must be an integer in [50, 20000]"),
        ("hopfield-recall", "sizes=100,100", "sizes must hold distinct values"),
    ],
)
def test_sequences_in_configs_are_checked_before_the_run(capsys, name, setting, message):
    _one_line_error(capsys, ["replicate", name, "--quick", "--set", setting], message)


def test_workers_give_identical_results(tmp_path, capsys):
    argv = ["replicate", "elman-xor", "--quick", "--seeds", "5", "--quiet"]
    assert main([*argv, "--out", str(tmp_path / "one")]) == 0
    assert main([*argv, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    one = pd.read_csv(tmp_path / "one" / "elman-xor" / "results.csv")
    two = pd.read_csv(tmp_path / "two" / "elman-xor" / "results.csv")
    pd.testing.assert_frame_equal(one, two)
    _one_line_error(capsys, [*argv, "--workers", "0"], "--workers must be an integer >= 1")


def test_provenance_and_caption_name_the_versioned_replication_id(tmp_path):
    import json

    from cogrnn.registry import get_replication
    from cogrnn.replication import run_replication

    run_replication(get_replication("elman-xor"), n_seeds=1, quick=True, out=tmp_path, quiet=True,
                    overrides={"epochs": 2, "test_triples": 10})  # fmt: skip
    prov = json.loads((tmp_path / "elman-xor" / "provenance.json").read_text())
    assert prov["replication_id"] == "elman-xor-v1" and prov["replication"] == "elman-xor"
    run_replication(get_replication("elman-xor"), out=tmp_path, quiet=True, plot_only=True)
    assert json.loads((tmp_path / "elman-xor" / "provenance.json").read_text())["replication_id"] == "elman-xor-v1"
