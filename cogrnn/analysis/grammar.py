"""Grammaticality of word sequences against a generator's templates, and of what a network generates.

A template grammar (Elman's 1990 Table 4) is a list of templates, each a sequence of
category names, and a lexicon mapping each category to its words. A stream of words is
grammatical as far as it splits into complete template sentences
(:func:`template_prefix`). :func:`sampled_grammaticality` lets a next-word network
continue a primed stream and scores what it generates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._docs import fill_doc
from .._threads import single_torch_thread
from ..config import check_int
from ..exceptions import DataError
from ..random import RandomState, check_random_state
from ..tasks.sentences import template_prefix
from .generation import generate, next_token_fn

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
    replica: int = 0,
    random_state: RandomState | None = None,
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
    replica : int
        The replica of ``model`` to run.
    %(random_state)s

    Returns
    -------
    DataFrame
        One row per sample: ``sample``, ``words`` (the continuation, space-separated),
        ``grammatical_prefix`` and ``share`` (its length over ``n_words``).

    Examples
    --------
    >>> from cogrnn.models import ElmanSRN
    >>> vocab = ["man", "cat", "eat", "move"]
    >>> lex = {"N": ["man", "cat"], "V": ["eat", "move"]}
    >>> df = sampled_grammaticality(
    ...     ElmanSRN(4, 6, 4, random_state=0), vocab, lambda rng: ["man", "eat"],
    ...     lambda ws: template_prefix(ws, [("N", "V")], lex), n_samples=3, n_words=4, random_state=0)
    >>> df.columns.tolist(), len(df), bool(df["share"].between(0, 1).all())
    (['sample', 'words', 'grammatical_prefix', 'share'], 3, True)
    """
    n_samples = check_int("n_samples", n_samples, low=1)
    n_words = check_int("n_words", n_words, low=1)
    rng = check_random_state(random_state)
    vocab = list(vocabulary)
    index = {w: i for i, w in enumerate(vocab)}
    step, state = next_token_fn(model, replica)
    rows = []
    # one word at a time: intra-op threads only add a fork and join to each tiny product (and
    # replica_bmm's switch to one thread per product made 6,000 steps take 85 s on a busy machine)
    with single_torch_thread():
        for k in range(n_samples):
            sentence = list(primer(rng))
            unknown = [w for w in sentence if w not in index]
            if not sentence or unknown:
                raise DataError(f"a primer must be a non-empty sentence of vocabulary words; got {sentence}")
            last = index[sentence[0]]
            for w in sentence[1:]:
                _, state = step(state, last)
                last = index[w]
            sample = generate(step, state, last, n_words, strategy="sample", temperature=temperature, random_state=rng)
            words = [vocab[t] for t in sample[0]["tokens"]]
            n_ok = int(grammatical_prefix(words))
            rows.append({"sample": k, "words": " ".join(words), "grammatical_prefix": n_ok, "share": n_ok / len(words)})
    return pd.DataFrame(rows)
