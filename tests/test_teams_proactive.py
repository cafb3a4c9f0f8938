"""Writing to Teams unprompted, from the conversation references the bot stored, and approval requests."""

from __future__ import annotations

import teams_harness
from teams_harness import ANN, BEN, CHANNEL, PERSONAL, TENANT

from bot.actions import Approver, Reminder, Reply
from bot.models import ChannelSettings
from bot.server import TEAMS

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."
REQUEST = "<at>Ben Ito</at> can you approve the new pricing page copy?"


def proactive(teams):
    return teams.app[TEAMS].proactive


async def test_every_conversation_seen_is_remembered(teams, connector, store):
    """A channel message stores the channel's reference (not the reply chain's), with its service URL."""
    await teams.say("Morning all")
    await teams.say("hello", kind="personal")

    rows = store.db.execute("SELECT tenant, conversation, kind, team, person, service_url FROM teams_conversations "
                            "ORDER BY kind").fetchall()
    assert rows == [(TENANT, CHANNEL, "channel", teams_harness.TEAM, None, connector.url),
                    (TENANT, PERSONAL, "personal", None, ANN["id"], connector.url)]


async def test_a_message_reaches_a_stored_channel_unprompted(teams, connector):
    """`send()` posts a new message in a channel the bot has seen, from its stored reference alone."""
    await teams.say("Morning all")
    connector.sent.clear()

    sent = await proactive(teams).send(TENANT, CHANNEL, Reply("3 decisions lack a customer.", title="Weekly digest"))

    assert sent is True
    [post] = connector.sent
    assert (post.method, post.conversation) == ("POST", CHANNEL)
    assert post.card_text == "Weekly digest\n3 decisions lack a customer."
    assert post.authorization is None  # dev mode: no token, as the Emulator expects


async def test_a_reminder_goes_into_the_request_reply_chain(teams, connector):
    """An approval reminder from the timer is posted in its request's reply chain, naming the approver."""
    request = await teams.say(REQUEST)
    connector.sent.clear()
    reminder = Reminder(request_id=1, platform="teams", workspace=TENANT, channel=CHANNEL, thread=request["id"],
                        requester=ANN["id"], approvers=(Approver("user", "Ben Ito", "Ben Ito"),),
                        flags=("waiting_too_long",),
                        text=f"Reminder for <@Ben Ito>: this approval request from <@{ANN['id']}> has waited.")

    assert await proactive(teams).deliver([reminder]) == 1

    [post] = connector.sent
    assert post.conversation == f"{CHANNEL};messageid={request['id']}"
    assert post.card_text == "Reminder for Ben Ito: this approval request from Ann Lee has waited."


async def test_nothing_is_sent_to_a_conversation_never_seen(teams, connector):
    """An unknown conversation, or one of another tenant, gets nothing and `send()` says so."""
    await teams.say("Morning all")
    connector.sent.clear()

    assert await proactive(teams).send(TENANT, "19:never-seen@thread.tacv2", Reply("Hello")) is False
    assert await proactive(teams).send("tenant-two", CHANNEL, Reply("Hello")) is False
    assert connector.sent == []


async def test_a_channel_that_chose_private_questions_asks_in_a_personal_chat(teams, connector, engine, store):
    """With private questions on, the author is asked in their own chat with the bot, not in the channel."""
    store.save_channel_settings("teams", TENANT, CHANNEL, ChannelSettings(ephemeral=True), engine.clock())

    await teams.say(UNCLEAR)

    [start, question] = connector.sent
    assert (start.conversation, start.body["members"], start.body["channelData"]) == (
        None, [{"id": ANN["id"]}], {"tenant": {"id": TENANT}})
    assert question.conversation == "a:new-chat-1"
    assert "Who is the customer, and how does this help them?" in question.card_text


async def test_a_private_question_uses_the_personal_chat_already_known(teams, connector, engine, store):
    """Someone who already chats with the bot is asked there, without starting a new chat."""
    store.save_channel_settings("teams", TENANT, CHANNEL, ChannelSettings(ephemeral=True), engine.clock())
    await teams.say("hello", kind="personal")
    connector.sent.clear()

    await teams.say(UNCLEAR)

    assert [s.conversation for s in connector.sent] == [PERSONAL]


async def test_an_approval_in_the_reply_chain_resolves_the_request(teams, connector, engine, store):
    """An approval request is tracked; the approver's "approved" in its reply chain resolves it."""
    request = await teams.say(REQUEST)
    engine.clock.advance(minutes=30)

    await teams.say("Approved, go ahead.", root=request["id"], user=BEN)

    [row] = [r for r in store.decisions() if r["kind"] == "approval_request"]
    assert (row["approval_state"], row["author_name"]) == ("approved", "Ann Lee")


async def test_due_reminders_reach_teams_through_the_timer_path(teams, connector, engine):
    """`Engine.due_reminders(platform="teams")` handed to `deliver()` reminds the approver in the chain."""
    request = await teams.say(REQUEST)
    connector.sent.clear()
    engine.clock.advance(days=6)  # well past the 24 working hours of the SLA, on a Tuesday morning

    delivered = await proactive(teams).deliver(engine.due_reminders(engine.clock(), "teams"))

    assert delivered == 1
    [post] = connector.sent
    assert post.conversation == f"{CHANNEL};messageid={request['id']}"
    assert post.card_text.startswith("Reminder for Ben Ito: this approval request from Ann Lee has waited ")


async def test_a_refused_proactive_message_is_reported_not_raised(teams, connector, caplog):
    """When the connector refuses an unprompted message, `send()` returns False and logs why."""
    await teams.say("Morning all")
    connector.refuse.append(403)

    assert await proactive(teams).send(TENANT, CHANNEL, Reply("Hello")) is False
    assert "Teams proactive message failed: HTTP 403" in caplog.text


async def test_approve_on_the_reminder_card_answers_for_the_approver(teams, connector, engine, store):
    """The reminder card has Approve and Decline; Ben's Approve approves the request, tells Ben, and leaves
    the reminder as it was posted."""
    from teams_harness import card_action

    request = await teams.say(REQUEST)
    connector.sent.clear()
    engine.clock.advance(days=6)
    await proactive(teams).deliver(engine.due_reminders(engine.clock(), "teams"))
    [post] = connector.sent
    [card] = post.cards
    assert [(a["verb"], a["title"]) for a in card["actions"]] == [("approve_request", "Approve"),
                                                                  ("decline_request", "Decline")]
    request_id = card["actions"][0]["data"]["request_id"]

    def press(user: dict) -> dict:
        body = card_action("approve_request", 0, request, card_id="reminder-1", user=user)
        body["value"]["action"]["data"] = {"request_id": request_id}
        return body

    own = await teams.post(press(ANN))
    assert own.json["value"] == "You asked for this approval, so someone else has to answer it."
    answer = await teams.post(press(BEN))
    assert answer.json["value"] == "Thanks: your approval is recorded. The request is now approved."
    [row] = [r for r in store.decisions() if r["kind"] == "approval_request"]
    assert row["approval_state"] == "approved"
    assert connector.updates() == []
