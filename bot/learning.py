"""Learning from each workspace: the answers people give become labelled examples of that workspace.

"Not a decision", "Not customer-facing", a rationale added, "Log as decision", `/decision` and the
Approve/Decline buttons each say something about the text of the message they answer. Each is kept in
the workspace's own log (bot/example_store.py), with that message's words as they were logged — never
the rationale the person typed — and only while the message still has them. No SQL here.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.detector.adapt import Adaptation, AdaptedModel, Answer, adapt
from bot.detector.judge import Detector
from bot.models import Kind, Message, Verdict
from bot.store import Store

# How `/nudgebot status` names each answer.
NAMES = {
    "not_a_decision": "not a decision",
    "not_customer_facing": "not customer-facing",
    "add_rationale": "rationale added",
    "log_as_decision": "logged as decision",
    "decision_command": "/decision",
    "approve": "approved",
    "decline": "declined",
}
EXPLICIT = ("log_as_decision", "decision_command")


def label(row: dict, answer: str, judged: Verdict | None = None) -> tuple[str, int | None] | None:
    """What an answer says about its message's text: (kind, customer rationale 1/0, None when it says
    nothing about it); None for an answer that teaches nothing (a mute)."""
    if answer == "not_a_decision":
        return Kind.OTHER, None
    if answer == "not_customer_facing":  # confirms the kind; silent on the rationale
        return row["kind"], None
    if answer == "add_rationale":  # the message lacked one: the question was right
        return row["kind"], 0
    if answer in EXPLICIT:  # someone said it is a decision; the rationale is the one read in its text
        return Kind.DECISION, int(bool(judged and judged.customer_rationale))
    if answer in ("approve", "decline"):
        # A rationale added later says the text itself had none, whatever the row now says.
        return Kind.APPROVAL_REQUEST, 0 if row.get("rationale") is not None else row["customer_rationale"]
    return None


def keep(store: Store, row: dict | None, answer: str, user: str | None, now: datetime,
         judged: Verdict | None = None) -> bool:
    """Keep `answer` to the logged `row` as an example of its workspace; False when it teaches nothing
    (no row, no text left, an answer that says nothing) or the same answer was kept before."""
    if row is None or not row.get("text"):
        return False
    labelled = label(row, answer, judged)
    if labelled is None:
        return False
    kind, rationale = labelled
    return store.record_example(
        row["platform"], row["workspace"], row["id"], row["text"], kind, rationale, answer, user, now
    )


def keep_logged(store: Store, message: Message, decision_id: int, answer: str, by: str | None, now: datetime,
                judged: Verdict | None = None) -> bool:
    """`keep` for the logged row of `message`, answered `by` someone (else by its author)."""
    row = store.get(message.platform, message.workspace, decision_id)
    return keep(store, row, answer, by or message.author, now, judged)


def status_lines(store: Store, platform: str, workspace: str) -> list[str]:
    """`/nudgebot status`'s line on what this workspace has taught the bot; none when nothing yet."""
    counts = store.example_counts(platform, workspace)
    if not counts:
        return []
    parts = ", ".join(f"{counts[a]} {NAMES[a]}" for a in NAMES if counts.get(a))
    return [f"Answers kept to learn from in this workspace: {sum(counts.values())} ({parts})."]


def answers_of(store: Store, platform: str, workspace: str) -> list[Answer]:
    """The workspace's examples as answers to learn from: the latest answer per message wins."""
    latest: dict = {}
    for row in store.examples(platform, workspace):
        key = row["decision_id"] if row["decision_id"] is not None else ("example", row["id"])
        latest.pop(key, None)  # re-inserted at the end: oldest first, newest answer per message
        rationale = row["customer_rationale"]
        latest[key] = Answer(row["text"], row["kind"], None if rationale is None else bool(rationale))
    return list(latest.values())


def base_id(detector: Detector) -> str:
    """Which base model a correction was fitted to: a correction of another base is not used."""
    model = detector.model
    if model is None:
        return "rules"
    return hashlib.sha256(model.kind_weights[:4096].tobytes()).hexdigest()[:16]


class WorkspaceDetectors:
    """The detector for each workspace: the base one, corrected by what that workspace's answers taught.
    Workspaces never share a correction."""

    def __init__(self, store: Store, base: Detector):
        self.store = store
        self.base = base
        self._cache: dict[tuple[str, str], Detector] = {}

    def detector(self, platform: str | None, workspace: str | None) -> Detector:
        if platform is None or workspace is None or self.base.model is None:
            return self.base
        key = (platform, workspace)
        if key not in self._cache:
            self._cache[key] = self._load(platform, workspace)
        return self._cache[key]

    def _load(self, platform: str, workspace: str) -> Detector:
        row = self.store.workspace_model(platform, workspace)
        if row is None or row["base"] != base_id(self.base):
            return self.base
        adapted = AdaptedModel(self.base.model, Adaptation.from_bytes(row["model"]))
        return Detector(self.base.matcher_principles, model=adapted)

    def refit(self, platform: str, workspace: str, now: datetime) -> int:
        """Refit the workspace's correction from all its answers; how many it learnt from."""
        if self.base.model is None:
            return 0
        answers = answers_of(self.store, platform, workspace)
        adaptation = adapt(self.base.model, answers)
        self.store.save_workspace_model(platform, workspace, adaptation.to_bytes(), adaptation.answers,
                                        base_id(self.base), now)
        self._cache.pop((platform, workspace), None)
        return adaptation.answers

    def refit_due(self, now: datetime) -> list[tuple[str, str, int]]:
        """The nightly job: every workspace with answers newer than its model."""
        return [(p, w, self.refit(p, w, now)) for p, w in self.store.workspaces_to_refit()]

    def forget_cached(self) -> None:
        """Models another process refitted are read again on the next message."""
        self._cache.clear()
