from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from cogrnn import replications
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
    # a task whose further table is missing is not done: it is recomputed, not collected half
    extra = sorted((tmp_path / "out" / "tasks").glob("*.hidden.parquet"))[-1]
    hidden = pd.read_parquet(extra)
    extra.unlink()
    seen.clear()
    run_sweep(spec, rep, tmp_path / "out", scheduler="sync", progress=lambda k, n: seen.append(k))
    assert seen == [3, 4]
    pd.testing.assert_frame_equal(pd.read_parquet(extra), hidden)


def test_sweep_seed_results_match_the_replication(tmp_path):
    # a sweep task computes exactly what the replication computes for that seed
    spec = SweepSpec("elman-xor", seeds=2, root_seed=5, quick=True, base={"epochs": 5, "test_triples": 10})
    rep = replications.get("elman-xor")
    df = run_sweep(spec, rep, tmp_path, scheduler="sync", quiet=True)
    from cogrnn.random import spawn_seeds

    config = rep.config(quick=True).replace(epochs=5, test_triples=10)
    direct = rep.compute(config, spawn_seeds(5, 2), True)["results"]  # elman-xor also returns its hidden states
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


GRID_TOML = """
replication = "elman-xor"
seeds = 3
root_seed = 11
quick = true
[base]
epochs = 4
test_triples = 10
[grid]
lr = [0.1, 0.5]
"""


def _spec(tmp_path, text=GRID_TOML):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return load_sweep(path)


def _without_params(df):
    return df.drop(columns=[c for c in df.columns if c.startswith("param_")]).reset_index(drop=True)


def test_each_condition_equals_replicate_with_the_same_parameters(tmp_path):
    # the bug of issue 13: spawn() mutates a SeedSequence shared by the conditions
    spec = _spec(tmp_path)
    rep = replications.get("elman-xor")
    df = run_sweep(spec, rep, tmp_path / "s", scheduler="sync", quiet=True)
    for lr in (0.1, 0.5):
        argv = ["replicate", "elman-xor", "--quick", "--seeds", "3", "--seed", "11", "--quiet"]
        argv += [
            "--out",
            str(tmp_path / f"r{lr}"),
            "--set",
            "epochs=4",
            "--set",
            "test_triples=10",
            "--set",
            f"lr={lr}",
        ]
        assert main(argv) == 0
        direct = pd.read_csv(tmp_path / f"r{lr}" / "elman-xor" / "results.csv")
        swept = _without_params(df[df["param_lr"] == lr])
        pd.testing.assert_frame_equal(swept, direct, check_dtype=False)
    # and a condition does not depend on which other conditions the sweep has
    alone = run_sweep(
        _spec(tmp_path, GRID_TOML.replace("[0.1, 0.5]", "[0.5]")), rep, tmp_path / "a", "sync", quiet=True
    )
    pd.testing.assert_frame_equal(alone, df[df["param_lr"] == 0.5].reset_index(drop=True))


def test_interrupted_sync_sweep_resumes_to_identical_results(tmp_path):
    spec = _spec(tmp_path)
    rep = replications.get("elman-xor")
    whole = run_sweep(spec, rep, tmp_path / "whole", scheduler="sync", quiet=True)

    def stop_after_two(k, n):
        if k == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, rep, tmp_path / "cut", scheduler="sync", progress=stop_after_two)
    assert len(list((tmp_path / "cut" / "tasks").glob("*[0-9a-f].parquet"))) == 2  # completed tasks are kept
    seen = []
    resumed = run_sweep(spec, rep, tmp_path / "cut", scheduler="sync", progress=lambda k, n: seen.append(k))
    assert seen == [2, 3, 4, 5, 6]
    pd.testing.assert_frame_equal(resumed, whole)
    assert not [p for p in (tmp_path / "cut" / "tasks").iterdir() if p.name.startswith(".")]


def test_sync_local_and_tcp_schedulers_give_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = _spec(tmp_path)
    rep = replications.get("elman-xor")
    sync = run_sweep(spec, rep, tmp_path / "sync", scheduler="sync", quiet=True)
    local = run_sweep(spec, rep, tmp_path / "local", scheduler="local", workers=2, quiet=True)
    pd.testing.assert_frame_equal(local, sync)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=None
    ) as c:
        tcp = run_sweep(spec, rep, tmp_path / "tcp", scheduler=c.scheduler_address, quiet=True)
    assert c.scheduler_address.startswith("tcp://")
    pd.testing.assert_frame_equal(tcp, sync)


def test_task_keys_include_the_code_version_and_sweeps_write_provenance(tmp_path, monkeypatch):
    import json

    import cogrnn.sweep as sweep_mod

    spec = _spec(tmp_path)
    rep = replications.get("elman-xor")
    a = [t.key for t in sweep_tasks(spec, rep, {"commit": "a", "source_sha256": "1"})]
    b = [t.key for t in sweep_tasks(spec, rep, {"commit": "a", "source_sha256": "2"})]
    c = [t.key for t in sweep_tasks(spec, rep, {"commit": "b", "source_sha256": "1"})]
    assert len(set(a) | set(b) | set(c)) == 3 * len(a)
    seen = []
    run_sweep(spec, rep, tmp_path / "s", scheduler="sync", progress=lambda k, n: seen.append(k))
    prov = json.loads((tmp_path / "s" / "provenance.json").read_text())
    assert prov["n_tasks"] == 6 and prov["n_tasks_reused"] == 0 and len(prov["tasks"]) == 6
    assert prov["code"]["source_sha256"] and set(prov["outputs_sha256"]) == {
        "results.parquet",
        "results.csv",
        "hidden.parquet",
    }
    for task in prov["tasks"]:
        record = json.loads((tmp_path / "s" / "tasks" / f"{task['key']}.json").read_text())
        assert record["seed"]["index"] == task["seed"] and record["code"] == prov["code"]
        assert record["config"]["lr"] == task["condition"]["lr"]
    # changed code: nothing is reused
    fake = {**prov["code"], "source_sha256": "0" * 64}
    monkeypatch.setattr(sweep_mod, "code_version", lambda: fake)
    seen.clear()
    run_sweep(spec, rep, tmp_path / "s", scheduler="sync", progress=lambda k, n: seen.append(k))
    assert seen[0] == 0 and json.loads((tmp_path / "s" / "provenance.json").read_text())["code"] == fake


def test_bounded_and_unambiguous_sweep_files(tmp_path, capsys):
    import time

    bad = tmp_path / "bad.toml"
    bad.write_text('replication = "elman-xor"\nseeds = 1000000000000\n')
    start = time.perf_counter()
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert time.perf_counter() - start < 10 and err.count("\n") == 1
    assert "seeds must be at most 100000" in err and "PB of memory" in err
    bad.write_text('replication = "elman-xor"\n[grid]\nlr = [0.1, 0.5, 0.1]\n')
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    assert "grid.lr repeats the value(s) 0.1" in capsys.readouterr().err
    bad.write_text('replication = "elman-xor"\n[grid]\nepochs = [1, 1.0]\n')
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    assert "repeats" in capsys.readouterr().err
    bad.write_text('replication = "elman-xor"\nseeds = 1000\n[grid]\nlr = ' + str(list(range(1, 2000))) + "\n")
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", str(tmp_path / "o")]) == 2
    assert "at most 1000000 are allowed" in capsys.readouterr().err
    bad.write_text(GRID_TOML)
    assert main(["sweep", str(bad), "--scheduler", "sync", "--out", ""]) == 2
    assert "--out must name a folder" in capsys.readouterr().err


def test_unreachable_scheduler_is_one_line_and_status_2(tmp_path, capsys):
    pytest.importorskip("distributed")
    spec = tmp_path / "s.toml"
    spec.write_text(GRID_TOML)
    assert main(["sweep", str(spec), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cogrnn: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9"), err
    assert "\n" not in err and "Traceback" not in err


def test_a_sweep_without_root_seed_uses_the_replications_default_root_and_keys_its_data(tmp_path, monkeypatch):
    rep = replications.get("elman-xor")
    code = {"commit": "c", "source_sha256": "s"}
    spec = SweepSpec("elman-xor", seeds=2, quick=True)
    tasks = sweep_tasks(spec, rep, code=code)
    assert {t.root_seed for t in tasks} == {rep.default_root_seed}  # the same seeds as `cogrnn replicate`
    data = tmp_path / "table.csv"
    data.write_text("a\n1\n")
    monkeypatch.setattr(rep, "data_inputs", lambda config: [data])
    before = [t.key for t in sweep_tasks(spec, rep, code=code)]
    data.write_text("a\n2\n")
    after = [t.key for t in sweep_tasks(spec, rep, code=code)]
    assert before != after  # a changed data/ input is never served a stale task result


def _task_tables(tmp_path, n, rows=5):
    """``n`` task tables of several column types, as a sweep writes them."""
    import numpy as np

    from cogrnn.io import write_parquet

    paths = []
    for i in range(n):
        rng = np.random.default_rng(i)
        df = pd.DataFrame(
            {
                "seed": np.full(rows, i),
                "t": np.arange(rows),
                "error": rng.random(rows) / 3,  # floats that need all 17 digits
                "missing": np.where(np.arange(rows) % 2 == 0, np.nan, rng.random(rows)),
                "correct": rng.random(rows) > 0.5,
                "word": [f"w{j}" for j in rng.integers(0, 9, rows)],
                "param_lr": 0.1 * (i % 3 + 1),
            }
        )
        paths.append(write_parquet(tmp_path / f"task{i}.parquet", df))
    return paths


def test_collect_tables_streams_what_concat_gives_in_bounded_batches(tmp_path, monkeypatch):
    import pyarrow as pa

    from cogrnn.io import write_csv
    from cogrnn.sweep import _collect, collect_tables

    paths = _task_tables(tmp_path, 23, rows=5)
    expected = _collect(paths)
    write_csv(tmp_path / "expected.csv", expected)
    batches = []
    real_concat = pa.concat_tables
    monkeypatch.setattr(pa, "concat_tables", lambda tables: batches.append(sum(t.num_rows for t in tables))
                        or real_concat(tables))  # fmt: skip
    n = collect_tables(paths, tmp_path / "all.parquet", tmp_path / "all.csv", batch_rows=12)
    assert n == len(expected) == 115
    # never more than one batch in memory: 12 rows, plus at most one table of 5
    assert batches and max(batches) <= 12 + 5 - 1 and sum(batches) == 115
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "all.parquet"), expected)
    assert (tmp_path / "all.csv").read_bytes() == (tmp_path / "expected.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == []  # no temporary file left


def test_collect_tables_with_differing_types_concatenates_as_pandas_does(tmp_path):
    from cogrnn.io import write_parquet
    from cogrnn.sweep import collect_tables

    a = write_parquet(tmp_path / "a.parquet", pd.DataFrame({"seed": [0], "param_h": [1]}))
    b = write_parquet(tmp_path / "b.parquet", pd.DataFrame({"seed": [1], "param_h": [0.5]}))
    assert collect_tables([a, b], tmp_path / "all.parquet") == 2
    got = pd.read_parquet(tmp_path / "all.parquet")
    assert got["param_h"].tolist() == [1.0, 0.5] and got["param_h"].dtype == "float64"


def test_collect_tables_names_an_unreadable_task_file(tmp_path):
    from cogrnn.exceptions import DataError
    from cogrnn.sweep import collect_tables

    paths = _task_tables(tmp_path, 3)
    paths[1].write_bytes(b"not parquet")
    with pytest.raises(DataError, match=r"task1\.parquet is unreadable"):
        collect_tables(paths, tmp_path / "all.parquet", tmp_path / "all.csv")
    assert not (tmp_path / "all.parquet").exists() and list(tmp_path.glob(".*.tmp")) == []


_STATE: dict = {}


@dataclass(frozen=True)
class _FakeTask:  # what _run_on reads of a task: its key
    key: str


def _fake_task(replication, task, path, code, worker):
    with _STATE["lock"]:
        _STATE["running"] += 1
        _STATE["most"] = max(_STATE["most"], _STATE["running"])
    try:
        if task.key in ("t3", "t5"):
            raise ValueError(f"{task.key} failed")
        _STATE["ran"].append(task.key)
        return path
    finally:
        with _STATE["lock"]:
            _STATE["running"] -= 1


def test_a_cluster_holds_a_window_of_tasks_and_raises_the_first_failure_after_the_rest(monkeypatch):
    distributed = pytest.importorskip("distributed")
    import threading

    from cogrnn import sweep

    _STATE.update(lock=threading.Lock(), running=0, most=0, ran=[])
    monkeypatch.setattr(sweep, "_run_task", _fake_task)
    monkeypatch.setattr(sweep, "_WINDOW_PER_WORKER", 1)
    monkeypatch.setattr(sweep, "_MIN_WINDOW", 3)
    submitted = []
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=2, dashboard_address=None) as client:
        real_submit = client.submit

        def submit(*args, **kwargs):
            future = real_submit(*args, **kwargs)
            submitted.append(future)
            in_flight = sum(not f.done() for f in submitted)
            assert in_flight <= 3, in_flight
            return future

        monkeypatch.setattr(client, "submit", submit)
        todo = [(_FakeTask(f"t{i}"), f"p{i}") for i in range(12)]
        seen: list[int] = []
        with pytest.raises(ValueError, match="t3 failed"):
            sweep._run_on(client, None, todo, {}, 0, 0, seen.append)
    assert seen == list(range(1, 13))
    assert sorted(_STATE["ran"]) == sorted(f"t{i}" for i in range(12) if i not in (3, 5))
    assert _STATE["most"] <= 3
