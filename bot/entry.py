"""The `nudgebot` program (and `python -m bot`): the command line, with Ctrl-C ending it quietly at any
moment, even while it is still starting (exit 130, as a shell reports an interrupted program)."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from bot.cli import main as command_line

        command_line()
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(130)
