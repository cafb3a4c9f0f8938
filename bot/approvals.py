"""Approval requests followed to their end: who asked, whom they wait for, each approver's answer
with its time, and the flags raised on the way.

Flags: waiting too long (past the SLA, in working hours), too many approvers, too many hops (handed
on more than allowed), repeated request (asked again with no answer), two-way door (reversible,
low-risk wording). Waiting too long follows from the time; the others are recorded when raised.
Every query names its platform and workspace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from bot import approval_text as T
from bot import learning
from bot import rules as R
from bot.actions import Action, Approver
from bot.detect import is_decline
from bot.errors import InputError
from bot.models import Kind, Message, Verdict, iso, parse_time
from bot.store import Store
from bot.text import normalise
from bot.workhours import WorkingTime

APPROVING_EMOJI = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check", "+1", "thumbsup"})
DECLINING_EMOJI = frozenset({"x", "-1", "thumbsdown", "no_entry", "no_entry_sign"})
FLAGS = {
    "waiting_too_long": "waiting too long",
    "too_many_approvers": "too many approvers",
    "too_many_hops": "too many hops",
    "repeated_request": "repeated request",
    "two_way_door": "two-way door",
}


@dataclass(frozen=True, slots=True)
class ApprovalRules:
    """The organisation's limits, from Settings."""

    work: WorkingTime
    sla_hours: float = 24.0
    max_approvers: int = 3
    max_hops: int = 2
    max_reminders: int = 3  # per request, on consecutive working days after the SLA passed; 0: none


@dataclass(frozen=True, slots=True)
class Tracked:
    """One approval request as the approvals tables know it."""

    id: int
    platform: str
    workspace: str
    channel: str
    thread: str
    requester: str
    requester_name: str | None
    created_at: datetime
    hops: int
    asks: int
    last_asked_at: datetime
    door_signals: tuple[str, ...]
    door_note: str | None
    approvers: tuple[dict, ...] = ()
    flags: tuple[str, ...] = field(default=())

    @property
    def needed(self) -> list[dict]:
        """Approvers whose sign-off is needed: everyone named, except those who handed it on."""
        return [a for a in self.approvers if a["answer"] != "handed_on"]

    @property
    def pending(self) -> list[dict]:
        return [a for a in self.approvers if a["answer"] is None]


def late(rules: ApprovalRules, since: datetime, until: datetime) -> bool:
    """Whether a request written at `since` has waited its SLA (in working hours) by `until`."""
    return rules.work.hours_between(since, until) >= rules.sla_hours


class Approvals:
    """Tracking: requests, approvers, answers, hops and flags. What the bot says about them is in
    approval_notices.py."""

    def __init__(self, store: Store, rules: ApprovalRules, clock: Callable[[], datetime]):
        self.store = store
        self.rules = rules
        self.clock = clock

    @property
    def db(self) -> Database:
        """The calling thread's connection, looked up on each use: one taken once, on the thread that
        built this, would be shared with that thread, and a write made inside its open transaction
        would never be committed (the log then stays locked)."""
        return self.store.db

    # -- reading --------------------------------------------------------------------------

    def tracked(self, platform: str, workspace: str, request_id: int) -> Tracked | None:
        rows = self._rows(
            "SELECT * FROM approval_requests WHERE platform = ? AND workspace = ? AND decision_id = ?",
            [platform, workspace, request_id],
        )
        if not rows:
            return None
        row = rows[0]
        approvers = self._rows(
            "SELECT * FROM approval_approvers WHERE platform = ? AND workspace = ? AND request_id = ? ORDER BY id",
            [platform, workspace, request_id],
        )
        flags = {
            f["flag"]
            for f in self._rows(
                "SELECT flag FROM approval_flags WHERE platform = ? AND workspace = ? AND request_id = ?",
                [platform, workspace, request_id],
            )
        }
        return Tracked(
            id=row["decision_id"],
            platform=row["platform"],
            workspace=row["workspace"],
            channel=row["channel"],
            thread=row["thread"],
            requester=row["requester"],
            requester_name=row["requester_name"],
            created_at=parse_time(row["created_at"]),
            hops=row["hops"],
            asks=row["asks"],
            last_asked_at=parse_time(row["last_asked_at"] or row["created_at"]),
            door_signals=tuple(json.loads(row["door_signals"] or "[]")),
            door_note=row["door_note"],
            approvers=tuple(approvers),
            flags=tuple(f for f in FLAGS if f in flags),
        )

    def unnamed(self, platform: str, workspace: str, request_id: int) -> list[str]:
        """The people asked to approve a request whom the log knows by id only (`<@U1>`)."""
        return [r["approver"] for r in self._rows(
            "SELECT approver FROM approval_approvers WHERE platform = ? AND workspace = ? AND request_id = ? "
            "AND kind = 'user' AND (label IS NULL OR label = '') ORDER BY id", [platform, workspace, request_id])]

    def name(self, platform: str, workspace: str, request_id: int, names: dict[str, str | None]) -> None:
        """Give approvers known by id only the names a front end looked up, so figures name people."""
        for approver, label in names.items():
            if label:
                self.db.execute(
                    "UPDATE approval_approvers SET label = ? WHERE platform = ? AND workspace = ? AND request_id = ? "
                    "AND kind = 'user' AND approver = ? AND (label IS NULL OR label = '')",
                    [label, platform, workspace, request_id, approver])

    def has_requests(self, platform: str, workspace: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM decisions WHERE platform = ? AND workspace = ? AND kind = 'approval_request' "
                "AND status = 'active' LIMIT 1",
                [platform, workspace],
            )
        )

    def flags_now(self, request: Tracked, now: datetime) -> tuple[str, ...]:
        """The request's flags, waiting too long included when its SLA has passed by `now`."""
        overdue = late(self.rules, request.created_at, now)
        return tuple(f for f in FLAGS if f in request.flags or (f == "waiting_too_long" and overdue))

    # -- a request is written ---------------------------------------------------------------

    def track_new(self, message: Message, text: str, posting: bool = True) -> Tracked | None:
        """Start tracking a newly logged approval request; None when it was tracked already."""
        row = self.store.find(message.platform, message.workspace, message.channel, message.ts)
        if row is None or row["kind"] != Kind.APPROVAL_REQUEST or row["approval_state"] != "open":
            return None
        return self._track(row, text, message.author_name, posting)

    def _track(self, row: dict, text: str, author_name: str | None, posting: bool) -> Tracked | None:
        """Create the tracking row for a logged request; None when it already existed."""
        approvers = T.approvers_in(text, row["author"], author_name)
        signals = T.two_way_door(text)
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO approval_requests (decision_id, platform, workspace, channel, thread, "
                "requester, requester_name, created_at, last_asked_at, door_signals, door_note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [row["id"], row["platform"], row["workspace"], row["channel"], row["thread"], row["author"],
                 author_name or row["author_name"], row["created_at"], row["created_at"], json.dumps(signals),
                 "pending" if signals and posting else None],
            )
            if cursor.rowcount != 1:
                return None
            request = self.tracked(row["platform"], row["workspace"], row["id"])
            when = request.created_at
            self._add_approvers(request, approvers, 0, row["author"], when)
            if len(approvers) > self.rules.max_approvers:
                self._raise(request, "too_many_approvers", when)
            if signals:
                self._raise(request, "two_way_door", when)
        return self.tracked(row["platform"], row["workspace"], row["id"])

    def _tracking(self, row: dict) -> Tracked:
        """The tracking of an open request logged before approvals were tracked (or by an edit)."""
        found = self.tracked(row["platform"], row["workspace"], row["id"])
        if found is None:
            self._track(row, row["text"] or "", row["author_name"], posting=False)
            found = self.tracked(row["platform"], row["workspace"], row["id"])
        return found

    # -- replies and reactions ----------------------------------------------------------------

    def reply(self, message: Message, text: str, verdict: Verdict) -> list[Action] | None:
        """A reply in a thread with an open request: an answer, a hop, or the request asked again.

        Returns None when the reply is none of these and is not a request either (a decision written
        in the thread is still logged as one).
        """
        row = self.store.open_request_in_thread(message.platform, message.workspace, message.channel, message.thread)
        if row is None:
            return None
        request = self._tracking(row)
        author, when = message.author, message.time
        is_request = verdict.kind == Kind.APPROVAL_REQUEST
        known = {(a["kind"], a["approver"].lower()) for a in request.approvers}
        new = [
            a
            for a in T.approvers_in(text, request.requester, request.requester_name)
            if (a.kind, a.id.lower()) not in known and a.id not in (author, message.author_name)
        ]
        hop = T.hop_kind(text)
        handled = False
        if new and (hop or is_request):
            self._hop(request, author, message.author_name, hop or "add", new, when)
            handled = True
        if author != request.requester:
            # A refusal first: the detector counts a veto ("-1, blocked on the docs") as an answer, as an
            # approval is; only its words say which. "No, passing this to legal" hands it on, declines nothing.
            declining = not (handled and hop == "handoff") and is_decline(text)
            approving = not declining and (
                verdict.kind == Kind.APPROVAL or bool(R.APPROVAL_LEAD.match(normalise(text))))
            if approving or declining:
                answer = "approve" if approving else "decline"
                self._answer(row, author, message.author_name, answer, message.ts, when, text)
                handled = True
        elif not handled and (is_request or T.asks_again(text)):
            self._asked_again(request, when)
            handled = True
        return [] if handled or is_request else None

    def reaction(
        self, platform: str, workspace: str, channel: str, ts: str, user: str, emoji: str, when: datetime
    ) -> list[Action]:
        """✅/👍 (❌/👎) on a request by anyone but its requester approves (declines) it."""
        name = emoji.split("::")[0]  # "+1::skin-tone-3" is still a thumbs up
        answer = "approve" if name in APPROVING_EMOJI else "decline" if name in DECLINING_EMOJI else None
        if answer is None:
            return []
        row = self.store.find(platform, workspace, channel, ts)
        if (
            row is None
            or row["kind"] != Kind.APPROVAL_REQUEST
            or row["approval_state"] != "open"
            or row["status"] != "active"
            or row["author"] == user
        ):
            return []
        self._answer(row, user, None, answer, f"reaction:{user}:{name}", when, "")
        return []

    def button(self, platform: str, workspace: str, request_id: int, user: str, user_name: str | None,
               answer: str, when: datetime) -> str:
        """Approve or Decline pressed under a reminder: the same answer as a reply in the thread. What to
        tell the person who pressed it."""
        row = self.store.get(platform, workspace, request_id)
        if row is None or row["kind"] != Kind.APPROVAL_REQUEST or row["status"] != "active" \
                or answer not in ("approve", "decline"):
            raise InputError("That approval request is unknown.")
        if row["author"] == user:
            raise InputError("You asked for this approval, so someone else has to answer it.")
        learning.keep(self.store, row, answer, user, when)  # a press says its text asks for approval
        if row["approval_state"] != "open":
            return f"This request is already {row['approval_state']}; nothing changed."
        self._answer(row, user, user_name, answer, f"button:{user}:{answer}", when, "")
        state = self.store.get(platform, workspace, request_id)["approval_state"]
        said = "approval" if answer == "approve" else "decline"
        if state == "open":
            return f"Thanks: your {said} is recorded. The request still waits for other approvers."
        return f"Thanks: your {said} is recorded. The request is now {state}."

    def _answer(
        self, row: dict, author: str, author_name: str | None, answer: str, ts: str, when: datetime, text: str
    ) -> None:
        if not self.store.record_response(row, author, answer, ts, when):
            return  # the same answer delivered twice
        request = self._tracking(row)
        entry = self._match(request, author, author_name, text)
        if entry is not None:
            self.db.execute(
                "UPDATE approval_approvers SET answer = ?, answered_by = ?, answered_at = ? "
                "WHERE id = ? AND platform = ? AND workspace = ? AND answer IS NULL",
                [answer, author, iso(when), entry["id"], request.platform, request.workspace],
            )
        request = self._tracking(row)
        if answer == "decline":
            self._resolve(row, "declined", when)
        elif not request.needed or not request.pending:
            self._resolve(row, "approved", when)

    @staticmethod
    def _match(request: Tracked, author: str, author_name: str | None, text: str) -> dict | None:
        """The approver an answer is from: the person named, else a team it names, else the first
        group or team still waited for (someone answering for it). None: an extra voice."""
        me = {author.lower(), (author_name or "").lower()} - {""}
        mine = [a for a in request.approvers if a["kind"] == "user" and a["approver"].lower() in me]
        if mine:
            return next((a for a in mine if a["answer"] is None), None)
        groups = [a for a in request.pending if a["kind"] != "user"]
        said = {a.id for a in T.approvers_in(text) if a.kind == "team"} if text else set()
        return next((a for a in groups if a["approver"] in said), groups[0] if groups else None)

    def _resolve(self, row: dict, state: str, when: datetime) -> None:
        self.store.update(
            row["platform"], row["workspace"], row["id"],
            approval_state=state, resolved_at=iso(when), updated_at=iso(self.clock()),
        )

    def _hop(
        self, request: Tracked, author: str, author_name: str | None, kind: str, new: list[Approver], when: datetime
    ) -> None:
        """The request was handed on: new approvers join; whoever handed it on no longer holds it up."""
        hop = request.hops + 1
        with self.db.atomic():
            self._add_approvers(request, new, hop, author, when)
            self.db.execute(
                "UPDATE approval_requests SET hops = ? WHERE decision_id = ? AND platform = ? AND workspace = ?",
                [hop, request.id, request.platform, request.workspace],
            )
            if kind == "handoff":
                me = {author.lower(), (author_name or "").lower()} - {""}
                for entry in request.pending:
                    if entry["kind"] == "user" and entry["approver"].lower() in me:
                        self.db.execute(
                            "UPDATE approval_approvers SET answer = 'handed_on', answered_by = ?, answered_at = ? "
                            "WHERE id = ? AND answer IS NULL",
                            [author, iso(when), entry["id"]],
                        )
            after = self.tracked(request.platform, request.workspace, request.id)
            if hop > self.rules.max_hops:
                self._raise(after, "too_many_hops", when)
            if len(after.needed) > self.rules.max_approvers:
                self._raise(after, "too_many_approvers", when)

    def _asked_again(self, request: Tracked, when: datetime) -> None:
        """The requester asked again: a repeated request unless someone answered since the last ask."""
        answered = self._rows(
            "SELECT 1 FROM approval_responses WHERE platform = ? AND workspace = ? AND request_id = ? "
            "AND created_at >= ? LIMIT 1",
            [request.platform, request.workspace, request.id, iso(request.last_asked_at)],
        )
        self.db.execute(
            "UPDATE approval_requests SET asks = asks + 1, last_asked_at = ? "
            "WHERE decision_id = ? AND platform = ? AND workspace = ?",
            [iso(when), request.id, request.platform, request.workspace],
        )
        if not answered:
            self._raise(request, "repeated_request", when)

    def _add_approvers(self, request: Tracked, approvers, hop: int, by: str, when: datetime) -> None:
        for a in approvers:
            self.db.execute(
                "INSERT OR IGNORE INTO approval_approvers (request_id, platform, workspace, kind, approver, label, "
                "hop, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [request.id, request.platform, request.workspace, a.kind, a.id, a.label, hop, by, iso(when)],
            )

    def _raise(self, request: Tracked, flag: str, when: datetime) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO approval_flags (request_id, platform, workspace, flag, raised_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [request.id, request.platform, request.workspace, flag, iso(when)],
        )

    def _rows(self, sql: str, params: list) -> list[dict]:
        return list(self.db.query(sql, params))
