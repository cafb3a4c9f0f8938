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
# Under an approval reminder: an approver answers with a press, as with a reply in the thread.
REQUEST_BUTTONS = (Button("approve_request", "Approve"), Button("decline_request", "Decline"))
REQUEST_ANSWERS = {"approve_request": "approve", "decline_request": "decline"}


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
    # An approval request's two-way-door note that waits, and until when ("until working hours, …").
    door_held: str | None = None


@dataclass(frozen=True, slots=True)
class Approver:
    """Someone an approval request waits for: a person, a user group, or a team named in words."""

    kind: str  # user (a platform user id, or a Teams display name) | group (a user-group id) | team ("legal")
    id: str
    label: str | None = None  # a display name, when the message gave one

    @property
    def mention(self) -> str:
        """In the engine's markup, as in every action's text: `<@U1>`, `<!subteam^S1>`, or the team's name."""
        if self.kind == "user":
            return f"<@{self.id}>"
        if self.kind == "group":
            return f"<!subteam^{self.id}>"
        return self.id


@dataclass(frozen=True, slots=True)
class ApprovalNotice:
    """Something said in an approval request's thread. It may come from a timer
    (`Engine.due_reminders`) rather than from a message, so it names its own platform and workspace."""

    request_id: int
    platform: str
    workspace: str
    channel: str
    thread: str  # the request's thread: the message to reply under
    requester: str


@dataclass(frozen=True, slots=True)
class Reminder(ApprovalNotice):
    """Remind the approvers an approval request is still waiting for, in the request's thread.

    `text` mentions `approvers` in the engine's markup; a platform that builds its mentions
    differently (Teams) builds them from `approvers`.
    """

    approvers: tuple[Approver, ...]  # still waited for; empty when the request named nobody
    flags: tuple[str, ...]  # why, e.g. ("waiting_too_long", "too_many_approvers")
    text: str
    ephemeral: bool = False  # the channel chose private messages: one to each approver who is a person
    buttons: tuple[Button, ...] = REQUEST_BUTTONS

    @property
    def user_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.approvers if a.kind == "user")


@dataclass(frozen=True, slots=True)
class TwoWayDoor(ApprovalNotice):
    """Tell a requester, in the request's thread, that what they ask approval for looks reversible."""

    signals: tuple[str, ...]  # the words that made it look reversible ("behind a flag", "a/b test")
    text: str
    ephemeral: bool = False  # the channel chose private messages: only the requester sees it


Action = Nudge | React | Reply | UpdateNudge | Logged | Reminder | TwoWayDoor
