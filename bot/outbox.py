"""Delivering the outbox (bot/queue_store.py): the part every platform shares.

Each message is tried at once, and again while it is not delivered: after the platform's
`Retry-After` for a 429, with growing waits for a platform that cannot be reached, until it expires
(NUDGEBOT_OUTBOX_HOURS). A message is never repeated blindly: when a try's answer was lost (a timeout,
a dropped connection, a 5xx) or the process died mid-try, a platform that can read its post back
(Slack) looks for it first; one that cannot gives the message up rather than risk showing it twice.
What is harmless to repeat (updating a message, a reaction) is simply tried again.

A platform's sender subclasses `OutboxSender` with `_send` (one try), `_posted` (read a post back) and
`classify` (what a failure means).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.actions import Action
from bot.durable import decode
from bot.queue_store import OutboxItem
from bot.runner import EngineThread
from bot.store import Store

log = logging.getLogger("nudgebot.outbox")
FIRST_WAIT = 2.0  # seconds before the second try of a message the platform could not be reached for
LONGEST_WAIT = 900.0
POLL = 5.0  # seconds: the longest the sender sleeps before looking for work again
REPEATABLE = frozenset({"update", "react"})  # what may be sent twice without anyone seeing it twice


class Unsure(Exception):
    """The platform's answer was lost: the message may or may not be there."""


class NotYet(Exception):
    """The platform did not take the message; try again after `wait` seconds (None: our own backoff)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


class Refused(Exception):
    """The platform will never take this message (a channel gone, the bot removed, a token revoked)."""


def backoff(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th try failed: doubling from FIRST_WAIT, with jitter."""
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** max(attempts - 1, 0)) * random.uniform(0.8, 1.2)


def retry_after(headers) -> float | None:
    """A Retry-After header's seconds, if it has a usable one."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return float(value[0] if isinstance(value, list) else value)
    except (TypeError, ValueError):
        return None


class OutboxSender:
    """Delivers one platform's outbox messages. `deliver(ids)` sends those now; `start()` runs the loop
    that sends what is due (retries, and what a crash left) until `close()`."""

    platform = ""
    name = ""  # for the log: "Slack", "Teams"

    def __init__(self, store: Store, run: EngineThread, clock: Callable[[], datetime]):
        self.store = store
        self.run = run
        self.clock = clock
        self._busy: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    # -- what a platform provides ---------------------------------------------------------

    async def _send(self, item: OutboxItem, action: Action, context) -> str | None:
        """One try; the platform's reference to what it posted (None for what has none)."""
        raise NotImplementedError

    async def _posted(self, item: OutboxItem, action: Action) -> str | None:
        """The reference of this message if the platform has it ('' when found without one), None if not."""
        raise Unsure("this platform cannot read a post back")

    def classify(self, exc: BaseException) -> Exception:
        """What a failed try means for the message: NotYet, Unsure or Refused."""
        return Unsure(type(exc).__name__)

    def checkable(self, item: OutboxItem) -> bool:
        """Whether a lost answer can be settled: by repeating it harmlessly, or by reading the post back."""
        return item.kind in REPEATABLE

    # -- the loop -------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    def kick(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            self._wake.clear()  # a kick from here on wakes the wait below
            try:
                await self.send_due()
                following = await self.run(self.store.outbox_next_at, self.platform)
            except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad moment of the log
                log.error("%s outbox: %s", self.name, type(exc).__name__, exc_info=exc)
                following = None
            wait = POLL if following is None else (following - self.clock()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.05, min(POLL, wait)))

    async def send_due(self) -> int:
        """Send (or check) every message due now; how many were looked at."""
        due = await self.run(self.store.outbox_due, self.platform, self.clock())
        await self.deliver([item.id for item in due], items={item.id: item for item in due})
        return len(due)

    # -- one message ----------------------------------------------------------------------

    async def deliver(self, ids: list[int], items: dict[int, OutboxItem] | None = None, context=None) -> None:
        """Send these messages now (`context`: what the platform's `_send` may use, such as a turn)."""
        for item_id in ids:
            if item_id in self._busy:
                continue
            self._busy.add(item_id)
            try:
                item = (items or {}).get(item_id) or await self.run(self.store.outbox_get, item_id)
                if item is not None and item.state in ("pending", "sending", "unsure"):
                    await self._try(item, context)
            finally:
                self._busy.discard(item_id)

    async def _try(self, item: OutboxItem, context) -> None:
        now = self.clock()
        if now >= item.expires_at:
            log.warning("%s outbox: message %d (%s) expired after %d tries: %s", self.name, item.id, item.kind,
                        item.attempts, item.error or "never sent")
            await self.run(self.store.outbox_gave_up, item.id, "expired", item.error or "expired", now)
            return
        try:
            action = decode(item.kind, item.payload["action"])
            if item.state != "pending" and item.kind not in REPEATABLE:  # a try whose end nobody saw
                if not self.checkable(item):
                    raise Unsure("a try was under way when the server stopped")
                found = await self._posted(item, action)
                if found is not None:  # it is there: done
                    await self.run(self.store.outbox_sent, item.id, self.clock(), found or None)
                    return
            await self.run(self.store.outbox_trying, item.id, now)
            ref = await self._send(item, action, context)
        except Exception as exc:  # noqa: BLE001 - every failure is sorted below; none may stop the sender
            await self._failed(item, exc)
            return
        await self.run(self.store.outbox_sent, item.id, self.clock(), ref)

    async def _failed(self, item: OutboxItem, exc: BaseException) -> None:
        outcome = exc if isinstance(exc, NotYet | Unsure | Refused) else self.classify(exc)
        now = self.clock()
        if isinstance(outcome, Refused):
            log.warning("%s outbox: message %d (%s) refused: %s", self.name, item.id, item.kind, outcome)
            await self.run(self.store.outbox_gave_up, item.id, "failed", str(outcome), now)
            return
        if isinstance(outcome, Unsure) and not self.checkable(item):
            log.warning("%s outbox: message %d (%s) may have been shown (%s); not sent again", self.name, item.id,
                        item.kind, outcome)
            await self.run(self.store.outbox_gave_up, item.id, "failed", f"unsure: {outcome}", now)
            return
        told = outcome.wait if isinstance(outcome, NotYet) else None
        wait = told if told is not None else backoff(item.attempts + 1)
        state = "unsure" if isinstance(outcome, Unsure) and item.kind not in REPEATABLE else "pending"
        log.log(logging.INFO if told is not None else logging.WARNING,
                "%s outbox: message %d (%s) not delivered (%s); next try in %.0f s", self.name, item.id, item.kind,
                outcome, wait)
        await self.run(self.store.outbox_later, item.id, now + timedelta(seconds=wait), str(outcome), state)
        self.kick()  # the loop's next look is at the earliest retry
