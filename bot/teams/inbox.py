"""Teams messages whose handling failed, kept and tried again.

Teams gets its answer only once an activity was handled, so nothing is acknowledged before it is
kept. A message whose handling fails is kept in the inbox (bot/queue_store.py) before Teams gets its
answer, and the person is not asked to write it again: the server tries it again a minute later (then
two, three…), posting what it means to say into the message's reply chain, and parks it after
MAX_ATTEMPTS failed tries for `nudgebot inbox` to show, retry or drop.
"""

from __future__ import annotations

import asyncio
import logging

from botbuilder.schema import Activity

from bot.durable import Durable
from bot.queue_store import BACKOFF, MAX_ATTEMPTS, RESUME_EVERY
from bot.runner import EngineThread
from bot.teams.outbox import TeamsOutbox

log = logging.getLogger("nudgebot.teams")
PLATFORM = "teams"


class TeamsInbox:
    def __init__(self, durable: Durable, outbox: TeamsOutbox, run: EngineThread):
        self.durable, self.outbox, self.run = durable, outbox, run
        self.store, self.clock = durable.store, durable.engine.clock
        self._task: asyncio.Task | None = None

    async def keep_failed(self, activity: Activity, event_id: str, tenant: str, error: BaseException) -> bool:
        """Keep a message whose handling failed, counted once; False when even that failed."""
        try:
            item = await self.run(self.store.inbox_keep, PLATFORM, tenant, event_id, activity.serialize(),
                                  self.clock())
            if item is not None:
                await self.run(self.store.inbox_failed, item, type(error).__name__, self.clock(), MAX_ATTEMPTS)
        except Exception as exc:  # noqa: BLE001 - the log itself is what fails: the turn's error handler speaks
            log.error("Teams: a message whose handling failed could not be kept either (%s)", type(exc).__name__)
            return False
        log.warning("Teams: message %s failed (%s); kept, it will be tried again", event_id, type(error).__name__,
                    exc_info=error)
        return True

    async def resume(self) -> int:
        """Handle the kept messages that are due again; how many were tried."""
        from bot.teams.bot import to_message

        due = await self.run(self.store.inbox_due, PLATFORM, self.clock(), BACKOFF)
        for entry in due:
            try:
                message = to_message(Activity().deserialize(entry.payload))
                if message is None:
                    await self.run(self.durable.nothing, entry.id)
                    continue
                done = await self.run(self.durable.handle, message, inbox=entry.id)
            except Exception as exc:  # noqa: BLE001 - counted and kept, to be tried again
                state = await self.run(self.store.inbox_failed, entry.id, type(exc).__name__, self.clock(),
                                       MAX_ATTEMPTS)
                log.log(logging.ERROR if state == "parked" else logging.WARNING, "Teams: message %s failed again "
                        "(%s)%s", entry.event_id, type(exc).__name__,
                        "; parked: `nudgebot inbox` shows it" if state == "parked" else "")
                continue
            await self.outbox.deliver(done.outbox)
        return len(due)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def _loop(self) -> None:
        while True:  # at start-up (what an earlier run kept), then every RESUME_EVERY seconds
            try:
                await self.resume()
            except Exception as exc:  # noqa: BLE001 - the next look may fare better
                log.error("Teams: resuming kept messages failed (%s)", type(exc).__name__, exc_info=exc)
            await asyncio.sleep(RESUME_EVERY)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
