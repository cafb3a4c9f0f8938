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
import math
import operator
import re
import zlib
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import numpy as np

from bot.detector.acts import Words, clause_acts, keys_of
from bot.detector.cues import Columns

BITS = 18
DIMENSIONS = 1 << BITS
CUSTOMER_COLUMN = DIMENSIONS  # the rationale model's extra column: the rules find a customer named
_MASK = DIMENSIONS - 1
_WORD = Words("?!:/")  # what `re.compile(r"[a-z0-9_']+|[+\-]1\b|[?!:/]").findall` finds, faster
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
SENTENCE_WORDS = 40
MAX_WORDS = 200
MAX_TEXT = 8000
CACHE_WORDS = 100_000  # distinct words whose columns are kept; the cache starts afresh past this
VALUE_SHAPES = 1_024  # distinct group sizes whose normalised values are kept
CACHE_ACTS = 4_096  # distinct clause acts (and where they stand) whose columns are kept


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
_W, _LEFT, _RIGHT, _SENTENCE0 = (operator.itemgetter(n) for n in (0, 1, 2, 4))
_STEM, _AFFIXES = operator.itemgetter(6), operator.itemgetter(7)


@functools.cache
def _detect():
    # Imported when first used: the rules are only read when a message is (bot.detect is the rules' module).
    from bot import detect, rules

    return detect, rules


def customer_named(norm: str) -> bool:
    return _detect()[0].find_customer(norm) is not None


def _rule_reading(norm: str) -> tuple:
    """What the rules make of a message: their kind, whether they find a customer named or a
    decline, and whether a decision or a request phrase is there at all (counted or not)."""
    detect, rules = _detect()
    kind, _ = detect.classify(norm)
    decision, request = detect.phrases(norm)
    return kind, bool(detect.find_customer(norm)), rules.DECLINE.match(norm) is not None, decision, request


def _keys_of(reading: tuple) -> list[str]:
    kind, customer, decline, decision, request = reading
    keys = ["r:" + kind.value]
    for named, key in ((customer, "r:customer"), (decline, "r:decline"), (decision, "r:phrase:decision"),
                       (request, "r:phrase:request")):
        if named:
            keys.append(key)
    return keys


def _rule_keys(norm: str) -> list[str]:
    return _keys_of(_rule_reading(norm))


_rule_columns_of: dict[tuple, tuple[int, ...]] = {}


def _rule_columns(norm: str) -> tuple[int, ...]:
    """The columns of the rules' reading, each counted once (a few dozen readings are possible)."""
    reading = _rule_reading(norm)
    found = _rule_columns_of.get(reading)
    if found is None:
        found = _rule_columns_of[reading] = tuple(dict.fromkeys(map(_named_column, _keys_of(reading))))
    return found


_act_columns: dict[tuple, tuple[int, ...]] = {}


def _act_columns_of(text: str, sentences: list[str]) -> list[int]:
    """The columns of act_keys(text), each clause's act (and where it stands) looked up once;
    `sentences` are the text's sentences that are not blank."""
    found = clause_acts(text, sentences)
    last = len(found) - 1
    columns: list[int] = []
    for n, act in enumerate(found):
        key = (act, 0 if n == 0 else 2 if n == last else 1)
        known = _act_columns.get(key)
        if known is None:
            if len(_act_columns) >= CACHE_ACTS:
                _act_columns.clear()
            known = _act_columns[key] = tuple(_named_column(k) for k in keys_of(act, n == 0, n == last))
        columns += known
    return columns


def word_key(word: str) -> int:
    """The 32-bit hash by which a model remembers a word it was trained on (see word_keys)."""
    return zlib.crc32(b"k:" + word.encode("utf-8", "surrogatepass"))


def model_words(norm: str) -> list[str]:
    """The words of a normalised message that word_keys hashes (not its punctuation or votes)."""
    return [w for w in _WORD(norm[:MAX_TEXT])[:MAX_WORDS] if w[0].isalnum()]


def word_keys(norm: str) -> set[int]:
    """A 32-bit hash of each of a normalised message's words (not its punctuation or votes): how a
    model remembers which words it was trained on without keeping the words."""
    return set(map(word_key, model_words(norm)))


class Featuriser:
    def __init__(self, weights: Weights = Weights(), use_rules: bool = True):
        self.weights = weights
        self.use_rules = use_rules
        w = weights
        self._weights = np.array([1.0, w.affixes, w.sentences, w.cues, w.acts, w.rules])
        self._scaled: dict[tuple[int, ...], np.ndarray] = {}  # the values of each shape of vector

    def vector(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of the L2-normalised feature vector; indices may repeat. The
        values are read-only: they depend only on the size of each group, and are shared."""
        idx, sizes = self.columns(norm)
        return np.fromiter(idx, dtype=np.int64, count=len(idx)), self._values(tuple(sizes))

    def _values(self, sizes: tuple[int, ...]) -> np.ndarray:
        found = self._scaled.get(sizes)
        if found is None:
            values = np.repeat(self._weights, sizes)
            # Each group counts a column once; a column two groups share by hashing is not merged first
            # (that would cost a sort per message). Training builds its matrix from these same values.
            found = values / (math.sqrt(values @ values) or 1.0)
            found.flags.writeable = False
            if len(self._scaled) >= VALUE_SHAPES:
                self._scaled.clear()
            self._scaled[sizes] = found
        return found

    def columns(self, norm: str) -> tuple[list[int], list[int]]:
        """The columns of each group of features (words, affixes, sentences, cues, acts, rules), each
        group's counted once, one group after another; and how many each group has."""
        text = norm[:MAX_TEXT]
        get = _cache.get
        tokens = _WORD(text)
        words = [get(w) or _word(w) for w in (tokens if len(tokens) <= MAX_WORDS else tokens[:MAX_WORDS])]
        plain = [_START.word, *map(_W, words), _END.word]
        plain += map(operator.xor, [_START.left, *map(_LEFT, words)], [*map(_RIGHT, words), _END.right])
        plain += [w.first[n] for n, w in enumerate(words[:3])]
        plain += chain.from_iterable(map(_STEM, words))
        affixes = list(chain.from_iterable(map(_AFFIXES, words)))
        # What a message does is mostly said in its first sentence, or its last.
        if "\n" in text or "." in text or "!" in text or "?" in text:
            sentences = [s for s in _SENTENCES.split(text) if s.strip()]
        else:
            sentences = [text] if text.strip() else []  # what the split gives when there is nothing to split at
        if len(sentences) > 1:
            in_sentences = [(get(w) or _word(w)).sentence0 for w in _WORD(sentences[0])[:SENTENCE_WORDS]]
            in_sentences += [(get(w) or _word(w)).sentence_last
                             for w in _WORD(sentences[-1])[:SENTENCE_WORDS]]
        else:
            in_sentences = list(map(_SENTENCE0, words[:SENTENCE_WORDS])) if sentences else []
        found = _CUES(text)  # a set: only what is added to it may repeat
        cues = list(found)
        shape = [_LENGTHS[min(len(words).bit_length(), 8)]]
        if "?" in text:
            shape.append(_QUESTION)
            if text.rstrip().endswith("?"):
                shape.append(_ENDS_WITH_QUESTION)
        for column in shape:
            if column not in found:
                found.add(column)
                cues.append(column)
        acts = list(dict.fromkeys(_act_columns_of(text, sentences))) if self.weights.acts else []
        rules = _rule_columns(text) if self.use_rules else ()
        plain, affixes, in_sentences = (list(dict.fromkeys(g)) for g in (plain, affixes, in_sentences))
        return [*plain, *affixes, *in_sentences, *cues, *acts, *rules], [
            len(plain), len(affixes), len(in_sentences), len(cues), len(acts), len(rules)]
