"""`/nudgebot sensitivity …`: how readily the bot asks in a channel, and the workspace's default.

A channel's own choice wins; without one the workspace's default applies, and without that, normal.
The detector turns each sensitivity into a threshold on its nudge score (bot/detector/judge.py).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import replace
from datetime import datetime

from bot.actions import Reply
from bot.detector.judge import Detector
from bot.models import ChannelSettings, Command, Message, Sensitivity, Verdict
from bot.store import Store

# What each one means to the people in the channel (the thresholds behind them are the detector's).
MEANINGS = {
    Sensitivity.QUIET: "I ask only when very sure, so about 9 in 10 of my questions are about a real decision "
                       "that names no customer; some such decisions go unasked",
    Sensitivity.NORMAL: "about 8 in 10 of my questions are right",
    Sensitivity.EAGER: "I ask more often, so fewer decisions slip by, but more of my questions will be off",
}
USAGE = ("`/nudgebot sensitivity quiet|normal|eager` sets this channel; "
         "`/nudgebot sensitivity default quiet|normal|eager` sets the workspace default")
BELOW = "below this channel's sensitivity"


def effective(store: Store, platform: str, workspace: str, settings: ChannelSettings) -> tuple[Sensitivity, bool]:
    """The sensitivity that applies in a channel, and whether it is the channel's own choice."""
    if settings.sensitivity is not None:
        return settings.sensitivity, True
    return store.workspace_sensitivity(platform, workspace) or Sensitivity.NORMAL, False


def unsure(
    store: Store, detector: Detector, message: Message, verdict: Verdict, settings: ChannelSettings
) -> str | None:
    """Why the detector is not sure enough to ask about a verdict naming no customer in this channel, or None."""
    level, _ = effective(store, message.platform, message.workspace, settings)
    if detector.asks(verdict, level):
        return None
    if verdict.unreadable:
        return f"the detector cannot judge it ({verdict.unreadable})"
    return f"{BELOW} ({level.value})"


def status_line(store: Store, platform: str, workspace: str, settings: ChannelSettings) -> str:
    value, own = effective(store, platform, workspace, settings)
    source = "set for this channel" if own else "the workspace default"
    return f"Sensitivity: {value.value} ({source}); `/nudgebot sensitivity` says what each one means."


def answer(store: Store, cmd: Command, words: str, now: datetime, modelled: Container[Sensitivity]) -> Reply:
    """Show or change the channel's sensitivity, or the workspace's default. A change is said to the channel.
    `modelled`: the sensitivities the detector has a threshold for; the others ask exactly as the rules do."""
    scope = (cmd.platform, cmd.workspace)
    settings = store.channel_settings(*scope, cmd.channel)
    words = words.lower().split()
    default = bool(words) and words[0] == "default"
    if default:
        words = words[1:]
    if not words:
        return Reply(_describe(store, cmd, settings, modelled, default))
    chosen = _parse(" ".join(words))
    if chosen is None:
        return Reply(f"`{' '.join(words)}` is not a sensitivity. Choose quiet, normal or eager: {USAGE}.")
    note = _rules_note(chosen, modelled)
    if default:
        store.save_workspace_sensitivity(*scope, chosen, cmd.user, now)
        text = (f"<@{cmd.user}> set the workspace's default sensitivity to *{chosen.value}*: "
                f"{MEANINGS[chosen]}. Channels that chose their own keep it")
        if settings.sensitivity is not None:
            text += f"; this one keeps *{settings.sensitivity.value}*"
        return Reply(f"{text}.{note}", ephemeral=False)
    store.save_channel_settings(*scope, cmd.channel, replace(settings, sensitivity=chosen), now)
    return Reply(f"<@{cmd.user}> set my sensitivity in this channel to *{chosen.value}*: {MEANINGS[chosen]}. "
                 f"Decisions are still logged whatever the sensitivity.{note}", ephemeral=False)


def _describe(store: Store, cmd: Command, settings: ChannelSettings, modelled: Container[Sensitivity],
              default: bool) -> str:
    if default:
        value = store.workspace_sensitivity(cmd.platform, cmd.workspace) or Sensitivity.NORMAL
        head = f"The workspace's default sensitivity is *{value.value}*."
    else:
        value, own = effective(store, cmd.platform, cmd.workspace, settings)
        head = (f"Sensitivity in this channel: *{value.value}* "
                f"({'set for this channel' if own else 'the workspace default'}).")
    meanings = [f"• `{s.value}`: {MEANINGS[s]}." for s in Sensitivity]
    tail = f"Decisions are logged at every sensitivity. {USAGE}.{_rules_note(value, modelled)}"
    return "\n".join([head, *meanings, tail])


def _parse(word: str) -> Sensitivity | None:
    return next((s for s in Sensitivity if s.value == word), None)


def _rules_note(value: Sensitivity, modelled: Container[Sensitivity]) -> str:
    if value in modelled:
        return ""
    return " (For now this server decides with its rules alone, which ask the same at every sensitivity.)"
