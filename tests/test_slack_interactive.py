"""Slack buttons, the rationale modal and slash commands, over HTTP: what the person clicking sees."""

from __future__ import annotations

import itertools
import json

from slack_harness import TEAM, message_event

from bot.models import ChannelSettings

UNCLEAR = "We decided to move the launch to next Friday."


async def nudge_for(slack, fake_slack, event: dict, count: int = 1):
    """Send `event` and return the bot's question about it (the call and the decision id on its buttons)."""
    await slack.event(event)
    post = (await fake_slack.wait_for("chat.postMessage", count=count))[-1]
    await fake_slack.wait_for("chat.getPermalink", count=count)
    return post, post.params["blocks"][-1]["elements"][0]["value"]


async def test_not_customer_facing_is_recorded_and_replaces_the_question(slack, fake_slack, store):
    """"Not customer-facing" records who said so and the question becomes that note, without buttons."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    answer = await slack.press("not_customer_facing", decision, message_ts=post.answer["ts"], user="U_LEAD")
    assert answer.status == 200
    [update] = await fake_slack.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C_GENERAL", post.answer["ts"])
    assert update.params["text"] == "Noted by <@U_LEAD>: not customer-facing."
    assert [b["type"] for b in update.params["blocks"]] == ["section"]
    assert store.get("slack", "T_ONE", int(decision))["not_customer_facing_by"] == "U_LEAD"


async def test_not_a_decision_dismisses_the_row(slack, fake_slack, store):
    """"Not a decision" takes the message out of the log's active decisions."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    await slack.press("not_a_decision", decision, message_ts=post.answer["ts"])
    [update] = await fake_slack.wait_for("chat.update")
    assert update.params["text"] == "Thanks <@U_ANN>: dismissed, not a decision."
    assert store.decisions() == []


async def test_mute_button_stops_questions_in_that_channel(slack, fake_slack):
    """"Mute in this channel" says until when, and the next decision there gets no question."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    await slack.press("mute", decision, message_ts=post.answer["ts"])
    [update] = await fake_slack.wait_for("chat.update")
    assert update.params["text"] == "<@U_ANN> muted me in this channel until Wed 25 Nov 2026 10:00 UTC."
    await slack.event(message_event("Going with the blue logo.", user="U_BEA"))
    await slack.event(message_event(UNCLEAR, channel="C_LATER", user="U_LATER"))
    posts = await fake_slack.wait_for("chat.postMessage", count=2)
    assert [p.params["channel"] for p in posts] == ["C_GENERAL", "C_LATER"]


async def test_add_rationale_opens_the_modal_and_saving_updates_log_and_question(slack, fake_slack, store):
    """The rationale button opens a form; saving it stores the rationale and thanks the person in place."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    await slack.press("add_rationale", decision, message_ts=post.answer["ts"])
    [opened] = await fake_slack.wait_for("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"].startswith("trigger.")
    assert [b.get("label", {}).get("text") for b in view["blocks"] if b["type"] == "input"] == [
        "Who is the customer?", "How does this help them?"]
    answer = await slack.submit(view, {"customer": "Resellers", "benefit": "they need the extra week to train staff"})
    assert (answer.status, answer.text) == (200, "")
    [update] = await fake_slack.wait_for("chat.update")
    assert update.params["ts"] == post.answer["ts"]
    assert update.params["text"] == (
        "Thanks <@U_ANN>: customer rationale added. _Resellers: they need the extra week to train staff_")
    row = store.get("slack", "T_ONE", int(decision))
    assert (row["rationale"], row["customer_rationale"]) == ("Resellers: they need the extra week to train staff", 1)


async def test_empty_rationale_is_refused_in_the_form(slack, fake_slack, store):
    """Saving the form with only spaces shows an error on the customer field and changes nothing."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    await slack.press("add_rationale", decision, message_ts=post.answer["ts"])
    [opened] = await fake_slack.wait_for("views.open")
    answer = await slack.submit(opened.params["view"], {"customer": "   ", "benefit": ""})
    assert answer.status == 200
    assert answer.json == {"response_action": "errors", "errors": {"customer": "Please say who the customer is."}}
    assert store.get("slack", "T_ONE", int(decision))["rationale"] is None
    assert fake_slack.calls_to("chat.update") == []


async def test_typed_rationale_is_escaped_where_it_is_echoed(slack, fake_slack, store):
    """Markup typed into the form cannot ping the channel or make links in the bot's message."""
    post, decision = await nudge_for(slack, fake_slack, message_event(UNCLEAR))
    await slack.press("add_rationale", decision, message_ts=post.answer["ts"])
    [opened] = await fake_slack.wait_for("views.open")
    await slack.submit(opened.params["view"], {"customer": "<!channel> & <http://x.example|partners>"})
    [update] = await fake_slack.wait_for("chat.update")
    assert update.params["text"].endswith("_&lt;!channel&gt; &amp; &lt;http://x.example|partners&gt;_")
    assert store.get("slack", "T_ONE", int(decision))["rationale"] == "<!channel> & <http://x.example|partners>"


async def test_ephemeral_channel_gets_private_questions_answered_by_response_url(slack, fake_slack, store, clock):
    """In a channel that chose private questions, only the author sees the question, and its answer."""
    store.save_channel_settings("slack", "T_ONE", "C_GENERAL", ChannelSettings(ephemeral=True), clock.now)
    event = message_event(UNCLEAR)
    await slack.event(event)
    [ephemeral] = await fake_slack.wait_for("chat.postEphemeral")
    assert (ephemeral.params["user"], ephemeral.params["thread_ts"]) == ("U_ANN", event["ts"])
    decision = ephemeral.params["blocks"][-1]["elements"][0]["value"]
    await slack.press("not_customer_facing", decision, message_ts=ephemeral.answer["message_ts"], ephemeral=True)
    [replaced] = await fake_slack.wait_for("/respond/action")
    assert (replaced.params["replace_original"], replaced.params["text"]) == (
        True, "Noted by <@U_ANN>: not customer-facing.")
    assert fake_slack.calls_to("chat.postMessage") == []


# -- slash commands ----------------------------------------------------------------------------

async def test_prfaq_answers_within_the_request_with_a_button_to_share(slack, fake_slack):
    """`/prfaq IDEA` answers at once, only to the caller, with the skeleton and a "Post to channel" button."""
    answer = await slack.command("/prfaq", "A meal-planning feature for busy parents")
    assert answer.status == 200
    body = answer.json
    assert body["response_type"] == "ephemeral"
    assert body["blocks"][0]["type"] == "markdown"
    assert "A meal-planning feature for busy parents" in body["blocks"][0]["text"]
    [button] = body["blocks"][1]["elements"]
    assert (button["text"]["text"], button["value"]) == ("Post to channel", "A meal-planning feature for busy parents")


async def test_posting_a_prfaq_shares_it_with_the_channel(slack, fake_slack):
    """"Post to channel" posts the PR/FAQ for everyone and removes the private copy."""
    await slack.press("post_prfaq", "A meal-planning feature for busy parents", message_ts="1763460000.000999")
    shared, removed = await fake_slack.wait_for("/respond/action", count=2)
    assert shared.params["response_type"] == "in_channel"
    assert "A meal-planning feature for busy parents" in shared.params["blocks"][0]["text"]
    assert removed.params["delete_original"] is True


async def test_decision_command_logs_and_asks_the_caller(slack, fake_slack, store):
    """`/decision TEXT` answers "Logged decision #N" at once and asks the caller about the customer."""
    answer = await slack.command("/decision", "Weekly releases on Tuesdays from December.")
    assert answer.json["text"] == "Logged decision #1."
    [question] = await fake_slack.wait_for("/respond/command")
    assert question.params["response_type"] == "ephemeral"
    assert "Who is the customer" in question.params["text"]
    assert [r["text"] for r in store.decisions()] == ["Weekly releases on Tuesdays from December."]


async def test_a_command_whose_text_says_payload_is_read_as_a_command(slack, fake_slack, store):
    """Bolt takes any form containing the word "payload" for a button's `payload=`; such a command is
    still logged and answered, not lost to a 404."""
    answer = await slack.command("/decision", "We will cap the upload payload at 10 MB from Monday.")
    assert (answer.status, answer.json["text"]) == (200, "Logged decision #1.")
    assert [r["text"] for r in store.decisions()] == ["We will cap the upload payload at 10 MB from Monday."]


async def test_decision_command_confirms_once(slack, fake_slack, store):
    """`/decision` naming its customer is confirmed by the answer to the command alone: no reaction is
    attempted on a message that does not exist, and nothing else is sent."""
    answer = await slack.command("/decision", "We will add CSV export because customers keep asking for it.")
    assert answer.json["text"] == "Logged decision #1. It names its customer."
    await slack.command("/decision", "Weekly releases on Tuesdays from December.")
    [question] = await fake_slack.wait_for("/respond/command")  # the second one's question: the first is done
    assert "Who is the customer" in question.params["text"]
    assert fake_slack.calls_to("reactions.add") == []
    assert [r["customer_rationale"] for r in store.decisions()] == [1, 0]


async def test_unmute_in_a_channel_not_muted_says_so_to_the_caller(slack, store):
    """`/nudgebot unmute` where nobody muted the bot tells the caller, privately, that it was not muted."""
    answer = await slack.command("/nudgebot", "unmute")
    assert answer.json["response_type"] == "ephemeral"
    assert answer.json["text"] == "This channel isn't muted: I already ask about the customer here."
    assert list(store.db.query("SELECT count(*) AS n FROM channel_settings")) == [{"n": 0}]  # nothing changed


async def test_digest_command_shows_emoji_as_emoji(slack, fake_slack):
    """`/digest` shows a decision written with :thumbsup: with its 👍, not the normaliser's token."""
    this_week = "1794992400.000001"  # Wed 18 Nov 2026 09:00 UTC, an hour before the clock's now
    await slack.event(message_event("We decided to move the launch to next Friday :thumbsup:", ts=this_week))
    await fake_slack.wait_for("chat.getPermalink")
    shown = json.dumps((await slack.command("/digest")).json["blocks"], ensure_ascii=False)
    assert "We decided to move the launch to next Friday 👍" in shown and "emoji_" not in shown


async def test_nudgebot_status_and_mute(slack, fake_slack):
    """`/nudgebot mute 2h` tells the channel until when; `/nudgebot status` then shows it to the caller."""
    mute = await slack.command("/nudgebot", "mute 2h", user="U_LEAD")
    assert mute.json["response_type"] == "in_channel"
    assert mute.json["text"].startswith("Muted in this channel until Wed 18 Nov 2026 12:00 UTC.")
    status = await slack.command("/nudgebot", "status")
    assert status.json["response_type"] == "ephemeral"
    assert "Muted until Wed 18 Nov 2026 12:00 UTC (by <@U_LEAD>)." in status.json["text"]


async def test_command_without_text_explains_its_usage(slack):
    """`/prfaq` with no idea says how to use it, in the response to the command."""
    answer = await slack.command("/prfaq", "")
    assert "/prfaq A meal-planning feature" in answer.json["text"]


_uses = itertools.count(1)


async def shortcut(slack, message: dict, *, user: str = "U_LEAD", channel: str = "C_GENERAL"):
    """The "Log as decision" message shortcut used on `message` (each use its own trigger, as in Slack)."""
    return await slack.interaction({
        "type": "message_action",
        "callback_id": "log_as_decision",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", **message},
        "message_ts": message["ts"],
        "trigger_id": f"trigger.shortcut.{next(_uses)}",
        "response_url": slack.fake.response_url("shortcut"),
        "action_ts": "1763460000.000001",
    })


async def test_log_as_decision_shortcut_logs_the_message_and_asks_its_author(slack, fake_slack, store):
    """A message without decision wording is logged as a decision; its thread gets the question."""
    answer = await shortcut(slack, {"user": "U_ANN", "ts": "1763460000.000100", "text": "Tuesdays it is for releases"})
    assert answer.status == 200
    [question] = await fake_slack.wait_for("chat.postMessage")
    assert question.params["thread_ts"] == "1763460000.000100"
    assert "Who is the customer" in question.params["text"]
    [reply] = await fake_slack.wait_for("/respond/shortcut")
    assert reply.params["text"].startswith("Logged decision #1")
    assert [(r["kind"], r["author"], r["text"]) for r in store.decisions()] == [
        ("decision", "U_ANN", "Tuesdays it is for releases")]


async def test_log_as_decision_on_a_logged_decision_says_so(slack, fake_slack, store):
    """Using the shortcut twice on one message keeps one row and says it is already logged."""
    message = {"user": "U_ANN", "ts": "1763460000.000200", "text": "Going with Postgres."}
    await shortcut(slack, message)
    await fake_slack.wait_for("/respond/shortcut")
    await shortcut(slack, message)
    replies = await fake_slack.wait_for("/respond/shortcut", count=2)
    assert replies[-1].params["text"] == "That message is already logged as decision #1."
    assert len(store.decisions()) == 1


async def test_log_as_decision_refuses_bot_messages(slack, fake_slack, store):
    """A bot's message cannot be logged as a decision; the user is told why."""
    await shortcut(slack, {"bot_id": "B_OTHER", "ts": "1763460000.000300", "text": "Deploy finished"})
    [reply] = await fake_slack.wait_for("/respond/shortcut")
    assert reply.params["text"] == "Only messages people wrote can be logged as decisions."
    assert store.decisions() == []


async def open_home(slack, user: str = "U_ANN"):
    return await slack.event({"type": "app_home_opened", "user": user, "channel": "D_HOME", "tab": "home",
                              "event_ts": "1763460000.000900"})


async def test_app_home_lists_my_decisions_lacking_a_customer_and_my_open_requests(slack, fake_slack, store):
    """Opening the home tab publishes the person's own open items, each with the nudge's buttons."""
    await slack.event(message_event("We decided to move the launch to next Friday.", user="U_ANN", ts="1.000100"))
    await slack.event(message_event("<@U_BOSS> can you approve the vendor contract?", user="U_ANN", ts="1.000200"))
    await slack.event(message_event("Going with Postgres.", user="U_BOB", ts="1.000300"))
    await fake_slack.wait_for("chat.postMessage", count=2)
    await open_home(slack)
    [publish] = await fake_slack.wait_for("views.publish")
    assert publish.params["user_id"] == "U_ANN"
    text = json.dumps(publish.params["view"])
    assert "move the launch" in text and "vendor contract" in text and "Postgres" not in text
    actions = [b for b in publish.params["view"]["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[-1]["elements"]] == [
        "add_rationale", "not_customer_facing", "not_a_decision", "mute"]


async def test_a_button_on_the_home_tab_answers_and_refreshes_it(slack, fake_slack, store):
    """"Not a decision" pressed on the home tab dismisses the row and republishes an empty tab."""
    await slack.event(message_event("We decided to move the launch to next Friday.", user="U_ANN", ts="1.000400"))
    await fake_slack.wait_for("chat.postMessage")
    [row] = store.decisions()
    await slack.interaction({
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": "U_ANN", "username": "u_ann", "team_id": TEAM},
        "container": {"type": "view", "view_id": "V_HOME"},
        "view": {"id": "V_HOME", "type": "home", "team_id": TEAM, "hash": "h", "blocks": []},
        "trigger_id": "trigger.home",
        "actions": [{"type": "button", "action_id": "not_a_decision", "block_id": f"home-{row['id']}",
                     "value": str(row["id"]), "text": {"type": "plain_text", "text": "Not a decision"},
                     "action_ts": "1763460000.1"}],
    })
    [publish] = await fake_slack.wait_for("views.publish")
    assert store.decisions() == []
    assert "Nothing waiting for you" in json.dumps(publish.params["view"])


async def test_an_unexpected_failure_gets_one_polite_line_and_no_details(slack, fake_slack, store, caplog):
    """When the log cannot be used, the person gets a polite line; the exception text stays in our log."""
    store.close()  # the database goes away under the running app
    answer = await slack.command("/nudgebot", "status")
    assert answer.status == 200
    assert answer.text.startswith("Sorry, something went wrong on our side.")
    assert "closed database" not in answer.text
    assert any("Slack listener failed: ProgrammingError" in r.getMessage() for r in caplog.records)
