"""Web API calls that may fail without taking the bot down: the failure is logged, never a token."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

log = logging.getLogger("nudgebot.slack")


def failure(exc: BaseException) -> str:
    """What went wrong, in words safe for a log: Slack's error code or the kind of network error."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", "?")
        error = exc.response.get("error") if hasattr(exc.response, "get") else None
        return f"HTTP {status}, {error or 'no error code'}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__  # exception texts can carry URLs and payloads; the name is enough


async def quietly(call: Callable[..., Awaitable[Any]], what: str, /, **kwargs) -> Any | None:
    """`await call(**kwargs)`; None (and a warning naming `what`) when Slack refused or was unreachable."""
    try:
        result = await call(**kwargs)
    except (TimeoutError, SlackApiError, SlackRequestError, aiohttp.ClientError, OSError) as exc:
        log.warning("Slack %s failed: %s", what, failure(exc))
        return None
    status = getattr(result, "status_code", 200)
    if isinstance(status, int) and status >= 400:
        log.warning("Slack %s failed: HTTP %s", what, status)
        return None
    return result
