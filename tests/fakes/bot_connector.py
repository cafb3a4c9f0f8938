"""A small Bot Framework connector on 127.0.0.1: records what the bot sends and answers as the connector does.

An activity's `serviceUrl` names the connector the bot replies to, so activities sent to the bot in tests
carry `fake.url`. Recorded: new conversations (POST /v3/conversations), messages (POST
/v3/conversations/{id}/activities, or …/activities/{replyToId} for a reply) and updates (PUT
…/activities/{id}), each with its Authorization header.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web
from fakes import local_server


@dataclass
class Sent:
    method: str  # POST | PUT
    conversation: str | None  # None for a new conversation
    activity_id: str | None  # the activity replied to (POST) or updated (PUT)
    body: dict
    authorization: str | None

    @property
    def cards(self) -> list[dict]:
        """The Adaptive Cards the activity carries."""
        return [a["content"] for a in self.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def card_text(self) -> str:
        """Every text shown on its cards, in order, one per line (nested cards and text runs included)."""
        lines: list[str] = []

        def walk(node) -> None:
            if isinstance(node, dict):
                if node.get("type") in ("TextBlock", "TextRun"):
                    lines.append(node["text"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.cards)
        return "\n".join(lines)


class FakeConnector:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.refuse: list[int] = []  # HTTP statuses to answer the next messages with, in order

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._send)
        self._runner, self.port = await local_server.start(app)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def messages(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and s.conversation is not None]

    def updates(self) -> list[Sent]:
        return [s for s in self.sent if s.method == "PUT"]

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append(Sent("POST", None, None, body, request.headers.get("Authorization")))
        n = next(self._ids)
        return web.json_response({"id": f"a:new-chat-{n}", "activityId": f"new-{n}"}, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        info = request.match_info
        activity = unquote(info["activity"]) if "activity" in info else None
        self.sent.append(Sent(request.method, unquote(info["conversation"]), activity, body,
                              request.headers.get("Authorization")))
        if self.refuse:
            return web.json_response({"error": {"code": "Refused", "message": "refused"}}, status=self.refuse.pop(0))
        if request.method == "PUT":
            return web.json_response({"id": activity})
        return web.json_response({"id": f"reply-{next(self._ids)}"}, status=201)
