"""The nudge card's buttons over HTTP (Action.Execute invokes): the log is updated and the card shows the outcome."""

from __future__ import annotations

import teams_harness
from teams_harness import BEN, TENANT, card_action

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."
CARD = "application/vnd.microsoft.card.adaptive"


async def nudged(teams) -> dict:
    """A decision the bot asked about; returns the message."""
    message = await teams.say(UNCLEAR)
    assert len(teams.connector.sent) == 1
    return message


def texts(card: dict) -> list[str]:
    found = []
    for block in card["body"]:
        found += [block["text"]] if block["type"] == "TextBlock" else [i["text"] for i in block.get("inlines", [])]
    return found


async def test_saving_the_rationale_updates_the_log_and_the_card(teams, connector, store):
    """The form's customer and benefit are logged; the card becomes a thank-you quoting them, for everyone."""
    message = await nudged(teams)

    answer = await teams.post(card_action("add_rationale", 1, message, customer="Resellers in the EU",
                                          benefit="They get a week to train their staff", card_id="reply-1"))

    assert answer.status == 200
    assert answer.json["type"] == CARD
    shown = ["Thanks Ann Lee: customer rationale added.", "Resellers in the EU: They get a week to train their staff"]
    assert texts(answer.json["value"]) == shown
    [update] = connector.updates()
    assert (update.conversation, update.activity_id) == (message["conversation"]["id"], "reply-1")
    assert texts(update.cards[0]) == shown
    [row] = store.decisions()
    assert (row["rationale"], row["rationale_by"], row["customer_rationale"]) == (
        "Resellers in the EU: They get a week to train their staff", "29:ann", 1)


async def test_a_rationale_without_a_customer_is_refused(teams, connector, store):
    """Saving the form without a customer asks for one and changes nothing."""
    message = await nudged(teams)

    answer = await teams.post(card_action("add_rationale", 1, message, customer="  ", benefit="Faster"))

    assert (answer.status, answer.json) == (
        200, {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
              "value": "Please say who the customer is."})
    assert connector.updates() == []
    assert store.decisions()[0]["rationale"] is None


async def test_typed_markup_is_shown_as_typed(teams, connector):
    """Markdown in the rationale is not rendered: it stays plain text on the card."""
    message = await nudged(teams)

    answer = await teams.post(card_action("add_rationale", 1, message, customer="**[click](https://x.test)**"))

    [quote] = [b for b in answer.json["value"]["body"] if b["type"] == "RichTextBlock"]
    assert quote["inlines"] == [{"type": "TextRun", "text": "**[click](https://x.test)**", "italic": True}]


async def test_not_customer_facing_is_recorded_with_who_said_so(teams, connector, store):
    """Not customer-facing records the person, and the card says so."""
    message = await nudged(teams)

    answer = await teams.post(card_action("not_customer_facing", 1, message, user=BEN))

    assert texts(answer.json["value"]) == ["Noted by Ben Ito: not customer-facing."]
    assert store.decisions()[0]["not_customer_facing_by"] == "29:ben"


async def test_not_a_decision_dismisses_the_row(teams, connector, store):
    """Not a decision takes the message out of the log's active decisions."""
    message = await nudged(teams)

    answer = await teams.post(card_action("not_a_decision", 1, message))

    assert texts(answer.json["value"]) == ["Thanks Ann Lee: dismissed, not a decision."]
    assert [r["status"] for r in store.decisions(include_inactive=True)] == ["dismissed"]


async def test_mute_stops_questions_in_that_channel(teams, connector, store):
    """Mute in this channel: later decisions there are logged but not asked about."""
    message = await nudged(teams)

    answer = await teams.post(card_action("mute", 1, message))
    await teams.say("We decided to drop the beta banner.", user=BEN)

    assert texts(answer.json["value"])[0].startswith("Ann Lee muted me in this channel until ")
    assert len(connector.messages()) == 1
    assert len(store.decisions()) == 2


async def test_a_card_from_another_tenant_changes_nothing(teams, connector, store):
    """A button press naming another tenant's decision is refused; the log is untouched."""
    message = await nudged(teams)
    elsewhere = card_action("not_a_decision", 1, message)
    elsewhere["channelData"] = {**elsewhere["channelData"], "tenant": {"id": "tenant-two"}}

    answer = await teams.post(elsewhere)

    assert answer.json["value"] == "That decision is no longer in the log."
    assert [r["status"] for r in store.decisions("teams", TENANT)] == ["active"]


async def test_an_unknown_button_is_refused(teams, connector, store):
    """An Action.Execute verb that is not one of the nudge's buttons is answered politely and ignored."""
    message = await nudged(teams)

    answer = await teams.post(card_action("delete_everything", 1, message))

    assert answer.json["value"] == "That button is not one of Nudgebot's."
    assert [r["status"] for r in store.decisions()] == ["active"]


def test_engine_markup_becomes_what_a_card_shows():
    """Slack-style markup turns into card Markdown: names for ids, commands without slashes, links intact."""
    from bot.teams.cards import markdown

    text = "*Muted* by <@29:ann>; `/nudgebot unmute` to undo, or <@29:nobody>. See <https://x.test/decision|the log>."

    assert markdown(text, {"29:ann": "Ann Lee"}) == (
        "**Muted** by Ann Lee; **unmute** to undo, or someone. See [the log](https://x.test/decision).")
