"""A compiled frozen pass of Elman's SRN for :func:`cogrnn.analysis.evaluate`, the model's numbers bit for bit.

The model's own pass (:class:`cogrnn.models.ElmanSRN`) runs a few torch operations per
step; their batched products of one row per replica run far below the machine's speed
(a ``(1 x 150) @ (150 x 150)`` product per replica and step). Here one compiled call per
step computes ``0.5 * (drive_t + h_{t-1} @ W)`` with the products' sums taken in the order
BLAS takes them for one row (sequentially over the inputs, each product rounded, then
added), and torch's own ``tanh`` runs on the whole ``(R, B, H)`` array, as in the model
(the same function at every position); ``h_t = 0.5 * v + 0.5`` closes the step. The
input products and the readout are the model's (one torch call per chunk).

Before it is used for a stream, the pass is checked against the model's own forward on
the stream's first steps, bit for bit (:meth:`ElmanPass.matches`); any difference (another
BLAS, another CPU) and :func:`evaluate` runs the model's forward as before.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch

__all__: list[str] = []

#: replica-steps of a stream below which the model's own forward runs (compiling and checking cost more)
MIN_REPLICA_STEPS = 20000
#: steps of the stream compared with the model's own forward before the compiled pass is used
CHECK_STEPS = 32

_KERNELS: dict[str, Any] = {}


class _Output(NamedTuple):
    """The fields of :class:`cogrnn.models.base.RecurrentOutput` that :func:`evaluate` reads."""

    outputs: torch.Tensor
    hidden: torch.Tensor
    state: tuple[torch.Tensor, ...]
    logits: torch.Tensor


def _step_kernel() -> Any:
    """The compiled step (numba, cached on disk), made on first use."""
    if "step" not in _KERNELS:
        import numba

        @numba.njit(cache=True, nogil=True)
        def step(drive: Any, t: int, v: Any, h: Any, hs: Any, w: Any, a: Any, acc: Any, half: Any) -> None:
            # close step t - 1 (h = 0.5 * tanh(.) + 0.5, rounded as torch rounds it),
            # then open step t; ``half`` holds 0.5 in the arrays' dtype (float32 arithmetic stays float32)
            B, H = h.shape[1], h.shape[2]
            c = half[0]
            for r in range(h.shape[0]):
                if t > 0:
                    for b in range(B):
                        for j in range(H):
                            h[r, b, j] = c * v[r, b, j] + c
                            hs[r, t - 1, b, j] = h[r, b, j]
                if t < drive.shape[1]:
                    acc[:, :] = 0
                    K = w.shape[1]
                    K4 = K - K % 4
                    for k in range(0, K4, 4):  # over the inputs in order, as BLAS sums one row: four at a time
                        for b in range(B):  # every row of the batch reads weight rows k..k+3 while in cache
                            h0, h1, h2, h3 = h[r, b, k], h[r, b, k + 1], h[r, b, k + 2], h[r, b, k + 3]
                            for j in range(H):
                                acc[b, j] = (
                                    ((acc[b, j] + h0 * w[r, k, j]) + h1 * w[r, k + 1, j]) + h2 * w[r, k + 2, j]
                                ) + h3 * w[r, k + 3, j]
                    for k in range(K4, K):
                        for b in range(B):
                            hk = h[r, b, k]
                            for j in range(H):
                                acc[b, j] = acc[b, j] + hk * w[r, k, j]
                    for b in range(B):
                        for j in range(H):
                            a[r, b, j] = c * (drive[r, t, b, j] + acc[b, j])

        _KERNELS["step"] = step
    return _KERNELS["step"]


class ElmanPass:
    """The frozen pass of a one-layer logistic :class:`~cogrnn.models.ElmanSRN` with R >= 2 replicas on the CPU.

    Parameters
    ----------
    model : ElmanSRN
        The network (weights read once; the model is not changed).

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(3, 4, 3, n_replicas=2, random_state=0)
    >>> with torch.no_grad():  # a stream of 2 x 20,000 replica-steps; the pass itself is tested in tests/
    ...     ElmanPass.applies(net, torch.zeros(2, 10000, 1, 3)), ElmanPass.applies(net, torch.zeros(2, 10, 1, 3))
    (True, False)
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        w = model.weight("weight_ch_l0").detach()
        self.w = w.transpose(1, 2).contiguous().numpy()  # (R, in, out): row k holds input k's weights

    @staticmethod
    def applies(model: Any, inputs: torch.Tensor) -> bool:
        """Whether the compiled pass can run ``model`` over ``inputs`` ``(R, T, B, I)`` (and is worth it).

        Parameters
        ----------
        model : RecurrentEnsemble
            The network.
        inputs : Tensor, shape (R, T, B, I)
            The checked inputs.

        Returns
        -------
        bool
            True for an ElmanSRN (the class itself) with one logistic layer, R >= 2, float32
            or float64 weights on the CPU, without gradients, and at least
            ``MIN_REPLICA_STEPS`` replica-steps, when numba is installed.
        """
        from ..models import ElmanSRN

        if type(model) is not ElmanSRN or model.num_layers != 1 or model.nonlinearity != "logistic":
            return False
        if model.n_replicas < 2 or model.device.type != "cpu" or model.dtype not in (torch.float32, torch.float64):
            return False
        if torch.is_grad_enabled() or inputs.shape[0] * inputs.shape[1] < MIN_REPLICA_STEPS:
            return False
        try:
            import numba  # noqa: F401
        except ImportError:  # pragma: no cover - numba is a dependency of cogrnn's training
            return False
        return True

    def __call__(self, x: torch.Tensor, state: tuple[torch.Tensor, ...]) -> _Output:
        """Run the pass over ``x`` ``(R, T, B, I)`` from ``state``, as ``model(x, state)`` does.

        Parameters
        ----------
        x : Tensor, shape (R, T, B, I)
            Inputs in the model's dtype.
        state : tuple of Tensor
            ``(context,)``, shape ``(1, R, B, H)``.

        Returns
        -------
        _Output
            ``outputs``, ``hidden`` ``(R, 1, T, B, H)``, ``state`` and ``logits``.
        """
        with torch.no_grad():
            return self._run(x, state)

    def _run(self, x: torch.Tensor, state: tuple[torch.Tensor, ...]) -> _Output:
        from ..models.base import activation, ensemble_linear

        model = self.model
        R, T, B, n_in = x.shape
        H = model.hidden_size
        drive = ensemble_linear(
            x.reshape(R, T * B, n_in), model.weight("weight_ih_l0"), model.maybe("bias_h_l0")
        ).reshape(R, T, B, H)
        h = state[0][0].contiguous().numpy().copy()  # (R, B, H)
        dtype = h.dtype
        hs = np.empty((R, T, B, H), dtype=dtype)
        a, v = np.empty((R, B, H), dtype=dtype), np.empty((R, B, H), dtype=dtype)
        acc, half = np.empty((B, H), dtype=dtype), np.array([0.5], dtype=dtype)
        d = drive.contiguous().numpy()
        step = _step_kernel()
        a_t, v_t = torch.from_numpy(a), torch.from_numpy(v)
        for t in range(T):
            step(d, t, v, h, hs, self.w, a, acc, half)
            torch.tanh(a_t, out=v_t)  # over the whole (R, B, H) array, as the model's step
        step(d, T, v, h, hs, self.w, a, acc, half)  # closes the last step
        top = torch.from_numpy(hs)
        logits = ensemble_linear(top.reshape(R, T * B, H), model.weight("weight_ho"), model.maybe("bias_o"))
        logits = logits.reshape(R, T, B, model.output_size)
        return _Output(activation(model.output_activation, logits), top[:, None], (torch.from_numpy(h)[None],), logits)

    def matches(self, model: Any, x: torch.Tensor, state: tuple[torch.Tensor, ...]) -> bool:
        """Whether this pass computes what ``model`` does over the first ``CHECK_STEPS`` steps of ``x``, bit for bit.

        Parameters
        ----------
        model : RecurrentEnsemble
            The network this pass was made for.
        x : Tensor, shape (R, T, B, I)
            The inputs.
        state : tuple of Tensor
            The initial state.

        Returns
        -------
        bool
            True when outputs, hidden states and the final state are equal.
        """
        head = x[:, :CHECK_STEPS]
        with torch.no_grad():
            mine, theirs = self(head, state), model(head, state)
        return (
            torch.equal(mine.outputs, theirs.outputs)
            and torch.equal(mine.hidden, theirs.hidden)
            and all(torch.equal(m, t) for m, t in zip(mine.state, theirs.state))
        )
