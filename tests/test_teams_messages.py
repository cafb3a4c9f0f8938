"""Teams messages over HTTP: what people in a channel see, and what ends up in the log.

The server handles an activity in full before it answers Teams, so by the time a post returns, every
reply the bot sent has reached the fake connector.
"""

from __future__ import annotations

import teams_harness
from teams_harness import BEN, BOT, CHANNEL, GROUP_CHAT, PERSONAL, TENANT

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."
CLEAR = "We decided to add CSV export because customers keep asking to get their data into Excel."
QUESTION = "Who is the customer, and how does this help them?"
BUTTONS = ["Add customer rationale", "Not customer-facing", "Not a decision", "Mute in this channel"]


def buttons(card: dict) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


async def test_decision_without_customer_gets_the_question_in_its_reply_chain(teams, connector, store):
    """A decision naming no customer gets a reply in its reply chain: the question and the four buttons."""
    message = await teams.say(UNCLEAR)

    [reply] = connector.sent
    assert (reply.method, reply.conversation, reply.activity_id) == (
        "POST", f"{CHANNEL};messageid={message['id']}", message["id"])
    assert f"Quick question about this decision: **{QUESTION}**" in reply.card_text
    [card] = reply.cards
    assert buttons(card) == BUTTONS
    [row] = store.decisions("teams", TENANT)
    assert (row["text"], row["channel"], row["thread"], row["ts"], row["visibility"], row["author_name"]) == (
        UNCLEAR, CHANNEL, message["id"], message["id"], "public", "Ann Lee")


async def test_the_rationale_form_sits_behind_the_first_button(teams, connector):
    """Add customer rationale opens a form in the card: who is the customer, how it helps them, Save."""
    await teams.say(UNCLEAR)

    [form] = [a["card"] for a in connector.sent[0].cards[0]["actions"] if a["type"] == "Action.ShowCard"]
    assert [(i["id"], i["label"]) for i in form["body"]] == [
        ("customer", "Who is the customer?"), ("benefit", "How does this help them?")]
    assert [(a["type"], a["verb"], a["title"]) for a in form["actions"]] == [
        ("Action.Execute", "add_rationale", "Save")]


async def test_decision_that_names_its_customer_gets_no_reply(teams, connector, store):
    """A decision that states its customer is logged without a word in the channel."""
    await teams.say(CLEAR)

    assert connector.sent == []
    assert [r["customer_rationale"] for r in store.decisions("teams", TENANT)] == [1]


async def test_one_question_per_reply_chain(teams, connector, store):
    """A second decision in the same reply chain is logged, but not asked about again."""
    first = await teams.say(UNCLEAR)
    await teams.say("We decided to ship it on Monday instead.", root=first["id"])

    assert len(connector.sent) == 1
    assert [r["thread"] for r in store.decisions("teams", TENANT)] == [first["id"], first["id"]]


async def test_messages_from_bots_are_ignored(teams, connector, store):
    """Messages from other bots and from Nudgebot itself are neither answered nor logged."""
    await teams.say(UNCLEAR, user={"id": "28:other-bot", "name": "Deploy bot"})
    await teams.say(UNCLEAR, user=BOT)
    await teams.say(UNCLEAR, user={"id": "29:robot", "name": "Robot", "role": "bot"})

    assert (connector.sent, store.decisions()) == ([], [])


async def test_a_redelivered_activity_is_asked_about_once(teams, connector, store):
    """The same activity delivered twice gets one question and one log row."""
    message = teams(UNCLEAR)
    await teams.post(message)
    await teams.post(message)

    assert len(connector.sent) == 1
    assert len(store.decisions()) == 1


async def test_the_bot_mention_is_not_part_of_what_is_judged(teams, connector, store):
    """`<at>Nudgebot</at>` is stripped before the text is judged and logged; other mentions stay."""
    await teams.say(f"<at>{BEN['name']}</at> {UNCLEAR}", mention=True)

    assert [r["text"] for r in store.decisions()] == [f"<at>Ben Ito</at> {UNCLEAR}"]
    assert len(connector.sent) == 1


async def test_personal_and_group_chats_are_never_public(teams, connector, store):
    """A decision in a personal chat is logged as a DM, one in a group chat as private."""
    await teams.say(UNCLEAR, kind="personal")
    await teams.say(UNCLEAR, kind="groupChat", mention=True, user=BEN)

    assert [(r["channel"], r["visibility"]) for r in store.decisions()] == [(PERSONAL, "dm"), (GROUP_CHAT, "private")]
    assert [s.conversation for s in connector.sent] == [PERSONAL, GROUP_CHAT]


async def test_private_channels_are_not_public(teams, connector, store):
    """A message in a private (or shared) channel is logged as private."""
    message = teams(UNCLEAR)
    message["channelData"]["channel"]["membershipType"] = "private"
    await teams.post(message)

    assert [r["visibility"] for r in store.decisions()] == ["private"]


async def test_the_tenant_is_the_workspace(teams, connector, store):
    """Each tenant's decisions are logged under its own id, from channelData."""
    await teams.say(UNCLEAR, tenant="tenant-two")

    assert [(r["platform"], r["workspace"]) for r in store.decisions()] == [("teams", "tenant-two")]


async def test_an_edit_updates_the_log_and_a_deletion_forgets_the_words(teams, connector, store):
    """An edited message updates its row without a second question; a deleted one is marked deleted."""
    message = await teams.say(UNCLEAR)
    edited = ("We decided to move the launch to next Friday, because our customers told support they need the extra "
              "week to migrate.")
    await teams.say(edited, type="messageUpdate", id=message["id"], event_type="editMessage")

    [row] = store.decisions()
    assert (row["text"], row["customer_rationale"], len(connector.sent)) == (edited, 1, 1)

    await teams.say(None, type="messageDelete", id=message["id"], event_type="softDeleteMessage")

    [row] = store.decisions(include_inactive=True)
    assert (row["status"], row["text"]) == ("deleted", None)


async def test_a_connector_that_refuses_costs_only_the_reply(teams, connector, store, caplog):
    """When Teams refuses the bot's reply, the message is still logged and Teams still gets its 201."""
    connector.refuse.append(403)

    await teams.say(UNCLEAR)

    assert len(store.decisions()) == 1
    assert "Teams outbox: message 1 (nudge) refused: HTTP 403" in caplog.text


async def test_healthz_lists_teams(teams):
    """GET /healthz names Teams among the platforms served."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(teams.url.replace("/api/messages", "/healthz")) as response:
            assert await response.json() == {"ok": True, "platforms": ["teams"]}
