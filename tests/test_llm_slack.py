"""Slack with an LLM configured, end to end over HTTP: signed events in, the fake OpenAI server asked
after the ack, the contextual question (or the rules' own) posted in the thread."""

from __future__ import annotations

import asyncio

import llm_harness
import pytest
from fakes.openai_api import closed_port
from llm_harness import CONTEXTUAL, DRAFT, LAUNCH, VERDICT, llm_settings
from slack_harness import SECRET, TOKEN, SlackSender, message_event

fake_openai = llm_harness.fake_openai
IDEA = "A meal-planning feature for busy parents"
GENERIC = "Who is the customer, and how does this help them?"


@pytest.fixture
async def serve(fake_slack, engine):
    """`await serve(base_url, **settings)`: create_app() on 127.0.0.1 with Slack and an LLM; a sender."""
    from aiohttp import web

    from bot.server import create_app

    runners = []

    async def start(base_url: str, **overrides) -> SlackSender:
        settings = llm_settings(base_url, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                slack_api_url=fake_slack.base_url, **overrides)
        runner = web.AppRunner(create_app(settings, engine))
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return SlackSender(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events", fake_slack)

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_the_nudge_in_the_thread_names_the_decision(serve, fake_slack, fake_openai):
    """Slack gets its 200 while the LLM is still thinking; then the question naming the decision is posted."""
    gate = fake_openai.hold(VERDICT)
    slack = await serve(fake_openai.base_url, llm_timeout=5)
    event = message_event(LAUNCH)

    answer = await slack.event(event)
    await fake_openai.wait_for(1)
    assert answer.status == 200 and fake_slack.calls_to("chat.postMessage") == []
    gate.set()

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    assert f"*{CONTEXTUAL}*" in post.params["blocks"][0]["text"]["text"]
    assert LAUNCH in fake_openai.requests[0].user


async def test_a_workspace_without_the_llm_gets_the_rules_question_and_sends_nothing(serve, fake_slack,
                                                                                   fake_openai):
    """Not enabled for the workspace: the usual question, and not a byte to the LLM."""
    slack = await serve(fake_openai.base_url, llm_workspaces="")

    await slack.event(message_event(LAUNCH))

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert f"*{GENERIC}*" in post.params["blocks"][0]["text"]["text"]
    assert fake_openai.requests == []


@pytest.mark.parametrize("trouble", ["500s", "refused"])
async def test_an_llm_that_fails_leaves_the_rules_question(serve, fake_slack, fake_openai, trouble):
    """5xx answers or nobody listening: the rules' question is posted all the same."""
    fake_openai.fail(500)
    fake_openai.fail(500)
    url = fake_openai.base_url if trouble == "500s" else f"http://127.0.0.1:{closed_port()}/v1"
    slack = await serve(url)

    await slack.event(message_event(LAUNCH))

    [post] = await fake_slack.wait_for("chat.postMessage")
    assert f"*{GENERIC}*" in post.params["blocks"][0]["text"]["text"]


async def test_a_retried_event_asks_the_llm_once_and_nudges_once(serve, fake_slack, fake_openai, store):
    """Slack's retry of an event (same event_id) reuses the answer and posts nothing more."""
    fake_openai.answer(VERDICT)
    slack = await serve(fake_openai.base_url)
    event = message_event(LAUNCH)

    await slack.event(event, event_id="EvSame")
    await fake_slack.wait_for("chat.postMessage")
    await slack.event(event, event_id="EvSame", retry=1)
    await slack.event(message_event("Thanks!", thread_ts=event["ts"]))  # reaches the engine after the retry

    async def reply_counted() -> None:
        while store.decisions()[0]["replies"] != 1:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(reply_counted(), 5)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1 and len(fake_openai.requests) == 1


async def test_prfaq_shows_the_skeleton_then_replaces_it_with_the_draft(serve, fake_slack, fake_openai):
    """`/prfaq` answers at once with the skeleton; the LLM's draft then takes its place, ready to post."""
    fake_openai.answer(DRAFT)
    slack = await serve(fake_openai.base_url)

    answer = await slack.command("/prfaq", IDEA)
    [replaced] = await fake_slack.wait_for("/respond/command")

    assert answer.json["blocks"][0]["text"].startswith(f"# PR/FAQ draft: {IDEA}\n\n_Work backwards")
    assert replaced.params["replace_original"] is True
    text = replaced.params["blocks"][0]["text"]
    assert text.startswith(f"# PR/FAQ draft: {IDEA}\n\n_**Draft to edit**")
    assert "**Dinner sorted in five minutes for busy parents**" in text
    [button] = replaced.params["blocks"][1]["elements"]
    assert button["value"] == IDEA


async def test_posting_a_drafted_prfaq_posts_the_draft_without_asking_again(serve, fake_slack, fake_openai):
    """"Post to channel" shares the draft that was shown, from the cache."""
    fake_openai.answer(DRAFT)
    slack = await serve(fake_openai.base_url)
    await slack.command("/prfaq", IDEA)
    await fake_slack.wait_for("/respond/command")

    await slack.press("post_prfaq", IDEA, message_ts="1763460000.000999")
    shared, _ = await fake_slack.wait_for("/respond/action", count=2)

    assert "_**Draft to edit**" in shared.params["blocks"][0]["text"]
    assert len(fake_openai.requests) == 1
