"""Provenance records: what produced a result, so it can be cited and reproduced."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from ._version import __version__
from .io import sha256_file

__all__ = [
    "git_info",
    "package_versions",
    "thread_info",
    "process_age",
    "utc_now",
    "file_hashes",
    "source_hash",
    "code_version",
    "PACKAGES",
]

PACKAGES = (
    "numpy", "scipy", "torch", "numba", "pandas", "scikit-learn", "matplotlib", "seaborn",
    "typer", "rich", "pyarrow",
)  # fmt: skip


def utc_now() -> str:
    """The current time, ISO 8601 in UTC.

    Returns
    -------
    str
        E.g. ``"2026-01-31T12:00:00+00:00"`` (seconds).

    Examples
    --------
    >>> utc_now().endswith("+00:00")
    True
    """
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def git_info(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Commit and dirty flag of the git work tree holding ``path`` (default: this package).

    ``dirty`` is true when a tracked file is modified or an untracked (not ignored) file
    exists: an untracked module can change results as much as an edited one.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A file or folder in the work tree (default: this package's folder).

    Returns
    -------
    dict of str to object
        ``{"commit": str, "dirty": bool}``; ``{"commit": None, "dirty": None}`` outside a
        git work tree.

    Examples
    --------
    >>> import tempfile
    >>> git_info(tempfile.mkdtemp())
    {'commit': None, 'dirty': None}
    """
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=normal"],
            cwd=where, capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def source_hash(roots: Iterable[str | os.PathLike[str]] | None = None) -> str:
    """SHA-256 over the Python source of ``roots`` (default: the cogrnn and replications packages).

    Every ``*.py`` file under each root, in sorted order, contributes its relative path
    and its bytes, so any edit, added or removed module changes the hash.

    Parameters
    ----------
    roots : iterable of str or os.PathLike, optional
        Folders whose ``*.py`` files are hashed (default: cogrnn and its replications).

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> len(source_hash()) == 64 and source_hash() == source_hash()
    True
    """
    import hashlib
    import importlib.util

    files: dict[str, Path] = {}
    if roots is None:
        # the cogrnn package and its replications, keyed by module path so that a source
        # checkout (replications/ beside cogrnn/) and a wheel (cogrnn/replications/) agree
        here = Path(__file__).resolve().parent
        named = [(here, "cogrnn")]
        spec = importlib.util.find_spec("cogrnn.replications")
        for loc in (spec.submodule_search_locations or []) if spec is not None else []:
            path = Path(loc).resolve()
            if here not in path.parents:
                named.append((path, "cogrnn/replications"))
    else:
        named = [(Path(r), Path(r).name) for r in roots]
    for root, prefix in named:
        if root.is_dir():
            for file in root.rglob("*.py"):
                files[f"{prefix}/{file.relative_to(root).as_posix()}"] = file
    digest = hashlib.sha256()
    for key in sorted(files):
        digest.update(f"{key}\0".encode())
        digest.update(files[key].read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def code_version() -> dict[str, Any]:
    """The version of the code that computes results: cogrnn version, git commit, source hash.

    A sweep task's cache key includes it, so changed code never reuses old results.

    Returns
    -------
    dict of str to object
        ``cogrnn_version``, ``commit``, ``dirty`` (see :func:`git_info`) and ``source_sha256``.

    Examples
    --------
    >>> sorted(code_version())
    ['cogrnn_version', 'commit', 'dirty', 'source_sha256']
    """
    return {"cogrnn_version": __version__, **git_info(), "source_sha256": source_hash()}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``names`` (None where not installed), plus Python and cogrnn.

    Parameters
    ----------
    names : iterable of str, optional
        Distribution names (default :data:`PACKAGES`).

    Returns
    -------
    dict of str to str or None
        Version by name, ``python`` and ``cogrnn`` first.

    Examples
    --------
    >>> package_versions(["numpy"])["numpy"] is not None
    True
    """
    out: dict[str, str | None] = {"python": platform.python_version(), "cogrnn": __version__}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def thread_info() -> dict[str, Any]:
    """Threads available to torch and numba, and the CPU count.

    Returns
    -------
    dict of str to object
        ``cpu_count``, ``torch_threads`` and ``numba_threads``.

    Examples
    --------
    >>> sorted(thread_info())
    ['cpu_count', 'numba_threads', 'torch_threads']
    """
    import torch

    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()}
    try:
        import numba

        info["numba_threads"] = getattr(numba.config, "NUMBA_NUM_THREADS", None)
    except ImportError:  # pragma: no cover
        info["numba_threads"] = None
    return info


def process_age() -> float | None:
    """Seconds since this process started (interpreter start-up and imports included).

    Returns
    -------
    float or None
        The age, to the kernel's clock tick (10 ms); None where ``/proc`` is not available.

    Examples
    --------
    >>> age = process_age()
    >>> age is None or age > 0
    True
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rpartition(")")[2].split()
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat: start time in ticks since boot
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return max(uptime - started, 0.0)


def file_hashes(paths: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """``{path: sha256}`` for every file, paths relative to ``root`` where given.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        The files.
    root : str or os.PathLike, optional
        Folder the keys are relative to (paths outside it keep their full name).

    Returns
    -------
    dict of str to str
        SHA-256 hex digest by path.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_bytes(b"")
    >>> file_hashes([folder / "a.txt"], root=folder)["a.txt"][:12]
    'e3b0c44298fc'
    """
    out = {}
    for p in paths:
        p = Path(p)
        key = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else str(p)
        out[key] = sha256_file(p)
    return out


def platform_info() -> dict[str, Any]:
    """Operating system, machine and Python interpreter of this run.

    Returns
    -------
    dict of str to object
        ``system``, ``release``, ``machine``, ``processor``, ``python_implementation`` and
        ``executable``.

    Examples
    --------
    >>> sorted(platform_info())[:3]
    ['executable', 'machine', 'processor']
    """
    return {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
    }


__all__ += ["platform_info"]
