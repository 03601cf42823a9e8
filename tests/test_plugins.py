"""Plugins: third parties register models, tasks and replications through the ``cogrnn.plugins`` entry points.

The first tests fake the entry points in this process (loading, warnings, refused names); the
last one builds the example distribution in ``tests/plugin_example/``, installs it into a
temporary folder and uses it from fresh processes, as a user who installed it would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from cogrnn import registry
from cogrnn.cli import main
from cogrnn.exceptions import ConfigError
from cogrnn.models import ElmanSRN
from cogrnn.registry import MODELS, REPLICATIONS, TASKS, PluginWarning

EXAMPLE = Path(__file__).resolve().parent / "plugin_example"
CONTRACT_FILES = {"results.csv", "figure.png", "figure.pdf", "claims.json", "provenance.json"}


class _Plugin(ElmanSRN):
    """A model a fake plugin registers."""


def _entry_point(name: str, dist: str, register) -> SimpleNamespace:
    return SimpleNamespace(
        name=name, dist=SimpleNamespace(metadata={"Name": dist}, version="1.0"), load=lambda: register
    )


@pytest.fixture
def fake_plugins(monkeypatch):
    """Install fake entry points; the registries and the loading state are restored afterwards."""
    import importlib.metadata

    registry.load_plugins()  # the built-ins, before the registries are saved
    saved = [(reg, dict(reg._entries)) for reg in (MODELS, TASKS, REPLICATIONS)]
    points: list[SimpleNamespace] = []
    monkeypatch.setattr(
        importlib.metadata, "entry_points", lambda group=None: list(points) if group == registry.PLUGIN_GROUP else []
    )
    monkeypatch.setattr(registry, "_LOADING", {})
    yield points
    for reg, entries in saved:
        reg._entries = entries


def test_a_plugin_registers_models_with_its_distribution_as_provider(fake_plugins, capsys):
    def register():
        MODELS.register("lab-srn-v1", _Plugin, "A lab's SRN.", "Lab (2024).")
        TASKS.register("lab-task-v1", "cogrnn.tasks:TemporalXOR", "A lab's task.", "Lab (2024).")

    fake_plugins.append(_entry_point("lab", "cogrnn-lab", register))
    assert "lab-srn" in MODELS  # the first lookup loads the plugins
    assert MODELS.get("lab-srn").provider == "cogrnn-lab" and TASKS.get("lab-task-v1").provider == "cogrnn-lab"
    assert MODELS.get("elman").provider == "cogrnn"
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "lab-srn-v1" in out and "provided by cogrnn-lab" in out and "provided by cogrnn\n" in out


def test_plugins_load_once(fake_plugins):
    calls = []
    fake_plugins.append(_entry_point("lab", "cogrnn-lab", lambda: calls.append(1)))
    MODELS.names()
    TASKS.entries()
    assert "elman-xor" in REPLICATIONS
    assert calls == [1]


def test_a_broken_plugin_is_a_warning_naming_its_distribution_and_the_error(fake_plugins):
    def broken():
        raise ImportError("No module named 'cogrnn_lab.models'")

    fake_plugins.append(_entry_point("lab", "cogrnn-lab", broken))
    with pytest.warns(PluginWarning, match=r"cogrnn-lab 1\.0 was not loaded: ImportError: No module named"):
        names = MODELS.names()
    assert "elman" in names


def test_a_plugin_may_not_take_a_builtin_name_and_is_undone(fake_plugins):
    def clash():
        TASKS.register("lab-task-v1", "cogrnn.tasks:TemporalXOR", "A lab's task.", "Lab (2024).")
        MODELS.register("elman-v2", _Plugin, "An SRN under cogrnn's name.", "Lab (2024).")

    fake_plugins.append(_entry_point("lab", "cogrnn-lab", clash))
    refused = r"cogrnn-lab cannot register model elman-v2: the name 'elman' belongs to cogrnn"
    with pytest.warns(PluginWarning, match=refused):
        assert MODELS.get("elman").id == "elman-v1"
    assert "lab-task" not in TASKS  # what the refused plugin registered is removed again
    with pytest.raises(ConfigError, match="the name 'elman-xor' belongs to cogrnn"):
        REPLICATIONS.register("elman-xor-v1", "x:y", "a replication under cogrnn's name", provider="someone")


def test_cli_list_reports_a_broken_plugin_in_one_line_and_succeeds(fake_plugins, capsys):
    def broken():
        raise RuntimeError("boom")

    fake_plugins.append(_entry_point("lab", "cogrnn-lab", broken))
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    warning = "cogrnn: warning: cogrnn plugin 'lab' of cogrnn-lab 1.0 was not loaded: RuntimeError: boom"
    assert captured.err.strip() == warning
    assert "elman-xor-v1" in captured.out


def test_a_replication_must_be_registered_under_its_own_name(fake_plugins):
    fake_plugins.append(
        _entry_point(
            "lab", "cogrnn-lab",
            lambda: REPLICATIONS.register("lab-xor-v1", "cogrnn.replications.elman_xor:REPLICATION", "d", "r"),
        )
    )  # fmt: skip
    with pytest.raises(ConfigError, match="registered under the name 'lab-xor' but is called 'elman-xor'"):
        registry.get_replication("lab-xor")


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def test_an_installed_plugin_shows_in_list_runs_and_passes_the_common_checks(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    proc = subprocess.run([*pip, "--target", str(site), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(site)}
    work = tmp_path / "work"
    work.mkdir()

    listed = _run(["-m", "cogrnn.cli", "list"], env, work)
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr[-2000:]
    lines = listed.stdout.splitlines()
    for section, id in (("Models:", "example-srn-v1"), ("Tasks:", "example-echo-v1"),
                        ("Replications:", "example-echo-memory-v1")):  # fmt: skip
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == [id])
        assert max(i for i, line in enumerate(lines[:at]) if line.endswith(":") and not line.startswith(" ")) == (
            lines.index(section)
        )
        assert "example plugin" in lines[at].lower() and "Elman, J. L. (1990)" in lines[at + 1]
        assert lines[at + 2].split() == ["provided", "by", "cogrnn-example-plugin"]

    out = tmp_path / "out"
    run = _run(["-m", "cogrnn.cli", "replicate", "example-echo-memory", "--quick", "--seeds", "2", "--out", str(out),
                "--quiet"], env, work)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    folder = out / "example-echo-memory"
    assert {p.name for p in folder.iterdir()} == CONTRACT_FILES
    assert json.loads((folder / "provenance.json").read_text())["replication"] == "example-echo-memory"

    code = (
        "import sys\n"
        "from cogrnn.checks import check_model, check_replication_run, check_task, registry_entries\n"
        "plugin = [e for e in registry_entries() if e[1].startswith('example-')]\n"
        "assert plugin == [('model', 'example-srn-v1'), ('task', 'example-echo-v1'),"
        " ('replication', 'example-echo-memory-v1')], plugin\n"
        "check_model('example-srn')\n"
        "check_task('example-echo')\n"
        f"check_replication_run('example-echo-memory', {str(folder)!r}, n_seeds=2, mode='quick')\n"
        "print('checked')\n"
    )
    checked = _run(["-c", code], env, work)
    assert checked.returncode == 0 and checked.stdout.strip() == "checked", checked.stderr[-3000:]


def test_a_plugin_item_that_cannot_be_imported_is_one_line_and_replicate_all_skips_it(fake_plugins, capsys, tmp_path):
    def register():
        REPLICATIONS.register("lab-rep-v1", "no_such_module_xyz:REP", "a broken item", "r")
        MODELS.register("lab-const-v1", "math:pi", "not a model", "r")

    fake_plugins.append(_entry_point("lab", "cogrnn-lab", register))
    with pytest.raises(ConfigError, match=r"lab-rep-v1 \(provided by cogrnn-lab\) cannot be loaded.*ModuleNotFound"):
        registry.get_replication("lab-rep")
    with pytest.raises(ConfigError, match=r"model lab-const-v1 \(provided by cogrnn-lab\) is not callable"):
        registry.make_model("lab-const")
    assert main(["replicate", "lab-rep", "--quick"]) == 2
    assert capsys.readouterr().err.strip().startswith("cogrnn: error: lab-rep-v1 (provided by cogrnn-lab)")
    # 'all' runs the built-ins and skips the broken plugin item with a warning (checked here with --plot-only
    # on an empty folder, which stops at the first built-in with one line, after the names were validated)
    assert main(["replicate", "all", "--plot-only", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cogrnn: warning: skipping lab-rep-v1 (provided by cogrnn-lab) cannot be loaded" in err
    assert "provenance.json does not exist" in err


@pytest.mark.parametrize("bad", ["elman-v0", "elman-v01", "elman-v0000001"])
def test_version_zero_or_with_leading_zeros_is_refused(bad):
    with pytest.raises(ConfigError, match="no leading zero"):
        MODELS.get(bad)
