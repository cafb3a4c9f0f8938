"""The digest in a running `nudgebot serve`: chosen from chat, posted by the weekly schedule, and its
buttons open the rationale form without touching the digest message."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from aiohttp import web
from digest_seed import seed
from slack_harness import SECRET, TOKEN, SlackSender

from bot.config import load_settings
from bot.digest_store import settings_for
from bot.server import SCHEDULE, SLACK, create_app
from bot.slack.blocks import CUSTOMER_BLOCK, DIGEST_RATIONALE


@pytest.fixture
async def serve(fake_slack, engine):
    """`create_app()` on 127.0.0.1 with Slack for one workspace, weeks and the schedule in Berlin time."""
    settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                             slack_api_url=fake_slack.base_url, timezone="Europe/Berlin")
    app = create_app(settings, engine)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sender = SlackSender(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events", fake_slack)
    sender.server = app
    yield sender
    await runner.cleanup()


async def test_digest_here_chooses_the_channel_for_everyone_to_see(serve, store):
    """`/nudgebot digest here` in #leads stores the choice and says so in the channel."""
    answer = await serve.command("/nudgebot", "digest here", channel="C_LEADS", channel_name="leads", user="U_LEAD")
    assert answer.status == 200
    assert answer.json["response_type"] == "in_channel"
    assert answer.json["text"].startswith("<@U_LEAD> chose this conversation for the weekly customer rationale digest")
    assert (settings_for(store, "slack", "T_ONE").channel, settings_for(store, "slack", "T_ONE").enabled) == (
        "C_LEADS", True)
    status = await serve.command("/nudgebot", "digest", channel="C_LEADS")
    assert "Weekly digest: posted in <#C_LEADS>; no DMs to authors." in status.json["text"]


async def test_the_weekly_job_runs_monday_nine_in_the_configured_zone_and_posts(serve, fake_slack, store):
    """`serve` schedules the digest for Monday 09:00 Berlin time; a turn posts last full week's digest to the
    channel chosen from chat, with its chart."""
    seed(store)
    await serve.command("/nudgebot", "digest here", channel="C_LEADS", channel_name="leads")
    schedule = serve.server[SCHEDULE]
    next_run = datetime.fromisoformat(schedule.jobs()["weekly digest"])
    assert (next_run.strftime("%a %H:%M"), str(next_run.tzinfo)) in {("Mon 09:00", "UTC+01:00"),
                                                                      ("Mon 09:00", "UTC+02:00")}
    schedule.run_soon("weekly digest")
    [posted] = await fake_slack.wait_for("chat.postMessage")
    assert posted.params["channel"] == "C_LEADS"
    assert posted.params["blocks"][0]["text"]["text"] == "Customer rationale digest — 2026-W46"  # the clock: W47
    await fake_slack.wait_for("files.completeUploadExternal")


async def test_a_digest_button_opens_the_form_and_saving_leaves_the_digest_alone(serve, fake_slack, store):
    """"Add customer rationale" on a digest item: the nudge's form opens; saving it records the rationale and
    no chat.update touches the digest message."""
    ids = seed(store)
    await serve.press(DIGEST_RATIONALE, str(ids["d1"]), message_ts="1800000000.000001", channel="C_LEADS",
                      user="U_ANN")
    [opened] = await fake_slack.wait_for("views.open")
    view = opened.params["view"]
    assert json.loads(view["private_metadata"]) == {"decision_id": ids["d1"], "digest": True}
    answer = await serve.submit(view, {CUSTOMER_BLOCK: "Resellers"}, user="U_ANN")
    assert answer.status == 200
    await asyncio.wait_for(serve.server[SLACK].drain(), 5)
    row = store.get("slack", "T_ONE", ids["d1"])
    assert (row["rationale"], row["rationale_by"], row["customer_rationale"]) == ("Resellers", "U_ANN", 1)
    assert fake_slack.calls_to("chat.update") == []
