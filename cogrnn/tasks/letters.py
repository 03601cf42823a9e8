"""Letter streams of Elman (1990): consonant-vowel "words" (Sim. 2) and letters in words (Sim. 3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._docs import fill_doc
from ..config import check_bool, check_choice, check_int
from ..exceptions import DataError
from ..io import read_data_table
from ..random import RandomState, check_random_state
from .base import Reference, SequenceBatch, Task
from .temporal_xor import ELMAN_1990

__all__ = [
    "LetterSequence",
    "LetterInWord",
    "letter_stream",
    "letter_features",
    "elman_letter_code",
    "FEATURES",
    "SYLLABLES",
]

FEATURES = ("consonantal", "vocalic", "interrupted", "high", "back", "voiced")
#: Elman (1990, p. 188): each consonant is replaced by a consonant-vowel sequence
SYLLABLES = {"b": "ba", "d": "dii", "g": "guuu"}


def letter_features() -> dict[str, np.ndarray]:
    """Table 1 of Elman (1990): the 6-bit feature vector of b, d, g, a, i, u (from ``data/``).

    Returns
    -------
    dict of str to numpy.ndarray
        Letter -> its 6 features (consonantal, vocalic, interrupted, high, back, voiced).

    Examples
    --------
    >>> letter_features()["a"].tolist()
    [0.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    """
    table = read_data_table("elman1990_letter_features.csv", ["letter", *FEATURES])
    return {row.letter: np.array([getattr(row, f) for f in FEATURES], dtype=np.float64) for row in table.itertuples()}


def elman_letter_code(letters: Sequence[str]) -> dict[str, np.ndarray]:
    """The 5-bit code of Elman's (1990) Table 2: the letter's position in the alphabet, in binary.

    Parameters
    ----------
    letters : sequence of str
        Single lower-case letters a-z.

    Returns
    -------
    dict of str to numpy.ndarray
        Letter -> its 5 bits, most significant first.

    Examples
    --------
    >>> elman_letter_code("ab")["b"].tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0]
    """
    code = {}
    for letter in letters:
        if len(letter) != 1 or not "a" <= letter <= "z":
            raise DataError(f"letters must be single lower-case a-z characters; got {letter!r}")
        pos = ord(letter) - ord("a") + 1
        code[letter] = np.array([(pos >> (4 - k)) & 1 for k in range(5)], dtype=np.float64)
    return code


def letter_stream(
    words: Sequence[str],
    code: Mapping[str, np.ndarray],
    wrap: bool = True,
    sentence_of_word: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Concatenate ``words`` letter by letter (no breaks) into a next-letter prediction stream.

    Parameters
    ----------
    words : sequence of str
        The words, in order.
    code : mapping of str to numpy.ndarray
        Input vector of each letter.
    wrap : bool, optional
        If True (default), the first letter follows the last one.
    sentence_of_word : sequence of int, optional
        Sentence index of each word (default: all 0).

    Returns
    -------
    inputs : numpy.ndarray
        Array (T, I): the code of each input letter.
    targets : numpy.ndarray
        Array (T, I): the code of the next letter.
    descriptors : dict of str to numpy.ndarray
        Arrays (T,) describing the *target* letter (the one to be predicted):
        ``target_letter``, ``word``, ``position_in_word`` (0 = first letter), ``word_onset``,
        ``word_index``, ``sentence``; ``letter`` is the input letter.

    Examples
    --------
    >>> x, y, d = letter_stream(["ba", "dii"], elman_letter_code("abdi"), wrap=False)
    >>> "".join(d["letter"]), "".join(d["target_letter"]), d["word_onset"].tolist()
    ('badi', 'adii', [False, True, False, False])
    """
    if len(words) == 0:
        raise DataError("letter_stream needs at least one word")
    letters = np.array(list("".join(words)))
    missing = sorted(set(letters) - set(code))
    if missing:
        raise DataError(f"no code for letter(s) {', '.join(missing)}")
    word_index = np.repeat(np.arange(len(words)), [len(w) for w in words])
    position = np.concatenate([np.arange(len(w)) for w in words])
    sentences = np.zeros(len(words), dtype=np.int64) if sentence_of_word is None else np.asarray(sentence_of_word)
    vectors = np.stack([code[c] for c in letters])
    if wrap:
        target_idx = np.roll(np.arange(len(letters)), -1)
        inputs = vectors
    else:
        target_idx = np.arange(1, len(letters))
        inputs = vectors[:-1]
    descriptors = {
        "letter": letters[: len(inputs)],
        "target_letter": letters[target_idx],
        "word": np.asarray(words, dtype=object)[word_index[target_idx]].astype(str),
        "position_in_word": position[target_idx],
        "word_onset": position[target_idx] == 0,
        "word_index": word_index[target_idx],
        "sentence": sentences[word_index[target_idx]],
    }
    return inputs, vectors[target_idx], descriptors


def _batch(streams: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]]) -> SequenceBatch:
    """Stack streams of unequal length into (T, B, ...) by cutting them to the shortest."""
    T = min(len(s[0]) for s in streams)
    inputs = np.stack([s[0][:T] for s in streams], axis=1)
    targets = np.stack([s[1][:T] for s in streams], axis=1)
    descriptors = {k: np.stack([s[2][k][:T] for s in streams], axis=1) for k in streams[0][2]}
    descriptors["t"] = np.repeat(np.arange(T)[:, None], len(streams), axis=1)
    return SequenceBatch(inputs, targets, descriptors)


class LetterSequence(Task):
    """Elman's (1990, pp. 187-191) letter sequences: b, d, g in random order, then b->ba, d->dii, g->guuu.

    Letters are coded by the 6 phonetic features of Table 1 (consonantal, vocalic,
    interrupted, high, back, voiced), kept in ``data/elman1990_letter_features.csv``. Which
    consonant comes next is random; how many vowels follow it is not.

    Parameters
    ----------
    n_consonants : int, default 1000
        Random consonants before expansion (the paper: 1,000, about 3,000 letters).
    wrap : bool, default True
        The first letter follows the last (the stream is presented pass after pass).

    Examples
    --------
    >>> batch = LetterSequence(n_consonants=5).generate(random_state=0)
    >>> letters = "".join(batch.descriptors["letter"][:, 0])
    >>> letters.replace("guuu", "").replace("dii", "").replace("ba", "")
    ''
    """

    name = "letters"
    reference = Reference(**{**ELMAN_1990.__dict__, "figure": "Figs. 4-5"})

    def __init__(self, n_consonants: int = 1000, wrap: bool = True) -> None:
        self.n_consonants = check_int("n_consonants", n_consonants, low=1)
        self.wrap = check_bool("wrap", wrap)

    @fill_doc
    def words(self, random_state: RandomState | None = None) -> list[str]:
        """The syllables of one stream (``"ba"``, ``"dii"``, ``"guuu"``).

        Parameters
        ----------
        %(random_state)s

        Returns
        -------
        list of str
            ``n_consonants`` syllables, one per random consonant.
        """
        rng = check_random_state(random_state)
        consonants = rng.choice(list(SYLLABLES), size=self.n_consonants)
        return [SYLLABLES[c] for c in consonants]

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` independent streams, cut to the shortest; targets are the next letter's features.

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        n_streams = check_int("n_streams", n_streams, low=1)
        rng = check_random_state(random_state)
        code = letter_features()
        return _batch([letter_stream(self.words(rng), code, wrap=self.wrap) for _ in range(n_streams)])


class LetterInWord(Task):
    """Elman's (1990, pp. 191-194) letter-in-word stream: sentences spelled out with no breaks.

    Sentences are drawn from the templates and lexicon in ``data/`` (the paper does not
    publish its generator; see the files' headers for what is the paper's and what is
    cogrnn's choice), concatenated without word or sentence breaks, and spelled letter by
    letter. The network predicts the next letter.

    Parameters
    ----------
    n_sentences : int, default 200
        The paper: 200 sentences, 1,270 words, 4,963 letters.
    coding : {"elman", "random"}, default "elman"
        ``"elman"``: the 5-bit code the paper used in Table 2 (the letter's position in
        the alphabet, in binary); the default, because it is the paper's. ``"random"``:
        a random distinct 5-bit vector per letter (what the text describes), drawn from
        ``code_seed``.
    code_seed : int, default 0
        Seed of the random code (same code for training and test streams).
    wrap : bool, default True
        The first letter follows the last (the stream is presented pass after pass).

    Examples
    --------
    >>> task = LetterInWord(n_sentences=3)
    >>> batch = task.generate(random_state=1)
    >>> batch.inputs.shape[1:], bool(batch.descriptors["word_onset"][:, 0].any())
    ((1, 5), True)
    """

    name = "letters-in-words"
    reference = Reference(**{**ELMAN_1990.__dict__, "figure": "Fig. 6"})

    def __init__(self, n_sentences: int = 200, coding: str = "elman", code_seed: int = 0, wrap: bool = True) -> None:
        self.n_sentences = check_int("n_sentences", n_sentences, low=1)
        self.coding = check_choice("coding", coding, ("elman", "random"))
        self.code_seed = check_int("code_seed", code_seed, low=0)
        self.wrap = check_bool("wrap", wrap)

    @staticmethod
    def grammar() -> tuple[dict[str, list[str]], list[list[str]]]:
        """The lexicon (category -> words) and the templates (lists of slots) from ``data/``.

        Returns
        -------
        categories : dict of str to list of str
            Words of each lexical category.
        templates : list of list of str
            Sentence templates: upper-case slots are categories, other slots literal words.
        """
        lexicon = read_data_table("elman1990_words_lexicon.csv", ["word", "category"])
        templates = read_data_table("elman1990_words_templates.csv", ["template", "slots"])
        categories: dict[str, list[str]] = {}
        for row in lexicon.itertuples():
            categories.setdefault(str(row.category), []).append(str(row.word))
        slots = [str(s).split() for s in templates["slots"]]
        for template in slots:
            for slot in template:
                if slot.isupper() and slot not in categories:
                    raise DataError(f"template slot {slot!r} is not a lexicon category")
        return categories, slots

    def alphabet(self) -> list[str]:
        """The letters of the lexicon and templates, sorted.

        Returns
        -------
        list of str
            Single letters.
        """
        categories, slots = self.grammar()
        words = {w for ws in categories.values() for w in ws} | {s for t in slots for s in t if not s.isupper()}
        return sorted(set("".join(words)))

    def code(self) -> dict[str, np.ndarray]:
        """Letter -> 5-bit input vector.

        Returns
        -------
        dict of str to numpy.ndarray
            The code of every letter of :meth:`alphabet` (per ``coding``).
        """
        letters = self.alphabet()
        if self.coding == "elman":
            return elman_letter_code(letters)
        rng = np.random.default_rng(self.code_seed)
        picks = rng.choice(np.arange(1, 32), size=len(letters), replace=False)
        return {c: np.array([(p >> (4 - k)) & 1 for k in range(5)], dtype=np.float64) for c, p in zip(letters, picks)}

    @fill_doc
    def sentences(self, random_state: RandomState | None = None) -> list[list[str]]:
        """``n_sentences`` random sentences (lists of words).

        Parameters
        ----------
        %(random_state)s

        Returns
        -------
        list of list of str
            The sentences, each a list of words.
        """
        rng = check_random_state(random_state)
        categories, templates = self.grammar()
        out = []
        for _ in range(self.n_sentences):
            template = templates[int(rng.integers(len(templates)))]
            out.append([categories[s][int(rng.integers(len(categories[s])))] if s.isupper() else s for s in template])
        return out

    @fill_doc
    def generate(self, random_state: RandomState | None = None, n_streams: int = 1) -> SequenceBatch:
        """``n_streams`` independent streams of ``n_sentences`` sentences each, cut to the shortest.

        Parameters
        ----------
        %(random_state)s
        %(n_streams)s

        Returns
        -------
        %(returns_batch)s
        """
        n_streams = check_int("n_streams", n_streams, low=1)
        rng = check_random_state(random_state)
        code = self.code()
        streams = []
        for _ in range(n_streams):
            sentences = self.sentences(rng)
            words = [w for s in sentences for w in s]
            sentence_of_word = [i for i, s in enumerate(sentences) for _ in s]
            streams.append(letter_stream(words, code, wrap=self.wrap, sentence_of_word=sentence_of_word))
        return _batch(streams)

    @fill_doc
    def spell(self, text: str) -> SequenceBatch:
        """A stream for a given text (words separated by spaces), e.g. the paper's fragment.

        Parameters
        ----------
        text : str
            Words separated by white space (case is ignored).

        Returns
        -------
        %(returns_batch)s
        """
        words = text.lower().split()
        return _batch([letter_stream(words, self.code(), wrap=False)])
