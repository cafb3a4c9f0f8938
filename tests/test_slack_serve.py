"""`nudgebot serve` as an admin runs it: a process configured by environment variables."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import pytest
from slack_harness import SECRET, TOKEN, SlackSender, message_event

THEIR_VARIABLES = ("NUDGEBOT_", "SLACK_", "OPENAI_", "MicrosoftApp", "MICROSOFT_APP", "PORT")


def environment(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
    return {**env, "NUDGEBOT_DB": str(tmp_path / "nudgebot.db"), **extra}


async def start_serve(tmp_path, fake_slack, stderr=asyncio.subprocess.PIPE):
    """`nudgebot serve --port 0` started with a Slack app whose Web API is the fake: the process, the line
    it announced itself with, and its base URL."""
    env = environment(tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                      SLACK_API_URL=fake_slack.base_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=stderr,
    )
    line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    port = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    assert port, line + ((await process.stderr.read()).decode() if process.stderr else "")
    return process, line, f"http://127.0.0.1:{port.group(1)}"


@pytest.fixture
async def serve(tmp_path, fake_slack):
    """`nudgebot serve --port 0` with a Slack app whose Web API is the fake; stopped with SIGTERM."""
    process, line, url = await start_serve(tmp_path, fake_slack)
    yield process, line, url
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def test_serve_answers_slack_events_and_stops_cleanly(serve, fake_slack, tmp_path):
    """The served app asks its question in Slack, and SIGTERM stops it with exit code 0."""
    process, line, url = serve
    assert "POST /slack/events" in line and "GET /healthz" in line
    answer = await SlackSender(f"{url}/slack/events", fake_slack).event(
        message_event("We decided to move the launch to next Friday."))
    assert answer.status == 200
    [post] = await fake_slack.wait_for("chat.postMessage", timeout=20)
    assert post.token == TOKEN
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    stderr = (await process.stderr.read()).decode()
    assert TOKEN not in stderr and SECRET not in stderr
    # the token reaches Bolt per request, on purpose: no start-up warning says it "will be unused"
    assert "unused" not in stderr and "WARNING" not in stderr, stderr


async def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path, fake_slack):
    """A port another program holds: exit 2 and one line naming the port and what to do, no traceback."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = environment(tmp_path, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET,
                          SLACK_API_URL=fake_slack.base_url)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 30)
    lines = [line for line in err.decode().splitlines() if not line.startswith("INFO ")]
    assert process.returncode == 2
    assert lines == [f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; stop what holds the "
                     "port or choose another with --port (or PORT)"], err.decode()


async def test_serve_without_slack_credentials_says_what_to_set(tmp_path):
    """Without credentials `serve` exits 2 naming the variables to set."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=environment(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN" in err.decode()
    assert "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET" in err.decode()


async def test_serve_with_an_oauth_app_offers_the_install_pages(tmp_path):
    """With a client id and secret, `serve` lists /slack/install and /slack/oauth_redirect beside events."""
    env = environment(tmp_path, SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="cs-secret",
                      SLACK_SIGNING_SECRET=SECRET)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert "GET /slack/install" in line and "GET /slack/oauth_redirect" in line, line
        assert "POST /slack/events" in line
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0


async def test_serve_refuses_a_bot_token_beside_an_oauth_app(tmp_path):
    """A bot token and a client id at once is refused with exit 2, naming both variables."""
    env = environment(tmp_path, SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="cs-secret",
                      SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=TOKEN)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set" in err.decode()
    assert TOKEN not in err.decode() and "cs-secret" not in err.decode()
