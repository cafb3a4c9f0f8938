"""Plain value types shared by every part of the bot. No SDK objects, ever."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    DM = "dm"


class Sensitivity(StrEnum):
    """How readily the bot asks: quiet asks only when very sure (precision >= 0.90 in
    cross-validation), normal at precision >= 0.80, eager asks more often for more recall."""

    QUIET = "quiet"
    NORMAL = "normal"
    EAGER = "eager"


class Kind(StrEnum):
    DECISION = "decision"
    APPROVAL_REQUEST = "approval_request"
    APPROVAL = "approval"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message as every front end hands it to the engine.

    `ts` identifies the message within its channel (Slack `ts`, Teams activity id);
    `thread` is the id of the thread's first message (equal to `ts` for a top-level one);
    `time` is when the person wrote it, as the platform says, timezone-aware.
    """

    platform: str
    workspace: str
    channel: str
    visibility: Visibility
    thread: str
    ts: str
    author: str
    text: str
    time: datetime
    event_id: str | None = None
    permalink: str | None = None
    channel_name: str | None = None
    author_name: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread != self.ts


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    customer_rationale: bool | None
    principles: tuple[str, ...] = ()
    nudge: bool = False
    # A short phrase naming the customer when the text states one ("customers", "busy parents").
    customer: str | None = None
    # The words that made it a decision or request ("going with"); dismissals are kept by wording.
    wording: str | None = None
    # The model's probability that this is a decision or an approval request (None: rules only).
    probability: float | None = None
    # The model's probability that this is a decision or request naming no customer: the bot asks
    # when it reaches the channel's sensitivity threshold (None: rules only, `nudge` decides).
    nudge_score: float | None = None
    # Why the detector cannot judge this text ("not English", "mostly code"); such text is never nudged.
    unreadable: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind.value,
            "customer_rationale": self.customer_rationale,
            "principles": list(self.principles),
            "nudge": self.nudge,
        }


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command (`/prfaq IDEA`) or its Teams equivalent, already split from its text."""

    platform: str
    workspace: str
    channel: str
    visibility: Visibility
    user: str
    name: str
    text: str
    time: datetime
    thread: str | None = None
    channel_name: str | None = None


@dataclass(frozen=True, slots=True)
class Principle:
    id: str
    name: str
    summary: str
    question: str
    signals: tuple[str, ...] = field(default_factory=tuple)


FOREVER = "forever"


def iso(moment: datetime) -> str:
    """UTC, microseconds, fixed width: sorts the same as a string and as a time."""
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    muted_until: str | None = None  # ISO time, FOREVER, or None
    muted_by: str | None = None
    ephemeral: bool = False
    approval_nudges: bool = True
    sensitivity: Sensitivity | None = None  # None: the workspace's default

    def muted_at(self, now: datetime) -> bool:
        if not self.muted_until:
            return False
        return self.muted_until == FOREVER or self.muted_until > iso(now)
