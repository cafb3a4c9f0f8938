"""`nudgebot serve` loses nothing Slack was told we received. `kill -9` in the middle of a burst of
events: after a restart and Slack's retries of every event that got no 200, each decision is logged
once and each question posted once (the fake Slack counts posts per thread). A minute of 429s on
chat.postMessage: every question is posted after it, none twice. Real processes, real HTTP, a real
SQLite file."""

from __future__ import annotations

import asyncio
import signal
import sqlite3

import aiohttp
from slack_harness import SlackSender, message_event
from test_slack_serve import start_serve

EVENTS = 1000
IN_FLIGHT = 32
KILL_AFTER = 300  # acknowledged events before the kill
UNCLEAR = "We decided to move the launch to next Friday."


async def send(url: str, fake_slack, event: dict, event_id: str, retry: int | None = None) -> bool:
    """One signed event; True when Slack would count it acknowledged (a 200)."""
    try:
        answer = await SlackSender(url, fake_slack).event(event, event_id=event_id, retry=retry)
    except (aiohttp.ClientError, OSError, TimeoutError):
        return False
    return answer.status == 200


async def test_kill_9_mid_burst_loses_no_acknowledged_event_and_asks_each_thread_once(tmp_path, fake_slack):
    events = {f"EvCRASH{n:05d}": message_event(UNCLEAR, user=f"U_{n:04d}", channel=f"C_{n:04d}")
              for n in range(EVENTS)}
    acked: set[str] = set()
    process, _, base = await start_serve(tmp_path, fake_slack, stderr=asyncio.subprocess.DEVNULL)
    url = f"{base}/slack/events"
    killed = asyncio.Event()
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(event_id: str) -> None:
        async with slots:
            if killed.is_set():
                return
            if await send(url, fake_slack, events[event_id], event_id):
                acked.add(event_id)
                if len(acked) >= KILL_AFTER and not killed.is_set():
                    killed.set()
                    process.send_signal(signal.SIGKILL)

    await asyncio.gather(*(one(e) for e in events))
    await process.wait()
    before_crash = set(acked)
    assert KILL_AFTER <= len(before_crash) < EVENTS

    process, _, base = await start_serve(tmp_path, fake_slack, stderr=asyncio.subprocess.DEVNULL)
    url = f"{base}/slack/events"
    try:
        for attempt in range(1, 4):  # Slack's retries of every event that got no 200
            missing = [e for e in events if e not in acked]
            results = await asyncio.gather(*(send(url, fake_slack, events[e], e, retry=attempt) for e in missing))
            acked |= {e for e, ok in zip(missing, results, strict=True) if ok}
        assert acked == set(events)

        async def all_asked() -> None:
            while len(fake_slack.threads) < EVENTS:
                await asyncio.sleep(0.1)

        await asyncio.wait_for(all_asked(), 180)
        await asyncio.sleep(1)  # anything posted twice would show now
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)

    per_thread = fake_slack.posts_per_thread()
    assert per_thread == {(e["channel"], e["ts"]): 1 for e in events.values()}
    with sqlite3.connect(tmp_path / "nudgebot.db") as db:
        logged = db.execute("SELECT channel, ts, count(*) FROM decisions GROUP BY channel, ts").fetchall()
        left = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
        unsent = db.execute("SELECT count(*) FROM outbox WHERE state != 'sent'").fetchone()[0]
    assert sorted(logged) == sorted((e["channel"], e["ts"], 1) for e in events.values())
    assert (left, unsent) == (0, 0)


STORM = 60.0  # seconds of 429s
STORM_EVENTS = 50


async def test_a_minute_of_429s_delays_every_question_and_loses_none(tmp_path, fake_slack):
    fake_slack.storm("chat.postMessage", seconds=STORM, retry_after=5)
    process, _, base = await start_serve(tmp_path, fake_slack, stderr=asyncio.subprocess.DEVNULL)
    url = f"{base}/slack/events"
    events = [message_event(UNCLEAR, user=f"U_{n:04d}", channel=f"C_{n:04d}") for n in range(STORM_EVENTS)]
    try:
        acked = await asyncio.gather(*(send(url, fake_slack, e, f"EvSTORM{n:03d}") for n, e in enumerate(events)))
        assert all(acked)
        await asyncio.sleep(STORM / 2)
        with sqlite3.connect(tmp_path / "nudgebot.db") as db:
            assert db.execute("SELECT count(*) FROM decisions").fetchone()[0] == STORM_EVENTS
        assert fake_slack.threads == {}  # nothing got through yet
        assert len(fake_slack.calls_to("chat.postMessage")) >= 2 * STORM_EVENTS  # tried again, after Retry-After

        async def all_asked() -> None:
            while len(fake_slack.threads) < STORM_EVENTS:
                await asyncio.sleep(0.1)

        await asyncio.wait_for(all_asked(), STORM + 60)
        await asyncio.sleep(2)  # anything posted twice would show now
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    assert fake_slack.posts_per_thread() == {(e["channel"], e["ts"]): 1 for e in events}
    tries = len(fake_slack.calls_to("chat.postMessage"))
    assert tries < STORM_EVENTS * (STORM / 5 + 3)  # Retry-After was honoured: no faster than every 5 s
