"""The digest in Teams, against the fake Bot Framework connector: an Adaptive Card with the chart, sent
proactively to the channel chosen and to authors' own chats, at most once."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from zoneinfo import ZoneInfo

import teams_harness
from digest_seed import at, log
from PIL import Image
from teams_harness import ANN, BEN, CHANNEL, PERSONAL, TENANT

from bot import digest_store
from bot.digest import parse_week
from bot.digest_post import post_week
from bot.digest_store import DigestSettings
from bot.models import Visibility
from bot.server import SCHEDULE, TEAMS
from bot.teams.digest import TeamsDigests

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UTC_ZONE = ZoneInfo("UTC")
PRIVATE = "Teams: we decided to drop the partner tier."


def seed_teams(store, dms: bool = False, choose: bool = True) -> None:
    """2026-W46 in the tenant: two public decisions of Ann's without a customer, one of Ben's with one,
    and Ben's in a private channel without."""
    for day in (9, 10):
        log(store, "We decided to move the launch to next Friday.", at(day), platform="teams", workspace=TENANT,
            channel=CHANNEL, channel_name="General", author=ANN["id"], author_name=ANN["name"])
    log(store, "We decided to add CSV export because customers keep asking.", at(11), rationale=True,
        platform="teams", workspace=TENANT, channel=CHANNEL, author=BEN["id"], author_name=BEN["name"])
    log(store, PRIVATE, at(12), platform="teams", workspace=TENANT, channel="19:private@thread.tacv2",
        visibility=Visibility.PRIVATE, author=BEN["id"], author_name=BEN["name"])
    if choose:
        digest_store.save_settings(store, "teams", TENANT, DigestSettings(channel=CHANNEL, enabled=True, dms=dms),
                                   at(13))


def sender(teams) -> TeamsDigests:
    return TeamsDigests(teams.app[TEAMS].proactive)


async def post(engine, teams):
    return await post_week(engine, {"teams": sender(teams)}, parse_week("2026-W46", UTC_ZONE), by="t")


def image_of(card: dict) -> Image.Image:
    [image] = [b for b in card["body"] if b["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(image["url"].split(",", 1)[1])))


async def test_the_weekly_job_posts_an_adaptive_card_with_the_chart(teams, connector, store):
    """`nudgebot digest here` said in a channel chooses it; `serve`'s weekly turn posts a new message there: a
    card with the figures, the items and the chart as a PNG inside it, small enough for Teams (under 28 KB)."""
    await teams.say("nudgebot digest here", mention=True)  # also stores the channel's reference
    assert "chose this conversation for the weekly customer rationale digest" in connector.messages()[-1].card_text
    seed_teams(store, choose=False)
    connector.sent.clear()
    teams.app[SCHEDULE].run_soon("weekly digest")

    async def arrived():
        while not connector.messages():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(arrived(), 10)
    [post] = connector.messages()
    assert post.conversation == CHANNEL
    text = post.card_text
    assert text.startswith("Customer rationale digest — 2026-W46\n3 decisions logged; 1 (33%) say who the customer is.")
    assert "Ann Lee" in text and PRIVATE not in text
    [card] = post.cards
    chart = image_of(card)
    assert (chart.format, chart.size) == ("PNG", (800, 320))
    assert "2026-W46 33%" in [b for b in card["body"] if b["type"] == "Image"][0]["altText"]
    assert len(json.dumps(post.body)) < 28_000


async def test_authors_get_their_own_items_in_their_own_chat(teams, connector, store, engine):
    """With DMs on, Ann's personal chat gets her two items; Ben (no chat yet) gets a new chat with his
    private item only; no chart in either."""
    await teams.say("Morning all")
    await teams.say("hello", kind="personal")  # Ann's own chat with the bot
    seed_teams(store, dms=True)
    connector.sent.clear()

    outcomes = await post(engine, teams)

    assert sorted((o.destination.kind, o.destination.user, o.status) for o in outcomes) == [
        ("channel", None, "posted"), ("dm", ANN["id"], "posted"), ("dm", BEN["id"], "posted")]
    by_conversation = {s.conversation: s for s in connector.messages()}
    ann = by_conversation[PERSONAL]
    assert ann.card_text.startswith("Your decisions lacking a customer rationale — 2026-W46")
    assert "move the launch" in ann.card_text and PRIVATE not in ann.card_text
    assert [b["type"] for b in ann.cards[0]["body"]].count("Image") == 0
    [new_chat] = [s for s in connector.sent if s.conversation is None]
    assert new_chat.body["members"] == [{"id": BEN["id"]}]
    [ben] = [s for c, s in by_conversation.items() if c.startswith("a:new-chat-")]  # the chat just started
    assert PRIVATE in ben.card_text and "move the launch" not in ben.card_text


async def test_a_conversation_the_bot_never_saw_is_not_sent_and_retried_later(teams, connector, store, engine):
    """No stored reference for the channel: nothing is sent and the claim is given back; once the bot
    has seen the channel, the next run posts it."""
    seed_teams(store)
    [first] = await post(engine, teams)
    assert (first.status, first.note) == (
        "failed", "the bot has not seen this conversation yet (mention it there once)")
    assert connector.messages() == []
    await teams.say("Morning all")
    connector.sent.clear()
    [second] = await post(engine, teams)
    assert second.status == "posted" and len(connector.messages()) == 1


async def test_a_post_the_connector_did_not_confirm_is_never_sent_again(teams, connector, store, engine):
    """The connector answers 502: it may have posted, so the claim stays and the next run sends nothing."""
    await teams.say("Morning all")
    seed_teams(store)
    connector.sent.clear()
    connector.refuse = [502]
    [first] = await post(engine, teams)
    [again] = await post(engine, teams)
    assert (first.status, again.status) == ("unknown", "already claimed")
    assert len(connector.messages()) == 1


async def test_the_digest_card_saves_a_rationale_and_stays_as_posted(teams, connector, store, engine):
    """The card's one form lists the items; saving a customer for one logs it, answers the person, and
    leaves the digest card untouched."""
    from teams_harness import card_action

    from bot.teams.cards import BENEFIT_INPUT, CUSTOMER_INPUT, DECISION_INPUT, DIGEST_VERB

    await teams.say("nudgebot digest here", mention=True)
    seed_teams(store, choose=False)
    connector.sent.clear()
    await post(engine, teams)
    [posted] = connector.messages()
    [form] = [a for a in posted.cards[0]["actions"] if a["type"] == "Action.ShowCard"]
    [pick] = [b for b in form["card"]["body"] if b["type"] == "Input.ChoiceSet"]
    lacking = {r["id"]: r for r in store.decisions("teams", TENANT) if not r["customer_rationale"]}
    assert sorted(int(c["value"]) for c in pick["choices"]) == sorted(
        i for i, r in lacking.items() if r["visibility"] == "public")
    chosen = pick["choices"][0]["value"]
    press = card_action(DIGEST_VERB, 0, teams("x"), card_id="digest-1")
    press["value"]["action"]["data"] = {DECISION_INPUT: chosen, CUSTOMER_INPUT: "Resellers in the EU",
                                        BENEFIT_INPUT: "they launch with their own customers"}
    answer = await teams.post(press)
    assert answer.status == 200
    assert answer.json["value"] == "Thanks: the customer rationale is saved with that decision."
    row = store.get("teams", TENANT, int(chosen))
    assert (row["customer_rationale"], row["rationale_by"]) == (1, ANN["id"])
    assert "Resellers in the EU" in row["rationale"]
    assert connector.updates() == []


async def test_the_digest_card_shows_emoji_as_emoji(teams, connector, store, engine):
    """A decision written with 👍 in Teams is shown with it on the digest card, not as `emoji_thumbsup`."""
    await teams.say("Morning all")  # the channel's reference
    seed_teams(store)
    log(store, "We decided to launch the partner portal next Friday 👍", at(12, 11), platform="teams",
        workspace=TENANT, channel=CHANNEL, channel_name="General", author=ANN["id"], author_name=ANN["name"])
    connector.sent.clear()

    [outcome] = await post(engine, teams)

    assert outcome.status == "posted"
    [card] = connector.messages()
    assert "We decided to launch the partner portal next Friday 👍" in card.card_text
    assert "emoji_" not in json.dumps(card.cards, ensure_ascii=False)
