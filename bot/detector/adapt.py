"""Learning from one workspace's answers, without the base training data and without scikit-learn.

The shipped model was fitted on the base data; a workspace's answers ("Not a decision", a
rationale added, "Log as decision", approvals pressed) move its weights only where those answers
say so. The correction Δ is fitted by gradient descent on the answers' log loss plus an L2 penalty
that pulls Δ back to zero — a Gaussian prior centred on the base model, so a handful of answers
nudges the model and never overturns what the base data taught. Only the columns the answers
touch are stored: a workspace's correction is small and numpy alone applies it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.detector.model import KINDS, Model, Scores
from bot.models import Kind
from bot.text import normalise

STRENGTH = 1.0  # the prior's pull towards the base model, per weight
STEPS = 300
RATE = 0.5
MAX_EXAMPLES = 2000  # the newest answers; older ones have been learnt from already
KIND_INDEX = {k.value: n for n, k in enumerate(KINDS)}


@dataclass(frozen=True)
class Answer:
    """One labelled example of a workspace: a message's text and what its answer says it is."""

    text: str
    kind: str
    customer_rationale: bool | None = None
    weight: float = 1.0


@dataclass
class Adaptation:
    columns: np.ndarray  # sorted feature columns the answers touch
    kind_delta: np.ndarray  # len(columns) × 4
    kind_bias_delta: np.ndarray  # 4
    rationale_delta: np.ndarray  # len(columns)
    answers: int
    nudge_delta: np.ndarray | None = None  # len(columns); None: the nudge head is not corrected

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(
            out, columns=self.columns, kind_delta=self.kind_delta.astype(np.float32),
            kind_bias_delta=self.kind_bias_delta, rationale_delta=self.rationale_delta.astype(np.float32),
            answers=np.array([self.answers]),
            nudge_delta=(self.nudge_delta if self.nudge_delta is not None else np.zeros(len(self.columns))).astype(
                np.float32),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Adaptation:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(z["columns"].astype(np.int64), z["kind_delta"].astype(np.float32),
                       z["kind_bias_delta"].astype(np.float64), z["rationale_delta"].astype(np.float32),
                       int(z["answers"][0]),
                       z["nudge_delta"].astype(np.float32) if "nudge_delta" in z.files else None)


class AdaptedModel:
    """The base model with one workspace's correction; scores like a Model."""

    def __init__(self, base: Model, adaptation: Adaptation):
        self.base = base
        self.adaptation = adaptation
        self.thresholds = base.thresholds
        self.candidate = getattr(base, "candidate", None)
        self.featuriser = base.featuriser

    def logits(self, norm: str) -> tuple[np.ndarray, float, float]:
        """The kind, rationale and nudge logits with the workspace's correction."""
        base = self.base
        indices, values = base.featuriser.vector(norm)
        *kinds, r, n = base.raw_logits(indices, values)
        logits = np.array(kinds)
        customer_r, customer_n = base.customer_terms(norm)
        r += customer_r
        n += customer_n
        a = self.adaptation
        if len(a.columns):
            pos = np.minimum(np.searchsorted(a.columns, indices), len(a.columns) - 1)
            hit = a.columns[pos] == indices
            if hit.any():
                logits = logits + values[hit] @ a.kind_delta[pos[hit]]
                r += float(values[hit] @ a.rationale_delta[pos[hit]])
                if a.nudge_delta is not None:
                    n += float(values[hit] @ a.nudge_delta[pos[hit]])
        return logits + a.kind_bias_delta, r, n

    def scores(self, norm: str) -> Scores:
        return self.base.scores_from(*self.logits(norm))

    def knows_a_word(self, norm: str) -> bool:
        return self.base.knows_a_word(norm)


def _design(base: Model, answers: Sequence[Answer]):
    """Dense rows over the touched columns only, and those columns."""
    vectors = [base.featuriser.vector(normalise(a.text)) for a in answers]
    columns = np.unique(np.concatenate([v[0] for v in vectors])) if vectors else np.zeros(0, dtype=np.int64)
    X = np.zeros((len(answers), len(columns)))
    for row, (indices, values) in enumerate(vectors):
        np.add.at(X[row], np.searchsorted(columns, indices), values)
    return X, columns


def adapt(base: Model, answers: Sequence[Answer], strength: float = STRENGTH) -> Adaptation:
    """The correction that fits `answers` (the newest MAX_EXAMPLES), deterministically."""
    answers = [a for a in answers if a.kind in KIND_INDEX and a.text.strip()][-MAX_EXAMPLES:]
    X, columns = _design(base, answers)
    k = len(columns)
    kind_delta = np.zeros((k, 4))
    bias_delta = np.zeros(4)
    rationale_delta = np.zeros(k)
    if not answers:
        return Adaptation(columns, kind_delta, bias_delta, rationale_delta, 0, np.zeros(k))
    w = np.array([a.weight for a in answers])
    y = np.array([KIND_INDEX[a.kind] for a in answers])
    onehot = np.eye(4)[y]
    base_logits = X @ base.kind_weights[columns] + base.kind_bias
    total = w.sum()
    for _ in range(STEPS):
        z = base_logits + X @ kind_delta + bias_delta
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - onehot) * w[:, None] / total
        # The biases stay: answers are about the messages people answered, not about all of chat (a
        # workspace that only ever says "Not a decision" must not turn every decision into chat).
        kind_delta -= RATE * (X.T @ err + strength * kind_delta / total)
    asked_kind = np.array([a.kind in (Kind.DECISION.value, Kind.APPROVAL_REQUEST.value) for a in answers])
    known = np.array([a.customer_rationale is not None for a in answers])
    terms = np.array([base.customer_terms(normalise(a.text)) for a in answers])
    asked = asked_kind & known
    if asked.any():
        yr = np.array([bool(a.customer_rationale) for a in answers], float)[asked]
        base_r = X[asked] @ base.rationale_weights[columns] + base.rationale_bias + terms[asked, 0]
        rationale_delta = _binary_delta(X[asked], yr, w[asked], base_r, strength)
    # Whether to ask: a decision or request naming no customer; unknown where a decision's rationale is.
    labelled = ~asked_kind | known
    yn = np.array([bool(is_asked) and a.customer_rationale is False
                   for is_asked, a in zip(asked_kind, answers, strict=True)], float)[labelled]
    base_n = X[labelled] @ base.nudge_weights[columns] + base.nudge_bias + terms[labelled, 1]
    nudge_delta = _binary_delta(X[labelled], yn, w[labelled], base_n, strength) if labelled.any() else np.zeros(k)
    return Adaptation(columns, kind_delta.astype(np.float32), bias_delta, rationale_delta.astype(np.float32),
                      len(answers), nudge_delta.astype(np.float32))


def _binary_delta(X: np.ndarray, y: np.ndarray, w: np.ndarray, base: np.ndarray, strength: float) -> np.ndarray:
    """The correction of a binary head's weights on the touched columns: log loss plus the prior."""
    delta = np.zeros(X.shape[1])
    total = w.sum()
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(base + X @ delta)))
        delta -= RATE * (X.T @ ((p - y) * w / total) + strength * delta / total)
    return delta
