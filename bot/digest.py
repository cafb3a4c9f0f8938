"""The weekly digest's figures: how customer-first a week's decisions were, from the log.

A digest is built for one audience. A channel sees items from public channels, plus items of its
own conversation; a private channel's or DM's items never appear anywhere else, except in their
author's own DM (an audience of one author sees that author's items only). Every query names its
platform and workspace, so one workspace never sees another's rows.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.models import Visibility, iso, parse_time
from bot.store import Store
from bot.text import excerpt
from bot.workhours import WorkingTime

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.I)  # 2026-W49, or as typed: 2026-w49
MAX_ITEMS = 20
# A decision "has" a customer rationale when it states one, was given one later, or was marked not
# customer-facing (then there is no customer to name).
ANSWERED = "(coalesce(customer_rationale, 0) != 0 OR not_customer_facing_by IS NOT NULL)"


@dataclass(frozen=True, slots=True)
class Week:
    label: str  # ISO week, e.g. 2026-W47
    start: datetime  # Monday 00:00 in the configured zone
    end: datetime  # the next Monday 00:00

    def previous(self) -> Week:
        return _week_starting(self.start - timedelta(days=7))

    def back(self, count: int) -> list[Week]:
        """The `count` weeks ending with this one, oldest first."""
        weeks = [self]
        while len(weeks) < count:
            weeks.append(weeks[-1].previous())
        return weeks[::-1]


def _week_starting(local_monday: datetime) -> Week:
    zone = local_monday.tzinfo
    start = datetime(local_monday.year, local_monday.month, local_monday.day, tzinfo=zone)
    nxt = start + timedelta(days=7)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    year, number, _ = start.isocalendar()
    return Week(f"{year}-W{number:02d}", start, end)


def week_of(moment: datetime, zone: ZoneInfo) -> Week:
    local = moment.astimezone(zone)
    return _week_starting(local - timedelta(days=local.weekday()))


def last_full_week(now: datetime, zone: ZoneInfo) -> Week:
    return week_of(now, zone).previous()


def parse_week(label: str, zone: ZoneInfo) -> Week:
    match = _WEEK.match(label.strip())
    if not match:
        raise InputError(f"'{label}' is not an ISO week; use YYYY-Www, for example 2026-W47.")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = datetime.fromisocalendar(year, number, 1)
    except ValueError:
        raise InputError(
            f"'{label}' is not an ISO week: {year} has no week {number} (use YYYY-Www, for example 2026-W47)."
        ) from None
    return _week_starting(monday.replace(tzinfo=zone))


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose digest: any public channel (nothing set), one conversation (`channel`: public items and
    that conversation's own), or one author (`author`: their own items, wherever written)."""

    channel: str | None = None
    author: str | None = None

    def where(self) -> tuple[str, list]:
        """The SQL condition (and its parameters) for the rows this audience may see."""
        if self.author is not None:
            return "author = ?", [self.author]
        if self.channel is not None:
            return "(visibility = ? OR channel = ?)", [Visibility.PUBLIC.value, self.channel]
        return "visibility = ?", [Visibility.PUBLIC.value]


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    kind: str
    channel: str
    channel_name: str | None
    author: str
    author_name: str | None
    excerpt: str
    written: str
    age_days: int
    replies: int
    permalink: str | None
    visibility: str = Visibility.PUBLIC.value


@dataclass
class Digest:
    platform: str
    workspace: str
    channel: str | None
    week: str
    decisions: int
    with_rationale: int
    share: float | None
    previous_share: float | None
    requests_opened: int
    requests_resolved: int
    median_hours_to_approval: float | None
    items: list[Item] = field(default_factory=list)
    more: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class WeekShare:
    """One week's decisions and how many of them say who their customer is."""

    week: str
    decisions: int
    with_rationale: int

    @property
    def share(self) -> float | None:
        return round(self.with_rationale / self.decisions, 3) if self.decisions else None

    def as_dict(self) -> dict:
        return {"week": self.week, "decisions": self.decisions, "with_rationale": self.with_rationale,
                "share": self.share}


def _has_rationale(row: dict) -> bool:
    return bool(row["customer_rationale"]) or row["not_customer_facing_by"] is not None


def rows(store: Store, platform: str, workspace: str, since: datetime, until: datetime,
         audience: Audience) -> list[dict]:
    """The active rows `audience` may see, written in [since, until), oldest first."""
    seen, params = audience.where()
    return list(store.db.query(
        "SELECT * FROM decisions WHERE platform = ? AND workspace = ? AND created_at >= ? AND created_at < ? "
        f"AND status = 'active' AND {seen} ORDER BY created_at, id",
        [platform, workspace, iso(since), iso(until), *params],
    ))


def shares(store: Store, platform: str, workspace: str, weeks: list[Week], audience: Audience) -> list[WeekShare]:
    """Decisions and those with a customer rationale, week by week (`weeks` consecutive, oldest first),
    counted by SQLite in one pass over the period."""
    if not weeks:
        return []
    bounds = [iso(w.end) for w in weeks[:-1]]
    bucket = (
        "CASE " + " ".join(f"WHEN created_at < ? THEN {i}" for i in range(len(bounds))) + f" ELSE {len(bounds)} END"
        if bounds else "0"
    )
    seen, params = audience.where()
    counted = {
        r["bucket"]: r
        for r in store.db.query(
            f"SELECT {bucket} AS bucket, count(*) AS decisions, sum({ANSWERED}) AS answered FROM decisions "
            "WHERE platform = ? AND workspace = ? AND created_at >= ? AND created_at < ? AND status = 'active' "
            f"AND kind = 'decision' AND {seen} GROUP BY bucket",
            [*bounds, platform, workspace, iso(weeks[0].start), iso(weeks[-1].end), *params],
        )
    }
    empty = {"decisions": 0, "answered": 0}
    return [WeekShare(w.label, counted.get(i, empty)["decisions"], counted.get(i, empty)["answered"])
            for i, w in enumerate(weeks)]


def build(
    store: Store,
    platform: str,
    workspace: str,
    week: Week,
    zone: ZoneInfo,
    now: datetime,
    channel: str | None = None,
    limit: int = MAX_ITEMS,
    author: str | None = None,
    *,
    work: WorkingTime,
) -> Digest:
    """The figures and the items lacking a customer rationale that one audience gets for a week: a
    channel (or None for any public channel), or with `author` that author's own. Waits for approval
    are in `work`'s working hours, as everywhere else."""
    audience = Audience(channel=channel, author=author)
    found = rows(store, platform, workspace, week.start, week.end, audience)
    [previous] = shares(store, platform, workspace, [week.previous()], audience)
    decisions = [r for r in found if r["kind"] == "decision"]
    requests = [r for r in found if r["kind"] == "approval_request"]
    resolved = [r for r in requests if r["approval_state"] in ("approved", "declined")]
    waits = [
        work.hours_between(parse_time(r["created_at"]), parse_time(r["resolved_at"]))
        for r in resolved
        if r["approval_state"] == "approved" and r["resolved_at"]
    ]
    # Oldest first (by the day written, in the digest's zone); on the same day, the most discussed first.
    lacking = sorted(
        (r for r in found if not _has_rationale(r)),
        key=lambda r: (parse_time(r["created_at"]).astimezone(zone).date(), -(r["replies"] or 0), r["created_at"]),
    )
    with_rationale = sum(_has_rationale(r) for r in decisions)
    return Digest(
        platform=platform,
        workspace=workspace,
        channel=channel,
        week=week.label,
        decisions=len(decisions),
        with_rationale=with_rationale,
        share=WeekShare(week.label, len(decisions), with_rationale).share,
        previous_share=previous.share,
        requests_opened=len(requests),
        requests_resolved=len(resolved),
        median_hours_to_approval=round(statistics.median(waits), 1) if waits else None,
        items=[_item(r, zone, now) for r in lacking[:limit]],
        more=max(0, len(lacking) - limit),
    )


def _item(row: dict, zone: ZoneInfo, now: datetime) -> Item:
    written = parse_time(row["created_at"])
    return Item(
        id=row["id"],
        kind=row["kind"],
        channel=row["channel"],
        channel_name=row["channel_name"],
        author=row["author"],
        author_name=row["author_name"],
        excerpt=excerpt(row["text"] or "(text removed after the retention period)"),
        written=written.astimezone(zone).strftime("%a %d %b %H:%M"),
        age_days=max(0, (now - written).days),
        replies=row["replies"] or 0,
        permalink=row["permalink"],
        visibility=row["visibility"],
    )


def authors_lacking(store: Store, platform: str, workspace: str, week: Week) -> list[str]:
    """Authors with at least one item of the week still lacking a customer rationale."""
    return [
        r["author"]
        for r in store.db.query(
            "SELECT DISTINCT author FROM decisions WHERE platform = ? AND workspace = ? AND created_at >= ? "
            f"AND created_at < ? AND status = 'active' AND NOT {ANSWERED} ORDER BY author",
            [platform, workspace, iso(week.start), iso(week.end)],
        )
    ]
