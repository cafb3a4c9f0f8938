"""`/nudgebot digest here | off | dms on | dms off`: where a workspace's weekly digest goes, set from chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.actions import Reply
from bot.digest_store import DigestSettings, save_settings, settings_for
from bot.models import Command
from bot.store import Store

USAGE = "`/nudgebot digest here` · `/nudgebot digest off` · `/nudgebot digest dms on|off`"


def describe(settings: DigestSettings) -> str:
    if settings.enabled is False:
        where = f"not posted in a channel (turned off by <@{settings.updated_by}>)"
    elif settings.channel:
        where = f"posted in <#{settings.channel}>"
    else:
        where = "posted in the channel the admin configured (NUDGEBOT_DIGEST_CHANNEL), if any"
    dms = "each author also gets their own items by DM" if settings.dms else "no DMs to authors"
    return f"Weekly digest: {where}; {dms}."


def answer(store: Store, cmd: Command, words: str, now: datetime) -> Reply:
    """Change (or show) the workspace's digest settings. A change is announced to the whole channel."""
    scope = (cmd.platform, cmd.workspace)
    current = settings_for(store, *scope)
    verb = " ".join(words.lower().split())
    if verb in ("", "status"):
        return Reply(f"{describe(current)}\n{USAGE}")
    if verb == "here":
        changed = replace(current, channel=cmd.channel, enabled=True, updated_by=cmd.user)
        text = (f"<@{cmd.user}> chose this conversation for the weekly customer rationale digest: last week's "
                "decisions lacking a customer, the trend and approval waits. It shows items from public channels "
                "and from this conversation only. If I am not a member here yet, invite me.")
    elif verb == "off":
        changed = replace(current, channel=None, enabled=False, updated_by=cmd.user)
        text = f"<@{cmd.user}> turned the weekly digest off for channels. `/nudgebot digest here` turns it back on."
    elif verb in ("dms on", "dms off"):
        on = verb.endswith("on")
        changed = replace(current, dms=on, updated_by=cmd.user)
        text = (f"<@{cmd.user}> turned {'on' if on else 'off'} weekly DMs: each author "
                f"{'gets' if on else 'no longer gets'} a private list of their own decisions lacking a customer.")
    else:
        return Reply(f"Unknown digest option `{verb}`. Try {USAGE}.")
    save_settings(store, *scope, changed, now)
    return Reply(text, ephemeral=False)
