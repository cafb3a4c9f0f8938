"""When the bot holds a nudge back. Pure functions over plain values: no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InputError
from bot.models import FOREVER, ChannelSettings, Kind, Verdict, iso, parse_time

DEFAULT_MUTE = timedelta(days=7)
_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Politeness:
    """The organisation-wide rules, from Settings."""

    zone: ZoneInfo
    cooldown: timedelta = timedelta(minutes=10)
    daily_cap: int = 10
    quiet: tuple[time, time] | None = None


@dataclass(frozen=True, slots=True)
class NudgeContext:
    """What the log says about the thread, channel and author at the moment of the message."""

    thread_nudged: bool
    channel: ChannelSettings
    last_nudge_to_author: datetime | None
    nudges_today: int


def start_of_day(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def in_quiet_hours(now: datetime, rules: Politeness) -> bool:
    if not rules.quiet:
        return False
    start, end = rules.quiet
    local = now.astimezone(rules.zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def hold_reason(verdict: Verdict, ctx: NudgeContext, rules: Politeness, now: datetime) -> str | None:
    """Why a nudge the verdict asks for is held back, or None to send it."""
    if not verdict.nudge:
        return "the message states its customer" if verdict.customer_rationale else "nothing to ask"
    if ctx.thread_nudged:
        return "this thread was already asked once"
    if ctx.channel.muted_at(now):
        return f"the channel is muted {describe_mute(ctx.channel, rules.zone)}"
    if verdict.kind == Kind.APPROVAL_REQUEST and not ctx.channel.approval_nudges:
        return "this channel turned off questions on approval requests"
    if in_quiet_hours(now, rules):
        return "it is quiet hours"
    if ctx.last_nudge_to_author and rules.cooldown and now - ctx.last_nudge_to_author < rules.cooldown:
        minutes = int((now - ctx.last_nudge_to_author).total_seconds() // 60)
        when = f"{minutes} min ago" if minutes else "less than a minute ago"
        return f"the author was asked {when} (cooldown {_human(rules.cooldown)})"
    if ctx.nudges_today >= rules.daily_cap:
        return f"the channel reached today's cap of {rules.daily_cap} questions"
    return None


def parse_duration(text: str) -> timedelta | None:
    """`30m`, `2h`, `3d`, `1w` → a timedelta; `forever` → None; empty → the default mute."""
    text = (text or "").strip().lower()
    if not text:
        return DEFAULT_MUTE
    if text in {"forever", "always", "permanently", "indefinitely"}:
        return None
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise InputError(
            f"'{text}' is not a duration. Use something like 30m, 2h, 3d, 1w, or 'forever'."
        )
    unit = _UNITS[match.group(2)[0]]
    return timedelta(**{unit: int(match.group(1))})


def mute(settings: ChannelSettings, duration: timedelta | None, user: str, now: datetime) -> ChannelSettings:
    until = FOREVER if duration is None else iso(now + duration)
    return replace(settings, muted_until=until, muted_by=user)


def unmute(settings: ChannelSettings) -> ChannelSettings:
    return replace(settings, muted_until=None, muted_by=None)


def describe_mute(settings: ChannelSettings, zone: ZoneInfo) -> str:
    if settings.muted_until == FOREVER:
        return "until someone unmutes it"
    until = parse_time(settings.muted_until)
    if until is None:
        return ""
    return "until " + until.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


def _human(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (60 * 24) == 0:
        return f"{minutes // (60 * 24)} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"
