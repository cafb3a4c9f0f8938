"""The `nudgebot` command line: a group of verbs, one composition root.

Settings are read here, once; errors become one clean line and an exit code.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from functools import cached_property
from typing import TextIO

import click

from bot.cli_check import SOCKET_MODE_HELP, check, ready
from bot.config import PROMPTS_DIR, Settings, load_settings
from bot.errors import ConfigError, InputError, NudgebotError
from bot.evaluate import KINDS, evaluate
from bot.principles import load_principles
from bot.prompts import Prompts

EXPORT_COLUMNS = (
    "id", "platform", "workspace", "channel", "channel_name", "visibility", "thread", "ts", "author",
    "author_name", "text", "kind", "customer_rationale", "customer", "rationale", "rationale_by",
    "rationale_at", "not_customer_facing_by", "principles", "permalink", "status", "approval_state",
    "resolved_at", "created_at", "updated_at", "edited_at", "purged_at", "replies", "probability", "nudge_score",
)


class App:
    """What the commands share, built lazily so `nudgebot --help` needs nothing."""

    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def principles(self):
        return load_principles(self.settings.principles)

    @cached_property
    def prompts(self) -> Prompts:
        return Prompts(PROMPTS_DIR)

    def engine(self):
        from bot.engine import Engine
        from bot.llm_ledger import access_from
        from bot.policy import Politeness
        from bot.store import Store

        s = self.settings
        rules = Politeness(
            zone=s.zone,
            cooldown=timedelta(minutes=s.cooldown_minutes),
            daily_cap=s.channel_daily_cap,
            quiet=s.quiet,
        )
        principles = self.principles
        store = Store.open(s.db)
        return Engine(store, principles, self.prompts, rules, retention_days=s.retention_days,
                      approval_rules=approval_rules(s), llm=access_from(s))


class Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NudgebotError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nudgebot")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Nudgebot asks who the customer is when a decision doesn't say, tracks approvals,
    and logs every decision in SQLite.

    \b
    Try it locally, no chat credentials needed:
        nudgebot shell
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = App()


@cli.command()
@click.option("--user", default="you", show_default=True, help="Your name in the console.")
@click.option("--channel", default="general", show_default=True, help="The channel you write in.")
@click.pass_obj
def shell(app: App, user: str, channel: str) -> None:
    """Talk to the bot in a local console (each line is a new message in #general).

    \b
    Example:
        nudgebot shell
        echo "We decided to move the launch to next Friday." | nudgebot shell
    """
    try:  # Ctrl-C while the console starts ends it as quietly as Ctrl-C in it does
        from bot.console import Console

        engine = app.engine()
        engine.purge_old_text()
        # Bytes that are not UTF-8 become U+FFFD, as in `classify`: a stray byte must not end the session.
        stdin = click.get_text_stream("stdin", errors="replace")
        assistant = None
        if app.settings.llm_configured:
            from bot.llm import build_assistant

            assistant = build_assistant(app.settings, engine)
    except KeyboardInterrupt:
        click.echo("", err=True)
        sys.exit(130)
    Console(engine, sys.stdout, user=user, channel=channel, assistant=assistant).run(stdin, interactive=stdin.isatty())


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (default: $PORT, or 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--slack-socket-mode", is_flag=True, help=SOCKET_MODE_HELP)
@click.pass_obj
def serve(app: App, port: int | None, host: str, slack_socket_mode: bool) -> None:
    """Run the chat server: Slack at POST /slack/events (events, buttons, slash commands), Teams at
    POST /api/messages (with MicrosoftAppId/MicrosoftAppPassword), GET /healthz.

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, workspaces install the app at GET /slack/install
    (Slack returns to GET /slack/oauth_redirect); each install's token is kept in NUDGEBOT_DB.

    \b
    Example:
        SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… nudgebot serve --port 3000
        nudgebot serve --slack-socket-mode
        MicrosoftAppId=… MicrosoftAppPassword=… nudgebot serve
    """
    import asyncio

    from bot.server import create_app
    from bot.server import serve as serve_app

    settings = app.settings
    ready(app, slack_socket_mode)  # what `nudgebot check` checks, in the same words
    if not slack_socket_mode and not settings.slack_configured and not settings.teams_configured:
        raise ConfigError("nothing to serve: set SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN (one workspace) "
                          "or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (installs through /slack/install) for Slack, "
                          "or MicrosoftAppId and MicrosoftAppPassword for Teams; see the README, or use "
                          "`nudgebot shell` locally")
    logging.getLogger("nudgebot").setLevel(logging.INFO)
    engine = app.engine()
    engine.purge_old_text()
    web_app = create_app(settings, engine, slack_socket_mode=slack_socket_mode)
    try:
        asyncio.run(serve_app(web_app, host, settings.port if port is None else port,
                              lambda line: click.echo(line, nl=True)))
    finally:
        engine.store.close()


def read_jsonl(stream: TextIO) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, object or None, problem or None) for every non-blank line."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield number, None, f"not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})"
            continue
        if not isinstance(obj, dict):
            yield number, None, "expected a JSON object"
        elif not isinstance(obj.get("text"), str):
            yield number, None, "missing a \"text\" string"
        else:
            yield number, obj, None


def _open_input(path: str | None) -> TextIO:
    if path in (None, "-"):
        stream = click.get_text_stream("stdin", errors="replace")
        if stream.isatty():  # someone typing, not a pipe: say what is expected rather than wait silently
            click.echo('Reading JSON Lines from the terminal, one {"id": …, "text": …} per line; Ctrl-D ends '
                       "(or name a FILE).", err=True)
        return stream
    try:
        return open(path, encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--llm", "use_llm", is_flag=True, help="Also ask the configured LLM about likely decisions.")
@click.option("--rules", "rules_alone", is_flag=True, help="Judge with the rules alone, not the learned detector.")
@click.option("--scores", is_flag=True, help="Add the detector's probability and nudge score to each line.")
@click.pass_obj
def classify(app: App, file: str | None, use_llm: bool, rules_alone: bool, scores: bool) -> None:
    """Judge messages from JSON Lines ({"id":…, "text":…}) and print one verdict per line.

    Reads FILE, or standard input. Lines that cannot be read are reported on stderr with their
    line number, the rest are still judged; the exit code is 1 when any line was skipped.
    With --llm (and OPENAI_API_KEY), likely decisions also get the LLM's second opinion.

    \b
    Example:
        echo '{"id": 1, "text": "We decided to drop IE11."}' | nudgebot classify
    """
    if use_llm and not app.settings.llm_configured:
        raise ConfigError("--llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for an endpoint other than OpenAI's)")
    detector = _detector(app, rules_alone)
    out = click.get_text_stream("stdout")
    skipped = 0
    held: list[dict] = []  # with --llm, judged together at the end
    with _open_input(file) as stream:
        for number, obj, problem in read_jsonl(stream):
            if problem:
                skipped += 1
                click.echo(f"line {number}: {problem}; skipped", err=True)
                continue
            if use_llm:
                held.append(obj)
                continue
            verdict = detector.judge(obj["text"])
            out.write(json.dumps({"id": obj.get("id"), **_shown(verdict, scores)}) + "\n")
    if held:
        from bot import cli_llm

        texts = [obj["text"] for obj in held]
        found = cli_llm.with_assistant(app, lambda assistant: cli_llm.opinions(assistant, texts), detector)
        for obj, verdict in zip(held, cli_llm.verdicts(texts, found, detector, app.principles), strict=True):
            out.write(json.dumps({"id": obj.get("id"), **verdict}) + "\n")
    if skipped:
        click.echo(f"{skipped} line(s) skipped", err=True)
        sys.exit(1)


def _detector(app: App, rules_alone: bool):
    from bot.detector.judge import Detector

    if rules_alone:
        return Detector(app.principles)
    from bot.detector.model import ModelError, shipped_model

    try:
        return Detector(app.principles, model=shipped_model())
    except ModelError as exc:
        raise ConfigError(str(exc)) from None


def _shown(verdict, scores: bool) -> dict:
    shown = verdict.as_dict()
    if verdict.unreadable:
        shown["unreadable"] = verdict.unreadable
    if scores and verdict.probability is not None:
        shown["probability"] = round(verdict.probability, 4)
        shown["nudge_score"] = round(verdict.nudge_score or 0.0, 4)
    return shown


@cli.command("eval")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--cv", "cross_validate", is_flag=True,
              help="Grouped cross-validation of rules, model and hybrid on FILE (folds by thread).")
@click.option("--extra", "extras", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="With --cv: a labelled file to train on but not to measure (repeatable).")
@click.option("--errors", is_flag=True, help="Also list the messages judged wrongly.")
@click.option("--no-llm", "rules_only", is_flag=True, help="Only the rules, even with an LLM configured.")
@click.option("--rules", "rules_alone", is_flag=True, help="Score the rules alone, not the learned detector.")
@click.pass_obj
def eval_(app: App, file: str | None, fmt: str, cross_validate: bool, extras: tuple[str, ...], errors: bool,
          rules_only: bool, rules_alone: bool) -> None:
    """Measure detection on a labelled JSON Lines file (keys: text, kind, customer_rationale).

    With --cv, FILE is the training data: grouped 5-fold cross-validation gives per-kind
    precision/recall/F1, macro-F1 over the three kinds, nudge precision/recall at each
    sensitivity, rationale accuracy, calibration error and figures per register, for the rules
    only, the model only and the hybrid side by side (needs the `train` extra).

    With an LLM configured (OPENAI_API_KEY), the scores with its second opinion follow the rules'
    own; either way the last line says how many messages would go to an LLM.

    \b
    Example:
        nudgebot eval tests/data/heldout.jsonl
        nudgebot eval --cv ../shared/corpus/messages.jsonl --extra tests/data/tune.jsonl
    """
    if cross_validate:
        if file in (None, "-"):
            raise click.UsageError("--cv needs a labelled FILE to cross-validate on")
        from bot.cli_train import eval_cv

        eval_cv([file], extras, fmt)
        return
    detector = _detector(app, rules_alone)
    pairs = []
    with _open_input(file) as stream:
        for number, obj, problem in read_jsonl(stream):
            if problem is None and obj.get("kind") not in KINDS:
                problem = f"\"kind\" must be one of {', '.join(KINDS)}"
            if problem:
                click.echo(f"line {number}: {problem}; skipped", err=True)
                continue
            pairs.append((obj, detector.judge(obj["text"]).as_dict()))
    if not pairs:
        raise InputError("no labelled messages to evaluate")
    report = evaluate(pairs)
    from bot import cli_llm

    sent, with_llm, answered = cli_llm.share([g["text"] for g, _ in pairs], detector), None, None
    if app.settings.llm_configured and not rules_only:
        with_llm, answered = cli_llm.compare(app, pairs, detector)
    if fmt == "json":
        data = report.as_dict()
        if errors:
            data["errors"] = report.errors
        data["llm"] = {**sent, "answered": answered, "with_llm": with_llm.as_dict() if with_llm else None}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(report.render())
    if with_llm is not None:
        click.echo(f"\nWith the LLM ({app.settings.llm_model}) asked about likely decisions:")
        click.echo(with_llm.render())
    click.echo(cli_llm.describe_share(sent, answered))
    if errors:
        for e in (with_llm or report).errors:
            click.echo(f"{e['id']}: want {e['want']}, got {e['got']}: {e['text']}")


@cli.command()
@click.argument("idea", nargs=-1, required=True)
@click.option("--template", is_flag=True, help="The skeleton only, even with an LLM configured.")
@click.pass_obj
def prfaq(app: App, idea: tuple[str, ...], template: bool) -> None:
    """Print a PR/FAQ skeleton for IDEA as Markdown; with an LLM configured, a first draft to edit.

    \b
    Example:
        nudgebot prfaq A meal-planning feature for busy parents
    """
    from datetime import datetime

    from bot import prfaq as drafts

    text = " ".join(idea).strip()
    if not text:
        raise InputError("give the idea, for example: nudgebot prfaq A meal-planning feature for busy parents")
    draft = None
    if app.settings.llm_configured and not template:
        from bot.cli_llm import prfaq_draft

        draft = prfaq_draft(app, text)  # None: the reason is logged, and the skeleton follows
    click.echo(draft or drafts.draft(app.prompts, text, datetime.now(app.settings.zone).date()))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--workspace", help="Only this workspace/tenant id.")
@click.option("--all", "include_all", is_flag=True, help="Include dismissed, withdrawn and deleted rows.")
@click.pass_obj
def export(app: App, fmt: str, workspace: str | None, include_all: bool) -> None:
    """Write the decision log to standard output as CSV or JSON.

    \b
    Example:
        nudgebot export --format csv > decisions.csv
    """
    engine = app.engine()
    rows = [
        r
        for r in engine.store.decisions(include_inactive=include_all)
        if workspace in (None, r["workspace"])
    ]
    for row in rows:
        row["principles"] = json.loads(row["principles"] or "[]")
        row["customer_rationale"] = bool(row["customer_rationale"])
    out = click.get_text_stream("stdout")
    if fmt == "json":
        out.write(json.dumps([{c: r[c] for c in EXPORT_COLUMNS} for r in rows], indent=2) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "principles": ";".join(row["principles"])})


from bot.cli_approvals import approval_rules, approvals  # noqa: E402 - the command lives in its own module

cli.add_command(approvals)
cli.add_command(check)

from bot.cli_digest import digest  # noqa: E402 - its own module, like approvals

cli.add_command(digest)

from bot.cli_teams import teams_package  # noqa: E402 - its own module, like import

cli.add_command(teams_package)


from bot.cli_import import import_  # noqa: E402 - the command lives in its own module, which needs `App`

cli.add_command(import_)

from bot.cli_train import train  # noqa: E402 - its own module, like import

cli.add_command(train)

from bot.cli_inbox import inbox  # noqa: E402 - its own module, like import

cli.add_command(inbox)

# The one line each command gets in `nudgebot --help`, whole at 80 columns (click cuts the first
# sentence of the docstring with "..." where it is longer).
SUMMARIES = {
    "approvals": "Open approval requests, their age and flags.",
    "check": "Validate the settings, principles, prompts and log.",
    "classify": "Judge JSON Lines messages, one verdict per line.",
    "digest": "The weekly digest of decisions lacking a customer.",
    "eval": "Measure detection on a labelled JSON Lines file.",
    "export": "The decision log as CSV or JSON.",
    "import": "Backfill the log from a Slack workspace export.",
    "inbox": "Events not handled yet or parked; retry or drop.",
    "prfaq": "A PR/FAQ skeleton for an idea, as Markdown.",
    "serve": "Run the chat server for Slack and Teams.",
    "shell": "Talk to the bot in a local console.",
    "teams-package": "Write the Teams app package (a zip to upload).",
    "train": "Train the detector from labelled JSON Lines.",
}
for _name, _summary in SUMMARIES.items():
    cli.commands[_name].short_help = _summary


def main() -> None:
    cli(prog_name="nudgebot")
