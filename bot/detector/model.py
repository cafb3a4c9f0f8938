"""The trained linear model: weights for the four kinds, for customer rationale and for whether to
ask (a decision or request naming no customer), their calibration, and the nudge thresholds of
each sensitivity. Inference is numpy only.

Stored as one compressed .npz (weights as float16) beside a model card (MODEL.md); the
shipped one is package data in bot/detector/data/.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from bot.detector.features import DIMENSIONS, Featuriser, Weights, customer_named, model_words, word_key
from bot.models import Kind, Sensitivity

KINDS = (Kind.DECISION, Kind.APPROVAL_REQUEST, Kind.APPROVAL, Kind.OTHER)
ASKED = (Kind.DECISION, Kind.APPROVAL_REQUEST)
# A decision or request is logged (and can be asked about) only when it is more likely one than not,
# so what the digest lists stays clean (grouped CV: logged precision 0.756 -> 0.768 for 0.017 recall).
LOG_THRESHOLD = 0.5
MODEL_FILE = "model.npz"
FORMAT = 2  # 2: clause acts and word columns (features.py), the nudge head


class ModelError(Exception):
    """A model file that cannot be used (missing, corrupt, another format)."""


@dataclass(frozen=True, slots=True)
class Scores:
    """What the model says of one message."""

    kinds: dict[Kind, float]  # calibrated probability of each kind
    kind: Kind  # the kind it decides on (class-balanced: a rare kind is not drowned by `other`)
    rationale: float  # calibrated P(the message names its customer and how it helps them)
    nudge: float  # calibrated P(a decision or request that does not name its customer): whether to ask

    @property
    def logged(self) -> float:
        """P(a decision or an approval request)."""
        return self.kinds[Kind.DECISION] + self.kinds[Kind.APPROVAL_REQUEST]


@dataclass
class Model:
    kind_weights: np.ndarray  # DIMENSIONS × 4
    kind_bias: np.ndarray  # 4
    rationale_weights: np.ndarray  # DIMENSIONS
    rationale_bias: float
    nudge_weights: np.ndarray  # DIMENSIONS: the head that says whether to ask
    nudge_bias: float
    # Calibration: probabilities are softmax((logits + shift) / temperature).
    kind_temperature: float = 1.0
    kind_shift: np.ndarray = field(default_factory=lambda: np.zeros(4))
    rationale_temperature: float = 1.0
    rationale_shift: float = 0.0
    nudge_temperature: float = 1.0
    nudge_shift: float = 0.0
    thresholds: dict[Sensitivity, float] = field(default_factory=dict)
    candidate: float | None = None  # P(decision or request) from which a message is worth an LLM's look
    weights: Weights = field(default_factory=Weights)
    use_rules: bool = True
    # Added to the rationale and nudge logits of a decision or request in which the rules find a customer named.
    rationale_customer: float = 0.0
    nudge_customer: float = 0.0
    # Sorted hashes of the words it was trained on (features.word_keys); None: not known, no guard.
    known_words: np.ndarray | None = None

    def __post_init__(self):
        self.featuriser = Featuriser(self.weights, self.use_rules)
        # The heads in one table, so a message's columns are looked up once; the attributes are views of it.
        stacked = np.empty((len(self.rationale_weights), 6), dtype=np.float32)
        stacked[:, :4] = self.kind_weights
        stacked[:, 4] = self.rationale_weights
        stacked[:, 5] = self.nudge_weights
        self._stacked = stacked
        self.kind_weights, self.rationale_weights, self.nudge_weights = stacked[:, :4], stacked[:, 4], stacked[:, 5]
        self._bias = np.array([*self.kind_bias, self.rationale_bias, self.nudge_bias])
        self._shift = [float(x) for x in self.kind_shift]
        self._known: frozenset[int] | None = None  # known_words as a set, made when first asked

    def scores(self, norm: str) -> Scores:
        """The scores of a normalised message. Its rationale and nudge count the rules' customer
        finding only when the message is a decision or request: where they are read."""
        *logits, r, n = self.raw_logits(*self.featuriser.vector(norm))
        if KINDS[logits.index(max(logits))] in ASKED and customer_named(norm):
            r += self.rationale_customer
            n += self.nudge_customer
        return self.scores_from(logits, r, n)

    def knows_a_word(self, norm: str) -> bool:
        """Whether the model learned anything of at least one of the message's words, or the message
        has none to learn from ("+1", an emoji). A message made only of words it never saw ("brb",
        "ttyl") leaves it guessing from length and position alone."""
        if self.known_words is None:
            return True
        words = model_words(norm)
        if not words:
            return True
        if self._known is None:
            self._known = frozenset(self.known_words.tolist())
        known = self._known
        return any(word_key(w) in known for w in words)

    def raw_logits(self, indices: np.ndarray, values: np.ndarray) -> list[float]:
        """The four kind logits, then the rationale's and the nudge's, of a feature vector (no customer terms)."""
        return (np.dot(values, self._stacked.take(indices, axis=0)) + self._bias).tolist()

    def customer_terms(self, norm: str) -> tuple[float, float]:
        """What the rules' finding a customer named adds to the rationale and nudge logits."""
        return (self.rationale_customer, self.nudge_customer) if customer_named(norm) else (0.0, 0.0)

    def scores_from(self, logits: Sequence[float], rationale_logit: float, nudge_logit: float) -> Scores:
        """Scores from raw logits: the kind with the highest one, and calibrated probabilities."""
        logits = [float(x) for x in logits]
        kind = KINDS[logits.index(max(logits))]
        t = self.kind_temperature
        calibrated = [(x + s) / t for x, s in zip(logits, self._shift, strict=True)]
        top = max(calibrated)
        exps = [math.exp(x - top) for x in calibrated]
        total = sum(exps)
        return Scores(
            dict(zip(KINDS, [e / total for e in exps], strict=True)),
            kind,
            _sigmoid((rationale_logit + self.rationale_shift) / self.rationale_temperature),
            _sigmoid((nudge_logit + self.nudge_shift) / self.nudge_temperature),
        )

    # -- files ----------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        meta = {
            "format": FORMAT,
            "dimensions": DIMENSIONS,
            "kinds": [k.value for k in KINDS],
            "rationale_bias": self.rationale_bias,
            "kind_temperature": self.kind_temperature,
            "kind_shift": [float(x) for x in self.kind_shift],
            "rationale_temperature": self.rationale_temperature,
            "rationale_shift": self.rationale_shift,
            "nudge_bias": self.nudge_bias,
            "nudge_temperature": self.nudge_temperature,
            "nudge_shift": self.nudge_shift,
            "nudge_customer": self.nudge_customer,
            "thresholds": {s.value: t for s, t in self.thresholds.items()},
            "candidate": self.candidate,
            "weights": dataclasses.asdict(self.weights),
            "use_rules": self.use_rules,
            "rationale_customer": self.rationale_customer,
        }
        with open(path, "wb") as out:
            np.savez_compressed(
                out,
                kind_weights=self.kind_weights.astype(np.float16),
                kind_bias=self.kind_bias.astype(np.float64),
                rationale_weights=self.rationale_weights.astype(np.float16),
                nudge_weights=self.nudge_weights.astype(np.float16),
                meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
                **({} if self.known_words is None else {"known_words": self.known_words.astype(np.uint32)}),
            )

    @classmethod
    def load(cls, path: Path | None = None) -> Model:
        """The model at `path`, or the shipped one."""
        try:
            if path is None:
                with resources.files("bot.detector").joinpath("data", MODEL_FILE).open("rb") as f:
                    return cls._read(f)
            with open(path, "rb") as f:
                return cls._read(f)
        except FileNotFoundError:
            raise ModelError(f"{path or MODEL_FILE}: no such model file") from None
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path or MODEL_FILE}: not a Nudgebot model ({exc})") from None

    @classmethod
    def _read(cls, stream) -> Model:
        with np.load(stream, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != FORMAT or meta.get("dimensions") != DIMENSIONS:
                raise ValueError(f"format {meta.get('format')} with {meta.get('dimensions')} columns; this version"
                                 f" reads format {FORMAT} with {DIMENSIONS}: train it again with `nudgebot train`")
            return cls(
                kind_weights=np.ascontiguousarray(data["kind_weights"], dtype=np.float32),
                kind_bias=data["kind_bias"].astype(np.float64),
                known_words=data["known_words"].astype(np.uint32) if "known_words" in data.files else None,
                rationale_weights=data["rationale_weights"].astype(np.float32),
                rationale_bias=float(meta["rationale_bias"]),
                kind_temperature=float(meta["kind_temperature"]),
                kind_shift=np.asarray(meta["kind_shift"], dtype=np.float64),
                rationale_temperature=float(meta["rationale_temperature"]),
                rationale_shift=float(meta["rationale_shift"]),
                nudge_weights=data["nudge_weights"].astype(np.float32),
                nudge_bias=float(meta["nudge_bias"]),
                nudge_temperature=float(meta["nudge_temperature"]),
                nudge_shift=float(meta["nudge_shift"]),
                nudge_customer=float(meta["nudge_customer"]),
                thresholds={Sensitivity(k): float(v) for k, v in meta["thresholds"].items()},
                candidate=meta.get("candidate"),
                weights=Weights(**meta["weights"]),
                use_rules=bool(meta["use_rules"]),
                rationale_customer=float(meta.get("rationale_customer", 0.0)),
            )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


@functools.cache
def shipped_model() -> Model:
    """The model shipped as package data, read once per process (it is never changed in place)."""
    return Model.load()
