"""Shared docstring text (a docdict, after MNE) and the numpydoc validation of cogrnn's public API.

Parameters that many public functions share (``random_state``, ``n_replicas``, ``model``, ...) are
written once in :data:`docdict`; a docstring names them as ``%(random_state)s`` on a line of its
``Parameters`` section and :func:`fill_doc` writes the entry in, indented as the placeholder is.

:func:`validate_package` runs numpydoc's validation over every public function, class, method and
property of the package, with the check set of ``[tool.numpydoc_validation]`` in ``pyproject.toml``.
It validates the imported objects (their filled docstrings), not the source text, which is why
``make lint`` runs ``python -m cogrnn._docs`` rather than ``numpydoc lint``: the latter parses the
source and would see the ``%(...)s`` placeholders.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Offender", "docdict", "fill_doc", "validate_package"]

F = TypeVar("F", bound=Callable[..., Any])

docdict: dict[str, str] = {
    "random_state": """
random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, optional
    Source of randomness. ``None`` (the default) draws fresh entropy from the operating system, so
    two calls differ; an int >= 0 (or a SeedSequence) seeds a new generator, so the same value
    gives the same result; a Generator is used as it is (and advanced).""",
    "seed_sequence": """
seed : numpy.random.SeedSequence
    A seed sequence (e.g. from :func:`cogrnn.random.spawn_seeds`).""",
    "check_name": """
name : str
    Name of the checked value (a parameter or an option), used in the error message.""",
    "raises_config": """
cogrnn.exceptions.ConfigError
    If the value is refused; the one-line message names it and what is allowed.""",
    "path": """
path : str or os.PathLike
    The file.""",
    "required": """
required : iterable of str
    Columns the table must have (it may have more).""",
    "returns_path": """
pathlib.Path
    The path written.""",
    "final": """
final : str or os.PathLike
    The output folder (published under this name).""",
    "raises_data": """
cogrnn.exceptions.DataError
    If the file is missing or unreadable, or a required column is absent (one-line message).""",
    "replication": """
replication : cogrnn.replication.Replication
    The replication (e.g. ``cogrnn.replications.get("elman-xor")``).""",
    "workers": """
workers : int, optional
    Number of worker processes; None lets the scheduler choose.""",
    "n_replicas": """
n_replicas : int, optional
    Number of independent replicas (networks with their own initial weights) trained or evaluated
    side by side in one batched model; replica ``r`` is seeded from the root seed's ``r``-th child.""",
    "model": """
model : cogrnn.models.RecurrentEnsemble
    The (possibly replicated) recurrent network; any model built by :func:`cogrnn.make_model`.""",
    "recording": """
recording : cogrnn.analysis.Recording
    Outputs, errors and hidden states of every step and layer of an evaluation, with their
    descriptors (step, replica and the task's own), as returned by the model's evaluation.""",
    "quiet": """
quiet : bool, optional
    If True, print no progress bar or log lines (default False).""",
    "out": """
out : str or pathlib.Path
    Folder the results are written to; created if it does not exist.""",
    "seed": """
seed : int, optional
    Root seed of the run; every replica's and every stage's stream is derived from it.""",
    "n_seeds": """
n_seeds : int, optional
    Number of seeds (independent networks) to run; ``None`` takes the replication's default.""",
    "quick": """
quick : bool, optional
    If True, run the small configuration used for smoke tests and continuous integration.""",
    "df": """
df : pandas.DataFrame
    Tidy table, one row per observation.""",
    "seed_col": """
seed_col : str, optional
    Column that names the replica (seed) each row belongs to (default ``"seed"``).""",
    "ax": """
ax : matplotlib.axes.Axes, optional
    Axes to draw into; a new figure and axes are made when None.""",
    "X_items": """
X : array-like of shape (n_items, n_units)
    The vectors, one row per item (at least 2 rows, finite).""",
    "linkage_method": """
method : str, optional
    Linkage method: one of "single", "complete", "average", "weighted", "centroid", "median",
    "ward" (default "average").""",
    "metric": """
metric : str, optional
    Distance metric, any name scipy.spatial.distance accepts (default "euclidean").""",
    "n_streams": """
n_streams : int, optional
    Number of independent sequences, side by side in the batch (default 1).""",
    "returns_batch": """
cogrnn.tasks.SequenceBatch
    Inputs, targets and per-step descriptors, arrays (T, n_streams, ...).""",
    "title": """
title : str, optional
    Axes title; none when None.""",
    "returns_fig": """
matplotlib.figure.Figure
    The figure drawn into (the figure of ``ax`` when one is given).""",
    "palette": """
palette : mapping of str to color, optional
    Color of each category; matplotlib's cycle when None.""",
    "highlight": """
highlight : str, optional
    Leaf label drawn in bold red (e.g. a novel word).""",
    "vocab": """
vocab : sequence of str
    The vocabulary: token ``i`` of the network's one-hot input and output is ``vocab[i]``.""",
}
"""Shared parameter entries; keys are the names written as ``%(key)s`` in docstrings."""

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<key>\w+)\)s[ \t]*$", re.MULTILINE)


def fill_doc(obj: F) -> F:
    """Write the :data:`docdict` entries named as ``%(key)s`` into a docstring.

    A placeholder stands alone on its line; the entry is written at the placeholder's indentation,
    so it works whatever the docstring's indentation (also where Python strips it).

    Parameters
    ----------
    obj : callable or type
        Function, method or class whose ``__doc__`` holds ``%(key)s`` placeholders.

    Returns
    -------
    callable or type
        The same object, its docstring filled in.

    Raises
    ------
    KeyError
        If a placeholder names no entry of :data:`docdict` (so a typo fails at import time).

    Examples
    --------
    >>> @fill_doc
    ... def draw(random_state=None):
    ...     '''Draw a number.
    ...
    ...     Parameters
    ...     ----------
    ...     %(random_state)s
    ...     '''
    >>> print(draw.__doc__.splitlines()[4].strip())
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, optional
    """
    doc = obj.__doc__
    if not doc:
        return obj

    def entry(match: re.Match[str]) -> str:
        key = match.group("key")
        if key not in docdict:
            raise KeyError(f"docstring of {getattr(obj, '__qualname__', obj)!r} names unknown docdict entry {key!r}")
        return textwrap.indent(docdict[key].strip("\n"), match.group("indent"))

    obj.__doc__ = _PLACEHOLDER.sub(entry, doc)
    return obj


# ---------------------------------------------------------------------------------------------------
# validation of the public API


@dataclass(frozen=True)
class Offender:
    """One numpydoc check that one public object fails.

    Parameters
    ----------
    file : str
        Source file of the object, relative to the project root where it lies under it.
    line : int
        Line of the object's definition (0 where unknown).
    name : str
        Full dotted name of the object.
    code : str
        The numpydoc check code (``"PR01"``, ...).
    message : str
        numpydoc's description of the failure.

    Examples
    --------
    >>> str(Offender("cogrnn/x.py", 3, "cogrnn.x.f", "GL08", "The object does not have a docstring"))
    'cogrnn/x.py:3: cogrnn.x.f GL08 The object does not have a docstring'
    """

    file: str
    line: int
    name: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.name} {self.code} {self.message}"


def _find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder / "pyproject.toml"
    return None


def _read_config(pyproject: Path | None) -> dict[str, Any]:
    if pyproject is None:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    with open(pyproject, "rb") as fh:
        data = tomllib.load(fh)
    return dict(data.get("tool", {}).get("numpydoc_validation", {}))


def _iter_modules(package: str) -> Iterator[Any]:
    """Import and yield the package and every public submodule (replications included)."""
    pkg = importlib.import_module(package)
    yield pkg
    seen = {package}
    todo = [pkg]
    while todo:
        parent = todo.pop()
        for info in pkgutil.iter_modules(getattr(parent, "__path__", []), parent.__name__ + "."):
            if info.name in seen or info.name.rsplit(".", 1)[-1].startswith("_"):
                continue
            seen.add(info.name)
            mod = importlib.import_module(info.name)
            yield mod
            if info.ispkg:
                todo.append(mod)
        # subpackages mapped in from other folders (cogrnn.replications) are not on the parent's path
        if parent.__name__ == package:
            for extra in ("replications",):
                name = f"{package}.{extra}"
                if name not in seen:
                    try:
                        mod = importlib.import_module(name)
                    except ImportError:
                        continue
                    seen.add(name)
                    yield mod
                    todo.append(mod)


def _public_objects(package: str) -> Iterator[tuple[str, Any, str]]:
    """Yield ``(full name, object, kind)`` for every public function, class, method and property.

    An object counts where it is defined (its ``__module__``), never where it is re-exported.
    """
    for mod in _iter_modules(package):
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isclass(obj):
                yield f"{mod.__name__}.{name}", obj, "class"
                for attr, member in sorted(vars(obj).items()):
                    if attr.startswith("_"):
                        continue
                    func = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                    if getattr(func, "__doc__", None) is None and any(attr in vars(b) for b in obj.__mro__[1:]):
                        continue  # an undocumented override inherits its base's docstring (as Sphinx shows it)
                    if isinstance(member, property | staticmethod | classmethod) or inspect.isfunction(member):
                        kind = "property" if isinstance(member, property) else "method"
                        yield f"{mod.__name__}.{name}.{attr}", member, kind
            elif inspect.isfunction(obj):
                yield f"{mod.__name__}.{name}", obj, "function"


def _source(obj: Any) -> tuple[str, int]:
    target: Any = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    target = inspect.unwrap(target) if callable(target) else target
    try:
        file = inspect.getsourcefile(target) or ""
        line = inspect.getsourcelines(target)[1]
    except (OSError, TypeError):
        return "", 0
    return file, line


def validate_package(package: str = "cogrnn", pyproject: str | Path | None = None) -> list[Offender]:
    """Validate the numpydoc docstrings of every public object of a package.

    Public objects are the functions and classes defined in a module whose dotted name has no
    part starting with ``_``, and the methods and properties such a class defines; ``__init__``
    and other dunder methods are not checked (a class documents its constructor's parameters).

    Parameters
    ----------
    package : str, optional
        Importable package name (default ``"cogrnn"``; ``cogrnn.replications`` is included).
    pyproject : str or pathlib.Path, optional
        The ``pyproject.toml`` whose ``[tool.numpydoc_validation]`` section sets the checks:
        ``checks`` (``"all"`` followed by the codes to leave out, or a list of codes), ``exclude``
        (regular expressions on full names), ``override_<CODE>`` (regular expressions on the
        docstring that waive that check) and ``examples_for`` (kinds of object that must have an
        Examples section, EX01; default function and class). Found upward from the current folder
        when None.

    Returns
    -------
    list of Offender
        Every failed check, sorted by file and line; empty when the API is clean.

    Examples
    --------
    >>> offenders = validate_package("cogrnn.viz")  # doctest: +SKIP
    >>> sorted({o.file for o in offenders})  # doctest: +SKIP
    []
    """
    from numpydoc.validate import get_validation_checks, validate

    path = Path(pyproject) if pyproject is not None else _find_pyproject(Path.cwd())
    config = _read_config(path)
    root = path.parent.resolve() if path is not None else Path.cwd().resolve()
    checks = get_validation_checks(set(config.get("checks", ["all"])))
    exclude = [re.compile(p) for p in config.get("exclude", [])]
    overrides = {
        key.removeprefix("override_").upper(): [re.compile(p) for p in value]
        for key, value in config.items()
        if key.startswith("override_")
    }
    examples_for = set(config.get("examples_for", ["function", "class"]))

    offenders = []
    for name, obj, kind in _public_objects(package):
        if any(p.search(name) for p in exclude):
            continue
        doc = inspect.getdoc(obj) or ""
        file, line = _source(obj)
        try:
            file = Path(file).resolve().relative_to(root).as_posix()
        except ValueError:
            pass
        for code, message in validate(name)["errors"]:
            if code not in checks or (code == "EX01" and kind not in examples_for):
                continue
            if any(p.search(doc) for p in overrides.get(code, [])):
                continue
            offenders.append(Offender(file, line, name, code, message))
    return sorted(offenders, key=lambda o: (o.file, o.line, o.name, o.code))


def main(argv: list[str] | None = None) -> int:
    """Print the offenders of ``validate_package`` per file; the exit status is 1 if there are any.

    Parameters
    ----------
    argv : list of str, optional
        Package names to validate (default ``["cogrnn"]``).

    Returns
    -------
    int
        0 when no public docstring fails a check, else 1.

    Examples
    --------
    >>> main(["cogrnn.viz"])  # doctest: +SKIP
    0
    """
    packages = (argv if argv is not None else sys.argv[1:]) or ["cogrnn"]
    offenders = [o for p in packages for o in validate_package(p)]
    for o in offenders:
        print(o)
    if offenders:
        per_file: dict[str, int] = {}
        for o in offenders:
            per_file[o.file] = per_file.get(o.file, 0) + 1
        print(f"\n{len(offenders)} numpydoc offenders in {len(per_file)} files:", file=sys.stderr)
        for file, n in sorted(per_file.items()):
            print(f"  {n:4d}  {file}", file=sys.stderr)
    return int(bool(offenders))


if __name__ == "__main__":
    sys.exit(main())
