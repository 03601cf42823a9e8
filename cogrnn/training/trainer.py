"""Training of recurrent ensembles: Elman's online copy-back, full BPTT and truncated BPTT.

=========== ==================================================================
method      what it does
=========== ==================================================================
``online``  Elman (1990): after every step, backpropagate that step's error
            only; the context is a frozen copy (the gradient stops there);
            the stream is never reset, not even between passes.
``tbptt``   truncated BPTT(k1, k2) (Williams & Peng 1990): every ``k1`` steps,
            backpropagate the error of those steps through the last ``k2``
            steps. ``online`` is ``tbptt`` with ``k1 = k2 = 1``.
``bptt``    full backpropagation through time over each sequence, one update
            per minibatch of sequences; the state restarts for every sequence.
=========== ==================================================================

Every replica of an ensemble is trained independently: losses are kept per replica,
gradient clipping is per replica, and the optimisers are elementwise, so replica
``r`` ends with exactly the weights it would reach alone (tested).

Online training with SGD (momentum, weight decay and clipping included) runs in compiled
kernels (``backend="compiled"``, chosen by ``"auto"``): single-layer SRN and Jordan ensembles
in :mod:`._kernels`, LSTM, GRU and stacked SRN/Jordan ensembles (and single-layer ones with
weight decay) in :mod:`._online_kernels`; everything else runs on torch, batched over the
replicas (no loop over replicas in Python).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .._progress import ProgressReporter
from .._threads import single_torch_thread
from ..config import Config, check_bool, check_choice, check_float, check_int
from ..exceptions import ConfigError, DataError, TrainingDivergedError
from ..models.base import RecurrentEnsemble, as_real_tensor
from ..models.gated import GRUNetwork, LSTMNetwork
from ..models.srn import ElmanSRN, JordanNetwork
from ..random import RandomState, check_random_state
from .losses import LOSSES, check_loss_compatible, compute_loss

__all__ = ["TrainerConfig", "Trainer", "train"]

METHODS = ("online", "tbptt", "bptt")
OPTIMIZERS = ("sgd", "adam")
BACKENDS = ("auto", "torch", "compiled")


@dataclass(frozen=True)
class TrainerConfig(Config):
    """How to train.

    Parameters
    ----------
    method : {"online", "tbptt", "bptt"}, default "online"
        Elman's online copy-back (an update after every step, the gradient stopped at the
        context copy), truncated BPTT, or full BPTT over whole sequences.
    epochs : int, default 1
        Passes through the training stream.
    lr : float, default 0.1
        Learning rate.
    momentum : float in [0, 1), default 0.0
        SGD momentum (``torch.optim.SGD`` convention).
    optimizer : {"sgd", "adam"}, default "sgd"
        Elementwise per replica, so every replica trains as it would alone.
    loss : {"sse", "mse", "cross_entropy", "bce"}, default "sse"
        See :func:`~cogrnn.training.losses.compute_loss`.
    k1, k2 : int, default 1
        For ``tbptt``: update every ``k1`` steps, backpropagating ``k2 >= k1`` steps.
    batch_size : int or None, default None
        For ``bptt``: sequences per update (None: all). Online and tbptt advance all
        sequences of the batch together, one update per step (or per ``k1`` steps).
    shuffle : bool, default True
        For ``bptt``: shuffle sequences into minibatches every epoch.
    clip_grad_norm : float or None, default None
        Clip each replica's gradient to this norm (as ``torch.nn.utils.clip_grad_norm_``).
    weight_decay : float, default 0.0
        L2 penalty added to the gradients (>= 0).
    reset_state : {"never", "epoch"}, default "never"
        For ``online``/``tbptt``: whether the state restarts at each pass (Elman: never).
    backend : {"auto", "torch", "compiled"}, default "auto"
        ``compiled`` (numba) runs online SGD of SRN, Jordan, LSTM and GRU ensembles of one
        or several layers on the CPU; ``auto`` takes it where it applies, else torch.

    Examples
    --------
    >>> TrainerConfig(method="tbptt", k1=5, k2=10).k2
    10
    """

    method: str = "online"
    epochs: int = 1
    lr: float = 0.1
    momentum: float = 0.0
    optimizer: str = "sgd"
    loss: str = "sse"
    k1: int = 1
    k2: int = 1
    batch_size: int | None = None
    shuffle: bool = True
    clip_grad_norm: float | None = None
    weight_decay: float = 0.0
    reset_state: str = "never"
    backend: str = "auto"

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)
        check_int("epochs", self.epochs, low=1)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("momentum", self.momentum, low=0.0, high=1.0, high_inclusive=False)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("loss", self.loss, LOSSES)
        check_int("k1", self.k1, low=1)
        check_int("k2", self.k2, low=1)
        if self.k2 < self.k1:
            raise ConfigError(f"k2 must be >= k1 (got k1={self.k1}, k2={self.k2})")
        if self.method == "online" and (self.k1, self.k2) != (1, 1):
            raise ConfigError("method='online' is tbptt with k1 = k2 = 1; use method='tbptt'")
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, low=1)
        check_bool("shuffle", self.shuffle)
        if self.clip_grad_norm is not None:
            check_float("clip_grad_norm", self.clip_grad_norm, low=0.0, low_inclusive=False)
        check_float("weight_decay", self.weight_decay, low=0.0)
        check_choice("reset_state", self.reset_state, ("never", "epoch"))
        check_choice("backend", self.backend, BACKENDS)


def _compiled_unsupported(model: RecurrentEnsemble, cfg: TrainerConfig) -> str | None:
    """Why no compiled kernel can run this combination (None when one can)."""
    if cfg.method != "online":
        return f"method={cfg.method!r} (the kernels do online training only)"
    if _online_kind(model) is None:
        return f"model {type(model).__name__} (the kernels support ElmanSRN, JordanNetwork, LSTMNetwork and GRUNetwork)"
    if cfg.optimizer != "sgd":
        return f"optimizer={cfg.optimizer!r} (the kernels support sgd)"
    if model.device.type != "cpu":
        return f"device {model.device} (the kernels run on the CPU)"
    return None


def _online_kind(model: RecurrentEnsemble) -> str | None:
    """The model kind of the gated/stacked kernel (:mod:`._online_kernels`), or None for an unknown model."""
    if isinstance(model, LSTMNetwork):
        return "lstm"
    if isinstance(model, GRUNetwork):
        return "gru"
    if isinstance(model, JordanNetwork):
        return "jordan"
    if isinstance(model, ElmanSRN):
        return "srn"
    return None


def _uses_simple_kernel(model: RecurrentEnsemble, cfg: TrainerConfig) -> bool:
    """Whether the single-layer SRN/Jordan kernel (:mod:`._kernels`) runs it (else the gated/stacked one)."""
    return isinstance(model, (ElmanSRN, JordanNetwork)) and model.num_layers == 1 and cfg.weight_decay == 0.0


def _numpy_dtype(dtype: torch.dtype) -> type[np.floating[Any]]:
    """The numpy dtype of a model's torch dtype (float32 or float64)."""
    return np.float64 if dtype == torch.float64 else np.float32


def _replica_stream(a: Tensor) -> np.ndarray:
    """An ``(R, T, B, n)`` stream as a C-contiguous array, ``(1, T, B, n)`` when all replicas share it."""
    if a.stride(0) == 0:
        return np.ascontiguousarray(a[:1].detach().numpy())
    return np.ascontiguousarray(a.detach().numpy())


def _epoch_rows(epoch: int, losses: list[float], n_updates: int) -> list[dict[str, Any]]:
    """History rows of one epoch: one per replica."""
    return [{"seed": r, "epoch": epoch, "loss": float(v), "n_updates": n_updates} for r, v in enumerate(losses)]


class Trainer:
    """Train a model ensemble on a stream or a batch of sequences.

    Parameters
    ----------
    config : TrainerConfig, optional
        How to train (default: ``TrainerConfig(**params)``).
    quiet : bool, default False
        No progress output.
    **params
        Fields of :class:`TrainerConfig`, as a shortcut (``Trainer(lr=0.1, epochs=5)``).

    Attributes
    ----------
    history_ : pandas.DataFrame
        One row per replica and epoch: ``seed`` (the replica index), ``epoch`` (1-based), ``loss`` (mean
        over the updates of the epoch), ``n_updates``.
    state_ : tuple of Tensor
        The model state after the last step (online/tbptt).
    backend_ : str
        The backend that ran (``"compiled"`` or ``"torch"``).

    Examples
    --------
    >>> import torch
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(1, 2, 1, n_replicas=3, random_state=0)
    >>> x = torch.randint(0, 2, (30, 1, 1)).float()
    >>> trainer = Trainer(method="online", lr=0.5, epochs=2, quiet=True).fit(net, x[:-1], x[1:])
    >>> trainer.history_.shape
    (6, 4)
    """

    def __init__(self, config: TrainerConfig | None = None, *, quiet: bool = False, **params: Any) -> None:
        if config is None:
            config = TrainerConfig(**params)
        elif params:
            config = config.replace(**params)
        if not isinstance(config, TrainerConfig):
            raise ConfigError(f"config must be a TrainerConfig; got {type(config).__name__}")
        self.config = config
        self.quiet = quiet

    # -- public ---------------------------------------------------------------------
    def fit(
        self,
        model: RecurrentEnsemble,
        inputs: Any,
        targets: Any,
        *,
        state: tuple[Tensor, ...] | None = None,
        random_state: RandomState | None = None,
        mask: Any = None,
    ) -> Trainer:
        """Train ``model`` in place on ``inputs`` -> ``targets``.

        Parameters
        ----------
        model : RecurrentEnsemble
            The ensemble to train (its parameters are updated in place).
        inputs : array or Tensor, (T, B, I) shared by replicas or (R, T, B, I)
            Training inputs.
        targets : array or Tensor, (T, B, O) or (R, T, B, O)
            Training targets.
        state : tuple of Tensor, optional
            State to start from (default: the model's ``init_state``).
        random_state : optional
            Only for shuffling minibatches in ``bptt``.
        mask : array (T, B) or (R, T, B), optional
            Weight of every step in the loss (0 = not counted), e.g. a task scored only at
            its last step. Runs on the torch backend.

        Returns
        -------
        Trainer
            ``self``, with ``history_``, ``state_`` and ``backend_`` set.
        """
        if not isinstance(model, RecurrentEnsemble):
            raise ConfigError(f"model must be a cogrnn model; got {type(model).__name__}")
        cfg = self.config
        check_loss_compatible(cfg.loss, model.output_activation)
        with single_torch_thread():  # elementwise checks of small tensors: contended threads only cost
            x = model.check_inputs(inputs)
            y = self._check_targets(model, targets, x)
            m = self._check_mask(model, mask, x)
        reason = _compiled_unsupported(model, cfg) or ("a loss mask" if m is not None else None)
        if cfg.backend == "compiled" and reason is not None:
            raise ConfigError(f"backend='compiled' cannot train {reason}; use backend='torch'")
        self.backend_ = "compiled" if (cfg.backend != "torch" and reason is None) else "torch"
        state = model.check_state(state, x.shape[2])
        rows: list[dict[str, Any]] = []
        if self.backend_ == "compiled" and _uses_simple_kernel(model, cfg):
            self.state_ = self._fit_compiled(model, x, y, state, rows)
        elif self.backend_ == "compiled":
            self.state_ = self._fit_online_compiled(model, x, y, state, rows)
        elif cfg.method == "bptt":
            self._fit_bptt(model, x, y, m, rows, check_random_state(random_state))
            self.state_ = state
        else:
            k1, k2 = (1, 1) if cfg.method == "online" else (cfg.k1, cfg.k2)
            self.state_ = self._fit_tbptt(model, x, y, m, state, k1, k2, rows)
        self.history_ = pd.DataFrame(rows, columns=["seed", "epoch", "loss", "n_updates"])
        return self

    # -- helpers --------------------------------------------------------------------
    @staticmethod
    def _check_targets(model: RecurrentEnsemble, targets: Any, x: Tensor) -> Tensor:
        targets = as_real_tensor("targets", targets, model.dtype, model.device)
        if targets.ndim == 2:
            targets = targets.unsqueeze(1)
        if targets.ndim == 3:
            targets = targets.unsqueeze(0).expand(model.n_replicas, *targets.shape)
        R, T, B, _ = x.shape
        expected = (R, T, B, model.output_size)
        if tuple(targets.shape) != expected:
            raise DataError(
                f"targets must have shape (T, B, O) = {expected[1:]} or (R, T, B, O) = {expected} "
                f"to match inputs and output_size; got {tuple(targets.shape)}"
            )
        return targets

    @staticmethod
    def _check_mask(model: RecurrentEnsemble, mask: Any, x: Tensor) -> Tensor | None:
        if mask is None:
            return None
        m = as_real_tensor("mask", mask if isinstance(mask, Tensor) else np.asarray(mask), model.dtype, model.device)
        if m.ndim == 2:
            m = m.unsqueeze(0).expand(model.n_replicas, *m.shape)
        if tuple(m.shape) != tuple(x.shape[:3]):
            raise DataError(f"mask must have shape (T, B) or (R, T, B) = {tuple(x.shape[:3])}; got {tuple(m.shape)}")
        if bool((m < 0).any()):
            raise DataError("mask must hold finite weights >= 0")
        return m

    def _optimizer(self, model: RecurrentEnsemble) -> torch.optim.Optimizer:
        cfg = self.config
        if cfg.optimizer == "sgd":
            return _ElementwiseSGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
        return _ElementwiseAdam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def _clip(self, model: RecurrentEnsemble) -> None:
        """Clip every replica's gradient norm separately."""
        max_norm = self.config.clip_grad_norm
        if max_norm is None:
            return
        params = [p for p in model.parameters() if p.grad is not None]
        R = model.n_replicas
        grads = [p.grad for p in params if p.grad is not None]
        sq = torch.zeros(R, dtype=grads[0].dtype, device=grads[0].device)
        for g in grads:
            sq += g.reshape(R, -1).pow(2).sum(1)
        coef = (max_norm / (sq.sqrt() + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.view(R, *([1] * (g.ndim - 1))))

    def _guard(self, per_replica: Tensor, epoch: int, step: int) -> None:
        finite = torch.isfinite(per_replica)
        if not bool(finite.all()):
            r = int((~finite).nonzero()[0, 0])
            raise TrainingDivergedError(
                f"training diverged: the loss of replica {r} became {float(per_replica[r])} at "
                f"epoch {epoch}, step {step} with learning rate {self.config.lr}; lower the "
                "learning rate or set clip_grad_norm"
            )

    def _update(self, model: RecurrentEnsemble, opt: torch.optim.Optimizer, loss: Tensor) -> None:
        opt.zero_grad(set_to_none=False)
        loss.sum().backward()
        self._clip(model)
        opt.step()

    def _fit_tbptt(
        self,
        model: RecurrentEnsemble,
        x: Tensor,
        y: Tensor,
        m: Tensor | None,
        state: tuple[Tensor, ...],
        k1: int,
        k2: int,
        rows: list[dict[str, Any]],
    ) -> tuple[Tensor, ...]:
        cfg = self.config
        opt = self._optimizer(model)
        T = x.shape[1]
        start_state = tuple(s.detach() for s in state)
        with ProgressReporter(cfg.epochs, f"training ({cfg.method})", self.quiet) as bar:
            for epoch in range(1, cfg.epochs + 1):
                if cfg.reset_state == "epoch":
                    state = start_state
                # history[-1 - j] is the (detached) state before step t - j; k2 are kept
                history: list[tuple[Tensor, ...]] = [tuple(s.detach() for s in state)]
                total = torch.zeros(model.n_replicas, dtype=torch.float64, device=model.device)
                n_updates = 0
                t = 0
                while t < T:
                    end = min(t + k1, T)
                    begin = max(end - k2, 0)
                    s = history[len(history) - 1 - (t - begin)]
                    logits, outputs, new_states = [], [], []
                    for i in range(begin, end):
                        step = model._forward(x[:, i : i + 1], s)
                        s = step.state
                        if i >= t:
                            logits.append(step.logits)
                            outputs.append(step.outputs)
                            new_states.append(tuple(v.detach() for v in s))
                    loss = compute_loss(
                        cfg.loss, torch.cat(logits, 1), torch.cat(outputs, 1), y[:, t:end],
                        None if m is None else m[:, t:end],
                    )  # fmt: skip
                    self._guard(loss.detach(), epoch, end - 1)
                    self._update(model, opt, loss)
                    total += loss.detach().double()
                    n_updates += 1
                    history = (history + new_states)[-k2:]
                    t = end
                state = history[-1]
                rows += _epoch_rows(epoch, (total / n_updates).tolist(), n_updates)
                bar.advance()
        return tuple(s.detach() for s in state)

    def _fit_bptt(
        self,
        model: RecurrentEnsemble,
        x: Tensor,
        y: Tensor,
        m: Tensor | None,
        rows: list[dict[str, Any]],
        rng: np.random.Generator,
    ) -> None:
        cfg = self.config
        opt = self._optimizer(model)
        B = x.shape[2]
        size = cfg.batch_size or B
        with ProgressReporter(cfg.epochs, "training (bptt)", self.quiet) as bar:
            for epoch in range(1, cfg.epochs + 1):
                order = rng.permutation(B) if cfg.shuffle and size < B else np.arange(B)
                total = torch.zeros(model.n_replicas, dtype=torch.float64, device=model.device)
                n_updates = 0
                for lo in range(0, B, size):
                    idx = torch.as_tensor(order[lo : lo + size], device=x.device)
                    xb, yb = x.index_select(2, idx), y.index_select(2, idx)
                    out = model._forward(xb, model.init_state(len(idx)))
                    mb = None if m is None else m.index_select(2, idx)
                    loss = compute_loss(cfg.loss, out.logits, out.outputs, yb, mb)
                    self._guard(loss.detach(), epoch, n_updates)
                    self._update(model, opt, loss)
                    total += loss.detach().double()
                    n_updates += 1
                rows += _epoch_rows(epoch, (total / n_updates).tolist(), n_updates)
                bar.advance()

    def _fit_compiled(
        self,
        model: RecurrentEnsemble,
        x: Tensor,
        y: Tensor,
        state: tuple[Tensor, ...],
        rows: list[dict[str, Any]],
    ) -> tuple[Tensor, ...]:
        import numba

        from . import _kernels as K

        cfg = self.config
        jordan = isinstance(model, JordanNetwork)
        R, T, B, _ = x.shape

        lockstep = K.use_lockstep(R, sum(p[0].numel() for p in model.parameters()))

        def to_kernel(a: Tensor) -> np.ndarray:
            """(R, ...) tensor -> the kernel's layout (a copy, never a view of the model)."""
            if not lockstep:
                return a.detach().clone().numpy()
            if a.stride(0) == 0:  # a stream shared by all replicas: (..., 1)
                return np.ascontiguousarray(a[0].detach().numpy()[..., None])
            return np.ascontiguousarray(np.moveaxis(a.detach().numpy(), 0, -1))

        def from_kernel(a: np.ndarray) -> Tensor:
            return torch.from_numpy(np.ascontiguousarray(np.moveaxis(a, -1, 0)) if lockstep else a)

        names = [
            "weight_ih_l0",
            "weight_sh" if jordan else "weight_ch_l0",
            "bias_h_l0",
            "weight_ho",
            "bias_o",
        ]
        unused_bias = {"bias_h_l0": (R, model.hidden_size), "bias_o": (R, model.output_size)}
        arrays = []
        for name in names:
            param = model.maybe(name)
            arrays.append(to_kernel(param if param is not None else torch.zeros(unused_bias[name], dtype=model.dtype)))
        use_momentum = cfg.momentum > 0.0
        buffers = [np.zeros_like(a) for a in arrays]
        if lockstep:
            X, Y = to_kernel(x), to_kernel(y)
        else:  # (R, T, B, n), or (1, T, B, n) for a stream shared by all replicas
            X, Y = _replica_stream(x), _replica_stream(y)
        if jordan:
            ctx, yprev = to_kernel(state[0][0]), to_kernel(state[1][0])
        else:
            ctx, yprev = to_kernel(state[0][0]), to_kernel(torch.zeros((R, B, 0), dtype=model.dtype))
        start_ctx, start_y = ctx.copy(), yprev.copy()
        losses = np.zeros(R, dtype=np.float64)
        bad = np.full(R, -1, dtype=np.int64)
        codes = (
            K.HIDDEN_CODES[str(model.nonlinearity)],
            K.OUTPUT_CODES[model.output_activation],
            K.LOSS_CODES[cfg.loss],
        )
        scalars = (float(cfg.lr), float(cfg.momentum), float(getattr(model, "mu", 0.0)), jordan, *codes)
        flags = (float(cfg.clip_grad_norm or 0.0), model.bias, use_momentum, losses, bad)
        with ProgressReporter(cfg.epochs, "training (online, compiled)", self.quiet) as bar:
            args = (X, Y, *arrays, *buffers, ctx, yprev, *scalars, *flags[:3])  # the passes' common arguments
            blocks = K.n_blocks(R, numba.get_num_threads())
            if R == 1 and not lockstep and cfg.reset_state == "never":
                # one replica: several passes per compiled call (a call costs much of a short pass)

                def one_replica(n: int, out: np.ndarray) -> tuple[int, np.ndarray]:
                    ran = K.online_epochs_one_replica(n, *args, out, bad)  # type: ignore[call-arg]
                    first = np.full((ran, 1), -1, dtype=np.int64)
                    first[ran - 1, 0] = bad[0]
                    return ran, first

                self._grouped_passes(one_replica, 1, T, rows, bar)
            elif lockstep and cfg.reset_state == "never":
                # several passes per compiled call: the parallel blocks do not wait for each other between passes

                def lockstep_group(n: int, out: np.ndarray) -> tuple[int, np.ndarray]:
                    first = np.full((n, R), -1, dtype=np.int64)
                    K.online_epochs_lockstep(n, *args, out, first, blocks)  # type: ignore[call-arg]
                    return n, first

                self._grouped_passes(lockstep_group, R, T, rows, bar)
            else:
                for epoch in range(1, cfg.epochs + 1):
                    if cfg.reset_state == "epoch":
                        ctx[...] = start_ctx
                        yprev[...] = start_y
                    if lockstep:
                        K.online_epoch_lockstep(*args, *flags[3:], blocks)  # type: ignore[call-arg]
                    else:
                        K.online_epoch_by_replica(*args, *flags[3:])  # type: ignore[call-arg]
                    if (bad >= 0).any():
                        r = int(np.flatnonzero(bad >= 0)[0])
                        self._diverged(r, epoch, int(bad[r]))
                    rows += _epoch_rows(epoch, losses.tolist(), T)
                    bar.advance()
        with torch.no_grad():
            for name, arr in zip(names, arrays):
                param = model.maybe(name)
                if param is not None:
                    param.copy_(from_kernel(arr))
        if jordan:
            return (from_kernel(ctx).unsqueeze(0), from_kernel(yprev).unsqueeze(0))
        return (from_kernel(ctx).unsqueeze(0),)

    def _diverged(self, r: int, epoch: int, step: int) -> None:
        raise TrainingDivergedError(
            f"training diverged: the loss of replica {r} became non-finite at epoch {epoch}, step {step} with "
            f"learning rate {self.config.lr}; lower the learning rate or set clip_grad_norm"
        )

    def _grouped_passes(self, run: Any, R: int, T: int, rows: list[dict[str, Any]], bar: Any) -> None:
        """All passes in compiled calls of about a quarter second each; progress and divergence checks between.

        ``run(n, losses)`` runs the next ``n`` passes, writing pass e's mean loss of every
        replica into row e of ``losses`` (``(n, R)``), and returns the number of passes it
        ran and their first non-finite steps (``(ran, R)``, -1 where none). A call per
        group instead of per pass: for small networks a call costs much of a short pass
        (and parallel blocks wait for each other at its end); the numbers are the same.
        """
        import time

        epochs = self.config.epochs
        losses = np.zeros((epochs, R), dtype=np.float64)
        done, group = 0, 1
        while done < epochs:
            n = min(group, epochs - done)
            start = time.perf_counter()
            ran, bad = run(n, losses[done : done + n])
            elapsed = time.perf_counter() - start
            for e in range(done, done + ran):
                hit = np.flatnonzero(bad[e - done] >= 0)
                if hit.size:
                    self._diverged(int(hit[0]), e + 1, int(bad[e - done, hit[0]]))
                rows += _epoch_rows(e + 1, losses[e].tolist(), T)
            done += ran
            bar.advance(ran)
            group = max(1, min(4 * group, int(group * 0.25 / max(elapsed, 1e-6))))

    def _fit_online_compiled(
        self,
        model: RecurrentEnsemble,
        x: Tensor,
        y: Tensor,
        state: tuple[Tensor, ...],
        rows: list[dict[str, Any]],
    ) -> tuple[Tensor, ...]:
        """Online SGD of LSTM, GRU and stacked SRN/Jordan ensembles in :mod:`._online_kernels`."""
        import numba

        from . import _online_kernels as K

        cfg = self.config
        kind = _online_kind(model)
        assert kind is not None
        R, T, B, _ = x.shape
        L, H, O = model.num_layers, model.hidden_size, model.output_size
        offs, packing = K.layout(kind, L, model.input_size, H, O, model.bias)
        dtype = _numpy_dtype(model.dtype)
        theta = np.empty((R, sum(size for _, _, size in packing)), dtype=dtype)
        with torch.no_grad():
            for name, offset, size in packing:
                param = model.weight(name).detach()
                if param.ndim == 3:  # (R, out, in) -> stored transposed, (in, out) row-major
                    param = param.transpose(1, 2)
                theta[:, offset : offset + size] = param.reshape(R, size).numpy()
        mom = np.zeros_like(theta)
        # the carried state as (R, L, B, units) arrays: S1, S2 (a dummy where the model has one tensor)
        carried = [np.ascontiguousarray(np.moveaxis(s.detach().numpy(), 0, 1)) for s in state]
        if len(carried) == 1:
            carried.append(np.zeros((R, 1, B, 1), dtype=dtype))
        S1, S2 = carried
        start = (S1.copy(), S2.copy())
        X, Y = (_replica_stream(a) for a in (x, y))
        hidden = str(getattr(model, "nonlinearity", "logistic"))
        codes = np.array(
            [K.HIDDEN_CODES[hidden], K.OUTPUT_CODES[model.output_activation], K.LOSS_CODES[cfg.loss]], dtype=np.int64
        )
        mu = float(getattr(model, "mu", 0.0))
        scalars = np.array([cfg.lr, cfg.momentum, mu, cfg.weight_decay, cfg.clip_grad_norm or 0.0], dtype=dtype)
        flags = np.array([cfg.momentum > 0.0, cfg.weight_decay > 0.0], dtype=np.int64)
        losses = np.zeros(R, dtype=np.float64)
        bad = np.full(R, -1, dtype=np.int64)
        with ProgressReporter(cfg.epochs, "training (online, compiled)", self.quiet) as bar:
            for epoch in range(1, cfg.epochs + 1):
                if cfg.reset_state == "epoch":
                    S1[...], S2[...] = start
                K.online_epoch(
                    X, Y, theta, mom, S1, S2, offs, K.KINDS[kind], H, codes, scalars, flags, losses, bad,
                    n_threads=numba.get_num_threads(),
                )  # fmt: skip
                if (bad >= 0).any():
                    steps = np.where(bad >= 0, bad, T)
                    r = int(np.argmin(steps))
                    raise TrainingDivergedError(
                        f"training diverged: the loss of replica {r} became non-finite at epoch {epoch}, "
                        f"step {int(steps[r])} with learning rate {cfg.lr}; lower the learning rate or set "
                        "clip_grad_norm"
                    )
                rows += _epoch_rows(epoch, losses.tolist(), T)
                bar.advance()
        with torch.no_grad():
            for name, offset, size in packing:
                param = model.weight(name)
                values = torch.from_numpy(theta[:, offset : offset + size].copy())
                if param.ndim == 3:
                    values = values.reshape(R, param.shape[2], param.shape[1]).transpose(1, 2)
                param.copy_(values.reshape(param.shape))
        return tuple(torch.from_numpy(np.ascontiguousarray(np.moveaxis(s, 1, 0))) for s in carried[: len(state)])


class _ElementwiseSGD(torch.optim.Optimizer):
    """``torch.optim.SGD`` (momentum, weight decay) written with unfused elementwise operations.

    torch's fused updates (``add_(g, alpha=-lr)``, ``addcdiv_``) round an element
    differently by its position in the tensor (vector body or scalar tail), so a
    replica's weights would depend on how many replicas share the tensor. Separate
    multiplications and additions round the same everywhere.
    """

    def __init__(self, params: Any, lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        for group in self.param_groups:
            lr, momentum, decay = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad if decay == 0 else p.grad + p * decay
                if momentum:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = g.clone()
                    else:
                        state["momentum_buffer"].mul_(momentum).add_(g)
                    g = state["momentum_buffer"]
                p.sub_(g * lr)


class _ElementwiseAdam(torch.optim.Optimizer):
    """``torch.optim.Adam`` (Kingma & Ba 2015, torch's defaults) with unfused elementwise operations."""

    def __init__(
        self, params: Any, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:  # fmt: skip
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:  # type: ignore[override]
        for group in self.param_groups:
            (b1, b2), eps, lr, decay = group["betas"], group["eps"], group["lr"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad if decay == 0 else p.grad + p * decay
                state = self.state[p]
                if not state:
                    state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["step"] += 1
                t = state["step"]
                m, v = state["m"], state["v"]
                m.mul_(b1).add_(g * (1 - b1))
                v.mul_(b2).add_((g * g) * (1 - b2))
                denom = (v.sqrt() / math.sqrt(1 - b2**t)).add_(eps)
                p.sub_((m / denom) * (lr / (1 - b1**t)))


def train(model: RecurrentEnsemble, inputs: Any, targets: Any, *, quiet: bool = False, **params: Any) -> pd.DataFrame:
    """Train ``model`` in place and return its history (shortcut for :class:`Trainer`).

    Parameters
    ----------
    model : RecurrentEnsemble
        The ensemble to train (in place).
    inputs : array or Tensor, (T, B, I) shared by replicas or (R, T, B, I)
        Training inputs.
    targets : array or Tensor, (T, B, O) or (R, T, B, O)
        Training targets.
    quiet : bool, default False
        If True, print no progress.
    **params
        Fields of :class:`TrainerConfig` (``method``, ``epochs``, ``lr``, ...).

    Returns
    -------
    pandas.DataFrame
        The history: one row per replica (``seed``) and epoch, with ``loss`` and ``n_updates``.

    Examples
    --------
    >>> import torch
    >>> from cogrnn.models import GRUNetwork
    >>> net = GRUNetwork(2, 4, 2, random_state=0)
    >>> x = torch.zeros(5, 3, 2)
    >>> hist = train(net, x, x, method="bptt", optimizer="adam", lr=0.01, loss="mse", epochs=2, quiet=True)
    >>> list(hist.columns)
    ['seed', 'epoch', 'loss', 'n_updates']
    """
    return Trainer(quiet=quiet, **params).fit(model, inputs, targets).history_
