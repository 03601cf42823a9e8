"""Grammaticality of word sequences against a generator's templates, and of what a network generates.

A template grammar (Elman's 1990 Table 4) is a list of templates, each a sequence of
category names, and a lexicon mapping each category to its words. A stream of words is
grammatical as far as it splits into complete template sentences
(:func:`template_prefix`). :func:`sampled_grammaticality` lets a next-word network
continue a primed stream and scores what it generates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .._docs import fill_doc
from .._threads import single_torch_thread
from ..config import check_float, check_int
from ..exceptions import ConfigError, DataError
from ..random import RandomState, check_random_state
from ..tasks.sentences import template_prefix
from .generation import next_token_fn
from .likelihood import output_log_probs

if TYPE_CHECKING:  # pragma: no cover - imported where used, so that this module loads without torch
    import torch

__all__ = ["template_prefix", "sampled_grammaticality"]


@fill_doc
def sampled_grammaticality(
    model: Any,
    vocabulary: Sequence[str],
    primer: Callable[[np.random.Generator], Sequence[str]],
    grammatical_prefix: Callable[[list[str]], int],
    *,
    n_samples: int = 20,
    n_words: int = 30,
    temperature: float = 1.0,
    replica: int | Sequence[int] = 0,
    random_state: RandomState | Sequence[RandomState] | None = None,
) -> pd.DataFrame:
    """Let a next-word network continue primed streams; score each continuation's grammaticality.

    For each sample, ``primer(rng)`` gives a sentence that is presented word by word (so
    that the continuation starts at a sentence boundary); then ``n_words`` words are
    sampled from the network's output distribution (:func:`cogrnn.analysis.generate`).
    The network's state carries over from one primer to the next, as in a continuous
    stream; the sampled words do not enter it. One random stream draws the primers and
    the samples.

    Parameters
    ----------
    model : RecurrentEnsemble
        A network trained to predict the next word (see :func:`cogrnn.analysis.next_token_fn`).
    vocabulary : sequence of str
        The word of every input/output unit.
    primer : callable
        ``primer(rng) -> words``: a sentence drawn with the given generator.
    grammatical_prefix : callable
        ``grammatical_prefix(words) -> int``: length of the grammatical prefix (e.g.
        :func:`template_prefix` with a generator's templates and lexicon).
    n_samples, n_words : int
        Continuations, and words sampled in each.
    temperature : float
        Sampling temperature.
    replica : int or sequence of int
        The replica of ``model`` to run; or several, run together (one forward pass of the
        ensemble per word for all of them), each with its own random stream and with the
        samples, words and scores it has when run alone.
    random_state : None, int, SeedSequence or Generator, or a sequence of them
        The random stream; one per replica when ``replica`` is a sequence.

    Returns
    -------
    DataFrame
        One row per sample: ``sample``, ``words`` (the continuation, space-separated),
        ``grammatical_prefix`` and ``share`` (its length over ``n_words``); with a first
        column ``replica`` when ``replica`` is a sequence.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> vocab = ["man", "cat", "eat", "move"]
    >>> lex = {"N": ["man", "cat"], "V": ["eat", "move"]}
    >>> def grammatical(words):
    ...     return template_prefix(words, [("N", "V")], lex)
    >>> net = ElmanSRN(4, 6, 4, n_replicas=2, random_state=0)
    >>> df = sampled_grammaticality(net, vocab, lambda rng: ["man", "eat"], grammatical, n_samples=3, n_words=4,
    ...                             random_state=0)
    >>> df.columns.tolist(), len(df), bool(df["share"].between(0, 1).all())
    (['sample', 'words', 'grammatical_prefix', 'share'], 3, True)
    >>> both = sampled_grammaticality(net, vocab, lambda rng: ["man", "eat"], grammatical, n_samples=3, n_words=4,
    ...                               replica=[0, 1], random_state=[0, 1])
    >>> both.columns.tolist()[:2], bool((both[both.replica == 0].words.to_numpy() == df.words.to_numpy()).all())
    (['replica', 'sample'], True)
    """
    n_samples = check_int("n_samples", n_samples, low=1)
    n_words = check_int("n_words", n_words, low=1)
    check_float("temperature", temperature, low=0.0, low_inclusive=False)
    vocab = list(vocabulary)
    task = (primer, grammatical_prefix, vocab, n_samples, n_words, temperature)
    columns = ["sample", "words", "grammatical_prefix", "share"]
    if isinstance(replica, Sequence):
        replicas = [check_int("replica", r, low=0, high=model.n_replicas - 1) for r in replica]
        if isinstance(random_state, (str, bytes)) or not isinstance(random_state, Sequence):
            raise ConfigError("with several replicas, random_state must be a sequence of one seed or Generator each")
        if not replicas or len(set(replicas)) != len(replicas) or len(random_state) != len(replicas):
            raise ConfigError(
                f"replica must list distinct replicas, with one random state each; got {len(replicas)} replicas "
                f"({len(set(replicas))} distinct) and {len(random_state)} random states"
            )
        runs = {r: _continuations(check_random_state(rs), *task) for r, rs in zip(replicas, random_state)}
        rows = _run_together(model, runs)
        tables = [pd.DataFrame(rows[r], columns=columns).assign(replica=r) for r in replicas]
        return pd.concat(tables, ignore_index=True)[["replica", *columns]]
    rng = check_random_state(cast("RandomState | None", random_state))
    step, state = next_token_fn(model, replica)
    run = _continuations(rng, *task)
    # one word at a time: intra-op threads only add a fork and join to each tiny product (and
    # replica_bmm's switch to one thread per product made 6,000 steps take 85 s on a busy machine)
    with single_torch_thread():
        saved, logp = state, None
        while True:
            try:
                token, save, restore = run.send(logp)
            except StopIteration as done:
                return pd.DataFrame(done.value, columns=columns)
            if restore:
                state = saved
            if save:
                saved = state
            logp, state = step(state, token)


#: one replica's continuations: yields ``(token, save, restore)`` per step, is sent each step's
#: log-probabilities, returns the rows
_Run = Generator[tuple[int, bool, bool], Any, list[dict[str, Any]]]


def _continuations(
    rng: np.random.Generator,
    primer: Callable[[np.random.Generator], Sequence[str]],
    grammatical_prefix: Callable[[list[str]], int],
    vocab: list[str],
    n_samples: int,
    n_words: int,
    temperature: float,
) -> _Run:
    """The steps of one replica's primed continuations, as a coroutine that a driver runs the network for.

    Each step yields the input token and whether the driver must first go back to the
    state saved before the last continuation (``restore``: the sampled words do not enter
    the stream) and whether to save the state before this step (``save``: the
    continuation starts here); the driver sends back the step's log-probabilities. Words
    are sampled as :func:`cogrnn.analysis.generate` samples them (same draws of ``rng``).
    """
    index = {w: i for i, w in enumerate(vocab)}
    rows: list[dict[str, Any]] = []
    restore = False
    for k in range(n_samples):
        sentence = list(primer(rng))
        unknown = [w for w in sentence if w not in index]
        if not sentence or unknown:
            raise DataError(f"a primer must be a non-empty sentence of vocabulary words; got {sentence}")
        for w in sentence[:-1]:
            yield index[w], False, restore
            restore = False
        logp = yield index[sentence[-1]], True, restore
        tokens: list[int] = []
        for i in range(n_words):
            weights = np.exp((logp - logp.max()) / temperature)
            tokens.append(int(rng.choice(logp.size, p=weights / weights.sum())))
            if i + 1 < n_words:
                logp = yield tokens[-1], False, False
        restore = True
        words = [vocab[t] for t in tokens]
        n_ok = int(grammatical_prefix(words))
        rows.append({"sample": k, "words": " ".join(words), "grammatical_prefix": n_ok, "share": n_ok / len(words)})
    return rows


def _run_together(model: Any, runs: dict[int, _Run]) -> dict[int, list[dict[str, Any]]]:
    """Run every replica's continuations (replica -> coroutine) with one forward pass of ``model`` per step.

    Replica r's slice of the ensemble computes what the replica alone computes (see
    :func:`cogrnn.models.base.replica_bmm`); replicas without a run, or whose run has
    ended, read zeros. States are tuples of tensors with the replica on axis 1, as
    ``init_state`` makes them.
    """
    import torch

    R, V = model.n_replicas, model.input_size
    net = _weights_stored_transposed(model)
    state = model.init_state(1)
    if any(s.dim() < 2 or s.shape[1] != R for s in state):
        raise ConfigError("running replicas together needs states with the replica on axis 1 (as init_state's)")
    saved: dict[int, tuple[torch.Tensor, ...]] = {}
    logp: dict[int, np.ndarray | None] = dict.fromkeys(runs)
    rows: dict[int, list[dict[str, Any]]] = {}
    active = dict(runs)
    with torch.no_grad(), single_torch_thread():
        while True:
            x = torch.zeros(R, 1, 1, V, dtype=model.dtype, device=model.device)
            state = tuple(s.clone() for s in state)
            for r, run in list(active.items()):
                try:
                    token, save, restore = run.send(logp[r])
                except StopIteration as done:
                    rows[r] = done.value
                    del active[r]
                    continue
                if restore:
                    for s, kept in zip(state, saved[r]):
                        s[:, r] = kept
                if save:
                    saved[r] = tuple(s[:, r].clone() for s in state)
                x[r, 0, 0, token] = 1
            if not active:
                return rows
            out = net._forward(x, state)  # inputs and states made here: no checks (as next_token_fn's step)
            state = out.state
            for r in active:
                logp[r] = output_log_probs(model.output_activation, out.outputs[r, 0, 0], out.logits[r, 0, 0]).numpy()


def _weights_stored_transposed(model: Any) -> Any:
    """A shallow copy of ``model`` whose weight matrices ``(R, out, in)`` are stored transposed (same values).

    Every cogrnn model computes ``x @ weight[r].T`` (:func:`cogrnn.models.ensemble_linear`
    and the fused layers), handing BLAS the transpose as a contiguous array, copied at every
    forward call when it is not one: at every word here, three (R, H, H)-sized copies that
    cost more than the step. Stored transposed, the transpose is contiguous: the same
    products of the same operands (the same bits), without the copies. ``model`` itself is
    not changed; a model with one replica is returned as it is (its products copy the
    weights into a batch of two anyway).
    """
    params = getattr(model, "_parameters", None)
    if not isinstance(params, dict) or getattr(model, "n_replicas", 1) < 2:
        return model
    stored = {
        name: p.detach().transpose(1, 2).contiguous().transpose(1, 2) if p is not None and p.dim() == 3 else p
        for name, p in params.items()
    }
    fast = copy.copy(model)
    fast.__dict__["_parameters"] = stored
    return fast
