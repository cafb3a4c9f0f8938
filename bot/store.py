"""The decision log: one SQLite file, kept with sqlite-utils.

Every read and write names its platform and workspace (a Slack team, a Teams tenant), so one
workspace never sees another's rows. Times are stored as UTC ISO-8601 text of fixed width,
so they sort and compare as strings.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot import store_file
from bot.errors import StoreError
from bot.example_store import ExampleStore
from bot.models import ChannelSettings, Message, Sensitivity, Verdict, iso, parse_time
from bot.queue_store import QueueStore
from bot.schema import migrations


class Store(ExampleStore, QueueStore):
    """The decision log. Create it with `Store.open(path)`. Examples: bot/example_store.py; inbox and
    outbox: bot/queue_store.py."""

    def __init__(self, db: Database, path: Path | None = None):
        self.path = path
        self._local = threading.local()
        self._local.db = db
        self._opened = [db]
        self._opening = threading.Lock()
        self._closed = False

    @property
    def db(self) -> Database:
        """This thread's connection to the log. Each thread gets its own, as SQLite wants: the server's
        engine thread and a reader elsewhere never share one connection's transaction state."""
        db = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")  # as SQLite says it
            db = self._connect(self.path) if self.path else self._opened[0]
            with self._opening:  # a close() meanwhile must not leave this connection open
                if self._closed:
                    db.close()
                    raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
                self._opened.append(db)
            self._local.db = db
        return db

    @staticmethod
    def _connect(path: Path) -> Database:
        db = Database(sqlite3.connect(str(path), timeout=30, check_same_thread=False))
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits only.
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the log. A file that is not ours, or a newer Nudgebot's,
        is never touched."""
        path = Path(path)
        store_file.refuse_path(path)
        db = None
        try:
            db = cls._connect(path)
            store_file.refuse_schema(db, path)
            cls._enable_wal(db)
            cls._migrate(db)
        except (sqlite3.DatabaseError, OSError, StoreError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, StoreError):
                raise
            raise store_file.unusable(path, exc) from None
        return cls(db, path)

    @staticmethod
    def _enable_wal(db: Database) -> None:
        # Two processes switching a new file to WAL at once: SQLite refuses one at once ("database is
        # locked") rather than making it wait; by the next try the other has switched the file.
        for attempt in range(50):
            try:
                return db.enable_wal()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.02)

    @staticmethod
    def _migrate(db: Database) -> None:
        # Two processes migrating a new file at once: taking the write lock first makes the second wait,
        # then find nothing pending (a deferred transaction would fail with "database is locked").
        if migrations.pending(db):
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                migrations.apply(db)
                db.conn.commit()
            except BaseException:
                db.conn.rollback()
                raise

    def close(self) -> None:
        with self._opening:
            self._closed = True
            for db in self._opened:
                db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing, the write lock taken first: another process writing makes it wait, never fail."""
        if self.db.conn.in_transaction:  # inside one already open: a savepoint
            with self.db.atomic():
                yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.conn.commit()

    # -- events ---------------------------------------------------------------------------

    def mark_event(self, platform: str, event_id: str, now: datetime) -> bool:
        """Remember an event id; False when it was seen before (a platform retry)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO processed_events (platform, event_id, received_at) VALUES (?, ?, ?)",
            [platform, event_id, iso(now)],
        )
        return cursor.rowcount == 1

    # -- decisions ------------------------------------------------------------------------

    def find(self, platform: str, workspace: str, channel: str, ts: str) -> dict | None:
        rows = self._rows(
            "SELECT * FROM decisions WHERE platform = ? AND workspace = ? AND channel = ? AND ts = ?",
            [platform, workspace, channel, ts],
        )
        return rows[0] if rows else None

    def get(self, platform: str, workspace: str, decision_id: int) -> dict | None:
        rows = self._rows(
            "SELECT * FROM decisions WHERE platform = ? AND workspace = ? AND id = ?",
            [platform, workspace, decision_id],
        )
        return rows[0] if rows else None

    def log(self, message: Message, verdict: Verdict, text: str, now: datetime) -> tuple[int, bool]:
        """Insert a decision or approval request; returns (id, created). An existing row wins."""
        row = {
            "platform": message.platform,
            "workspace": message.workspace,
            "channel": message.channel,
            "channel_name": message.channel_name,
            "visibility": message.visibility.value,
            "thread": message.thread,
            "ts": message.ts,
            "author": message.author,
            "author_name": message.author_name,
            "text": text,
            "kind": verdict.kind.value,
            "customer_rationale": int(bool(verdict.customer_rationale)),
            "customer": verdict.customer,
            "principles": json.dumps(list(verdict.principles)),
            "probability": verdict.probability,
            "nudge_score": verdict.nudge_score,
            "permalink": message.permalink,
            "status": "active",
            "approval_state": "open" if verdict.kind == "approval_request" else None,
            "created_at": iso(message.time),
            "updated_at": iso(now),
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.db.execute(
            f"INSERT OR IGNORE INTO decisions ({columns}) VALUES ({marks})", list(row.values())
        )
        if cursor.rowcount == 1:
            return cursor.lastrowid, True
        existing = self.find(message.platform, message.workspace, message.channel, message.ts)
        return existing["id"], False

    def update(self, platform: str, workspace: str, decision_id: int, **fields) -> None:
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(
            f"UPDATE decisions SET {assignments} WHERE platform = ? AND workspace = ? AND id = ?",
            [*fields.values(), platform, workspace, decision_id],
        )

    def count_reply(self, platform: str, workspace: str, channel: str, thread: str) -> None:
        """A reply was written in a thread: the decision that opened it was discussed once more."""
        self.db.execute(
            "UPDATE decisions SET replies = replies + 1 "
            "WHERE platform = ? AND workspace = ? AND channel = ? AND ts = ?",
            [platform, workspace, channel, thread],
        )

    def open_request_in_thread(
        self, platform: str, workspace: str, channel: str, thread: str
    ) -> dict | None:
        rows = self._rows(
            "SELECT * FROM decisions WHERE platform = ? AND workspace = ? AND channel = ? AND thread = ? "
            "AND kind = 'approval_request' AND approval_state = 'open' AND status = 'active' "
            # `+`: look the thread up by its index and sort its few rows, rather than walk every row of
            # the workspace in time order (SQLite's choice without statistics), once per reply.
            "ORDER BY +created_at DESC LIMIT 1",
            [platform, workspace, channel, thread],
        )
        return rows[0] if rows else None

    def record_response(
        self, request: dict, author: str, answer: str, ts: str, when: datetime
    ) -> bool:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO approval_responses "
            "(request_id, platform, workspace, author, answer, ts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [request["id"], request["platform"], request["workspace"], author, answer, ts, iso(when)],
        )
        return cursor.rowcount == 1

    def responses(self, platform: str, workspace: str, request_id: int) -> list[dict]:
        return self._rows(
            "SELECT author, answer, ts, created_at FROM approval_responses "
            "WHERE platform = ? AND workspace = ? AND request_id = ? ORDER BY created_at",
            [platform, workspace, request_id],
        )

    def decisions(
        self,
        platform: str | None = None,
        workspace: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        include_inactive: bool = False,
    ) -> list[dict]:
        """Logged rows, oldest first; filtered by workspace and time when given."""
        where, params = [], []
        if platform is not None:
            where.append("platform = ?")
            params.append(platform)
        if workspace is not None:
            where.append("workspace = ?")
            params.append(workspace)
        if since is not None:
            where.append("created_at >= ?")
            params.append(iso(since))
        if until is not None:
            where.append("created_at < ?")
            params.append(iso(until))
        if not include_inactive:
            where.append("status = 'active'")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        return self._rows(f"SELECT * FROM decisions {clause} ORDER BY created_at, id", params)

    def has_channel(self, platform: str, workspace: str, channel: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM decisions WHERE platform = ? AND workspace = ? AND channel = ? LIMIT 1",
                [platform, workspace, channel],
            )
        )

    def open_items_for(self, platform: str, workspace: str, author: str, limit: int = 20) -> list[dict]:
        """An author's decisions still lacking a customer rationale and open approval requests, newest first."""
        return self._rows(
            "SELECT * FROM decisions WHERE platform = ? AND workspace = ? AND author = ? AND status = 'active' "
            "AND ((kind = 'decision' AND customer_rationale = 0 AND not_customer_facing_by IS NULL) "
            "OR (kind = 'approval_request' AND approval_state = 'open')) ORDER BY created_at DESC LIMIT ?",
            [platform, workspace, author, limit],
        )

    def workspaces(self) -> list[tuple[str, str]]:
        return [
            (r["platform"], r["workspace"])
            for r in self._rows("SELECT DISTINCT platform, workspace FROM decisions ORDER BY 1, 2", [])
        ]

    def purge_text(self, before: datetime, now: datetime) -> int:
        """Forget the words of messages older than `before`, and the examples they were; the figures stay."""
        cursor = self.db.execute(
            "UPDATE decisions SET text = NULL, rationale = CASE WHEN rationale IS NULL THEN NULL ELSE '' END, "
            "purged_at = ? WHERE created_at < ? AND purged_at IS NULL",
            [iso(now), iso(before)],
        )
        self._purge_examples(before)
        return cursor.rowcount

    def record_dismissal(self, platform: str, workspace: str, wording: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO dismissals (platform, workspace, wording, count, last_at) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT (platform, workspace, wording) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
            [platform, workspace, wording, iso(now)],
        )

    def is_dismissed(self, platform: str, workspace: str, wording: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM dismissals WHERE platform = ? AND workspace = ? AND wording = ?",
                [platform, workspace, wording],
            )
        )

    def forget_events(self, before: datetime) -> int:
        """Drop remembered event ids older than `before`: platforms retry within minutes, not days."""
        cursor = self.db.execute("DELETE FROM processed_events WHERE received_at < ?", [iso(before)])
        self.forget_outbox(before)
        return cursor.rowcount

    # -- nudges ---------------------------------------------------------------------------

    def record_nudge(self, message: Message, decision_id: int, now: datetime) -> int | None:
        """Claim the thread's one nudge; None when the thread already had it."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO nudges (decision_id, platform, workspace, channel, thread, author, sent_at, "
            "posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [decision_id, message.platform, message.workspace, message.channel, message.thread, message.author,
             iso(now), iso(now)],
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def thread_nudged(self, platform: str, workspace: str, channel: str, thread: str) -> bool:
        return bool(
            self._rows(
                "SELECT 1 FROM nudges WHERE platform = ? AND workspace = ? AND channel = ? AND thread = ?",
                [platform, workspace, channel, thread],
            )
        )

    def last_nudge_for(self, platform: str, workspace: str, author: str) -> datetime | None:
        rows = self._rows(
            "SELECT max(sent_at) AS last FROM nudges WHERE platform = ? AND workspace = ? AND author = ?",
            [platform, workspace, author],
        )
        return parse_time(rows[0]["last"]) if rows else None

    def nudges_since(self, platform: str, workspace: str, channel: str, since: datetime) -> int:
        rows = self._rows(
            "SELECT count(*) AS n FROM nudges WHERE platform = ? AND workspace = ? AND channel = ? "
            "AND sent_at >= ?",
            [platform, workspace, channel, iso(since)],
        )
        return rows[0]["n"]

    def nudge_for(self, platform: str, workspace: str, decision_id: int) -> dict | None:
        rows = self._rows(
            "SELECT * FROM nudges WHERE platform = ? AND workspace = ? AND decision_id = ?",
            [platform, workspace, decision_id],
        )
        return rows[0] if rows else None

    def answer_nudge(
        self, platform: str, workspace: str, decision_id: int, answer: str, user: str, now: datetime
    ) -> None:
        self.db.execute(
            "UPDATE nudges SET answer = ?, answered_by = ?, answered_at = ? "
            "WHERE platform = ? AND workspace = ? AND decision_id = ?",
            [answer, user, iso(now), platform, workspace, decision_id],
        )

    # -- channel settings -----------------------------------------------------------------

    def channel_settings(self, platform: str, workspace: str, channel: str) -> ChannelSettings:
        rows = self._rows(
            "SELECT * FROM channel_settings WHERE platform = ? AND workspace = ? AND channel = ?",
            [platform, workspace, channel],
        )
        if not rows:
            return ChannelSettings()
        row = rows[0]
        return ChannelSettings(
            muted_until=row["muted_until"],
            muted_by=row["muted_by"],
            ephemeral=bool(row["ephemeral"]),
            approval_nudges=bool(row["approval_nudges"]),
            sensitivity=_sensitivity(row["sensitivity"]),
        )

    def save_channel_settings(
        self, platform: str, workspace: str, channel: str, settings: ChannelSettings, now: datetime
    ) -> None:
        self.db.execute(
            "INSERT INTO channel_settings (platform, workspace, channel, muted_until, muted_by, ephemeral, "
            "approval_nudges, sensitivity, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, workspace, channel) DO UPDATE SET muted_until = excluded.muted_until, "
            "muted_by = excluded.muted_by, ephemeral = excluded.ephemeral, "
            "approval_nudges = excluded.approval_nudges, sensitivity = excluded.sensitivity, "
            "updated_at = excluded.updated_at",
            [platform, workspace, channel, settings.muted_until, settings.muted_by, int(settings.ephemeral),
             int(settings.approval_nudges), settings.sensitivity and settings.sensitivity.value, iso(now)],
        )

    def workspace_sensitivity(self, platform: str, workspace: str) -> Sensitivity | None:
        """The workspace's default sensitivity, or None when it never chose one."""
        rows = self._rows(
            "SELECT sensitivity FROM workspace_settings WHERE platform = ? AND workspace = ?", [platform, workspace]
        )
        return _sensitivity(rows[0]["sensitivity"]) if rows else None

    def save_workspace_sensitivity(
        self, platform: str, workspace: str, sensitivity: Sensitivity | None, user: str, now: datetime
    ) -> None:
        self.db.execute(
            "INSERT INTO workspace_settings (platform, workspace, sensitivity, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, workspace) DO UPDATE SET "
            "sensitivity = excluded.sensitivity, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [platform, workspace, sensitivity and sensitivity.value, user, iso(now)],
        )

    def channel_counts(self, platform: str, workspace: str, channel: str) -> dict:
        rows = self._rows(
            "SELECT count(*) FILTER (WHERE kind = 'decision') AS decisions, "
            "count(*) FILTER (WHERE kind = 'decision' AND customer_rationale = 0 "
            "  AND not_customer_facing_by IS NULL) AS lacking, "
            "count(*) FILTER (WHERE kind = 'approval_request') AS requests, "
            "count(*) FILTER (WHERE kind = 'approval_request' AND approval_state = 'open') AS open_requests "
            "FROM decisions WHERE platform = ? AND workspace = ? AND channel = ? AND status = 'active'",
            [platform, workspace, channel],
        )
        nudges = self._rows(
            "SELECT count(*) AS n FROM nudges WHERE platform = ? AND workspace = ? AND channel = ? "
            "AND posted_at IS NOT NULL",
            [platform, workspace, channel],
        )
        return {**rows[0], "nudges": nudges[0]["n"]}

    # -- helpers --------------------------------------------------------------------------

    def _rows(self, sql: str, params: list) -> list[dict]:
        return list(self.db.query(sql, params))


def _sensitivity(value: str | None) -> Sensitivity | None:
    # A value this version does not know (written by a newer one) reads as "not set", never as an error.
    return next((s for s in Sensitivity if s.value == value), None)
