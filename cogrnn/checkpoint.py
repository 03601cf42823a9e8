"""Checkpoints: save a trained model (a whole ensemble) and load it back, without pickle.

A checkpoint is one `safetensors <https://huggingface.co/docs/safetensors>`_ file: the
weights as tensors, and in the file's metadata one JSON header (key ``"cogrnn"``) with the
model's registry id and class, its constructor arguments, the seed of every replica,
whatever the caller adds (the vocabulary or task description, training settings, seeds),
the cogrnn, torch and safetensors versions, and a SHA-256 over the header and every
tensor. :func:`load` rebuilds the model through :func:`cogrnn.registry.make_model` and
gives outputs bit-identical to the saved model's. A truncated, tampered or mismatched
file is refused with one :class:`~cogrnn.exceptions.DataError`; the write is atomic
(a temporary file renamed into place), so a failure never leaves half a file.

Format version 1 (this module writes it; every later version of cogrnn reads it):

=================== ==========================================================
header key          content
=================== ==========================================================
``format``          ``"cogrnn-checkpoint"``
``format_version``  1
``kind``            ``"recurrent"``, ``"hopfield"`` or ``"modern-hopfield"``
``model_id``        versioned registry id, e.g. ``"lstm-v1"``
``class``           the model's class name
``constructor``     the constructor arguments (dtype as a string)
``replica_seeds``   per replica ``{"entropy", "spawn_key"}`` (recurrent models)
``tensors``         ``{name: {"dtype", "shape"}}`` of every stored tensor
``metadata``        the caller's ``**metadata`` (JSON)
``versions``        cogrnn, torch, safetensors, numpy, python
``sha256``          over the header without this key and every tensor's bytes
=================== ==========================================================
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import platform
import struct
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from .exceptions import ConfigError, DataError

__all__ = ["FORMAT", "FORMAT_VERSION", "Checkpoint", "save", "load", "load_checkpoint", "read_header"]

FORMAT = "cogrnn-checkpoint"
FORMAT_VERSION = 1
_KEY = "cogrnn"
_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_ENSEMBLE_ARGS = ("num_layers", "n_replicas", "output_activation", "bias")
_HOPFIELD_TENSORS = ("weight", "_stored", "_raw", "_T")


class Checkpoint(NamedTuple):
    """A loaded checkpoint: the model and the file's header.

    Parameters
    ----------
    model : object
        The rebuilt model (a :class:`~cogrnn.models.RecurrentEnsemble` or a Hopfield network).
    header : dict
        The JSON header (see the module's table); ``header["metadata"]`` holds what was
        given to :func:`save`.

    Examples
    --------
    >>> Checkpoint(None, {"metadata": {}}).header["metadata"]
    {}
    """

    model: Any
    header: dict[str, Any]


def _versions() -> dict[str, str]:
    import safetensors

    from ._version import __version__

    return {
        "cogrnn": __version__,
        "torch": torch.__version__,
        "safetensors": safetensors.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _model_id(cls: type) -> str:
    from .registry import MODELS

    target = f"{cls.__module__}:{cls.__qualname__}"
    found = [e for e in MODELS.entries() if e.target is cls or e.target == target]
    if not found:
        raise ConfigError(
            f"cannot save a {cls.__name__}: the class is not a registered model (cogrnn list); register it first"
        )
    return max(found, key=lambda e: e.version).id


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _constructor(model: Any) -> tuple[str, dict[str, Any], dict[str, torch.Tensor]]:
    """The kind, the constructor arguments and the tensors of ``model``."""
    from .models import HopfieldNetwork, ModernHopfield, RecurrentEnsemble

    if isinstance(model, RecurrentEnsemble):
        args: dict[str, Any] = {}
        for name, param in inspect.signature(type(model).__init__).parameters.items():
            if name == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            if not hasattr(model, name):
                raise ConfigError(f"cannot save a {type(model).__name__}: argument {name!r} is not stored on the model")
            args[name] = getattr(model, name)
        args.update({name: getattr(model, name) for name in _ENSEMBLE_ARGS})
        args["dtype"] = _dtype_name(model.dtype)
        return "recurrent", args, dict(model.state_dict())
    if isinstance(model, HopfieldNetwork):
        names = ("n_units", "rule", "states", "threshold", "zero_diagonal", "n_replicas", "clipped")
        args = {name: getattr(model, name) for name in names}
        args["dtype"] = _dtype_name(model.dtype)
        return "hopfield", args, {name: getattr(model, name) for name in _HOPFIELD_TENSORS}
    if isinstance(model, ModernHopfield):
        tensors = {} if model.patterns is None else {"patterns": model.patterns}
        return "modern-hopfield", {"beta": model.beta, "dtype": _dtype_name(model.dtype)}, tensors
    raise ConfigError(f"cannot save a {type(model).__name__}: not a cogrnn model")


def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), where)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        if isinstance(value, float) and not np.isfinite(value):
            raise ConfigError(f"{where} = {value} cannot be stored in a checkpoint (JSON has no NaN or infinity)")
        return value
    raise ConfigError(f"{where} is a {type(value).__name__}; a checkpoint's metadata must be JSON data")


def _digest(header: dict[str, Any], tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    body = {k: v for k, v in header.items() if k != "sha256"}
    h.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    for name in sorted(tensors):
        t = tensors[name]
        h.update(f"\n{name}:{_dtype_name(t.dtype)}:{tuple(t.shape)}\n".encode())
        h.update(t.contiguous().view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def save(model: Any, path: str | os.PathLike[str], **metadata: Any) -> Path:
    """Save a model of the zoo (every replica of an ensemble) to a safetensors file.

    Parameters
    ----------
    model : RecurrentEnsemble, HopfieldNetwork or ModernHopfield
        A model made from the registry (:func:`cogrnn.registry.make_model`), trained or not.
    path : str or os.PathLike
        The file written (conventionally ``.safetensors``); replaced atomically if it exists.
    **metadata
        JSON data stored in the header, e.g. ``task=corpus.describe()``, ``seeds=[...]``,
        ``trainer={...}``; returned by :func:`load_checkpoint` as ``header["metadata"]``.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cogrnn.models import LSTMNetwork
    >>> net = LSTMNetwork(3, 4, 3, n_replicas=2, random_state=0)
    >>> path = save(net, pathlib.Path(tempfile.mkdtemp()) / "net.safetensors", note="demo")
    >>> again = load(path)
    >>> x = torch.eye(3)[[0, 1, 2]].unsqueeze(1)
    >>> bool(torch.equal(net(x).outputs, again(x).outputs))
    True
    """
    from safetensors.torch import save as st_save

    from .io import atomic_write_bytes

    kind, args, raw = _constructor(model)
    tensors = {name: t.detach().to("cpu").contiguous().clone() for name, t in raw.items()}
    header: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": kind,
        "model_id": _model_id(type(model)),
        "class": type(model).__name__,
        "constructor": _jsonable(args, "constructor"),
        "tensors": {n: {"dtype": _dtype_name(t.dtype), "shape": list(t.shape)} for n, t in sorted(tensors.items())},
        "metadata": _jsonable(metadata, "metadata"),
        "versions": _versions(),
    }
    if kind == "recurrent":
        header["replica_seeds"] = [
            {"entropy": _jsonable(s.entropy, "entropy"), "spawn_key": list(s.spawn_key)} for s in model.replica_seeds
        ]
    header["sha256"] = _digest(header, tensors)
    data = st_save(tensors, metadata={_KEY: json.dumps(header, sort_keys=True)})
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path} is a folder; give the checkpoint's file name")
    try:
        return atomic_write_bytes(path, data)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written ({exc.strerror or exc})") from None


def _read(path: str | os.PathLike[str]) -> tuple[bytes, dict[str, Any]]:
    """The file's bytes and its cogrnn header, checked for format and structure (not the hash)."""
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(f"{name}: no such checkpoint") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    bad = f"{name}: not a cogrnn checkpoint (not a complete safetensors file: truncated or another format)"
    if len(data) < 8:
        raise DataError(bad)
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise DataError(bad)
    try:
        st_header = json.loads(data[8 : 8 + n].decode("utf-8"))
        header = json.loads(st_header["__metadata__"][_KEY])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise DataError(f"{name}: not a cogrnn checkpoint (no readable cogrnn header)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DataError(f"{name}: not a cogrnn checkpoint (format {header.get('format')!r})")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise DataError(
            f"{name}: checkpoint format version {version!r} is newer than this cogrnn reads ({FORMAT_VERSION}); "
            "upgrade cogrnn"
        )
    return data, header


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON header of a checkpoint, without loading the weights (nor checking the hash).

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint.

    Returns
    -------
    dict
        The header (see the module's table).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cogrnn.models import GRUNetwork
    >>> path = save(GRUNetwork(2, 3, 2, random_state=0), pathlib.Path(tempfile.mkdtemp()) / "g.safetensors")
    >>> read_header(path)["model_id"]
    'gru-v1'
    """
    return _read(path)[1]


def _seeds(header: dict[str, Any], name: str) -> list[np.random.SeedSequence]:
    try:
        return [
            np.random.SeedSequence(
                s["entropy"] if not isinstance(s["entropy"], list) else [int(v) for v in s["entropy"]],
                spawn_key=tuple(int(k) for k in s["spawn_key"]),
            )
            for s in header["replica_seeds"]
        ]
    except (KeyError, TypeError, ValueError):
        raise DataError(f"{name}: the checkpoint's replica seeds are malformed") from None


def _build(header: dict[str, Any], name: str) -> Any:
    from .registry import MODELS

    try:
        entry = MODELS.get(str(header["model_id"]))
        args = dict(header["constructor"])
        args["dtype"] = _DTYPES[args["dtype"]]
    except (KeyError, TypeError):
        raise DataError(f"{name}: the checkpoint's model id or constructor is malformed") from None
    except ConfigError as exc:
        raise DataError(f"{name}: {exc}") from None
    factory = entry.factory
    if getattr(factory, "__name__", None) != header.get("class"):
        raise DataError(
            f"{name}: the checkpoint holds a {header.get('class')} but {entry.id} is now "
            f"{getattr(factory, '__name__', factory)!r}"
        )
    if header.get("kind") == "recurrent":
        args["replica_seeds"] = _seeds(header, name)
    try:
        return MODELS.make(entry.id, **args)
    except (ConfigError, DataError, TypeError) as exc:
        raise DataError(f"{name}: the checkpoint's constructor arguments do not fit {entry.id}: {exc}") from None


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Load a checkpoint written by :func:`save`: the model and the header.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint.

    Returns
    -------
    Checkpoint
        ``(model, header)``; the model on the CPU, in evaluation of its saved weights.

    Raises
    ------
    cogrnn.exceptions.DataError
        If the file is missing, truncated, not a cogrnn checkpoint, of a newer format, altered
        since it was written (the SHA-256 differs), or does not fit the model it names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cogrnn.models import ElmanSRN
    >>> path = save(ElmanSRN(2, 3, 2, n_replicas=4, random_state=0), pathlib.Path(tempfile.mkdtemp()) / "e.st",
    ...             vocabulary=["a", "b"])
    >>> ckpt = load_checkpoint(path)
    >>> ckpt.model.n_replicas, ckpt.header["metadata"]["vocabulary"]
    (4, ['a', 'b'])
    """
    from safetensors.torch import load as st_load

    name = os.fspath(path)
    data, header = _read(path)
    try:
        tensors = st_load(data)
    except Exception:  # safetensors raises its own error type for a damaged file
        raise DataError(f"{name}: the checkpoint's tensors are damaged (truncated or altered)") from None
    if _digest(header, tensors) != header.get("sha256"):
        raise DataError(f"{name}: the checkpoint was altered after it was written (SHA-256 mismatch)")
    model = _build(header, name)
    kind = header.get("kind")
    expected: dict[str, tuple[torch.dtype, tuple[int, ...] | None]]
    if kind == "recurrent":
        expected = {k: (v.dtype, tuple(v.shape)) for k, v in model.state_dict().items()}
    elif kind == "hopfield":
        expected = {k: (getattr(model, k).dtype, None) for k in _HOPFIELD_TENSORS}
    else:
        expected = {"patterns": (model.dtype, None)} if tensors else {}
    got = {k: (v.dtype, tuple(v.shape)) for k, v in tensors.items()}
    if set(got) != set(expected):
        raise DataError(f"{name}: tensors {sorted(got)} do not fit {header['model_id']} (expects {sorted(expected)})")
    for k, (dtype, shape) in expected.items():
        if got[k][0] != dtype or (shape is not None and got[k][1] != shape):
            raise DataError(f"{name}: tensor {k!r} is {got[k]} but {header['model_id']} expects {(dtype, shape)}")
    if kind == "recurrent":
        with torch.no_grad():
            model.load_state_dict(tensors)
    elif kind == "hopfield":
        for k in _HOPFIELD_TENSORS:
            setattr(model, k, tensors[k])
    elif tensors:
        model.patterns = tensors["patterns"]
    return Checkpoint(model, header)


def load(path: str | os.PathLike[str]) -> Any:
    """Load the model of a checkpoint written by :func:`save`.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint.

    Returns
    -------
    object
        The model, with every replica's weights as saved (outputs bit-identical); see
        :func:`load_checkpoint` for the header too.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from cogrnn.models import HopfieldNetwork
    >>> net = HopfieldNetwork(8).store(np.sign(np.random.default_rng(0).normal(size=(2, 8))))
    >>> again = load(save(net, pathlib.Path(tempfile.mkdtemp()) / "h.safetensors"))
    >>> bool(torch.equal(net.weight, again.weight)), again.n_patterns
    (True, 2)
    """
    return load_checkpoint(path).model
