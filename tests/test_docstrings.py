"""Every public function, class, method and property of cogrnn has a valid numpydoc docstring.

The validation is the one ``make lint`` runs (``python -m cogrnn._docs``), with the check set of
``[tool.numpydoc_validation]`` in pyproject.toml. It runs once; each source file is its own test, so
a failure names the file and lists its offenders.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from cogrnn import _docs
from cogrnn._docs import Offender, docdict, fill_doc, validate_package

pytest.importorskip("numpydoc")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _public_source_files() -> list[str]:
    files = [*sorted((ROOT / "cogrnn").rglob("*.py")), *sorted((ROOT / "replications").glob("*.py"))]
    rel = [f.relative_to(ROOT) for f in files]
    # private modules (cogrnn/_docs.py, training/_kernels.py) hold no public names; __init__ files do
    return [r.as_posix() for r in rel if r.name == "__init__.py" or not any(p.startswith("_") for p in r.parts)]


@functools.cache
def _offenders() -> tuple[Offender, ...]:
    return tuple(validate_package("cogrnn", PYPROJECT))


@pytest.mark.parametrize("path", _public_source_files())
def test_public_docstrings_pass_numpydoc_validation(path):
    found = [str(o) for o in _offenders() if o.file == path]
    assert not found, f"{len(found)} numpydoc offenders in {path}:\n" + "\n".join(found)


def test_validation_sees_the_whole_public_api():
    names = {name for name, _, _ in _docs._public_objects("cogrnn")}
    # functions, classes, methods and the replications mapped into the package are all visited
    for expected in (
        "cogrnn.analysis.stats.bootstrap_ci",
        "cogrnn.random.check_random_state",
        "cogrnn.replication.Claim",
        "cogrnn.replications.elman_xor",
    ):
        assert any(n == expected or n.startswith(expected + ".") for n in names), expected
    assert not any(part.startswith("_") for n in names for part in n.split(".")[1:])
    # every offender is in a file this test parametrizes over, so none escapes the per-file tests
    assert {o.file for o in _offenders()} <= set(_public_source_files())


def test_validation_flags_a_bad_docstring(tmp_path, monkeypatch):
    pkg = tmp_path / "docpkg_bad"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "def documented(x):\n"
        '    """Add one.\n\n    Parameters\n    ----------\n    x : int\n        A number.\n\n'
        "    Returns\n    -------\n    int\n        ``x + 1``.\n\n    Examples\n    --------\n"
        '    >>> documented(1)\n    2\n    """\n    return x + 1\n\n\n'
        "def undocumented(x):\n    return x\n\n\n"
        'def missing_param(x, y):\n    """Add.\n\n    Parameters\n    ----------\n    x : int\n        A number.\n'
        '\n    Returns\n    -------\n    int\n        The sum.\n    """\n    return x + y\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = {(o.name.rsplit(".", 1)[-1], o.code) for o in validate_package("docpkg_bad", PYPROJECT)}
    assert ("undocumented", "GL08") in found
    assert ("missing_param", "PR01") in found
    assert ("missing_param", "EX01") in found
    assert not any(name == "documented" for name, _ in found)


def test_fill_doc_indents_entries_and_refuses_unknown_keys():
    def f(random_state=None):
        """Do.

        Parameters
        ----------
        %(random_state)s
        """

    fill_doc(f)
    lines = f.__doc__.splitlines()
    first = docdict["random_state"].strip("\n").splitlines()
    assert lines[4] == "        " + first[0]
    assert lines[5] == "            " + first[1].strip()

    def g(x):
        """Do.

        Parameters
        ----------
        %(no_such_entry)s
        """

    with pytest.raises(KeyError, match="no_such_entry"):
        fill_doc(g)
