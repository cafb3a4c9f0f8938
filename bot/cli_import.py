"""`nudgebot import PATH`: a Slack export's history into the decision log, nothing posted.

A progress bar on a terminal (nothing when stderr is not one), a summary per conversation at
the end, and on request the history report (the digest's figures, week by week) as Markdown or
JSON.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

if TYPE_CHECKING:
    from bot.cli import App
    from bot.importer import ChannelFigures, Summary

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--channel", "channels", multiple=True, metavar="NAME_OR_ID",
              help="Only this conversation: a channel name (with or without #) or id. Repeatable.")
@click.option("--since", type=_DAY, metavar="YYYY-MM-DD", help="Only days from this date on.")
@click.option("--until", type=_DAY, metavar="YYYY-MM-DD", help="Only days up to this date, included.")
@click.option("--skip-private", is_flag=True, help="Leave out private channels, group DMs and DMs.")
@click.option("--workspace", metavar="TEAM_ID",
              help="Slack team id to log under (default: the one in the export's users.json).")
@click.option("--report", "report_format", type=click.Choice(["markdown", "json"]),
              help="Also write the history report: the digest's figures, week by week (public channels).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File for the report (default: standard output, and the summary goes to standard error).")
@click.pass_obj
def import_(
    app: App,
    path: Path,
    channels: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    skip_private: bool,
    workspace: str | None,
    report_format: str | None,
    output: Path | None,
) -> None:
    """Backfill the decision log from a Slack workspace export (the zip, or its folder).

    Every message people wrote goes through the bot as if it had just been written, with its
    original time, channel and author; nothing is posted and nobody is asked. Importing the same
    export again adds nothing; an interrupted import continues where it stopped. Files or
    messages that cannot be read are named on standard error, the rest is imported, and the
    exit code is 1.

    \b
    Example:
        nudgebot import "Acme Slack export Jan 1 2026 - Nov 20 2026.zip"
        nudgebot import export/ --channel launch --since 2026-06-01 --report markdown --output history.md
    """
    from bot.importer import Importer, Selection, choose_workspace, history_report
    from bot.slack_export import Problems, SlackExport

    if output is not None and report_format is None:
        raise click.UsageError("--output is where the report goes: give --report markdown or --report json too")
    if since and until and since > until:
        raise click.BadParameter(f"{since:%Y-%m-%d} is after --until {until:%Y-%m-%d}", param_hint="--since")
    selection = Selection(channels, since and since.date(), until and until.date(), skip_private)
    engine = app.engine()
    export = SlackExport.open(path)
    try:
        problems = Problems()
        conversations = export.conversations(problems)
        unknown = selection.unknown(conversations)
        if unknown:
            names = ", ".join(sorted(c.name for c in conversations)[:20]) or "none"
            raise click.BadParameter(
                f"{', '.join(unknown)}: not in this export (its conversations: {names})", param_hint="--channel"
            )
        importer = Importer(engine, export, choose_workspace(export, engine.store.workspaces(), workspace))
        plan = importer.plan(selection, conversations)
        with ProgressBar(sum(len(files) for _, files in plan)) as bar:
            try:
                summary = importer.run(plan, problems, bar.advance)
            except KeyboardInterrupt:
                bar.close()
                click.echo(f"Interrupted after {bar.done} of {bar.total} day files. Everything imported so far "
                           "is kept; run the same command again to continue where it stopped.", err=True)
                sys.exit(130)
    finally:
        export.close()
    zone = app.settings.zone
    report_to_stdout = report_format is not None and output is None
    for problem in summary.problems:
        click.echo(f"skipped: {problem}", err=True)
    click.echo(render_summary(summary, path, zone), err=report_to_stdout)
    if report_format:
        report = history_report(engine, summary, zone, engine.clock())
        text = json.dumps(report, indent=2) if report_format == "json" else render_report(report)
        if output is None:
            click.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            click.echo(f"History report written to {output}.")
    if summary.problems:
        click.echo(f"{len(summary.problems)} problem(s): what they name was skipped, the rest was imported.",
                   err=True)
        sys.exit(1)


class ProgressBar:
    """A tqdm bar over the day files on a terminal's stderr; nothing at all when stderr is not one."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.messages = 0
        self.bar = None

    def __enter__(self) -> ProgressBar:
        from tqdm import tqdm

        self.bar = tqdm(total=self.total, unit=" day files", disable=not sys.stderr.isatty(), file=sys.stderr,
                        leave=False, dynamic_ncols=True)
        return self

    def advance(self, day_file, result) -> None:
        self.done += 1
        if result is not None:
            self.messages += result.messages
        self.bar.set_postfix_str(f"{self.messages:,} messages, {day_file.name}", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def __exit__(self, *exc) -> None:
        self.close()


# -- rendering --------------------------------------------------------------------------------


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _hours(hours: float | None) -> str:
    return "–" if hours is None else f"{hours} h"


def _label(c: ChannelFigures) -> str:
    if c.visibility == "public":
        return f"#{c.name}"
    return f"#{c.name} (private)" if c.visibility == "private" else f"{c.name} (DM)"


def _row(label: str, c: ChannelFigures) -> list[str]:
    rationale = f"{c.with_rationale} ({_pct(c.share)})" if c.decisions else "–"
    return [label, f"{c.messages:,}", str(c.decisions), rationale, str(c.requests), _hours(c.median_hours_to_approval)]


def _day(moment: str | None, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(moment).astimezone(zone).date().isoformat() if moment else "?"


def render_summary(summary: Summary, path: Path, zone: ZoneInfo) -> str:
    """What the import found, per conversation and in total, as aligned plain text."""
    total = summary.total()
    read_now = summary.files - summary.files_already - summary.files_unread
    lines = [f"Slack export {path.name} → workspace {summary.workspace}"
             + (f", {_day(total.first_at, zone)} to {_day(total.last_at, zone)}" if total.first_at else "") + "."]
    if not summary.files:
        lines.append("Nothing to import: no day files match the options given.")
        return "\n".join(lines)
    lines.append(
        f"{summary.files:,} day files: {read_now:,} imported now, {summary.files_already:,} already imported before"
        + (f", {summary.files_unread:,} unreadable" if summary.files_unread else "") + ". "
        f"{total.messages:,} messages people wrote ({total.new_messages:,} new); "
        f"{total.events:,} bot posts, joins and other events skipped."
    )
    table = [["conversation", "messages", "decisions", "with customer rationale", "approval requests",
              "median working hours to approval"]]
    table += [_row(_label(c), c) for c in summary.channels]
    table.append(_row("total", total))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines.append("")
    for row in table:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render_report(report: dict) -> str:
    """The history report as Markdown."""
    lines = [f"# Decision history — Slack workspace {report['workspace']}", ""]
    if report["totals"] is None:
        lines.append("Nothing was imported from public channels, so there is nothing to report.")
        return "\n".join(lines)
    totals = report["totals"]
    lines += [
        f"{report['from']} to {report['to']}, weeks in {report['timezone']}. Public channels only, as in a digest "
        "posted in a public channel.",
        "",
        "## Whole period",
        "",
        f"- {totals['decisions']} decisions; {totals['with_rationale']} ({_pct(totals['share'])}) say who the "
        f"customer is; {totals['lacking']} logged items still lack a customer rationale.",
        f"- {totals['requests_opened']} approval requests, {totals['requests_resolved']} resolved; median time to "
        f"approval {_hours(totals['median_hours_to_approval'])} (working hours).",
        "",
        "## Week by week",
        "",
        "| week | decisions | with customer rationale | share | approval requests | resolved "
        "| median working hours to approval | lacking a rationale |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in report["weeks"]:
        lines.append(
            f"| {w['week']} | {w['decisions']} | {w['with_rationale']} | {_pct(w['share'])} | {w['requests_opened']} "
            f"| {w['requests_resolved']} | {_hours(w['median_hours_to_approval'])} | {w['lacking']} |"
        )
    lines += [
        "",
        "## Channels",
        "",
        "| channel | messages | decisions | with customer rationale | share | approval requests "
        "| median working hours to approval |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in report["channels"]:
        lines.append(
            f"| #{c['name']} | {c['messages']} | {c['decisions']} | {c['with_rationale']} | {_pct(c['share'])} "
            f"| {c['approval_requests']} | {_hours(c['median_hours_to_approval'])} |"
        )
    return "\n".join(lines)
