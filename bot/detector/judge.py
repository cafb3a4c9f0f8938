"""The detector the engine and the CLI use: one object that judges a message and knows the
nudge thresholds of each sensitivity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.detect import PrincipleMatcher, detect
from bot.models import Principle, Sensitivity, Verdict


class Detector:
    def __init__(self, principles: Sequence[Principle], thresholds: Mapping[Sensitivity, float] | None = None):
        self.matcher = PrincipleMatcher(tuple(principles))
        # Nudge-score thresholds per sensitivity; empty when only the rules judge.
        self.thresholds: Mapping[Sensitivity, float] = dict(thresholds or {})

    def judge(self, text: str) -> Verdict:
        return detect(text, self.matcher)

    def asks(self, verdict: Verdict, sensitivity: Sensitivity = Sensitivity.NORMAL) -> bool:
        """Whether the bot asks about this verdict at this sensitivity. `verdict.nudge` is the answer
        at the normal one; a decision or request naming no customer is asked about at another
        sensitivity when its nudge score reaches that sensitivity's threshold."""
        if verdict.unreadable or verdict.customer_rationale is not False:
            return False
        if verdict.nudge_score is None or sensitivity not in self.thresholds:
            return verdict.nudge
        return verdict.nudge_score >= self.thresholds[sensitivity]
