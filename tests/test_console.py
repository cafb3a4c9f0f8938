"""`nudgebot shell` as a peer of Slack: numbered choices for the bot's buttons, threads by message
number, holds said in one line, readable markup, readline at a terminal, and a quiet exit."""

from __future__ import annotations

import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT
from test_cli import THEIR_VARIABLES, Run

from bot.console_text import plain

LAUNCH = "We decided to move the launch to next Friday."
POSTGRES = "We decided to go with Postgres for the new service."
REQUEST = "@bob can you approve the offsite budget?"
DOOR = "@bob can you approve shipping the new onboarding copy behind a feature flag?"
QUESTION = "Quick question about this decision: Who is the customer, and how does this help them?"
CHOICES = "           [1] Add customer rationale  [2] Not customer-facing  [3] Not a decision  [4] Mute in this channel"
TIMEOUT = 60
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Shell:
    """`python -m bot shell` in an empty directory, its log and its home there too."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.db = cwd / "nudgebot.db"
        self.home = cwd / "home"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
        self.env.update(NUDGEBOT_DB=str(self.db), HOME=str(self.home))

    def __call__(self, *lines: str, env: dict[str, str] | None = None) -> Run:
        """The shell with these lines piped in."""
        done = subprocess.run(
            [sys.executable, "-m", "bot", "shell"], input="".join(f"{line}\n" for line in lines).encode(),
            capture_output=True, cwd=self.cwd, env={**self.env, **(env or {})}, timeout=TIMEOUT,
        )
        return Run(done.returncode, done.stdout.decode(), done.stderr.decode())

    def row(self, sql: str) -> tuple:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchone()
        finally:
            conn.close()


@pytest.fixture
def shell(tmp_path) -> Shell:
    return Shell(tmp_path)


def read_until(fd: int, marker: bytes, seen: bytearray, start: int = 0, timeout: float = TIMEOUT) -> bytes:
    """Read from `fd` into `seen` until `marker` is in it past `start` (or the stream ends, or the
    timeout passes)."""
    deadline = time.monotonic() + timeout
    while marker not in seen[start:] and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    return bytes(seen)


# -- choices ----------------------------------------------------------------------------------


def test_a_nudge_is_message_2_with_its_buttons_as_numbered_choices(shell):
    """Under your message #1 the bot's question is message #2, its four buttons choices [1]–[4]."""
    result = shell(LAUNCH)

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == f"#2 nudgebot › {QUESTION}"
    assert CHOICES in result.out.splitlines()


def test_pressing_not_a_decision_dismisses_it_and_edits_the_question(shell):
    """A line holding just `3` presses "Not a decision": message #2 becomes the thanks, the row is dismissed."""
    result = shell(LAUNCH, "3")

    assert result.out.splitlines()[-1] == "#2 nudgebot › Thanks @you: dismissed, not a decision. (edited)"
    assert shell.row("SELECT status FROM decisions") == ("dismissed",)


def test_add_customer_rationale_asks_for_it_and_saves_the_next_line(shell):
    """Pressing [1] asks the customer question; the next line is saved as the rationale."""
    result = shell(LAUNCH, "1", "Beta testers: two more days to try it.")

    assert result.out.splitlines()[-2:] == [
        "           (Who is the customer, and how does this help them? One line; an empty one cancels)",
        "#2 nudgebot › Thanks @you: customer rationale added. Beta testers: two more days to try it. (edited)",
    ]
    assert shell.row("SELECT rationale, customer_rationale FROM decisions") == (
        "Beta testers: two more days to try it.", 1)


def test_press_with_text_adds_the_rationale_at_once(shell):
    """`/press 1 TEXT` saves TEXT as the rationale without asking."""
    result = shell(LAUNCH, "/press 1 Beta testers")

    assert result.out.splitlines()[-1] == "#2 nudgebot › Thanks @you: customer rationale added. Beta testers (edited)"


def test_an_empty_rationale_cancels_and_saves_nothing(shell):
    """An empty line where the rationale was asked for cancels the form."""
    result = shell(LAUNCH, "1", "")

    assert result.out.splitlines()[-1] == "           (cancelled: nothing saved)"
    assert shell.row("SELECT rationale, customer_rationale FROM decisions") == (None, 0)


def test_the_choices_of_an_answered_question_are_gone(shell):
    """Once the question is answered, pressing another of its choices says so and changes nothing."""
    result = shell(LAUNCH, "2", "3")

    assert result.out.splitlines()[-1] == "nudgebot › Choice [3] is gone: the question in #2 was answered."
    assert shell.row("SELECT status FROM decisions") == ("active",)


def test_a_choice_that_does_not_exist_is_named(shell):
    """`/press 9` with four choices shown says there is no choice [9]."""
    result = shell(LAUNCH, "/press 9")

    assert result.out.splitlines()[-1] == "nudgebot › There is no choice [9]. Choices are the numbers in brackets."


def test_a_number_is_a_message_while_nothing_can_be_pressed(shell):
    """A line holding just a number, with no choice shown yet, is an ordinary message."""
    result = shell("2")

    assert (result.code, result.out, result.err) == (0, "", "")


# -- approval requests and threads ------------------------------------------------------------


def test_an_approval_request_offers_approve_and_decline(shell):
    """A request gets Approve and Decline as choices for its approvers."""
    result = shell(REQUEST)

    assert "           for the approvers: [5] Approve  [6] Decline" in result.out.splitlines()


def test_an_approver_approves_in_the_requests_thread(shell):
    """As @bob, `>1 Approved` in the request's thread approves it, and the console says so."""
    result = shell(REQUEST, "/as bob", ">1 Approved, enjoy the offsite.")

    assert result.out.splitlines()[-2:] == [
        "           (you are now @bob in #general; /as alone makes you @you again)",
        "           (approval request #1 is now approved)",
    ]
    assert shell.row("SELECT approval_state FROM decisions") == ("approved",)


def test_an_approver_declines_in_the_requests_thread(shell):
    """As @bob, `/reply 2 Declined, over budget.` (the nudge's number) declines the request."""
    result = shell(REQUEST, "/as bob", "/reply 2 Declined, over budget.")

    assert result.out.splitlines()[-1] == "           (approval request #1 is now declined)"
    assert shell.row("SELECT approval_state FROM decisions") == ("declined",)


def test_an_approver_presses_approve(shell):
    """As @bob, pressing Approve answers the request, as the Slack button does."""
    result = shell(REQUEST, "/as bob", "5")

    assert result.out.splitlines()[-1] == "nudgebot › Thanks: your approval is recorded. The request is now approved."
    assert shell.row("SELECT approval_state FROM decisions") == ("approved",)


def test_the_requester_pressing_decline_is_told_who_may_answer(shell):
    """The requester's own press is refused with the engine's reason and a pointer to `/as`."""
    result = shell(REQUEST, "6")

    assert result.out.splitlines()[-2:] == [
        "nudgebot › You asked for this approval, so someone else has to answer it.",
        "           (an approver answers: /as NAME first, then press)",
    ]
    assert shell.row("SELECT approval_state FROM decisions") == ("open",)


def test_a_reply_to_a_message_that_does_not_exist_is_named(shell):
    """`>7 TEXT` before there is a message #7 says so, and logs nothing."""
    result = shell(">7 Approved")

    assert result.out == "nudgebot › There is no message #7 here. Reply to a message by its number: >3 TEXT\n"


def test_help_says_how_to_press_reply_and_speak_as_someone_else(shell):
    """`/help` prints the console's own help: presses, replies, `/as`, and how to quit."""
    result = shell("/help")

    assert result.out.splitlines()[1] == (
        "Press a choice by its number (2, or /press 2 TEXT); reply in message 3's thread with >3 TEXT "
        "(or /reply 3 TEXT); /as NAME writes as someone else; /help shows this; Ctrl-D or Ctrl-C quits.")


def test_a_command_where_the_rationale_was_asked_for_cancels_the_form(shell):
    """After pressing [1], a slash command cancels the rationale form and runs."""
    result = shell(LAUNCH, "1", "/nudgebot status")

    assert "           (rationale cancelled: nothing saved)" in result.out.splitlines()
    assert "Nudgebot in this channel" in result.out.splitlines()
    assert shell.row("SELECT customer_rationale FROM decisions") == (0,)


# -- holds ------------------------------------------------------------------------------------


def test_a_question_held_by_the_cooldown_is_said_in_one_line(shell):
    """The second decision within ten minutes is logged, and one line says why it is not asked about."""
    result = shell(LAUNCH, POSTGRES)

    assert result.out.splitlines()[-1] == (
        "           (logged decision #2, without a customer rationale; no question asked: "
        "the author was asked less than a minute ago (cooldown 10 min))")
    assert result.out.count("nudgebot ›") == 1


def test_a_two_way_door_note_held_until_working_hours_is_said_then_comes(shell):
    """Outside working hours one line says the two-way-door note waits for them; in working hours it comes."""
    tomorrow = DAYS[(datetime.now(UTC).weekday() + 1) % 7]
    closed = {"NUDGEBOT_WORKING_DAYS": tomorrow, "NUDGEBOT_WORKING_HOURS": "09:00-17:00"}

    held = shell(DOOR, env=closed)
    later = shell(env={"NUDGEBOT_WORKING_DAYS": "mon-sun", "NUDGEBOT_WORKING_HOURS": "00:00-24:00"})

    assert (f"           (the two-way-door note is held until working hours, {tomorrow.title()} 09:00–17:00 UTC)"
            in held.out.splitlines())
    assert "two-way door (" not in held.out
    assert later.out.startswith("#1 nudgebot › @you, this looks like a two-way door (“behind a feature flag”)")


# -- markup -----------------------------------------------------------------------------------


def test_the_console_shows_no_raw_markup(shell):
    """The question, a status and an answer with a rationale carry no `*bold*`, `_italic_` or `<@U1>`."""
    result = shell(LAUNCH, "/press 1 Beta testers", "/nudgebot status")

    assert "Nudgebot in this channel" in result.out.splitlines()
    assert not re.search(r"\*\w|_Beta|<@", result.out)


@pytest.mark.parametrize(("markup", "shown"), [
    ("*Who is the customer?*", "Who is the customer?"),
    ("added. _Beta testers_", "added. Beta testers"),
    ("Thanks <@U1>, <@U2|ann>", "Thanks @U1, @ann"),
    ("in <#C1|general> and <#C2>", "in #general and #C2"),
    ("see <https://example.com/a_b|the docs> or <https://example.com>", "see the docs (https://example.com/a_b) "
                                                                          "or https://example.com"),
    ("<!subteam^S1|@design> and <!here>", "@design and @here"),
    ("logged :memo: &lt;@bob&gt; &amp; co", "logged 📝 <@bob> & co"),
    ("type `/nudgebot *status*`", "type `/nudgebot *status*`"),
])
def test_markup_is_rendered_as_plain_text(markup, shown):
    """Slack markup as a terminal shows it; inline code is left as typed."""
    assert plain(markup) == shown


# -- the session ------------------------------------------------------------------------------


def test_the_end_of_piped_input_ends_the_session_quietly(shell):
    """Piped input that ends (Ctrl-D at a terminal) exits 0 with nothing on stderr."""
    result = shell(LAUNCH)

    assert (result.code, result.err) == (0, "")


def test_sigint_ends_a_running_shell_with_exit_0_and_no_traceback(shell):
    """Ctrl-C (SIGINT) while the console waits for the next line ends it with exit 0, quietly."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "shell"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=shell.cwd, env=shell.env)
    try:
        process.stdin.write(f"{LAUNCH}\n".encode())
        process.stdin.flush()
        seen = read_until(process.stdout.fileno(), b"(logged decision #1", bytearray())
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=TIMEOUT)
        err = process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()

    assert b"(logged decision #1" in seen
    assert (code, err) == (0, "")


@pytest.mark.parametrize("after", [0.1, 0.4, 0.8])
def test_ctrl_c_while_the_shell_starts_ends_it_quietly(shell, after):
    """Ctrl-C before the console is ready (Python still importing, the model or the log still opening)
    ends it as quietly as Ctrl-C at its prompt: no traceback, no "Aborted!"; exit 130 (or 0 once the
    console was up)."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "shell"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=shell.cwd, env=shell.env)
    try:
        time.sleep(after)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode in (0, 130)
    assert err.decode().strip() == "", err.decode()


def readme_sample() -> tuple[list[str], list[str], list[str]]:
    """The README's console session: its opening lines, what is typed, and what the console prints."""
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("```text\nNudgebot console"):]
    lines = block[len("```text\n"):block.index("\n```")].splitlines()
    typed = re.compile(r"^(?:#\d+ (?!nudgebot )[\w.\-]+|rationale) › (.*)$")
    first = next(i for i, line in enumerate(lines) if typed.match(line))
    body = lines[first:]
    return (lines[:first], [typed.match(line).group(1) for line in body if typed.match(line)],
            [line for line in body if not typed.match(line)])


def test_the_readme_session_is_what_the_console_prints(shell):
    """The lines typed in the README's sample, piped in, print exactly the sample's other lines."""
    _, typed, printed = readme_sample()

    result = shell(*typed)

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == printed


# -- at a terminal ----------------------------------------------------------------------------

PROMPT = "#1 you › ".encode()


def terminal(shell: Shell, keys: list[bytes], waits: list[bytes]) -> tuple[int, str]:
    """`nudgebot shell` on a terminal of its own: each of `keys` is typed once its entry in `waits`
    shows on the screen after the key before it."""
    pty = pytest.importorskip("pty")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the console, with the terminal as its own
        os.chdir(shell.cwd)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "shell"], {**shell.env, "TERM": "xterm"})
    seen, start = bytearray(), 0
    try:
        for key, wait in zip(keys, waits, strict=True):
            read_until(fd, wait, seen, start)
            start = len(seen)
            os.write(fd, key)
        read_until(fd, b"\0never", seen)  # to the end of the session
    finally:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == 0:  # still running past the timeout: the test fails, and the console is stopped
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace").replace("\r\n", "\n")


def test_at_a_terminal_ctrl_c_ends_the_session_with_exit_0(shell):
    """At a terminal the console opens with the README's help lines; Ctrl-C at the prompt ends it, exit 0."""
    opening, _, _ = readme_sample()

    code, screen = terminal(shell, [b"\x03"], [PROMPT])

    assert code == 0
    assert screen.splitlines()[:2] == opening
    assert "Traceback" not in screen and "KeyboardInterrupt" not in screen


def test_at_a_terminal_the_arrow_keys_recall_lines_and_history_is_kept(shell):
    """Up-arrow brings back the last line (no escape codes reach the bot); the lines are kept in
    ~/.nudgebot_history, readable by you alone."""
    code, screen = terminal(shell, [b"/nudgebot status\r", b"\x1b[A\r", b"\x04"], [PROMPT, PROMPT, PROMPT])

    history = shell.home / ".nudgebot_history"
    assert code == 0
    assert screen.count("Nudgebot in this channel") == 2
    assert "[A" not in screen
    assert history.read_text().splitlines()[-1] == "/nudgebot status"
    assert history.stat().st_mode & 0o777 == 0o600

