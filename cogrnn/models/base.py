"""Shared machinery of the recurrent model zoo: ensembles of R independent networks.

Shapes (time-major, as :mod:`torch.nn.RNN` with ``batch_first=False``):

========== ===================== ===========================================
name       shape                 meaning
========== ===================== ===========================================
inputs     ``(T, B, I)``         one stream per batch item, shared by replicas
           ``(R, T, B, I)``      or a stream of its own for every replica
outputs    ``(R, T, B, O)``      after the output activation
logits     ``(R, T, B, O)``      before the output activation
hidden     ``(R, L, T, B, H)``   hidden states of every layer and step
cells      ``(R, L, T, B, H)``   LSTM memory cells of every layer and step
state      ``(L, R, B, units)``  every tensor of the state tuple; ``init_state``
========== ===================== ===========================================

R is the number of replicas (independent networks, "subjects"), L the number of
layers. Every parameter has the replica dimension first, and replica ``r`` draws its
initial weights from its own seed, so it starts exactly where a single network
built from that seed starts (see :meth:`RecurrentEnsemble.replica`).
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import re
import textwrap
from collections.abc import Sequence
from typing import Any, NamedTuple, TypedDict, TypeVar, overload

import numpy as np

# MKL's conditional numerical reproducibility: results independent of memory alignment
# (read at MKL's first call, so set before any product; a value the user set is kept)
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")

import torch
from torch import Tensor, nn

from ..config import check_bool, check_choice, check_float, check_int, check_size
from ..exceptions import ConfigError, DataError
from ..random import RandomState, seed_sequence, torch_generator

__all__ = [
    "RecurrentOutput",
    "RecurrentEnsemble",
    "EnsembleOptions",
    "ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
    "ensemble_linear",
    "activation",
    "logistic",
    "replica_bmm",
    "resolve_replica_seeds",
    "as_real_tensor",
    "check_device",
    "uniform_bound",
]

ACTIVATIONS = ("logistic", "tanh", "relu", "identity")
OUTPUT_ACTIVATIONS = ("logistic", "identity", "softmax")


class EnsembleOptions(TypedDict, total=False):
    """The keyword arguments every recurrent model takes (see :class:`RecurrentEnsemble`).

    A model's constructor names only the arguments of its own and passes these on as
    ``**ensemble`` to :class:`RecurrentEnsemble`, which validates them.

    Attributes
    ----------
    num_layers, n_replicas : int
        As in :class:`RecurrentEnsemble`.
    output_activation : str or None
        As in :class:`RecurrentEnsemble`.
    bias : bool
        As in :class:`RecurrentEnsemble`.
    random_state, replica_seeds : seed or sequence of seeds
        As in :class:`RecurrentEnsemble`.
    dtype : torch.dtype
        As in :class:`RecurrentEnsemble`.
    device : str or torch.device
        As in :class:`RecurrentEnsemble`.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> options: EnsembleOptions = {"n_replicas": 2, "random_state": 0}
    >>> ElmanSRN(1, 2, 1, **options).n_replicas
    2
    """

    num_layers: int
    n_replicas: int
    output_activation: str | None
    bias: bool
    random_state: RandomState | None
    replica_seeds: Sequence[Any] | None
    dtype: torch.dtype
    device: str | torch.device


class RecurrentOutput(NamedTuple):
    """What every model's ``forward`` returns.

    Parameters
    ----------
    outputs : Tensor, shape (R, T, B, O)
        Outputs after the output activation.
    hidden : Tensor, shape (R, L, T, B, H)
        Hidden states of every layer and step.
    state : tuple of Tensor
        The final state, to pass as ``state`` to continue the stream.
    logits : Tensor, shape (R, T, B, O)
        Outputs before the output activation.
    cells : Tensor, shape (R, L, T, B, H), optional
        The memory cells of every layer and step (LSTM); None for the other models.

    Examples
    --------
    >>> from cogrnn.models import LSTMNetwork
    >>> out = LSTMNetwork(1, 3, 1, random_state=0)(torch.zeros(4, 2, 1))
    >>> out.hidden.shape, out.cells.shape, len(out.state)
    (torch.Size([1, 1, 4, 2, 3]), torch.Size([1, 1, 4, 2, 3]), 2)
    """

    outputs: Tensor
    """``(R, T, B, O)``: outputs after the output activation."""
    hidden: Tensor
    """``(R, L, T, B, H)``: hidden states of every layer and step."""
    state: tuple[Tensor, ...]
    """The final state, to pass as ``state`` to continue the stream."""
    logits: Tensor
    """``(R, T, B, O)``: outputs before the output activation."""
    cells: Tensor | None = None
    """``(R, L, T, B, H)``: the memory cells of every layer and step (LSTM), else None."""


def logistic(x: Tensor) -> Tensor:
    """The logistic function, rounded the same way at every position of a tensor.

    ``torch.sigmoid`` rounds differently by an element's position in the tensor (vector
    body or scalar tail), so a replica's numbers would depend on the replicas beside it;
    this tanh form is exact to rounding and rounds the same everywhere.

    Parameters
    ----------
    x : Tensor
        Any shape.

    Returns
    -------
    Tensor
        ``1 / (1 + exp(-x))``, elementwise, computed as ``0.5 * tanh(0.5 * x) + 0.5``.

    Examples
    --------
    >>> x = torch.linspace(-30, 30, 1001, dtype=torch.float64)
    >>> float((logistic(x) - torch.sigmoid(x)).abs().max()) < 1e-15
    True
    """
    return 0.5 * torch.tanh(0.5 * x) + 0.5


def activation(name: str, x: Tensor) -> Tensor:
    """Apply the named nonlinearity (``logistic``, ``tanh``, ``relu``, ``identity``, ``softmax``).

    Parameters
    ----------
    name : str
        One of :data:`ACTIVATIONS` or ``"softmax"`` (over the last axis).
    x : Tensor
        Pre-activations.

    Returns
    -------
    Tensor
        The activations, of the shape of ``x``.

    Examples
    --------
    >>> activation("relu", torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    if name == "logistic":
        return logistic(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "relu":
        return torch.relu(x)
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    if name == "identity":
        return x
    raise ConfigError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}, softmax")


def replica_bmm(a: Tensor, b: Tensor) -> Tensor:
    """``a[r] @ b[r]`` for every replica r, the same bit for bit whatever the number of replicas.

    Batched products may take different BLAS paths for one matrix and for several, for
    operands at different memory alignments, and for different strides of size-1
    dimensions. Here the operands are made contiguous with row-major strides,
    a single replica is computed as a batch of two (the path of several), and MKL runs in
    its alignment-independent mode (``MKL_CBWR=AUTO,STRICT``, set when cogrnn is imported
    unless already set): so replica r's numbers do not depend on the replicas beside it,
    and an ensemble of R networks computes what R separate networks compute.

    Parameters
    ----------
    a : Tensor, shape (R, N, K)
        Left operands, one per replica.
    b : Tensor, shape (R, K, M)
        Right operands, one per replica.

    Returns
    -------
    Tensor, shape (R, N, M)
        ``a[r] @ b[r]`` for every r.

    Examples
    --------
    >>> a, b = torch.rand(3, 7, 31, dtype=torch.float64), torch.rand(3, 31, 150, dtype=torch.float64)
    >>> bool(torch.equal(replica_bmm(a, b)[1:2], replica_bmm(a[1:2].clone(), b[1:2].clone())))
    True
    """
    one = a.shape[0] == 1
    a, b = _operand(a, one), _operand(b, one)
    if torch.get_num_threads() > 1 and _is_small(a, b):
        # small products run on one thread: the same bits (MKL_CBWR strict), and no fork and
        # join of contended intra-op threads per product (measured 20 us against 1.4 ms on a busy machine)
        with _one_thread():
            out = torch.bmm(a, b)
    else:
        out = torch.bmm(a, b)
    return out[:1] if one else out


_SMALL_PRODUCT = 1 << 18
"""Multiply-adds of a batched product below which :func:`replica_bmm` uses one thread."""


def _canonical(t: Tensor) -> Tensor:
    """``t`` contiguous with row-major strides, also along dimensions of size 1.

    (torch calls a tensor contiguous whatever the strides of its size-1 dimensions, and
    BLAS takes those strides as leading dimensions, choosing another kernel.)
    """
    shape = t.shape
    if 1 not in shape and t.is_contiguous():  # no size-1 dimension: contiguous means row-major strides
        return t
    expected, step = [], 1
    for size in reversed(shape):
        expected.append(step)
        step *= size
    if t.stride() == tuple(reversed(expected)):
        return t
    return t.contiguous().reshape(-1).view(shape)


def _operand(t: Tensor, one: bool) -> Tensor:
    """An operand of :func:`replica_bmm`'s product: canonical, and a batch of two copies when ``one``.

    ``torch.cat`` of the single replica with itself is the contiguous batch of two that
    ``expand`` + :func:`_canonical` made, in one call.
    """
    return torch.cat((t, t)) if one else _canonical(t)


@overload
def _pair(t: Tensor) -> Tensor: ...
@overload
def _pair(t: None) -> None: ...
def _pair(t: Tensor | None) -> Tensor | None:
    """A single replica ``(1, ...)`` as a batch of two identical ones (a view), or None.

    A fused layer runs a single network as two identical replicas from start to end: every
    product is then the batch of two that :func:`replica_bmm` makes of one replica, without
    a copy per product, and the elementwise operations compute the same numbers per element.
    """
    return None if t is None else t.expand(2, *t.shape[1:])


@overload
def _first(t: Tensor) -> Tensor: ...
@overload
def _first(t: None) -> None: ...
def _first(t: Tensor | None) -> Tensor | None:
    """The first replica of a :func:`_pair`-ed computation, ``(1, ...)``, or None."""
    return None if t is None else t[:1]


def _is_small(a: Tensor, b: Tensor) -> bool:
    """Whether the batched product ``a @ b`` is small enough for one intra-op thread (CPU only)."""
    return a.device.type == "cpu" and a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2] <= _SMALL_PRODUCT


class _one_thread:
    """Context manager: one intra-op thread inside, the previous count restored on exit."""

    def __enter__(self) -> None:
        self.threads = torch.get_num_threads()
        if self.threads > 1:
            torch.set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        if self.threads > 1:
            torch.set_num_threads(self.threads)


_GRAIN_SIZE = 32768
"""ATen's ``at::internal::GRAIN_SIZE``: elementwise operations on fewer elements never split across threads."""


class _ReplicaProducts:
    """The products of one weight ``(R, out, in)`` in a recurrent loop, operands prepared once.

    ``linear(x)`` is ``ensemble_linear(x, weight, None)``, and ``grad_input`` and
    ``grad_weight`` are the products of its backward, bit for bit (the same operands in the
    same layout, made once per sequence instead of once per step), so replica r's
    numbers do not depend on R (see :func:`replica_bmm`). Intra-op threads are the caller's
    (:meth:`loop_threads`): one thread for the whole loop when every product of a step is
    small, the rule :func:`replica_bmm` applies per product.

    Parameters
    ----------
    weight : Tensor, shape (R, out, in)
        One weight matrix per replica (detached: gradients are the caller's).
    rows : int
        Rows of the left operand of a step (the batch B).

    Examples
    --------
    >>> w, x = torch.rand(3, 5, 4, dtype=torch.float64), torch.rand(3, 2, 4, dtype=torch.float64)
    >>> products = _ReplicaProducts(w, rows=2)
    >>> bool(torch.equal(products.linear(x), ensemble_linear(x, w, None)))
    True
    """

    def __init__(self, weight: Tensor, rows: int) -> None:
        self.weight = weight
        self.one = weight.shape[0] == 1
        self._forward = _operand(weight.transpose(1, 2), self.one)
        self._backward: Tensor | None = None
        R, n_out, n_in = weight.shape
        cpu = weight.device.type == "cpu"
        # the largest product of a step: (B x in) @ (in x out), (B x out) @ (out x in), (in x B) @ (B x out)
        small = max(R, 2) * rows * n_in * n_out <= _SMALL_PRODUCT
        # and no elementwise operation or reduction of a step large enough to split across threads
        self.one_thread = cpu and small and R * max(rows, n_in) * max(n_in, n_out) < _GRAIN_SIZE

    def loop_threads(self) -> Any:
        """A context manager for the whole loop: one intra-op thread when every step is small.

        Returns
        -------
        context manager
            One intra-op thread inside when the products of a step are small (as
            :func:`replica_bmm` would run each of them) and the step's elementwise operations
            too small to split across threads; otherwise the threads as they are.
        """
        return _one_thread() if self.one_thread else contextlib.nullcontext()

    def _mm(self, a: Tensor, b: Tensor) -> Tensor:
        a = _operand(a, self.one)
        if self.one_thread or torch.get_num_threads() == 1 or not _is_small(a, b):
            out = torch.bmm(a, b)
        else:
            with _one_thread():
                out = torch.bmm(a, b)
        return out[:1] if self.one else out

    def linear(self, x: Tensor) -> Tensor:
        """``x[r] @ weight[r].T`` for every replica.

        Parameters
        ----------
        x : Tensor, shape (R, B, in)
            One batch per replica.

        Returns
        -------
        Tensor, shape (R, B, out)
            As ``ensemble_linear(x, weight, None)``.
        """
        return self._mm(x, self._forward)

    def grad_input(self, grad: Tensor) -> Tensor:
        """``grad[r] @ weight[r]``: the gradient of :meth:`linear` with respect to its input.

        Parameters
        ----------
        grad : Tensor, shape (R, B, out)
            Gradient of the output of :meth:`linear`.

        Returns
        -------
        Tensor, shape (R, B, in)
            As the backward of :func:`ensemble_linear`.
        """
        if self._backward is None:
            self._backward = _operand(self.weight, self.one)
        return self._mm(grad, self._backward)

    def grad_weight(self, grad: Tensor, x: Tensor) -> Tensor:
        """``grad[r].T @ x[r]``: the gradient of :meth:`linear` with respect to the weight.

        Parameters
        ----------
        grad : Tensor, shape (R, B, out)
            Gradient of the output of :meth:`linear`.
        x : Tensor, shape (R, B, in)
            The input of :meth:`linear`.

        Returns
        -------
        Tensor, shape (R, out, in)
            As the backward of :func:`ensemble_linear`.
        """
        return self._mm(grad.transpose(1, 2), _operand(x, self.one))


class _EnsembleLinear(torch.autograd.Function):
    """``x @ weight[r].T + bias[r]`` through :func:`replica_bmm`, forward and backward."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        out = replica_bmm(x, weight.transpose(1, 2))
        return out if bias is None else out + bias.unsqueeze(1)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        grad_x = replica_bmm(grad, weight) if ctx.needs_input_grad[0] else None
        grad_w = replica_bmm(grad.transpose(1, 2), x) if ctx.needs_input_grad[1] else None
        grad_b = grad.sum(1) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


def ensemble_linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """R independent affine maps at once: ``x @ weight[r].T + bias[r]``.

    Each replica's result (and gradient) is the same bit for bit whatever the number of
    replicas beside it, so an ensemble of R networks computes what R separate networks do.

    Parameters
    ----------
    x : Tensor, shape (R, N, in)
        Inputs, one batch of N rows per replica.
    weight : Tensor, shape (R, out, in)
        One weight matrix per replica.
    bias : Tensor, shape (R, out), or None
        One bias vector per replica, or no bias.

    Returns
    -------
    Tensor, shape (R, N, out)
        The affine maps of every replica.

    Examples
    --------
    >>> x, w, b = torch.ones(2, 3, 4), torch.ones(2, 5, 4), torch.zeros(2, 5)
    >>> ensemble_linear(x, w, b).shape
    torch.Size([2, 3, 5])
    >>> x, w = torch.rand(2, 7, 31, dtype=torch.float64), torch.rand(2, 150, 31, dtype=torch.float64)
    >>> bool(torch.equal(ensemble_linear(x, w, None)[1:], ensemble_linear(x[1:].clone(), w[1:].clone(), None)))
    True
    """
    if torch.is_grad_enabled() and (
        x.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad)
    ):
        return _EnsembleLinear.apply(x, weight, bias)
    out = replica_bmm(x, weight.transpose(1, 2))  # the same products, without autograd's bookkeeping
    return out if bias is None else out + bias.unsqueeze(1)


def check_device(device: Any) -> torch.device:
    """``device`` as a :class:`torch.device` that exists here; otherwise a one-line :class:`ConfigError`.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    torch.device
        The device, checked to be available.

    Examples
    --------
    >>> check_device("cpu")
    device(type='cpu')
    >>> check_device("gpu7")
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.ConfigError: device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'gpu7'
    """
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ConfigError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}") from None
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(f"device={str(device)!r} is not available: this torch sees no CUDA device; use 'cpu'")
        if dev.index is not None and dev.index >= count:
            raise ConfigError(f"device={str(device)!r} is not available: this machine has {count} CUDA device(s)")
    elif dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise ConfigError(f"device={str(device)!r} is not available here; use 'cpu'")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise ConfigError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}")
    return dev


def as_real_tensor(name: str, value: Any, dtype: torch.dtype, device: torch.device | str = "cpu") -> Tensor:
    """``value`` (tensor or array of real numbers) as a finite tensor of ``dtype``; else one-line :class:`DataError`.

    Complex values are refused (never cast, which would drop the imaginary part); NaN
    and infinities are refused naming ``name``; finite values beyond the range of
    ``dtype`` (e.g. 1e39 for float32) are refused as such.

    Parameters
    ----------
    name : str
        What the value is, for the error messages (``"inputs"``, ``"targets"``, ...).
    value : Tensor or numpy.ndarray
        Real numbers (bool, int, unsigned or float).
    dtype : torch.dtype
        The dtype of the result.
    device : str or torch.device, default "cpu"
        The device of the result.

    Returns
    -------
    Tensor
        ``value`` converted to ``dtype`` on ``device`` (no copy when it already is).

    Examples
    --------
    >>> as_real_tensor("inputs", np.ones(2), torch.float32)
    tensor([1., 1.])
    >>> as_real_tensor("inputs", np.array([1e39]), torch.float32)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cogrnn.exceptions.DataError: inputs hold values beyond the range of torch.float32 (largest 3.4e+38); use ...
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise DataError(f"{name} must hold real numbers; got a numpy array of dtype {value.dtype}")
        value = torch.from_numpy(value)
    if not isinstance(value, Tensor):
        raise DataError(f"{name} must be a torch.Tensor or numpy array; got {type(value).__name__}")
    if value.is_complex():
        raise DataError(f"{name} must be real; got dtype {value.dtype} (complex values are not cast)")
    out = value.to(dtype=dtype, device=device)
    if not bool(torch.isfinite(out).all()):
        if not value.is_floating_point() or bool(torch.isfinite(value).all()):
            raise DataError(
                f"{name} hold values beyond the range of {dtype} (largest {torch.finfo(dtype).max:.2g}); "
                "use dtype=torch.float64 or rescale them"
            )
        raise DataError(f"{name} must be finite; got NaN or infinite values")
    return out


def resolve_replica_seeds(
    n_replicas: int, random_state: RandomState | None, replica_seeds: Sequence[Any] | None
) -> list[np.random.SeedSequence]:
    """One seed sequence per replica: given explicitly, or spawned from ``random_state``.

    Parameters
    ----------
    n_replicas : int
        Number of replicas.
    random_state : None, int, numpy.random.Generator or SeedSequence
        Root seed, spawned into ``n_replicas`` children (None: fresh entropy).
    replica_seeds : sequence, optional
        One seed per replica instead (then ``random_state`` must be None).

    Returns
    -------
    list of numpy.random.SeedSequence
        One per replica.

    Examples
    --------
    >>> [s.spawn_key for s in resolve_replica_seeds(2, 0, None)]
    [(0,), (1,)]
    """
    if replica_seeds is not None:
        if random_state is not None:
            raise ConfigError("give either random_state or replica_seeds, not both")
        seeds = [seed_sequence(s) for s in replica_seeds]
        if len(seeds) != n_replicas:
            raise ConfigError(
                f"replica_seeds must have one seed per replica (n_replicas={n_replicas}); got {len(seeds)}"
            )
        return seeds
    return seed_sequence(random_state).spawn(n_replicas)


class RecurrentEnsemble(nn.Module):
    """Base class: R independent recurrent networks computed side by side.

    Subclasses define ``_layer_shapes`` (the parameters of one replica, in the order
    they are drawn), ``_init_bound`` (the uniform initialisation range of a
    parameter), ``init_state`` and ``_forward``. A subclass's constructor names only its
    own arguments, passes the shared ones (``**ensemble``, see :class:`EnsembleOptions`)
    here, sets its own and calls ``_build_parameters()``.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Number of input, hidden (per layer) and output units.
    num_layers : int, default 1
        Stacked recurrent layers.
    n_replicas : int, default 1
        Independent networks computed side by side; replica ``r`` draws its initial
        weights from its own seed.
    output_activation : {"logistic", "identity", "softmax"}, optional
        Output activation; default the model's (``default_output_activation``: logistic for
        Elman's and Jordan's networks, identity for LSTM and GRU).
    bias : bool, default True
        Whether the layers and the readout have biases.
    random_state : None, int, numpy.random.Generator or SeedSequence, optional
        Root seed, spawned into one stream per replica (None: fresh entropy).
    replica_seeds : sequence, optional
        One seed per replica instead of ``random_state``.
    dtype : torch.dtype, default torch.float32
        Parameter dtype, float32 or float64.
    device : str or torch.device, default "cpu"
        Parameter device.

    Examples
    --------
    >>> from cogrnn.models import GRUNetwork
    >>> net = GRUNetwork(2, 3, 1, n_replicas=4, random_state=0)
    >>> isinstance(net, RecurrentEnsemble), net.n_replicas, net.output_activation
    (True, 4, 'identity')
    """

    family: str = "recurrent"
    default_output_activation: str = "logistic"  # when output_activation is not given
    _copy_back_state: bool = True  # the state is a copy that Elman's training treats as input

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        *,
        num_layers: int = 1,
        n_replicas: int = 1,
        output_activation: str | None = None,
        bias: bool = True,
        random_state: RandomState | None = None,
        replica_seeds: Sequence[Any] | None = None,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        self.input_size = check_int("input_size", input_size, low=1)
        self.hidden_size = check_int("hidden_size", hidden_size, low=1)
        self.output_size = check_int("output_size", output_size, low=1)
        self.num_layers = check_int("num_layers", num_layers, low=1)
        self.n_replicas = check_int("n_replicas", n_replicas, low=1)
        if output_activation is None:
            output_activation = self.default_output_activation
        self.output_activation = check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
        self.bias = check_bool("bias", bias)
        if dtype not in (torch.float32, torch.float64):
            raise ConfigError(f"dtype must be torch.float32 or torch.float64; got {dtype}")
        self.replica_seeds = resolve_replica_seeds(self.n_replicas, random_state, replica_seeds)
        self._dtype = dtype
        self._device = check_device(device)

    # -- parameters -----------------------------------------------------------------
    def _layer_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        raise NotImplementedError

    def _init_bound(self, name: str) -> float:
        raise NotImplementedError

    def _build_parameters(self) -> None:
        """Create every parameter with shape ``(R, *shape)``; replica r uses its own seed."""
        shapes = self._layer_shapes()
        n_params = sum(math.prod(shape) for _, shape in shapes)
        check_size(f"the parameters of {type(self).__name__}", (self.n_replicas, n_params), itemsize=8)
        values: dict[str, list[Tensor]] = {name: [] for name, _ in shapes}
        for seed in self.replica_seeds:
            gen = torch_generator(seed)
            for name, shape in shapes:
                bound = self._init_bound(name)
                u = torch.rand(shape, generator=gen, dtype=torch.float64)
                values[name].append((2.0 * u - 1.0) * bound)
        for name, _ in shapes:
            data = torch.stack(values[name]).to(dtype=self._dtype, device=self._device)
            self.register_parameter(name, nn.Parameter(data))

    def weight(self, name: str) -> Tensor:
        """The parameter called ``name`` (a required weight).

        Parameters
        ----------
        name : str
            Parameter name, e.g. ``"weight_ho"``.

        Returns
        -------
        torch.nn.Parameter
            Shape ``(R, ...)``; AttributeError if there is none.
        """
        param = self._parameters.get(name)
        if param is None:
            raise AttributeError(f"{type(self).__name__} has no parameter {name!r}")
        return param

    def maybe(self, name: str) -> Tensor | None:
        """The parameter called ``name``, or None (biases when ``bias=False``).

        Parameters
        ----------
        name : str
            Parameter name, e.g. ``"bias_o"``.

        Returns
        -------
        torch.nn.Parameter or None
            The parameter, or None when the model has none of that name.
        """
        return self._parameters.get(name)

    @property
    def dtype(self) -> torch.dtype:
        """The parameters' dtype."""
        return next(self.parameters()).dtype

    @property
    def device(self) -> torch.device:
        """The parameters' device."""
        return next(self.parameters()).device

    def replica(self, index: int) -> RecurrentEnsemble:
        """A copy holding only replica ``index`` (``n_replicas == 1``).

        Parameters
        ----------
        index : int
            The replica, in ``[0, n_replicas - 1]``.

        Returns
        -------
        RecurrentEnsemble
            A model of the same class with that replica's parameters and seed.

        Examples
        --------
        >>> from cogrnn.models import ElmanSRN
        >>> ens = ElmanSRN(1, 2, 1, n_replicas=3, random_state=0)
        >>> single = ens.replica(2)
        >>> bool(torch.equal(single.weight_ho[0], ens.weight_ho[2]))
        True
        """
        index = check_int("index", index, low=0, high=self.n_replicas - 1)
        new = copy.deepcopy(self)
        new.n_replicas = 1
        new.replica_seeds = [self.replica_seeds[index]]
        with torch.no_grad():
            for name, param in list(new.named_parameters()):
                new._parameters[name] = nn.Parameter(param[index : index + 1].clone())
        return new

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor arguments that define the architecture (for provenance).

        Returns
        -------
        dict
            Model class name, sizes, layers, replicas, output activation, bias and dtype
            (subclasses add their own arguments).
        """
        return {
            "model": type(self).__name__,
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "output_size": self.output_size,
            "num_layers": self.num_layers,
            "n_replicas": self.n_replicas,
            "output_activation": self.output_activation,
            "bias": self.bias,
            "dtype": str(self.dtype).replace("torch.", ""),
        }

    # -- forward --------------------------------------------------------------------
    def check_inputs(self, inputs: Any) -> Tensor:
        """Validate ``inputs`` and return it as ``(R, T, B, I)`` (a view when shared).

        Parameters
        ----------
        inputs : Tensor or numpy.ndarray
            ``(T, I)``, ``(T, B, I)`` (shared by the replicas) or ``(R, T, B, I)``.

        Returns
        -------
        Tensor, shape (R, T, B, I)
            In the model's dtype and device.
        """
        inputs = as_real_tensor("inputs", inputs, self.dtype, self.device)
        if inputs.ndim == 2:
            inputs = inputs.unsqueeze(1)
        if inputs.ndim == 3:
            inputs = inputs.unsqueeze(0).expand(self.n_replicas, *inputs.shape)
        if inputs.ndim != 4:
            raise DataError(f"inputs must have shape (T, I), (T, B, I) or (R, T, B, I); got {tuple(inputs.shape)}")
        if inputs.shape[0] != self.n_replicas:
            raise DataError(f"inputs have {inputs.shape[0]} replicas but the model has n_replicas={self.n_replicas}")
        if inputs.shape[-1] != self.input_size:
            raise DataError(f"inputs have {inputs.shape[-1]} features but the model has input_size={self.input_size}")
        if inputs.shape[1] == 0 or inputs.shape[2] == 0:
            raise DataError(f"inputs must have at least one step and one sequence; got {tuple(inputs.shape)}")
        return inputs

    def init_state(self, batch_size: int = 1) -> tuple[Tensor, ...]:
        """The state at the start of a stream, for ``batch_size`` parallel streams.

        Parameters
        ----------
        batch_size : int, default 1
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            Each of shape ``(L, R, B, units)``.
        """
        raise NotImplementedError

    def check_state(self, state: tuple[Tensor, ...] | None, batch_size: int) -> tuple[Tensor, ...]:
        """Validate a state against :meth:`init_state`'s layout (or make the initial one).

        Parameters
        ----------
        state : tuple of Tensor or None
            A state from :meth:`init_state` or a forward pass; None for the initial state.
        batch_size : int
            Number of parallel streams B.

        Returns
        -------
        tuple of Tensor
            The state in the model's dtype and device; one-line DataError when it does not fit.
        """
        if state is None:
            return self.init_state(batch_size)
        expected = self.init_state(batch_size)
        if not isinstance(state, tuple) or len(state) != len(expected):
            raise DataError(
                f"state must be a tuple of {len(expected)} tensor(s), as from init_state(); got {type(state).__name__}"
            )
        checked = []
        for i, (got, want) in enumerate(zip(state, expected)):
            got = as_real_tensor(f"state[{i}]", got, self.dtype, self.device)
            if tuple(got.shape) != tuple(want.shape):
                raise DataError(f"state[{i}] has shape {tuple(got.shape)}; expected {tuple(want.shape)}")
            checked.append(got)
        return tuple(checked)

    def forward(self, inputs: Any, state: tuple[Tensor, ...] | None = None) -> RecurrentOutput:
        """Run the networks over ``inputs`` from ``state`` (default: :meth:`init_state`).

        Parameters
        ----------
        inputs : Tensor or numpy.ndarray
            ``(T, I)``, ``(T, B, I)`` (shared by the replicas) or ``(R, T, B, I)``.
        state : tuple of Tensor, optional
            Where to start, e.g. the ``state`` of a previous call (default: :meth:`init_state`).

        Returns
        -------
        RecurrentOutput
            ``outputs`` and ``logits`` ``(R, T, B, O)``, ``hidden`` ``(R, L, T, B, H)``
            and the final ``state``.
        """
        x = self.check_inputs(inputs)
        state = self.check_state(state, x.shape[2])
        return self._forward(x, state)

    def _forward(self, x: Tensor, state: tuple[Tensor, ...]) -> RecurrentOutput:
        raise NotImplementedError

    def _readout(self, top: Tensor) -> tuple[Tensor, Tensor]:
        """Output logits and activations from top-layer hidden states ``(R, T, B, H)``."""
        R, T, B, H = top.shape
        logits = ensemble_linear(top.reshape(R, T * B, H), self.weight("weight_ho"), self.maybe("bias_o"))
        logits = logits.reshape(R, T, B, self.output_size)
        return logits, activation(self.output_activation, logits)

    def extra_repr(self) -> str:
        """Sizes, layers and replicas, shown in ``repr(model)``.

        Returns
        -------
        str
            ``"input_size=..., hidden_size=..., ..."``.
        """
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"output_size={self.output_size}, num_layers={self.num_layers}, "
            f"n_replicas={self.n_replicas}"
        )


#: docstring entries every model shares, written into ``%(key)s`` placeholder lines by ``_fill_model_doc``
_MODEL_DOC = {
    "sizes": """input_size, hidden_size, output_size : int
    Number of input, hidden (per layer) and output units.""",
    "ensemble": """**ensemble
    The arguments every recurrent model shares (``num_layers``, ``n_replicas``,
    ``output_activation``, ``bias``, ``random_state``, ``replica_seeds``, ``dtype``,
    ``device``), documented once in :class:`~cogrnn.models.RecurrentEnsemble`.""",
}
_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<key>\w+)\)s[ \t]*$", re.MULTILINE)

_Model = TypeVar("_Model", bound=type)


def _fill_model_doc(cls: _Model) -> _Model:
    """Write the shared entries of :data:`_MODEL_DOC` into a model class's ``%(key)s`` placeholder lines."""
    if cls.__doc__:
        cls.__doc__ = _PLACEHOLDER.sub(
            lambda m: textwrap.indent(_MODEL_DOC[m.group("key")], m.group("indent")), cls.__doc__
        )
    return cls


def uniform_bound(hidden_size: int) -> float:
    """PyTorch's default initialisation range for recurrent layers, ``1 / sqrt(H)``.

    Parameters
    ----------
    hidden_size : int
        Number of hidden units H.

    Returns
    -------
    float
        ``1 / sqrt(H)``.

    Examples
    --------
    >>> uniform_bound(4)
    0.5
    """
    return 1.0 / math.sqrt(hidden_size)


def _check_init_range(value: float) -> float:
    return check_float("init_range", value, low=0.0, low_inclusive=False)
