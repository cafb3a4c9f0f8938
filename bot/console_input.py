"""Where the console's lines come from: a terminal with line editing and history, or a pipe.

At a terminal the arrow keys move along the line and through earlier lines (readline, where
Python has it), Tab completes the commands, and what was typed is kept in `~/.nudgebot_history`
(readable by you alone) for the next session. Piped input is read line by line, as it comes.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

HISTORY_FILE = ".nudgebot_history"
HISTORY_LINES = 1000


def default_history() -> Path | None:
    try:
        return Path.home() / HISTORY_FILE
    except RuntimeError:  # no home directory to keep it in
        return None


class LineReader:
    """`read(prompt)` gives the next line without its line break, or None at the end of input."""

    def __init__(self, stream: TextIO, out: TextIO, interactive: bool, history: Path | None = None,
                 words: tuple[str, ...] = ()):
        self.stream = stream
        self.out = out
        self.interactive = interactive
        self.history = history
        self.words = words
        self._readline = self._editing() if interactive else None

    def _editing(self):
        """readline, set up, when both ends are this process's terminal; None otherwise."""
        if self.out is not sys.stdout or not (sys.stdin.isatty() and sys.stdout.isatty()):
            return None
        try:
            import readline
        except ImportError:  # a Python built without it: plain lines, still quietly
            return None
        try:
            sys.stdin.reconfigure(errors="replace")  # a stray byte must not end the session
        except (AttributeError, ValueError):
            pass
        self._libedit = "libedit" in (readline.__doc__ or "")
        if self._libedit:
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
            # Ctrl-C at the prompt is a key, not a signal (see `_ctrl_c_as_a_key`): it ends the
            # session as Ctrl-D does, by clearing the line and ending the input.
            readline.parse_and_bind(r'"\C-c": "\C-e\C-u\C-d"')
        readline.set_completer_delims("")
        readline.set_completer(self._complete)
        readline.set_history_length(HISTORY_LINES)
        if self.history is not None:
            try:
                readline.read_history_file(self.history)
            except OSError:  # none yet, or unreadable: start afresh
                pass
        return readline

    def _complete(self, text: str, state: int) -> str | None:
        matches = [w for w in self.words if w.startswith(text)] if text.startswith("/") else []
        return matches[state] if state < len(matches) else None

    @contextmanager
    def _ctrl_c_as_a_key(self):
        """While a line is typed, Ctrl-C reaches readline as a key rather than interrupting every process
        on the terminal: started from `make shell`, make then ends as quietly as the console."""
        try:
            import termios
        except ImportError:  # not a POSIX terminal: Ctrl-C stays a signal, and still ends quietly
            yield
            return
        fd = sys.stdin.fileno()
        try:
            saved = termios.tcgetattr(fd)
            changed = [*saved[:6], list(saved[6])]
            changed[6][termios.VINTR] = bytes([os.fpathconf(fd, "PC_VDISABLE") % 256])
            termios.tcsetattr(fd, termios.TCSANOW, changed)
        except (OSError, ValueError, termios.error):
            saved = None
        try:
            yield
        finally:
            if saved is not None:
                termios.tcsetattr(fd, termios.TCSANOW, saved)

    def read(self, prompt: str) -> str | None:
        if self._readline is not None:
            try:
                if self._libedit:
                    return input(prompt)
                with self._ctrl_c_as_a_key():
                    return input(prompt)
            except EOFError:
                return None
        if self.interactive:
            self.out.write(prompt)
            self.out.flush()
        line = self.stream.readline()
        return line.rstrip("\r\n") if line else None

    def close(self) -> None:
        """Keep the history for the next session."""
        if self._readline is None or self.history is None:
            return
        try:
            if not self.history.exists():
                os.close(os.open(self.history, os.O_CREAT | os.O_WRONLY, 0o600))
            self._readline.write_history_file(self.history)
        except OSError:  # a read-only home: the session still ends quietly
            pass
