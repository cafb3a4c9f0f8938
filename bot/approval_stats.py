"""Approval flow figures for one workspace and period, for `nudgebot approvals` and the digest.

Requests written in the period: how many were approved, declined or are still open, the median
and 90th-percentile time to approval per channel and per approver, the slowest resolved ones and
the flags raised. Requests still open are listed whenever they were written. Waits are working
hours (see workhours.py), the same measure as the SLA.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.actions import Approver
from bot.approvals import FLAGS, ApprovalRules, late
from bot.models import Visibility, iso, parse_time
from bot.store import Store
from bot.text import excerpt

SLOWEST = 5
# Mentions read as the ids they name ("@U123"), not as "@someone".
_MENTION = re.compile(r"<@([^>|\s]+)(?:\|([^>]*))?>|<!subteam\^([^>|\s]+)(?:\|@?([^>]*))?>")
# The requests written in the period, and those still open whenever written: two index lookups (by
# time, and m009's index of open requests) rather than one pass over every request of the workspace.
_IN_SCOPE = (
    "d.id IN (SELECT id FROM decisions WHERE platform = ? AND workspace = ? AND kind = 'approval_request' "
    "AND created_at >= ? AND created_at < ? "
    "UNION SELECT id FROM decisions INDEXED BY decisions_open_requests WHERE platform = ? AND workspace = ? "
    "AND kind = 'approval_request' "
    "AND approval_state = 'open') AND d.status = 'active'"
)


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (the 'inclusive' method)."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True, slots=True)
class Waits:
    """Time to approval of a group of requests, in working hours."""

    key: str
    label: str
    count: int
    median_hours: float | None
    p90_hours: float | None


def waits(key: str, label: str, values: list[float]) -> Waits:
    if not values:
        return Waits(key, label, 0, None, None)
    return Waits(key, label, len(values), round(statistics.median(values), 1), round(percentile(values, 0.9), 1))


@dataclass(frozen=True, slots=True)
class Listed:
    """A request as a list shows it."""

    id: int
    channel: str
    channel_name: str | None
    requester: str
    requester_name: str | None
    excerpt: str
    written: str  # ISO time, UTC


@dataclass(frozen=True, slots=True)
class OpenRequest(Listed):
    age_hours: float  # on the clock
    working_hours: float
    overdue: bool
    waiting_for: list[str]
    flags: list[str]
    permalink: str | None


@dataclass(frozen=True, slots=True)
class Resolved(Listed):
    outcome: str  # approved | declined
    working_hours: float


@dataclass
class ApprovalStats:
    platform: str
    workspace: str
    since: str
    until: str
    working_time: str
    sla_hours: float
    requests: int
    approved: int
    declined: int
    still_open: int
    time_to_approval: Waits
    by_channel: list[Waits] = field(default_factory=list)
    by_approver: list[Waits] = field(default_factory=list)
    open: list[OpenRequest] = field(default_factory=list)
    slowest: list[Resolved] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def label(approver: Approver) -> str:
    """How an approver reads in plain text: `@U123`, `@legal-team`, `legal`."""
    return approver.id if approver.kind == "team" else "@" + (approver.label or approver.id)


def _excerpt(row: dict, names: dict[str, str] | None = None) -> str:
    """The request's words on one line, a mention by the name the log knows for it (`names`: an
    approver's id → their name), else by the name the mention carries, else by its id."""
    if row["text"] is None:
        return "(text removed after the retention period)"
    names = names or {}

    def mention(m: re.Match) -> str:
        user = m.group(1) or m.group(3)
        return "@" + (names.get(user) or m.group(2) or m.group(4) or user)

    return excerpt(_MENTION.sub(mention, row["text"]))


def _about(row: dict, approvers: list[dict] | None = None) -> dict:
    """The fields of `Listed`: where, by whom, when, and its words."""
    return {
        "id": row["id"],
        "channel": row["channel"],
        "channel_name": row["channel_name"],
        "requester": row["author"],
        "requester_name": row["author_name"],
        "excerpt": _excerpt(row, {a["approver"]: a["label"] for a in approvers or () if a["label"]}
                            | ({row["author"]: row["author_name"]} if row["author_name"] else {})),
        "written": row["created_at"],
    }


def _where(row: dict) -> str:
    return "#" + (row["channel_name"] or row["channel"])


def stats(
    store: Store,
    platform: str,
    workspace: str,
    since: datetime,
    until: datetime,
    now: datetime,
    rules: ApprovalRules,
    *,
    public_only: bool = False,
    channel: str | None = None,
    slowest: int = SLOWEST,
) -> ApprovalStats:
    """The figures for one workspace. With `public_only` (a digest posted in a channel) only public
    channels' requests count, and `channel`'s own."""
    work = rules.work
    params = [platform, workspace, iso(since), iso(until), platform, workspace]
    rows = [
        r
        for r in store.db.query(
            f"SELECT d.* FROM decisions d WHERE {_IN_SCOPE} ORDER BY d.created_at, d.id", params
        )
        if not public_only or r["visibility"] == Visibility.PUBLIC or r["channel"] == channel
    ]
    ids = {r["id"] for r in rows}
    approvers: dict[int, list[dict]] = defaultdict(list)
    for a in store.db.query(
        f"SELECT a.* FROM approval_approvers a JOIN decisions d ON d.id = a.request_id WHERE {_IN_SCOPE} "
        "ORDER BY a.id",
        params,
    ):
        if a["request_id"] in ids:
            approvers[a["request_id"]].append(a)
    flagged: dict[int, set[str]] = defaultdict(set)
    for f in store.db.query(
        f"SELECT f.request_id, f.flag FROM approval_flags f JOIN decisions d ON d.id = f.request_id WHERE {_IN_SCOPE}",
        params,
    ):
        flagged[f["request_id"]].add(f["flag"])

    def written(r: dict) -> datetime:
        return parse_time(r["created_at"])

    def ended(r: dict) -> datetime:
        return parse_time(r["resolved_at"]) if r["approval_state"] != "open" and r["resolved_at"] else now

    def flags_of(r: dict) -> list[str]:
        raised = flagged[r["id"]] | ({"waiting_too_long"} if late(rules, written(r), ended(r)) else set())
        return [f for f in FLAGS if f in raised]

    period = [r for r in rows if since <= written(r) < until]
    approved = [r for r in period if r["approval_state"] == "approved" and r["resolved_at"]]
    wait = {r["id"]: work.hours_between(written(r), ended(r)) for r in rows}

    per_channel: dict[str, list[float]] = defaultdict(list)
    channel_label: dict[str, str] = {}
    for r in approved:
        per_channel[r["channel"]].append(wait[r["id"]])
        channel_label[r["channel"]] = _where(r)
    per_approver: dict[str, list[float]] = defaultdict(list)
    approver_label: dict[str, str] = {}
    for r in period:
        for a in approvers[r["id"]]:
            if a["answer"] == "approve" and a["answered_at"]:
                who = Approver(a["kind"], a["approver"], a["label"])
                per_approver[who.mention].append(
                    work.hours_between(parse_time(a["added_at"]), parse_time(a["answered_at"]))
                )
                approver_label[who.mention] = label(who)

    still_open = [r for r in rows if r["approval_state"] == "open" and written(r) < until]
    resolved = sorted(
        (r for r in period if r["approval_state"] in ("approved", "declined")),
        key=lambda r: (-wait[r["id"]], r["id"]),
    )
    counts = {f: 0 for f in FLAGS}
    for r in period:
        for f in flags_of(r):
            counts[f] += 1
    return ApprovalStats(
        platform=platform,
        workspace=workspace,
        since=iso(since),
        until=iso(until),
        working_time=work.describe(),
        sla_hours=rules.sla_hours,
        requests=len(period),
        approved=len(approved),
        declined=sum(r["approval_state"] == "declined" for r in period),
        still_open=sum(r["approval_state"] == "open" for r in period),
        time_to_approval=waits("all", "all channels", [wait[r["id"]] for r in approved]),
        by_channel=sorted(
            (waits(k, channel_label[k], v) for k, v in per_channel.items()), key=lambda w: (-w.count, w.label)
        ),
        by_approver=sorted(
            (waits(k, approver_label[k], v) for k, v in per_approver.items()), key=lambda w: (-w.count, w.label)
        ),
        open=[
            OpenRequest(
                **_about(r, approvers[r["id"]]),
                age_hours=round((now - written(r)).total_seconds() / 3600, 1),
                working_hours=round(wait[r["id"]], 1),
                overdue=late(rules, written(r), now),
                waiting_for=[
                    label(Approver(a["kind"], a["approver"], a["label"]))
                    for a in approvers[r["id"]]
                    if a["answer"] is None
                ],
                flags=[FLAGS[f] for f in flags_of(r)],
                permalink=r["permalink"],
            )
            for r in still_open
        ],
        slowest=[
            Resolved(**_about(r, approvers[r["id"]]), outcome=r["approval_state"],
                     working_hours=round(wait[r["id"]], 1))
            for r in resolved[:slowest]
        ],
        flags=counts,
    )


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}".removesuffix(".0")


def _line(w: Waits) -> str:
    return f"{w.label}: median {_figure(w.median_hours)}, 90th percentile {_figure(w.p90_hours)} ({w.count} approved)"


def _age(hours: float) -> str:
    return f"{_figure(hours)} h" if hours < 48 else f"{int(hours // 24)} d"


def render_text(s: ApprovalStats) -> str:
    header = f"Approvals — {s.platform}/{s.workspace}, {s.since[:10]} to {s.until[:10]}"
    lines = [header, "=" * len(header)]
    lines.append(f"Working time {s.working_time}; the goal is {_figure(s.sla_hours)} working hours.")
    lines.append(
        f"Requests written: {s.requests}; approved {s.approved}, declined {s.declined}, still open {s.still_open}."
    )
    lines.append("Time to approval, in working hours:")
    lines.append(f"  {_line(s.time_to_approval)}")
    for title, groups in (("By channel", s.by_channel), ("By approver", s.by_approver)):
        if groups:
            lines.append(f"{title}:")
            lines.extend(f"  {_line(w)}" for w in groups)
    flags = ", ".join(f"{FLAGS[f]} {n}" for f, n in s.flags.items())
    lines.append(f"Flags raised: {flags}.")
    if s.open:
        lines.append(f"Open requests ({len(s.open)}), oldest first:")
        for o in s.open:
            who = o.requester_name or o.requester
            late_note = ", past the goal" if o.overdue else ""
            lines.append(
                f"  #{o.id} #{o.channel_name or o.channel} from {who}: {_age(o.age_hours)} old, "
                f"{_figure(o.working_hours)} working hours{late_note}"
            )
            if o.waiting_for:
                lines.append(f"      waiting for {', '.join(o.waiting_for)}")
            if o.flags:
                lines.append(f"      flags: {', '.join(o.flags)}")
            lines.append(f"      “{o.excerpt}”")
    else:
        lines.append("No open requests.")
    if s.slowest:
        lines.append("Slowest resolved:")
        for r in s.slowest:
            who = r.requester_name or r.requester
            lines.append(
                f"  #{r.id} #{r.channel_name or r.channel} from {who}: {_figure(r.working_hours)} working hours, "
                f"{r.outcome} — “{r.excerpt}”"
            )
    return "\n".join(lines)
