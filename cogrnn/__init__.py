"""cogrnn: recurrent networks for cognitive science.

A PyTorch model zoo (Elman SRN, Jordan, LSTM, GRU; stacked; trained as ensembles of
independent "subjects"), Elman's online copy-back training and (truncated) BPTT,
analysis tools, and one-command replications of classic results.

Examples
--------
>>> import cogrnn
>>> net = cogrnn.make_model("elman", input_size=1, hidden_size=2, output_size=1,
...                         n_replicas=5, random_state=0)
>>> net.n_replicas
5
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

# MKL's conditional numerical reproducibility (results independent of memory alignment), read
# at MKL's first call: set before anything imports torch; a value the user set is kept
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")

from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time (see __getattr__)
    from . import analysis, models, tasks, training
    from .checkpoint import load, load_checkpoint, save
    from .registry import MODELS, REPLICATIONS, TASKS, get_replication, make_model, make_task

__all__ = [
    "__version__",
    "show_versions",
    "make_model",
    "make_task",
    "get_replication",
    "MODELS",
    "TASKS",
    "REPLICATIONS",
    "save",
    "load",
    "load_checkpoint",
    "models",
    "tasks",
    "training",
    "analysis",
]


#: public names imported on first use, so that ``cogrnn --help`` or ``cogrnn list`` does not import torch
_LAZY_MODULES = ("analysis", "models", "tasks", "training")
_LAZY_REGISTRY = ("MODELS", "TASKS", "REPLICATIONS", "get_replication", "make_model", "make_task")
_LAZY_CHECKPOINT = ("save", "load", "load_checkpoint")


def __getattr__(name: str) -> Any:
    """Import the subpackages and registry names of ``__all__`` on first access (PEP 562)."""
    import importlib

    if name in _LAZY_MODULES:
        value: Any = importlib.import_module(f"{__name__}.{name}")
    elif name in _LAZY_REGISTRY:
        value = getattr(importlib.import_module(f"{__name__}.registry"), name)
    elif name in _LAZY_CHECKPOINT:
        value = getattr(importlib.import_module(f"{__name__}.checkpoint"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def show_versions(file: Any = None) -> None:
    """Print the versions of cogrnn, Python, its dependencies and the platform.

    Parameters
    ----------
    file : file-like, optional
        Where to print: any object with a ``write`` method; ``sys.stdout`` when None.

    Examples
    --------
    >>> show_versions()  # doctest: +ELLIPSIS
    cogrnn: ...
    """
    from .provenance import package_versions, platform_info, thread_info

    file = sys.stdout if file is None else file
    info = {**package_versions(), **platform_info(), **thread_info()}
    width = max(map(len, info))
    order = ["cogrnn", *[k for k in info if k != "cogrnn"]]
    for key in order:
        print(f"{key + ':':<{width + 1}} {info[key]}", file=file)
