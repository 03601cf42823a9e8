"""The gallery examples and the tutorial of the documentation site run as smoke tests.

Each script runs in its own process (as sphinx-gallery runs it at build time, with a non-interactive
matplotlib backend) and must exit 0 and draw at least one figure. They train small networks, so they
are ``slow`` (``make test-slow``); ``make docs`` runs them too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
SCRIPTS = sorted([*DOCS.glob("examples/plot_*.py"), *DOCS.glob("tutorials/plot_*.py")])

RUNNER = """
import runpy, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.show = lambda *a, **k: None
runpy.run_path(sys.argv[1], run_name="__main__")
n = len(plt.get_fignums())
print(f"figures: {n}")
sys.exit(0 if n > 0 else 3)
"""


def test_gallery_has_the_examples_of_the_issue() -> None:
    names = {p.stem for p in SCRIPTS}
    expected = {
        "plot_10_minutes",
        "plot_srn_ensemble_errors",
        "plot_training_methods",
        "plot_dendrogram",
        "plot_pca_trajectories",
        "plot_rsa",
        "plot_fixed_points",
        "plot_gradient_flow",
        "plot_hopfield",
        "plot_modern_hopfield",
        "plot_generation",
        "plot_statistics",
        "plot_dask_sweep",
    }
    assert expected <= names, sorted(expected - names)


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "figures: " in proc.stdout
