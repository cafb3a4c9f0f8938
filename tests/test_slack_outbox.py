"""What the bot means to say in Slack waits in the outbox until Slack has it: rate limits and outages are
waited out, a post whose answer was lost is looked for before it is sent again, and a thread counts as
asked only once its question is posted. Real HTTP against the fake Slack Web API; the engine's clock
is moved by hand, so the sender's waits pass at once."""

from __future__ import annotations

import asyncio

import pytest
from slack_harness import message_event
from waiting import until

from bot.outbox import backoff
from bot.server import SLACK

UNCLEAR = "We decided to move the launch to next Friday."


def outbox(store) -> list[tuple[str, str]]:
    return [(r["kind"], r["state"]) for r in store.db.query("SELECT kind, state FROM outbox ORDER BY id")]


async def turns(slack, clock, seconds: float, until_done=None, limit: int = 100) -> None:
    """Let the sender's waits pass: the clock moves `seconds` at a time and what is due is sent."""
    bot = slack.server[SLACK]
    for _ in range(limit):
        clock.advance(seconds=seconds)
        await bot.outbox.send_due()
        if until_done is not None and until_done():
            return
        await asyncio.sleep(0.05)


async def status_line(slack, fake_slack) -> str:
    answer = await slack.command("/nudgebot", "status")
    return next(line for line in answer.json["text"].splitlines() if line.startswith("Logged here"))


async def test_a_rate_limited_question_is_posted_once_slack_takes_it_again(slack, fake_slack, store, clock):
    """Every chat.postMessage answered 429 for a while: the decisions are logged at once, their questions
    wait (honouring Retry-After) and are each posted exactly once after; until then nothing counts as asked."""
    fake_slack.storm("chat.postMessage", seconds=1.5, retry_after=2)
    events = [message_event(UNCLEAR, user=f"U_{n}", channel=f"C_{n}") for n in range(5)]
    for event in events:
        assert (await slack.event(event)).status == 200
    await until(lambda: len(store.decisions()) == 5)
    await until(lambda: len(fake_slack.calls_to("chat.postMessage")) >= 5)
    assert fake_slack.threads == {}
    await turns(slack, clock, 2, until_done=lambda: len(fake_slack.threads) == 5)
    assert fake_slack.posts_per_thread() == {(e["channel"], e["ts"]): 1 for e in events}
    assert {c.answer["error"] for c in fake_slack.calls_to("chat.postMessage") if not c.answer["ok"]} == {"ratelimited"}
    assert outbox(store) == [("nudge", "sent")] * 5


async def test_a_question_waiting_in_the_outbox_is_not_counted_as_asked(slack, fake_slack, store, clock):
    """`/nudgebot status` counts a question once Slack has it, not while it waits."""
    fake_slack.storm("chat.postMessage", seconds=30, retry_after=60)
    await slack.event(message_event(UNCLEAR))
    await until(lambda: outbox(store) == [("nudge", "pending")])
    assert "0 questions asked" in await status_line(slack, fake_slack)
    fake_slack.storm("chat.postMessage", seconds=0)
    await turns(slack, clock, 60, until_done=lambda: outbox(store) == [("nudge", "sent")])
    assert "1 question asked" in await status_line(slack, fake_slack)


@pytest.mark.parametrize("how", ["500", "drop"])
async def test_a_post_whose_answer_was_lost_is_found_in_its_thread_not_posted_twice(slack, fake_slack, store,
                                                                                   clock, how):
    """Slack posted the question but its answer was lost (a 500, or the connection dropped): before trying
    again the sender reads the thread back, finds the post by its outbox id, and does not post it again."""
    fake_slack.lose_answer("chat.postMessage", how)
    event = message_event(UNCLEAR)
    await slack.event(event)
    await until(lambda: outbox(store) == [("nudge", "unsure")])
    await turns(slack, clock, 5, until_done=lambda: outbox(store) == [("nudge", "sent")])
    assert fake_slack.posts_per_thread() == {("C_GENERAL", event["ts"]): 1}
    [check] = fake_slack.calls_to("conversations.replies")
    assert (check.params["channel"], check.params["ts"]) == ("C_GENERAL", event["ts"])
    [ref] = [r["ref"] for r in store.db.query("SELECT ref FROM outbox")]
    assert ref == fake_slack.threads[("C_GENERAL", event["ts"])][0]["ts"]


async def test_a_post_slack_never_got_is_sent_again_after_the_check(slack, fake_slack, store, clock):
    """A try that ended unseen (here: its row left mid-try, as a crash leaves it) and is not in the
    thread is posted: once."""
    fake_slack.storm("chat.postMessage", seconds=60, retry_after=1)
    event = message_event(UNCLEAR)
    await slack.event(event)
    await until(lambda: outbox(store) == [("nudge", "pending")])
    store.db.execute("UPDATE outbox SET state = 'sending'")
    fake_slack.storm("chat.postMessage", seconds=0)
    await turns(slack, clock, 5, until_done=lambda: outbox(store) == [("nudge", "sent")])
    assert fake_slack.posts_per_thread() == {("C_GENERAL", event["ts"]): 1}
    assert len(fake_slack.calls_to("conversations.replies")) == 1


async def test_a_post_slack_refuses_for_good_is_given_up_with_one_line(slack, fake_slack, store, clock, caplog):
    """`channel_not_found` is not worth a retry: the message is marked failed, with one warning."""
    fake_slack.fail("chat.postMessage", status=200, retry_after=None, error="channel_not_found")
    await slack.event(message_event(UNCLEAR))
    await until(lambda: outbox(store) == [("nudge", "failed")])
    await turns(slack, clock, 600, limit=3)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert "channel_not_found" in line


async def test_a_question_slack_cannot_take_for_a_day_expires(slack, fake_slack, store, clock, caplog):
    """Slack unreachable: the question is tried with growing waits, then given up after
    NUDGEBOT_OUTBOX_HOURS (24 by default), said once in the log."""
    await fake_slack.stop()
    await slack.event(message_event(UNCLEAR))
    await until(lambda: outbox(store) == [("nudge", "pending")])
    await turns(slack, clock, 3600, until_done=lambda: outbox(store) == [("nudge", "expired")], limit=30)
    assert outbox(store) == [("nudge", "expired")]
    [line] = [r.getMessage() for r in caplog.records if "expired" in r.getMessage()]
    assert "message 1 (nudge) expired" in line
    [attempts] = [r["attempts"] for r in store.db.query("SELECT attempts FROM outbox")]
    assert 20 <= attempts <= 25  # one try an hour once the waits reach their longest


def test_the_waits_between_tries_grow_to_a_quarter_of_an_hour():
    """2 s, then doubling (give or take a fifth, so many messages do not come back at once), at most 15 min."""
    waits = [backoff(n) for n in range(1, 15)]
    assert 1.6 <= waits[0] <= 2.4 and 3.2 <= waits[1] <= 4.8
    assert all(w <= 900 * 1.2 for w in waits) and waits[-1] >= 900 * 0.8
