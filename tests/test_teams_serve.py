"""`nudgebot serve` with only Teams configured, as an admin (or a developer with the Emulator) runs it."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import aiohttp
import teams_harness
from teams_harness import APP_ID, TeamsSender
from test_slack_serve import environment

connector = teams_harness.connector  # the fake Bot Framework connector


async def start(tmp_path, **env: str):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0",
        cwd=tmp_path, env=environment(tmp_path, **env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    return process, line


async def stop(process) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), 30)
    return code, (await process.stderr.read()).decode()


async def test_serve_in_dev_mode_answers_teams_and_says_auth_is_off(tmp_path, connector):
    """With NUDGEBOT_TEAMS_DEV=1 alone, `serve` mounts /api/messages, warns at start-up, and asks its question."""
    process, line = await start(tmp_path, NUDGEBOT_TEAMS_DEV="1")
    try:
        assert "POST /api/messages" in line and "/slack/events" not in line, line
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        sender = TeamsSender(f"{url}/api/messages", connector, app=None)
        await sender.say("We decided to move the launch to next Friday.")
        assert len(connector.messages()) == 1
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/healthz") as response:
                assert await response.json() == {"ok": True, "platforms": ["teams"]}
    finally:
        code, stderr = await stop(process)
    assert code == 0
    assert "Bot Framework authentication is OFF" in stderr


async def test_serve_with_an_azure_bot_refuses_unauthenticated_requests(tmp_path, connector):
    """With MicrosoftAppId and MicrosoftAppPassword, `serve` runs Teams alone and refuses a request without a token."""
    process, line = await start(tmp_path, MicrosoftAppId=APP_ID, MicrosoftAppPassword="client-secret-not-logged")
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        answer = await TeamsSender(f"{url}/api/messages", connector, app=None).post(
            teams_harness.activity("We decided to drop IE11.", service_url=connector.url))
        assert answer.status == 401
    finally:
        code, stderr = await stop(process)
    assert code == 0
    assert connector.sent == []
    assert "client-secret-not-logged" not in stderr and "authentication is OFF" not in stderr


async def test_serve_with_an_incomplete_azure_bot_says_what_is_missing(tmp_path):
    """A single-tenant app id without its tenant stops `serve` with exit 2, naming the variable."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", cwd=tmp_path,
        env=environment(tmp_path, MicrosoftAppId=APP_ID, MicrosoftAppPassword="s", MicrosoftAppType="SingleTenant"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId" in err.decode()
