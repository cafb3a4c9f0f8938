"""Slack's payloads as our own values (Message, Command), and the Web API client's settings.

Small, plainly named functions at the edge: nothing here holds state or calls Slack.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.models import Command, Message, Visibility
from bot.wire import valid_strings, valid_text

PLATFORM = "slack"
# Message subtypes that are a person writing; joins, topics, bots and the rest are not.
WRITTEN = {None, "thread_broadcast", "file_share", "me_message"}
_CHANNEL_TYPES = {"channel": Visibility.PUBLIC, "group": Visibility.PRIVATE, "im": Visibility.DM,
                  "mpim": Visibility.DM}
_TS = re.compile(r"[0-9]+\.[0-9]+")  # what Slack's `ts` always is: seconds, a dot, a sequence
log = logging.getLogger("nudgebot.slack")


def visibility_of(channel: str, channel_type: str | None = None, channel_name: str | None = None) -> Visibility:
    """Public only when Slack says so; anything unclear counts as private, so it never leaks."""
    if channel_type in _CHANNEL_TYPES:
        return _CHANNEL_TYPES[channel_type]
    if channel_name == "privategroup":
        return Visibility.PRIVATE
    if channel_name == "directmessage" or (channel_name or "").startswith("mpdm-") or channel.startswith("D"):
        return Visibility.DM
    return Visibility.PUBLIC if channel.startswith("C") else Visibility.PRIVATE


def slack_time(ts: str) -> datetime:
    """A Slack `ts` ("1763460000.000100") as the moment it was written, exact to the microsecond."""
    seconds, _, fraction = str(ts).partition(".")
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int((fraction + "000000")[:6]))


def written_at(ts: object) -> datetime | None:
    """The moment a Slack `ts` names; None when it is not one (not "digits.digits", or out of range)."""
    if not isinstance(ts, str) or not _TS.fullmatch(ts):
        return None
    try:
        return slack_time(ts)
    except (ValueError, OverflowError, OSError):
        return None


def to_message(event: dict, workspace: str, event_id: str | None = None) -> Message | None:
    """A message event as our Message, its strings made valid (a lone surrogate becomes U+FFFD); None
    when it is not a person writing, or when its `ts` or `thread_ts` is malformed (logged, nothing kept)."""
    if event.get("subtype") not in WRITTEN or event.get("bot_id") or event.get("bot_profile"):
        return None
    event = valid_strings(event)
    user, ts, channel = event.get("user"), event.get("ts"), event.get("channel")
    if not (user and ts and channel) or not isinstance(event.get("text"), str):
        return None
    thread, time = event.get("thread_ts") or ts, written_at(ts)
    well_formed = {"user": isinstance(user, str), "channel": isinstance(channel, str), "ts": time is not None,
                   "thread_ts": thread == ts or written_at(thread) is not None}
    malformed = [name for name, ok in well_formed.items() if not ok]
    if malformed:
        log.warning("Slack: refused message event %s: its %s malformed", valid_text(event_id) or "(no event id)",
                    " and ".join(malformed) + (" are" if len(malformed) > 1 else " is"))
        return None
    return Message(
        platform=PLATFORM,
        workspace=valid_text(workspace),
        channel=channel,
        visibility=visibility_of(channel, event.get("channel_type")),
        thread=thread,
        ts=ts,
        author=user,
        text=event["text"],
        time=time,
        event_id=valid_text(event_id),
    )


def to_command(body: dict, workspace: str, now: datetime) -> Command:
    """A slash command as our Command, its strings made valid (a lone surrogate becomes U+FFFD)."""
    body = valid_strings(body)
    channel = body.get("channel_id", "")
    return Command(
        platform=PLATFORM,
        workspace=valid_text(workspace),
        channel=channel,
        visibility=visibility_of(channel, channel_name=body.get("channel_name")),
        user=body.get("user_id", ""),
        name=body.get("command", "").lstrip("/"),
        text=body.get("text", ""),
        time=now,
        channel_name=body.get("channel_name") if body.get("channel_name") not in ("privategroup",
                                                                                 "directmessage") else None,
    )


def workspace_of(context) -> str:
    return context.team_id or context.enterprise_id or ""


@dataclass
class Identity:
    user_id: str | None = None
    bot_id: str | None = None


def web_client(settings: Settings, token: str | None = None, retries: bool = True) -> AsyncWebClient:
    """The Web API client: 429s wait for Retry-After, a dropped connection is tried once more. Without
    `retries`, each call is made once (the outbox decides what to try again: bot/slack/outbox.py)."""
    handlers = [AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=2)]
    return AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=10,
                          retry_handlers=handlers if retries else [])


class _TokenByAuthorize(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment and warns, at every start, that it goes unused:
    the token reaches Bolt through `authorize` (or the installations), per request, on purpose."""

    UNUSED = frozenset({warning_client_prioritized_and_token_skipped(), warning_token_skipped()})

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.UNUSED


def bolt_logger() -> logging.Logger:
    """The logger Bolt is given: its own warnings, less the one about the token we pass per request."""
    logger = logging.getLogger("nudgebot.slack.bolt")
    if not any(isinstance(f, _TokenByAuthorize) for f in logger.filters):
        logger.addFilter(_TokenByAuthorize())
    return logger


class _RetriedQuietly(logging.Filter):
    """slack_sdk's Socket Mode client logs a traceback each time a reconnect attempt fails, then tries
    again by itself: such a record becomes one warning line naming the error, with no traceback."""

    RETRIED = ("Failed to connect (error:", "Failed to close the old session", "Failed to retrieve WSS URL",
               "Failed to receive or enqueue a message", "Failed to check the current session")
    _STATUS = re.compile(r"status: (\d+)")
    _ERROR = re.compile(r"'error': '([\w.-]+)'")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not message.startswith(self.RETRIED):
            return True
        what = message.split(" (error:")[0].split(" :")[0].split(":")[0]
        if record.exc_info:
            why = type(record.exc_info[1]).__name__
        else:  # the SDK's text quotes the URL and the whole answer: only the status and Slack's error code
            status, error = self._STATUS.search(message), self._ERROR.search(message)
            why = ", ".join(x for x in (status and f"HTTP {status.group(1)}", error and error.group(1)) if x) or "?"
        record.msg, record.args = "Slack Socket Mode: %s (%s); trying again", (what, why)
        record.exc_info, record.exc_text, record.levelno, record.levelname = None, None, logging.WARNING, "WARNING"
        return True


def socket_logger() -> logging.Logger:
    """The logger the Socket Mode handler is given: its reconnect retries as one line each."""
    logger = logging.getLogger("nudgebot.slack.socket")
    if not any(isinstance(f, _RetriedQuietly) for f in logger.filters):
        logger.addFilter(_RetriedQuietly())
    return logger

