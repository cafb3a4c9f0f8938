"""What the bot says about approval requests: a note to the requester of a two-way door, and a
reminder to the approvers of a request past its SLA.

Nobody hears from it outside working hours, in quiet hours, in a muted channel or in one that
turned off questions on approval requests. Each note and reminder is claimed in the log before it
is handed to a front end, so a restart or a second process never sends one twice.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot import policy
from bot.actions import Action, Approver, Logged, Nudge, Reminder, TwoWayDoor
from bot.approvals import FLAGS, Approvals, Tracked
from bot.models import ChannelSettings, Message, iso
from bot.prompts import Prompts

OPEN_REQUESTS = (
    "FROM approval_requests r JOIN decisions d ON d.id = r.decision_id "
    "WHERE d.kind = 'approval_request' AND d.approval_state = 'open' AND d.status = 'active'"
)


def hours(value: float) -> str:
    """`26 working hours`, `1 working hour`, `2.5 working hours`."""
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} working hour{'' if shown == '1' else 's'}"


def names(approvers: list[Approver]) -> str:
    """`<@U1>`, `<@U1> and legal`, `<@U1>, <@U2> and legal`."""
    mentions = [a.mention for a in approvers]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " and " + mentions[-1]


class Notices:
    def __init__(self, approvals: Approvals, prompts: Prompts, politeness: policy.Politeness):
        self.approvals = approvals
        self.store = approvals.store
        self.rules = approvals.rules
        self.prompts = prompts
        self.politeness = politeness

    @property
    def db(self) -> Database:
        return self.store.db  # the calling thread's connection, as in Approvals

    def with_door_note(self, actions: list[Action], message: Message, text: str, posting: bool = True) -> list[Action]:
        """`actions` for a new request, plus its two-way-door note. When the bot also asks the customer
        question, the note joins that message: one message from the bot in the thread, not two."""
        notes = self.opened(message, text, posting)
        if posting and not any(isinstance(a, TwoWayDoor) for a in notes):
            actions = [self._with_door_hold(a, message) if isinstance(a, Logged) else a for a in actions]
        nudge = next((a for a in actions if isinstance(a, Nudge)), None)
        door = next((a for a in notes if isinstance(a, TwoWayDoor)), None)
        if nudge is None or door is None or nudge.ephemeral != door.ephemeral:
            return actions + notes
        joined = replace(nudge, text=f"{nudge.text}\n\n{door.text}")
        return [joined if a is nudge else a for a in actions] + [a for a in notes if a is not door]

    def _with_door_hold(self, logged: Logged, message: Message) -> Logged:
        """`logged`, saying when its request's two-way-door note will come if it was held back."""
        request = self.approvals.tracked(message.platform, message.workspace, logged.decision_id)
        if request is None or request.door_note != "pending":
            return logged
        now = self.approvals.clock()
        if policy.in_quiet_hours(now, self.politeness):
            held = "until quiet hours end"
        elif not self.rules.work.is_working(now):
            held = f"until working hours, {self.rules.work.describe()}"
        else:
            settings = self.store.channel_settings(request.platform, request.workspace, request.channel)
            held = "while the channel is muted" if settings.muted_at(now) else (
                "while this channel has questions on approval requests turned off"
                if not settings.approval_nudges else None)
        return replace(logged, door_held=held) if held else logged

    def opened(self, message: Message, text: str, posting: bool = True) -> list[Action]:
        """A request was logged: track it, and note a two-way door at once when the bot may speak."""
        request = self.approvals.track_new(message, text, posting)
        now = self.approvals.clock()
        if request is None or request.door_note != "pending" or not self._may_speak(now):
            return []
        return self._door_note(request, now)

    def due(self, now: datetime, platform: str | None = None) -> list[Action]:
        """Reminders and two-way-door notes due at `now`, each returned once only, whichever process asks."""
        if not self._may_speak(now):
            return []
        # Nothing written before this can be due: a week holds at least one working day, so the SLA and
        # the reminder days fit in this many weeks. Old open requests are not even looked at.
        work = self.rules.work
        weeks = math.ceil(self.rules.sla_hours / work.hours_per_day + max(self.rules.max_reminders, 1)) + 1
        where, params = " AND r.created_at >= ?", [iso(now - timedelta(weeks=weeks))]
        if platform:
            where, params = where + " AND r.platform = ?", [*params, platform]
        rows = list(
            self.db.query(
                "SELECT r.platform, r.workspace, r.decision_id " + OPEN_REQUESTS + where
                + " ORDER BY r.created_at, r.decision_id",
                params,
            )
        )
        actions: list[Action] = []
        for row in rows:
            request = self.approvals.tracked(row["platform"], row["workspace"], row["decision_id"])
            if request.door_note == "pending":
                actions += self._door_note(request, now)
            reminder = self._reminder(request, now)
            if reminder is not None:
                actions.append(reminder)
        return actions

    def _may_speak(self, now: datetime) -> bool:
        return self.rules.work.is_working(now) and not policy.in_quiet_hours(now, self.politeness)

    def _channel(self, request: Tracked, now: datetime) -> ChannelSettings | None:
        """The channel's settings, or None when it is muted or turned approval questions off."""
        settings = self.store.channel_settings(request.platform, request.workspace, request.channel)
        return None if settings.muted_at(now) or not settings.approval_nudges else settings

    def _door_note(self, request: Tracked, now: datetime) -> list[Action]:
        work = self.rules.work
        settings = None
        if work.hours_between(request.created_at, now) >= work.hours_per_day:
            state = "expired"  # a working day late (an outage, imported history): the moment has passed
        else:
            settings = self._channel(request, now)
            if settings is None:
                return []  # held until the channel may hear from the bot again
            state = "sent"
        cursor = self.db.execute(
            "UPDATE approval_requests SET door_note = ?, door_noted_at = ? "
            "WHERE decision_id = ? AND platform = ? AND workspace = ? AND door_note = 'pending'",
            [state, iso(now), request.id, request.platform, request.workspace],
        )
        if settings is None or cursor.rowcount != 1:
            return []
        row = self.store.get(request.platform, request.workspace, request.id)
        text = self.prompts.render(
            "two_way_door.md",
            requester=f"<@{request.requester}>",
            signals=", ".join(f"“{s}”" for s in request.door_signals),
            names_customer=bool(row and row["customer_rationale"]),
        )
        return [
            TwoWayDoor(
                request_id=request.id, platform=request.platform, workspace=request.workspace,
                channel=request.channel, thread=request.thread, requester=request.requester,
                signals=request.door_signals, text=text, ephemeral=settings.ephemeral,
            )
        ]

    def _reminder(self, request: Tracked, now: datetime) -> Reminder | None:
        rules, work = self.rules, self.rules.work
        if not rules.max_reminders:
            return None
        deadline = work.add(request.created_at, rules.sla_hours)
        # Reminders go out on the first working days after the SLA passed, not weeks later.
        if now < deadline or work.hours_between(deadline, now) >= rules.max_reminders * work.hours_per_day:
            return None
        sent = next(
            self.db.query(
                "SELECT count(*) AS n FROM approval_reminders WHERE platform = ? AND workspace = ? "
                "AND request_id = ?",
                [request.platform, request.workspace, request.id],
            )
        )["n"]
        settings = self._channel(request, now)
        if sent >= rules.max_reminders or settings is None:
            return None
        approvers = [Approver(a["kind"], a["approver"], a["label"]) for a in request.pending]
        flags = self.approvals.flags_now(request, now)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO approval_reminders (request_id, platform, workspace, day, sent_at, approvers, "
            "flags) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [request.id, request.platform, request.workspace, work.day(now).isoformat(), iso(now),
             json.dumps([a.mention for a in approvers]), json.dumps(flags)],
        )
        if cursor.rowcount != 1:
            return None  # already reminded today, by this process or another
        text = self.prompts.render(
            "approval_reminder.md",
            approvers=names(approvers) if approvers else "",
            requester=f"<@{request.requester}>",
            waited=hours(work.hours_between(request.created_at, now)),
            sla=hours(rules.sla_hours),
            flags="; ".join(self.describe(request, flags)),
        )
        return Reminder(
            request_id=request.id, platform=request.platform, workspace=request.workspace,
            channel=request.channel, thread=request.thread, requester=request.requester,
            approvers=tuple(approvers), flags=flags, text=text, ephemeral=settings.ephemeral,
        )

    def describe(self, request: Tracked, flags: tuple[str, ...]) -> list[str]:
        """Each flag in words, with the figures that raised it."""
        rules = self.rules
        details = {
            "too_many_approvers": f"{len(request.needed)} sign-offs needed, more than {rules.max_approvers}",
            "too_many_hops": f"handed on {request.hops} times, more than {rules.max_hops}",
            "repeated_request": f"asked {request.asks} times",
            "two_way_door": "it looks reversible",
        }
        return [f"{FLAGS[f]} ({details[f]})" if f in details else FLAGS[f] for f in flags]
