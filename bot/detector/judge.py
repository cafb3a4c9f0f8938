"""The detector the engine and the CLI use: one object that judges a message and knows the
nudge thresholds of each sensitivity. With a model, the verdict is the model's (the rules are
among its features); without one, the rules judge alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.detect import PrincipleMatcher, classify, detect, find_customer
from bot.detector.model import ASKED, LOG_THRESHOLD, Model
from bot.detector.readable import unreadable
from bot.models import Kind, Principle, Sensitivity, Verdict
from bot.text import normalise

_NOTHING = object()  # no message judged yet


class Detector:
    def __init__(
        self,
        principles: Sequence[Principle],
        thresholds: Mapping[Sensitivity, float] | None = None,
        model: Model | None = None,
    ):
        self.matcher_principles = tuple(principles)
        self.matcher = PrincipleMatcher(self.matcher_principles)
        self.model = model
        # The probability from which a message goes to the LLM, when one is configured (None: the rules choose).
        self.candidate: float | None = model.candidate if model is not None else None
        # Nudge-score thresholds per sensitivity; empty when only the rules judge.
        self.thresholds: Mapping[Sensitivity, float] = dict(
            thresholds if thresholds is not None else (model.thresholds if model else {})
        )
        self._last: tuple[object, Verdict | None] = (_NOTHING, None)

    def judge(self, text: str) -> Verdict:
        # The same message judged again (an import follows an edit right after handling it): the
        # same string object, so the same verdict.
        if text is self._last[0]:
            return self._last[1]
        verdict = self._judge(text)
        self._last = (text, verdict)
        return verdict

    def _judge(self, text: str) -> Verdict:
        reason = unreadable(text)
        if reason:  # not English, or mostly code, links or a paste: never guessed at, never asked about
            return Verdict(kind=Kind.OTHER, customer_rationale=None, unreadable=reason)
        if self.model is None:
            return detect(text, self.matcher)
        norm = normalise(text)
        scores = self.model.scores(norm)
        kind = scores.kind
        if kind in ASKED and scores.logged < LOG_THRESHOLD:
            kind = Kind.OTHER  # below the logging threshold: not logged, never asked about
        elif kind is not Kind.OTHER and not self.model.knows_a_word(norm):
            kind = Kind.OTHER  # only words it never learned ("brb" in a request's thread approves nothing)
        if kind not in ASKED:
            return Verdict(kind=kind, customer_rationale=None, probability=scores.logged, nudge_score=0.0)
        rationale = scores.rationale >= 0.5
        rules_kind, wording = classify(norm)
        nudge_score = scores.nudge
        threshold = self.thresholds.get(Sensitivity.NORMAL, 0.0)
        return Verdict(
            kind=kind,
            customer_rationale=rationale,
            principles=self.matcher.match(norm, customer=rationale),
            nudge=not rationale and nudge_score >= threshold,
            customer=find_customer(norm) if rationale else None,
            wording=wording if rules_kind == kind else None,
            probability=scores.logged,
            nudge_score=nudge_score,
        )

    def asks(self, verdict: Verdict, sensitivity: Sensitivity = Sensitivity.NORMAL) -> bool:
        """Whether the bot asks about this verdict at this sensitivity. `verdict.nudge` is the answer
        at the normal one; a decision or request naming no customer is asked about at another
        sensitivity when its nudge score reaches that sensitivity's threshold."""
        if verdict.unreadable or verdict.customer_rationale is not False:
            return False
        if verdict.nudge_score is None or sensitivity not in self.thresholds:
            return verdict.nudge
        return verdict.nudge_score >= self.thresholds[sensitivity]
