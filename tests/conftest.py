"""Shared fixtures: a real SQLite file in a temp dir, the bundled principles, a settable clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import Clock

from bot.config import BUNDLED_PRINCIPLES, PROMPTS_DIR
from bot.engine import Engine
from bot.policy import Politeness
from bot.principles import load_principles
from bot.prompts import Prompts
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Variables the bot (or Bolt, or openai) would read from a developer's environment.
_OUR_VARIABLES = (
    "NUDGEBOT_",
    "SLACK_",
    "MicrosoftApp",
    "MICROSOFT_APP",
    "OPENAI_",
    "PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Each test starts in an empty directory with none of our variables set."""
    for name in list(os.environ):
        if name.startswith(_OUR_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clock() -> Clock:
    # A Wednesday, mid-morning UTC.
    return Clock(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def principles():
    return load_principles(BUNDLED_PRINCIPLES)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "log.db")
    yield s
    s.close()


@pytest.fixture
def rules() -> Politeness:
    return Politeness(zone=ZoneInfo("UTC"), cooldown=timedelta(minutes=10), daily_cap=10, quiet=None)


@pytest.fixture
def engine(store, principles, rules, clock) -> Engine:
    return Engine(store, principles, Prompts(PROMPTS_DIR), rules, retention_days=365, clock=clock)


@pytest.fixture
async def fake_slack():
    """A fake Slack Web API on 127.0.0.1, recording every call."""
    from fakes.slack_api import FakeSlack

    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def slack(fake_slack, engine):
    """`create_app()` served on 127.0.0.1 with a single-workspace Slack app, its Web API the fake."""
    from aiohttp import web
    from slack_harness import SECRET, TOKEN, SlackSender

    from bot.config import load_settings
    from bot.server import create_app

    settings = load_settings(
        env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=fake_slack.base_url
    )
    app = create_app(settings, engine)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", fake_slack)
    sender.server = app
    yield sender
    await runner.cleanup()
