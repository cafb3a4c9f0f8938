"""Signed Slack requests over real HTTP, shaped like the ones Slack sends."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from fakes.slack_api import FakeSlack
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token-do-not-log"
TEAM = "T_ONE"
APP = "A_APP"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    content_type: str

    @property
    def json(self) -> dict:
        return json.loads(self.text)


def message_event(
    text: str,
    *,
    user: str = "U_ANN",
    channel: str = "C_GENERAL",
    channel_type: str = "channel",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra,
) -> dict:
    """A `message` event as Slack sends it; each call gets a new ts unless told."""
    event = {"type": "message", "user": user, "text": text, "channel": channel, "channel_type": channel_type,
             "ts": ts or f"1763460000.{next(_ids):06d}", "team": TEAM, "event_ts": ts, **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    event["event_ts"] = event["ts"]
    return event


class SlackSender:
    """Sends Slack's requests to our server's /slack/events, signed with the signing secret."""

    def __init__(self, url: str, fake: FakeSlack, secret: str = SECRET):
        self.url = url
        self.fake = fake
        self.secret = secret
        self.verifier = SignatureVerifier(secret)
        self.last: tuple[bytes, dict] | None = None

    def headers(self, body: str | bytes, content_type: str, timestamp: int | None = None) -> dict:
        """Slack's headers for `body`: its timestamp, and its signature over the raw bytes."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        if isinstance(body, str):  # as slack_sdk signs (our server checks the same bytes its own way)
            signature = self.verifier.generate_signature(timestamp=ts, body=body)
        else:  # bytes that are not UTF-8, which slack_sdk cannot sign: the same HMAC over the raw bytes
            signature = "v0=" + hmac.new(self.secret.encode(), b"v0:" + ts.encode() + b":" + body,
                                         hashlib.sha256).hexdigest()
        return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    async def post(self, body: str | bytes, content_type: str, headers: dict | None = None,
                   timestamp: int | None = None) -> Answer:
        sent = {**self.headers(body, content_type, timestamp), **(headers or {})}
        self.last = (body.encode() if isinstance(body, str) else body, sent)
        return await self.again()

    async def again(self) -> Answer:
        """The last request sent once more, byte for byte and with the same signature (a replay)."""
        body, sent = self.last
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, data=body, headers=sent) as response:
                return Answer(response.status, await response.text(), response.content_type)

    async def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None,
                    team: str = TEAM, **post) -> Answer:
        body = json.dumps({
            "token": "unused", "team_id": team, "api_app_id": APP, "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": "U_BOT", "is_bot": True}],
        })
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(body, "application/json", headers=headers, **post)

    async def command(self, command: str, text: str = "", *, user: str = "U_ANN", channel: str = "C_GENERAL",
                      channel_name: str = "general", team: str = TEAM) -> Answer:
        body = urlencode({
            "token": "unused", "team_id": team, "team_domain": "acme", "channel_id": channel,
            "channel_name": channel_name, "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": APP, "response_url": self.fake.response_url("command"),
            "trigger_id": f"trigger.{next(_ids)}",
        })
        return await self.post(body, "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict) -> Answer:
        payload = {"token": "unused", "api_app_id": APP, "is_enterprise_install": False, **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def press(self, action_id: str, value: str, *, message_ts: str, channel: str = "C_GENERAL",
                    user: str = "U_ANN", ephemeral: bool = False, team: str = TEAM) -> Answer:
        """A click on a button of a message the bot posted."""
        return await self.interaction({
            "type": "block_actions",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                          "is_ephemeral": ephemeral},
            "channel": {"id": channel, "name": "general"},
            "message": {"type": "message", "ts": message_ts, "bot_id": "B_BOT", "text": "…"},
            "trigger_id": f"trigger.{next(_ids)}",
            "response_url": self.fake.response_url("action"),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "text": {"type": "plain_text", "text": action_id}, "action_ts": str(time.time())}],
        })

    async def submit(self, view: dict, values: dict[str, str], *, user: str = "U_ANN", team: str = TEAM) -> Answer:
        """Submit a modal the bot opened, with text typed into its inputs (block id → text)."""
        state = {block: {"value": {"type": "plain_text_input", "value": text}} for block, text in values.items()}
        return await self.interaction({
            "type": "view_submission",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": team},
            "trigger_id": f"trigger.{next(_ids)}",
            "view": {**view, "id": "V_1", "team_id": team, "hash": "h1", "state": {"values": state}},
            "response_urls": [],
        })
