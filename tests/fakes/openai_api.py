"""A small OpenAI-compatible chat-completions server on 127.0.0.1: records every request and answers
from a queue — a JSON verdict, garbage, an HTTP error, or an answer held back until released.

Point the real openai client at `fake.base_url` (OPENAI_BASE_URL). In async tests start it on the
test's loop (`await FakeOpenAI().start()`); for a subprocess, `with FakeOpenAI().in_thread():` runs it
on a loop of its own. An empty queue answers HTTP 500, so an unexpected call shows as a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass

from aiohttp import web
from fakes import local_server


@dataclass
class Received:
    path: str
    body: dict
    headers: dict

    @property
    def system(self) -> str:
        return self.body["messages"][0]["content"]

    @property
    def user(self) -> str:
        return self.body["messages"][-1]["content"]


@dataclass
class _Reply:
    status: int = 200
    content: str | None = None
    gate: asyncio.Event | None = None  # held until set
    body: str | None = None  # a raw body instead of a chat completion (a proxy's error page)


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (taken from the system, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: list[_Reply] = []
        self._lock = threading.Lock()
        self._gates: list[asyncio.Event] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner, self.port = await local_server.start(app)
        return self

    async def stop(self) -> None:
        for gate in self._gates:  # held answers go out (to nobody) so the server can close
            gate.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def in_thread(self):
        """Serve from a thread with its own event loop while the block runs (for subprocess tests)."""
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake OpenAI server did not start")
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting ---------------------------------------------------------------------------

    def answer(self, content: dict | str) -> None:
        """Queue a 200 answer whose message content is `content` (a dict is sent as its JSON)."""
        text = json.dumps(content) if isinstance(content, dict) else content
        with self._lock:
            self._replies.append(_Reply(content=text))

    def page(self, body: str) -> None:
        """Queue a 200 whose body is not a chat completion at all (a proxy's HTML page)."""
        with self._lock:
            self._replies.append(_Reply(body=body))

    def fail(self, status: int = 500) -> None:
        """Queue an HTTP error with OpenAI's error body."""
        with self._lock:
            self._replies.append(_Reply(status=status))

    def hold(self, content: dict | str) -> asyncio.Event:
        """Queue an answer that waits until the returned event is set (a slow model)."""
        gate = asyncio.Event()
        self._gates.append(gate)
        text = json.dumps(content) if isinstance(content, dict) else content
        with self._lock:
            self._replies.append(_Reply(content=text, gate=gate))
        return gate

    # -- reading -----------------------------------------------------------------------------

    async def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Received]:
        async def arrived() -> list[Received]:
            while len(self.requests) < count:
                await asyncio.sleep(0.01)
            return self.requests

        return await asyncio.wait_for(arrived(), timeout)

    # -- the API -----------------------------------------------------------------------------

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(Received(request.path, body, {k.lower(): v for k, v in request.headers.items()}))
        with self._lock:
            reply = self._replies.pop(0) if self._replies else _Reply(status=500)
        if reply.gate is not None:
            await reply.gate.wait()
        if reply.body is not None:
            return web.Response(text=reply.body, content_type="text/html")
        if reply.status != 200:
            error = {"message": "fake failure", "type": "server_error", "param": None, "code": None}
            return web.json_response({"error": error}, status=reply.status, headers={"retry-after-ms": "10"})
        return web.json_response({
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply.content, "refusal": None}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        })
