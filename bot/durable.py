"""The engine's work made durable: an event from the inbox is handled, marked done and whatever it means
to send written to the outbox, all in one transaction. A crash before the commit leaves the event in
the inbox (resumed at start-up) and nothing half-done; after it, the messages wait in the outbox for a
sender (bot/slack/outbox.py, bot/teams/outbox.py) to deliver them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from enum import Enum
from typing import Any

from bot.actions import Action, Approver, Button, Nudge, React, Reminder, TwoWayDoor, UpdateNudge
from bot.engine import Engine
from bot.models import Kind, Message

DEFAULT_KEEP = timedelta(hours=24)  # how long a message is tried before it is given up (NUDGEBOT_OUTBOX_HOURS)
KINDS = {Nudge: "nudge", React: "react", Reminder: "reminder", TwoWayDoor: "door", UpdateNudge: "update"}
_TYPES = {kind: cls for cls, kind in KINDS.items()}


def encode(action: Action) -> dict:
    """An action as JSON-ready data (enums as their values)."""
    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {name: plain(value) for name, value in asdict(action).items()}


def decode(kind: str, data: dict) -> Action:
    """The action `encode` wrote, rebuilt with its nested types."""
    cls = _TYPES[kind]
    known = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in known}
    if "kind" in values:
        values["kind"] = Kind(values["kind"])
    if "buttons" in values:
        values["buttons"] = tuple(Button(**b) for b in values["buttons"])
    if "approvers" in values:
        values["approvers"] = tuple(Approver(**a) for a in values["approvers"])
    for name in ("flags", "signals"):
        if name in values:
            values[name] = tuple(values[name])
    return cls(**values)


@dataclass
class Done:
    """What a piece of work returned (for the front end to show: `Logged`, `Reply`) and the outbox ids of
    what it means to send (for the sender to deliver now)."""

    actions: list[Action] = field(default_factory=list)
    outbox: list[int] = field(default_factory=list)


class Durable:
    """The engine's calls that change the log, each in one transaction with its inbox row and its outbox
    rows. Call them on the engine's thread, like the engine."""

    def __init__(self, engine: Engine, keep: timedelta = DEFAULT_KEEP):
        self.engine = engine
        self.store = engine.store
        self.keep = keep

    def _within(self, platform: str, workspace: str, inbox: int | None, work: Callable[[], list[Action]],
                where: dict | None = None) -> Done:
        with self.store.transaction():
            actions = work()
            done = self._queue(platform, workspace, actions, where)
            if inbox is not None:
                self.store.inbox_done(inbox)
        return done

    def _queue(self, platform: str, workspace: str, actions: list[Action], where: dict | None = None) -> Done:
        done = Done()
        now = self.engine.clock()
        for action in actions:
            kind = KINDS.get(type(action))
            if kind is None:
                done.actions.append(action)
                continue
            target = getattr(action, "platform", platform), getattr(action, "workspace", workspace)
            payload = {"action": encode(action), **({"where": where} if where else {})}
            # A private notice goes to each person it is for as a message of its own, so one that
            # reached some of them is never sent to them again for the sake of the others.
            if isinstance(action, Nudge):  # asked once it is posted (bot/queue_store.py)
                self.store.nudge_waits(platform, workspace, action.decision_id)
            for to in _recipients(action):
                done.outbox.append(self.store.outbox_put(*target, kind, {**payload, **({"to": to} if to else {})},
                                                         now, self.keep, decision_id=_decision_of(action)))
                done.actions.append(action)
        return done

    # -- what arrives ---------------------------------------------------------------------

    def handle(self, message: Message, *, opinion=None, inbox: int | None = None) -> Done:
        return self._within(message.platform, message.workspace, inbox,
                            lambda: self.engine.handle(message, opinion=opinion))

    def edit(self, message: Message, inbox: int | None = None) -> Done:
        return self._within(message.platform, message.workspace, inbox, lambda: self.engine.edit(message))

    def delete(self, platform: str, workspace: str, channel: str, ts: str, inbox: int | None = None) -> Done:
        return self._within(platform, workspace, inbox, lambda: self.engine.delete(platform, workspace, channel, ts))

    def reaction(self, platform: str, workspace: str, channel: str, ts: str, user: str, emoji: str, when,
                 inbox: int | None = None) -> Done:
        return self._within(platform, workspace, inbox, lambda: self.engine.reaction(
            platform, workspace, channel, ts, user, emoji, when))

    def nothing(self, inbox: int | None) -> None:
        """An event with nothing to do (the bot's own message, a kind of event not followed): it goes."""
        if inbox is not None:
            self.store.inbox_done(inbox)

    # -- what people do -------------------------------------------------------------------

    def answer(self, platform: str, workspace: str, decision_id: int, choice: str, user: str,
               rationale: str | None = None, where: dict | None = None) -> Done:
        """A nudge's button (or the rationale form); `where` tells the sender which message to update."""
        return self._within(platform, workspace, None, lambda: self.engine.answer(
            platform, workspace, decision_id, choice, user, rationale=rationale), where=where)

    def log_as_decision(self, message: Message, by: str | None = None) -> Done:
        return self._within(message.platform, message.workspace, None,
                            lambda: self.engine.log_as_decision(message, by=by))

    # -- timers ---------------------------------------------------------------------------

    def due_reminders(self, platform: str | None = None) -> Done:
        """Approval reminders and two-way-door notes due now, marked as sent together with their outbox rows."""
        return self._within(platform or "", "", None, lambda: self.engine.due_reminders(platform=platform))


def _recipients(action: Action) -> tuple[str | None, ...]:
    """Whom each message for `action` goes to: None for a message in the channel (or to the author)."""
    if isinstance(action, Reminder) and action.ephemeral:
        return action.user_ids
    if isinstance(action, TwoWayDoor) and action.ephemeral:
        return (action.requester,)
    return (None,)


def _decision_of(action: Action) -> int | None:
    return getattr(action, "decision_id", None) or getattr(action, "request_id", None)


def with_ids(done: Done) -> list[tuple[int, Action]]:
    """The outbox ids beside the actions they were written for, in order."""
    sendable = [a for a in done.actions if type(a) in KINDS]
    return list(zip(done.outbox, sendable, strict=True))
