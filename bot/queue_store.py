"""The inbox and the outbox (the tables of m013_inbox_outbox): what arrived and is not yet handled, and
what the bot means to send and has not yet sent.

`QueueStore` is part of `Store` (a mixin, like bot/example_store.py): its statements run on the calling
thread's connection, and a statement outside `Store.transaction()` commits at once.

The inbox holds a platform's raw event from before the platform was told we have it until the
transaction that handled it deletes it, so a crash in between leaves it to be resumed at start-up.
An event that keeps failing is parked with its error and waits for `nudgebot inbox retry|drop`.

The outbox holds each message to send from the transaction that decided to send it until a sender
posts it: `pending` (due at `next_at`), `sending` (a try under way: after a crash it may or may not
have reached the platform), `unsure` (the platform's answer was lost), then `sent`, `failed` (the
platform refused it for good, or its answer was lost where nothing can be checked) or `expired`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.models import iso, parse_time
from bot.wire import valid_strings

INBOX_STATES = ("pending", "parked")
MAX_ATTEMPTS = 5  # failed tries before an event is parked
BACKOFF = timedelta(minutes=1)  # × the tries so far, before the next one
RESUME_EVERY = 60.0  # seconds between a server's looks for events to try again
OUTBOX_OPEN = ("pending", "sending", "unsure")


@dataclass(frozen=True)
class InboxItem:
    id: int
    platform: str
    workspace: str
    event_id: str
    payload: dict
    received_at: datetime
    state: str
    attempts: int
    error: str | None

    @classmethod
    def of(cls, row: dict) -> InboxItem:
        return cls(row["id"], row["platform"], row["workspace"], row["event_id"], json.loads(row["payload"]),
                   parse_time(row["received_at"]), row["state"], row["attempts"], row["error"])


@dataclass(frozen=True)
class OutboxItem:
    id: int
    platform: str
    workspace: str
    kind: str
    payload: dict
    decision_id: int | None
    created_at: datetime
    expires_at: datetime
    state: str
    attempts: int
    next_at: datetime
    error: str | None
    ref: str | None

    @classmethod
    def of(cls, row: dict) -> OutboxItem:
        return cls(row["id"], row["platform"], row["workspace"], row["kind"], json.loads(row["payload"]),
                   row["decision_id"], parse_time(row["created_at"]), parse_time(row["expires_at"]), row["state"],
                   row["attempts"], parse_time(row["next_at"]), row["error"], row["ref"])


class QueueStore:
    """The store's statements about the inbox and the outbox; mixed into `Store`."""

    db: Database

    # -- inbox ----------------------------------------------------------------------------

    def inbox_put(self, platform: str, workspace: str, event_id: str, payload: dict, now: datetime) -> int | None:
        """Keep an event that arrived; None when the same event is already here (a platform's retry of
        one not yet handled, which the first copy will be)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO inbox (platform, workspace, event_id, payload, received_at) VALUES (?, ?, ?, ?, ?)",
            [platform, workspace, valid_strings(event_id), json.dumps(valid_strings(payload), ensure_ascii=False),
             iso(now)],
        )
        return cursor.lastrowid if cursor.rowcount == 1 else None

    def inbox_keep(self, platform: str, workspace: str, event_id: str, payload: dict, now: datetime) -> int | None:
        """Keep an event that arrived, or find the copy kept before (a platform's retry): its id while it
        waits to be handled, None when it was parked."""
        kept = self.inbox_put(platform, workspace, event_id, payload, now)
        if kept is not None:
            return kept
        rows = list(self.db.query("SELECT id, state FROM inbox WHERE platform = ? AND event_id = ?",
                                  [platform, valid_strings(event_id)]))
        return rows[0]["id"] if rows and rows[0]["state"] == "pending" else None

    def inbox_done(self, item_id: int) -> None:
        """The event was handled: it goes (call it in the transaction that handled it)."""
        self.db.execute("DELETE FROM inbox WHERE id = ?", [item_id])

    def inbox_failed(self, item_id: int, error: str, now: datetime, attempts: int) -> str | None:
        """A try failed: counted, with its error; parked once it has failed `attempts` times. The state
        it is left in (None when it is gone)."""
        self.db.execute(
            "UPDATE inbox SET attempts = attempts + 1, error = ?, tried_at = ?, "
            "state = CASE WHEN attempts + 1 >= ? THEN 'parked' ELSE state END WHERE id = ?",
            [error, iso(now), attempts, item_id],
        )
        rows = list(self.db.query("SELECT state FROM inbox WHERE id = ?", [item_id]))
        return rows[0]["state"] if rows else None

    def inbox_due(self, platform: str, now: datetime, backoff: timedelta, limit: int = 100) -> list[InboxItem]:
        """Pending events of `platform`, oldest first: never tried, or last tried `backoff` × attempts ago."""
        rows = self.db.query(
            "SELECT * FROM inbox WHERE state = 'pending' AND platform = ? ORDER BY id LIMIT ?", [platform, limit])
        due = []
        for row in rows:
            tried = row["tried_at"]
            if tried is None or parse_time(tried) + backoff * row["attempts"] <= now:
                due.append(InboxItem.of(row))
        return due

    def inbox_items(self, state: str | None = None, workspace: str | None = None) -> list[InboxItem]:
        """What the inbox holds (pending and parked), oldest first; `workspace` limits it to one."""
        where, params = [], []
        if state:
            where.append("state = ?")
            params.append(state)
        if workspace:
            where.append("workspace = ?")
            params.append(workspace)
        sql = "SELECT * FROM inbox" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return [InboxItem.of(row) for row in self.db.query(sql, params)]

    def inbox_retry(self, item_id: int | None = None) -> int:
        """Parked events (one, or every one) back to pending with their count of tries reset."""
        sql = "UPDATE inbox SET state = 'pending', attempts = 0, tried_at = NULL WHERE state = 'parked'"
        cursor = self.db.execute(sql + (" AND id = ?" if item_id is not None else ""),
                                 [item_id] if item_id is not None else [])
        return cursor.rowcount

    def inbox_drop(self, item_id: int | None = None) -> int:
        """Parked events (one, or every one) deleted, their words with them."""
        sql = "DELETE FROM inbox WHERE state = 'parked'"
        cursor = self.db.execute(sql + (" AND id = ?" if item_id is not None else ""),
                                 [item_id] if item_id is not None else [])
        return cursor.rowcount

    def inbox_counts(self) -> dict[str, int]:
        rows = self.db.query("SELECT state, count(*) AS n FROM inbox GROUP BY state")
        return {state: 0 for state in INBOX_STATES} | {row["state"]: row["n"] for row in rows}

    # -- outbox ---------------------------------------------------------------------------

    def outbox_put(self, platform: str, workspace: str, kind: str, payload: dict, now: datetime,
                   keep: timedelta, decision_id: int | None = None) -> int:
        cursor = self.db.execute(
            "INSERT INTO outbox (platform, workspace, kind, payload, decision_id, created_at, expires_at, next_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [platform, workspace, kind, json.dumps(payload, ensure_ascii=False), decision_id, iso(now),
             iso(now + keep), iso(now)],
        )
        return cursor.lastrowid

    def nudge_waits(self, platform: str, workspace: str, decision_id: int) -> None:
        """A question goes by the outbox: it counts as asked once posted, not when it was decided."""
        self.db.execute("UPDATE nudges SET posted_at = NULL WHERE platform = ? AND workspace = ? AND decision_id = ?",
                        [platform, workspace, decision_id])

    def outbox_get(self, item_id: int) -> OutboxItem | None:
        rows = list(self.db.query("SELECT * FROM outbox WHERE id = ?", [item_id]))
        return OutboxItem.of(rows[0]) if rows else None

    def outbox_due(self, platform: str, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Messages of `platform` to send (or to check) now, oldest first."""
        rows = self.db.query(
            "SELECT * FROM outbox WHERE state IN ('pending', 'sending', 'unsure') AND platform = ? AND next_at <= ? "
            "ORDER BY id LIMIT ?", [platform, iso(now), limit])
        return [OutboxItem.of(row) for row in rows]

    def outbox_next_at(self, platform: str) -> datetime | None:
        """When the next message of `platform` falls due (None when none waits)."""
        rows = list(self.db.query(
            "SELECT min(next_at) AS next FROM outbox WHERE state IN ('pending', 'sending', 'unsure') AND platform = ?",
            [platform]))
        return parse_time(rows[0]["next"]) if rows and rows[0]["next"] else None

    def outbox_trying(self, item_id: int, now: datetime) -> None:
        """A try starts: from now until its result is kept, the message may have reached the platform."""
        self.db.execute("UPDATE outbox SET state = 'sending', attempts = attempts + 1, error = NULL WHERE id = ?",
                        [item_id])

    def outbox_sent(self, item_id: int, now: datetime, ref: str | None = None) -> None:
        """Posted: with the platform's reference to it; a question's thread now counts as asked."""
        with_ref = [ref, iso(now), item_id]
        self.db.execute("UPDATE outbox SET state = 'sent', ref = ?, sent_at = ?, payload = '{}' WHERE id = ?", with_ref)
        self.db.execute(
            "UPDATE nudges SET posted_at = ? WHERE posted_at IS NULL AND decision_id = "
            "(SELECT decision_id FROM outbox WHERE id = ? AND kind = 'nudge')", [iso(now), item_id])

    def outbox_later(self, item_id: int, when: datetime, error: str, state: str = "pending") -> None:
        """Not delivered (or not known to be): tried again at `when`."""
        self.db.execute("UPDATE outbox SET state = ?, next_at = ?, error = ? WHERE id = ?",
                        [state, iso(when), error, item_id])

    def outbox_gave_up(self, item_id: int, state: str, error: str, now: datetime) -> None:
        """Never to be tried again (`failed` or `expired`); its words go, its error stays."""
        self.db.execute("UPDATE outbox SET state = ?, error = ?, sent_at = NULL, payload = '{}' WHERE id = ?",
                        [state, error, item_id])

    def outbox_counts(self) -> dict[str, int]:
        rows = self.db.query("SELECT state, count(*) AS n FROM outbox GROUP BY state")
        return {row["state"]: row["n"] for row in rows}

    def forget_outbox(self, before: datetime) -> int:
        """Sent, failed and expired messages older than `before` go (their words went when they ended)."""
        cursor = self.db.execute(
            "DELETE FROM outbox WHERE state IN ('sent', 'failed', 'expired') AND created_at < ?", [iso(before)])
        return cursor.rowcount
