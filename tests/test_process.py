"""A lean process: the runner's timings, one flush of the output set, and lazy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from cogrnn import replication as runner
from cogrnn import replications
from cogrnn._progress import phase_times, timed

TINY = {"epochs": 2, "test_triples": 10}


def _run(tmp_path, **kw):
    return runner.run_replication(replications.get("elman-xor"), n_seeds=2, quick=True, out=tmp_path, quiet=True,
                                  overrides=TINY, **kw)  # fmt: skip


def test_provenance_records_the_timings_of_each_step(tmp_path):
    res = _run(tmp_path)
    t = json.loads((res.out_dir / "provenance.json").read_text())["timings"]
    steps = ["setup_s", "compute_s", "files_s", "measures_s", "claims_s", "figure_s"]
    assert all(isinstance(t[k], float) and t[k] >= 0 for k in steps)
    assert t["startup_s"] is None or t["startup_s"] >= 0
    assert t["run_s"] == pytest.approx(sum(t[k] for k in steps), abs=0.01)
    assert t["run_s"] <= res.wall_time_s + 0.01
    inside = t["compute_s"] + t["measures_s"] + t["claims_s"]
    assert t["outside_s"] == pytest.approx((t["startup_s"] or 0) + t["run_s"] - inside, abs=0.01)
    assert 0 <= t["outside_share"] <= 1
    # a redrawing keeps the run's timings and records its own beside them
    again = runner.run_replication(replications.get("elman-xor"), out=tmp_path, quiet=True, plot_only=True)
    prov = json.loads((again.out_dir / "provenance.json").read_text())
    assert prov["timings"] == t and set(prov["redrawn"]["timings"]) >= {"setup_s", "figure_s", "files_s"}
    assert "compute_s" not in prov["redrawn"]["timings"]
    # a later run of the process counts the time since the previous one ended, not the process's age
    assert runner._LAST_END["t"] is not None
    later = json.loads((_run(tmp_path / "b").out_dir / "provenance.json").read_text())["timings"]
    assert 0 <= later["startup_s"] < 5


def test_phases_add_up_and_a_phase_inside_itself_counts_once():
    phase_times(reset=True)
    with timed("x"):
        pass
    with timed("x"):
        pass
    assert list(phase_times(reset=True)) == ["x"] and phase_times() == {}
    with timed("outer"):
        with timed("outer"):  # e.g. a benchmark's wrapper around a call the library times itself
            time.sleep(0.2)
        with timed("inner"):
            pass
    t = phase_times(reset=True)
    assert 0.2 <= t["outer"] < 0.4 and t["inner"] < t["outer"]  # twice would be 0.4 or more


def test_every_output_is_on_disk_before_publication_and_phases_reach_the_provenance(tmp_path, monkeypatch):
    rep = replications.get("elman-xor")
    compute = type(rep).compute

    def timed_compute(self, *args):
        with timed("train"):
            return compute(self, *args)

    monkeypatch.setattr(type(rep), "compute", timed_compute)
    flushed: set[tuple[int, int]] = set()
    real_fsync, real_publish = os.fsync, runner.publish_dir

    def fsync(fd):
        st = os.fstat(fd)
        flushed.add((st.st_dev, st.st_ino))
        real_fsync(fd)

    def publish(staging, final):
        files = [p for p in staging.iterdir()]
        assert files and all((p.stat().st_dev, p.stat().st_ino) in flushed for p in files)
        assert (staging.stat().st_dev, staging.stat().st_ino) in flushed  # the names too
        published.append(sorted(p.name for p in files))
        return real_publish(staging, final)

    published: list[list[str]] = []
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(runner, "publish_dir", publish)
    res = _run(tmp_path)
    assert published and published[0] == sorted(p.name for p in res.out_dir.iterdir())
    t = json.loads((res.out_dir / "provenance.json").read_text())["timings"]
    assert 0 < t["phases"]["train"] <= t["compute_s"]


def _imported(code: str) -> set[str]:
    """The heavy modules a fresh interpreter has imported after running ``code``."""
    heavy = ("torch", "pandas", "matplotlib", "numba")
    probe = f"{code}\nimport sys; print('IMPORTED', *(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.rpartition("IMPORTED")[2].split())


def _cli(*args: str) -> str:
    run = "from cogrnn.cli import main\ntry: main()\nexcept SystemExit: pass"
    return f"import sys; sys.argv = ['cogrnn', *{args!r}]\n{run}"


def test_import_cogrnn_and_the_help_import_no_heavy_library():
    assert _imported("import cogrnn") == set()
    help_ = (
        "import sys; sys.argv = ['cogrnn', '--help']\nfrom cogrnn.cli import main\ntry: main()\nexcept SystemExit: pass"
    )
    assert _imported(help_) == set()


def test_lazy_names_of_the_package_resolve():
    import cogrnn

    assert cogrnn.make_model is cogrnn.registry.make_model and cogrnn.models.__name__ == "cogrnn.models"
    assert set(cogrnn.__all__) <= set(dir(cogrnn))
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        cogrnn.nonesuch  # noqa: B018


def test_cogrnn_list_imports_no_torch():
    code = (
        "import sys; sys.argv = ['cogrnn', 'list']\nfrom cogrnn.cli import main\ntry: main()\nexcept SystemExit: pass"
    )
    assert "torch" not in _imported(code)


def test_replication_modules_and_plot_only_import_no_torch(tmp_path):
    """A replication's module, its configuration and a --plot-only redraw load neither torch nor numba."""
    names = ["elman-xor", "elman-letters", "elman-words", "elman-lexical", "hopfield-recall", "gradient-flow"]
    load = f"from cogrnn.registry import get_replication\nfor n in {names!r}: get_replication(n).config(quick=True)"
    assert not {"torch", "numba"} & _imported(load)
    _run(tmp_path)
    redraw = _imported(_cli("replicate", "elman-xor", "--plot-only", "--out", str(tmp_path), "--quiet"))
    assert {"pandas", "matplotlib"} <= redraw and not {"torch", "numba"} & redraw
    assert json.loads((tmp_path / "elman-xor" / "provenance.json").read_text())["redrawn"]["timings"]["figure_s"] > 0


def test_a_configuration_names_its_device_and_the_run_checks_this_machine_has_it():
    """The tables of a GPU run can be read (and redrawn) where there is no GPU: only running needs it."""
    from cogrnn.exceptions import ConfigError

    flow = replications.get("gradient-flow")
    assert flow.config_class(device="cuda:1").device == "cuda:1"  # a name, whatever this machine has
    with pytest.raises(ConfigError, match="device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'gpu7'"):
        flow.config_class(device="gpu7")
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="device='cuda:1' is not available"):
            flow.compute(flow.config(quick=True).with_values({"device": "cuda:1"}), [], quiet=True)


def test_the_program_ends_with_the_status_and_output_of_main():
    run = [sys.executable, "-m", "cogrnn.cli", "replicate", "nonesuch"]
    proc = subprocess.run(run, capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("cogrnn: error: unknown replication 'nonesuch'")
    # buffered output is flushed, atexit handlers run; with another thread alive it exits normally
    code = (
        "import atexit, sys, threading, time\nfrom cogrnn.cli import exit_now\n"
        "atexit.register(lambda: print('atexit ran'))\nsys.stdout.write('buffered ')\n"
        "if sys.argv[1] == 'thread':\n"
        "    threading.Thread(target=lambda: (time.sleep(0.3), print('thread done'))).start()\n"
        "exit_now(5)"
    )
    for mode, tail in (("alone", "buffered atexit ran\n"), ("thread", "buffered thread done\natexit ran\n")):
        proc = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True)
        assert (proc.returncode, proc.stdout) == (5, tail)


def test_replicate_all_records_the_shared_start_up_once_and_each_runs_own_share(tmp_path, monkeypatch):
    """The start-up of ``replicate all`` is not charged to its first replication: each run records its own."""
    from cogrnn.provenance import process_age

    try:
        runner._shared_startup({"elman-xor": 1.5, "other": 2.0})
        age = process_age()
        shared = json.loads((_run(tmp_path / "a").out_dir / "provenance.json").read_text())["timings"]
        if age is not None:
            assert shared["command_startup_s"] == pytest.approx(age - 3.5, abs=0.5)
            assert 1.5 <= shared["startup_s"] < 1.5 + 5  # its own import and the time since the shared part
        inside = shared["compute_s"] + shared["measures_s"] + shared["claims_s"]
        assert shared["outside_s"] == pytest.approx(shared["startup_s"] + shared["run_s"] - inside, abs=0.01)
        again = json.loads((_run(tmp_path / "b").out_dir / "provenance.json").read_text())["timings"]
        assert again["startup_s"] < 5  # the import is counted once, by the first run of that replication
    finally:
        runner._shared_startup(None)
    alone = json.loads((_run(tmp_path / "c").out_dir / "provenance.json").read_text())["timings"]
    assert alone["command_startup_s"] is None
    # the command times each replication's import and marks the shared start-up before the first run
    seen = {}

    def stop(rep, **kw):
        seen.update(runner._COMMAND, first=rep.name)
        raise runner.ConfigError("stopped by the test")

    monkeypatch.setattr(runner, "run_replication", stop)
    from cogrnn.cli import main
    from cogrnn.registry import REPLICATIONS

    assert main(["replicate", "all", "--quick", "--out", str(tmp_path / "d"), "--quiet"]) == 2
    assert set(seen["imports"]) == set(REPLICATIONS.names()) and seen["first"] in seen["imports"]
    assert all(v >= 0 for v in seen["imports"].values())
    assert seen["startup"] is None or seen["startup"] >= 0
    assert runner._COMMAND == {"startup": None, "imports": {}}  # cleared when the command ends


def test_figure_pdf_bytes_do_not_depend_on_the_time_of_drawing(monkeypatch):
    """figure.pdf carries no creation date: the same figure, drawn at two different times, gives the same bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cogrnn.replication import _figure_bytes

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # matplotlib dates a PDF by this when set
    first = _figure_bytes(fig, "pdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    second = _figure_bytes(fig, "pdf")
    plt.close(fig)
    assert first == second
