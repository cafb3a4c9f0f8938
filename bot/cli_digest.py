"""`nudgebot digest`: print a week's digest, or (`--post`) send every configured destination its own,
at most once per destination and week (run it from cron or Heroku Scheduler; `nudgebot serve` also
posts on NUDGEBOT_DIGEST_SCHEDULE)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from typing import TYPE_CHECKING

import click

from bot import digest as digests
from bot.digest_post import Outcome, post_week, week_line
from bot.digest_render import MARKDOWN, render_markdown, render_text
from bot.digest_report import Destination, compose
from bot.errors import InputError
from bot.llm import build_assistant
from bot.runner import EngineThread

if TYPE_CHECKING:
    from bot.cli import App


@click.command()
@click.option("--week", help="ISO week YYYY-Www in NUDGEBOT_TIMEZONE (default: last full week).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--channel", help="Print the digest this conversation would get (its own items included).")
@click.option("--workspace", help="Only this workspace/tenant id.")
@click.option("--post", is_flag=True,
              help="Send each configured destination its digest (at most once per destination and week).")
@click.pass_obj
def digest(app: App, week: str | None, fmt: str, channel: str | None, workspace: str | None, post: bool) -> None:
    """Build the weekly digest of decisions lacking a customer rationale, with the trend, approval
    bottlenecks and the principles the week touched.

    Without --channel, prints what a public channel of each workspace would get: items from
    public channels only. With --post, sends every workspace's digest channel (set from chat with
    `/nudgebot digest here`, or NUDGEBOT_DIGEST_CHANNEL) its digest, and each author their own items
    by DM where turned on; a destination already sent this week's digest is left alone, so a retry
    or a second run never posts twice. The exit code is 1 when any send failed.

    \b
    Example:
        nudgebot digest --week 2026-W47 --format markdown
        nudgebot digest --post
    """
    engine = app.engine()
    zone = app.settings.zone
    now = engine.clock()
    try:
        chosen = digests.parse_week(week, zone) if week else digests.last_full_week(now, zone)
    except InputError as exc:  # a malformed option value is bad usage (exit 2), as in every command
        raise click.BadParameter(str(exc), param_hint="'--week'") from None
    known = engine.store.workspaces()
    if workspace is not None and all(w != workspace for _, w in known):
        raise InputError(unknown_workspace(workspace, known))
    if post:
        if channel:
            raise click.UsageError("--post sends to the destinations configured (see `/nudgebot digest here`); "
                                   "--channel only prints one conversation's digest")
        _post(app, engine, chosen, fmt, workspace)
        return
    scopes = [s for s in known if workspace in (None, s[1])]
    if channel:
        scopes = [s for s in scopes if engine.store.has_channel(*s, channel)]
        if not scopes:
            raise InputError(f"no decisions were ever logged in channel {channel}")
    views = [
        compose(engine.store, engine.principles, engine.approvals.rules,
                Destination(p, w, "channel" if channel else "public", channel=channel), chosen, zone, now)
        for p, w in scopes
    ]
    if fmt == "json":
        click.echo(json.dumps({"week": chosen.label, "destinations": [v.as_dict() for v in views]}, indent=2))
        return
    if not views:
        click.echo(f"Nothing logged yet, so there is no digest for {chosen.label}.")
        return
    if fmt == "markdown":
        click.echo("\n\n".join(render_markdown(v, MARKDOWN) for v in views))
    else:
        click.echo("\n\n".join(render_text(v) for v in views))


def unknown_workspace(workspace: str, known: list[tuple[str, str]]) -> str:
    """For --workspace naming no workspace of the log: which ones it has (the admin's own file)."""
    if not known:
        return f"no workspace with id {workspace} has anything logged: nothing is logged yet"
    ids = ", ".join(f"{w} ({p})" for p, w in known)
    return f"no workspace with id {workspace} has anything logged; the log has {ids}"


def _post(app: App, engine, week: digests.Week, fmt: str, workspace: str | None) -> None:
    settings = app.settings
    senders = {}
    if settings.slack_bot_token or settings.slack_oauth:
        from bot.slack.digest import SlackDigests, installed_clients

        senders["slack"] = SlackDigests(settings, installed_clients(settings, engine.store.path))
    run = EngineThread()  # Teams' proactive sends read its conversation references through it
    if settings.teams_configured:
        from bot.teams.adapter import build_adapter
        from bot.teams.conversations import Conversations
        from bot.teams.digest import TeamsDigests
        from bot.teams.proactive import Proactive

        proactive = Proactive(build_adapter(settings), (settings.microsoft_app_id or "").strip(),
                              Conversations(engine.store), run, engine.clock)
        senders["teams"] = TeamsDigests(proactive)
    assistant = build_assistant(settings, engine, run=run)  # sends nothing without OPENAI_API_KEY

    async def post_all() -> list[Outcome]:
        try:
            return await post_week(engine, senders, week, by=f"{socket.gethostname()}:{os.getpid()}",
                                   default_channel=settings.digest_channel, only=workspace,
                                   summarise=week_line(assistant))
        finally:
            await assistant.close()

    try:
        outcomes = asyncio.run(post_all())
    finally:
        run.close()
    if fmt == "json":
        click.echo(json.dumps({"week": week.label, "destinations": [o.as_dict() for o in outcomes]}, indent=2))
    elif not outcomes:
        click.echo(f"No digest destinations for {week.label}: choose a channel with `/nudgebot digest here`, "
                   "or set NUDGEBOT_DIGEST_CHANNEL (single-workspace Slack).")
    else:
        click.echo(f"Digest {week.label}:")
        for outcome in outcomes:
            click.echo(f"  {outcome.describe()}")
    if any(o.status in ("failed", "unknown") for o in outcomes):
        sys.exit(1)
