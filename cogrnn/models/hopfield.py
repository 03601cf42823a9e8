r"""Hopfield networks: the classical binary network (Hopfield 1982) and the modern continuous one
(Ramsauer et al. 2020).

Both are batched over replicas (independent networks, e.g. seeds), and over cues.

Shapes: patterns ``(R, P, N)`` (or ``(P, N)``, shared by replicas), cues ``(R, C, N)`` (or
``(C, N)``), weights ``(R, N, N)``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import Tensor

from .._threads import single_torch_thread
from ..config import check_bool, check_choice, check_float, check_int
from ..exceptions import ConfigError, DataError
from ..random import RandomState, torch_generator
from .base import check_device

__all__ = ["HopfieldNetwork", "ModernHopfield", "RecallResult", "RULES"]

RULES = ("hebbian", "storkey", "pseudoinverse")


class RecallResult(NamedTuple):
    """What :meth:`HopfieldNetwork.recall` returns.

    Parameters
    ----------
    states : Tensor, shape (R, C, N)
        Final states.
    n_sweeps : Tensor, shape (R, C)
        Sweeps until a fixed point (or the limit).
    converged : Tensor, shape (R, C)
        True where a fixed point was reached.
    cycle : Tensor, shape (R, C)
        True where synchronous updates entered a 2-cycle.
    energy : Tensor, shape (R, C, S + 1)
        Energy before the first and after every sweep (S = sweeps run).

    Examples
    --------
    >>> res = HopfieldNetwork(4).store(np.array([[1.0, 1, -1, -1]])).recall(np.array([[1.0, 1, -1, 1]]))
    >>> res.states.shape, res.converged.shape
    (torch.Size([1, 1, 4]), torch.Size([1, 1]))
    """

    states: Tensor
    """``(R, C, N)`` final states."""
    n_sweeps: Tensor
    """``(R, C)`` sweeps until a fixed point (or the limit)."""
    converged: Tensor
    """``(R, C)`` True where a fixed point was reached."""
    cycle: Tensor
    """``(R, C)`` True where synchronous updates entered a 2-cycle."""
    energy: Tensor
    """``(R, C, S + 1)`` energy before the first and after every sweep (S = sweeps run)."""


def _as_tensor(x: Any, name: str, dtype: torch.dtype) -> Tensor:
    if isinstance(x, np.ndarray):
        x = torch.from_numpy(x)
    if not isinstance(x, Tensor):
        raise DataError(f"{name} must be a torch.Tensor or numpy array; got {type(x).__name__}")
    return x.to(dtype)


def _fields(T: Tensor, s: Tensor) -> Tensor:
    """``T s`` per replica and cue: (R, N, N) x (R, C, N) -> (R, C, N), or one row (R, N) -> (R, C).

    Batched matrix products (far faster than einsum for these small shapes when threads
    are contended); exact for integer T and states in float64, whatever the summation order.
    """
    if T.ndim == 2:
        return torch.bmm(s, T.unsqueeze(-1)).squeeze(-1)
    return torch.bmm(s, T.transpose(1, 2))


class HopfieldNetwork:
    r"""The classical Hopfield network with binary units, as R independent replicas.

    With ``states="bipolar"`` units are :math:`s_i = \pm 1`; with ``states="binary"``
    units are :math:`V_i \in \{0, 1\}` as in Hopfield (1982), stored with
    :math:`T_{ij} = \sum_s (2V^s_i - 1)(2V^s_j - 1)`. Unit i receives the field
    :math:`h_i = \sum_j T_{ij} s_j` and turns on if :math:`h_i > U_i`, off if
    :math:`h_i < U_i`, and **keeps its state** if :math:`h_i = U_i` (Hopfield's rule). The
    energy that never increases under asynchronous updates is

    .. math:: E = -\tfrac12 \sum_{i \ne j} T_{ij} s_i s_j + \sum_i U_i s_i .

    Storage rules (``weight`` holds :math:`W = T / N`, the conventional 1/N scaling; the
    dynamics and the energy use :math:`T = N W`, in the paper's units):

    * ``"hebbian"``: :math:`T = \sum_\mu \xi^\mu \xi^{\mu\top}`, zero diagonal (Eq. 2
      of the paper);
    * ``"storkey"`` (Storkey 1997): incremental,
      :math:`\Delta w_{ij} = \frac1N(\xi_i\xi_j - \xi_i h_{ji} - h_{ij}\xi_j)`,
      :math:`h_{ij} = \sum_{k \ne i,j} w_{ik}\xi_k`, zero diagonal;
    * ``"pseudoinverse"`` (projection rule): :math:`W = \Xi^\top(\Xi\Xi^\top)^{-1}\Xi`, for
      at most N linearly independent patterns; every stored pattern is a fixed point
      (the diagonal is kept unless ``zero_diagonal=True``).

    Precision (why it matters): ties :math:`h_i = U_i` are frequent with 0/1 units (about
    1.5% of updates at N = 100), and the paper settles them by keeping the state. For the
    Hebbian rule T holds integers and the fields, the ties and the energy are computed
    exactly (float64 integers, exact up to :math:`2^{53}`). For Storkey and the
    pseudo-inverse T is not integer: fields are computed in float64 and a field within the
    rounding bound :math:`4 N \epsilon \sum_j |T_{ij}|` (:math:`\epsilon` = float64
    machine epsilon) of the threshold counts as a tie. States are returned in ``dtype``.

    Parameters
    ----------
    n_units : int
        Number of units N.
    rule : {"hebbian", "storkey", "pseudoinverse"}, default "hebbian"
        Storage rule (above).
    states : {"bipolar", "binary"}, default "bipolar"
        Units +-1 or 0/1 (Hopfield 1982).
    threshold : float, default 0.0
        Threshold :math:`U_i` of every unit, in the paper's units: compared with the
        unscaled field :math:`\sum_j T_{ij} s_j` (for the Hebbian rule with Hopfield's
        integer :math:`T_{ij} = \sum_s \xi^s_i \xi^s_j`), not with :math:`W s`.
    zero_diagonal : bool, optional
        Default: True for hebbian and storkey, False for pseudoinverse.
    n_replicas : int, default 1
        Independent networks side by side (each stores its own patterns).
    dtype : torch.dtype, default torch.float32
        Of ``weight`` and of the returned states (the dynamics run in float64).
    device : str or torch.device, default "cpu"
        Of ``weight`` and of the returned states.
    clipped : bool, default False
        Hebbian only: clipped synapses :math:`T_{ij} = \mathrm{sign}(\sum_s \xi^s_i \xi^s_j)`
        (Hopfield 1982, p. 2557; 0 where the sum is 0).

    Examples
    --------
    >>> from cogrnn.tasks import random_patterns, corrupt
    >>> pats = random_patterns(5, 100, random_state=0)        # (P, N), values +-1
    >>> net = HopfieldNetwork(100).store(pats)
    >>> cues = corrupt(pats, 0.1, random_state=1)              # 10 bits flipped in each
    >>> res = net.recall(cues, random_state=2)
    >>> bool((res.states[0] == torch.as_tensor(pats, dtype=torch.float32)).all())
    True

    A tie keeps the state: one stored pattern (+1, -1, +1, -1) of 0/1 units, state
    (1, 1, 0, 0); units 3 and 4 receive :math:`T_{i1} + T_{i2} = 0` and stay off.

    >>> net = HopfieldNetwork(4, states="binary").store(np.array([[1.0, 0, 1, 0]]))
    >>> net.field(np.array([[1.0, 1, 0, 0]]))[0, 0].tolist()
    [-1.0, -1.0, 0.0, 0.0]
    >>> net.recall(np.array([[1.0, 1, 0, 0]]), mode="sync", max_sweeps=1).states[0, 0].tolist()
    [0.0, 0.0, 0.0, 0.0]
    """

    def __init__(
        self,
        n_units: int,
        rule: str = "hebbian",
        states: str = "bipolar",
        threshold: float = 0.0,
        zero_diagonal: bool | None = None,
        n_replicas: int = 1,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
        clipped: bool = False,
    ) -> None:
        self.n_units = check_int("n_units", n_units, low=2)
        self.rule = check_choice("rule", rule, RULES)
        self.states = check_choice("states", states, ("bipolar", "binary"))
        self.threshold = check_float("threshold", threshold)
        self.zero_diagonal = (
            rule != "pseudoinverse" if zero_diagonal is None else check_bool("zero_diagonal", zero_diagonal)
        )
        self.n_replicas = check_int("n_replicas", n_replicas, low=1)
        self.clipped = check_bool("clipped", clipped)
        if self.clipped and self.rule != "hebbian":
            raise ConfigError(f"clipped synapses are defined for the Hebbian rule only; got rule={self.rule!r}")
        self.dtype = dtype
        self.device = check_device(device)
        self.weight = torch.zeros(self.n_replicas, self.n_units, self.n_units, dtype=dtype, device=self.device)
        self._stored = torch.zeros(self.n_replicas, 0, self.n_units, dtype=torch.float64, device=self.device)
        # _raw: what the incremental rules accumulate (Hebbian: the integer sum of outer
        # products, unscaled; Storkey: W); _T: N W in float64, used by the dynamics
        self._raw = torch.zeros_like(self.weight, dtype=torch.float64)
        self._T = torch.zeros_like(self._raw)

    @property
    def n_patterns(self) -> int:
        """Number of patterns stored so far."""
        return int(self._stored.shape[1])

    # -- patterns ---------------------------------------------------------------------
    def _check_states(self, x: Any, name: str, allow_zero: bool = False) -> Tensor:
        t = _as_tensor(x, name, self.dtype).to(self.device)
        if t.ndim == 2:
            t = t.unsqueeze(0).expand(self.n_replicas, *t.shape)
        if t.ndim != 3 or t.shape[0] != self.n_replicas or t.shape[-1] != self.n_units:
            raise DataError(
                f"{name} must have shape (K, N) or (R, K, N) with N = {self.n_units} and R = {self.n_replicas}; "
                f"got {tuple(t.shape)}"
            )
        allowed = (-1.0, 1.0) if self.states == "bipolar" else (0.0, 1.0)
        ok = (t == allowed[0]) | (t == allowed[1])
        if allow_zero and self.states == "bipolar":
            ok |= t == 0
        if not bool(ok.all()):
            vals = "-1 or +1" + (" (0 = unknown)" if allow_zero else "") if self.states == "bipolar" else "0 or 1"
            raise DataError(f"{name} must hold only {vals} for states={self.states!r}")
        return t

    def _bipolar(self, t: Tensor) -> Tensor:
        return t if self.states == "bipolar" else 2 * t - 1

    def store(self, patterns: Any, append: bool = False) -> HopfieldNetwork:
        """Store ``patterns`` ``(P, N)`` or ``(R, P, N)`` with the network's rule.

        With ``append=True`` the patterns are added to those stored before (the Hebbian
        and Storkey rules are incremental, so storing 1..P then P+1..Q gives the weights of
        storing 1..Q at once; the pseudo-inverse is recomputed from all of them).

        Parameters
        ----------
        patterns : array or Tensor, (P, N) or (R, P, N)
            Patterns in the network's state form (+-1, or 0/1 with ``states="binary"``).
        append : bool, default False
            Add to the patterns stored before instead of replacing them.

        Returns
        -------
        HopfieldNetwork
            ``self``, with ``weight`` set.
        """
        new = self._bipolar(self._check_states(patterns, "patterns")).to(torch.float64)
        if new.shape[1] < 1:
            raise DataError("store needs at least one pattern")
        check_bool("append", append)
        xi = torch.cat([self._stored, new], dim=1) if append else new
        R, P, N = xi.shape
        start = self._raw if append else torch.zeros(R, N, N, dtype=torch.float64, device=self.device)
        if self.rule == "hebbian":
            self._raw = start + new.transpose(1, 2) @ new  # integers: exact in float64
            T = torch.sign(self._raw) if self.clipped else self._raw
        elif self.rule == "storkey":
            W = start
            with single_torch_thread(self.device.type == "cpu"):
                for mu in range(new.shape[1]):
                    x = new[:, mu]  # (R, N)
                    h = torch.bmm(W, x.unsqueeze(-1)).squeeze(-1)  # h_i = sum over all k of w_ik x_k
                    # with w_ii = 0 and x = +-1: h_ij = h_i - w_ij x_j, so x_i h_ji = x_i h_j - w_ji and
                    # h_ij x_j = h_i x_j - w_ij: dW = (x x^T - x h^T - h x^T + W + W^T) / N
                    xh = x[:, :, None] * h[:, None, :]
                    dW = x[:, :, None] * x[:, None, :]
                    dW.sub_(xh).sub_(xh.transpose(1, 2)).add_(W).add_(W.transpose(1, 2)).div_(N)
                    W = W + dW
                    W.diagonal(dim1=1, dim2=2).zero_()
            self._raw = W
            T = W * N
        else:
            if P > N:
                raise ConfigError(
                    f"the pseudo-inverse rule stores at most N = {N} linearly independent patterns; got {P} "
                    f"(load {P / N:.2f} > 1)"
                )
            # numpy's LAPACK: torch's batched LU solve fails at some sizes (MKL DLASWP errors, N = 500, P = 300)
            xn = xi.cpu().numpy()
            C = xn @ xn.transpose(0, 2, 1)
            rank = np.linalg.matrix_rank(C, hermitian=True)
            if bool((rank < P).any()):
                raise ConfigError(
                    f"the pseudo-inverse rule needs linearly independent patterns; replica(s) "
                    f"{np.flatnonzero(rank < P).tolist()} have only rank {int(rank.min())} < {P}"
                )
            T = torch.from_numpy(xn.transpose(0, 2, 1) @ np.linalg.solve(C, xn) * N).to(self.device)
        if self.zero_diagonal:
            T = T - torch.diag_embed(torch.diagonal(T, dim1=1, dim2=2))
        self._T = T
        self.weight = (T / N).to(self.dtype)
        self._stored = xi
        return self

    # -- dynamics ---------------------------------------------------------------------
    def field(self, states: Any) -> Tensor:
        r"""Unscaled field :math:`h_i = \sum_j T_{ij} s_j` of every unit, float64, shape (R, C, N).

        Exact for the Hebbian rule (integers); this is what the threshold is compared with.

        Parameters
        ----------
        states : array or Tensor, (C, N) or (R, C, N)
            States in the network's form.

        Returns
        -------
        Tensor, shape (R, C, N)
            The fields, float64.

        Examples
        --------
        >>> net = HopfieldNetwork(3).store(np.array([[1.0, -1, 1]]))
        >>> net.field(np.array([[1.0, 1, 1]]))[0, 0].tolist()
        [0.0, -2.0, 0.0]
        """
        if self.n_patterns == 0:
            raise ConfigError("store patterns before computing fields")
        s = self._check_states(states, "states", allow_zero=True).to(torch.float64)
        return _fields(self._T, s)

    def _update(self, field: Tensor, slack: Tensor | None, old: Tensor) -> Tensor:
        """State after an update; a unit whose field equals its threshold keeps its state.

        ``slack`` (non-integer rules) is the rounding bound within which a field counts as
        equal to the threshold; None for the exact Hebbian fields.
        """
        off = -1.0 if self.states == "bipolar" else 0.0
        d = field - self.threshold
        up, down = (d > 0, d < 0) if slack is None else (d > slack, d < -slack)
        return torch.where(up, 1.0, torch.where(down, off, old))

    def _slack(self) -> Tensor | None:
        r"""Rounding bound of every unit's field, (R, 1, N) (None: exact, the Hebbian rule).

        States are -1, 0 or 1, so :math:`\sum_j |T_{ij} s_j| \le \sum_j |T_{ij}|`.
        """
        if self.rule == "hebbian":
            return None
        eps = torch.finfo(torch.float64).eps
        return (4 * self.n_units * eps * self._T.abs().sum(-1)).unsqueeze(1)

    def energy(self, states: Any) -> Tensor:
        r"""Energy :math:`-\tfrac12 \sum_{ij} T_{ij} s_i s_j + U \sum_i s_i` of states ``(C, N)`` or ``(R, C, N)``.

        In the paper's units (T = N W). Returns shape (R, C), in float64: exact for the
        Hebbian rule (integers below :math:`2^{53}`), so a monotonicity check needs no
        tolerance there; rounded for Storkey and the pseudo-inverse.

        Parameters
        ----------
        states : array or Tensor, (C, N) or (R, C, N)
            States in the network's form.

        Returns
        -------
        Tensor, shape (R, C)
            The energies, float64.

        Examples
        --------
        >>> net = HopfieldNetwork(3).store(np.array([[1.0, -1, 1]]))
        >>> net.energy(np.array([[1.0, -1, 1], [1, 1, 1]]))[0].tolist()
        [-3.0, 1.0]
        """
        s = self._check_states(states, "states", allow_zero=True).to(torch.float64)
        return self._energy(s, _fields(self._T, s))

    def _energy(self, s: Tensor, field: Tensor) -> Tensor:
        """Energy of float64 states ``s`` whose fields ``T s`` are ``field``."""
        return -0.5 * (s * field).sum(-1) + self.threshold * s.sum(-1)

    def recall(
        self,
        cues: Any,
        max_sweeps: int = 100,
        mode: str = "async",
        random_state: RandomState | None = None,
    ) -> RecallResult:
        """Run the dynamics from ``cues`` until a fixed point (or ``max_sweeps``).

        Parameters
        ----------
        cues : (C, N) or (R, C, N)
            Starting states; in the bipolar form a 0 marks an unknown unit (a partial cue).
            An unknown unit whose field equals its threshold keeps its state, as every
            tie does, so it can end at 0: count the zeros of the end states (e.g.
            ``(result.states == 0).sum(-1)``) before reading them as +-1 patterns.
        max_sweeps : int
            A sweep updates every unit once.
        mode : {"async", "sync"}
            ``"async"``: units one at a time in a random order (new each sweep, seeded; the
            same order for all cues of a sweep); ``"sync"``: all units at once, stopping on
            fixed points and 2-cycles.
        random_state : None, int or numpy.random.Generator, optional
            Seeds the update orders.

        Returns
        -------
        RecallResult
            ``energy`` in float64, exact for the Hebbian rule (see :meth:`energy`).

        Examples
        --------
        >>> net = HopfieldNetwork(4).store(np.array([[1.0, 1, -1, -1]]))
        >>> res = net.recall(np.array([[1.0, 1, -1, 1]]), random_state=0)
        >>> res.states[0, 0].tolist(), bool(res.converged[0, 0])
        ([1.0, 1.0, -1.0, -1.0], True)
        """
        check_choice("mode", mode, ("async", "sync"))
        max_sweeps = check_int("max_sweeps", max_sweeps, low=1)
        if self.n_patterns == 0:
            raise ConfigError("store patterns before calling recall")
        s = self._check_states(cues, "cues", allow_zero=True).to(torch.float64)
        R, C, N = s.shape
        n_sweeps = torch.zeros(R, C, dtype=torch.long, device=self.device)
        converged = torch.zeros(R, C, dtype=torch.bool, device=self.device)
        cycle = torch.zeros(R, C, dtype=torch.bool, device=self.device)
        energies = [self.energy(s)]
        gen = torch_generator(random_state) if mode == "async" else None
        prev = None
        slack = self._slack()
        h: Tensor | None = None
        columns = self._T.transpose(1, 2).contiguous()  # columns[:, i] = T[:, :, i]
        with single_torch_thread(mode == "async" and self.device.type == "cpu"):
            for _ in range(max_sweeps):
                active = ~(converged | cycle)
                if not bool(active.any()):
                    break
                old = s.clone()
                if mode == "sync":
                    h = _fields(self._T, s)
                    s = torch.where(active[..., None], self._update(h, slack, s), s)
                else:
                    # fields kept current: when unit i changes by d, h_j += T_ji d (exact for integer T);
                    # recomputed at every sweep for the other rules, so rounding does not accumulate
                    if h is None or self.rule != "hebbian":
                        h = _fields(self._T, s)
                    order = torch.randperm(N, generator=gen).tolist()
                    for i in order:
                        old_i = s[:, :, i]
                        new_i = torch.where(
                            active, self._update(h[:, :, i], None if slack is None else slack[..., i], old_i), old_i
                        )
                        d = new_i - old_i
                        if bool(d.any()):
                            s[:, :, i] = new_i
                            h += d.unsqueeze(-1) * columns[:, i, :].unsqueeze(1)
                n_sweeps += active.long()
                same = (s == old).all(-1)
                converged |= active & same
                if mode == "sync" and prev is not None:
                    cycle |= active & ~same & (s == prev).all(-1)
                prev = old
                energies.append(self.energy(s) if mode == "sync" else self._energy(s, h))
        return RecallResult(s.to(self.dtype), n_sweeps, converged, cycle, torch.stack(energies, dim=-1))


class ModernHopfield:
    r"""The modern continuous Hopfield network (Ramsauer et al. 2020), R replicas.

    Stored patterns are the columns of :math:`X` (``(R, M, d)`` here: M patterns of
    dimension d). The update and energy are

    .. math::

        \xi^{new} = X\,\mathrm{softmax}(\beta X^\top \xi), \qquad
        E = -\beta^{-1}\log\sum_\mu e^{\beta x_\mu^\top \xi} + \tfrac12 \xi^\top\xi
            + \beta^{-1}\log M + \tfrac12 \max_\mu \|x_\mu\|^2 .

    One update retrieves a stored pattern when the patterns are well separated, with
    exponentially many patterns in d; the update is transformer attention.

    Parameters
    ----------
    beta : float, default 1.0
        Inverse temperature (> 0).
    dtype : torch.dtype, default torch.float32
        Of the stored patterns and the states.
    device : str or torch.device, default "cpu"
        Of the stored patterns and the states.

    Examples
    --------
    >>> from cogrnn.tasks import random_patterns, corrupt
    >>> pats = random_patterns(1000, 100, random_state=0)   # 10 N patterns
    >>> net = ModernHopfield(beta=1.0).store(pats)
    >>> out = net.retrieve(corrupt(pats[:20], 0.1, random_state=1))
    >>> bool((torch.sign(out[0]) == torch.as_tensor(pats[:20], dtype=torch.float32)).all())
    True
    """

    def __init__(self, beta: float = 1.0, dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"):
        self.beta = check_float("beta", beta, low=0.0, low_inclusive=False)
        self.dtype = dtype
        self.device = check_device(device)
        self.patterns: Tensor | None = None

    def store(self, patterns: Any) -> ModernHopfield:
        """Store real-valued patterns ``(M, d)`` or ``(R, M, d)``.

        Parameters
        ----------
        patterns : array or Tensor, (M, d) or (R, M, d)
            The patterns (finite).

        Returns
        -------
        ModernHopfield
            ``self``.
        """
        x = _as_tensor(patterns, "patterns", self.dtype).to(self.device)
        if x.ndim == 2:
            x = x.unsqueeze(0)
        if x.ndim != 3 or x.shape[1] < 1:
            raise DataError(f"patterns must have shape (M, d) or (R, M, d); got {tuple(x.shape)}")
        if not bool(torch.isfinite(x).all()):
            raise DataError("patterns contain NaN or infinite values")
        self.patterns = x
        return self

    def _check_queries(self, queries: Any) -> Tensor:
        if self.patterns is None:
            raise ConfigError("store patterns before retrieving")
        q = _as_tensor(queries, "queries", self.dtype).to(self.device)
        if q.ndim == 2:
            q = q.unsqueeze(0).expand(self.patterns.shape[0], *q.shape)
        if q.ndim != 3 or q.shape[-1] != self.patterns.shape[-1] or q.shape[0] != self.patterns.shape[0]:
            raise DataError(
                f"queries must have shape (C, d) or (R, C, d) with d = {self.patterns.shape[-1]}; got {tuple(q.shape)}"
            )
        if not bool(torch.isfinite(q).all()):
            raise DataError("queries contain NaN or infinite values")
        return q

    def retrieve(self, queries: Any, n_steps: int = 1) -> Tensor:
        """Apply the update ``n_steps`` times to queries ``(C, d)`` or ``(R, C, d)``.

        Parameters
        ----------
        queries : array or Tensor, (C, d) or (R, C, d)
            Starting states.
        n_steps : int, default 1
            Number of updates.

        Returns
        -------
        Tensor, shape (R, C, d)
            The updated states.
        """
        n_steps = check_int("n_steps", n_steps, low=1)
        xi = self._check_queries(queries)
        assert self.patterns is not None
        for _ in range(n_steps):
            attn = torch.softmax(self.beta * xi @ self.patterns.transpose(1, 2), dim=-1)  # (R, C, M)
            xi = attn @ self.patterns
        return xi

    def energy(self, states: Any) -> Tensor:
        """Energy of states ``(C, d)`` or ``(R, C, d)``.

        Parameters
        ----------
        states : array or Tensor, (C, d) or (R, C, d)
            States.

        Returns
        -------
        Tensor, shape (R, C)
            The energies.
        """
        xi = self._check_queries(states)
        assert self.patterns is not None
        M = self.patterns.shape[1]
        lse = torch.logsumexp(self.beta * xi @ self.patterns.transpose(1, 2), dim=-1) / self.beta
        max_norm = self.patterns.norm(dim=-1).max(dim=-1).values[:, None]
        return -lse + 0.5 * (xi * xi).sum(-1) + math.log(M) / self.beta + 0.5 * max_norm**2
