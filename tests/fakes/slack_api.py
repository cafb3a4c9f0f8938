"""A small Slack Web API on 127.0.0.1: records every call and answers in Slack's formats.

Point `AsyncWebClient(base_url=fake.base_url)` (or `SLACK_API_URL`) at it. It can hold its answers
until told to go on (to show who answers first), answer a method with an error such as a 429 with
Retry-After, or stop listening altogether. Paths outside /api/ stand in for response_urls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import web
from fakes import local_server

TEAM = "T_ONE"
BOT_USER = "U_BOT"
BOT_ID = "B_BOT"


CLOSE = {"close": "the connection drops"}  # put in `envelopes`: the socket is closed from our side


@dataclass
class Call:
    method: str  # "chat.postMessage", or the path of a response_url ("/respond/cmd")
    params: dict
    token: str | None  # the bearer token the call carried
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    answer: dict | None = None  # what the fake answered


def installed_team(token: str | None) -> str | None:
    """The workspace of a bot token handed out by this fake's oauth.v2.access ("xoxb-T_TWO-installed")."""
    if token and token.startswith("xoxb-") and token.endswith("-installed"):
        return token.removeprefix("xoxb-").removesuffix("-installed")
    return None


def _decode(params: dict) -> dict:
    # Form-encoded calls carry blocks and views as JSON strings.
    for key in ("blocks", "view", "attachments", "metadata"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except json.JSONDecodeError:
                pass
    return params


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._errors: dict[str, list[tuple[int, dict, dict]]] = {}
        self._gate = asyncio.Event()
        self._gate.set()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        # Socket Mode: envelopes to send over the WebSocket, and what the app sent back.
        self.envelopes: asyncio.Queue[dict] = asyncio.Queue()
        self.socket_replies: list[dict] = []
        # files_upload_v2: the bytes posted to each upload URL, by file id.
        self.uploads: dict[str, bytes] = {}
        self._files = itertools.count(1)
        # Messages posted (chat.postMessage answered ok), by (channel, thread_ts): conversations.replies reads them.
        self.threads: dict[tuple[str, str], list[dict]] = {}
        self._lost: dict[str, list[str]] = {}
        self._storms: dict[str, tuple[float, int]] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_get("/socket", self._socket)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner, self.port = await local_server.start(app)
        return self

    async def stop(self) -> None:
        """Stop listening: from now on every call is refused at the connection."""
        self._gate.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"  # the trailing slash matters to slack_sdk

    def response_url(self, name: str = "cmd") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # -- scripting ---------------------------------------------------------------------------

    def hold(self) -> None:
        """Record calls as they arrive but answer none until `release()`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def fail(self, method: str, status: int = 429, retry_after: int | None = 1, error: str = "ratelimited") -> None:
        """Answer the next call of `method` with an HTTP error (a 429 with Retry-After by default)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._errors.setdefault(method, []).append((status, headers, {"ok": False, "error": error}))

    def lose_answer(self, method: str, how: str = "500") -> None:
        """Carry out the next call of `method` (a post is posted) but lose its answer: an HTTP 500 ("500"),
        or the connection closed without one ("drop")."""
        self._lost.setdefault(method, []).append(how)

    def storm(self, method: str, seconds: float, retry_after: int = 1) -> None:
        """Answer every call of `method` with a 429 (Retry-After: `retry_after`) for the next `seconds`."""
        self._storms[method] = (asyncio.get_running_loop().time() + seconds, retry_after)

    def posts_per_thread(self) -> dict[tuple[str, str], int]:
        """How many messages were posted in each thread: (channel, thread_ts) → count."""
        return {key: len(messages) for key, messages in self.threads.items()}

    # -- reading -----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of `method` once there are `count` of them (fails after `timeout` seconds)."""
        async def arrived() -> list[Call]:
            while len(self.calls_to(method)) < count:
                await asyncio.sleep(0.01)
            return self.calls_to(method)

        return await asyncio.wait_for(arrived(), timeout)

    # -- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})

        async def send() -> None:
            while True:
                envelope = await self.envelopes.get()
                if envelope == CLOSE:  # the connection drops, as Slack's do now and then
                    await ws.close()
                    return
                await ws.send_json(envelope)

        sender = asyncio.ensure_future(send())
        try:
            async for frame in ws:
                if frame.type == web.WSMsgType.TEXT:
                    self.socket_replies.append(json.loads(frame.data))
        finally:
            sender.cancel()
        return ws

    # -- the API -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        method = path.removeprefix("/api/") if path.startswith("/api/") else path
        params: dict = dict(parse_qsl(request.query_string))
        if path.startswith("/upload/"):  # files_upload_v2's second step: the file's bytes, no token
            self.uploads[path.removeprefix("/upload/")] = await request.read()
            self.calls.append(Call("upload", {"file_id": path.removeprefix("/upload/")}, None))
            return web.Response(text=f"OK - {len(self.uploads[path.removeprefix('/upload/')])}")
        raw = await request.text()
        if raw:
            if request.content_type == "application/json":
                params.update(json.loads(raw))
            else:
                params.update(parse_qsl(raw, keep_blank_values=True))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        call = Call(method, _decode(params), token)
        self.calls.append(call)
        await self._gate.wait()
        try:
            if method in self._errors and self._errors[method]:
                status, headers, body = self._errors[method].pop(0)
                return web.json_response(body, status=status, headers=headers)
            stormy = self._storms.get(method)
            if stormy and asyncio.get_running_loop().time() < stormy[0]:
                call.answer = {"ok": False, "error": "ratelimited"}
                return web.json_response(call.answer, status=429, headers={"Retry-After": str(stormy[1])})
            if not path.startswith("/api/"):
                return web.Response(text="ok")
            call.answer = self._answer(method, call.params, token)
            if self._lost.get(method):
                if self._lost[method].pop(0) == "drop":
                    request.transport.close()  # the answer never comes: the connection is gone
                    return web.Response(status=500)
                return web.json_response({"ok": False, "error": "internal_error"}, status=500)
            return web.json_response(call.answer)
        finally:
            call.answered.set()

    def _answer(self, method: str, p: dict, token: str | None = None) -> dict:
        channel = p.get("channel")
        if method == "auth.test":
            team = installed_team(token)
            if team:  # a token this fake handed out in oauth.v2.access
                return {"ok": True, "url": f"https://{team.lower()}.slack.com/", "team": f"Team {team}",
                        "user": "nudgebot", "team_id": team, "user_id": f"{BOT_USER}_{team}",
                        "bot_id": f"{BOT_ID}_{team}", "is_enterprise_install": False}
            return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "nudgebot",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "oauth.v2.access":
            # The code names the workspace being installed: "code-T_TWO" installs T_TWO.
            code = str(p.get("code", ""))
            if not code.startswith("code-"):
                return {"ok": False, "error": "invalid_code"}
            team = code.removeprefix("code-")
            return {"ok": True, "app_id": "A_APP", "authed_user": {"id": "U_INSTALLER"}, "token_type": "bot",
                    "scope": p.get("scope", "chat:write"), "access_token": f"xoxb-{team}-installed",
                    "bot_user_id": f"{BOT_USER}_{team}", "team": {"id": team, "name": f"Team {team}"},
                    "enterprise": None, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            if str(channel).startswith("U"):  # a person's id: Slack answers with their DM's id
                channel = f"D{channel}"
            posted = {"type": "message", "text": p.get("text", ""), "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                      "thread_ts": p.get("thread_ts") or ts,
                      **({"metadata": p["metadata"]} if isinstance(p.get("metadata"), dict) else {})}
            self.threads.setdefault((str(channel), str(p.get("thread_ts") or ts)), []).append(posted)
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"type": "message", "text": p.get("text", ""), "user": BOT_USER, "bot_id": BOT_ID,
                                "ts": ts, "blocks": p.get("blocks", [])}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": p.get("ts"), "text": p.get("text", "")}
        if method == "chat.getPermalink":
            ts = str(p.get("message_ts", ""))
            return {"ok": True, "channel": channel,
                    "permalink": f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"}
        if method in ("views.open", "views.publish", "views.update"):
            view = p.get("view") or {}
            return {"ok": True, "view": {"id": "V_1", "hash": "h1", **view}}
        if method == "conversations.info":
            private = str(channel).startswith("G")
            return {"ok": True, "channel": {"id": channel, "name": "general", "is_channel": not private,
                                            "is_private": private, "is_im": False}}
        if method == "users.info":
            user = p.get("user")
            return {"ok": True, "user": {"id": user, "name": str(user).lower(), "real_name": f"Person {user}"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "conversations.replies":
            found = self.threads.get((str(channel), str(p.get("ts"))), [])
            if str(p.get("include_all_metadata")).lower() not in ("true", "1"):
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "reactions.add":
            return {"ok": True}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files):06d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(p.get("files") or "[]")
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title"), "name": f.get("title"),
                                           "size": len(self.uploads.get(f["id"], b""))} for f in files]}
        return {"ok": False, "error": "unknown_method"}
