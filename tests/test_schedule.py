"""What the server does on a timer: housekeeping every hour, jobs that survive a failed turn."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from slack_harness import message_event
from waiting import until

from bot.errors import ConfigError
from bot.schedule import Schedule, cron_trigger
from bot.server import SCHEDULE


async def test_the_server_erases_text_past_retention_every_hour(slack, fake_slack, store):
    """A decision older than the retention period loses its words at the hourly housekeeping; its row stays."""
    old = "1700000000.000100"  # November 2023, beyond the 365 days kept
    await slack.event(message_event("We decided to move the launch to next Friday.", ts=old))
    await fake_slack.wait_for("chat.postMessage")
    schedule = slack.server[SCHEDULE]
    assert sorted(schedule.jobs()) == [
        "housekeeping", "refused digests", "slack approval reminders", "weekly digest", "workspace learning"]
    schedule.run_soon("housekeeping")
    [row] = await until(lambda: [r for r in store.decisions() if r["purged_at"]])
    assert (row["ts"], row["text"], row["kind"]) == (old, None, "decision")


async def test_a_failing_turn_is_logged_and_the_job_keeps_its_schedule(caplog):
    """A job that raises is logged by name; its next turn still runs."""
    schedule = Schedule(ZoneInfo("UTC"))
    turns: list[int] = []

    async def flaky() -> None:
        turns.append(len(turns))
        if len(turns) == 1:
            raise RuntimeError("first turn fails")

    schedule.every("flaky", flaky, minutes=5)
    schedule.start()
    try:
        schedule.run_soon("flaky")
        await until(lambda: any("scheduled job flaky failed: RuntimeError" in r.getMessage()
                                for r in caplog.records))
        schedule.run_soon("flaky")
        await until(lambda: len(turns) == 2)
    finally:
        schedule.shutdown()


def test_cron_schedules_are_read_in_the_configured_zone():
    """'0 9 * * mon' is Monday 09:00 in the zone given."""
    trigger = cron_trigger("0 9 * * mon", ZoneInfo("Europe/Berlin"))
    assert (str(trigger), str(trigger.timezone)) == (
        "cron[month='*', day='*', day_of_week='mon', hour='9', minute='0']", "Europe/Berlin")


@pytest.mark.parametrize("expression", ["every monday", "0 25 * * *", "0 9 * *"])
def test_a_bad_cron_schedule_is_named(expression):
    """A schedule that is not five valid cron fields is refused with an example of one that is."""
    with pytest.raises(ConfigError) as error:
        cron_trigger(expression, ZoneInfo("UTC"))
    assert str(error.value).startswith(f"'{expression}' is not a cron schedule")
    assert str(error.value).endswith("for example '0 9 * * mon'")
