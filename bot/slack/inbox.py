"""Slack's events, kept in the inbox before Slack is told they arrived.

Slack sends an event again only when it got no 200, and Bolt acknowledges an event before its
listener runs. So a Bolt middleware commits each event we follow (messages, reactions) to the inbox
first, on a thread of its own that never waits behind the engine's work; only then does Bolt ack.
The listener then handles it, and the transaction that handled it deletes it (bot/durable.py).

- A retry of an event still in the inbox is acknowledged and dropped: the first copy will be handled.
- An event whose handling failed stays, counted; it is tried again (a minute later, then longer), and
  parked after MAX_ATTEMPTS with its error, for `nudgebot inbox` to show, retry or drop.
- What a crash left in the inbox is resumed when `serve` starts.
- When the log cannot keep an event within KEEP_PATIENCE (a disk full, a lock held too long), Slack
  gets a 503 and sends the event again later: nothing is acknowledged that was not kept.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import TYPE_CHECKING

from slack_bolt import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import StoreError
from bot.queue_store import BACKOFF, MAX_ATTEMPTS, RESUME_EVERY
from bot.runner import EngineThread
from bot.slack.payloads import PLATFORM, workspace_of
from bot.store import Store
from bot.wire import valid_strings

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

log = logging.getLogger("nudgebot.slack")
ITEM = "inbox_item"  # the context key a listener finds its inbox item's id under
FOLLOWED = frozenset({"message", "reaction_added"})  # the events with lasting effects
KEEP_PATIENCE = 2.0  # seconds; Slack wants its answer within 3
BUSY = object()  # the log's write lock is held by another writer
STALE = 600.0  # seconds after which an event taken but never finished (a listener lost) may be taken again


def failed_reason(exc: BaseException) -> str:
    """An error as kept with a parked event: its kind, and its first line when that names no data."""
    return type(exc).__name__


class SlackInbox:
    def __init__(self, slack: SlackBot):
        self.slack = slack
        self.store = slack.engine.store
        self.clock = slack.engine.clock
        self._keeper = EngineThread()  # commits events as they arrive, never behind the engine's work
        self._taking: dict[int, float] = {}  # inbox item → when this process took it (time.monotonic)
        self._task: asyncio.Task | None = None
        self._now: Store | None = None  # the event loop's own connection, opened at the first event

    # -- before the ack ---------------------------------------------------------------------

    async def keep(self, body: dict, context, next):  # noqa: A002 - Bolt passes middleware arguments by name
        event = body.get("event") or {}
        if body.get("type") != "event_callback" or event.get("type") not in FOLLOWED or not body.get("event_id"):
            return await next()
        kept = (PLATFORM, workspace_of(context), str(body["event_id"]), body, self.clock())
        try:
            item = self._keep_now(*kept)
            if item is BUSY:  # another writer holds the log: the keeper's thread waits for it
                item = await asyncio.wait_for(self._keeper(self.store.inbox_keep, *kept), KEEP_PATIENCE)
        except (TimeoutError, sqlite3.Error, StoreError, OSError) as exc:
            log.error("Slack: an event could not be kept in the log (%s); answered 503, Slack will send it again",
                      type(exc).__name__)
            return BoltResponse(status=503, body="")
        if item is None or not self._claim(item):  # parked, or a retry of an event being handled now
            return BoltResponse(status=200, body="")
        context[ITEM] = item
        return await next()

    def _keep_now(self, *kept) -> int | None | object:
        """Keep the event right here, on the event loop, when the log's write lock is free (nearly always:
        no hop to another thread, whose turn at the interpreter can be a while coming); BUSY when another
        writer holds it. Its own connection never waits for the lock and never checkpoints the log."""
        if self._now is None:
            if self.store.path is None:
                return BUSY
            db = Store._connect(self.store.path)  # as every connection to the log is made
            db.execute("PRAGMA busy_timeout = 0")
            db.execute("PRAGMA wal_autocheckpoint = 0")
            self._now = Store(db, self.store.path)
        try:
            return self._now.inbox_keep(*kept)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return BUSY
            raise

    def _claim(self, item: int) -> bool:
        """Take `item` for this process's handling; False when it is being handled already."""
        now = time.monotonic()
        if now - self._taking.get(item, -STALE) < STALE:
            return False
        self._taking[item] = now
        return True

    # -- after it -----------------------------------------------------------------------------

    async def take(self, item: int | None, body: dict, workspace: str, bot_user: str | None,
                   client: AsyncWebClient) -> None:
        """Handle one event (its item claimed); a failure is counted against its inbox item (and logged),
        never raised. The event is read as it was kept: every string valid (lone surrogates replaced)."""
        body = valid_strings(body)
        try:
            if (body.get("event") or {}).get("type") == "reaction_added":
                await self.slack.reaction(item, body, workspace, bot_user)
            else:
                await self.slack.message(item, body, workspace, bot_user, client)
        except Exception as exc:  # noqa: BLE001 - counted and kept, to be tried again
            if item is None:
                raise
            state = await self.slack.run(self.store.inbox_failed, item, failed_reason(exc), self.clock(),
                                         MAX_ATTEMPTS)
            outcome = {"parked": "parked: `nudgebot inbox` shows it", "pending": "it will be tried again",
                       None: "after its handling was kept"}[state]
            log.log(logging.ERROR if state != "pending" else logging.WARNING, "Slack: event %s failed (%s); %s",
                    body.get("event_id"), type(exc).__name__, outcome, exc_info=exc)
        finally:
            if item is not None:
                self._taking.pop(item, None)

    async def resume(self) -> int:
        """Handle what the inbox holds that is due (left by a crash, or failed before); how many."""
        due = await self.slack.run(self.store.inbox_due, PLATFORM, self.clock(), BACKOFF)
        taken = 0
        for entry in due:
            client = await self.slack.client_for(entry.workspace)
            if client is None:
                log.warning("Slack: no bot token for workspace %s; its kept events wait", entry.workspace)
                continue
            if not self._claim(entry.id):
                continue
            await self.take(entry.id, entry.payload, entry.workspace, await self.slack.bot_user_for(entry.workspace),
                            client)
            taken += 1
        if taken:
            log.info("Slack: resumed %d kept event(s)", taken)
        return taken

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                await self.resume()
            except Exception as exc:  # noqa: BLE001 - the next look may fare better
                log.error("Slack: resuming kept events failed (%s)", type(exc).__name__, exc_info=exc)
            await asyncio.sleep(RESUME_EVERY)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._keeper.close()
        if self._now is not None:
            self._now.close()

