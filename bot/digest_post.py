"""Sending each destination its weekly digest, at most once: platform-neutral.

A platform plugs in as a `Sender` (bot/slack/digest.py for Slack). For every workspace in the log the
destinations are its digest channel (set from chat, or NUDGEBOT_DIGEST_CHANNEL for a single-workspace
install) and, when turned on, a DM to each author with items still lacking a customer rationale. Each
destination is claimed in SQLite before its digest is built and sent (bot/digest_store.py).

Work on the log goes through `call` (the server's engine thread; a plain call in the CLI), sends are
awaited on the event loop, and the chart is drawn on a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot import digest_store
from bot.chart import share_chart
from bot.digest import Week, authors_lacking
from bot.digest_render import pct
from bot.digest_report import POSTED_ITEMS, Destination, WeeklyDigest, compose
from bot.store import Store

log = logging.getLogger("nudgebot.digest")

Call = Callable[..., Awaitable[Any]]


async def direct(fn: Callable[..., Any], *args, **kwargs) -> Any:
    """`call` for a process with the log to itself (the CLI): just call."""
    return fn(*args, **kwargs)


class NotSent(Exception):
    """The platform answered that the digest was not delivered (no installation, not in the channel, a
    refused call): nothing was posted, so a later run may try again. Its text is safe to log."""


class Sender(Protocol):
    platform: str

    async def home_workspace(self) -> str | None:
        """The workspace a single-workspace install serves (NUDGEBOT_DIGEST_CHANNEL is for it), or None."""

    async def send(self, digest: WeeklyDigest, chart: bytes | None) -> str:
        """Post `digest` (and the chart, when given) to `digest.destination`; the platform's id of the
        message. Raises NotSent when the platform refused; any other error leaves the outcome unknown."""


@dataclass(frozen=True, slots=True)
class Outcome:
    destination: Destination
    week: str
    status: str  # posted | already posted | failed | unknown | skipped
    reference: str | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        d = self.destination
        return {"platform": d.platform, "workspace": d.workspace, "kind": d.kind, "channel": d.channel,
                "user": d.user, "week": self.week, "status": self.status, "reference": self.reference,
                "note": self.note}

    def describe(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.destination.describe()}: {self.status}{note}"


def destinations(store: Store, platform: str, workspace: str, week: Week, default_channel: str | None) -> list[
        Destination]:
    """Where `workspace`'s digest for `week` goes: its channel, then (when on) each author's DM."""
    settings = digest_store.settings_for(store, platform, workspace)
    found = []
    channel = settings.channel_or(default_channel)
    if channel:
        found.append(Destination(platform, workspace, "channel", channel=channel))
    if settings.dms:
        found += [Destination(platform, workspace, "dm", user=author)
                  for author in authors_lacking(store, platform, workspace, week)]
    return found


Summarise = Callable[[WeeklyDigest], Awaitable[str | None]]


def week_line(assistant) -> Summarise:
    """The assistant's one paragraph on a digest's week (None without an LLM, without the workspace's
    consent, or on any failure), from the figures and the excerpts that digest's audience may see."""
    async def summarise(d: WeeklyDigest) -> str | None:
        f = d.figures
        figures = [("decisions logged", f.decisions), ("with a customer rationale", f.with_rationale),
                   ("share with a customer rationale", pct(f.share)), ("the week before", pct(f.previous_share)),
                   ("approval requests opened", f.requests_opened), ("resolved", f.requests_resolved),
                   ("median working hours to approval", f.median_hours_to_approval)]
        return await assistant.summarise_week(d.destination.platform, d.destination.workspace, d.week, figures,
                                              [i.excerpt for i in f.items])

    return summarise


async def post_week(engine, senders: Mapping[str, Sender], week: Week, *, by: str, call: Call = direct,
                    default_channel: str | None = None, only: str | None = None,
                    summarise: Summarise | None = None, refused_only: bool = False) -> list[Outcome]:
    """Send every destination of every workspace (or only the workspace `only`) its digest for `week`,
    each at most once. With `refused_only`, only the destinations whose send the platform refused
    (nothing posted) are tried again: `serve` does so every quarter of an hour, the week's run past."""
    outcomes = []
    for platform, workspace in await call(engine.store.workspaces):
        if only is not None and workspace != only:
            continue
        sender = senders.get(platform)
        home = await sender.home_workspace() if sender is not None else None
        default = default_channel if workspace == home else None
        for destination in await call(destinations, engine.store, platform, workspace, week, default):
            if refused_only:
                row = await call(digest_store.posted, engine.store, destination, week.label)
                if row is None or row["status"] != digest_store.FAILED:
                    continue
            if sender is None:
                outcomes.append(Outcome(destination, week.label, "skipped", note=f"{platform} is not configured"))
            else:
                outcomes.append(await _post(engine, sender, destination, week, by, call, summarise))
    return outcomes


async def _post(engine, sender: Sender, destination: Destination, week: Week, by: str, call: Call,
                summarise: Summarise | None = None) -> Outcome:
    store = engine.store
    if not await call(digest_store.claim, store, destination, week.label, engine.clock(), by):
        row = await call(digest_store.posted, store, destination, week.label)
        status = "already posted" if row["status"] == digest_store.SENT else f"already {row['status']}"
        return Outcome(destination, week.label, status, row["reference"], row["note"])
    try:
        digest = await call(compose, store, engine.principles, engine.approvals.rules, destination, week,
                            engine.rules.zone, engine.clock(), POSTED_ITEMS)
        if summarise is not None:
            try:
                digest.week_line = await summarise(digest)
            except Exception as exc:  # noqa: BLE001 - the figures go out without the line
                log.warning("digest for %s: no line on the week (%s)", destination.describe(), type(exc).__name__)
        chart = None
        if any(w.decisions for w in digest.trend):
            chart = await asyncio.to_thread(share_chart, digest.trend)
    except Exception as exc:  # nothing was sent: the claim is given back for a later run
        await call(digest_store.finish, store, destination, week.label, digest_store.FAILED, engine.clock(),
                   note=f"not built: {type(exc).__name__}")
        raise
    try:
        reference = await sender.send(digest, chart)
    except NotSent as exc:
        log.warning("digest for %s not sent: %s", destination.describe(), exc)
        await call(digest_store.finish, store, destination, week.label, digest_store.FAILED, engine.clock(),
                   note=str(exc))
        return Outcome(destination, week.label, "failed", note=str(exc))
    except Exception as exc:  # noqa: BLE001 - it may have been delivered: keep the claim, never send it twice
        note = f"outcome unknown ({type(exc).__name__}); not sent again"
        log.error("digest for %s: %s", destination.describe(), note)
        await call(digest_store.finish, store, destination, week.label, digest_store.CLAIMED, engine.clock(),
                   note=note)
        return Outcome(destination, week.label, "unknown", note=note)
    await call(digest_store.finish, store, destination, week.label, digest_store.SENT, engine.clock(),
               reference=reference)
    log.info("digest for %s posted", destination.describe())
    return Outcome(destination, week.label, "posted", reference)
