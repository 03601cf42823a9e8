"""Neurogym environments as cogrnn tasks (optional extra ``neurogym``).

:class:`NeurogymTask` turns a trial-based neurogym environment (Molano-Mazón et al. 2022)
into a supervised task: whole trials are drawn one after another and concatenated into
one stream per sequence, the observation is the input and the ground-truth action is the
target (one-hot for a discrete action space). The trial boundaries stay in the
descriptors, so every analysis can align on them. neurogym is imported only when a batch
is generated.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._docs import fill_doc
from ..config import check_bool, check_int
from ..exceptions import ConfigError, DataError
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task

__all__ = ["NeurogymTask"]

#: descriptors the adapter sets itself (a trial-info entry of one of these names gets the prefix ``info_``)
_OWN = ("trial", "trial_t", "trial_start", "trial_end", "period", "gt", "padding")


def _neurogym() -> Any:
    try:
        import neurogym
    except ImportError:
        raise ConfigError("NeurogymTask needs neurogym: pip install 'cogrnn[neurogym]'") from None
    return neurogym


def _scalar(value: Any) -> Any:
    """A trial-info value as a plain scalar, or None when it is not one (arrays, lists)."""
    if isinstance(value, (str, bool, int, float, np.generic)):
        return value.item() if isinstance(value, np.generic) else value
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    return arr.item() if arr is not None and arr.size == 1 else None


class NeurogymTask(Task):
    """A neurogym trial-based environment as a cogrnn task: trials concatenated, boundaries kept.

    Each sequence of a batch holds ``n_trials`` whole trials drawn one after another with
    the environment's ``new_trial``, as neurogym's own supervised ``Dataset`` does: trial
    wrappers (``neurogym.core.TrialWrapper``, e.g. ``SideBias``) apply, wrappers that act in
    ``step`` (e.g. ``ReactionTime``, ``Noise``) do not. Sequences shorter than the longest
    are padded at the end with zero inputs and targets (descriptor ``padding``).

    Parameters
    ----------
    env : str or gymnasium.Env
        A neurogym environment id (``"PerceptualDecisionMaking-v0"``), made with
        ``neurogym.make(env, **env_kwargs)``, or an environment; ``generate`` works on a
        copy, so the environment given is never advanced.
    n_trials : int, default 10
        Trials per sequence.
    env_kwargs : mapping, optional
        Keyword arguments of ``neurogym.make`` (an id only), e.g. ``{"dt": 100}``.
    one_hot : bool, default True
        For a discrete action space: targets are one-hot codes of the ground-truth action
        (for ``loss="cross_entropy"``); else the action index as one float.

    Notes
    -----
    Descriptors, arrays (T, B): ``trial`` (index of the trial in its sequence), ``trial_t``
    (step within the trial), ``trial_start`` and ``trial_end`` (first and last step of a
    trial), ``period`` (the neurogym period of the step, e.g. ``"stimulus"``,
    ``"decision"``), ``gt`` (the ground-truth action), ``padding``, and every scalar entry
    of the trial's info dict (``ground_truth``, ``coh``, ...), repeated over its steps (an
    entry named like one of the above is prefixed ``info_``). Padding steps have trial -1,
    period "" and gt -1.

    Examples
    --------
    >>> task = NeurogymTask("PerceptualDecisionMaking-v0", n_trials=3, env_kwargs={"dt": 100})
    >>> batch = task.generate(random_state=0, n_streams=2)
    >>> batch.inputs.shape[1:], batch.targets.shape[2]
    ((2, 3), 3)
    >>> d = batch.descriptors
    >>> int(d["trial_start"][:, 0].sum()), np.unique(d["trial"][~d["padding"]]).tolist()
    (3, [0, 1, 2])
    """

    name = "neurogym"
    reference = Reference(
        "Molano-Mazón, M., Barbosa, J., Pastor-Ciurana, J., Fradera, M., Zhang, R.-Y., Forest, J., "
        "del Pozo Lerida, J., Ji-An, L., Cueva, C. J., de la Rocha, J., Narain, D. & Yang, G. R.",
        2022,
        "NeuroGym: An open resource for developing and sharing neuroscience tasks",
        "PsyArXiv",
        "10.31234/osf.io/aqc9n",
    )

    def __init__(
        self,
        env: Any,
        n_trials: int = 10,
        env_kwargs: Mapping[str, Any] | None = None,
        one_hot: bool = True,
    ) -> None:
        if not isinstance(env, str) and not hasattr(env, "unwrapped"):
            raise ConfigError(f"env must be a neurogym environment id or environment; got {type(env).__name__}")
        if env_kwargs and not isinstance(env, str):
            raise ConfigError("env_kwargs apply to an environment id only; this env is already made")
        if env_kwargs is not None and not isinstance(env_kwargs, Mapping):
            raise ConfigError(f"env_kwargs must be a mapping; got {type(env_kwargs).__name__}")
        self.env = env
        self.n_trials = check_int("n_trials", n_trials, low=1)
        self.env_kwargs = dict(env_kwargs or {})
        self.one_hot = check_bool("one_hot", one_hot)

    def make_env(self) -> Any:
        """A fresh environment: made from the id, or a deep copy of the one given.

        Returns
        -------
        gymnasium.Env
            The environment (its ``unwrapped`` is a neurogym ``TrialEnv``).
        """
        if isinstance(self.env, str):
            ngym = _neurogym()
            try:
                with warnings.catch_warnings():  # gymnasium warns that neurogym's envs declare no render modes
                    warnings.filterwarnings("ignore", category=UserWarning, module="gymnasium")
                    env = ngym.make(self.env, **self.env_kwargs)
            except Exception as exc:  # gymnasium raises its own errors for unknown ids and arguments
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ConfigError(f"cannot make neurogym environment {self.env!r}: {reason}") from None
        else:
            env = copy.deepcopy(self.env)
        base = env.unwrapped
        if not (hasattr(base, "new_trial") and hasattr(base, "start_ind")):
            raise ConfigError(f"{type(base).__name__} is not a trial-based neurogym environment (no new_trial)")
        return env

    def _trials(self, env: Any, n: int) -> list[dict[str, Any]]:
        """``n`` trials of ``env``: observations, ground truth, periods and scalar info."""
        base = env.unwrapped
        top = getattr(base, "_top", base)  # the outermost neurogym wrapper's new_trial
        trials = []
        for _ in range(n):
            info = top.new_trial() or {}
            ob = np.asarray(base.ob, dtype=np.float64)
            gt = np.asarray(base.gt)
            if ob.ndim != 2 or ob.shape[0] == 0:
                raise DataError(f"{type(base).__name__} gave observations of shape {ob.shape}; need (steps, features)")
            period = np.full(ob.shape[0], "", dtype=object)
            for name in base.start_ind:
                period[base.start_ind[name] : base.end_ind[name]] = name
            scalars = {k: v for k, v in ((str(k), _scalar(v)) for k, v in info.items()) if v is not None}
            trials.append({"ob": ob, "gt": gt, "period": period, "info": scalars})
        return trials

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` sequences of ``n_trials`` whole trials each.

        Parameters
        ----------
        %(random_state)s
            Seeds a fresh copy of the environment (its ``seed``).
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        n = check_int("n_streams", n_streams, low=1)
        seed = int(check_random_state(random_state).integers(0, 2**31 - 1))
        env = self.make_env()
        env.unwrapped.seed(seed)
        discrete = hasattr(env.action_space, "n")
        streams = [self._trials(env, self.n_trials) for _ in range(n)]
        T = max(sum(tr["ob"].shape[0] for tr in s) for s in streams)
        n_in = streams[0][0]["ob"].shape[1]
        n_out = int(env.action_space.n) if discrete and self.one_hot else int(np.prod(streams[0][0]["gt"].shape[1:]))
        inputs, targets = np.zeros((T, n, n_in)), np.zeros((T, n, n_out))
        desc: dict[str, np.ndarray] = {
            "trial": np.full((T, n), -1), "trial_t": np.full((T, n), -1),
            "trial_start": np.zeros((T, n), bool), "trial_end": np.zeros((T, n), bool),
            "period": np.full((T, n), "", dtype=object), "gt": np.full((T, n), -1),
            "padding": np.ones((T, n), bool),
        }  # fmt: skip
        keys = sorted({k for s in streams for tr in s for k in tr["info"]})
        names = {k: f"info_{k}" if k in _OWN else k for k in keys}
        info = {k: np.full((T, n), None, dtype=object) for k in keys}
        for b, trials in enumerate(streams):
            t = 0
            for i, tr in enumerate(trials):
                steps = slice(t, t + tr["ob"].shape[0])
                inputs[steps, b] = tr["ob"]
                steps_gt = tr["gt"].reshape(tr["ob"].shape[0], -1)
                if discrete:
                    gt = steps_gt[:, 0].astype(int)
                    desc["gt"][steps, b] = gt
                    targets[steps, b] = np.eye(n_out)[gt] if self.one_hot else gt[:, None]
                else:
                    targets[steps, b] = steps_gt
                desc["trial"][steps, b] = i
                desc["trial_t"][steps, b] = np.arange(tr["ob"].shape[0])
                desc["trial_start"][t, b] = True
                desc["trial_end"][steps.stop - 1, b] = True
                desc["period"][steps, b] = tr["period"]
                desc["padding"][steps, b] = False
                for k, v in tr["info"].items():
                    info[k][steps, b] = v
                t = steps.stop
        desc.update({names[k]: _typed(v) for k, v in info.items()})
        return SequenceBatch(inputs, targets, desc)


def _typed(values: np.ndarray) -> np.ndarray:
    """A descriptor of objects as a numeric array when every (non-padding) value is a number."""
    present = [v for v in values.ravel() if v is not None]
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return np.array([np.nan if v is None else v for v in values.ravel()], dtype=np.float64).reshape(values.shape)
    return values
