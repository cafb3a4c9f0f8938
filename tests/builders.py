"""Builders for the values front ends hand the engine, and a clock tests move by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.models import Command, Message, Visibility


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


_ts = itertools.count(1)


def message(
    text: str,
    *,
    clock: Clock | None = None,
    when: datetime | None = None,
    thread: str | None = None,
    ts: str | None = None,
    author: str = "U_ANN",
    channel: str = "C_GENERAL",
    workspace: str = "T_ONE",
    platform: str = "slack",
    visibility: Visibility = Visibility.PUBLIC,
    event_id: str | None = None,
    channel_name: str | None = "general",
) -> Message:
    """A Message as a front end would build it; each call gets a new ts unless told."""
    ts = ts or f"1763460000.{next(_ts):06d}"
    moment = when or (clock.now if clock else datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    return Message(
        platform=platform,
        workspace=workspace,
        channel=channel,
        visibility=visibility,
        thread=thread or ts,
        ts=ts,
        author=author,
        text=text,
        time=moment,
        event_id=event_id,
        channel_name=channel_name,
    )


def command(
    name: str,
    text: str = "",
    *,
    clock: Clock,
    user: str = "U_ANN",
    channel: str = "C_GENERAL",
    workspace: str = "T_ONE",
    platform: str = "slack",
    visibility: Visibility = Visibility.PUBLIC,
) -> Command:
    return Command(
        platform=platform,
        workspace=workspace,
        channel=channel,
        visibility=visibility,
        user=user,
        name=name,
        text=text,
        time=clock.now,
        channel_name="general",
    )
