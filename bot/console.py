"""`nudgebot shell`: the bot in a terminal, on the same engine as Slack and Teams.

Every line is a new top-level message from you in #general; lines starting with `/` are the slash
commands. Each message has a number: `#3 you › …` as you write it, `#4 nudgebot › …` for what the
bot says in a thread. What Slack shows as buttons (a nudge's answers, Approve / Decline on a
request) are numbered choices: a line holding just `2`, or `/press 2 TEXT`, presses choice 2.
`>3 TEXT` (or `/reply 3 TEXT`) writes in message 3's thread; `/as NAME` writes and presses as
someone else, say the approver. Works interactively and with piped stdin; Ctrl-D or Ctrl-C quits.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.actions import (
    REQUEST_ANSWERS,
    REQUEST_BUTTONS,
    Action,
    Button,
    Logged,
    Nudge,
    React,
    Reminder,
    Reply,
    TwoWayDoor,
    UpdateNudge,
)
from bot.assist import Assistant
from bot.console_input import LineReader, default_history
from bot.console_text import INDENT, choices, plain
from bot.engine import Engine
from bot.errors import InputError, NudgebotError
from bot.models import Command, Kind, Message, Visibility
from bot.text import clean_control

PLATFORM = "console"
WORKSPACE = "local"
HELP = (
    "Write a message as you would in Slack, or a command (/prfaq IDEA, /decision TEXT, /digest, "
    "/nudgebot help).\n"
    "Press a choice by its number (2, or /press 2 TEXT); reply in message 3's thread with >3 TEXT "
    "(or /reply 3 TEXT); /as NAME writes as someone else; /help shows this; Ctrl-D or Ctrl-C quits."
)
WORDS = ("/prfaq ", "/decision ", "/digest", "/nudgebot help", "/nudgebot status", "/nudgebot mute ",
         "/nudgebot unmute", "/nudgebot sensitivity ", "/nudgebot digest ", "/press ", "/reply ", "/as ", "/help")
_NUMBER = re.compile(r"^\s*\[?(\d{1,9})\]?\s*$")
_PRESS = re.compile(r"^\[?(\d{1,9})\]?(?:\s+(.*))?$", re.S)
_REPLY = re.compile(r"^>#?(\d{1,9})\s+(\S.*)$", re.S)
_REPLY_ARGS = re.compile(r"^#?(\d{1,9})\s+(\S.*)$", re.S)
_NAME = re.compile(r"^<?@?([\w.\-]{1,40})>?$")


@dataclass(frozen=True, slots=True)
class Choice:
    """One numbered choice: a button on the bot's message `message`, for decision or request `target`."""

    button: Button
    target: int
    message: int


class Console:
    """One person's session in one channel: what they type goes to the engine as Slack's events,
    commands and button presses would, and what the engine answers is printed."""

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
        self.me = self.user = user
        self.channel = channel
        self.clock = clock or engine.clock
        self._ids = itertools.count(1)
        self._numbers = itertools.count(1)
        self._next = next(self._numbers)
        self._threads: dict[int, str] = {}  # message number → the thread it is in
        self._by_ts: dict[str, int] = {}  # a message you wrote → its number
        self._choices: dict[int, Choice] = {}
        self._nudges: dict[int, int] = {}  # decision id → the number of the message asking about it
        self._answered: set[int] = set()  # decisions whose question was answered: its choices are gone
        self._requests: dict[str, int] = {}  # thread → the approval request it holds
        self._requesters: dict[int, str] = {}
        self._form: Choice | None = None  # "Add customer rationale" pressed: the next line is the rationale
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

    def note(self, text: str) -> None:
        """A line of the console's own, under the bot's message."""
        self.say(f"{INDENT}({text})")

    def _post(self, thread: str) -> int:
        """The next message number, for a message in `thread`."""
        number, self._next = self._next, next(self._numbers)
        self._threads[number] = thread
        return number

    # -- a line typed -----------------------------------------------------------------------

    def prompt(self) -> str:
        if self._form is not None:
            return "rationale › "
        return f"#{self._next} {self.user} › "

    def line(self, text: str) -> None:
        # Commands get the same cleaning as messages: a NUL must not reach a PR/FAQ title or the log.
        text = clean_control(text.rstrip("\r\n"))
        now = self.clock()
        try:
            if self._form is not None and self._interrupts_form(text.strip()):
                self._form = None
                self.note("rationale cancelled: nothing saved")
            if self._form is not None:
                self._rationale(text.strip())
            elif not text.strip():
                return
            elif not self._console_command(text.strip()):
                if text.startswith("/"):
                    self._command(text, now)
                else:
                    self._message(text, now)
        except NudgebotError as exc:
            self.say(f"nudgebot › Sorry: {exc}")
            return
        self.due(now)

    @staticmethod
    def _interrupts_form(text: str) -> bool:
        """A command, a press or a reply typed where the rationale was asked for."""
        return text.startswith("/") or bool(_NUMBER.match(text) or _REPLY.match(text))

    def _console_command(self, text: str) -> bool:
        """Presses, replies, `/as` and `/help`, which the console answers itself; False for the rest."""
        if _NUMBER.match(text) and self._choices:
            self._press(int(_NUMBER.match(text).group(1)), None)
            return True
        reply = _REPLY.match(text)
        if reply:
            self._reply(int(reply.group(1)), reply.group(2))
            return True
        name, _, rest = text.partition(" ")
        name, rest = name.lower(), rest.strip()
        if name == "/press":
            press = _PRESS.match(rest)
            if press is None:
                self.say("nudgebot › Press a choice by its number: `/press 2`, or `/press 1 TEXT` with the rationale.")
            else:
                self._press(int(press.group(1)), (press.group(2) or "").strip() or None)
        elif name == "/reply":
            args = _REPLY_ARGS.match(rest)
            if args is None:
                self.say("nudgebot › Reply in a thread by the number of one of its messages: `/reply 3 TEXT`.")
            else:
                self._reply(int(args.group(1)), args.group(2))
        elif name == "/as":
            self._as(rest)
        elif name == "/help":
            self.say(HELP)
        else:
            return False
        return True

    def _command(self, text: str, now: datetime) -> None:
        name, _, rest = text[1:].partition(" ")
        command = Command(platform=PLATFORM, workspace=WORKSPACE, channel=self.channel,
                          visibility=Visibility.PUBLIC, user=self.user, name=name, text=rest, time=now,
                          channel_name=self.channel)
        actions = self._drafted(command, self.engine.command(command))
        replied = any(isinstance(a, Reply) for a in actions)
        for action in actions:
            if replied and isinstance(action, Logged):  # the command's reply already said what was logged
                if action.held:
                    self.note(f"no question asked: {action.held}")
                continue
            self.render(action)

    def _message(self, text: str, now: datetime, thread: str | None = None) -> None:
        """A message from you: top-level, or in `thread`."""
        # Unique across console processes sharing one log file.
        ts = f"{now.timestamp():.6f}-{os.getpid()}-{next(self._ids)}"
        self._by_ts[ts] = self._post(thread or ts)
        message = Message(platform=PLATFORM, workspace=WORKSPACE, channel=self.channel,
                          visibility=Visibility.PUBLIC, thread=thread or ts, ts=ts, author=self.user,
                          text=text, time=now, channel_name=self.channel, author_name=self.user)
        request = self._requests.get(message.thread) if thread else None
        before = self._state(request)
        actions = self.engine.handle(message, opinion=self._llm(lambda a: a.opinion(message)))
        for action in actions:
            self.render(action)
            if isinstance(action, Logged) and action.kind == Kind.APPROVAL_REQUEST and not action.updated:
                self._requests.setdefault(message.thread, action.decision_id)
                self._requesters[action.decision_id] = message.author
                self._offer(REQUEST_BUTTONS, action.decision_id, self._by_ts[ts], lead="for the approvers: ")
        after = self._state(request)
        if after != before and after is not None:
            self.note(f"approval request #{request} is now {after}")

    def _state(self, request: int | None) -> str | None:
        row = self.engine.decision(PLATFORM, WORKSPACE, request) if request is not None else None
        return row["approval_state"] if row else None

    def _reply(self, number: int, text: str) -> None:
        thread = self._threads.get(number)
        if thread is None:
            self.say(f"nudgebot › There is no message #{number} here. Reply to a message by its number: >3 TEXT")
            return
        self._message(text, self.clock(), thread=thread)

    def _as(self, name: str) -> None:
        found = _NAME.match(name) if name else None
        if name and found is None:
            self.say("nudgebot › Write as someone else by their name: `/as bob` (`/as` alone is you again).")
            return
        self.user = found.group(1) if found else self.me
        back = f"; /as alone makes you @{self.me} again" if self.user != self.me else ""
        self.note(f"you are now @{self.user} in #{self.channel}{back}")

    # -- choices ----------------------------------------------------------------------------

    def _offer(self, buttons: tuple[Button, ...], target: int, message: int, lead: str = "") -> None:
        numbered = []
        for button in buttons:
            number = len(self._choices) + 1
            self._choices[number] = Choice(button, target, message)
            numbered.append((number, button.label))
        self.say(choices(numbered, lead))

    def _press(self, number: int, text: str | None) -> None:
        """Choice `number` pressed: the engine call its Slack button makes."""
        choice = self._choices.get(number)
        if choice is None:
            self.say(f"nudgebot › There is no choice [{number}]. Choices are the numbers in brackets.")
            return
        action = choice.button.action
        if action in REQUEST_ANSWERS:
            try:
                said = self.engine.answer_request(PLATFORM, WORKSPACE, choice.target, self.user,
                                                  REQUEST_ANSWERS[action], self.user)
            except InputError as exc:
                said = str(exc)
            self.say(f"nudgebot › {plain(said)}")
            if self._requesters.get(choice.target) == self.user:
                self.note("an approver answers: /as NAME first, then press")
            return
        if choice.target in self._answered:
            self.say(f"nudgebot › Choice [{number}] is gone: the question in #{choice.message} was answered.")
            return
        if action == "add_rationale" and not text:
            self._form = choice
            self.note(f"{self.engine.question} One line; an empty one cancels")
            return
        self._answer(choice, text)

    def _rationale(self, text: str) -> None:
        choice, self._form = self._form, None
        if not text:
            self.note("cancelled: nothing saved")
            return
        self._answer(choice, text)

    def _answer(self, choice: Choice, text: str | None) -> None:
        rationale = text if choice.button.action == "add_rationale" else None
        for action in self.engine.answer(PLATFORM, WORKSPACE, choice.target, choice.button.action, self.user,
                                         rationale=rationale):
            self.render(action)

    # -- what the bot says ------------------------------------------------------------------

    def due(self, now: datetime) -> None:
        """What the servers' timer would send now: approval reminders and two-way-door notes."""
        for action in self.engine.due_reminders(now, platform=PLATFORM):
            self.render(action)

    def _in_thread(self, thread: str, text: str) -> int:
        number = self._post(thread)
        lines = plain(text).splitlines() or [""]
        self.say("\n".join([f"#{number} nudgebot › {lines[0]}", *lines[1:]]))
        return number

    def render(self, action: Action) -> None:
        if isinstance(action, Nudge):
            number = self._in_thread(action.thread, action.text)
            self._nudges[action.decision_id] = number
            self._offer(action.buttons, action.decision_id, number)
        elif isinstance(action, React):
            on = self._by_ts.get(action.ts)
            self.say(f"nudgebot › {plain(f':{action.emoji}:')}" + (f" on #{on}" if on else ""))
        elif isinstance(action, Logged):
            self._logged(action)
        elif isinstance(action, Reply):
            # A titled reply (a PR/FAQ) is a Markdown document to copy; the rest is chat markup.
            self.say(action.markdown if action.title else plain(action.markdown))
        elif isinstance(action, UpdateNudge):
            self._answered.add(action.decision_id)
            number = self._nudges.get(action.decision_id)
            self.say((f"#{number} " if number else "") + f"nudgebot › {plain(action.text)} (edited)")
        elif isinstance(action, Reminder | TwoWayDoor):
            number = self._in_thread(action.thread, action.text)
            self._requests.setdefault(action.thread, action.request_id)
            self._requesters.setdefault(action.request_id, action.requester)
            if isinstance(action, Reminder):
                self._offer(action.buttons, action.request_id, number)

    def _logged(self, action: Logged) -> None:
        kind = action.kind.value.replace("_", " ")
        detail = "with its customer" if action.customer_rationale else "without a customer rationale"
        held = f"; no question asked: {action.held}" if action.held else ""
        self.note(f"logged {kind} #{action.decision_id}, {detail}{held}")
        if action.door_held:
            self.note(f"the two-way-door note is held {action.door_held}")

    # -- the session ------------------------------------------------------------------------

    def run(self, stream: TextIO, interactive: bool, history: Path | None = None) -> None:
        """Read lines until the end of input, Ctrl-D or Ctrl-C; either way the session ends quietly."""
        reader = None
        try:
            if interactive:
                self.say(f"Nudgebot console, in #{self.channel} as @{self.user}. {HELP}")
            reader = LineReader(stream, self.out, interactive, history or default_history(), WORDS)
            self.due(self.clock())
            while (line := reader.read(self.prompt())) is not None:
                self.line(line)
        except KeyboardInterrupt:
            pass
        finally:
            if reader is not None:
                reader.close()
            self.close()
        if interactive:
            self.say("")
