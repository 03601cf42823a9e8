"""Elman-style experiments in one call: an ensemble of any architecture trained online, one stream per replica.

:class:`OnlineSRNConfig` holds the parameters of Elman's (1990) simulations plus the
architecture: ``model`` (``"elman"``, ``"jordan"``, ``"lstm"``, ``"gru"``, made through
:func:`cogrnn.registry.make_model`), ``layers``, which state is analysed (``state_layer``,
``state``) and the training method (``"online"``: Elman's one-step-truncated rule, or
``"tbptt"`` with ``k1``, ``k2``). :func:`train_ensemble` trains any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._docs import docdict, fill_doc
from .._progress import timed
from ..config import Config, check_choice, check_float, check_int
from ..exceptions import ConfigError, DataError
from ..tasks.base import SequenceBatch

if TYPE_CHECKING:  # pragma: no cover - torch is imported by the functions that train
    import torch

    from ..models.base import RecurrentEnsemble

__all__ = [
    "ARCHITECTURES",
    "ARCHITECTURE_PARAMETERS",
    "OnlineSRNConfig",
    "architecture_options",
    "build_ensemble",
    "stack_streams",
    "state_name",
    "train_ensemble",
    "train_srn_ensemble",
]

#: the architectures an Elman replication can train (ids of :data:`cogrnn.registry.MODELS`)
ARCHITECTURES = ("elman", "jordan", "lstm", "gru")
TRAIN_METHODS = ("online", "tbptt")
#: what each architecture leaves free, stated in the outputs (provenance ``config`` and ``free_parameters``)
ARCHITECTURE_NOTES = {
    "elman": "logistic hidden units, context = copy of the hidden layer (starts at context_init, 0.5), "
    "weights uniform in [-init_range, init_range]",
    "jordan": "logistic hidden units, state units s_t = 0.5 s_(t-1) + y_(t-1) (mu 0.5, start 0), "
    "weights uniform in [-init_range, init_range]",
    "lstm": "torch.nn.LSTM cell, weights uniform in [-1/sqrt(H), 1/sqrt(H)] (PyTorch's), forget bias 0",
    "gru": "torch.nn.GRU cell, weights uniform in [-1/sqrt(H), 1/sqrt(H)] (PyTorch's)",
}
#: the entries every Elman replication adds to its ``free_parameters`` (recorded in provenance.json)
ARCHITECTURE_PARAMETERS = {
    "architecture": "config 'model' (default 'elman', the paper's SRN; or 'jordan', 'lstm', 'gru': --model), 'layers' "
    "(default 1) and the state analysed ('state_layer': default the last layer; 'state': 'h', or 'c' the LSTM "
    "cell); " + "; ".join(f"{k}: {v}" for k, v in ARCHITECTURE_NOTES.items()) + "; every architecture has "
    "logistic outputs and the same loss, learning rate and momentum",
    "training_method": "config 'method': 'online' (default, the paper's: weights updated after every step, the "
    "gradient stopped at the carried state) or 'tbptt' (an update every k1 steps, backpropagated through k2)",
}


docdict["srn_architecture"] = """
model : {"elman", "jordan", "lstm", "gru"}, default "elman"
    The architecture (every one with logistic outputs and the same loss).
layers : int, default 1
    Stacked recurrent layers.
state_layer : int or None, default None
    The layer whose state is analysed (None: the last).
state : {"h", "c"}, default "h"
    The hidden state ``h`` or, for the LSTM, the memory cell ``c``.
method : {"online", "tbptt"}, default "online"
    ``"online"``: Elman's rule, weights updated every step with the gradient stopped at the
    carried state; ``"tbptt"``: truncated BPTT, an update every ``k1`` steps through ``k2``.
k1 : int, default 1
    For ``tbptt``: steps between updates.
k2 : int or None, default None
    For ``tbptt`` (required): steps backpropagated (``k2 >= k1``).
"""


@fill_doc
@dataclass(frozen=True)
class OnlineSRNConfig(Config):
    """The parameters of Elman's (1990) simulations, and the architecture trained on them.

    Replications subclass it, changing the defaults to the paper's values and adding
    their own fields; ``__post_init__`` validates these. The defaults (an Elman SRN of one
    layer trained online) are the paper's network.

    Parameters
    ----------
    epochs : int, default 1
        Passes through the training stream.
    hidden_size : int, default 2
        Hidden (= context) units, per layer.
    lr : float, default 0.1
        Learning rate (> 0), the same for every architecture.
    momentum : float in [0, 1), default 0.0
        Momentum of the weight updates.
    init_range : float, default 0.5
        Initial weights of Elman's and Jordan's networks uniform in ``[-init_range, init_range]``
        (LSTM and GRU use PyTorch's ``[-1/sqrt(H), 1/sqrt(H)]``).
    %(srn_architecture)s

    Examples
    --------
    >>> OnlineSRNConfig(epochs=600, hidden_size=2).lr
    0.1
    >>> OnlineSRNConfig(model="lstm", layers=2, state="c").state_name
    'c1'
    """

    epochs: int = 1
    hidden_size: int = 2
    lr: float = 0.1
    momentum: float = 0.0
    init_range: float = 0.5
    model: str = "elman"
    layers: int = 1
    state_layer: int | None = None
    state: str = "h"
    method: str = "online"
    k1: int = 1
    k2: int | None = None

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, low=1, high=10**6)
        check_int("hidden_size", self.hidden_size, low=1, high=10**5)
        check_float("lr", self.lr, low=0.0, low_inclusive=False)
        check_float("momentum", self.momentum, low=0.0, high=1.0, high_inclusive=False)
        check_float("init_range", self.init_range, low=0.0, low_inclusive=False)
        check_choice("model", self.model, ARCHITECTURES)
        check_int("layers", self.layers, low=1, high=64)
        if self.state_layer is not None:
            check_int("state_layer", self.state_layer, low=0)
            if self.state_layer >= self.layers:
                raise ConfigError(f"state_layer must be < layers ({self.layers}); got {self.state_layer}")
        check_choice("state", self.state, ("h", "c"))
        if self.state == "c" and self.model != "lstm":
            raise ConfigError(f"state='c' (the memory cell) needs model='lstm'; model {self.model!r} has only h")
        check_choice("method", self.method, TRAIN_METHODS)
        check_int("k1", self.k1, low=1)
        if self.method == "online":
            if self.k1 != 1 or self.k2 is not None:
                raise ConfigError("k1 and k2 are for method='tbptt' (online is one-step truncated: k1 = k2 = 1)")
        else:
            if self.k2 is None:
                raise ConfigError("method='tbptt' needs k2, the steps backpropagated (e.g. --set k2=10)")
            check_int("k2", self.k2, low=1)
            if self.k2 < self.k1:
                raise ConfigError(f"k2 must be >= k1 (got k1={self.k1}, k2={self.k2})")

    @property
    def state_name(self) -> str:
        """The analysed state as a key of :attr:`cogrnn.analysis.Recording.layer_states` (``"h0"``, ``"c1"``)."""
        return state_name(self)


def state_name(config: OnlineSRNConfig) -> str:
    """The key of the analysed state in a Recording's ``layer_states``: ``state`` + layer.

    Parameters
    ----------
    config : OnlineSRNConfig
        Its ``state``, ``state_layer`` and ``layers``.

    Returns
    -------
    str
        ``"h0"`` for the defaults; ``"c1"`` for an LSTM's cell of layer 1.

    Examples
    --------
    >>> state_name(OnlineSRNConfig(layers=3, state_layer=1))
    'h1'
    """
    layer = config.layers - 1 if config.state_layer is None else config.state_layer
    return f"{config.state}{layer}"


def architecture_options(config: OnlineSRNConfig) -> dict[str, Any]:
    """The constructor arguments that :func:`build_ensemble` gives ``config.model`` beyond the sizes.

    Elman's and Jordan's networks take ``init_range``; LSTM and GRU keep PyTorch's
    initialisation and get logistic outputs, so that every architecture is trained on
    the same loss of the same output units.

    Parameters
    ----------
    config : OnlineSRNConfig
        The architecture (``model``, ``layers``) and ``init_range``.

    Returns
    -------
    dict
        Keyword arguments for :func:`cogrnn.registry.make_model`.

    Examples
    --------
    >>> architecture_options(OnlineSRNConfig(model="gru", layers=2))
    {'num_layers': 2, 'output_activation': 'logistic'}
    """
    options: dict[str, Any] = {"num_layers": config.layers}
    if config.model in ("elman", "jordan"):
        options["init_range"] = config.init_range
    else:
        options["output_activation"] = "logistic"
    return options


def build_ensemble(
    config: OnlineSRNConfig,
    input_size: int,
    output_size: int,
    seeds: Sequence[Any],
    dtype: torch.dtype | None = None,
    **model_kw: Any,
) -> RecurrentEnsemble:
    """The untrained ensemble of ``config.model``: replica r draws its initial weights from ``seeds[r]``.

    Parameters
    ----------
    config : OnlineSRNConfig
        Architecture, layers, hidden units, initial weight range.
    input_size, output_size : int
        Input and output units.
    seeds : sequence
        One initial-weight seed per replica.
    dtype : torch.dtype, optional
        Parameter dtype (default ``torch.float64``).
    **model_kw
        Further arguments of the model's constructor (e.g. ``context_init`` of the SRN).

    Returns
    -------
    RecurrentEnsemble
        The ensemble, made by :func:`cogrnn.registry.make_model`.

    Examples
    --------
    >>> net = build_ensemble(OnlineSRNConfig(model="lstm", hidden_size=3), 2, 2, [0, 1])
    >>> type(net).__name__, net.n_replicas, net.output_activation
    ('LSTMNetwork', 2, 'logistic')
    """
    import torch

    from ..registry import make_model

    return make_model(
        config.model, input_size=input_size, hidden_size=config.hidden_size, output_size=output_size,
        n_replicas=len(seeds), replica_seeds=list(seeds), dtype=torch.float64 if dtype is None else dtype,
        **architecture_options(config), **model_kw,
    )  # fmt: skip


def stack_streams(batches: Sequence[SequenceBatch]) -> tuple[np.ndarray, np.ndarray]:
    """Streams of one length, stacked one per replica: ``(R, T, 1, I)`` inputs and targets.

    Parameters
    ----------
    batches : sequence of SequenceBatch
        One stream per replica, all of the same length (the first sequence of each is used).

    Returns
    -------
    x, y : ndarray
        Inputs ``(R, T, 1, I)`` and targets ``(R, T, 1, O)``.

    Raises
    ------
    DataError
        When there are no streams or their lengths differ (nothing is cut: train streams of
        different lengths with :func:`train_ensemble`, which groups them by length).

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> x, y = stack_streams([TemporalXOR(20).generate(s) for s in range(3)])
    >>> x.shape[0], x.shape[2:]
    (3, (1, 1))
    """
    if not batches:
        raise DataError("stack_streams needs at least one stream")
    lengths = sorted({b.n_steps for b in batches})
    if len(lengths) > 1:
        raise DataError(f"stack_streams needs streams of one length; got lengths {lengths}")
    x = np.stack([b.inputs[:, :1] for b in batches])
    y = np.stack([b.targets[:, :1] for b in batches])
    return x, y


def train_ensemble(
    config: OnlineSRNConfig,
    streams: Sequence[SequenceBatch],
    seeds: Sequence[Any],
    dtype: torch.dtype | None = None,
    quiet: bool = False,
    **model_kw: Any,
) -> RecurrentEnsemble:
    """Train one network of ``config.model`` per stream: replica r on ``streams[r]``, initial weights from ``seeds[r]``.

    Elman's training for ``config.epochs`` passes (the stream wraps around and the state is
    never reset), half sum of squared errors on logistic outputs: by default online (an
    update after every step, the gradient stopped at the carried state), or truncated BPTT
    (``method="tbptt"``, ``k1``, ``k2``). Every replica trains on its whole stream, whatever
    the lengths of the others: replicas whose streams have the same length train together
    (one ensemble), each group on its own, so a replica ends with the weights it reaches
    when trained alone. ``train_srn_ensemble`` is the same function.

    Parameters
    ----------
    config : OnlineSRNConfig
        Architecture, layers, method, epochs, hidden units, learning rate, momentum, initial weights.
    streams : sequence of SequenceBatch
        The training stream of every replica.
    seeds : sequence
        The initial-weight seed of every replica (one per stream).
    dtype : torch.dtype, optional
        Parameter dtype (default ``torch.float64``).
    quiet : bool, default False
        If True, print no progress.
    **model_kw
        Further arguments of the model's constructor (e.g. ``context_init`` of the SRN).

    Returns
    -------
    RecurrentEnsemble
        The trained ensemble, replica r trained on ``streams[r]``.

    Examples
    --------
    >>> from cogrnn.tasks import TemporalXOR
    >>> cfg = OnlineSRNConfig(epochs=2, hidden_size=2)
    >>> streams = [TemporalXOR(10).generate(1), TemporalXOR(12).generate(2)]
    >>> net = train_ensemble(cfg, streams, [1, 2], quiet=True)
    >>> net.n_replicas
    2
    >>> type(train_ensemble(cfg.replace(model="jordan"), streams, [1, 2], quiet=True)).__name__
    'JordanNetwork'
    """
    import torch

    from .trainer import Trainer

    dtype = torch.float64 if dtype is None else dtype
    if len(streams) != len(seeds):
        raise DataError(f"{len(streams)} streams for {len(seeds)} seeds")
    if not streams:
        raise DataError("train_ensemble needs at least one stream")
    sizes = {(b.inputs.shape[-1], b.targets.shape[-1]) for b in streams}
    if len(sizes) > 1:
        raise DataError(f"the streams differ in their input/output sizes: {sorted(sizes)}")
    (n_in, n_out) = sizes.pop()
    np_dtype = np.float32 if dtype == torch.float32 else np.float64
    net = build_ensemble(config, n_in, n_out, seeds, dtype=dtype, **model_kw)
    truncation: dict[str, Any] = {} if config.method == "online" else {"k1": config.k1, "k2": config.k2}
    groups: dict[int, list[int]] = {}
    for r, b in enumerate(streams):
        groups.setdefault(b.n_steps, []).append(r)

    def fit(members: list[int], quiet_fit: bool) -> RecurrentEnsemble:
        sub = build_ensemble(config, n_in, n_out, [net.replica_seeds[r] for r in members], dtype=dtype, **model_kw)
        x, y = stack_streams([streams[r] for r in members])
        trainer = Trainer(
            method=config.method, epochs=config.epochs, lr=config.lr, momentum=config.momentum, quiet=quiet_fit,
            **truncation,
        )  # fmt: skip
        trainer.fit(sub, x.astype(np_dtype), y.astype(np_dtype))
        return sub

    jobs = list(groups.values())
    with timed("train"):
        n_threads = _seed_threads(config, jobs, dtype)
        if n_threads > 1:
            subs = _fit_in_threads(fit, jobs, n_threads, quiet)
        else:
            subs = [fit(members, quiet) for members in jobs]
    for members, sub in zip(jobs, subs):
        index = torch.as_tensor(members)
        trained = dict(sub.named_parameters())
        with torch.no_grad():
            for name, param in net.named_parameters():
                param[index] = trained[name]
    return net


def _seed_threads(config: OnlineSRNConfig, jobs: list[list[int]], dtype: torch.dtype) -> int:
    """Threads for fitting the seeds of :func:`train_ensemble` side by side (1: one after another).

    Seeds whose streams differ in length are fitted one at a time (one replica each). When
    every fit is a lone single-layer SRN/Jordan network trained online, the compiled kernel
    runs it in one serial call that releases the GIL, so the fits can share the cores as
    Python threads; every seed's numbers are those of its fit alone. Anything else (the
    parallel multi-replica kernels, BPTT in torch) runs one fit after another.
    """
    import numba

    simple = config.model in ("elman", "jordan") and config.layers == 1 and config.method == "online"
    if not simple or len(jobs) < 2 or any(len(members) != 1 for members in jobs):
        return 1
    return max(1, min(len(jobs), int(numba.get_num_threads())))


def _fit_in_threads(fit: Any, jobs: list[list[int]], n_threads: int, quiet: bool) -> list[RecurrentEnsemble]:
    """``fit(members, quiet=True)`` of every job in ``n_threads`` Python threads, in order; one progress bar."""
    from concurrent.futures import ThreadPoolExecutor

    import torch

    from .._progress import ProgressReporter

    torch_threads = torch.get_num_threads()  # fits set torch's (process-wide) thread count for their checks
    try:
        with ProgressReporter(len(jobs), f"training ({len(jobs)} seeds, {n_threads} threads)", quiet) as bar:
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                futures = [pool.submit(fit, members, True) for members in jobs]
                subs = []
                for future in futures:
                    subs.append(future.result())
                    bar.advance()
    finally:
        torch.set_num_threads(torch_threads)
    return subs


#: the former name of :func:`train_ensemble` (the same function)
train_srn_ensemble = train_ensemble
