"""`nudgebot import`: a Slack export's history through the engine, with posting switched off.

Every message people wrote goes through `Engine.handle`, as a live one does, with its original
time, channel, visibility and author; nobody is asked anything and no nudge is recorded. Each day
file is imported in one transaction together with its row in `import_files`, so an interrupted
import loses nothing but the file it was in, and the next run starts again at that file. A file
already imported (the same bytes) is skipped; a later export's longer copy of a day adds only the
messages written after those already imported, and follows edits of the earlier ones.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import digest as digests
from bot.actions import Logged
from bot.engine import Engine
from bot.errors import InputError
from bot.models import Visibility, iso, parse_time
from bot.slack_export import PLATFORM, Conversation, DayFile, Problems, SlackExport, Written, ts_order


@dataclass(frozen=True)
class Selection:
    """Which conversations and days to import: --channel (names or ids), --since, --until, --skip-private."""

    channels: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    skip_private: bool = False

    def unknown(self, conversations: list[Conversation]) -> list[str]:
        """The --channel values that name no conversation of the export."""
        known = {c.id for c in conversations} | {c.name for c in conversations}
        return [c for c in self.channels if c.lstrip("#") not in known]

    def conversations(self, conversations: list[Conversation]) -> list[Conversation]:
        wanted = {c.lstrip("#") for c in self.channels}
        return [
            c
            for c in conversations
            if (not wanted or c.id in wanted or c.name in wanted)
            and not (self.skip_private and c.visibility != Visibility.PUBLIC)
        ]

    def days(self, files: list[DayFile]) -> list[DayFile]:
        return [
            f for f in files if not (self.since and f.day < self.since) and not (self.until and f.day > self.until)
        ]


def choose_workspace(export: SlackExport, workspaces: list[tuple[str, str]], given: str | None) -> str:
    """The Slack team id to log under: --workspace, else the one users.json names, else the only
    Slack workspace already in the log (the live install's)."""
    if given:
        return given
    if export.workspace:
        return export.workspace
    slack = sorted({w for p, w in workspaces if p == PLATFORM})
    if len(slack) == 1:
        return slack[0]
    raise InputError(
        "this export does not say which Slack workspace it comes from (users.json has no team_id); "
        "give the workspace's team id with --workspace T0123ABCD"
    )


@dataclass
class ChannelFigures:
    """One conversation's history, as the summary shows it."""

    id: str
    name: str
    visibility: str
    messages: int = 0
    new_messages: int = 0
    events: int = 0
    first_at: str | None = None
    last_at: str | None = None
    decisions: int = 0
    with_rationale: int = 0
    requests: int = 0
    waits: list[float] = field(default_factory=list)  # working hours from request to approval

    @property
    def share(self) -> float | None:
        return round(self.with_rationale / self.decisions, 3) if self.decisions else None

    @property
    def median_hours_to_approval(self) -> float | None:
        return round(statistics.median(self.waits), 1) if self.waits else None

    def as_dict(self) -> dict:
        return {
            "channel": self.id,
            "name": self.name,
            "visibility": self.visibility,
            "messages": self.messages,
            "decisions": self.decisions,
            "with_rationale": self.with_rationale,
            "share": self.share,
            "approval_requests": self.requests,
            "approved": len(self.waits),
            "median_hours_to_approval": self.median_hours_to_approval,
        }

    def count(self, result: FileResult) -> None:
        """Add one day file's messages and time span."""
        self.messages += result.messages
        self.new_messages += result.new
        self.events += result.events
        self._span(result.first_at, result.last_at)

    def _span(self, first_at: str | None, last_at: str | None) -> None:
        self.first_at = min(filter(None, (self.first_at, first_at)), default=None)
        self.last_at = max(filter(None, (self.last_at, last_at)), default=None)

    def add(self, other: ChannelFigures) -> None:
        self.messages += other.messages
        self.new_messages += other.new_messages
        self.events += other.events
        self.decisions += other.decisions
        self.with_rationale += other.with_rationale
        self.requests += other.requests
        self.waits += other.waits
        self._span(other.first_at, other.last_at)


@dataclass
class Summary:
    workspace: str
    channels: list[ChannelFigures]
    files: int = 0  # day files selected
    files_already: int = 0  # imported by an earlier run, skipped now
    files_unread: int = 0  # could not be read
    problems: list[str] = field(default_factory=list)

    def total(self, visibility: str | None = None) -> ChannelFigures:
        total = ChannelFigures("", "total", visibility or "")
        for channel in self.channels:
            if visibility in (None, channel.visibility):
                total.add(channel)
        return total


@dataclass(frozen=True, slots=True)
class FileResult:
    messages: int
    new: int
    events: int
    first_at: str | None
    last_at: str | None
    already: bool = False


Plan = list[tuple[Conversation, list[DayFile]]]


def _latest_ts(written: list[Written]) -> str | None:
    """`max(ts, key=ts_order)` of messages sorted by ts_order: the first of those whose ts sorts last."""
    if not written:
        return None
    latest = len(written) - 1
    key = ts_order(written[latest].message.ts)
    while latest and ts_order(written[latest - 1].message.ts) == key:
        latest -= 1
    return written[latest].message.ts


class Importer:
    def __init__(self, engine: Engine, export: SlackExport, workspace: str):
        self.engine = engine
        self.store = engine.store
        self.export = export
        self.workspace = workspace
        export.workspace = workspace  # the export's messages are read as this workspace's

    def plan(self, selection: Selection, conversations: list[Conversation]) -> Plan:
        """The selected conversations, each with its selected day files, oldest first."""
        return [(c, selection.days(self.export.day_files(c))) for c in selection.conversations(conversations)]

    def run(
        self,
        plan: Plan,
        problems: Problems,
        progress: Callable[[DayFile, FileResult | None], None] | None = None,
    ) -> Summary:
        """Import the planned day files, one conversation after another, and sum them up."""
        summary = Summary(self.workspace, [], files=sum(len(files) for _, files in plan))
        for conversation, files in plan:
            if not files:
                continue  # nothing of it in the days asked for
            figures = ChannelFigures(conversation.id, conversation.name, conversation.visibility.value)
            for day_file in files:
                result = self.import_file(day_file, problems)
                if result is None:
                    summary.files_unread += 1
                else:
                    summary.files_already += result.already
                    figures.count(result)
                if progress is not None:
                    progress(day_file, result)
            summary.channels.append(figures)
        self.engine.purge_old_text()  # imported history is kept no longer than live messages
        for figures in summary.channels:
            self._count_decisions(figures)
        summary.problems = problems.items
        return summary

    # -- one day file ---------------------------------------------------------------------

    def import_file(self, day_file: DayFile, problems: Problems) -> FileResult | None:
        """Import one day file in one transaction; None when it cannot be read."""
        key = [PLATFORM, self.workspace, day_file.conversation.id, day_file.day.isoformat()]
        try:
            fingerprint = self.export.fingerprint(day_file)
        except ValueError as why:
            problems.add(day_file.name, str(why))
            return None
        done = self._progress(key)
        if done is not None and done["fingerprint"] == fingerprint:
            return self._already(done, problems)
        found = Problems()
        day = self.export.read_day(day_file, found)
        if day is None:
            problems.items.extend(found.items)
            return None
        with self._transaction():
            done = self._progress(key)  # again, under the write lock: another import may have done it
            if done is not None and done["fingerprint"] == fingerprint:
                return self._already(done, problems)
            mark = ts_order(done["last_ts"]) if done and done["last_ts"] else None
            retry = set(json.loads(done["skipped"] or "[]")) if done else set()
            new = 0
            for item in day.written:
                if mark is None or ts_order(item.message.ts) > mark or item.message.ts in retry:
                    self._replay(item)
                    new += 1
                elif item.edited is not None:
                    self._follow_edit(item)
            # The day's messages are in time order (read_day sorts them by ts), so its first and last
            # are its earliest and latest, and the first of those with the last ts is the latest ts.
            written = day.written
            first_at = iso(written[0].message.time) if written else None
            last_at = iso(written[-1].message.time) if written else None
            last_ts = _latest_ts(written)
            if done and done["last_ts"] and (last_ts is None or ts_order(done["last_ts"]) > ts_order(last_ts)):
                last_ts = done["last_ts"]
            result = FileResult(len(written), new, day.events, first_at, last_at)
            self._record(key, day_file.name, fingerprint, last_ts, result, found.items, day.skipped)
        problems.items.extend(found.items)
        return result

    def _replay(self, item: Written) -> None:
        actions = self.engine.handle(item.message, posting=False)
        if item.edited is not None:
            self._mark_edited(item, actions)

    def _follow_edit(self, item: Written) -> None:
        """A message imported before, edited since: its row follows the new text, once."""
        m = item.message
        row = self.store.find(PLATFORM, self.workspace, m.channel, m.ts)
        if row is None or row["edited_at"] != iso(item.edited):
            self._mark_edited(item, [])

    def _mark_edited(self, item: Written, actions: list) -> None:
        logged = [a for a in actions if isinstance(a, Logged)]
        if not logged:  # not new to the log: the edit is followed as the live bot follows one
            logged = [a for a in self.engine.edit(item.message) if isinstance(a, Logged)]
        for action in logged:
            self.store.update(PLATFORM, self.workspace, action.decision_id, edited_at=iso(item.edited))

    def _already(self, done: dict, problems: Problems) -> FileResult:
        problems.items.extend(json.loads(done["problems"] or "[]"))
        return FileResult(done["messages"], 0, done["events"], done["first_at"], done["last_at"], already=True)

    # -- SQL --------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock first, so a live server writing at the same time waits
        # (busy_timeout) instead of failing; either the whole day file is logged, or none of it.
        conn = self.store.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        conn.commit()

    def _progress(self, key: list[str]) -> dict | None:
        rows = list(
            self.store.db.query(
                "SELECT * FROM import_files WHERE platform = ? AND workspace = ? AND channel = ? AND day = ?", key
            )
        )
        return rows[0] if rows else None

    def _record(
        self,
        key: list[str],
        name: str,
        fingerprint: str,
        last_ts: str | None,
        result: FileResult,
        found: list[str],
        skipped: list[str],
    ) -> None:
        self.store.db.execute(
            "INSERT INTO import_files (platform, workspace, channel, day, file, fingerprint, last_ts, first_at, "
            "last_at, messages, events, problems, skipped, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, workspace, channel, day) DO UPDATE SET file = excluded.file, "
            "fingerprint = excluded.fingerprint, last_ts = excluded.last_ts, first_at = excluded.first_at, "
            "last_at = excluded.last_at, messages = excluded.messages, events = excluded.events, "
            "problems = excluded.problems, skipped = excluded.skipped, imported_at = excluded.imported_at",
            [*key, name, fingerprint, last_ts, result.first_at, result.last_at, result.messages, result.events,
             json.dumps(found), json.dumps(skipped), iso(self.engine.clock())],
        )

    def _count_decisions(self, figures: ChannelFigures) -> None:
        """The conversation's logged decisions and requests written within the imported days."""
        if figures.first_at is None:
            return
        rows = self.store.db.query(
            "SELECT kind, customer_rationale, not_customer_facing_by, approval_state, created_at, resolved_at "
            "FROM decisions WHERE platform = ? AND workspace = ? AND channel = ? AND status = 'active' "
            "AND created_at >= ? AND created_at <= ?",
            [PLATFORM, self.workspace, figures.id, figures.first_at, figures.last_at],
        )
        for row in rows:
            if row["kind"] == "decision":
                figures.decisions += 1
                figures.with_rationale += bool(row["customer_rationale"] or row["not_customer_facing_by"])
            elif row["kind"] == "approval_request":
                figures.requests += 1
                if row["approval_state"] == "approved" and row["resolved_at"]:
                    figures.waits.append(self.engine.approvals.rules.work.hours_between(
                        parse_time(row["created_at"]), parse_time(row["resolved_at"])))


# -- the history report -------------------------------------------------------------------------


def history_report(engine: Engine, summary: Summary, zone: ZoneInfo, now: datetime) -> dict:
    """The digest's figures for every week of the imported period, and for the whole of it.

    Like a digest posted in a public channel, it counts public channels only: nothing from a
    private channel or a DM appears in a report that may be shared anywhere.
    """
    public = summary.total(Visibility.PUBLIC.value)
    report = {
        "platform": PLATFORM,
        "workspace": summary.workspace,
        "scope": "public channels",
        "timezone": str(zone),
        "from": None,
        "to": None,
        "totals": None,
        "weeks": [],
        "channels": [c.as_dict() for c in summary.channels if c.visibility == Visibility.PUBLIC.value],
    }
    if public.first_at is None:
        return report
    first = digests.week_of(parse_time(public.first_at), zone)
    last = digests.week_of(parse_time(public.last_at), zone)
    report["from"] = parse_time(public.first_at).astimezone(zone).date().isoformat()
    report["to"] = parse_time(public.last_at).astimezone(zone).date().isoformat()
    week = first
    while week.start <= last.start:
        report["weeks"].append(_figures(digests.build(engine.store, PLATFORM, summary.workspace, week, zone, now,
                                                      work=engine.approvals.rules.work)))
        week = digests.week_of(week.end, zone)
    whole = digests.Week(f"{first.label} to {last.label}", first.start, last.end)
    totals = _figures(digests.build(engine.store, PLATFORM, summary.workspace, whole, zone, now,
                                    work=engine.approvals.rules.work))
    totals.pop("previous_share")
    totals["weeks"] = totals.pop("week")
    report["totals"] = totals
    return report


def _figures(view: digests.Digest) -> dict:
    data = view.as_dict()
    figures = {k: v for k, v in data.items() if k not in ("platform", "workspace", "channel", "items", "more")}
    figures["lacking"] = len(view.items) + view.more
    return figures
