"""Issue 13, item 6: fault injection — kill -9 during writes, concurrent runs into one folder,
Ctrl-C on a run and on a sweep. Each runs real ``cogrnn`` processes; marked slow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cogrnn import replications
from cogrnn.replication import read_verified

pytestmark = pytest.mark.slow

XOR = ["--quick", "--seeds", "2", "--quiet", "--set", "epochs=20", "--set", "test_triples=40"]
SWEEP = """
replication = "elman-xor"
seeds = 4
root_seed = 20261201
quick = true
[base]
epochs = 150
test_triples = 40
[grid]
lr = [0.1, 0.3]
"""


def _cogrnn(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "cogrnn.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True, **kw)  # fmt: skip


def _run_ok(*args: str) -> None:
    proc = _cogrnn(*args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err


def _staging(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(".elman-xor.")]


def _verified_root(out: Path) -> int:
    record, *_ = read_verified(replications.get("elman-xor"), out / "elman-xor")
    return int(record["root_seed"])


def test_kill_9_while_overwriting_keeps_a_complete_set(tmp_path):
    out = tmp_path / "out"
    _run_ok("replicate", "elman-xor", *XOR, "--seed", "1", "--out", str(out))
    old = {p.name: p.read_bytes() for p in (out / "elman-xor").iterdir()}
    killed_while_writing = 0
    for attempt in range(4):
        proc = _cogrnn("replicate", "elman-xor", *XOR, "--seed", str(2 + attempt), "--out", str(out))
        while proc.poll() is None and not _staging(out):
            time.sleep(0.002)
        if proc.poll() is None:  # the new set is being written: kill -9 now
            os.killpg(proc.pid, signal.SIGKILL)
            killed_while_writing += 1
        proc.communicate(timeout=60)
        # never a mix: the folder is the old complete set, verifiable by --plot-only
        assert {p.name: p.read_bytes() for p in (out / "elman-xor").iterdir()} == old
        assert _verified_root(out) == 1
    assert killed_while_writing >= 1
    assert _staging(out)  # the killed runs' staging folders are still there ...
    _run_ok("replicate", "elman-xor", *XOR, "--seed", "9", "--out", str(out))
    assert not _staging(out)  # ... until the next run cleans them
    assert _verified_root(out) == 9
    _run_ok("replicate", "elman-xor", "--plot-only", "--quiet", "--out", str(out))


def test_concurrent_runs_into_one_folder_leave_one_complete_set(tmp_path):
    out = tmp_path / "out"
    procs = [_cogrnn("replicate", "elman-xor", *XOR, "--seed", str(seed), "--out", str(out)) for seed in (1, 2, 3)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    assert _verified_root(out) in (1, 2, 3)  # one run's set, whole: results, figure and claims agree
    record = json.loads((out / "elman-xor" / "provenance.json").read_text())
    assert record["outputs_sha256"]["results.csv"] == __import__("cogrnn.io").io.sha256_file(
        out / "elman-xor" / "results.csv"
    )
    assert not _staging(out) and sorted(p.name for p in out.iterdir()) == ["elman-xor"]


def test_ctrl_c_on_a_run_keeps_the_old_set(tmp_path):
    out = tmp_path / "out"
    _run_ok("replicate", "elman-xor", *XOR, "--seed", "1", "--out", str(out))
    old = {p.name: p.read_bytes() for p in (out / "elman-xor").iterdir()}
    proc = _cogrnn("replicate", "elman-xor", "--quick", "--seeds", "4", "--seed", "2", "--out", str(out))
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the first progress line: training has started
    assert line.startswith("training"), line
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal signals the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("cogrnn: interrupted; ") and "Traceback" not in err, err
    assert not [x for x in lines if not x.startswith(("training", "cogrnn: interrupted"))], err
    assert {p.name: p.read_bytes() for p in (out / "elman-xor").iterdir()} == old
    assert not _staging(out)


def _tasks(out: Path) -> list[Path]:
    """The tasks' results tables (``<key>.parquet``), not their further tables (``<key>.<name>.parquet``)."""
    return sorted(p for p in (out / "tasks").glob("*.parquet") if "." not in p.stem)


@pytest.mark.parametrize("scheduler", ["sync", "local"])
def test_ctrl_c_on_a_sweep_is_one_line_keeps_tasks_and_resumes_identically(tmp_path, scheduler):
    if scheduler == "local":
        pytest.importorskip("distributed")
    spec = tmp_path / "sweep.toml"
    spec.write_text(SWEEP)
    args = ["sweep", str(spec), "--scheduler", scheduler, "--workers", "2", "--quiet"]
    _run_ok(*args, "--out", str(tmp_path / "whole"))
    cut = tmp_path / "cut"
    proc = _cogrnn(*args, "--out", str(cut))
    deadline = time.time() + 300
    while proc.poll() is None and len(_tasks(cut) if (cut / "tasks").exists() else []) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.strip().count("\n") == 0 and "Traceback" not in err, err
    assert err.startswith("cogrnn: interrupted; the completed tasks are kept in")
    kept = _tasks(cut)
    assert 2 <= len(kept) < 8
    _run_ok(*args, "--out", str(cut))
    pd.testing.assert_frame_equal(
        pd.read_parquet(cut / "results.parquet"), pd.read_parquet(tmp_path / "whole" / "results.parquet")
    )
    assert (cut / "results.csv").read_bytes() == (tmp_path / "whole" / "results.csv").read_bytes()
    assert json.loads((cut / "provenance.json").read_text())["n_tasks_reused"] == len(kept)


def test_kill_9_during_a_sweep_resumes_identically(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text(SWEEP)
    args = ["sweep", str(spec), "--scheduler", "sync", "--quiet"]
    _run_ok(*args, "--out", str(tmp_path / "whole"))
    cut = tmp_path / "cut"
    proc = _cogrnn(*args, "--out", str(cut))
    while proc.poll() is None and len(_tasks(cut) if (cut / "tasks").exists() else []) < 3:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    _run_ok(*args, "--out", str(cut))
    assert (cut / "results.csv").read_bytes() == (tmp_path / "whole" / "results.csv").read_bytes()
    assert not [p for p in (cut / "tasks").iterdir() if p.name.startswith(".")]  # no temporary files survive
