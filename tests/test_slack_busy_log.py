"""When the decision log is busy (another process writing, such as an import), Slack still gets its
answers in time, and nothing is lost: the work waits for the log, the acks do not."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import contextmanager

from slack_harness import message_event

from bot.server import SLACK

UNCLEAR = "We decided to move the launch to next Friday."


@contextmanager
def log_locked(store):
    """Another process holds the log's write lock until the block ends."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("COMMIT")
        other.close()


async def test_events_are_acked_while_the_log_is_locked_and_handled_after(slack, fake_slack, store):
    """Two decisions arriving while the log is locked both get their 200 at once; both are asked about
    and logged once the lock is released."""
    with log_locked(store):
        first = await asyncio.wait_for(slack.event(message_event(UNCLEAR, ts="1763460000.500001")), 5)
        second = await asyncio.wait_for(slack.event(message_event(UNCLEAR, user="U_BOB", ts="1763460000.500002")), 5)
        assert (first.status, second.status) == (200, 200)
        assert fake_slack.calls_to("chat.postMessage") == []
    posts = await fake_slack.wait_for("chat.postMessage", count=2, timeout=10)
    assert sorted(p.params["thread_ts"] for p in posts) == ["1763460000.500001", "1763460000.500002"]
    assert [r["ts"] for r in store.decisions("slack", "T_ONE")] == ["1763460000.500001", "1763460000.500002"]


async def test_a_command_that_must_wait_for_the_log_says_so_then_answers(slack, fake_slack, store):
    """A slash command the log holds up past the bot's patience is acked with "Working on it…", and its
    real answer follows through the command's response_url."""
    slack.server[SLACK].patience = 0.05  # seconds; Slack's limit is 3
    with log_locked(store):
        answer = await asyncio.wait_for(slack.command("/nudgebot", "mute 2h", user="U_LEAD"), 5)
        assert answer.status == 200 and answer.json == {"response_type": "ephemeral", "text": "Working on it…"}
    [late] = await fake_slack.wait_for("/respond/command", timeout=10)
    assert late.params["response_type"] == "in_channel"
    assert late.params["text"].startswith("Muted in this channel until Wed 18 Nov 2026 12:00 UTC.")


async def test_a_quick_command_is_answered_in_its_ack(slack, fake_slack):
    """With the log free, the answer is the ack itself; nothing is sent to the response_url."""
    answer = await slack.command("/nudgebot", "mute 2h", user="U_LEAD")
    assert answer.json["text"].startswith("Muted in this channel until")
    assert fake_slack.calls_to("/respond/command") == []
