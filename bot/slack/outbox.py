"""The Slack sender (bot/outbox.py): questions, reactions, reminders, notes and updates, posted with
clients that retry nothing themselves, since every retry is decided from the log.

Slack has no idempotency key, so each post carries its outbox id as message metadata; when a post's
answer was lost, the thread is read back (`conversations.replies`) and the post is sent again only if
it is not there. An ephemeral message cannot be read back, so one whose answer was lost is not repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.actions import Action, Nudge, React, Reminder, TwoWayDoor, UpdateNudge
from bot.outbox import REPEATABLE, NotYet, OutboxSender, Refused, Unsure, retry_after
from bot.queue_store import OutboxItem
from bot.runner import EngineThread
from bot.slack import blocks
from bot.slack.calls import failure
from bot.store import Store

log = logging.getLogger("nudgebot.slack")
METADATA = "nudgebot_outbox"  # the metadata event type each post carries, with its outbox id
# Slack's error codes that mean "not now" rather than "never": the post may be tried again.
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})
ALREADY = frozenset({"already_reacted"})  # repeated harmlessly: it is there

class SlackOutbox(OutboxSender):
    platform = "slack"
    name = "Slack"

    def __init__(self, store: Store, run: EngineThread, clients: Callable[[str], Awaitable[AsyncWebClient | None]],
                 clock: Callable[[], datetime]):
        super().__init__(store, run, clock)
        self.clients = clients  # a workspace → its client (no retry handlers of its own), None when not installed

    def classify(self, exc: BaseException) -> Exception:
        if isinstance(exc, SlackApiError):
            status = getattr(exc.response, "status_code", 200)
            error = exc.response.get("error") if hasattr(exc.response, "get") else None
            if status == 429 or error == "ratelimited":
                return NotYet(failure(exc), retry_after(getattr(exc.response, "headers", None)))
            if status >= 500 or error in TRANSIENT:
                return Unsure(failure(exc))
            return Refused(failure(exc))
        if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
            return NotYet(failure(exc))
        if isinstance(exc, SlackRequestError):
            return Refused(failure(exc))
        return Unsure(failure(exc))  # a timeout or a dropped connection after the request went

    def checkable(self, item: OutboxItem) -> bool:
        """A thread post is read back; an update or a reaction is repeated harmlessly; an ephemeral
        message can be neither."""
        return item.kind in REPEATABLE or not item.payload.get("action", {}).get("ephemeral", False)

    async def _client(self, item: OutboxItem) -> AsyncWebClient:
        client = await self.clients(item.workspace)
        if client is None:
            raise Refused("the workspace has no bot token")
        return client

    async def _send(self, item: OutboxItem, action: Action, context) -> str | None:
        client = await self._client(item)
        meta = {"event_type": METADATA, "event_payload": {"outbox": item.id}}
        if isinstance(action, Nudge):
            rendered = blocks.nudge(action)
            if action.ephemeral:
                await client.chat_postEphemeral(channel=action.channel, user=action.author, thread_ts=action.thread,
                                                **rendered)
                return None
            response = await client.chat_postMessage(channel=action.channel, thread_ts=action.thread,
                                                     metadata=meta, **rendered)
            return response.get("ts")
        if isinstance(action, React):
            try:
                await client.reactions_add(channel=action.channel, timestamp=action.ts, name=action.emoji)
            except SlackApiError as exc:
                if exc.response.get("error") not in ALREADY:
                    raise
            return None
        if isinstance(action, Reminder | TwoWayDoor):
            rendered = blocks.notice(action.text, action.request_id, getattr(action, "buttons", ()))
            if not action.ephemeral:
                response = await client.chat_postMessage(channel=action.channel, thread_ts=action.thread,
                                                         metadata=meta, **rendered)
                return response.get("ts")
            await client.chat_postEphemeral(channel=action.channel, user=item.payload.get("to") or action.requester,
                                            thread_ts=action.thread, **rendered)
            return None
        if isinstance(action, UpdateNudge):
            where = item.payload.get("where") or {}
            rendered = blocks.updated(action)
            if where.get("response_url"):
                response = await AsyncWebhookClient(where["response_url"], timeout=10).send(
                    replace_original=True, **rendered)
                if response.status_code == 429 or response.status_code >= 500:
                    raise NotYet(f"response_url HTTP {response.status_code}")
            elif where.get("channel") and where.get("ts"):
                await client.chat_update(channel=where["channel"], ts=where["ts"], **rendered)
            return None
        raise Refused(f"cannot send {item.kind}")

    async def _posted(self, item: OutboxItem, action: Action) -> str | None:
        client = await self._client(item)
        response = await client.conversations_replies(channel=action.channel, ts=action.thread,
                                                      include_all_metadata=True, limit=1000)
        for message in response.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == METADATA and (meta.get("event_payload") or {}).get("outbox") == item.id:
                return message.get("ts") or ""
        return None
