"""Activities shaped like the ones Teams sends, posted over real HTTP to our server's /api/messages.

Test modules take its fixtures by name (`connector, teams = teams_harness.connector, teams_harness.teams`):
`connector` is the fake Bot Framework connector, `teams` create_app() served on 127.0.0.1 with Teams in
dev mode, so no token is needed either way.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from fakes import local_server
from fakes.bot_connector import FakeConnector

TENANT = "tenant-one"
BOT = {"id": "28:nudgebot-app-id", "name": "Nudgebot"}
ANN = {"id": "29:ann", "name": "Ann Lee", "aadObjectId": "00000000-0000-0000-0000-0000000000a1"}
BEN = {"id": "29:ben", "name": "Ben Ito", "aadObjectId": "00000000-0000-0000-0000-0000000000b2"}
TEAM = "19:team-one@thread.tacv2"
CHANNEL = "19:general@thread.tacv2"
GROUP_CHAT = "19:group-chat@thread.v2"
PERSONAL = "a:ann-personal-chat"
APP_ID = "3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
MENTION = f"<at>{BOT['name']}</at>"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    @property
    def json(self) -> dict:
        return json.loads(self.text)


def activity(
    text: str | None,
    *,
    kind: str = "channel",
    user: dict = ANN,
    id: str | None = None,
    root: str | None = None,
    mention: bool = False,
    tenant: str = TENANT,
    conversation: str | None = None,
    type: str = "message",
    event_type: str | None = None,
    service_url: str = "",
    **extra,
) -> dict:
    """One activity. A channel message starts its own reply chain unless `root` names the chain's first
    message; `mention` puts `<at>Nudgebot</at>` in front of the text, with its mention entity."""
    id = id or f"17634600000{next(_ids):02d}"
    conversation = conversation or {"channel": CHANNEL, "groupChat": GROUP_CHAT, "personal": PERSONAL}[kind]
    if kind == "channel":
        conversation = f"{conversation};messageid={root or id}"
    body = {
        "type": type, "id": id, "timestamp": "2026-11-18T10:00:00.000Z", "channelId": "msteams",
        "serviceUrl": service_url, "from": user, "recipient": BOT, "locale": "en-US",
        "conversation": {"id": conversation, "conversationType": kind, "tenantId": tenant,
                         **({"isGroup": True} if kind != "personal" else {})},
        "channelData": {"tenant": {"id": tenant}},
        **extra,
    }
    if text is not None:
        body["text"] = f"{MENTION} {text}" if mention else text
        body["textFormat"] = "plain"
    if mention:
        body["entities"] = [{"type": "mention", "text": MENTION, "mentioned": BOT}]
    if kind == "channel":
        body["channelData"].update(team={"id": TEAM}, channel={"id": CHANNEL, "name": "General"})
    if event_type:
        body["channelData"]["eventType"] = event_type
    return body


def card_action(verb: str, decision_id: int, nudge: dict, **inputs: str) -> dict:
    """A press on one of the nudge card's buttons (Action.Execute), with what was typed into its form.
    `nudge` is the channel message the card replied to; the invoke comes from that reply chain."""
    conversation = nudge["conversation"]
    return {
        "type": "invoke", "name": "adaptiveCard/action", "id": f"f:{next(_ids)}", "channelId": "msteams",
        "timestamp": "2026-11-18T10:05:00.000Z", "serviceUrl": nudge["serviceUrl"], "from": inputs.pop("user", ANN),
        "recipient": BOT, "conversation": conversation, "replyToId": inputs.pop("card_id", "reply-1"),
        "channelData": nudge["channelData"],
        "value": {"action": {"type": "Action.Execute", "verb": verb, "title": verb,
                             "data": {"decision_id": decision_id, **inputs}}, "trigger": "manual"},
    }


class TeamsSender:
    """Posts activities to our server's /api/messages, with `serviceUrl` set to the fake connector."""

    def __init__(self, url: str, connector: FakeConnector, app: web.Application):
        self.url = url
        self.connector = connector
        self.app = app

    def __call__(self, text: str | None, **kwargs) -> dict:
        """An activity from the fake connector's Teams (see `activity()`)."""
        return activity(text, service_url=self.connector.url, **kwargs)

    async def post(self, body: dict, headers: dict | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, data=json.dumps(body), headers=sent) as response:
                return Answer(response.status, await response.text())

    async def say(self, text: str | None, **kwargs) -> dict:
        """Send a message (or other activity) and return it, after checking Teams got its 201."""
        body = self(text, **kwargs)
        answer = await self.post(body)
        assert answer.status in (200, 201), answer
        return body


@contextlib.asynccontextmanager
async def served(settings, engine, connector: FakeConnector):
    """`create_app(settings, engine)` on 127.0.0.1 at a port the system picks, stopped afterwards."""
    from bot.server import create_app

    app = create_app(settings, engine)
    async with local_server.serving(app) as url:
        yield TeamsSender(f"{url}/api/messages", connector, app)


@pytest.fixture
async def connector():
    """A fake Bot Framework connector on 127.0.0.1, recording what the bot sends."""
    fake = await FakeConnector().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def teams(engine, connector):
    """The real server with Teams mounted in dev mode (authentication off), replying to the fake connector."""
    from bot.config import load_settings

    async with served(load_settings(env_file=None, teams_dev=True), engine, connector) as sender:
        yield sender
