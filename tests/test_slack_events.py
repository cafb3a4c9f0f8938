"""Slack events over HTTP: what people in a channel see, and what ends up in the log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_harness import message_event
from waiting import until as wait_until

from bot.workhours import WorkingTime

UNCLEAR = "We decided to move the launch to next Friday."
CLEAR = "We decided to add CSV export because customers keep asking to get their data into Excel."
QUESTION = "Who is the customer, and how does this help them?"


async def test_decision_without_customer_gets_the_question_in_its_thread(slack, fake_slack, store):
    """A decision naming no customer is answered in its thread with the question and four buttons."""
    event = message_event(UNCLEAR)
    answer = await slack.event(event)
    assert answer.status == 200
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert (post.params["channel"], post.params["thread_ts"]) == ("C_GENERAL", event["ts"])
    assert QUESTION in post.params["blocks"][0]["text"]["text"]
    buttons = post.params["blocks"][-1]["elements"]
    assert [b["text"]["text"] for b in buttons] == [
        "Add customer rationale", "Not customer-facing", "Not a decision", "Mute in this channel"]
    [row] = store.decisions("slack", "T_ONE")
    assert (row["text"], row["ts"], row["visibility"]) == (UNCLEAR, event["ts"], "public")
    assert post.token == "xoxb-test-token-do-not-log"


async def next_nudge_is_the_only_one(slack, fake_slack, before: tuple[str, ...] = ()) -> None:
    """Send a decision in another channel and wait for its question: everything sent earlier is handled,
    and the only questions are those in `before` and this one."""
    await slack.event(message_event(UNCLEAR, channel="C_LATER", user="U_LATER"))
    posts = await fake_slack.wait_for("chat.postMessage", count=len(before) + 1)
    assert [p.params["channel"] for p in posts] == [*before, "C_LATER"]


async def test_decision_with_customer_gets_only_a_reaction(slack, fake_slack, store):
    """A decision that states its customer is logged and marked with a reaction, without a message."""
    event = message_event(CLEAR)
    await slack.event(event)
    [reaction] = await fake_slack.wait_for("reactions.add")
    assert (reaction.params["channel"], reaction.params["timestamp"], reaction.params["name"]) == (
        "C_GENERAL", event["ts"], "memo")
    await next_nudge_is_the_only_one(slack, fake_slack)
    assert [r["customer_rationale"] for r in store.decisions("slack", "T_ONE") if r["ts"] == event["ts"]] == [1]


async def test_logged_decision_gets_its_permalink(slack, fake_slack, store):
    """The log keeps a link back to the message in Slack."""
    event = message_event(UNCLEAR, ts="1763460000.123456")
    await slack.event(event)
    await fake_slack.wait_for("chat.getPermalink")
    row = await wait_until(lambda: [r for r in store.decisions() if r["permalink"]])
    assert row[0]["permalink"] == "https://acme.slack.com/archives/C_GENERAL/p1763460000123456"


async def test_time_of_a_message_is_its_slack_timestamp(slack, fake_slack, store):
    """The log records when the person wrote, from the message's ts, not when it reached the bot."""
    await slack.event(message_event(UNCLEAR, ts="1763460000.000100"))
    await fake_slack.wait_for("chat.postMessage")
    assert store.decisions()[0]["created_at"] == "2025-11-18T10:00:00.000100+00:00"


async def test_bots_joins_and_other_subtypes_are_ignored(slack, fake_slack, store):
    """Messages from bots (the bot itself included), channel joins and topic changes are neither answered nor logged."""
    for event in (
        message_event(UNCLEAR, user="U_OTHERBOT", bot_id="B_OTHER", subtype="bot_message"),
        message_event(UNCLEAR, user="U_BOT", bot_id="B_BOT"),
        message_event(UNCLEAR, user="U_BOT"),
        message_event("<@U_NEW> has joined the channel", user="U_NEW", subtype="channel_join"),
        message_event(UNCLEAR, subtype="channel_topic"),
    ):
        assert (await slack.event(event)).status == 200
    await next_nudge_is_the_only_one(slack, fake_slack)
    assert [r["channel"] for r in store.decisions()] == ["C_LATER"]


async def test_edited_message_updates_its_row(slack, fake_slack, store):
    """Editing a decision to name its customer updates its row; nobody is asked again."""
    event = message_event(UNCLEAR)
    await slack.event(event)
    await fake_slack.wait_for("chat.postMessage")
    edited = UNCLEAR + " Customers asked for the extra week so they can migrate their data first."
    await slack.event({
        "type": "message", "subtype": "message_changed", "channel": "C_GENERAL", "channel_type": "channel",
        "hidden": True, "ts": "1763460099.000001", "event_ts": "1763460099.000001",
        "message": {"type": "message", "user": "U_ANN", "text": edited, "ts": event["ts"],
                    "edited": {"user": "U_ANN", "ts": "1763460099.000000"}},
        "previous_message": {"type": "message", "user": "U_ANN", "text": UNCLEAR, "ts": event["ts"]},
    })
    [row] = await wait_until(lambda: [r for r in store.decisions() if r["edited_at"]])
    assert (row["text"], row["customer_rationale"]) == (edited, 1)
    await next_nudge_is_the_only_one(slack, fake_slack, before=("C_GENERAL",))


async def test_deleted_message_is_marked_deleted(slack, fake_slack, store):
    """Deleting a logged message marks its row deleted and forgets its words."""
    event = message_event(UNCLEAR)
    await slack.event(event)
    await fake_slack.wait_for("chat.postMessage")
    await slack.event({
        "type": "message", "subtype": "message_deleted", "channel": "C_GENERAL", "channel_type": "channel",
        "hidden": True, "deleted_ts": event["ts"], "ts": "1763460099.000002", "event_ts": "1763460099.000002",
        "previous_message": {"type": "message", "user": "U_ANN", "text": UNCLEAR, "ts": event["ts"]},
    })
    [row] = await wait_until(lambda: [r for r in store.decisions(include_inactive=True) if r["status"] == "deleted"])
    assert row["text"] is None and row["ts"] == event["ts"]


async def test_retried_event_gives_one_question_and_one_row(slack, fake_slack, store):
    """The same event id delivered three times (Slack's retries) gives one question and one row."""
    event = message_event(UNCLEAR)
    answers = [await slack.event(event, event_id="EvSAME", retry=n) for n in (None, 1, 2)]
    assert [a.status for a in answers] == [200, 200, 200]
    await fake_slack.wait_for("chat.postMessage")
    await next_nudge_is_the_only_one(slack, fake_slack, before=("C_GENERAL",))
    assert [r["ts"] for r in store.decisions() if r["channel"] == "C_GENERAL"] == [event["ts"]]


async def test_private_channel_and_dm_messages_are_logged_as_such(slack, fake_slack, store):
    """A private channel's and a DM's decisions keep their visibility, so no public digest shows them."""
    await slack.event(message_event(UNCLEAR, channel="C_SECRET", channel_type="group"))
    await slack.event(message_event(UNCLEAR, channel="D_ANN", channel_type="im", user="U_BEA"))
    await fake_slack.wait_for("chat.postMessage", count=2)
    assert sorted((r["channel"], r["visibility"]) for r in store.decisions()) == [
        ("C_SECRET", "private"), ("D_ANN", "dm")]


async def test_ack_comes_back_before_any_web_api_call_is_answered(slack, fake_slack, store):
    """Slack gets its 200 while the Web API has not answered anything yet."""
    fake_slack.hold()
    answer = await slack.event(message_event(UNCLEAR))
    assert answer.status == 200
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert not post.answered.is_set()
    fake_slack.release()
    await asyncio.wait_for(post.answered.wait(), 5)
    assert len(store.decisions()) == 1


REQUEST = "<@U_BOSS> can you approve the new vendor contract by Thursday?"


def reaction_event(emoji: str, ts: str, *, user: str, item_user: str = "U_ANN") -> dict:
    return {"type": "reaction_added", "user": user, "reaction": emoji, "item_user": item_user,
            "item": {"type": "message", "channel": "C_GENERAL", "ts": ts}, "event_ts": "1763470800.000001"}


async def test_the_approvers_of_a_request_are_named_like_its_requester(slack, fake_slack, store):
    """Slack sends `<@U_BOSS>`; the log, and so `approvals` and the digest, name the person as Slack does."""
    from bot.approval_stats import render_text, stats
    from bot.approvals import ApprovalRules

    request = message_event(REQUEST)
    await slack.event(request)

    def labels():
        return store.db.execute("SELECT approver, label FROM approval_approvers").fetchall()

    named = await wait_until(lambda: labels() if labels() and labels()[0][1] else None)
    assert named == [("U_BOSS", "Person U_BOSS")]
    now = datetime.now(UTC)
    rules = ApprovalRules(work=WorkingTime(ZoneInfo("UTC")))
    text = render_text(stats(store, "slack", "T_ONE", now - timedelta(days=400), now, now, rules))
    assert "for @Person U_BOSS" in text, text


async def test_thumbs_up_from_someone_else_approves_the_request(slack, fake_slack, store):
    """A 👍 on an approval request by someone other than the requester resolves it as approved."""
    request = message_event(REQUEST)
    await slack.event(request)
    await fake_slack.wait_for("chat.getPermalink")
    await slack.event(reaction_event("+1::skin-tone-3", request["ts"], user="U_BOSS"))
    [row] = await wait_until(lambda: [r for r in store.decisions() if r["approval_state"] == "approved"])
    assert row["resolved_at"] == "2025-11-18T13:00:00.000001+00:00"
    assert [(r["author"], r["answer"]) for r in store.responses("slack", "T_ONE", row["id"])] == [
        ("U_BOSS", "approve")]


async def test_requesters_own_check_mark_leaves_the_request_open(slack, fake_slack, store):
    """A ✅ by the requester, or an unrelated emoji by anyone, does not resolve the request."""
    request = message_event(REQUEST)
    await slack.event(request)
    await fake_slack.wait_for("chat.getPermalink")
    await slack.event(reaction_event("white_check_mark", request["ts"], user="U_ANN"))
    await slack.event(reaction_event("eyes", request["ts"], user="U_BOSS"))
    await next_nudge_is_the_only_one(slack, fake_slack, before=("C_GENERAL",))
    assert [r["approval_state"] for r in store.decisions() if r["ts"] == request["ts"]] == ["open"]


async def test_logged_decision_gets_channel_and_author_names_looked_up_once(slack, fake_slack, store):
    """The log keeps the channel's and author's names (for digests); Slack is asked once per name."""
    await slack.event(message_event("We decided to move the launch to next Friday.", ts="1763460000.200001"))
    await wait_until(lambda: [r for r in store.decisions() if r["author_name"]])
    await slack.event(message_event("Going with Postgres.", user="U_ANN", ts="1763460000.200002"))
    rows = await wait_until(lambda: len(r := [x for x in store.decisions() if x["author_name"]]) == 2 and r)
    assert {(r["channel_name"], r["author_name"]) for r in rows} == {("general", "Person U_ANN")}
    assert len(fake_slack.calls_to("users.info")) == 1
    assert len(fake_slack.calls_to("conversations.info")) == 1


async def test_an_event_the_log_cannot_keep_is_not_acknowledged(slack, fake_slack, store, caplog):
    """The log refuses to keep the event (here a trigger stands in for a full disk): Slack gets a 503 (it
    sends the event again later), one line is logged by type, and nothing crashes."""
    store.db.execute("CREATE TRIGGER full BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    answer = await slack.event(message_event(UNCLEAR))
    assert answer.status == 503
    [line] = [r for r in caplog.records if "could not be kept" in r.getMessage()]
    assert "IntegrityError" in line.getMessage()
    assert store.decisions() == []
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage() or r.name == "asyncio"]
