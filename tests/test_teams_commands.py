"""Commands typed after @Nudgebot in a channel, or plainly in a personal chat: the same as Slack's slash commands."""

from __future__ import annotations

import teams_harness
from teams_harness import BEN, CHANNEL, PERSONAL, TENANT

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures


async def test_prfaq_by_mention_replies_in_the_chain_with_the_draft(teams, connector):
    """`@Nudgebot prfaq IDEA` answers in the reply chain with the PR/FAQ, headed by its title."""
    message = await teams.say("prfaq A meal-planning feature for busy parents", mention=True)

    [reply] = connector.messages()
    assert (reply.conversation, reply.activity_id) == (f"{CHANNEL};messageid={message['id']}", message["id"])
    lines = reply.card_text.splitlines()
    assert lines[:2] == ["PR/FAQ: A meal-planning feature for busy parents",
                         "PR/FAQ draft: A meal-planning feature for busy parents"]
    assert "Headline" in lines and "External FAQ" in lines
    assert reply.body["summary"] == "PR/FAQ: A meal-planning feature for busy parents"


async def test_help_in_a_personal_chat_lists_the_commands_as_typed_in_teams(teams, connector):
    """`help` in a personal chat needs no mention, and names the commands without Slack's slashes."""
    await teams.say("help", kind="personal")

    [reply] = connector.messages()
    assert reply.conversation == PERSONAL
    text = reply.card_text
    assert "**prfaq IDEA** drafts a PR/FAQ skeleton for an idea" in text
    assert "**help | mute [30m|2h|3d|1w|forever] | unmute | status**" in text
    assert "/nudgebot" not in text and "/prfaq" not in text


async def test_mute_unmute_and_status_by_mention(teams, connector, store):
    """`mute 2h` holds questions in the channel, `status` says so, `unmute` lifts it."""
    await teams.say("mute 2h", mention=True)
    await teams.say("We decided to move the launch to next Friday.", user=BEN)
    await teams.say("status", mention=True)
    await teams.say("unmute", mention=True)

    replies = [s.card_text for s in connector.messages()]
    assert replies[0] == ("Muted in this channel until Wed 18 Nov 2026 12:00 UTC. "
                          "Decisions are still logged; **unmute** to undo.")
    status = replies[1].split("\n\n")
    assert status[:2] == ["**Nudgebot in this channel**", "Muted until Wed 18 Nov 2026 12:00 UTC (by Ann Lee)."]
    assert status[-1].startswith("Logged here: 1 decision (1 without a customer rationale)")
    assert replies[2] == "Unmuted: I'll ask about the customer again in this channel."
    assert len(replies) == 3  # the decision while muted was logged without a question
    assert len(store.decisions()) == 1


async def test_decision_command_logs_the_message_and_asks_about_the_customer(teams, connector, store):
    """`@Nudgebot decision TEXT` logs that message as a decision and asks who the customer is."""
    message = await teams.say("decision Dark mode ships on Monday.", mention=True)

    [logged, question] = connector.messages()
    assert logged.card_text == "Logged decision #1."
    assert "Who is the customer, and how does this help them?" in question.card_text
    [row] = store.decisions("teams", TENANT)
    assert (row["text"], row["ts"], row["kind"]) == ("Dark mode ships on Monday.", message["id"], "decision")


async def test_without_a_mention_a_channel_message_is_not_a_command(teams, connector, store):
    """In a channel, `help` without @Nudgebot is somebody talking, not a command."""
    await teams.say("help")

    assert (connector.sent, store.decisions()) == ([], [])


async def test_a_mention_that_is_not_a_command_is_judged_as_a_message(teams, connector, store):
    """`@Nudgebot We decided…` is a decision like any other."""
    await teams.say("We decided to move the launch to next Friday.", mention=True)

    assert [r["text"] for r in store.decisions()] == ["We decided to move the launch to next Friday."]
    assert len(connector.messages()) == 1


async def test_a_sentence_starting_with_a_command_word_is_a_message(teams, connector, store):
    """In a personal chat "Status of the launch: we decided…" is judged as a message, not `status`."""
    await teams.say("Status of the launch: we decided to move it to next Friday.", kind="personal")

    assert [r["kind"] for r in store.decisions()] == ["decision"]
    assert "Who is the customer" in connector.messages()[0].card_text


async def test_a_bare_mention_gets_the_help(teams, connector):
    """`@Nudgebot` with nothing after it answers with the help."""
    await teams.say("", mention=True)

    [reply] = connector.messages()
    assert reply.card_text.startswith("**Nudgebot** helps this team start with the customer")
