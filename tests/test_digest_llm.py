"""The weekly digest with the optional LLM: one line on the week on top of the figures, only where the
workspace enabled it, and the digest goes out all the same when the LLM fails."""

from __future__ import annotations

import llm_harness
import pytest
from aiohttp import web
from digest_seed import seed
from llm_harness import llm_settings
from slack_harness import SECRET, TOKEN

from bot.server import SCHEDULE, create_app

fake_openai = llm_harness.fake_openai
LINE = "Most decisions this week named their customer; the launch moves still did not."


@pytest.fixture
async def serve(fake_slack, engine, fake_openai):
    """`create_app()` with Slack for one workspace and an LLM, weeks and schedules in Berlin time."""
    apps = []

    async def start(**overrides) -> web.Application:
        settings = llm_settings(fake_openai.base_url, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                slack_api_url=fake_slack.base_url, timezone="Europe/Berlin", **overrides)
        app = create_app(settings, engine)
        runner = web.AppRunner(app)
        await runner.setup()
        apps.append(runner)
        return app

    yield start
    for runner in apps:
        await runner.cleanup()


def shown(post) -> str:
    return "\n".join(b["text"]["text"] for b in post.params["blocks"] if b.get("type") == "section")


async def test_the_posted_digest_carries_the_llms_line_on_the_week(serve, fake_slack, fake_openai, store):
    """The weekly job asks the LLM for one paragraph and shows it, marked as the LLM's, under the figures."""
    seed(store)
    app = await serve(digest_channel="C_LEADS")
    fake_openai.answer({"summary": LINE})
    app[SCHEDULE].run_soon("weekly digest")
    [posted] = await fake_slack.wait_for("chat.postMessage", timeout=10)
    assert f"*In a line* (written by the LLM, from the figures and excerpts above): {LINE}" in shown(posted)
    [asked] = fake_openai.requests
    assert "2026-W46" in asked.user


async def test_a_workspace_without_the_llm_gets_the_figures_alone(serve, fake_slack, fake_openai, store):
    """Not enabled for the workspace: nothing is sent to the LLM, and the digest has no such line."""
    seed(store)
    app = await serve(digest_channel="C_LEADS", llm_workspaces="")
    app[SCHEDULE].run_soon("weekly digest")
    [posted] = await fake_slack.wait_for("chat.postMessage", timeout=10)
    assert "In a line" not in shown(posted)
    assert fake_openai.requests == []


async def test_an_llm_that_fails_costs_only_the_line(serve, fake_slack, fake_openai, store):
    """A 500 from the LLM: the digest is posted on time without the line."""
    seed(store)
    fake_openai.fail(500)
    fake_openai.fail(500)
    app = await serve(digest_channel="C_LEADS")
    app[SCHEDULE].run_soon("weekly digest")
    [posted] = await fake_slack.wait_for("chat.postMessage", timeout=10)
    assert posted.params["text"] == "Customer rationale digest — 2026-W46"
    assert "4 decisions logged" in shown(posted)
    assert "In a line" not in shown(posted)
