"""When the decision log is busy (another process writing, such as an import), Slack still gets its
answers in time, and nothing is lost: an event is acknowledged only once it is kept in the log, so a
lock held past the bot's patience gets Slack a 503 and Slack's retry; commands answer "working on it"."""

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


async def test_events_wait_for_a_short_lock_then_are_acked_and_handled(slack, fake_slack, store):
    """An event arriving while another process holds the log for a moment is kept once the lock goes,
    then acked (within Slack's 3 s), asked about and logged."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    loop.call_later(0.5, lambda: (other.execute("COMMIT"), other.close()))
    started = loop.time()
    answer = await asyncio.wait_for(slack.event(message_event(UNCLEAR, ts="1763460000.500001")), 5)
    assert answer.status == 200 and loop.time() - started >= 0.4
    [post] = await fake_slack.wait_for("chat.postMessage", timeout=10)
    assert post.params["thread_ts"] == "1763460000.500001"


async def test_an_event_the_locked_log_cannot_keep_gets_503_and_its_retry_is_handled_once(slack, fake_slack, store):
    """While the log stays locked past the bot's patience, Slack gets 503s (so it sends the events again,
    as it does), never a 200 for an event not kept; its retries after the lock goes are logged and asked
    about once each."""
    first, second = message_event(UNCLEAR, ts="1763460000.500001"), message_event(UNCLEAR, user="U_BOB",
                                                                                  ts="1763460000.500002")
    with log_locked(store):
        refused = [await asyncio.wait_for(slack.event(e, event_id=f"Ev{n}"), 5) for n, e in enumerate((first, second))]
        assert [a.status for a in refused] == [503, 503]
    retried = [await slack.event(e, event_id=f"Ev{n}", retry=1) for n, e in enumerate((first, second))]
    assert [a.status for a in retried] == [200, 200]
    posts = await fake_slack.wait_for("chat.postMessage", count=2, timeout=10)
    assert sorted(p.params["thread_ts"] for p in posts) == ["1763460000.500001", "1763460000.500002"]
    assert [r["ts"] for r in store.decisions("slack", "T_ONE")] == ["1763460000.500001", "1763460000.500002"]
    await asyncio.sleep(0.2)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


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
