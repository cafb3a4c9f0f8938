"""The weekly digest: how customer-first a week's decisions were, from the log.

A digest is built for one destination. A destination sees items from public channels, plus
items of its own conversation; a private channel's or DM's items never appear anywhere else.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.models import Visibility, parse_time
from bot.store import Store
from bot.text import excerpt

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
MAX_ITEMS = 20


@dataclass(frozen=True, slots=True)
class Week:
    label: str  # ISO week, e.g. 2026-W47
    start: datetime  # Monday 00:00 in the configured zone
    end: datetime  # the next Monday 00:00

    def previous(self) -> Week:
        return _week_starting(self.start - timedelta(days=7))


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


def _visible(row: dict, channel: str | None) -> bool:
    return row["visibility"] == Visibility.PUBLIC or (channel is not None and row["channel"] == channel)


def _has_rationale(row: dict) -> bool:
    return bool(row["customer_rationale"]) or row["not_customer_facing_by"] is not None


def _share(rows: list[dict]) -> float | None:
    decisions = [r for r in rows if r["kind"] == "decision"]
    if not decisions:
        return None
    return round(sum(_has_rationale(r) for r in decisions) / len(decisions), 3)


def build(
    store: Store,
    platform: str,
    workspace: str,
    week: Week,
    zone: ZoneInfo,
    now: datetime,
    channel: str | None = None,
    limit: int = MAX_ITEMS,
) -> Digest:
    """The digest one destination (a channel, or None for any public channel) gets for a week."""
    def rows_for(w: Week) -> list[dict]:
        rows = store.decisions(platform, workspace, since=w.start, until=w.end)
        return [r for r in rows if _visible(r, channel)]

    rows = rows_for(week)
    previous = rows_for(week.previous())
    decisions = [r for r in rows if r["kind"] == "decision"]
    requests = [r for r in rows if r["kind"] == "approval_request"]
    resolved = [r for r in requests if r["approval_state"] in ("approved", "declined")]
    waits = [
        (parse_time(r["resolved_at"]) - parse_time(r["created_at"])).total_seconds() / 3600
        for r in resolved
        if r["approval_state"] == "approved" and r["resolved_at"]
    ]
    # Oldest first; among those written the same day, the most discussed first.
    lacking = sorted(
        (r for r in rows if not _has_rationale(r)),
        key=lambda r: (r["created_at"][:10], -(r["replies"] or 0), r["created_at"]),
    )
    items = [
        Item(
            id=r["id"],
            kind=r["kind"],
            channel=r["channel"],
            channel_name=r["channel_name"],
            author=r["author"],
            author_name=r["author_name"],
            excerpt=excerpt(r["text"] or "(text removed after the retention period)"),
            written=parse_time(r["created_at"]).astimezone(zone).strftime("%a %d %b %H:%M"),
            age_days=max(0, (now - parse_time(r["created_at"])).days),
            replies=r["replies"] or 0,
            permalink=r["permalink"],
        )
        for r in lacking
    ]
    return Digest(
        platform=platform,
        workspace=workspace,
        channel=channel,
        week=week.label,
        decisions=len(decisions),
        with_rationale=sum(_has_rationale(r) for r in decisions),
        share=_share(rows),
        previous_share=_share(previous),
        requests_opened=len(requests),
        requests_resolved=len(resolved),
        median_hours_to_approval=round(statistics.median(waits), 1) if waits else None,
        items=items[:limit],
        more=max(0, len(items) - limit),
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def _trend(d: Digest) -> str:
    if d.share is None or d.previous_share is None:
        return ""
    delta = round((d.share - d.previous_share) * 100)
    if delta == 0:
        return " (same as the week before)"
    return f" ({'+' if delta > 0 else ''}{delta} points on the week before)"


def _where(item: Item) -> str:
    return f"#{item.channel_name or item.channel}"


def render_markdown(d: Digest) -> str:
    lines = [f"*Customer rationale digest — {d.week}*"]
    if d.decisions:
        lines.append(
            f"{d.decisions} decisions logged; {d.with_rationale} ({_pct(d.share)}) say who the customer is"
            f"{_trend(d)}."
        )
    else:
        lines.append("No decisions logged this week.")
    if d.requests_opened:
        median = f"; median wait {d.median_hours_to_approval} h" if d.median_hours_to_approval else ""
        lines.append(f"{d.requests_opened} approval requests, {d.requests_resolved} resolved{median}.")
    if d.items:
        lines.append("")
        lines.append("*Still without a customer rationale:*")
        for item in d.items:
            label = "approval request" if item.kind == "approval_request" else "decision"
            link = f" <{item.permalink}|open>" if item.permalink else ""
            who = item.author_name or f"<@{item.author}>"
            lines.append(f"• {_where(item)} · {who} · {item.written} · {label}: “{item.excerpt}”{link}")
        if d.more:
            lines.append(f"…and {d.more} more.")
    elif d.decisions or d.requests_opened:
        lines.append("Every decision this week says who its customer is. :tada:")
    return "\n".join(lines)


def render_text(d: Digest) -> str:
    header = f"Digest {d.week} — {d.platform}/{d.workspace}" + (f" #{d.channel}" if d.channel else "")
    lines = [header, "=" * len(header)]
    lines.append(
        f"Decisions: {d.decisions}   with customer rationale: {d.with_rationale} ({_pct(d.share)})"
        f"   previous week: {_pct(d.previous_share)}"
    )
    lines.append(
        f"Approval requests: {d.requests_opened} opened, {d.requests_resolved} resolved"
        + (f", median wait {d.median_hours_to_approval} h" if d.median_hours_to_approval else "")
    )
    if d.items:
        lines.append("Lacking a customer rationale:")
        for item in d.items:
            who = item.author_name or item.author
            lines.append(f"  - [{item.kind}] {_where(item)} {who}, {item.written} ({item.age_days} d): {item.excerpt}")
            if item.permalink:
                lines.append(f"      {item.permalink}")
        if d.more:
            lines.append(f"  …and {d.more} more")
    else:
        lines.append("Nothing lacks a customer rationale.")
    return "\n".join(lines)
