"""Dynamics of recurrent networks: gradient flow through time, spectral radius, fixed points."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .._docs import fill_doc
from ..config import check_float, check_int
from ..exceptions import ConfigError, DataError
from ..io import check_columns
from ..random import RandomState, check_random_state
from .profiles import _column_names, _numeric_column

__all__ = ["gradient_flow", "recurrent_spectral_radius", "scale_spectral_radius", "decay_fits", "find_fixed_points"]


def _finite_array(name: str, values: Any) -> np.ndarray:
    # a float64 array of finite numbers, or one DataError naming the argument
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise DataError(f"{name} must be numeric: {err}") from None
    if not np.isfinite(arr).all():
        raise DataError(f"{name} contain NaN or infinite values")
    return arr


def gradient_flow(model: Any, inputs: Any, targets: Any = None, step: int = -1) -> pd.DataFrame:
    """Norm of the gradient of the loss at one step with respect to the recurrent state at every earlier step.

    The loss is the half sum of squared errors of the outputs at ``step`` against
    ``targets`` at that step (or, without targets, the sum of the outputs). The state is
    everything the model carries from one step to the next: the hidden units of an SRN
    or GRU, ``h`` and ``c`` of an LSTM, the state units and last output of a Jordan
    network (all layers).

    Parameters
    ----------
    model : RecurrentEnsemble
        The network (every replica).
    inputs : array-like (T, B, I) or (R, T, B, I)
        Input streams, shared by the replicas or one per replica.
    targets : array-like (T, B, O) or (R, T, B, O), optional
        Targets of the loss (default: the loss is the sum of the outputs).
    step : int
        The step whose loss is differentiated (default: the last).

    Returns
    -------
    pandas.DataFrame
        Columns ``seed`` (the replica), ``t``, ``lag`` (step - t) and ``grad_norm`` (over
        the batch and layers) for the states after steps t = 0 .. step - 1 (lags 1 ..
        step): the state after step t is what step t + 1 receives.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(1, 4, 1, n_replicas=2, random_state=0)
    >>> df = gradient_flow(net, np.zeros((6, 1, 1)))
    >>> df.shape, int(df["lag"].min()), int(df["lag"].max())
    ((10, 4), 1, 5)
    """
    step = check_int("step", step)
    x = model.check_inputs(inputs)
    R, T, B, _ = x.shape
    if not -T <= step < T or T < 2:
        raise DataError(f"step must index one of the {T} steps (and there must be at least 2)")
    step %= T
    if step == 0:
        raise DataError("step must be > 0: the loss needs at least one earlier state")
    state = model.init_state(B)
    carried = []
    with torch.enable_grad():
        out = None
        for t in range(step + 1):
            out = model._forward(x[:, t : t + 1], state)
            state = out.state
            if t < step:
                tracked = [v for v in state if v.requires_grad]
                for v in tracked:
                    v.retain_grad()
                carried.append(tracked)
        assert out is not None
        if targets is None:
            loss = out.outputs.sum()
        else:
            y = torch.as_tensor(_finite_array("targets", targets), dtype=model.dtype, device=model.device)
            if y.ndim == 3:
                y = y.unsqueeze(0).expand(R, *y.shape)
            if y.shape[:3] != (R, T, B):
                raise DataError(f"targets must match inputs in (R, T, B); got {tuple(y.shape)}")
            loss = 0.5 * (out.outputs[:, 0] - y[:, step]).pow(2).sum()
        model.zero_grad(set_to_none=True)
        loss.backward()
    rows = []
    for t, tensors in enumerate(carried):
        sq = torch.zeros(R, dtype=torch.float64)
        for v in tensors:
            if v.grad is None:
                continue
            # the replica axis is 0 for (R, B, H) states and 1 for (L, R, B, H) states
            axis = 1 if v.grad.ndim == 4 else 0
            sq += v.grad.transpose(0, axis).reshape(R, -1).double().pow(2).sum(1).cpu()
        norms = sq.sqrt()
        for r in range(R):
            rows.append({"seed": r, "t": t, "lag": step - t, "grad_norm": float(norms[r])})
    return pd.DataFrame(rows)


def recurrent_spectral_radius(model: Any, layer: int = 0) -> pd.DataFrame:
    """Spectral radius of the recurrent weights of every replica (per gate block for LSTM/GRU).

    Parameters
    ----------
    model : ElmanSRN, LSTMNetwork or GRUNetwork
        The ensemble.
    layer : int
        The layer whose recurrent weights are read.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed`` (the replica), ``block`` ("context" for an SRN; the gates of an
        LSTM or GRU) and ``spectral_radius``.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> recurrent_spectral_radius(ElmanSRN(1, 3, 1, n_replicas=2, random_state=0)).shape
    (2, 3)
    """
    layer = check_int("layer", layer, low=0)
    params = dict(model.named_parameters())
    if f"weight_ch_l{layer}" in params:
        blocks = {"context": params[f"weight_ch_l{layer}"]}
    elif f"weight_hh_l{layer}" in params:
        W = params[f"weight_hh_l{layer}"]
        names = ["input", "forget", "cell", "output"] if W.shape[1] == 4 * W.shape[2] else ["reset", "update", "new"]
        blocks = dict(zip(names, W.chunk(len(names), dim=1)))
    else:
        raise ConfigError(f"{type(model).__name__} has no square recurrent weight matrix in layer {layer}")
    rows = []
    for name, W in blocks.items():
        radii = torch.linalg.eigvals(W.detach().double()).abs().amax(dim=-1)
        rows += [{"seed": r, "block": name, "spectral_radius": float(v)} for r, v in enumerate(radii)]
    return pd.DataFrame(rows)


def scale_spectral_radius(model: Any, radius: float, layer: int = 0) -> Any:
    """Rescale the recurrent (context) weights of every replica of an SRN to a given spectral radius, in place.

    Each replica's matrix W is multiplied by ``radius / rho(W)`` (rho computed in float64,
    the factor applied in the weights' dtype), which sets the regime of the gradients
    through time (Bengio et al. 1994; Pascanu et al. 2013): they vanish below 1 and can
    explode above.

    Parameters
    ----------
    model : ElmanSRN
        The ensemble (recurrent weights ``weight_ch_l<layer>``).
    radius : float
        The spectral radius wanted (> 0).
    layer : int
        The layer whose recurrent weights are rescaled.

    Returns
    -------
    ElmanSRN
        The same model, rescaled in place.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> net = scale_spectral_radius(ElmanSRN(1, 5, 1, n_replicas=2, random_state=0), 0.5)
    >>> recurrent_spectral_radius(net)["spectral_radius"].round(4).tolist()
    [0.5, 0.5]
    """
    radius = check_float("radius", radius, low=0.0, low_inclusive=False)
    params = dict(model.named_parameters())
    name = f"weight_ch_l{check_int('layer', layer, low=0)}"
    if name not in params:
        raise ConfigError(f"{type(model).__name__} has no context weights {name}; only SRN weights are rescaled")
    with torch.no_grad():
        W = params[name]
        rho64 = torch.linalg.eigvals(W.double()).abs().amax(-1)
        bad = ~(torch.isfinite(rho64) & (rho64 > 0))
        if bool(bad.any()):
            raise DataError(
                f"the {name} weights of replica(s) {bad.nonzero().flatten().tolist()} have spectral radius "
                f"{rho64[bad].tolist()}: only a finite, nonzero radius can be rescaled to radius={radius}"
            )
        rho = rho64.to(W.dtype)
        W.mul_((radius / rho)[:, None, None])
    return model


def decay_fits(
    df: pd.DataFrame, by: Any = ("seed",), x: str = "lag", y: str = "grad_norm", floor: float = 1e-300
) -> pd.DataFrame:
    """Exponential decay fits: slope and R^2 of log10(``y``) against ``x``, per group of ``by``.

    A least-squares line through log10(y) (y clipped below at ``floor``, so that a norm of
    exactly 0 stays finite); the slope is the change of log10(y) per unit of x (e.g. per
    step of lag: -0.05 means a factor 10 every 20 steps), R^2 = 1 - var(residual) /
    var(log10 y) (0 when log10 y is constant). Groups whose ``by`` value is NaN form
    groups of their own.

    Parameters
    ----------
    df : DataFrame
        Tidy rows with ``x``, ``y`` and the ``by`` columns, e.g. the output of
        :func:`gradient_flow` with labels added.
    by : str or sequence of str
        One fit per group (at least one column).
    x, y : str
        The columns fitted: numeric and finite, ``y`` >= 0, at least two distinct ``x`` per group.
    floor : float
        Smallest ``y`` used (> 0).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``slope``, ``intercept`` and ``r2``, one row per group.

    Examples
    --------
    >>> df = pd.DataFrame({"seed": 0, "lag": [1, 2, 3], "grad_norm": [0.1, 0.01, 0.001]})
    >>> decay_fits(df)[["slope", "r2"]].round(6).values.tolist()
    [[-1.0, 1.0]]
    """
    by = _column_names("by", by)
    check_columns(df, [*by, x, y], what="df")
    floor = check_float("floor", floor, low=0.0, low_inclusive=False)
    _numeric_column(df, x, "df")
    _numeric_column(df, y, "df", low=0.0)  # norms: finite and >= 0 (0 is clipped to floor)
    rows = []
    for key, d in df.groupby(by, dropna=False, sort=True):
        values = np.log10(d[y].clip(lower=floor).to_numpy())
        xs = d[x].to_numpy(dtype=float)
        if len(np.unique(xs)) < 2:
            raise DataError(
                f"decay_fits needs at least 2 distinct values of {x!r} per group; group {key} has {len(np.unique(xs))}"
            )
        slope, intercept = np.polyfit(xs, values, 1)
        resid = values - (slope * xs + intercept)
        r2 = 1 - resid.var() / values.var() if values.var() > 0 else 0.0
        rows.append({**dict(zip(by, key)), "slope": slope, "intercept": intercept, "r2": r2})
    return pd.DataFrame(rows, columns=[*by, "slope", "intercept", "r2"])


@fill_doc
def find_fixed_points(
    model: Any,
    inputs: Any,
    initial_states: Any,
    replica: int = 0,
    n_iter: int = 2000,
    lr: float = 0.05,
    tolerance: float = 1e-10,
    unique_tolerance: float = 1e-3,
    random_state: RandomState | None = 0,
    n_inits: int | None = None,
    newton_steps: int = 50,
) -> pd.DataFrame:
    """Fixed points of the state map under a constant input (Sussillo & Barak 2013).

    Minimises q(h) = 1/2 ||F(h, x) - h||^2 from many starting states with Adam, then
    refines every candidate by Newton's method on F(h) - h = 0 (Jacobian dF/dh by
    autograd; steps of at most half the state scale), keeps the points whose residual
    ||F(h) - h|| is at most ``tolerance`` times the state scale and which moved less than
    the state scale from their candidate (farther, they left the region searched, e.g.
    into saturated gates where every state is numerically fixed), removes duplicates
    closer than ``unique_tolerance`` times the state scale, and classifies each by the
    eigenvalues of dF/dh (a discrete-time map: stable if all ``|lambda|`` < 1, else a saddle
    or unstable point).

    The state scale is the root-mean-square norm of ``initial_states`` (1 if they are
    all 0), so both tolerances follow the network's scale. Everything runs in float64
    (a copy of the replica), whatever the model's dtype: a slow point with a small q is
    not a fixed point, and Newton's steps move it onto the true one or reject it.

    Parameters
    ----------
    model : ElmanSRN or GRUNetwork
        A single-layer ensemble (its state is the hidden units).
    inputs : array-like (I,)
        The constant input.
    initial_states : array-like (n, H)
        Starting states, e.g. recorded hidden states.
    replica : int
        Which replica of the ensemble.
    n_iter : int
        Adam steps of the first stage.
    lr : float
        Adam's learning rate.
    tolerance : float
        Largest residual ||F(h) - h|| of a fixed point, relative to the state scale.
    unique_tolerance : float
        Points closer than this (relative to the state scale) are one fixed point.
    %(random_state)s
        Used only to sample ``n_inits`` starts (default 0: the same sample every call).
    n_inits : int, optional
        Sample this many of ``initial_states``.
    newton_steps : int
        Newton iterations of the refinement (stopping early once converged).

    Returns
    -------
    pandas.DataFrame
        ``fixed_point`` id, ``q``, ``max_abs_eigenvalue``, ``kind`` ("stable", "saddle" or
        "unstable") and the coordinates ``h0``, ``h1``, ...

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> net = ElmanSRN(1, 2, 1, random_state=0, nonlinearity="tanh")
    >>> fps = find_fixed_points(net, np.zeros(1), np.random.default_rng(0).uniform(-1, 1, (20, 2)))
    >>> set(fps["kind"]) <= {"stable", "saddle", "unstable"}, bool((fps["q"] < 1e-20).all())
    (True, True)
    """
    if getattr(model, "num_layers", 1) != 1 or len(model.init_state(1)) != 1:
        raise ConfigError("find_fixed_points needs a one-layer model whose state is its hidden units (SRN, GRU)")
    single = model.replica(check_int("replica", replica, low=0, high=model.n_replicas - 1)).to(torch.float64)
    H = single.hidden_size
    x0 = torch.as_tensor(_finite_array("inputs", inputs), dtype=torch.float64).reshape(1, 1, 1, -1)
    if x0.shape[-1] != single.input_size:
        raise DataError(f"inputs must have {single.input_size} values; got {x0.shape[-1]}")
    h0 = _finite_array("initial_states", initial_states)
    if h0.ndim != 2 or h0.shape[1] != H or h0.shape[0] == 0:
        raise DataError(f"initial_states must be (n, {H}); got {h0.shape}")
    if n_inits is not None:
        rng = check_random_state(random_state)
        h0 = h0[rng.choice(h0.shape[0], size=min(check_int("n_inits", n_inits, low=1), h0.shape[0]), replace=False)]
    check_float("lr", lr, low=0.0, low_inclusive=False)
    tolerance = check_float("tolerance", tolerance, low=0.0, low_inclusive=False)
    unique_tolerance = check_float("unique_tolerance", unique_tolerance, low=0.0, low_inclusive=False)
    newton_steps = check_int("newton_steps", newton_steps, low=0)
    rms = float(np.sqrt(np.mean(np.sum(h0**2, axis=1))))
    scale = rms if rms > 0 else 1.0

    def F(h: Tensor) -> Tensor:  # (m, H) -> (m, H): one step of the map from state h under input x0
        m = h.shape[0]
        out = single._forward(x0.expand(1, 1, m, -1), (h.reshape(1, 1, m, H),))
        return out.state[0].reshape(m, H)

    def jacobians(h: Tensor) -> Tensor:  # (m, H) -> (m, H, H); rows of F depend only on their own h
        J = torch.autograd.functional.jacobian(lambda v: F(v).sum(0), h)  # (H, m, H)
        return J.permute(1, 0, 2)

    for p in single.parameters():
        p.requires_grad_(False)
    h = torch.tensor(h0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([h], lr=lr)
    for _ in range(check_int("n_iter", n_iter, low=1)):
        opt.zero_grad()
        q = 0.5 * (F(h) - h).pow(2).sum(1)
        q.sum().backward()
        opt.step()
    points = h.detach()
    eye = torch.eye(H, dtype=torch.float64)
    with torch.no_grad():
        for _ in range(newton_steps):
            r = F(points) - points
            if float(r.norm(dim=1).max()) <= 1e-14 * scale:
                break
            A = jacobians(points) - eye
            ok = torch.linalg.matrix_rank(A) == H
            step = torch.zeros_like(points)
            if bool(ok.any()):
                step[ok] = torch.linalg.solve(A[ok], r[ok].unsqueeze(-1)).squeeze(-1)
            norm = step.norm(dim=1, keepdim=True)
            points = points - step * (0.5 * scale / norm).clamp(max=1.0)  # damped: at most scale / 2 a step
        resid = (F(points) - points).norm(dim=1)
        moved = (points - h.detach()).norm(dim=1)
    finite = torch.isfinite(resid)
    keep = (finite & (resid <= tolerance * scale) & (moved <= scale)).numpy()
    pts = points.numpy()[keep]
    qs = (0.5 * resid**2).numpy()[keep]
    unique: list[int] = []
    for i in np.argsort(qs, kind="stable"):
        if all(np.linalg.norm(pts[i] - pts[j]) > unique_tolerance * scale for j in unique):
            unique.append(int(i))
    rows = []
    J_all = jacobians(torch.as_tensor(pts[unique])).numpy() if unique else np.zeros((0, H, H))
    for k, (i, J) in enumerate(zip(unique, J_all)):
        eig = np.abs(np.linalg.eigvals(J))
        n_unstable = int((eig >= 1).sum())
        kind = "stable" if n_unstable == 0 else ("unstable" if n_unstable == H else "saddle")
        row = {"fixed_point": k, "q": float(qs[i]), "max_abs_eigenvalue": float(eig.max()), "kind": kind}
        row.update({f"h{j}": float(pts[i, j]) for j in range(H)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["fixed_point", "q", "max_abs_eigenvalue", "kind", *[f"h{j}" for j in range(H)]])
