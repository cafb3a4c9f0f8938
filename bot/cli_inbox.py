"""`nudgebot inbox`: the events `serve` received and has not handled yet, or parked after they kept
failing, and the messages waiting to be sent (bot/queue_store.py). `retry` puts parked events back for
the next try (a running `serve` takes them within a minute, else at its next start); `drop` deletes
them, their words with them."""

from __future__ import annotations

import json

import click

from bot.errors import InputError
from bot.models import iso, parse_time
from bot.queue_store import InboxItem

STATES = ("pending", "parked")


def _store(app):
    from bot.store import Store

    path = app.settings.db
    return Store.open(path) if path.exists() else None


def _event_type(item: InboxItem) -> str:
    event = item.payload.get("event") if isinstance(item.payload, dict) else None
    if isinstance(event, dict):
        subtype = event.get("subtype")
        return f"{event.get('type', '?')}{'/' + subtype if subtype else ''}"
    return str(item.payload.get("type", "?")) if isinstance(item.payload, dict) else "?"


def _shown(item: InboxItem) -> dict:
    """What an admin sees of a kept event: never its words."""
    return {"id": item.id, "platform": item.platform, "workspace": item.workspace, "event_id": item.event_id,
            "event": _event_type(item), "received_at": iso(item.received_at), "state": item.state,
            "attempts": item.attempts, "error": item.error}


def _line(item: dict) -> str:
    tried = f", {item['attempts']} failed tr{'y' if item['attempts'] == 1 else 'ies'}" if item["attempts"] else ""
    error = f", last error {item['error']}" if item["error"] else ""
    return (f"#{item['id']}  {item['state']:<7}  {item['platform']} {item['workspace']}  {item['event']}  "
            f"{item['event_id']}  received {parse_time(item['received_at']):%Y-%m-%d %H:%M} UTC{tried}{error}")


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--state", type=click.Choice(STATES), help="Only events in this state.")
@click.option("--workspace", help="Only this workspace/tenant id.")
@click.pass_context
def inbox(ctx: click.Context, fmt: str, state: str | None, workspace: str | None) -> None:
    """List the events received but not handled yet (pending) or set aside after repeated failures
    (parked), and what waits to be sent; `retry` and `drop` act on parked events.

    \b
    Examples:
        nudgebot inbox
        nudgebot inbox --state parked --format json
        nudgebot inbox retry 17        (or: retry --all)
        nudgebot inbox drop 17         (or: drop --all)
    """
    if ctx.invoked_subcommand is not None:
        return
    store = _store(ctx.obj)
    if store is None:
        click.echo(f"No decision log yet at {ctx.obj.settings.db}: the inbox is empty.")
        return
    try:
        items = [_shown(i) for i in store.inbox_items(state, workspace)]
        outbox = store.outbox_counts()
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps({"inbox": items, "outbox": outbox}, indent=2))
        return
    if not items:
        click.echo("The inbox is empty: every event received has been handled.")
    else:
        parked = sum(1 for i in items if i["state"] == "parked")
        click.echo(f"{len(items)} event(s) kept, {parked} parked:")
        for item in items:
            click.echo(_line(item))
        if parked:
            click.echo("`nudgebot inbox retry ID|--all` tries parked events again; `drop ID|--all` deletes them.")
    waiting = sum(outbox.get(s, 0) for s in ("pending", "sending", "unsure"))
    given_up = outbox.get("failed", 0) + outbox.get("expired", 0)
    click.echo(f"Outbox: {waiting} message(s) waiting to be sent, {outbox.get('sent', 0)} sent, "
               f"{given_up} given up.")


def _parked_action(app, item_id: int | None, every: bool, act: str) -> None:
    if (item_id is None) == (not every):
        raise click.UsageError("name one parked event's ID, or --all")
    store = _store(app)
    if store is None:
        raise InputError(f"no decision log at {app.settings.db}, so no parked events")
    try:
        if item_id is not None and not [i for i in store.inbox_items("parked") if i.id == item_id]:
            held = [i.id for i in store.inbox_items("parked")]
            raise InputError(f"no parked event #{item_id}"
                             + (f"; parked: {', '.join(f'#{i}' for i in held)}" if held else "; none is parked"))
        count = (store.inbox_retry if act == "retry" else store.inbox_drop)(item_id)
    finally:
        store.close()
    if act == "retry":
        click.echo(f"{count} parked event(s) will be tried again: by a running `serve` within a minute, "
                   "else when it next starts.")
    else:
        click.echo(f"{count} parked event(s) deleted.")


@inbox.command()
@click.argument("item_id", metavar="ID", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every parked event.")
@click.pass_obj
def retry(app, item_id: int | None, every: bool) -> None:
    """Try a parked event (or every one) again."""
    _parked_action(app, item_id, every, "retry")


@inbox.command()
@click.argument("item_id", metavar="ID", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every parked event.")
@click.pass_obj
def drop(app, item_id: int | None, every: bool) -> None:
    """Delete a parked event (or every one), and its words with it."""
    _parked_action(app, item_id, every, "drop")

