"""Next-word likelihood vectors from a corpus, output-vs-target comparisons, surprisal and entropy.

Elman (1990, p. 199) scores a next-word predictor against the empirical distribution of
the next word given the sentence so far (:func:`sentence_prefixes`,
:func:`successor_distributions`) and against the actual next words;
:func:`likelihood_scores` summarises both comparisons (:func:`vector_errors`) over a stream.

For reading-time and ERP studies, :func:`token_surprisal` gives every replica's surprisal
of each actual next token, :math:`-\\log_2 p(w_{t+1} \\mid w_{\\le t})`, and the entropy of its
predicted distribution, in bits; :func:`word_surprisal` sums a character model's
surprisal over the characters of each word (:func:`next_token_log_probs` gives the
distributions themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..config import check_int
from ..exceptions import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover - imported where used, so that the table functions load without torch
    import torch

__all__ = [
    "successor_distributions",
    "vector_errors",
    "sentence_prefixes",
    "likelihood_scores",
    "output_log_probs",
    "next_token_log_probs",
    "token_surprisal",
    "word_surprisal",
]

_LOG2 = float(np.log(2.0))


def successor_distributions(contexts: Sequence[Any], successors: Any, n_classes: int) -> np.ndarray:
    """Empirical distribution of the successor given the context, for every step.

    Elman (1990, p. 199) scores the network against such vectors: for each word, the
    probability of every possible next word over all sentences identical up to that point.

    Parameters
    ----------
    contexts : sequence of hashables (T,)
        The context of each step (e.g. the tuple of the sentence's words so far).
    successors : int array (T,)
        The index of what came next.
    n_classes : int
        Number of possible successors (e.g. the vocabulary size); every successor must be in
        ``[0, n_classes)``.

    Returns
    -------
    numpy.ndarray of shape (T, n_classes)
        Row ``t``: the share of each successor over all steps whose context equals step ``t``'s;
        rows sum to 1.

    Examples
    --------
    >>> p = successor_distributions([("a",), ("a",), ("b",)], [0, 1, 1], 2)
    >>> p.tolist()
    [[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]
    """
    succ = np.asarray(successors, dtype=np.int64)
    if len(contexts) != succ.size:
        raise DataError(f"{len(contexts)} contexts for {succ.size} successors")
    if succ.size and (succ.min() < 0 or succ.max() >= n_classes):
        raise DataError(f"successors must be in [0, {n_classes})")
    codes, _ = pd.factorize(pd.Series(list(contexts), dtype=object))
    counts = np.zeros((codes.max() + 1 if codes.size else 0, n_classes))
    np.add.at(counts, (codes, succ), 1.0)
    probs = counts / counts.sum(1, keepdims=True)
    return probs[codes]


def vector_errors(outputs: Any, targets: Any) -> pd.DataFrame:
    """Per step: the summed squared error, the length of the error vector, and the cosine.

    ``sse`` (the summed squared error over units) is the reading of Elman's (1990, p. 199)
    "RMS error" that fits both of the paper's numbers (0.053 against likelihood vectors,
    0.88 against actual successors; an all-off output against a one-hot target scores
    1.0). The alternatives are reported beside it: ``error_length`` (its root, the
    length of the error vector) and ``rms_per_unit`` (the root mean over units).

    Parameters
    ----------
    outputs : array-like of shape (T, n_units)
        The network's output vector at each step.
    targets : array-like of shape (T, n_units)
        The vector each output is compared with (e.g. a likelihood vector or the one-hot next word).

    Returns
    -------
    pandas.DataFrame
        One row per step, columns ``sse``, ``error_length``, ``rms_per_unit`` and ``cosine`` (the
        cosine of the angle between output and target; NaN where either is all zeros).

    Examples
    --------
    >>> vector_errors([[0.0, 1.0]], [[0.0, 1.0]])[["sse", "error_length", "cosine"]].values.tolist()
    [[0.0, 0.0, 1.0]]
    >>> vector_errors([[0.6, 0.0]], [[0.0, 1.0]])[["sse", "error_length"]].round(3).values.tolist()
    [[1.36, 1.166]]
    """
    out = np.asarray(outputs, dtype=np.float64)
    tgt = np.asarray(targets, dtype=np.float64)
    if out.shape != tgt.shape or out.ndim != 2:
        raise DataError(f"outputs {out.shape} and targets {tgt.shape} must both be (T, units)")
    diff = out - tgt
    norms = np.linalg.norm(out, axis=1) * np.linalg.norm(tgt, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.where(norms > 0, (out * tgt).sum(1) / np.where(norms > 0, norms, 1.0), np.nan)
    return pd.DataFrame(
        {
            "sse": (diff**2).sum(1),
            "error_length": np.sqrt((diff**2).sum(1)),
            "rms_per_unit": np.sqrt((diff**2).mean(1)),
            "cosine": cosine,
        }
    )


def sentence_prefixes(words: Sequence[Any], positions: Sequence[int]) -> list[tuple[Any, ...]]:
    """The sentence so far at every step of a stream of words (a sentence starts at position 0).

    Parameters
    ----------
    words : sequence (T,)
        The word of each step.
    positions : int sequence (T,)
        Each word's position in its sentence (0 starts a new one).

    Returns
    -------
    list of tuples (T,)
        The words of the current sentence up to and including each step.

    Examples
    --------
    >>> sentence_prefixes(["man", "eat", "cat", "see", "dog"], [0, 1, 0, 1, 2])
    [('man',), ('man', 'eat'), ('cat',), ('cat', 'see'), ('cat', 'see', 'dog')]
    """
    if len(words) != len(positions):
        raise DataError(f"{len(words)} words for {len(positions)} positions")
    prefixes: list[tuple[Any, ...]] = []
    current: tuple[Any, ...] = ()
    for w, p in zip(words, positions):
        current = (w,) if p == 0 else (*current, w)
        prefixes.append(current)
    return prefixes


def likelihood_scores(outputs: Any, contexts: Sequence[Any], successors: Any) -> dict[str, float]:
    """A next-token predictor's outputs against the likelihood vectors and the actual successors.

    The likelihood vector of a step is the empirical distribution of the successor given
    its context over the whole stream (:func:`successor_distributions`); the actual
    successor is one-hot. Each comparison is :func:`vector_errors` averaged over steps.

    Parameters
    ----------
    outputs : array (T, n_classes)
        The predictor's output at every step.
    contexts : sequence of hashables (T,)
        The context of each step (e.g. :func:`sentence_prefixes`).
    successors : int array (T,)
        The index of the token that came next.

    Returns
    -------
    dict of float
        ``sse_vs_likelihood`` and ``sse_vs_likelihood_sd`` (mean and SD over steps of the
        summed squared error against the likelihood vectors), ``sse_vs_successor``,
        ``sse_vs_successor_sd``, ``cosine`` and ``cosine_sd`` (against the likelihood
        vectors), ``length_vs_likelihood`` and ``length_vs_successor`` (mean error vector
        length), ``rms_per_unit_vs_likelihood``. SDs are sample SDs (ddof 1).

    Examples
    --------
    >>> out = [[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]
    >>> s = likelihood_scores(out, [("a",), ("a",), ("b",)], [0, 1, 1])
    >>> s["sse_vs_likelihood"], round(s["cosine"], 6), round(s["sse_vs_successor"], 3)
    (0.0, 1.0, 0.333)
    """
    out = np.asarray(outputs, dtype=np.float64)
    if out.ndim != 2:
        raise DataError(f"outputs must be (T, n_classes); got shape {out.shape}")
    succ = np.asarray(successors, dtype=np.int64)
    vs_like = vector_errors(out, successor_distributions(contexts, succ, out.shape[1]))
    vs_succ = vector_errors(out, np.eye(out.shape[1])[succ])
    return {
        "sse_vs_likelihood": float(vs_like["sse"].mean()),
        "sse_vs_likelihood_sd": float(vs_like["sse"].std()),
        "sse_vs_successor": float(vs_succ["sse"].mean()),
        "sse_vs_successor_sd": float(vs_succ["sse"].std()),
        "cosine": float(vs_like["cosine"].mean()),
        "cosine_sd": float(vs_like["cosine"].std()),
        "length_vs_likelihood": float(vs_like["error_length"].mean()),
        "length_vs_successor": float(vs_succ["error_length"].mean()),
        "rms_per_unit_vs_likelihood": float(vs_like["rms_per_unit"].mean()),
    }


def output_log_probs(output_activation: str, outputs: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Log-probabilities over the output units, from a model's outputs and logits (float64).

    Softmax and identity outputs give the log-softmax of the logits; logistic outputs
    (Elman's 1990 networks, whose outputs approximate probabilities) are divided by their
    sum.

    Parameters
    ----------
    output_activation : {"logistic", "identity", "softmax"}
        The model's output activation.
    outputs, logits : Tensor, shape (..., O)
        The model's outputs and logits.

    Returns
    -------
    Tensor, shape (..., O)
        Natural-log probabilities; each row's exponentials sum to 1.

    Examples
    --------
    >>> import torch
    >>> lp = output_log_probs("logistic", torch.tensor([[0.2, 0.6]]), torch.zeros(1, 2))
    >>> torch.exp(lp).round(decimals=6).tolist()
    [[0.25, 0.75]]
    """
    import torch

    if output_activation == "logistic":
        p = outputs.double().clamp(min=1e-12)
        return torch.log(p / p.sum(-1, keepdim=True))
    return torch.log_softmax(logits.double(), dim=-1)


def next_token_log_probs(model: Any, inputs: Any, state: Any = None, chunk_size: int = 4096) -> np.ndarray:
    """Every replica's predicted distribution of the next token at every step.

    Parameters
    ----------
    model : RecurrentEnsemble
        A network whose outputs code the next token (one unit per token).
    inputs : array or Tensor, (T, B, I) or (R, T, B, I)
        The input streams.
    state : tuple of Tensor, optional
        The state to start from (default: the model's initial state).
    chunk_size : int, default 4096
        Steps per forward call (the state carries over; the result is that of one pass).

    Returns
    -------
    numpy.ndarray of shape (R, T, B, O)
        Natural-log probabilities (:func:`output_log_probs`).

    Examples
    --------
    >>> from cogrnn.models import LSTMNetwork
    >>> net = LSTMNetwork(3, 4, 3, n_replicas=2, random_state=0)
    >>> lp = next_token_log_probs(net, np.eye(3)[[0, 1, 2]][:, None])
    >>> lp.shape, bool(np.allclose(np.exp(lp).sum(-1), 1.0))
    ((2, 3, 1, 3), True)
    """
    import torch

    if not (hasattr(model, "check_inputs") and hasattr(model, "output_activation")):
        raise ConfigError(f"model must be a cogrnn recurrent network; got {type(model).__name__}")
    chunk_size = check_int("chunk_size", chunk_size, low=1)
    x = model.check_inputs(inputs)
    parts = []
    with torch.no_grad():
        for start in range(0, x.shape[1], chunk_size):
            out = model(x[:, start : start + chunk_size], state)
            state = out.state
            parts.append(output_log_probs(model.output_activation, out.outputs, out.logits).cpu())
    return torch.cat(parts, 1).numpy()


def token_surprisal(model: Any, batch: Any, *, state: Any = None) -> pd.DataFrame:
    """Surprisal of each actual next token and entropy of the prediction, in bits, per replica.

    Parameters
    ----------
    model : RecurrentEnsemble
        A next-token predictor (one output unit per token, e.g. trained on a
        :class:`~cogrnn.tasks.TextCorpus` with ``loss="cross_entropy"``).
    batch : SequenceBatch
        Inputs, one-hot targets (the actual next tokens) and descriptors, e.g. from
        :meth:`TextCorpus.generate <cogrnn.tasks.TextCorpus.generate>`; steps whose
        descriptor ``scored`` is False (padding) are left out.
    state : tuple of Tensor, optional
        The state to start from (default: the model's initial state).

    Returns
    -------
    pandas.DataFrame
        One row per replica and scored step, ordered by (replica, sequence, t): ``replica``,
        ``sequence``, ``t``, every descriptor of the batch, ``surprisal``
        (:math:`-\\log_2 p` of the target) and ``entropy`` (of the predicted distribution).

    Examples
    --------
    >>> from cogrnn.models import GRUNetwork
    >>> from cogrnn.tasks import TextCorpus
    >>> task = TextCorpus(["a b", "b a"])
    >>> net = GRUNetwork(3, 4, 3, n_replicas=2, random_state=0)
    >>> df = token_surprisal(net, task.generate())
    >>> len(df), bool((df["entropy"] <= np.log2(3) + 1e-9).all())
    (12, True)
    """
    targets = np.asarray(batch.targets)
    if targets.shape[-1] != getattr(model, "output_size", None):
        raise DataError(f"the batch codes {targets.shape[-1]} tokens but the model has {model.output_size} outputs")
    logp = next_token_log_probs(model, batch.inputs, state)  # (R, T, B, V)
    R, T, B, _ = logp.shape
    target = targets.argmax(-1)  # (T, B)
    surprisal = -np.take_along_axis(logp, np.broadcast_to(target[None, ..., None], (R, T, B, 1)), -1)[..., 0] / _LOG2
    entropy = -(np.exp(logp) * logp).sum(-1) / _LOG2
    scored = np.asarray(batch.descriptors.get("scored", np.ones((T, B), dtype=bool)), dtype=bool)
    rr, bb, tt = np.nonzero(np.broadcast_to(scored.T[None], (R, B, T)))  # (replica, sequence, t) order
    data: dict[str, Any] = {"replica": rr, "sequence": bb, "t": tt}
    for name, values in batch.descriptors.items():
        if name != "scored":
            data[name] = np.asarray(values)[tt, bb]
    data["surprisal"] = surprisal[rr, tt, bb]
    data["entropy"] = entropy[rr, tt, bb]
    return pd.DataFrame(data)


def word_surprisal(df: pd.DataFrame, by: Sequence[str] = ("replica", "sentence", "word_index")) -> pd.DataFrame:
    """A character model's surprisal summed over the characters of each word.

    Parameters
    ----------
    df : pandas.DataFrame
        From :func:`token_surprisal` on a character-level :class:`~cogrnn.tasks.TextCorpus`
        (columns ``word`` and ``by``; a space or sentence boundary belongs to the word before
        it, so the sum is the surprisal of the whole word, its end included).
    by : sequence of str, default ("replica", "sentence", "word_index")
        The columns that identify a word.

    Returns
    -------
    pandas.DataFrame
        One row per word: ``by``, ``word``, ``surprisal`` (the sum, bits), ``n_tokens`` (the
        characters summed) and ``entropy`` (at the word's first character: the uncertainty
        before the word starts), in the order of ``df``.

    Examples
    --------
    >>> df = pd.DataFrame({"replica": 0, "sentence": 0, "word_index": [0, 0, 1], "word": ["ab", "ab", "c"],
    ...                    "surprisal": [1.0, 0.5, 2.0], "entropy": [1.5, 1.0, 1.2]})
    >>> word_surprisal(df)[["word", "surprisal", "n_tokens", "entropy"]].values.tolist()
    [['ab', 1.5, 2, 1.5], ['c', 2.0, 1, 1.2]]
    """
    by = list(by)
    missing = [c for c in [*by, "word", "surprisal", "entropy"] if c not in df.columns]
    if missing:
        raise DataError(f"df lacks the columns {missing} (use the table of token_surprisal on a TextCorpus)")
    words = df[df["word_index"] >= 0] if "word_index" in df.columns else df
    grouped = words.groupby(by, sort=False)
    out = grouped.agg(
        word=("word", "first"), surprisal=("surprisal", "sum"), n_tokens=("surprisal", "size"),
        entropy=("entropy", "first"),
    ).reset_index()  # fmt: skip
    return out
