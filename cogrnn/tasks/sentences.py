"""Elman's (1990) simulation 4: two- and three-word sentences from 16 templates, one word at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._docs import fill_doc
from ..config import check_bool, check_choice, check_int
from ..exceptions import ConfigError, DataError
from ..io import read_data_table
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task
from .temporal_xor import ELMAN_1990

__all__ = ["LexicalSentences", "ANIMATE", "INANIMATE", "N_INPUTS", "template_prefix", "bounded_draws"]

ANIMATE = ("NOUN-HUM", "NOUN-ANIM", "NOUN-AGRESS")
INANIMATE = ("NOUN-INANIM", "NOUN-FRAG", "NOUN-FOOD")
N_INPUTS = 31  # 29 words and 2 spare bits (one later used for "zog")
#: readings of Table 3 (see ``LexicalSentences``); the first is the default
LEXICONS = ("nested", "flat", "nouns-nested", "printed")


class LexicalSentences(Task):
    """Sentences of Elman (1990, pp. 194-202), concatenated with no breaks, one localist word per step.

    A template of Table 4 (16 rows, ``data/elman1990_templates.csv``) is drawn uniformly,
    then each slot is filled with a random word of its category (``data/elman1990_lexicon.csv``,
    with the category inclusions of ``data/elman1990_lexicon_inclusions.csv``).
    Words are coded by 31-bit localist vectors: one bit for each of the 29 words and two
    spare bits; a word introduced by ``replace`` (e.g. ``{"man": "zog"}``) takes a spare bit.

    Parameters
    ----------
    n_sentences : int, default 10000
        The paper: 10,000 sentences, about 27,500 words.
    lexicon : {"nested", "flat", "nouns-nested", "printed"}, default "nested"
        How Table 3's incomplete categories are read. All but ``"printed"`` complete them
        with the 29 words of Fig. 7. ``"nested"`` (the paper's reading: p. 195, p. 199 and
        Table 5's fragment require it): NOUN-ANIM includes NOUN-HUM and NOUN-AGRESS,
        NOUN-INANIM includes NOUN-FOOD and NOUN-FRAG, VERB-TRAN includes VERB-DESTROY and
        VERB-AGPAT. ``"flat"``: no category includes another (it cannot generate Table 5's
        "dog move mouse"). ``"nouns-nested"``: the noun inclusions only. ``"printed"``:
        flat, with only Table 3's examples (fewer than 29 words).
    replace : mapping of str to str, optional
        Replace a word everywhere it occurs by a new word on a spare bit.
    wrap : bool, default True
        The first word follows the last.

    Examples
    --------
    >>> task = LexicalSentences(n_sentences=100)
    >>> batch = task.generate(random_state=0)
    >>> batch.inputs.shape[1:], bool((batch.inputs.sum(-1) == 1).all())
    ((1, 31), True)
    >>> zog = LexicalSentences(n_sentences=100, replace={"man": "zog"}).generate(random_state=0)
    >>> "man" in set(zog.descriptors["word"][:, 0]), "zog" in set(zog.descriptors["word"][:, 0])
    (False, True)
    """

    name = "lexical-sentences"
    reference = Reference(**{**ELMAN_1990.__dict__, "figure": "Figs. 7-9"})

    def __init__(
        self,
        n_sentences: int = 10000,
        lexicon: str = "nested",
        replace: Mapping[str, str] | None = None,
        wrap: bool = True,
    ) -> None:
        self.n_sentences = check_int("n_sentences", n_sentences, low=1)
        self.lexicon = check_choice("lexicon", lexicon, LEXICONS)
        self.replace = dict(replace or {})
        self.wrap = check_bool("wrap", wrap)
        base = self.base_vocabulary()
        if len(self.replace) > N_INPUTS - len(base):
            raise ConfigError(f"replace can introduce at most {N_INPUTS - len(base)} new words (the spare bits)")
        for old, new in self.replace.items():
            if old not in base:
                raise ConfigError(f"replace: {old!r} is not a word of the lexicon")
            if new in base:
                raise ConfigError(f"replace: {new!r} is already a word of the lexicon")

    # -- lexicon ----------------------------------------------------------------------
    def categories(self) -> dict[str, list[str]]:
        """Category -> words, in the chosen reading of Table 3 (before ``replace``).

        Returns
        -------
        dict of str to list of str
            Words of each category; a category includes the words of those it contains.
        """
        return {c: list(ws) for c, ws in self._cached("categories", self._read_categories).items()}

    def _cached(self, what: str, read: Any) -> Any:
        """``read()`` for the chosen reading, once per instance (the tables of ``data/`` do not change).

        Generating many short corpora (one sentence per primer) and checking generated
        streams read the same tables over and over: 2,331 reads of the CSV files cost 17 s
        of a 10-seed elman-lexical run.
        """
        cache: dict[tuple[str, str], Any] = self.__dict__.setdefault("_cache", {})
        key = (what, self.lexicon)
        if key not in cache:
            cache[key] = read()
        return cache[key]

    def _read_categories(self) -> dict[str, list[str]]:
        table = read_data_table("elman1990_lexicon.csv", ["category", "word", "printed"])
        if self.lexicon == "printed":
            table = table[table["printed"] == 1]
        cats: dict[str, list[str]] = {}
        for row in table.itertuples():
            cats.setdefault(str(row.category), []).append(str(row.word))
        inclusions = read_data_table("elman1990_lexicon_inclusions.csv", ["reading", "category", "includes"])
        own = {c: list(ws) for c, ws in cats.items()}
        for row in inclusions[inclusions["reading"] == self.lexicon].itertuples():
            if str(row.category) not in cats or str(row.includes) not in cats:
                raise DataError(f"lexicon inclusion {row.category} <- {row.includes}: unknown category")
            cats[str(row.category)] += [w for w in own[str(row.includes)] if w not in cats[str(row.category)]]
        return cats

    def templates(self) -> list[list[str]]:
        """The 16 templates of Table 4, as lists of 2 or 3 categories.

        Returns
        -------
        list of list of str
            Category of each slot, per template.
        """
        return [list(t) for t in self._cached("templates", self._read_templates)]

    def _read_templates(self) -> list[list[str]]:
        table = read_data_table("elman1990_templates.csv", ["slot1", "slot2", "slot3"])
        cats = self.categories()
        out = []
        for row in table.itertuples():
            slots = [str(s) for s in (row.slot1, row.slot2, row.slot3) if str(s)]
            for s in slots:
                if s not in cats:
                    raise DataError(f"template slot {s!r} is not a category of the lexicon")
            out.append(slots)
        return out

    def base_vocabulary(self) -> list[str]:
        """The words of the lexicon, in file order, each once (29 for ``completed``).

        Returns
        -------
        list of str
            The words before ``replace``.
        """
        words: list[str] = []
        for ws in self.categories().values():
            words += [w for w in ws if w not in words]
        return words

    def vocabulary(self) -> list[str]:
        """Word of every input bit (``replace``d words keep their bit unused; new words take spares).

        Returns
        -------
        list of str
            One word per input bit; unused bits are named ``<spareN>``.
        """
        vocab = self.base_vocabulary()
        vocab += list(self.replace.values())
        return vocab + [f"<spare{i}>" for i in range(N_INPUTS - len(vocab))]

    def word_classes(self) -> pd.DataFrame:
        """Lexical class, animacy and argument structure of every word, as a table.

        Returns
        -------
        pandas.DataFrame
            One row per word: ``word``, ``category`` (its first), ``lexical_class`` (noun/verb),
            ``animacy`` (nouns), ``argument`` (verbs: whether a direct object is absent,
            obligatory or optional in the templates), ``novel`` (introduced by ``replace``).
        """
        cats = self.categories()
        templates = self.templates()
        rows = []
        inverse = {new: old for old, new in self.replace.items()}
        for word in [*self.base_vocabulary(), *self.replace.values()]:
            source = inverse.get(word, word)
            mine = [c for c, ws in cats.items() if source in ws]
            first = mine[0]
            cls = "noun" if first.startswith("NOUN") else "verb"
            animacy = ("animate" if first in ANIMATE else "inanimate") if cls == "noun" else ""
            argument = ""
            if cls == "verb":
                lengths = {len(t) for t in templates if t[1] in mine}
                argument = {frozenset({2}): "absent", frozenset({3}): "obligatory"}.get(frozenset(lengths), "optional")
            rows.append(
                {
                    "word": word,
                    "category": first,
                    "lexical_class": cls,
                    "animacy": animacy,
                    "argument": argument,
                    "novel": word in inverse,
                }
            )
        return pd.DataFrame(rows)

    def grammatical_prefix(self, words: list[str]) -> int:
        """Length of the longest prefix of ``words`` that splits into complete template sentences.

        Parameters
        ----------
        words : list of str
            A word sequence (e.g. generated by a network).

        Returns
        -------
        int
            Number of words of the longest grammatical prefix (0 if none).

        Examples
        --------
        >>> task = LexicalSentences()
        >>> task.grammatical_prefix(["man", "eat", "cookie", "cat", "move", "eat"])
        5
        """
        cats = self.categories()
        members = {c: set(ws) | {self.replace[w] for w in ws if w in self.replace} for c, ws in cats.items()}
        return template_prefix(words, self.templates(), members)

    # -- corpus -----------------------------------------------------------------------
    @fill_doc
    def sentences(self, random_state: RandomState | None = None) -> list[list[str]]:
        """``n_sentences`` random sentences (lists of 2 or 3 words).

        Parameters
        ----------
        %(random_state)s

        Returns
        -------
        list of list of str
            The sentences, with ``replace`` applied.
        """
        rng = check_random_state(random_state)
        cats = self.categories()
        templates = self.templates()
        picks = rng.integers(len(templates), size=self.n_sentences).tolist()
        slots = [cats[c] for k in picks for c in templates[k]]  # the words of every slot's category, in order
        choice = bounded_draws(rng, [len(ws) for ws in slots])
        words = [self.replace.get(w, w) for w in map(list.__getitem__, slots, choice)]
        out, start = [], 0
        for k in picks:
            stop = start + len(templates[k])
            out.append(words[start:stop])
            start = stop
        return out

    def encode(self, sentences: list[list[str]]) -> SequenceBatch:
        """The stream of ``sentences`` (one sequence): inputs, next-word targets and descriptors.

        Parameters
        ----------
        sentences : list of list of str
            The sentences, words of the vocabulary.

        Returns
        -------
        cogrnn.tasks.SequenceBatch
            One sequence; descriptors (of the *input* word at each step): ``word``,
            ``target_word``, ``category``, ``lexical_class``, ``position`` (0-based in its
            sentence), ``sentence``, ``sentence_length``, ``prev_word`` (``""`` at the very start).
        """
        vocab = self.vocabulary()
        index = {w: i for i, w in enumerate(vocab)}
        words = [w for s in sentences for w in s]
        if not words:
            raise DataError("no sentences to encode")
        unknown = sorted(set(words) - set(index))
        if unknown:
            raise DataError(f"unknown word(s) {', '.join(unknown)}")
        ids = np.array([index[w] for w in words])
        onehot = np.eye(N_INPUTS)[ids]
        classes = self.word_classes()
        category = dict(zip(classes["word"], classes["category"]))
        lexical_class = dict(zip(classes["word"], classes["lexical_class"]))
        T = len(words) if self.wrap else len(words) - 1
        target = np.roll(ids, -1)[:T]
        lengths = [len(s) for s in sentences]
        sent = np.repeat(np.arange(len(sentences)), lengths)
        starts = np.cumsum([0, *lengths[:-1]])
        prev = np.concatenate([[len(vocab)], ids[:-1]])[:T]  # code len(vocab): "" (no previous word)
        desc = {
            "word": _strings(lambda i: vocab[i], ids[:T]),
            "target_word": _strings(lambda i: vocab[i], target),
            "category": _strings(lambda i: category[vocab[i]], ids[:T]),
            "lexical_class": _strings(lambda i: lexical_class[vocab[i]], ids[:T]),
            "position": (np.arange(len(words)) - np.repeat(starts, lengths))[:T],
            "sentence": sent[:T],
            "sentence_length": np.repeat(lengths, lengths)[:T],
            "prev_word": _strings(lambda i: vocab[i] if i < len(vocab) else "", prev),
        }
        return SequenceBatch(
            onehot[:T, None, :],
            np.eye(N_INPUTS)[target][:, None, :],
            {k: np.asarray(v)[:, None] for k, v in desc.items()},
        )

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """One stream (``n_streams`` must be 1: corpora of different seeds differ in length).

        Parameters
        ----------
        %(random_state)s
        n_streams : int, optional
            Must be 1.

        Returns
        -------
        %(returns_batch)s
        """
        if n_streams != 1:
            raise ConfigError("LexicalSentences.generate makes one stream; call it once per seed")
        return self.encode(self.sentences(random_state))


def _strings(name: Callable[[int], str], codes: np.ndarray) -> np.ndarray:
    """``np.array([name(c) for c in codes], dtype=object).astype(str)`` by indexing a table of the codes present.

    The same strings and the same dtype (as wide as the longest string present), without a
    Python object per step.
    """
    present = np.flatnonzero(np.bincount(codes)).tolist()
    names = {c: name(c) for c in present}
    table = np.array([names.get(c, "") for c in range(max(present, default=-1) + 1)], dtype=object)
    return table.astype(f"<U{max([1, *map(len, names.values())])}")[codes]


def template_prefix(
    words: Sequence[str], templates: Iterable[Sequence[str]], lexicon: Mapping[str, Iterable[str]]
) -> int:
    """Length of the longest prefix of ``words`` that splits into complete template sentences.

    Parameters
    ----------
    words : sequence of str
        A stream of words without sentence boundaries.
    templates : iterable of category sequences
        E.g. ``[("NOUN", "VERB"), ("NOUN", "VERB", "NOUN")]``.
    lexicon : mapping of category to words
        The words of every category a template names.

    Returns
    -------
    int
        0 when not even the first sentence is complete; ``len(words)`` when the whole
        stream is grammatical.

    Examples
    --------
    >>> lex = {"N": ["man", "cat", "cookie"], "V": ["eat", "move"]}
    >>> template_prefix(["man", "eat", "cookie", "cat", "move", "eat"], [("N", "V"), ("N", "V", "N")], lex)
    5
    """
    members = {c: set(ws) for c, ws in lexicon.items()}
    rules = [tuple(t) for t in templates]
    unknown = sorted({c for t in rules for c in t if c not in members})
    if unknown:
        raise DataError(f"templates name categories the lexicon lacks: {', '.join(unknown)}")
    words = list(words)
    reachable = [False] * (len(words) + 1)
    reachable[0] = True
    best = 0
    for i in range(len(words)):
        if not reachable[i]:
            continue
        for template in rules:
            j = i + len(template)
            if j <= len(words) and all(w in members[c] for w, c in zip(words[i:j], template)):
                reachable[j] = True
                best = max(best, j)
    return best


def bounded_draws(rng: np.random.Generator, highs: Sequence[int]) -> list[int]:
    """``[int(rng.integers(h)) for h in highs]``, the same numbers and the same state of ``rng`` after, in one draw.

    ``Generator.integers(h)`` maps one 32-bit draw of the bit generator to ``[0, h)`` by
    Lemire's multiply-and-shift (``h < 2**32``; none for ``h == 1``) and draws again in the
    rare case that the product's low half falls below ``2**32 % h``. This draws the 32-bit
    values of all ``highs`` at once and maps them the same way; if a redraw would have
    occurred (probability about ``h / 2**32`` per value), it restores the generator's state
    and draws one value at a time, as the loop does.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream (any bit generator); it advances as the loop would advance it.
    highs : sequence of int
        Exclusive upper bounds, each in ``[1, 2**32)``.

    Returns
    -------
    list of int
        One draw in ``[0, highs[i])`` per bound.

    Examples
    --------
    >>> a, b = np.random.default_rng(0), np.random.default_rng(0)
    >>> bounded_draws(a, [3, 1, 7, 2]) == [int(b.integers(h)) for h in [3, 1, 7, 2]]
    True
    >>> int(a.integers(100)) == int(b.integers(100))
    True
    """
    n = np.asarray(highs, dtype=np.int64).reshape(-1)
    if n.size and (n.min() < 1 or n.max() >= 2**32):
        raise ConfigError("bounded_draws: every bound must be in [1, 2**32)")
    drawn = n > 1  # integers(1) is 0 and draws nothing
    state = rng.bit_generator.state
    high = n[drawn].astype(np.uint64)
    product = rng.integers(0, 2**32, size=high.size, dtype=np.uint64) * high  # < 2**64: no overflow
    if ((product & np.uint64(0xFFFFFFFF)) < (np.uint64(2**32) - high) % high).any():
        rng.bit_generator.state = state  # Lemire would draw again for one of them: one at a time
        return [int(rng.integers(h)) for h in n.tolist()]
    out = np.zeros(n.size, dtype=np.int64)
    out[drawn] = product >> np.uint64(32)
    return out.tolist()
