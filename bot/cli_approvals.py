"""`nudgebot approvals`: open approval requests with their waits and flags, and how long approvals take."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from bot import approval_stats
from bot.approvals import ApprovalRules
from bot.config import Settings
from bot.errors import InputError


def approval_rules(settings: Settings) -> ApprovalRules:
    """The approval limits the settings ask for."""
    return ApprovalRules(
        work=settings.working_time,
        sla_hours=settings.approval_sla_hours,
        max_approvers=settings.max_approvers,
        max_hops=settings.max_hops,
        max_reminders=settings.approval_reminders,
    )


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--workspace", help="Only this workspace/tenant id.")
@click.option("--days", type=click.IntRange(1, 3660), default=28, show_default=True,
              help="Requests written in this many days up to now.")
@click.pass_obj
def approvals(app, fmt: str, workspace: str | None, days: int) -> None:
    """Show open approval requests with their age and flags, time to approval per channel and per
    approver (median and 90th percentile, in working hours), the slowest resolved requests and the
    flags raised.

    \b
    Example:
        nudgebot approvals
        nudgebot approvals --days 7 --format json --workspace T0123ABCD
    """
    engine = app.engine()
    rules = engine.approvals.rules
    now = engine.clock()
    since = now - timedelta(days=days)
    known = engine.store.workspaces()
    if workspace is not None and all(w != workspace for _, w in known):
        from bot.cli_digest import unknown_workspace

        raise InputError(unknown_workspace(workspace, known))
    scopes = [s for s in known if workspace in (None, s[1]) and engine.approvals.has_requests(*s)]
    views = [approval_stats.stats(engine.store, p, w, since, now, now, rules) for p, w in scopes]
    if fmt == "json":
        click.echo(json.dumps({"days": days, "workspaces": [v.as_dict() for v in views]}, indent=2))
        return
    if not views:
        click.echo("No approval requests logged yet." if workspace is None
                   else f"No approval requests logged in workspace {workspace}.")
        return
    click.echo("\n\n".join(approval_stats.render_text(v) for v in views))
