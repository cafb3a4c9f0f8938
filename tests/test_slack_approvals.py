"""Approval reminders and two-way-door notes reaching Slack from the server's timer."""

from __future__ import annotations

from slack_harness import message_event

from bot.server import SCHEDULE, SLACK

ASKED = "1794996000.000100"  # Wed 18 Nov 2026 10:00 UTC, the clock fixture's moment
BOSS = "<@U_BOSS> can you approve the new vendor contract by Thursday?"
DOOR = "<@U_BOSS> can I get approval to ship the onboarding copy behind a feature flag? We can roll back in a minute."


def mentioning(fake_slack, who: str) -> list:
    return [c for c in fake_slack.calls_to("chat.postMessage") if who in c.params.get("text", "")]


async def test_an_overdue_request_gets_one_reminder_in_its_thread(slack, fake_slack, clock, engine):
    """Past the SLA, the timer reminds the pending approver in the request's thread, once."""
    await slack.event(message_event(BOSS, ts=ASKED))
    await fake_slack.wait_for("chat.postMessage")  # the question about the customer
    clock.advance(days=6)  # Tuesday 24 Nov, 10:00: past 24 working hours
    slack.server[SCHEDULE].run_soon("slack approval reminders")
    await fake_slack.wait_for("chat.postMessage", count=2)
    [reminder] = mentioning(fake_slack, "<@U_BOSS>")
    assert (reminder.params["channel"], reminder.params["thread_ts"]) == ("C_GENERAL", ASKED)
    assert reminder.token == "xoxb-test-token-do-not-log"
    bot = slack.server[SLACK]
    await bot.outbox.deliver((await bot.run(bot.durable.due_reminders, "slack")).outbox)  # the next turn, same day
    assert len(mentioning(fake_slack, "<@U_BOSS>")) == 1


async def test_a_reversible_request_gets_one_message_with_the_question_and_the_note(slack, fake_slack, engine):
    """A request for something that can be rolled back, naming no customer, gets one message in its
    thread: the customer question with the two-way-door note, and the buttons."""
    await slack.event(message_event(DOOR, ts=ASKED))
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C_GENERAL", ASKED)
    shown = " ".join(b["text"]["text"] for b in post.params["blocks"] if b["type"] == "section")
    assert "Who is the customer" in shown and "<@U_ANN>, this looks like a two-way door" in shown
    assert post.params["blocks"][-1]["type"] == "actions"
    bot = slack.server[SLACK]
    await bot.outbox.deliver((await bot.run(bot.durable.due_reminders, "slack")).outbox)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_approve_under_the_reminder_resolves_the_request(slack, fake_slack, clock, engine, store):
    """The reminder carries Approve and Decline; the named approver's Approve approves the request and only
    they are told so."""
    await slack.event(message_event(BOSS, ts=ASKED))
    await fake_slack.wait_for("chat.postMessage")
    clock.advance(days=6)
    slack.server[SCHEDULE].run_soon("slack approval reminders")
    await fake_slack.wait_for("chat.postMessage", count=2)
    [reminder] = mentioning(fake_slack, "<@U_BOSS>")
    [buttons] = [b for b in reminder.params["blocks"] if b["type"] == "actions"]
    assert [(e["action_id"], e["text"]["text"]) for e in buttons["elements"]] == [
        ("approve_request", "Approve"), ("decline_request", "Decline")]
    request_id = buttons["elements"][0]["value"]

    own = await slack.press("approve_request", request_id, message_ts=reminder.answer["ts"], user="U_ANN")
    assert own.status == 200
    [refused] = await fake_slack.wait_for("/respond/action")
    assert refused.params["text"] == "You asked for this approval, so someone else has to answer it."

    await slack.press("approve_request", request_id, message_ts=reminder.answer["ts"], user="U_BOSS")
    _, told = await fake_slack.wait_for("/respond/action", count=2)
    assert told.params["text"] == "Thanks: your approval is recorded. The request is now approved."
    assert told.params["response_type"] == "ephemeral"
    [row] = store.decisions("slack", "T_ONE")
    assert row["approval_state"] == "approved"
