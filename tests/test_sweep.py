from __future__ import annotations

import pandas as pd
import pytest

import replications
from cogrnn.cli import main
from cogrnn.exceptions import ConfigError
from cogrnn.sweep import SweepSpec, load_sweep, run_sweep, sweep_tasks

TOML = """
replication = "elman-xor"
seeds = 2
root_seed = 3
quick = true
[base]
epochs = 5
test_triples = 10
[grid]
lr = [0.1, 0.5]
"""


def test_sweep_runs_resumes_and_collects(tmp_path):
    spec_file = tmp_path / "sweep.toml"
    spec_file.write_text(TOML)
    spec = load_sweep(spec_file)
    rep = replications.get("elman-xor")
    tasks = sweep_tasks(spec, rep)
    assert len(tasks) == 4 and len({t.key for t in tasks}) == 4
    seen = []
    df = run_sweep(spec, rep, tmp_path / "out", scheduler="sync", progress=lambda k, n: seen.append(k))
    assert seen == [0, 1, 2, 3, 4]
    assert set(df["param_lr"]) == {0.1, 0.5} and set(df["seed"]) == {0, 1}
    assert (tmp_path / "out" / "results.parquet").exists() and (tmp_path / "out" / "results.csv").exists()
    # a rerun computes nothing; a deleted task file is recomputed, identically
    seen.clear()
    files = sorted((tmp_path / "out" / "tasks").glob("*.parquet"))
    before = pd.read_parquet(files[0])
    files[0].unlink()
    again = run_sweep(spec, rep, tmp_path / "out", scheduler="sync", progress=lambda k, n: seen.append(k))
    assert seen == [3, 4]
    pd.testing.assert_frame_equal(pd.read_parquet(files[0]), before)
    pd.testing.assert_frame_equal(again, df)


def test_sweep_seed_results_match_the_replication(tmp_path):
    # a sweep task computes exactly what the replication computes for that seed
    spec = SweepSpec("elman-xor", seeds=2, root_seed=5, quick=True, base={"epochs": 5, "test_triples": 10})
    rep = replications.get("elman-xor")
    df = run_sweep(spec, rep, tmp_path, scheduler="sync", quiet=True)
    from cogrnn.random import spawn_seeds

    config = rep.config(quick=True).replace(epochs=5, test_triples=10)
    direct = rep.compute(config, spawn_seeds(5, 2), True)
    pd.testing.assert_frame_equal(
        df.drop(columns=[c for c in df.columns if c.startswith("param_")]).reset_index(drop=True), direct
    )


def test_sweep_on_a_local_dask_cluster(tmp_path):
    pytest.importorskip("distributed")
    spec = SweepSpec("elman-xor", seeds=2, quick=True, base={"epochs": 3, "test_triples": 10})
    df = run_sweep(spec, replications.get("elman-xor"), tmp_path, scheduler="local", workers=2, quiet=True)
    assert set(df["seed"]) == {0, 1}


def test_bad_sweep_files_are_one_line_errors(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('replication = "elman-xor"\nseeds = 0\n')
    assert main(["sweep", str(bad), "--scheduler", "sync"]) == 2
    assert "seeds must be an integer" in capsys.readouterr().err
    bad.write_text('replication = "elman-xor"\n[grid]\nlr = [-1.0]\n')
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    assert "lr must be a number" in capsys.readouterr().err
    bad.write_text("replication = \n")
    assert main(["sweep", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    bad.write_text('replication = "elman-xor"\n[grid]\nbogus = [1]\n')
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    assert "unknown parameter(s) bogus" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="non-empty list"):
        SweepSpec("elman-xor", grid={"lr": []})
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
