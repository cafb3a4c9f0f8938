"""Message → a sparse vector of hashed features, the same at training and at inference.

Word unigrams and bigrams (with start and end marks), the first three words by position, the
words of the first and of the last sentence, word stems, byte
3–5-grams of the normalised text (light weight), the cue classes of bot/detector/cues.py, a few
shape features (length, question), and the rules' own reading (their kind, whether they found a
customer): the hybrid is the model with the rules as features. Everything is hashed into
`DIMENSIONS` columns with CRC-32 (words) and a fixed multiplicative hash (byte n-grams), so no
vocabulary — and none of the training texts — is stored. The vector is L2-normalised.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from bot import decisions as D
from bot import rules as R
from bot.detect import classify, find_customer
from bot.detector.cues import cue_features

DIMENSIONS = 1 << 18
_MASK = DIMENSIONS - 1
_WORD = re.compile(r"[a-z0-9_']+|[+\-]1\b|[?!:/]")
_SPACE = re.compile(r"\s+")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
SENTENCE_WORDS = 40
MAX_WORDS = 200
MAX_CHARS = 600  # byte n-grams read the start of a message; a decision is stated early
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - 18)


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each group of features counts before the vector is normalised."""

    chars: float = 0.3
    cues: float = 0.5
    rules: float = 2.0
    sentences: float = 0.7


def _hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & _MASK


def _byte_grams(text: str) -> np.ndarray:
    """Hashes of every 3-, 4- and 5-byte window, each n-gram grown from the one before it."""
    data = np.frombuffer((" " + text + " ").encode("utf-8", "surrogatepass"), dtype=np.uint8).astype(np.uint64)
    size = len(data)
    if size < 3:
        return np.zeros(0, dtype=np.int64)
    parts = []
    with np.errstate(over="ignore"):
        h = (data[:-2] * _PRIME + data[1:-1]) * _PRIME + data[2:]
        for n in (3, 4, 5):
            if n > 3:
                if size < n:
                    break
                h = h[:-1] * _PRIME + data[n - 1 :]
            parts.append(((h + np.uint64(n)) * _MIX) >> _SHIFT)
    return np.concatenate(parts).astype(np.int64)


class Featuriser:
    def __init__(self, weights: Weights = Weights(), use_rules: bool = True):
        self.weights = weights
        self.use_rules = use_rules

    def keys(self, norm: str) -> tuple[list[str], list[str]]:
        """The named features of a normalised message: (word-level keys, cue/rule keys)."""
        words = _WORD.findall(norm[:8000])[:MAX_WORDS]
        seq = ["<s>", *words, "</s>"]
        keys = ["w:" + w for w in seq]
        keys += ["b:" + a + " " + b for a, b in zip(seq, seq[1:], strict=False)]
        keys += [f"f{n}:{w}" for n, w in enumerate(words[:3])]
        keys += ["p:" + w[:5] for w in words if len(w) > 5]  # a stem of sorts: approv(e|ed|al), decisi(on|ve)
        keys.append(f"len:{min(len(words).bit_length(), 8)}")
        if "?" in norm:
            keys.append("s:q")
        if norm.rstrip().endswith("?"):
            keys.append("s:endq")
        # What a message does is mostly said in its first sentence, or its last.
        sentences = [s for s in _SENTENCES.split(norm[:8000]) if s.strip()]
        if sentences:
            keys += ["s0:" + w for w in _WORD.findall(sentences[0])[:SENTENCE_WORDS]]
        if len(sentences) > 1:
            keys += ["sL:" + w for w in _WORD.findall(sentences[-1])[:SENTENCE_WORDS]]
        extra = sorted(cue_features(norm))
        rules: list[str] = []
        if self.use_rules:
            kind, _ = classify(norm)
            rules.append("r:" + kind.value)
            if find_customer(norm):
                rules.append("r:customer")
            if R.DECLINE.match(norm):
                rules.append("r:decline")
            for name, rule_set in (("decision", D.DECISION), ("request", R.APPROVAL_REQUEST)):
                for _ in rule_set.finditer(norm):
                    rules.append("r:phrase:" + name)
                    break
        return keys, extra + rules

    def vector(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of the L2-normalised feature vector; indices may repeat."""
        words, extra = self.keys(norm)
        w = self.weights
        idx = [_hash(k) for k in words]
        val = [w.sentences if k[:3] in ("s0:", "sL:") else 1.0 for k in words]
        for k in extra:
            idx.append(_hash(k))
            val.append(w.rules if k.startswith("r:") else w.cues)
        grams = _byte_grams(_SPACE.sub(" ", norm[:MAX_CHARS]))
        indices = np.concatenate([np.asarray(idx, dtype=np.int64), grams])
        values = np.concatenate([np.asarray(val), np.full(len(grams), w.chars)])
        # Scaled by the norm of the list of values: repeated columns are not merged first (that would
        # cost a sort per message); training builds its matrix from these same values.
        return indices, values / (float(np.sqrt(values @ values)) or 1.0)
