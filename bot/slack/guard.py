"""Slack's HTTP requests, checked before Bolt reads them.

Bolt parses a body before it checks the signature, so a body that is not JSON (or JSON nested
thousands deep) cost a 500 and a traceback per request, signed or not. Here each request to
POST /slack/events is checked first, and Bolt gets only what it can read:

- not signed with the signing secret, or signed more than five minutes ago: 401;
- signed, but not UTF-8, not JSON, not a form, or nested deeper than bot/wire.py allows: 400;
- each refusal is one log line (why, and from where), never the body or a header's value;
- a slash command, button press or form Slack signed is handled once: the same signed request
  arriving again within the signature window gets an empty 200 and does nothing. Its signature,
  hashed, is kept in the log (processed_events, forgotten after a week like event ids), and in
  memory for the window, so a log that is busy never holds up the answer or lets a replay through.

Events are not deduplicated here: Slack's retries of an event are signed afresh, and the engine
knows an event by its `event_id`, marked done only together with what its handling wrote.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.runner import EngineThread
from bot.slack.payloads import PLATFORM
from bot.store import Store
from bot.wire import BadBody, parse_json

WINDOW = 300  # seconds: how old a signature may be, as Slack documents and Bolt checks
# How long the log may take to remember a command's signature before the command goes ahead anyway
# (the memory of this process still stops a replay); Slack wants its answer within 3 s.
CLAIM_PATIENCE = 0.25
REPLAY = "request:"  # processed_events ids of signed requests, apart from Slack's event ids (Ev…)

log = logging.getLogger("nudgebot.slack")


def readable(text: str, content_type: str) -> bool:
    """Check that Bolt can read the body, the way Bolt reads it (a JSON object, or a form whose
    `payload` is one); BadBody says why not. True for a form: a command or an interaction."""
    if not text:
        raise BadBody("the body is empty")
    if content_type == "application/json" or text.startswith("{"):
        if not isinstance(parse_json(text), dict):
            raise BadBody("the JSON is not an object")
        return False
    try:
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError:
        raise BadBody("the body is not a form") from None
    if "payload" in fields and not isinstance(parse_json(fields["payload"][-1]), dict):
        raise BadBody("the form's payload is not a JSON object")
    return True


class SlackGuard:
    """Checks each request to POST /slack/events, then hands it to Bolt. Create one per server;
    `close()` it when the server stops."""

    def __init__(self, secret: str, store: Store, clock: Callable[[], datetime],
                 now: Callable[[], float] = time.time):
        self._secret = secret.encode()
        self.store = store
        self.clock = clock  # the engine's: when a request was seen, as event ids are dated
        self.now = now  # the real time, which Slack's signatures are dated by
        self._recent: dict[str, float] = {}  # hashed signatures seen in the window, oldest first
        self._claims = EngineThread()  # its own thread: remembering never waits behind the engine's work

    async def dispatch(self, request: web.Request, bolt: AsyncApp) -> web.Response:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if not self.signed(raw, timestamp, signature):
            if text is not None and parse_qs(text).get("ssl_check") == ["1"]:
                return web.Response(status=200)  # Slack's certificate check, which Bolt answers unsigned too
            return self._refuse(request, 401, "its signature is missing, wrong or older than five minutes")
        try:
            if text is None:
                raise BadBody("the body is not UTF-8")
            form = readable(text, request.headers.get("Content-Type", "").split(";")[0])
        except BadBody as exc:
            return self._refuse(request, 400, str(exc))
        if form and not await self.first_time(signature):
            log.info("Slack: a signed request arrived again within five minutes; it was answered and ignored")
            return web.Response(status=200)
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)
        if form and "payload" not in parse_qs(text, keep_blank_values=True):
            # Bolt reads any form whose bytes contain "payload" as an interaction's `payload=` (a command
            # such as `/decision payload limits…`), finds none and answers 404: read it as the form it is.
            bolt_request.body = dict(parse_qsl(text, keep_blank_values=True))
            bolt_request.context = build_async_context(AsyncBoltContext({}), bolt_request.body)
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_request))

    def signed(self, body: bytes, timestamp: str, signature: str) -> bool:
        """Slack's v0 signature over the raw bytes (what Slack signs), within the window."""
        if not (self._secret and timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
            return False
        if abs(self.now() - int(timestamp)) > WINDOW:
            return False
        mac = hmac.new(self._secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        return hmac.compare_digest("v0=" + mac.hexdigest(), signature)

    async def first_time(self, signature: str) -> bool:
        """Whether this signed request is new: False when it was seen within the window, by this
        process or, as the log remembers, by another (or before a restart)."""
        key = hashlib.sha256(signature.encode()).hexdigest()
        now = self.now()
        while self._recent and next(iter(self._recent.values())) < now - WINDOW:
            del self._recent[next(iter(self._recent))]
        if key in self._recent:
            return False
        self._recent[key] = now
        claim = asyncio.ensure_future(self._claims(self.store.mark_event, PLATFORM, REPLAY + key, self.clock()))
        try:
            return await asyncio.wait_for(asyncio.shield(claim), CLAIM_PATIENCE)
        except TimeoutError:  # the log is busy: remembered when it is free, and in memory till then
            claim.add_done_callback(_settled)
            return True
        except Exception as exc:  # noqa: BLE001 - a log that fails here must not cost the person their command
            log.warning("Slack: could not remember a signed request in the log (%s); it is handled anyway",
                        type(exc).__name__)
            return True

    def close(self) -> None:
        self._claims.close()

    @staticmethod
    def _refuse(request: web.Request, status: int, reason: str) -> web.Response:
        log.warning("Slack: refused a request from %s with %d: %s", request.remote, status, reason)
        return web.Response(status=status, text="invalid request" if status == 401 else "bad request")


def _settled(claim: asyncio.Future) -> None:
    """A claim that finished after its request went ahead: a failure is logged once, by type."""
    if not claim.cancelled() and claim.exception() is not None:
        log.warning("Slack: could not remember a signed request in the log (%s)", type(claim.exception()).__name__)
