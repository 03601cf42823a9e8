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

__all__ = ["git_info", "package_versions", "thread_info", "utc_now", "file_hashes", "PACKAGES"]

PACKAGES = (
    "numpy", "scipy", "torch", "numba", "pandas", "scikit-learn", "matplotlib", "seaborn",
    "typer", "rich", "pyarrow",
)  # fmt: skip


def utc_now() -> str:
    """The current time, ISO 8601 in UTC."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def git_info(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Commit and dirty flag of the git work tree holding ``path`` (default: this package).

    Returns ``{"commit": None, "dirty": None}`` outside a git work tree.
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
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where, capture_output=True, text=True, timeout=10, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    """Installed versions of ``names`` (None where not installed), plus Python and cogrnn."""
    out: dict[str, str | None] = {"python": platform.python_version(), "cogrnn": __version__}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def thread_info() -> dict[str, Any]:
    """Threads available to torch and numba, and the CPU count."""
    import torch

    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads()}
    try:
        import numba

        info["numba_threads"] = getattr(numba.config, "NUMBA_NUM_THREADS", None)
    except ImportError:  # pragma: no cover
        info["numba_threads"] = None
    return info


def file_hashes(paths: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """``{path: sha256}`` for every file, paths relative to ``root`` where given."""
    out = {}
    for p in paths:
        p = Path(p)
        key = str(p.relative_to(root)) if root is not None and p.is_relative_to(root) else str(p)
        out[key] = sha256_file(p)
    return out


def platform_info() -> dict[str, Any]:
    return {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python_implementation": platform.python_implementation(),
        "executable": sys.executable,
    }


__all__ += ["platform_info"]
