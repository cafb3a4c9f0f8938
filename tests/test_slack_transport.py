"""Slack over HTTP: signatures, health, rate limits and a Web API that is down."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime

import aiohttp
import pytest
from slack_harness import TOKEN, message_event

UNCLEAR = "We decided to move the launch to next Friday."


async def test_health_check_answers(slack):
    """GET /healthz says the server is up and which platforms it serves."""
    async with aiohttp.ClientSession() as session:
        async with session.get(slack.url.replace("/slack/events", "/healthz")) as response:
            assert (response.status, await response.json()) == (200, {"ok": True, "platforms": ["slack"]})


async def test_url_verification_challenge_is_echoed(slack):
    """Slack's URL check when the events URL is saved gets its challenge back."""
    body = json.dumps({"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    answer = await slack.post(body, "application/json")
    assert (answer.status, answer.json) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})


async def test_bad_signature_is_refused_and_nothing_logged(slack, fake_slack, store):
    """A request not signed with the signing secret gets 401; nothing is logged or posted."""
    body = json.dumps({"type": "event_callback", "team_id": "T_ONE", "event_id": "EvBAD",
                       "event": message_event(UNCLEAR)})
    forged = {"X-Slack-Signature": "v0=" + "0" * 64}
    answer = await slack.post(body, "application/json", headers=forged)
    assert answer.status == 401
    assert store.decisions(include_inactive=True) == []
    assert fake_slack.methods() == ["auth.test"]


async def test_stale_timestamp_is_refused_and_nothing_logged(slack, fake_slack, store):
    """A correctly signed request that is ten minutes old (a replay) gets 401; nothing is logged."""
    answer = await slack.event(message_event(UNCLEAR), timestamp=int(time.time()) - 600)
    assert answer.status == 401
    assert store.decisions(include_inactive=True) == []
    assert fake_slack.methods() == ["auth.test"]


async def test_rate_limited_post_is_retried_after_retry_after(slack, fake_slack):
    """A 429 from chat.postMessage is retried after Retry-After, and the question arrives."""
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    await slack.event(message_event(UNCLEAR))
    posts = await fake_slack.wait_for("chat.postMessage", count=2)
    assert posts[0].params == posts[1].params
    await asyncio.wait_for(posts[1].answered.wait(), 5)


async def test_web_api_down_still_acks_and_logs_without_the_token(slack, fake_slack, store, caplog):
    """With the Web API unreachable the event is acked and logged, and its question waits in the outbox to
    be tried again; the failure is logged, the token never."""
    caplog.set_level(logging.DEBUG)
    await fake_slack.stop()
    answer = await slack.event(message_event(UNCLEAR))
    assert answer.status == 200

    async def failure_logged():
        while not any("(nudge) not delivered (cannot connect" in r.getMessage() for r in caplog.records):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(failure_logged(), 5)
    assert [r["text"] for r in store.decisions()] == [UNCLEAR]
    assert [(m.kind, m.state) for m in store.outbox_due("slack", datetime.max.replace(tzinfo=UTC))] == [
        ("nudge", "pending")]
    assert TOKEN not in caplog.text
    assert all(TOKEN not in str(r.args) for r in caplog.records)


def envelope(event: dict, envelope_id: str, event_id: str) -> dict:
    """An event as Slack sends it over Socket Mode."""
    return {
        "envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": False,
        "retry_attempt": 0, "retry_reason": "",
        "payload": {"type": "event_callback", "team_id": "T_ONE", "api_app_id": "A_APP",
                    "event_id": event_id, "event_time": int(time.time()), "event": event},
    }


async def test_socket_mode_receives_events_and_acks_them(fake_slack, engine, store):
    """Over Socket Mode an event is acknowledged on the socket and answered in its thread, no HTTP needed."""
    from aiohttp import web

    from bot.config import load_settings
    from bot.server import create_app

    settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_app_token="xapp-test-app-token",
                             slack_api_url=fake_slack.base_url)
    runner = web.AppRunner(create_app(settings, engine, slack_socket_mode=True))
    await runner.setup()
    try:
        event = message_event(UNCLEAR)
        await fake_slack.envelopes.put(envelope(event, "env-1", "EvSOCKET"))
        [post] = await fake_slack.wait_for("chat.postMessage")
        assert post.params["thread_ts"] == event["ts"]
        assert {"envelope_id": "env-1"} in fake_slack.socket_replies
        [connect] = fake_slack.calls_to("apps.connections.open")
        assert connect.token == "xapp-test-app-token"
        assert [r["ts"] for r in store.decisions()] == [event["ts"]]
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("drop", ["refresh", "close"])
async def test_socket_mode_reconnects_quietly_and_goes_on(fake_slack, engine, store, caplog, drop):
    """Slack asks for a new connection now and then, and connections drop: the bot connects again,
    logs no warning or traceback, and the next event is answered."""
    from aiohttp import web
    from fakes.slack_api import CLOSE

    from bot.config import load_settings
    from bot.server import create_app

    caplog.set_level(logging.INFO)
    settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_app_token="xapp-test-app-token",
                             slack_api_url=fake_slack.base_url)
    runner = web.AppRunner(create_app(settings, engine, slack_socket_mode=True))
    await runner.setup()
    try:
        await fake_slack.envelopes.put(
            CLOSE if drop == "close" else {"type": "disconnect", "reason": "refresh_requested"})
        await fake_slack.wait_for("apps.connections.open", count=2, timeout=20)
        event = message_event(UNCLEAR)
        await fake_slack.envelopes.put(envelope(event, "env-2", "EvAFTER"))
        [post] = await fake_slack.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == event["ts"]
    finally:
        await runner.cleanup()
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == [], [r.getMessage() for r in noisy]


async def test_a_failed_reconnect_is_one_warning_line_not_a_traceback(fake_slack, engine, store, caplog):
    """A connection drops and Slack cannot hand out a new one at once (apps.connections.open fails): the
    SDK tries again by itself, and the log gets one warning line for the failed try, no traceback; the
    next event is answered."""
    from aiohttp import web
    from fakes.slack_api import CLOSE

    from bot.config import load_settings
    from bot.server import create_app

    caplog.set_level(logging.INFO)
    settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_app_token="xapp-test-app-token",
                             slack_api_url=fake_slack.base_url)
    runner = web.AppRunner(create_app(settings, engine, slack_socket_mode=True))
    await runner.setup()
    try:
        await fake_slack.wait_for("apps.connections.open")
        fake_slack.fail("apps.connections.open", status=500, retry_after=None, error="internal_error")
        await fake_slack.envelopes.put(CLOSE)
        await fake_slack.wait_for("apps.connections.open", count=3, timeout=40)
        event = message_event(UNCLEAR)
        await fake_slack.envelopes.put(envelope(event, "env-3", "EvRECONNECTED"))
        [post] = await fake_slack.wait_for("chat.postMessage", timeout=20)
        assert post.params["thread_ts"] == event["ts"]
    finally:
        await runner.cleanup()
    assert [r for r in caplog.records if r.exc_info] == []
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "Slack Socket Mode: Failed to retrieve WSS URL (HTTP 500, internal_error); trying again" in failed
    assert all(m.startswith("Slack Socket Mode: ") and m.endswith("; trying again") and "\n" not in m
               for m in failed), failed

