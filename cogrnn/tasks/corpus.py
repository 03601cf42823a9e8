"""Tasks from the user's own data: a text corpus (next-token prediction) and labelled sequences.

:class:`TextCorpus` reads sentences (one per line of a text file, or a list of strings),
splits them into words or characters, and codes every token as a localist (one-hot)
vector over a :class:`Vocabulary`; the target of a step is the next token.
:class:`LabelledSequences` reads a CSV of ``(sequence, label)`` rows for many-to-one
classification: the label is scored at the last step of each sequence only (the
descriptor ``scored`` is the ``mask`` of :meth:`cogrnn.training.Trainer.fit`).

Both return the :class:`~cogrnn.tasks.SequenceBatch` of the built-in tasks, so
:func:`cogrnn.analysis.evaluate` and every analysis work on them. Bad data (a missing or
empty file, text that is not in the given encoding, a missing label, a sequence longer
than ``max_length``, a token outside a fixed vocabulary) raises one
:class:`~cogrnn.exceptions.DataError` naming the file and the line.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._docs import fill_doc
from ..config import check_bool, check_choice, check_int, check_size
from ..exceptions import ConfigError, DataError
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task
from .temporal_xor import ELMAN_1990

__all__ = ["EOS", "UNK", "Vocabulary", "TextCorpus", "LabelledSequences", "read_text_lines", "tokenise"]

#: The end-of-sentence token (a sentence boundary kept in the stream).
EOS = "<eos>"
#: The unknown token (what an out-of-vocabulary token becomes with ``unknown="map"``).
UNK = "<unk>"

UNITS = ("word", "char")
UNKNOWN_POLICIES = ("error", "map")
LAYOUTS = ("stream", "sentences")

#: The corpus shipped with cogrnn (generated from Elman's 1990 sentence templates).
DEFAULT_TEXT = "corpora/elman_sentences.txt"
DEFAULT_CSV = "corpora/elman_subjects.csv"


class Vocabulary:
    """An ordered set of tokens with an unknown-token policy; token ``i`` is coded by unit ``i``.

    Parameters
    ----------
    tokens : sequence of str
        The tokens, without repeats, in coding order.
    unknown : {"error", "map"}, default "error"
        What :meth:`index` does with a token outside the vocabulary: refuse it, or map it
        to :data:`UNK` (which must then be one of ``tokens``).

    Examples
    --------
    >>> v = Vocabulary(["<unk>", "a", "b"], unknown="map")
    >>> v.index("b"), v.index("zebra"), len(v)
    (2, 0, 3)
    >>> v.one_hot(["a", "b"]).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """

    def __init__(self, tokens: Sequence[str], unknown: str = "error") -> None:
        tokens = list(tokens)
        if not tokens or not all(isinstance(t, str) and t for t in tokens):
            raise ConfigError("a vocabulary needs at least one token, each a non-empty string")
        repeated = sorted(t for t, n in Counter(tokens).items() if n > 1)
        if repeated:
            raise ConfigError(f"a vocabulary lists each token once; repeated: {repeated[:5]}")
        self.tokens = tokens
        self.unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
        if self.unknown == "map" and UNK not in tokens:
            raise ConfigError(f"unknown='map' needs the token {UNK!r} in the vocabulary")
        self._index = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        specials: Sequence[str] = (),
        unknown: str = "error",
        min_count: int = 1,
    ) -> Vocabulary:
        """The vocabulary of a corpus: ``specials`` first, then every token in sorted order.

        Parameters
        ----------
        sentences : iterable of sequences of str
            The tokenised corpus.
        specials : sequence of str, optional
            Tokens listed first (e.g. :data:`EOS`); :data:`UNK` is added when ``unknown="map"``.
        unknown : {"error", "map"}, default "error"
            The policy (see the class).
        min_count : int, default 1
            Tokens seen fewer times are left out (they become :data:`UNK`; needs ``unknown="map"``).

        Returns
        -------
        Vocabulary
            The vocabulary.

        Examples
        --------
        >>> Vocabulary.build([["b", "a"], ["a"]], specials=["<eos>"]).tokens
        ['<eos>', 'a', 'b']
        """
        min_count = check_int("min_count", min_count, low=1)
        check_choice("unknown", unknown, UNKNOWN_POLICIES)
        if min_count > 1 and unknown != "map":
            raise ConfigError(f"min_count={min_count} leaves rare tokens out; set unknown='map' to code them as {UNK}")
        counts = Counter(t for s in sentences for t in s)
        first = list(specials) + ([UNK] if unknown == "map" and UNK not in specials else [])
        kept = sorted(t for t, n in counts.items() if n >= min_count and t not in first)
        return cls(first + kept, unknown=unknown)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and (self.tokens, self.unknown) == (other.tokens, other.unknown)

    def __hash__(self) -> int:
        return hash((tuple(self.tokens), self.unknown))

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens, unknown={self.unknown!r})"

    def index(self, token: str, where: str = "") -> int:
        """The unit coding ``token`` (an unknown token by the policy).

        Parameters
        ----------
        token : str
            The token.
        where : str, optional
            Where it was read (``"file.txt line 3"``), named in the error.

        Returns
        -------
        int
            Its index.

        Examples
        --------
        >>> Vocabulary(["a", "b"]).index("b")
        1
        """
        i = self._index.get(token)
        if i is not None:
            return i
        if self.unknown == "map":
            return self._index[UNK]
        prefix = f"{where}: " if where else ""
        raise DataError(f"{prefix}token {token!r} is not in the vocabulary ({len(self)} tokens; unknown='error')")

    def one_hot(self, tokens: Sequence[str], where: str = "") -> np.ndarray:
        """Localist codes of ``tokens``, one row each.

        Parameters
        ----------
        tokens : sequence of str
            The tokens.
        where : str, optional
            Where they were read, named in the error.

        Returns
        -------
        numpy.ndarray of shape (len(tokens), len(self))
            One-hot rows (float64).

        Examples
        --------
        >>> Vocabulary(["a", "b"]).one_hot(["b"]).tolist()
        [[0.0, 1.0]]
        """
        out = np.zeros((len(tokens), len(self)))
        out[np.arange(len(tokens)), [self.index(t, where) for t in tokens]] = 1.0
        return out

    def to_dict(self) -> dict[str, Any]:
        """The vocabulary as plain data (for a checkpoint's header).

        Returns
        -------
        dict
            ``{"tokens": [...], "unknown": ...}``.

        Examples
        --------
        >>> Vocabulary.from_dict(Vocabulary(["a"]).to_dict()) == Vocabulary(["a"])
        True
        """
        return {"tokens": list(self.tokens), "unknown": self.unknown}

    @classmethod
    def from_dict(cls, data: Any) -> Vocabulary:
        """The vocabulary written by :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            ``{"tokens": [...], "unknown": ...}``.

        Returns
        -------
        Vocabulary
            The vocabulary.

        Examples
        --------
        >>> Vocabulary.from_dict({"tokens": ["x", "y"], "unknown": "error"}).tokens
        ['x', 'y']
        """
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise DataError("a vocabulary must be a mapping with a list 'tokens'")
        return cls(data["tokens"], unknown=data.get("unknown", "error"))


def _display(path: Any) -> str:
    return os.fspath(path)


def read_text_lines(path: str | os.PathLike[str], encoding: str = "utf-8") -> list[tuple[int, str]]:
    """The lines of a text file with their line numbers (1-based), blank lines dropped.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    encoding : str, default "utf-8"
        Its text encoding.

    Returns
    -------
    list of (int, str)
        Line number and text (stripped) of every non-blank line.

    Raises
    ------
    cogrnn.exceptions.DataError
        If the file is missing, unreadable, not text in ``encoding`` (naming the line) or empty.

    Examples
    --------
    >>> from cogrnn.io import data_path
    >>> read_text_lines(data_path("corpora/elman_sentences.txt"))[0][0]
    1
    """
    name = _display(path)
    try:
        import codecs

        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ConfigError(f"unknown text encoding {encoding!r}") from None
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    lines = []
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{name} line {number}: not {encoding} text (byte {line[exc.start]:#04x} at column {exc.start + 1}); "
                "give the file's encoding"
            ) from None
        if number == 1:
            text = text.lstrip("\ufeff")
        if "\x00" in text:
            raise DataError(f"{name} line {number}: holds a NUL byte (a binary file, not text)")
        if text.strip():
            lines.append((number, text.strip()))
    if not lines:
        raise DataError(f"{name}: the file is empty (no non-blank line)")
    return lines


def tokenise(text: str, unit: str = "word", lowercase: bool = False) -> list[str]:
    """The tokens of one sentence, as :class:`TextCorpus` splits it.

    Parameters
    ----------
    text : str
        The sentence.
    unit : {"word", "char"}, default "word"
        Words (split at white space) or characters (runs of white space become one space).
    lowercase : bool, default False
        Lowercase first.

    Returns
    -------
    list of str
        The tokens.

    Examples
    --------
    >>> tokenise("The  dog"), tokenise("The  dog", "char", lowercase=True)
    (['The', 'dog'], ['t', 'h', 'e', ' ', 'd', 'o', 'g'])
    """
    check_choice("unit", unit, UNITS)
    if lowercase:
        text = text.lower()
    words = text.split()
    return words if unit == "word" else list(" ".join(words))


class _TokenTask(Task):
    """Shared parts of the data tasks: source, unit, vocabulary, max_length."""

    unit: str
    unknown: str
    min_count: int
    max_length: int | None
    _vocab: Vocabulary

    def _resolve_source(self, source: Any, default: str) -> tuple[list[tuple[int, str]], str]:
        if source is None:
            from ..io import data_path

            source = data_path(default)
        if isinstance(source, (str, os.PathLike)):
            return [], _display(source)
        if isinstance(source, Sequence) and all(isinstance(s, str) for s in source):
            lines = [(i, s.strip()) for i, s in enumerate(source, start=1) if s.strip()]
            if not lines:
                raise DataError("<strings>: no non-blank sentence given")
            return lines, "<strings>"
        raise ConfigError(f"source must be a file path or a list of strings; got {type(source).__name__}")

    def _vocabulary(self, vocabulary: Any, sentences: list[list[str]], specials: Sequence[str]) -> Vocabulary:
        if vocabulary is None:
            return Vocabulary.build(sentences, specials, unknown=self.unknown, min_count=self.min_count)
        if isinstance(vocabulary, Vocabulary):
            return vocabulary
        if isinstance(vocabulary, dict):
            return Vocabulary.from_dict(vocabulary)
        return Vocabulary(list(vocabulary), unknown=self.unknown)

    def _check_length(self, n: int, where: str) -> None:
        if self.max_length is not None and n > self.max_length:
            raise DataError(f"{where}: a sequence of {n} {self.unit}s is longer than max_length={self.max_length}")

    name: str

    @classmethod
    def _described(cls, description: Any, defaults: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments from a :meth:`describe` dict: ``defaults`` keys, vocabulary and its policy."""
        if not isinstance(description, dict) or description.get("task") != cls.name:
            raise DataError(f"not the description of a {cls.name} task: {description!r}"[:200])
        vocab = Vocabulary.from_dict(description.get("vocabulary"))
        kwargs = {key: description.get(key, default) for key, default in defaults.items()}
        return {**kwargs, "vocabulary": vocab, "unknown": vocab.unknown}

    @property
    def vocabulary_(self) -> Vocabulary:
        """The vocabulary the tokens are coded with (built from the data unless given)."""
        return self._vocab

    def decode(self, indices: Iterable[int]) -> list[str]:
        """The tokens of unit indices.

        Parameters
        ----------
        indices : iterable of int
            Indices into the vocabulary.

        Returns
        -------
        list of str
            The tokens.
        """
        return [self._vocab.tokens[int(i)] for i in indices]


@fill_doc
class TextCorpus(_TokenTask):
    """Next-token prediction on a text corpus: one sentence per line, localist tokens.

    Parameters
    ----------
    source : str, os.PathLike or list of str, optional
        A text file (one sentence per non-blank line) or the sentences as strings; default
        the corpus shipped with cogrnn, 300 sentences generated from Elman's (1990) templates
        (``data/corpora/elman_sentences.txt``).
    unit : {"word", "char"}, default "word"
        Tokens are the words (split at white space) or the characters (runs of white space
        become one space, a token of its own).
    boundaries : bool, default True
        Keep sentence boundaries: every sentence ends with :data:`EOS` and the stream starts
        with one, so every token is predicted, the first word after the boundary. False
        removes them, as Elman (1990) did: sentences follow each other directly (a space
        between them for characters) and only the stream's first token is not predicted.
    vocabulary : Vocabulary, sequence of str or dict, optional
        A fixed vocabulary (e.g. that of a trained network); default built from the corpus
        (:meth:`Vocabulary.build`).
    unknown : {"error", "map"}, default "error"
        A token outside the vocabulary is an error naming its line, or becomes :data:`UNK`.
    min_count : int, default 1
        When the vocabulary is built: rarer tokens become :data:`UNK` (needs ``unknown="map"``).
    lowercase : bool, default False
        Lowercase the text first.
    max_length : int, optional
        Longest sentence allowed, in tokens (boundary not counted); a longer one is an error
        naming its line.
    layout : {"stream", "sentences"}, default "stream"
        ``"stream"``: the sentences one after the other in one stream per sequence (for
        ``method="online"`` or ``"tbptt"``); ``"sentences"``: one sequence per sentence,
        padded at the end to the longest (descriptor ``scored`` False on padding; for
        ``method="bptt"`` with ``mask=scored``).
    shuffle : bool, default False
        Sentences in random order (by ``random_state``) instead of the file's order.
    encoding : str, default "utf-8"
        The file's text encoding.
    reference : Reference, optional
        Where the corpus comes from (default: Elman (1990) for the shipped corpus).

    Attributes
    ----------
    sentences_ : list of list of str
        The tokenised sentences.
    lines_ : list of int
        The line of each sentence in the file.
    vocabulary_ : Vocabulary
        The vocabulary.

    Notes
    -----
    Descriptors of every step (arrays (T, B)): ``token`` (the input), ``next_token`` (the
    target), and for the target: ``sentence`` (its index in the corpus), ``position`` (its
    index in the sentence; the boundary's is the sentence length), ``word_index`` and
    ``word`` (the word it belongs to; a space or boundary closes the word before it, so
    summing over ``word_index`` gives a character model's probability of the whole word),
    ``line`` (the line of the file), ``known`` (False where the target is outside the
    vocabulary and coded as :data:`UNK`), and ``scored`` (False on padding).

    Examples
    --------
    >>> task = TextCorpus(["the dog runs", "a cat sleeps"])
    >>> batch = task.generate()
    >>> batch.inputs.shape, task.vocabulary_.tokens[:2]
    ((8, 1, 7), ['<eos>', 'a'])
    >>> batch.descriptors["token"][:4, 0].tolist(), batch.descriptors["next_token"][:4, 0].tolist()
    (['<eos>', 'the', 'dog', 'runs'], ['the', 'dog', 'runs', '<eos>'])
    >>> chars = TextCorpus(["ab c"], unit="char", boundaries=False).generate()
    >>> chars.descriptors["next_token"][:, 0].tolist(), chars.descriptors["word"][:, 0].tolist()
    (['b', ' ', 'c'], ['ab', 'ab', 'c'])
    """

    name = "text-corpus"
    reference: Reference | None = ELMAN_1990  # of the shipped corpus; a user's corpus has its own or None

    def __init__(
        self,
        source: str | os.PathLike[str] | Sequence[str] | None = None,
        *,
        unit: str = "word",
        boundaries: bool = True,
        vocabulary: Vocabulary | Sequence[str] | dict[str, Any] | None = None,
        unknown: str = "error",
        min_count: int = 1,
        lowercase: bool = False,
        max_length: int | None = None,
        layout: str = "stream",
        shuffle: bool = False,
        encoding: str = "utf-8",
        reference: Reference | None = None,
    ) -> None:
        self.source = source
        self.unit = check_choice("unit", unit, UNITS)
        self.boundaries = check_bool("boundaries", boundaries)
        self.unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
        self.min_count = check_int("min_count", min_count, low=1)
        self.lowercase = check_bool("lowercase", lowercase)
        self.max_length = None if max_length is None else check_int("max_length", max_length, low=1)
        self.layout = check_choice("layout", layout, LAYOUTS)
        self.shuffle = check_bool("shuffle", shuffle)
        self.encoding = encoding
        if reference is not None and not isinstance(reference, Reference):
            raise ConfigError(f"reference must be a cogrnn.tasks.Reference; got {type(reference).__name__}")
        self.reference = reference if reference is not None else (ELMAN_1990 if source is None else None)
        lines, self._name = self._resolve_source(source, DEFAULT_TEXT)
        if not lines:
            lines = read_text_lines(self._name, encoding)
        self.lines_ = [n for n, _ in lines]
        self.sentences_ = []
        for number, text in lines:
            tokens = tokenise(text, self.unit, self.lowercase)
            where = f"{self._name} line {number}"
            self._check_length(len(tokens), where)
            if not self.boundaries and self.layout == "sentences" and len(tokens) < 2:
                raise DataError(f"{where}: a sentence of one {self.unit} has nothing to predict without boundaries")
            self.sentences_.append(tokens)
        specials = [EOS] if self.boundaries else ([" "] if self.unit == "char" and len(lines) > 1 else [])
        self._vocab = self._vocabulary(vocabulary, self.sentences_, specials)
        if self.boundaries and EOS not in self._vocab:
            raise DataError(f"the vocabulary has no {EOS!r} token, needed with boundaries=True")
        self._codes = [
            [self._vocab.index(t, f"{self._name} line {n}") for t in s] for n, s in zip(self.lines_, self.sentences_)
        ]

    def describe(self) -> dict[str, Any]:
        """How the text is turned into tokens, with the vocabulary (for a checkpoint's header).

        Returns
        -------
        dict
            ``task``, ``unit``, ``boundaries``, ``lowercase``, ``max_length``, ``layout``,
            ``source`` and ``vocabulary``; :meth:`from_description` rebuilds the task on new text.

        Examples
        --------
        >>> TextCorpus(["a b"]).describe()["vocabulary"]["tokens"]
        ['<eos>', 'a', 'b']
        """
        return {
            "task": self.name,
            "unit": self.unit,
            "boundaries": self.boundaries,
            "lowercase": self.lowercase,
            "max_length": self.max_length,
            "layout": self.layout,
            "source": self._name,
            "vocabulary": self._vocab.to_dict(),
        }

    @classmethod
    def from_description(
        cls, description: dict[str, Any], source: str | os.PathLike[str] | Sequence[str], **overrides: Any
    ) -> TextCorpus:
        """The task of :meth:`describe` on another text, with the same tokens and vocabulary.

        Parameters
        ----------
        description : dict
            From :meth:`describe` (e.g. a checkpoint's ``task``).
        source : str, os.PathLike or list of str
            The new text.
        **overrides
            Constructor arguments to change (e.g. ``layout="sentences"``).

        Returns
        -------
        TextCorpus
            The task.

        Examples
        --------
        >>> d = TextCorpus(["a b"]).describe()
        >>> TextCorpus.from_description(d, ["b a"]).vocabulary_.tokens
        ['<eos>', 'a', 'b']
        """
        defaults = {"unit": "word", "boundaries": True, "lowercase": False, "layout": "stream"}
        return cls(source, **{**cls._described(description, defaults), **overrides})

    def _stream(self, order: Sequence[int]) -> dict[str, list[Any]]:
        """Tokens of the sentences in ``order`` with the labels of each (before input/target split)."""
        cols: dict[str, list[Any]] = {k: [] for k in ("code", "token", "sentence", "position", "word_index", "word")}
        cols["line"] = []

        def add(code: int, token: str, s: int, pos: int, widx: int, word: str) -> None:
            for key, value in zip(cols, (code, token, s, pos, widx, word, self.lines_[s] if s >= 0 else 0)):
                cols[key].append(value)

        if self.boundaries:
            add(self._vocab.index(EOS), EOS, -1, -1, -1, "")
        for k, s in enumerate(order):
            tokens, codes = self.sentences_[s], self._codes[s]
            words = self._words(tokens)
            for pos, (tok, code) in enumerate(zip(tokens, codes)):
                add(code, tok, s, pos, words[pos][0], words[pos][1])
            last = words[-1] if words else (0, "")
            if self.boundaries:
                add(self._vocab.index(EOS), EOS, s, len(tokens), last[0], last[1])
            elif self.unit == "char" and k < len(order) - 1:
                add(self._vocab.index(" "), " ", s, len(tokens), last[0], last[1])
        return cols

    def _words(self, tokens: list[str]) -> list[tuple[int, str]]:
        """(word index, word) of every token; a space belongs to the word before it."""
        if self.unit == "word":
            return list(enumerate(tokens))
        text = "".join(tokens)
        words = text.split(" ")
        out, w = [], 0
        for ch in tokens:
            out.append((w, words[w]))
            if ch == " ":
                w += 1
        return out

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int | None = None) -> SequenceBatch:
        """The corpus as a batch: one stream per sequence, or one sequence per sentence.

        Parameters
        ----------
        %(random_state)s
            Orders the sentences with ``shuffle=True``; draws them with ``layout="sentences"``
            and an ``n_streams``.
        n_streams : int, optional
            ``layout="stream"``: the number of streams (default 1; each its own order when
            shuffled). ``layout="sentences"``: the number of sentences, drawn at random without
            repeats (default None: every sentence, in the file's order unless shuffled).

        Returns
        -------
        %(returns_batch)s
        """
        rng = check_random_state(random_state)
        n_sent = len(self.sentences_)
        if self.layout == "sentences":
            if n_streams is None:
                order = rng.permutation(n_sent) if self.shuffle else np.arange(n_sent)
            else:
                k = check_int("n_streams", n_streams, low=1, high=n_sent)
                order = rng.choice(n_sent, size=k, replace=False)
            return self._batch([self._split(self._stream([int(s)])) for s in order])
        n = 1 if n_streams is None else check_int("n_streams", n_streams, low=1)
        streams = []
        for _ in range(n):
            order = rng.permutation(n_sent) if self.shuffle else np.arange(n_sent)
            streams.append(self._split(self._stream([int(s) for s in order])))
        if len(streams[0]["code_in"]) == 0:
            raise DataError(f"{self._name}: one {self.unit} and no boundaries leave nothing to predict")
        return self._batch(streams)

    def _split(self, cols: dict[str, list[Any]]) -> dict[str, list[Any]]:
        vocab = self._vocab
        out = {"code_in": cols["code"][:-1], "token": cols["token"][:-1], "code_out": cols["code"][1:]}
        out["next_token"] = cols["token"][1:]
        for key in ("sentence", "position", "word_index", "word", "line"):
            out[key] = cols[key][1:]
        out["known"] = [token in vocab for token in out["next_token"]]
        return out

    def _batch(self, seqs: list[dict[str, list[Any]]]) -> SequenceBatch:
        T, B, V = max(len(s["code_in"]) for s in seqs), len(seqs), len(self._vocab)
        check_size("the one-hot inputs and targets of the corpus", (2, T, B, V), itemsize=4)
        x, y = np.zeros((T, B, V), dtype=np.float32), np.zeros((T, B, V), dtype=np.float32)
        desc: dict[str, np.ndarray] = {
            "token": np.full((T, B), "", dtype=object),
            "next_token": np.full((T, B), "", dtype=object),
            "sentence": np.full((T, B), -1, dtype=np.int64),
            "position": np.full((T, B), -1, dtype=np.int64),
            "word_index": np.full((T, B), -1, dtype=np.int64),
            "word": np.full((T, B), "", dtype=object),
            "line": np.zeros((T, B), dtype=np.int64),
            "known": np.zeros((T, B), dtype=bool),
            "scored": np.zeros((T, B), dtype=bool),
        }
        for b, s in enumerate(seqs):
            L = len(s["code_in"])
            x[np.arange(L), b, s["code_in"]] = 1.0
            y[np.arange(L), b, s["code_out"]] = 1.0
            for key in ("token", "next_token", "sentence", "position", "word_index", "word", "line", "known"):
                desc[key][:L, b] = s[key]
            desc["scored"][:L, b] = True
        return SequenceBatch(x, y, desc)


@fill_doc
class LabelledSequences(_TokenTask):
    """Many-to-one classification from a CSV of ``(sequence, label)`` rows.

    Every row is one sequence of tokens (words or characters of the ``sequence`` column);
    its label is the target of its last step, coded one-hot over :attr:`labels_`. The
    descriptor ``scored`` is True at that last step only: pass it as the ``mask`` of
    :meth:`cogrnn.training.Trainer.fit` (``method="bptt"``, ``loss="cross_entropy"``, which
    needs a model made with ``output_activation="softmax"``) and score a model with
    :meth:`accuracy`.

    Parameters
    ----------
    source : str or os.PathLike, optional
        The CSV file (a header naming at least the two columns); default the file shipped with
        cogrnn, 200 sentences from Elman's (1990) templates labelled by whether the subject
        is human (``data/corpora/elman_subjects.csv``).
    unit : {"word", "char"}, default "word"
        Tokens are words or characters.
    vocabulary : Vocabulary, sequence of str or dict, optional
        A fixed vocabulary; default built from the sequences.
    unknown : {"error", "map"}, default "error"
        An out-of-vocabulary token is an error naming its line, or becomes :data:`UNK`.
    min_count : int, default 1
        When the vocabulary is built: rarer tokens become :data:`UNK` (needs ``unknown="map"``).
    labels : sequence of str, optional
        The classes in coding order (default: the labels found, sorted); a row with another
        label is an error.
    lowercase : bool, default False
        Lowercase the sequences first.
    max_length : int, optional
        Longest sequence allowed, in tokens; a longer one is an error naming its line.
    sequence_column, label_column : str, default "sequence", "label"
        Names of the two columns.
    encoding : str, default "utf-8"
        The file's text encoding.
    reference : Reference, optional
        Where the data come from (default: Elman (1990) for the shipped file).

    Attributes
    ----------
    sequences_ : list of list of str
        The tokenised sequences, one per row.
    labels_ : list of str
        The classes.
    lines_ : list of int
        The line of each row in the file.
    vocabulary_ : Vocabulary
        The vocabulary.

    Examples
    --------
    >>> task = LabelledSequences()
    >>> batch = task.generate()
    >>> batch.n_sequences, task.labels_, int(batch.descriptors["scored"].sum())
    (200, ['human', 'other'], 200)
    """

    name = "labelled-sequences"
    reference: Reference | None = ELMAN_1990  # of the shipped file; a user's file has its own or None

    def __init__(
        self,
        source: str | os.PathLike[str] | None = None,
        *,
        unit: str = "word",
        vocabulary: Vocabulary | Sequence[str] | dict[str, Any] | None = None,
        unknown: str = "error",
        min_count: int = 1,
        labels: Sequence[str] | None = None,
        lowercase: bool = False,
        max_length: int | None = None,
        sequence_column: str = "sequence",
        label_column: str = "label",
        encoding: str = "utf-8",
        reference: Reference | None = None,
    ) -> None:
        self.source = source
        self.unit = check_choice("unit", unit, UNITS)
        self.unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
        self.min_count = check_int("min_count", min_count, low=1)
        self.labels = None if labels is None else [str(v) for v in labels]
        self.lowercase = check_bool("lowercase", lowercase)
        self.max_length = None if max_length is None else check_int("max_length", max_length, low=1)
        self.sequence_column = sequence_column
        self.label_column = label_column
        self.encoding = encoding
        self.reference = reference if reference is not None else (ELMAN_1990 if source is None else None)
        if source is not None and not isinstance(source, (str, os.PathLike)):
            raise ConfigError(f"source must be the path of a CSV file; got {type(source).__name__}")
        _, self._name = self._resolve_source(source, DEFAULT_CSV)
        rows = self._read_rows()
        self.lines_ = [n for n, _, _ in rows]
        self.sequences_ = [s for _, s, _ in rows]
        found = sorted({lab for _, _, lab in rows})
        if self.labels is None:
            self.labels_ = found
        else:
            if len(set(self.labels)) != len(self.labels) or not self.labels:
                raise ConfigError(f"labels must list each class once; got {self.labels}")
            self.labels_ = list(self.labels)
            for n, _, lab in rows:
                if lab not in self.labels_:
                    raise DataError(f"{self._name} line {n}: label {lab!r} is not one of {self.labels_}")
        self._vocab = self._vocabulary(vocabulary, self.sequences_, [])
        self._codes = [[self._vocab.index(t, f"{self._name} line {n}") for t in s] for n, s, _ in rows]
        self._label_codes = [self.labels_.index(lab) for _, _, lab in rows]

    def describe(self) -> dict[str, Any]:
        """How the sequences are turned into tokens, with the vocabulary and labels (for a checkpoint).

        Returns
        -------
        dict
            ``task``, ``unit``, ``lowercase``, ``max_length``, ``labels``, the column names,
            ``source`` and ``vocabulary``; :meth:`from_description` reads another file the same way.

        Examples
        --------
        >>> LabelledSequences().describe()["labels"]
        ['human', 'other']
        """
        return {
            "task": self.name,
            "unit": self.unit,
            "lowercase": self.lowercase,
            "max_length": self.max_length,
            "labels": list(self.labels_),
            "sequence_column": self.sequence_column,
            "label_column": self.label_column,
            "source": self._name,
            "vocabulary": self._vocab.to_dict(),
        }

    @classmethod
    def from_description(
        cls, description: dict[str, Any], source: str | os.PathLike[str], **overrides: Any
    ) -> LabelledSequences:
        """The task of :meth:`describe` on another CSV, with the same vocabulary and labels.

        Parameters
        ----------
        description : dict
            From :meth:`describe` (e.g. a checkpoint's ``task``).
        source : str or os.PathLike
            The new CSV file.
        **overrides
            Constructor arguments to change.

        Returns
        -------
        LabelledSequences
            The task.

        Examples
        --------
        >>> from cogrnn.io import data_path
        >>> d = LabelledSequences().describe()
        >>> LabelledSequences.from_description(d, data_path("corpora/elman_subjects.csv")).labels_
        ['human', 'other']
        """
        defaults = {"unit": "word", "lowercase": False, "labels": None, "sequence_column": "sequence",
                    "label_column": "label"}  # fmt: skip
        return cls(source, **{**cls._described(description, defaults), **overrides})

    def _read_rows(self) -> list[tuple[int, list[str], str]]:
        lines = read_text_lines(self._name, self.encoding)
        reader = csv.reader([text for _, text in lines])
        try:
            header = next(reader)
        except csv.Error as exc:
            raise DataError(f"{self._name} line {lines[0][0]}: not a CSV header ({exc})") from None
        header = [h.strip() for h in header]
        missing = [c for c in (self.sequence_column, self.label_column) if c not in header]
        if missing:
            raise DataError(
                f"{self._name} line {lines[0][0]}: the header must name the columns "
                f"{self.sequence_column!r} and {self.label_column!r}; missing {missing}, got {header}"
            )
        i_seq, i_lab = header.index(self.sequence_column), header.index(self.label_column)
        rows = []
        for k, fields in enumerate(reader, start=1):
            n = lines[k][0]
            where = f"{self._name} line {n}"
            if len(fields) != len(header):
                raise DataError(f"{where}: {len(fields)} fields for the {len(header)} columns of the header")
            label, text = fields[i_lab].strip(), fields[i_seq]
            if not label:
                raise DataError(f"{where}: the label is missing")
            tokens = tokenise(text, self.unit, self.lowercase)
            if not tokens:
                raise DataError(f"{where}: the sequence is empty")
            self._check_length(len(tokens), where)
            rows.append((n, tokens, label))
        if not rows:
            raise DataError(f"{self._name}: no rows after the header")
        return rows

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int | None = None) -> SequenceBatch:
        """The rows as one batch, one sequence per row (padded at the end to the longest).

        Parameters
        ----------
        %(random_state)s
            Draws the rows when ``n_streams`` is given.
        n_streams : int, optional
            Number of rows, drawn at random without repeats (default None: every row, in
            the file's order).

        Returns
        -------
        %(returns_batch)s
            Descriptors ``token``, ``position``, ``row`` (0-based), ``line``, ``label``,
            ``valid`` (False on padding) and ``scored`` (True at the last step of each row).
        """
        rng = check_random_state(random_state)
        n_rows = len(self._codes)
        rows: np.ndarray
        if n_streams is None:
            rows = np.arange(n_rows)
        else:
            rows = rng.choice(n_rows, size=check_int("n_streams", n_streams, low=1, high=n_rows), replace=False)
        codes = [self._codes[int(r)] for r in rows]
        seqs = [self.sequences_[int(r)] for r in rows]
        label_codes = [self._label_codes[int(r)] for r in rows]
        lines = [self.lines_[int(r)] for r in rows]
        T, B, V, C = max(len(c) for c in codes), len(codes), len(self._vocab), len(self.labels_)
        check_size("the one-hot inputs of the sequences", (T, B, V + C), itemsize=4)
        x, y = np.zeros((T, B, V), dtype=np.float32), np.zeros((T, B, C), dtype=np.float32)
        desc: dict[str, np.ndarray] = {
            "token": np.full((T, B), "", dtype=object),
            "position": np.full((T, B), -1, dtype=np.int64),
            "row": np.tile(np.asarray(rows, dtype=np.int64), (T, 1)),
            "line": np.tile(np.asarray(lines, dtype=np.int64), (T, 1)),
            "label": np.tile(np.asarray(self.labels_, dtype=object)[label_codes], (T, 1)),
            "valid": np.zeros((T, B), dtype=bool),
            "scored": np.zeros((T, B), dtype=bool),
        }
        for b, (code, tokens) in enumerate(zip(codes, seqs)):
            L = len(code)
            x[np.arange(L), b, code] = 1.0
            y[:L, b, label_codes[b]] = 1.0
            desc["token"][:L, b] = tokens
            desc["position"][:L, b] = np.arange(L)
            desc["valid"][:L, b] = True
            desc["scored"][L - 1, b] = True
        return SequenceBatch(x, y, desc)

    def accuracy(self, model: Any, batch: SequenceBatch | None = None) -> Any:
        """Share of sequences whose last output is largest at the right label, per replica.

        Parameters
        ----------
        model : RecurrentEnsemble
            A network with ``len(labels_)`` outputs.
        batch : SequenceBatch, optional
            From :meth:`generate` (default: a new one).

        Returns
        -------
        pandas.DataFrame
            One row per replica: ``seed`` (the replica), ``accuracy``, ``n_sequences``.

        Examples
        --------
        >>> from cogrnn.models import LSTMNetwork
        >>> task = LabelledSequences()
        >>> net = LSTMNetwork(len(task.vocabulary_), 4, 2, n_replicas=2, random_state=0)
        >>> task.accuracy(net).columns.tolist()
        ['seed', 'accuracy', 'n_sequences']
        """
        import pandas as pd
        import torch

        batch = self.generate() if batch is None else batch
        scored = np.asarray(batch.descriptors["scored"], dtype=bool)
        last = scored.argmax(0)  # (B,) the last real step of every sequence
        with torch.no_grad():
            out = model(batch.inputs).outputs.double().cpu().numpy()  # (R, T, B, O)
        if out.shape[-1] != batch.targets.shape[-1]:
            raise DataError(f"the model has {out.shape[-1]} outputs for {batch.targets.shape[-1]} labels")
        B = batch.n_sequences
        pred = out[:, last, np.arange(B)].argmax(-1)  # (R, B)
        truth = batch.targets[last, np.arange(B)].argmax(-1)
        acc = (pred == truth[None]).mean(1)
        return pd.DataFrame({"seed": np.arange(out.shape[0]), "accuracy": acc, "n_sequences": B})
