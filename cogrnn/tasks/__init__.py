"""Sequence tasks; each carries its :class:`Reference`.

Registered ids (``cogrnn.make_task(id, ...)``): ``temporal-xor``, ``letters``,
``letters-in-words``, ``lexical-sentences``, ``first-bit-recall``, ``text-corpus`` and
``labelled-sequences`` (the user's own text and CSV files, :mod:`cogrnn.tasks.corpus`) and
``review-sentiment`` (:mod:`cogrnn.tasks.reviews`). :class:`NeurogymTask` adapts a neurogym
environment (optional extra ``neurogym``).
"""

from __future__ import annotations

from ..registry import TASKS
from .base import Reference, SequenceBatch, Task
from .corpus import EOS, UNK, LabelledSequences, TextCorpus, Vocabulary, read_text_lines, tokenise
from .letters import FEATURES, LetterInWord, LetterSequence, elman_letter_code, letter_features, letter_stream
from .memory import FirstBitRecall
from .neurogym import NeurogymTask
from .patterns import correlated_patterns, corrupt, partial_cue, random_patterns
from .reviews import REVIEW_WORDS, ReviewSentiment
from .sentences import ANIMATE, INANIMATE, LexicalSentences
from .temporal_xor import ELMAN_1990, TemporalXOR

__all__ = [
    "Reference",
    "SequenceBatch",
    "Task",
    "TemporalXOR",
    "LetterSequence",
    "LetterInWord",
    "LexicalSentences",
    "ANIMATE",
    "INANIMATE",
    "letter_stream",
    "letter_features",
    "elman_letter_code",
    "FEATURES",
    "ELMAN_1990",
    "FirstBitRecall",
    "random_patterns",
    "correlated_patterns",
    "corrupt",
    "partial_cue",
    "TextCorpus",
    "LabelledSequences",
    "Vocabulary",
    "read_text_lines",
    "tokenise",
    "EOS",
    "UNK",
    "NeurogymTask",
    "ReviewSentiment",
    "REVIEW_WORDS",
]

_TASKS: list[tuple[str, type[Task], str]] = [
    ("temporal-xor-v1", TemporalXOR, "Two random bits then their XOR, concatenated; predict the next bit."),
    (
        "letters-v1",
        LetterSequence,
        "Random consonants b, d, g expanded to ba, dii, guuu; 6 phonetic features; predict the next letter.",
    ),
    (
        "letters-in-words-v1",
        LetterInWord,
        "Sentences spelled letter by letter without breaks (5-bit codes); predict the next letter.",
    ),
    (
        "lexical-sentences-v1",
        LexicalSentences,
        "2- and 3-word sentences from Elman's 16 templates, localist words, no breaks; predict the next word.",
    ),
    ("first-bit-recall-v1", FirstBitRecall, "Random bits; report the first one after a lag (a long-term dependency)."),
    ("text-corpus-v1", TextCorpus, "A text file or strings, a sentence a line, words or chars; predict the next."),
    (
        "labelled-sequences-v1",
        LabelledSequences,
        "A CSV of (sequence, label) rows; classify each sequence at its last step.",
    ),
    (
        "review-sentiment-v1",
        ReviewSentiment,
        "Generated movie reviews, a negation a set number of words before the sentiment word; label at the last word.",
    ),
]
for _id, _cls, _description in _TASKS:
    TASKS.register(_id, _cls, _description, _cls.reference.cite() if _cls.reference else "")
