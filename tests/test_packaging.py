"""Issue 14: the library stands on its own (what can be checked without building a wheel).

The wheel itself is built, installed into a clean venv and run from another folder by
``.ci/wheel-check`` (``make test-wheel``, run by CI after ``make test``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["cogrnn", "replications"])
def test_no_module_imports_replications_by_its_top_level_name(folder):
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / folder).rglob("*.py"))
        if any(n == "replications" or n.startswith("replications.") for n in _imports(p))
    ]
    assert offenders == []


def test_pyproject_ships_every_subpackage_and_maps_replications_and_data_into_cogrnn():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "cogrnn").rglob("__init__.py")}
    assert found - listed == set(), "a subpackage of cogrnn is missing from [tool.setuptools] packages"
    assert all(name == "cogrnn" or name.startswith("cogrnn.") for name in listed)
    assert config["package-dir"] == {"cogrnn": "cogrnn", "cogrnn.replications": "replications", "cogrnn.data": "data"}
    data_globs = config["package-data"]["cogrnn.data"]
    files = [p.relative_to(ROOT / "data").as_posix() for p in (ROOT / "data").rglob("*") if p.is_file()]
    # setuptools globs: "*" does not cross "/", so data/corpora/x.txt needs "corpora/*.txt"
    unshipped = [f for f in files if "__pycache__" not in f and not any(PurePosixPath(f).match(g) and
                 f.count("/") == g.count("/") for g in data_globs)]  # fmt: skip
    assert unshipped == [], f"data/ files the wheel would not ship: {unshipped}"


def test_cli_list_from_another_folder_never_imports_top_level_replications(tmp_path):
    code = (
        "import sys\n"
        "from cogrnn.cli import main\n"
        "try:\n    main(['list'])\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "import cogrnn.replications as reps\n"
        "[reps.get(n) for n in reps.names()]\n"
        "assert 'replications' not in sys.modules, 'top-level replications imported'\n"
        "from cogrnn.io import data_dir\n"
        "print(data_dir())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Path(proc.stdout.strip().splitlines()[-1]).is_dir()
