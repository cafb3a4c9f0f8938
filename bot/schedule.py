"""What `nudgebot serve` does on a timer, on APScheduler: housekeeping, and any job added later
(approval reminders, the weekly digest). Times are in NUDGEBOT_TIMEZONE.

A job that is still running when its next turn comes is not started twice; a turn missed while the
server was down runs once at start-up when it is at most `GRACE` late (nothing is sent twice,
since every job keeps its own record of what it did in SQLite).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ConfigError

GRACE = 6 * 3600  # seconds
log = logging.getLogger("nudgebot.schedule")

Job = Callable[[], Awaitable[object]]


def cron_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """A crontab line ("0 9 * * mon": minute hour day month weekday) in `zone`, or a clear error."""
    try:
        return CronTrigger.from_crontab(expression, timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"'{expression}' is not a cron schedule ({exc}); use five fields: minute hour day "
                          "month weekday, for example '0 9 * * mon'") from None


class Schedule:
    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self._scheduler = AsyncIOScheduler(timezone=zone, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": GRACE})

    def every(self, name: str, job: Job, *, minutes: float) -> None:
        self._scheduler.add_job(self._logged(name, job), IntervalTrigger(minutes=minutes, timezone=self.zone),
                                id=name, name=name)

    def cron(self, name: str, job: Job, expression: str) -> None:
        self._scheduler.add_job(self._logged(name, job), cron_trigger(expression, self.zone), id=name, name=name)

    def jobs(self) -> dict[str, str]:
        """Each job's name and its next run (ISO time), for the start-up line and for tests."""
        return {j.id: j.next_run_time.isoformat() if j.next_run_time else "" for j in self._scheduler.get_jobs()}

    def run_soon(self, name: str) -> None:
        """Bring a job's next turn forward to now (the job still runs on the scheduler, not here)."""
        self._scheduler.get_job(name).modify(next_run_time=datetime.now(self.zone))

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @staticmethod
    def _logged(name: str, job: Job) -> Job:
        async def run() -> None:
            try:
                await job()
            except Exception as exc:  # noqa: BLE001 - one failed turn must not stop the schedule
                log.error("scheduled job %s failed: %s", name, exc.__class__.__name__, exc_info=exc)

        return run
