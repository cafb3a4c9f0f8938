"""Posting digests: each destination at most once per week, through the fake Slack Web API (the message
with its buttons, and the chart uploaded as files_upload_v2 does), each workspace with its own token."""

from __future__ import annotations

import io
import logging
from zoneinfo import ZoneInfo

import pytest
from digest_seed import DM_SECRET, HR_SECRET, OTHER_SECRET, WEEK, seed
from PIL import Image
from slack_harness import TOKEN
from slack_sdk.oauth.installation_store import Installation

from bot import digest_store
from bot.config import load_settings
from bot.digest import parse_week
from bot.digest_post import post_week
from bot.digest_report import Destination
from bot.digest_store import DigestSettings
from bot.slack import oauth
from bot.slack.blocks import DIGEST_RATIONALE
from bot.slack.digest import SlackDigests, installed_clients

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def seeded(store):
    return seed(store)


def single_workspace(fake, store, **settings):
    values = {"slack_bot_token": TOKEN, "slack_api_url": fake.base_url, **settings}
    s = load_settings(env_file=None, **values)
    return s, {"slack": SlackDigests(s, installed_clients(s, store.path))}


async def post(engine, senders, settings, by="test"):
    return await post_week(engine, senders, parse_week(WEEK, UTC_ZONE), by=by,
                           default_channel=settings.digest_channel)


def posted_messages(fake):
    return [c for c in fake.calls_to("chat.postMessage") if c.answer and c.answer.get("ok")]


def buttons(call) -> list[tuple[str, str]]:
    return [(b["accessory"]["action_id"], b["accessory"]["value"]) for b in call.params["blocks"] if "accessory" in b]


def setting(store, workspace="T_ONE", **values):
    digest_store.save_settings(store, "slack", workspace, DigestSettings(**values), parse_week(WEEK, UTC_ZONE).end)


# -- one post, and the chart beside it ---------------------------------------------------------


async def test_the_digest_is_posted_with_buttons_and_the_chart_uploaded_beside_it(fake_slack, engine, store, seeded):
    """NUDGEBOT_DIGEST_CHANNEL gets Block Kit with a button per item, then the chart through
    files.getUploadURLExternal, the upload URL and files.completeUploadExternal into the same channel."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    [outcome] = await post(engine, senders, settings)

    assert (outcome.destination, outcome.status) == (Destination("slack", "T_ONE", "channel", "C_DIGEST"), "posted")
    [message] = posted_messages(fake_slack)
    assert message.params["channel"] == "C_DIGEST" and message.token == TOKEN
    assert message.params["blocks"][0]["text"]["text"] == f"Customer rationale digest — {WEEK}"
    assert buttons(message) == [(DIGEST_RATIONALE, str(seeded[k])) for k in ("d1", "d3", "r1", "d7")]
    assert outcome.reference == message.answer["ts"]
    assert fake_slack.methods()[-4:] == ["chat.postMessage", "files.getUploadURLExternal", "upload",
                                         "files.completeUploadExternal"]
    [ticket] = fake_slack.calls_to("files.getUploadURLExternal")
    [done] = fake_slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == "C_DIGEST"
    image = Image.open(io.BytesIO(fake_slack.uploads[ticket.answer["file_id"]]))
    assert (image.format, image.size) == ("PNG", (800, 320))
    assert "2026-W46 50%, 2026-W47 40%." in image.info["Description"]
    assert int(ticket.params["length"]) == len(fake_slack.uploads[ticket.answer["file_id"]])


async def test_a_channels_posted_digest_keeps_private_words_out(fake_slack, engine, store, seeded):
    """What reaches Slack for a public digest channel holds no private channel's, DM's or other workspace's words."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    await post(engine, senders, settings)
    sent = str([c.params for c in fake_slack.calls])
    assert HR_SECRET not in sent and DM_SECRET not in sent and OTHER_SECRET not in sent


# -- at most once ------------------------------------------------------------------------------


async def test_a_second_run_posts_nothing_again(fake_slack, engine, store, seeded):
    """Run twice (a retry, a second cron): one message and one chart; the second run says it was posted."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    [first] = await post(engine, senders, settings)
    [second] = await post(engine, senders, settings)
    assert (first.status, second.status, second.reference) == ("posted", "already posted", first.reference)
    assert len(posted_messages(fake_slack)) == 1 and len(fake_slack.uploads) == 1


async def test_a_refused_post_is_tried_again_by_the_next_run(fake_slack, engine, store, seeded):
    """Slack answers not_in_channel: nothing was posted, so the next run (after the bot was invited) posts it."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    fake_slack.fail("chat.postMessage", status=200, retry_after=None, error="not_in_channel")
    [refused] = await post(engine, senders, settings)
    assert (refused.status, refused.note) == ("failed", "HTTP 200, not_in_channel")
    assert digest_store.posted(store, refused.destination, WEEK)["status"] == "failed"

    [retried] = await post(engine, senders, settings)
    assert retried.status == "posted" and len(posted_messages(fake_slack)) == 1
    assert digest_store.posted(store, refused.destination, WEEK)["attempts"] == 2


async def test_the_retry_run_sends_only_what_was_refused(fake_slack, engine, store, seeded):
    """`serve`'s quarter-hourly retry: nothing before the week's run claimed a destination, nothing again
    after a send went out, and a refused one is posted once Slack takes it."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    week = parse_week(WEEK, UTC_ZONE)

    async def retry():
        return await post_week(engine, senders, week, by="retry", default_channel="C_DIGEST", refused_only=True)

    assert await retry() == [] and fake_slack.calls_to("chat.postMessage") == []
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)  # past the client's own two retries
    [refused] = await post(engine, senders, settings)
    assert refused.status == "failed"
    [retried] = await retry()
    assert retried.status == "posted" and len(posted_messages(fake_slack)) == 1
    assert await retry() == [] and len(posted_messages(fake_slack)) == 1


async def test_an_unknown_outcome_is_never_sent_again(fake_slack, engine, store, seeded):
    """Slack fails with a 500 (it may have posted first): the claim stays, and later runs send nothing."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    fake_slack.fail("chat.postMessage", status=500, retry_after=None, error="internal_error")
    [unknown] = await post(engine, senders, settings)
    [later] = await post(engine, senders, settings)
    assert (unknown.status, later.status) == ("unknown", "already claimed")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_a_run_that_died_after_claiming_is_not_repeated(fake_slack, engine, store, seeded):
    """A process that claimed the destination and died mid-send: the next run does not post a second copy."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    destination = Destination("slack", "T_ONE", "channel", "C_DIGEST")
    assert digest_store.claim(store, destination, WEEK, engine.clock(), "crashed:1")
    [outcome] = await post(engine, senders, settings)
    assert outcome.status == "already claimed" and fake_slack.calls_to("chat.postMessage") == []


def test_only_one_of_two_claims_wins(store):
    """The claim is one INSERT: the second one for the same destination and week loses; another week wins."""
    destination = Destination("slack", "T_ONE", "channel", "C_DIGEST")
    when = parse_week(WEEK, UTC_ZONE).end
    assert [digest_store.claim(store, destination, WEEK, when, "a"), digest_store.claim(store, destination, WEEK, when,
                                                                                         "b")] == [True, False]
    assert digest_store.claim(store, destination, "2026-W48", when, "b")
    assert digest_store.posted(store, destination, WEEK)["claimed_by"] == "a"


# -- destinations ------------------------------------------------------------------------------


async def test_authors_get_their_own_items_by_dm_when_turned_on(fake_slack, engine, store, seeded):
    """With DMs on, each author with an item lacking a customer gets a DM with exactly their items; no chart."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    setting(store, dms=True)
    outcomes = await post(engine, senders, settings)
    dms = {o.destination.user: o for o in outcomes if o.destination.kind == "dm"}
    assert sorted(dms) == ["U_ANN", "U_BOB", "U_CAT", "U_DAN", "U_EVE"]
    by_user = {c.params["channel"]: c for c in posted_messages(fake_slack)}
    assert buttons(by_user["U_ANN"]) == [(DIGEST_RATIONALE, str(seeded["d1"])), (DIGEST_RATIONALE, str(seeded["d6"]))]
    assert buttons(by_user["U_DAN"]) == [(DIGEST_RATIONALE, str(seeded["d5"]))]
    assert DM_SECRET in str(by_user["U_ANN"].params) and DM_SECRET not in str(by_user["U_DAN"].params)
    assert HR_SECRET in str(by_user["U_DAN"].params) and HR_SECRET not in str(by_user["C_DIGEST"].params)
    assert len(fake_slack.uploads) == 1  # the channel's chart only


async def test_a_channel_chosen_from_chat_wins_and_off_turns_it_off(fake_slack, engine, store, seeded):
    """`digest here` in #leads replaces the configured default; `digest off` sends no channel digest."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    setting(store, channel="C_LEADS", enabled=True)
    [outcome] = await post(engine, senders, settings)
    assert outcome.destination.channel == "C_LEADS"
    setting(store, channel=None, enabled=False)
    assert await post_week(engine, senders, parse_week("2026-W46", UTC_ZONE), by="t",
                           default_channel=settings.digest_channel) == []


async def test_the_configured_channel_is_only_for_the_tokens_own_workspace(fake_slack, engine, store, seeded):
    """SLACK_BOT_TOKEN is T_ONE's (auth.test): T_TWO's imported history gets no digest with it, even
    with a channel of its own on record."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    setting(store, workspace="T_TWO", channel="C_OTHER", enabled=True)
    outcomes = {o.destination.workspace: o for o in await post(engine, senders, settings)}
    assert outcomes["T_ONE"].status == "posted"
    assert (outcomes["T_TWO"].status, outcomes["T_TWO"].note) == (
        "failed", "SLACK_BOT_TOKEN belongs to another workspace (or Slack could not say which)")
    assert [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")] == ["C_DIGEST"]


async def test_each_installed_workspace_is_posted_with_its_own_token(fake_slack, engine, store, seeded):
    """Installs through /slack/install: T_ONE's and T_TWO's digests go out with their own bot tokens, each
    with its own items only; a workspace without an installation is not sent."""
    s = load_settings(env_file=None, slack_client_id="111.222", slack_client_secret="shh",
                      slack_signing_secret="sig", slack_api_url=fake_slack.base_url)
    installations = oauth.installation_store(s, store.path)
    for team in ("T_ONE", "T_TWO"):
        installations.save(Installation(app_id="A_APP", team_id=team, bot_token=f"xoxb-{team}-installed",
                                        bot_id=f"B_{team}", bot_user_id=f"U_BOT_{team}", user_id="U_INSTALLER"))
    setting(store, channel="C_LEADS", enabled=True)
    setting(store, workspace="T_TWO", channel="C_OTHER", enabled=True)
    log_other = Destination("slack", "T_THREE", "channel", "C_X")
    digest_store.save_settings(store, "slack", "T_THREE", DigestSettings(channel="C_X", enabled=True),
                               engine.clock())
    outcomes = await post_week(engine, {"slack": SlackDigests(s, installed_clients(s, store.path))},
                               parse_week(WEEK, UTC_ZONE), by="t")
    assert {o.destination.workspace: o.status for o in outcomes} == {"T_ONE": "posted", "T_TWO": "posted"}
    sent = {c.params["channel"]: c for c in posted_messages(fake_slack)}
    assert (sent["C_LEADS"].token, sent["C_OTHER"].token) == ("xoxb-T_ONE-installed", "xoxb-T_TWO-installed")
    assert OTHER_SECRET in str(sent["C_OTHER"].params) and OTHER_SECRET not in str(sent["C_LEADS"].params)
    assert "onboarding survey" in str(sent["C_LEADS"].params) and "onboarding" not in str(sent["C_OTHER"].params)
    assert digest_store.posted(store, log_other, WEEK) is None  # nothing was logged in T_THREE: no digest


async def test_tokens_never_reach_the_log(fake_slack, engine, store, seeded, caplog):
    """Posting, failing and retrying log what happened, never the bot token."""
    caplog.set_level(logging.DEBUG)
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    fake_slack.fail("chat.postMessage", status=200, retry_after=None, error="channel_not_found")
    await post(engine, senders, settings)
    await post(engine, senders, settings)
    assert "digest for slack/T_ONE, #C_DIGEST not sent: HTTP 200, channel_not_found" in caplog.text
    assert TOKEN not in caplog.text


async def test_one_workspace_can_be_posted_alone(fake_slack, engine, store, seeded):
    """`--post --workspace T_TWO`: only T_TWO's destinations are tried; T_ONE's channel is left for later."""
    settings, senders = single_workspace(fake_slack, store, digest_channel="C_DIGEST")
    setting(store, workspace="T_TWO", channel="C_OTHER", enabled=True)
    outcomes = await post_week(engine, senders, parse_week(WEEK, UTC_ZONE), by="t",
                               default_channel=settings.digest_channel, only="T_TWO")
    assert [o.destination.workspace for o in outcomes] == ["T_TWO"]
    assert digest_store.posted(store, Destination("slack", "T_ONE", "channel", "C_DIGEST"), WEEK) is None
