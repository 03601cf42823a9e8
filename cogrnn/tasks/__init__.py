"""Sequence tasks; each carries its :class:`Reference`.

Registered ids (``cogrnn.make_task(id, ...)``): ``temporal-xor``, ``letters``,
``letters-in-words``, ``lexical-sentences``, ``first-bit-recall``, ``text-corpus`` and
``labelled-sequences`` (the user's own text and CSV files, :mod:`cogrnn.tasks.corpus`) and
``review-sentiment`` (:mod:`cogrnn.tasks.reviews`). :class:`NeurogymTask` adapts a neurogym
environment (optional extra ``neurogym``). The tasks are registered in :mod:`cogrnn.registry`
by ``"module:class"``, so that ``cogrnn list`` imports none of them.
"""

from __future__ import annotations

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
