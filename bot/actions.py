"""What the engine asks a front end to do. Plain data; each platform renders it in one module."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Kind


@dataclass(frozen=True, slots=True)
class Button:
    action: str  # add_rationale | not_customer_facing | not_a_decision | mute
    label: str


NUDGE_BUTTONS = (
    Button("add_rationale", "Add customer rationale"),
    Button("not_customer_facing", "Not customer-facing"),
    Button("not_a_decision", "Not a decision"),
    Button("mute", "Mute in this channel"),
)
ANSWERS = tuple(b.action for b in NUDGE_BUTTONS)


@dataclass(frozen=True, slots=True)
class Nudge:
    """Ask the customer question under a message (in its thread, or ephemerally to its author)."""

    decision_id: int
    channel: str
    thread: str
    author: str
    kind: Kind
    text: str
    ephemeral: bool = False
    buttons: tuple[Button, ...] = NUDGE_BUTTONS


@dataclass(frozen=True, slots=True)
class React:
    """Mark a message as logged without saying anything."""

    channel: str
    ts: str
    emoji: str = "memo"


@dataclass(frozen=True, slots=True)
class Reply:
    """Answer a command or a button. `markdown` is the body; ephemeral means only the caller sees it."""

    markdown: str
    ephemeral: bool = True
    title: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateNudge:
    """Replace a nudge's question (and buttons) with the outcome of an answer."""

    decision_id: int
    text: str
    # Words a person typed that `text` repeats, so a platform can escape them where it must.
    quoted: str | None = None


@dataclass(frozen=True, slots=True)
class Logged:
    """For front ends that show their work (the console): what was logged, and any nudge held back."""

    decision_id: int
    kind: Kind
    customer_rationale: bool
    held: str | None = None
    updated: bool = False


Action = Nudge | React | Reply | UpdateNudge | Logged
