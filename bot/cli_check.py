"""`nudgebot check`, and the start-up checks it shares with `serve`: whatever `serve` refuses, `check`
refuses first, with the same line and exit code."""

from __future__ import annotations

import click

from bot import store_file
from bot.config import unknown_variables
from bot.errors import ConfigError

SOCKET_MODE_HELP = "Connect to Slack over Socket Mode (SLACK_APP_TOKEN) instead of receiving its HTTP requests."


def ready(app, slack_socket_mode: bool = False) -> bool:
    """Refuse what `serve` cannot start with: settings (exit 2, naming the variable), principles.yaml,
    the prompts, and a decision log that is corrupt, newer, not Nudgebot's or not writable (exit 3). The
    log is only read, never created or migrated. Misspelt NUDGEBOT_* names are warned about on stderr.

    True when the log file exists, False when `serve` would create it.
    """
    settings = app.settings
    for warning in unknown_variables():
        click.echo(f"Warning: {warning}", err=True)
    for problem in (settings.slack_problem(socket_mode=slack_socket_mode), settings.teams_problem()):
        if problem:
            raise ConfigError(f"Configuration error: {problem}")
    app.principles  # noqa: B018 - loading them is the check: PrinciplesError names file, entry and field
    for name in app.prompts.names():
        app.prompts.validate(name)
    return store_file.inspect(settings.db)


@click.command()
@click.option("--slack-socket-mode", is_flag=True, help="Check for `serve --slack-socket-mode`.")
@click.pass_obj
def check(app, slack_socket_mode: bool) -> None:
    """Validate the configuration, principles.yaml, the prompts and the decision log (read-only), as
    `serve` does before it starts; say which platforms are set up.

    Exits 2 with one line naming the variable wherever `serve` would refuse to start, 3 when the log is
    corrupt, from a newer Nudgebot or not writable. An unknown NUDGEBOT_* name is a warning naming the
    closest setting.

    \b
    Example:
        nudgebot check
    """
    settings = app.settings
    exists = ready(app, slack_socket_mode)
    platforms = settings.platforms()
    log = f"{settings.db}" if exists else f"{settings.db} (not created yet: serve or shell creates it)"
    click.echo(f"Configuration OK. Principles: {len(app.principles)} from {settings.principles}.")
    click.echo(f"Decision log: {log}. Time zone: {settings.timezone}.")
    if platforms:
        click.echo(f"Platforms configured: {', '.join(platforms)}.")
    else:
        click.echo("Platforms configured: none (the console works without any: nudgebot shell).")
    if settings.teams_dev:
        click.echo("WARNING: NUDGEBOT_TEAMS_DEV=1 turns Bot Framework authentication off. Never in production.")
    llm = f"on, model {settings.llm_model}" if settings.llm_configured else "off (rules and templates only)"
    click.echo(f"LLM: {llm}.")
    held = store_file.queues(settings.db) if exists else None
    if held:
        inbox, outbox = held
        if inbox.get("pending") or inbox.get("parked"):
            click.echo(f"Inbox: {inbox.get('pending', 0)} event(s) waiting to be handled, {inbox.get('parked', 0)} "
                       "parked after repeated failures (`nudgebot inbox` lists them).")
        waiting = sum(outbox.get(s, 0) for s in ("pending", "sending", "unsure"))
        gave_up = outbox.get("failed", 0) + outbox.get("expired", 0)
        if waiting or gave_up:
            click.echo(f"Outbox: {waiting} message(s) waiting to be sent, {gave_up} given up.")
