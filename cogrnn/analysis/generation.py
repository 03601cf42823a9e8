"""Generation from next-token models: greedy decoding, sampling with temperature, beam search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._docs import fill_doc
from ..config import check_choice, check_float, check_int
from ..exceptions import DataError
from ..random import RandomState, check_random_state
from .likelihood import output_log_probs

__all__ = ["StepFn", "next_token_fn", "generate"]

#: ``step(state, token) -> (log_probs over the vocabulary, new state)``
StepFn = Callable[[Any, int], tuple[np.ndarray, Any]]


@fill_doc
def next_token_fn(model: Any, replica: int = 0) -> tuple[StepFn, Any]:
    """A step function and initial state for a zoo model trained to predict the next token.

    The input of a step is the one-hot code of ``token``; the output is turned into a
    distribution: the softmax output itself, the softmax of identity outputs, or logistic
    outputs divided by their sum (as Elman's 1990 networks, whose outputs approximate
    probabilities).

    Parameters
    ----------
    %(model)s
    replica : int, optional
        Which replica of the model generates (default 0).

    Returns
    -------
    step : callable
        ``step(state, token) -> (log_probs, new_state)``, log-probabilities over the vocabulary.
    state : object
        The model's initial state for one sequence.

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> step, state = next_token_fn(ElmanSRN(4, 8, 4, random_state=0))
    >>> logp, state = step(state, 2)
    >>> logp.shape, round(float(np.exp(logp).sum()), 6)
    ((4,), 1.0)
    """
    import torch

    single = model.replica(check_int("replica", replica, low=0, high=model.n_replicas - 1))
    V = single.input_size

    def step(state: Any, token: int) -> tuple[np.ndarray, Any]:
        if not 0 <= int(token) < V:
            raise DataError(f"token must be in [0, {V}); got {token}")
        x = torch.zeros(1, 1, 1, V, dtype=single.dtype)
        x[..., int(token)] = 1
        with torch.no_grad():
            out = single._forward(x, state)
        logp = output_log_probs(single.output_activation, out.outputs[0, 0, 0], out.logits[0, 0, 0])
        return logp.numpy(), out.state

    return step, single.init_state(1)


@fill_doc
def generate(
    step: StepFn,
    state: Any,
    start: int,
    n_steps: int,
    strategy: str = "greedy",
    temperature: float = 1.0,
    beam_width: int = 3,
    n_samples: int = 1,
    random_state: RandomState | None = None,
    stop: int | None = None,
) -> list[dict[str, Any]]:
    """Continue a sequence from token ``start`` for ``n_steps`` tokens.

    Parameters
    ----------
    step : callable
        ``step(state, token) -> (log_probs, state)``, e.g. from :func:`next_token_fn`.
    state : object
        The state before ``start`` is read (from :func:`next_token_fn`).
    start : int
        The token the continuation starts from.
    n_steps : int
        Number of tokens generated.
    strategy : {"greedy", "sample", "beam"}, optional
        Most probable token, a sample, or beam search (default ``"greedy"``).
    temperature : float, optional
        For sampling: probabilities are raised to ``1 / temperature`` and renormalised.
    beam_width : int, optional
        For beam search: hypotheses kept at each step.
    n_samples : int, optional
        For sampling: independent sequences.
    %(random_state)s
        Used only for sampling.
    stop : int, optional
        A token that ends a sequence (e.g. the end-of-sentence token): generation stops
        after it (it is included), or after ``n_steps`` tokens. A finished beam stays a
        candidate as it is.

    Returns
    -------
    list of dict
        ``{"tokens": [...], "log_prob": float}``: the generated tokens, without ``start``,
        and their natural-log probability under the model (untempered); best first for beam
        search.

    Examples
    --------
    >>> table = {None: [0.6, 0.4, 0.0], 0: [0.34, 0.33, 0.33], 1: [0.05, 0.05, 0.9], 2: [1/3] * 3}
    >>> def step(state, token):
    ...     return np.log(np.array(table[token]) + 1e-12), token
    >>> greedy = generate(step, None, None, 2)[0]
    >>> beam = generate(step, None, None, 2, strategy="beam", beam_width=2)[0]
    >>> greedy["tokens"], beam["tokens"], beam["log_prob"] > greedy["log_prob"]
    ([0, 0], [1, 2], True)
    >>> generate(step, None, None, 5, stop=2, strategy="beam", beam_width=2)[0]["tokens"]
    [1, 2]
    """
    check_choice("strategy", strategy, ("greedy", "sample", "beam"))
    n_steps = check_int("n_steps", n_steps, low=1)
    if stop is not None:
        stop = int(stop)
    if strategy == "beam":
        width = check_int("beam_width", beam_width, low=1)
        beams: list[tuple[float, list[int], Any, Any]] = [(0.0, [], state, start)]
        for _ in range(n_steps):
            candidates = []
            for score, tokens, st, last in beams:
                if stop is not None and tokens and tokens[-1] == stop:
                    candidates.append((score, tokens, st, last))  # finished: kept as it is
                    continue
                logp, new_state = step(st, last)
                for tok in np.argsort(-logp, kind="stable")[:width]:
                    candidates.append((score + float(logp[tok]), [*tokens, int(tok)], new_state, int(tok)))
            candidates.sort(key=lambda c: -c[0])
            beams = candidates[:width]
        return [{"tokens": b[1], "log_prob": b[0]} for b in beams]
    rng = check_random_state(random_state)
    temp = check_float("temperature", temperature, low=0.0, low_inclusive=False)
    runs = 1 if strategy == "greedy" else check_int("n_samples", n_samples, low=1)
    out = []
    for _ in range(runs):
        st, last, tokens, total = state, start, [], 0.0
        for _ in range(n_steps):
            logp, st = step(st, last)
            if strategy == "greedy":
                tok = int(np.argmax(logp))
            else:
                w = np.exp((logp - logp.max()) / temp)
                tok = int(rng.choice(logp.size, p=w / w.sum()))
            total += float(logp[tok])
            tokens.append(tok)
            last = tok
            if tok == stop:
                break
        out.append({"tokens": tokens, "log_prob": total})
    return out
