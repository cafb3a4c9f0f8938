"""The LLM's second opinion on a message, and how it joins the detector's verdict. Pure functions.

Only likely decisions go to the LLM: what the detector calls a decision or an approval request, and
the borderline messages where a decision or request phrase was found but a rule held it back (a
question, a hypothetical, a negation). Text the detector cannot read never leaves.

The model also carries a candidate threshold (its P(decision or request) that 97% of the real
decisions and requests reach in cross-validation). It is not used yet: trained on messages that are
nearly all about decisions, the model ranks everyday chat ("brb 10 min") above that threshold, so
it would send most of a channel; see the model card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot import decisions as D
from bot import rules as R
from bot.detect import PrincipleMatcher, classify
from bot.models import Kind, Principle, Verdict
from bot.text import normalise

ASKED_KINDS = (Kind.DECISION, Kind.APPROVAL_REQUEST)


@dataclass(frozen=True, slots=True)
class Opinion:
    """What the LLM said about one message, already validated."""

    kind: Kind
    customer_rationale: bool | None
    customer: str | None = None
    principles: tuple[str, ...] = ()
    # A question naming the decision ("Who is the customer for moving the launch to Friday, …?").
    question: str | None = None


def candidate(text: str, detector=None) -> str | None:
    """Why the LLM should see `text` ("decision", "approval_request", "borderline"), or None.
    `detector` is the engine's (bot/detector/judge.py); without a model the rules decide."""
    if detector is not None and detector.model is not None:
        verdict = detector.judge(text)
        if verdict.unreadable:
            return None
        if verdict.kind in ASKED_KINDS:
            return verdict.kind.value
        return "borderline" if _held_back(normalise(text)) else None
    norm = normalise(text)
    kind, _ = classify(norm)
    if kind in ASKED_KINDS:
        return kind.value
    if kind == Kind.OTHER and _held_back(norm):
        return "borderline"
    return None


def _held_back(norm: str) -> bool:
    """A decision or request phrase is there, but the rules decided it does not count."""
    for rules in (D.DECISION, R.APPROVAL_REQUEST):
        for _ in rules.finditer(norm):
            return True
    return False


def merge(
    verdict: Verdict, opinion: Opinion, text: str, matcher: PrincipleMatcher, principles: Sequence[Principle]
) -> Verdict:
    """The verdict with the LLM's kind, customer rationale and customer; principles from both.

    The rules' wording is kept, so "Not a decision" still teaches the rules; the nudge follows from
    the merged kind and rationale exactly as it does from the rules' own verdict. The detector's
    probability is kept (it is logged with the row); so is its nudge score where it too called the
    message a decision or request, so each channel's sensitivity still applies. Where only the LLM
    did, there is no score to weigh, and a decision naming no customer is asked about.
    """
    kind = opinion.kind
    if kind not in ASKED_KINDS:
        return Verdict(kind=kind, customer_rationale=None, wording=verdict.wording, probability=verdict.probability)
    rationale = bool(opinion.customer_rationale)
    order = {p.id: n for n, p in enumerate(principles)}
    touched = set(matcher.match(normalise(text), customer=rationale)) | (set(opinion.principles) & set(order))
    return Verdict(
        kind=kind,
        customer_rationale=rationale,
        principles=tuple(sorted(touched, key=order.__getitem__)),
        nudge=not rationale,
        customer=(opinion.customer or verdict.customer) if rationale else None,
        wording=verdict.wording,
        probability=verdict.probability,
        nudge_score=verdict.nudge_score if verdict.kind in ASKED_KINDS else None,
    )
