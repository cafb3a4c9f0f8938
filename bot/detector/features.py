"""Message → a sparse vector of hashed features, the same at training and at inference.

Word unigrams and bigrams (with start and end marks), the first three words by position, the
words of the first and of the last sentence, word stems (the first five letters), word prefixes
and suffixes (three letters, light weight), the cue classes of bot/detector/cues.py and a few
shape features (length, question). Each distinct word is hashed once (CRC-32 with a salt per
role, kept in a bounded cache): its column as a word, as a first word, in the first sentence…;
a bigram's column mixes the columns of its two words. No vocabulary — and none of the training
texts — is stored. The vector is L2-normalised.

With `use_rules`, the rules' own reading (their kind, whether they find a customer, a decline,
a decision or request phrase) is a feature too: the hybrid. Grouped cross-validation shows it adds
nothing the words do not already say (bot/detector/data/MODEL.md), so the shipped model is the
model alone, and judging a message costs no pass of the rules.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.detector.cues import Columns

BITS = 18
DIMENSIONS = 1 << BITS
_MASK = DIMENSIONS - 1
_WORD = re.compile(r"[a-z0-9_']+|[+\-]1\b|[?!:/]")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
SENTENCE_WORDS = 40
MAX_WORDS = 200
MAX_TEXT = 8000
CACHE_WORDS = 100_000  # distinct words whose columns are kept; the cache starts afresh past this


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each group of features counts before the vector is normalised."""

    affixes: float = 0.3
    cues: float = 0.5
    sentences: float = 0.7
    rules: float = 2.0


def _column(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & _MASK


class _Word(NamedTuple):
    """The columns of one word in each role it can play."""

    word: int
    left: int  # the first word of a bigram (its column is left ^ right)
    right: int
    first: tuple[int, int, int]  # as the first, second or third word
    sentence0: int  # in the first sentence of several
    sentence_last: int  # in the last one
    stem: tuple[int, ...]  # the first five letters, for words longer than that
    affixes: tuple[int, ...]  # the first and last three letters, for words longer than three


_cache: dict[str, _Word] = {}


def _word(word: str) -> _Word:
    if len(_cache) >= CACHE_WORDS:
        _cache.clear()
    found = _cache[word] = _Word(
        _column("w:" + word), _column("bl:" + word), _column("br:" + word),
        (_column("f0:" + word), _column("f1:" + word), _column("f2:" + word)),
        _column("s0:" + word), _column("sL:" + word),
        (_column("p:" + word[:5]),) if len(word) > 5 else (),
        (_column("a:" + word[:3]), _column("z:" + word[-3:])) if len(word) > 3 else (),
    )
    return found


_START, _END = _word("<s>"), _word("</s>")
_CUES = Columns(_column)
_LENGTHS = [_column(f"len:{n}") for n in range(9)]
_QUESTION, _ENDS_WITH_QUESTION = _column("s:q"), _column("s:endq")


def _rule_keys(norm: str) -> list[str]:
    from bot import decisions as D
    from bot import rules as R
    from bot.detect import classify, find_customer

    kind, _ = classify(norm)
    keys = ["r:" + kind.value]
    if find_customer(norm):
        keys.append("r:customer")
    if R.DECLINE.match(norm):
        keys.append("r:decline")
    for name, rule_set in (("decision", D.DECISION), ("request", R.APPROVAL_REQUEST)):
        if next(iter(rule_set.finditer(norm)), None) is not None:
            keys.append("r:phrase:" + name)
    return keys


class Featuriser:
    def __init__(self, weights: Weights = Weights(), use_rules: bool = False):
        self.weights = weights
        self.use_rules = use_rules
        w = weights
        self._weights = np.array([1.0, w.affixes, w.sentences, w.cues, w.rules])

    def vector(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of the L2-normalised feature vector; indices may repeat."""
        text = norm[:MAX_TEXT]
        cache = _cache
        words = [cache.get(w) or _word(w) for w in _WORD.findall(text)[:MAX_WORDS]]
        seq = [_START, *words, _END]
        idx = [w.word for w in seq]
        idx += [a.left ^ b.right for a, b in zip(seq, seq[1:], strict=False)]
        idx += [w.first[n] for n, w in enumerate(words[:3])]
        for w in words:
            idx += w.stem
        plain = len(idx)
        for w in words:
            idx += w.affixes
        affixes = len(idx) - plain
        # What a message does is mostly said in its first sentence, or its last.
        sentences = [s for s in _SENTENCES.split(text) if s.strip()]
        if len(sentences) > 1:
            idx += [(cache.get(w) or _word(w)).sentence0 for w in _WORD.findall(sentences[0])[:SENTENCE_WORDS]]
            idx += [(cache.get(w) or _word(w)).sentence_last for w in _WORD.findall(sentences[-1])[:SENTENCE_WORDS]]
        elif sentences:
            idx += [w.sentence0 for w in words[:SENTENCE_WORDS]]
        in_sentences = len(idx) - plain - affixes
        cues = len(idx)
        idx += _CUES(text)
        idx.append(_LENGTHS[min(len(words).bit_length(), 8)])
        if "?" in text:
            idx.append(_QUESTION)
            if text.rstrip().endswith("?"):
                idx.append(_ENDS_WITH_QUESTION)
        rules = len(idx)
        if self.use_rules:
            idx += [_column(k) for k in _rule_keys(text)]
        values = np.repeat(self._weights, (plain, affixes, in_sentences, rules - cues, len(idx) - rules))
        # Scaled by the norm of the list of values: repeated columns are not merged first (that would
        # cost a sort per message); training builds its matrix from these same values.
        return np.array(idx, dtype=np.int64), values / (float(np.sqrt(values @ values)) or 1.0)
