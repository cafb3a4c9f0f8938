"""Message → a sparse vector of hashed features, the same at training and at inference.

Word unigrams and bigrams (with start and end marks), the first three words by position, the
words of the first and of the last sentence, word stems (the first five letters), word prefixes
and suffixes (three letters, light weight), the cue classes of bot/detector/cues.py, the act of
each clause (bot/detector/acts.py: its subject crossed with its verb's tense or modality, "we
will", "should we", "I merged") and a few shape features (length, question). Each distinct
feature counts once, so a long message does not weigh a repeated word up. Each distinct word is
hashed once (CRC-32 with a salt per role, kept in a bounded cache): its column as a word, as a
first word, in the first sentence…; a bigram's column mixes the columns of its two words. No
vocabulary — and none of the training texts — is stored. The vector is L2-normalised.

The customer-rationale model reads one more thing: whether the rules find a customer named
(bot/customers.py knows the customers of many trades, which the open-source threads the model
learns from hardly name). `customer_named` gives it; it is a column of its own, after the
normalised ones, and only that model has a weight for it.

With `use_rules` (the default), the rules' own reading (their kind, whether they find a customer,
a decline, a decision or request phrase) is a feature too: the hybrid, which is what is shipped.
Grouped cross-validation measures it beside the model alone (bot/detector/data/MODEL.md).
"""

from __future__ import annotations

import functools
import re
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.detector.acts import act_keys
from bot.detector.cues import Columns

BITS = 18
DIMENSIONS = 1 << BITS
CUSTOMER_COLUMN = DIMENSIONS  # the rationale model's extra column: the rules find a customer named
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
    acts: float = 1.0
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
_names: dict[str, int] = {}


def _named_column(key: str) -> int:
    """The column of a named feature (an act, a rule's reading): a small, fixed set, kept."""
    col = _names.get(key)
    if col is None:
        col = _names[key] = _column(key)
    return col

_CUES = Columns(_column)
_LENGTHS = [_column(f"len:{n}") for n in range(9)]
_QUESTION, _ENDS_WITH_QUESTION = _column("s:q"), _column("s:endq")


def customer_named(norm: str) -> bool:
    from bot.detect import find_customer

    return find_customer(norm) is not None


@functools.cache
def _rule_words() -> tuple[str, ...]:
    from bot import decisions as D
    from bot import rules as R

    return tuple(sorted(R.APPROVAL_REQUEST.words | R.APPROVAL.words | D.DECISION.words))


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
    present = R.words_in(norm, _rule_words())  # one pass for both rule sets below
    for name, rule_set in (("decision", D.DECISION), ("request", R.APPROVAL_REQUEST)):
        if next(rule_set.finditer(norm, present), None) is not None:
            keys.append("r:phrase:" + name)
    return keys


def word_keys(norm: str) -> set[int]:
    """A 32-bit hash of each of a normalised message's words (not its punctuation or votes): how a
    model remembers which words it was trained on without keeping the words."""
    return {zlib.crc32(b"k:" + w.encode("utf-8", "surrogatepass"))
            for w in _WORD.findall(norm[:MAX_TEXT])[:MAX_WORDS] if w[0].isalnum()}


class Featuriser:
    def __init__(self, weights: Weights = Weights(), use_rules: bool = True):
        self.weights = weights
        self.use_rules = use_rules
        w = weights
        self._weights = np.array([1.0, w.affixes, w.sentences, w.cues, w.acts, w.rules])

    def vector(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of the L2-normalised feature vector; indices may repeat."""
        text = norm[:MAX_TEXT]
        cache = _cache
        words = [cache.get(w) or _word(w) for w in _WORD.findall(text)[:MAX_WORDS]]
        seq = [_START, *words, _END]
        plain = [w.word for w in seq]
        plain += [a.left ^ b.right for a, b in zip(seq, seq[1:], strict=False)]
        plain += [w.first[n] for n, w in enumerate(words[:3])]
        affixes = []
        for w in words:
            plain += w.stem
            affixes += w.affixes
        # What a message does is mostly said in its first sentence, or its last.
        sentences = [s for s in _SENTENCES.split(text) if s.strip()]
        if len(sentences) > 1:
            in_sentences = [(cache.get(w) or _word(w)).sentence0 for w in _WORD.findall(sentences[0])[:SENTENCE_WORDS]]
            in_sentences += [(cache.get(w) or _word(w)).sentence_last
                             for w in _WORD.findall(sentences[-1])[:SENTENCE_WORDS]]
        else:
            in_sentences = [w.sentence0 for w in words[:SENTENCE_WORDS]] if sentences else []
        cues = list(_CUES(text))
        cues.append(_LENGTHS[min(len(words).bit_length(), 8)])
        if "?" in text:
            cues.append(_QUESTION)
            if text.rstrip().endswith("?"):
                cues.append(_ENDS_WITH_QUESTION)
        acts = [_named_column(k) for k in act_keys(text)] if self.weights.acts else []
        rules = [_named_column(k) for k in _rule_keys(text)] if self.use_rules else []
        groups = [list(dict.fromkeys(g)) for g in (plain, affixes, in_sentences, cues, acts, rules)]
        idx = [i for g in groups for i in g]
        values = np.repeat(self._weights, [len(g) for g in groups])
        # Each group counts a column once; a column two groups share by hashing is not merged first
        # (that would cost a sort per message). Training builds its matrix from these same values.
        return np.array(idx, dtype=np.int64), values / (float(np.sqrt(values @ values)) or 1.0)
