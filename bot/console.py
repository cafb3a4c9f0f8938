"""`nudgebot shell`: the bot in a terminal, on the same engine as Slack and Teams.

Every input line is a new top-level message from the local user in #general; lines starting
with `/` are the slash commands. Works interactively and with piped stdin.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TextIO

from bot.actions import Action, Logged, Nudge, React, Reminder, Reply, TwoWayDoor, UpdateNudge
from bot.assist import Assistant
from bot.engine import Engine
from bot.errors import NudgebotError
from bot.models import Command, Message, Visibility
from bot.text import clean_control

PLATFORM = "console"
WORKSPACE = "local"
_MENTION = re.compile(r"<@([^>|]+)(?:\|[^>]*)?>")
_GROUP = re.compile(r"<!subteam\^([^>|]+)(?:\|@?([^>]*))?>")
_LINK = re.compile(r"<([^>|]+)\|([^>]*)>")


def _plain(markdown: str) -> str:
    text = _MENTION.sub(r"@\1", markdown)
    text = _GROUP.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    return _LINK.sub(r"\2 (\1)", text)


class Console:
    def __init__(
        self,
        engine: Engine,
        out: TextIO,
        user: str = "you",
        channel: str = "general",
        clock: Callable[[], datetime] | None = None,
        assistant: Assistant | None = None,
    ):
        self.engine = engine
        self.out = out
        self.user = user
        self.channel = channel
        self.clock = clock or engine.clock
        self._ids = itertools.count(1)
        # The optional LLM is async; the console waits for it (at most its timeout) on a loop of its own.
        self.assistant = assistant if assistant is not None and assistant.active else None
        self._loop = asyncio.new_event_loop() if self.assistant else None

    def _llm(self, use):
        """`use(assistant)` awaited, or None without an LLM."""
        return self._loop.run_until_complete(use(self.assistant)) if self.assistant else None

    def _drafted(self, command: Command, actions: list[Action]) -> list[Action]:
        """A `/prfaq` skeleton replaced by the LLM's draft, when there is one."""
        if command.name.lower() != "prfaq" or not any(isinstance(a, Reply) and a.title for a in actions):
            return actions
        draft = self._llm(lambda a: a.prfaq(command))
        return [replace(a, markdown=draft) if draft and isinstance(a, Reply) else a for a in actions]

    def close(self) -> None:
        if self._loop is not None:
            self._loop.run_until_complete(self.assistant.close())
            self._loop.close()
            self._loop = None

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def line(self, text: str) -> None:
        # Commands get the same cleaning as messages: a NUL must not reach a PR/FAQ title or the log.
        text = clean_control(text.rstrip("\r\n"))
        if not text.strip():
            return
        now = self.clock()
        try:
            if text.startswith("/"):
                name, _, rest = text[1:].partition(" ")
                command = Command(
                    platform=PLATFORM,
                    workspace=WORKSPACE,
                    channel=self.channel,
                    visibility=Visibility.PUBLIC,
                    user=self.user,
                    name=name,
                    text=rest,
                    time=now,
                    channel_name=self.channel,
                )
                actions = self._drafted(command, self.engine.command(command))
            else:
                # Unique across console processes sharing one log file.
                ts = f"{now.timestamp():.6f}-{os.getpid()}-{next(self._ids)}"
                message = Message(
                    platform=PLATFORM,
                    workspace=WORKSPACE,
                    channel=self.channel,
                    visibility=Visibility.PUBLIC,
                    thread=ts,
                    ts=ts,
                    author=self.user,
                    text=text,
                    time=now,
                    channel_name=self.channel,
                    author_name=self.user,
                )
                actions = self.engine.handle(message, opinion=self._llm(lambda a: a.opinion(message)))
        except NudgebotError as exc:
            self.say(f"nudgebot › Sorry: {exc}")
            return
        replied = text.startswith("/") and any(isinstance(a, Reply) for a in actions)
        for action in actions:
            if replied and isinstance(action, Logged):  # the command's reply already said what was logged
                if action.held:
                    self.say(f"           (no question asked: {action.held})")
                continue
            self.render(action)
        self.due(now)

    def due(self, now: datetime) -> None:
        """What the servers' timer would send now: approval reminders and two-way-door notes."""
        for action in self.engine.due_reminders(now, platform=PLATFORM):
            self.render(action)

    def render(self, action: Action) -> None:
        if isinstance(action, Nudge):
            buttons = "  ".join(f"[{b.label}]" for b in action.buttons)
            self.say(f"nudgebot › {_plain(action.text)}\n           {buttons}")
        elif isinstance(action, React):
            self.say(f"nudgebot › :{action.emoji}:")
        elif isinstance(action, Logged):
            kind = action.kind.value.replace("_", " ")
            detail = "with its customer" if action.customer_rationale else "without a customer rationale"
            note = f"; no question asked: {action.held}" if action.held else ""
            self.say(f"           (logged {kind} #{action.decision_id}, {detail}{note})")
        elif isinstance(action, Reply):
            self.say(_plain(action.markdown))
        elif isinstance(action, UpdateNudge | Reminder | TwoWayDoor):
            self.say(f"nudgebot › {_plain(action.text)}")

    def run(self, stream: TextIO, interactive: bool) -> None:
        if interactive:
            self.say(
                "Nudgebot console: write a message as you would in #general, or a command "
                "(/prfaq IDEA, /decision TEXT, /digest, /nudgebot help). Ctrl-D quits."
            )
        self.due(self.clock())
        while True:
            if interactive:
                self.out.write("you › ")
                self.out.flush()
            line = stream.readline()
            if not line:
                break
            self.line(line)
        self.close()
        if interactive:
            self.say("")
