"""The whole weekly digest for one destination: the week's figures and items (digest.py), the trend,
the principles touched, and the approval bottlenecks.

Every part is counted over the rows the destination may see: a channel's digest over public channels
and that channel, an author's DM over that author's own items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import approval_stats
from bot import digest as figures
from bot.approval_stats import OpenRequest, Waits
from bot.approvals import FLAGS, ApprovalRules
from bot.digest import Audience, Digest, Week, WeekShare
from bot.models import Principle, iso
from bot.store import Store

CHART_WEEKS = 12  # the chart's weeks, the digest's own last
TREND_WEEKS = 4
POSTED_ITEMS = 10  # items a posted digest lists; the rest are counted
MAX_OVERDUE = 5
MAX_APPROVERS = 3


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a digest goes: any public channel (a preview), one conversation, or one author's DM."""

    platform: str
    workspace: str
    kind: str  # public | channel | dm
    channel: str | None = None
    user: str | None = None

    @property
    def key(self) -> str:
        """How the log of posted digests names this destination within its workspace."""
        return {"public": "public", "channel": self.channel, "dm": f"@{self.user}"}[self.kind]

    @property
    def audience(self) -> Audience:
        return Audience(author=self.user) if self.kind == "dm" else Audience(channel=self.channel)

    def describe(self) -> str:
        where = {"public": "public channels", "channel": f"#{self.channel}", "dm": f"DM to {self.user}"}[self.kind]
        return f"{self.platform}/{self.workspace}, {where}"


@dataclass(frozen=True, slots=True)
class PrincipleCount:
    id: str
    name: str
    decisions: int


@dataclass
class Bottlenecks:
    """From the approvals work: open requests past the SLA, the slowest approvers, flags raised."""

    sla_hours: float
    working_time: str
    overdue: list[OpenRequest] = field(default_factory=list)  # oldest first
    more_overdue: int = 0
    slowest_approvers: list[Waits] = field(default_factory=list)  # by median, slowest first
    flags: dict[str, int] = field(default_factory=dict)  # flag label → requests of the week raising it


@dataclass
class WeeklyDigest:
    destination: Destination
    figures: Digest
    trend: list[WeekShare] = field(default_factory=list)  # oldest first, the digest's week last
    principles_touched: list[PrincipleCount] = field(default_factory=list)
    principles_untouched: list[PrincipleCount] = field(default_factory=list)
    approvals: Bottlenecks | None = None
    week_line: str | None = None  # the optional LLM's paragraph on the week's patterns

    @property
    def week(self) -> str:
        return self.figures.week

    @property
    def change_points(self) -> int | None:
        """The share's change against the week before, in percentage points."""
        f = self.figures
        if f.share is None or f.previous_share is None:
            return None
        return round(f.share * 100) - round(f.previous_share * 100)

    @property
    def recent(self) -> list[WeekShare]:
        return self.trend[-TREND_WEEKS:]

    @property
    def recent_share(self) -> float | None:
        """The share over the last four weeks together."""
        pooled = WeekShare("", sum(w.decisions for w in self.recent), sum(w.with_rationale for w in self.recent))
        return pooled.share

    def as_dict(self) -> dict:
        """The JSON form: the destination's figures and items, then the rest."""
        return {
            "destination": {"kind": self.destination.kind, "channel": self.destination.channel,
                            "user": self.destination.user},
            **self.figures.as_dict(),
            "change_points": self.change_points,
            "four_week_share": self.recent_share,
            "trend": [w.as_dict() for w in self.trend],
            "principles": {
                "touched": [asdict(p) for p in self.principles_touched],
                "untouched": [asdict(p) for p in self.principles_untouched],
            },
            "approvals": asdict(self.approvals) if self.approvals else None,
        }


def compose(
    store: Store,
    principles: Sequence[Principle],
    rules: ApprovalRules,
    destination: Destination,
    week: Week,
    zone: ZoneInfo,
    now: datetime,
    limit: int = figures.MAX_ITEMS,
) -> WeeklyDigest:
    """The digest `destination` gets for `week`. An author's DM lists their own items and figures only."""
    d = destination
    audience = d.audience
    week_figures = figures.build(store, d.platform, d.workspace, week, zone, now, channel=audience.channel,
                                 limit=limit, author=audience.author, work=rules.work)
    if d.kind == "dm":
        return WeeklyDigest(d, week_figures)
    trend = figures.shares(store, d.platform, d.workspace, week.back(CHART_WEEKS), audience)
    touched, untouched = principle_counts(store, principles, d, week)
    bottlenecks = _bottlenecks(store, d, week, now, rules)
    return WeeklyDigest(d, week_figures, trend, touched, untouched, bottlenecks)


def principle_counts(
    store: Store, principles: Sequence[Principle], destination: Destination, week: Week
) -> tuple[list[PrincipleCount], list[PrincipleCount]]:
    """Principles the week's decisions touched (most often first), and those none did (in file order)."""
    seen, params = destination.audience.where()
    counts = {
        r["principle"]: r["n"]
        for r in store.db.query(
            "SELECT p.value AS principle, count(*) AS n FROM decisions d, json_each(d.principles) p "
            "WHERE d.platform = ? AND d.workspace = ? AND d.created_at >= ? AND d.created_at < ? "
            f"AND d.status = 'active' AND d.kind = 'decision' AND {seen} GROUP BY p.value",
            [destination.platform, destination.workspace, iso(week.start), iso(week.end), *params],
        )
    }
    names = {p.id: p.name for p in principles}
    order = {p.id: i for i, p in enumerate(principles)}
    touched = sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    return (
        [PrincipleCount(pid, names.get(pid, pid), n) for pid, n in touched],
        [PrincipleCount(p.id, p.name, 0) for p in principles if p.id not in counts],
    )


def _bottlenecks(store: Store, d: Destination, week: Week, now: datetime, rules: ApprovalRules) -> Bottlenecks:
    s = approval_stats.stats(store, d.platform, d.workspace, week.start, week.end, now, rules,
                             public_only=True, channel=d.channel)
    overdue = [o for o in s.open if o.overdue]  # oldest first, as the stats list them
    slowest = sorted((w for w in s.by_approver if w.median_hours is not None),
                     key=lambda w: (-w.median_hours, -w.count, w.label))
    return Bottlenecks(
        sla_hours=s.sla_hours,
        working_time=s.working_time,
        overdue=overdue[:MAX_OVERDUE],
        more_overdue=max(0, len(overdue) - MAX_OVERDUE),
        slowest_approvers=slowest[:MAX_APPROVERS],
        flags={FLAGS[f]: n for f, n in s.flags.items() if n},
    )
