"""Commands that read standard input, run at a terminal rather than fed by a pipe."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from test_cli import THEIR_VARIABLES


def at_a_terminal(tmp_path, *args: str, typed: bytes, timeout: float = 30.0) -> tuple[int, str, str]:
    """`python -m bot ARGS` with a pseudo-terminal as its standard input; `typed` is what the person
    types once the command has started. Returns (exit code, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
    env["NUDGEBOT_DB"] = str(tmp_path / "nudgebot.db")
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=child, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    os.close(child)
    try:
        deadline = time.monotonic() + timeout
        err = b""
        while b"\n" not in err and time.monotonic() < deadline:  # the command's first word on stderr
            ready, _, _ = select.select([process.stderr], [], [], 0.5)
            if ready:
                err += os.read(process.stderr.fileno(), 4096)
            if process.poll() is not None:
                break
        os.write(main, typed)
        out, rest = process.communicate(timeout=timeout)
        return process.returncode, out.decode(), (err + rest).decode()
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()


def test_classify_at_a_terminal_says_what_it_reads_and_how_to_end(tmp_path):
    """Run at a terminal with no FILE, `classify` says what it expects and that Ctrl-D ends, instead of
    waiting without a word; what is typed is judged as from a pipe."""
    code, out, err = at_a_terminal(tmp_path, "classify", typed=b'{"id": 1, "text": "We decided to drop IE11."}\n\x04')

    assert err.splitlines()[0] == ('Reading JSON Lines from the terminal, one {"id": …, "text": …} per line; '
                                   "Ctrl-D ends (or name a FILE).")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("{")][0].startswith('{"id": 1, "kind": "decision"')


def test_help_lists_every_command_with_a_whole_summary(tmp_path):
    """`nudgebot --help` at 80 columns gives each command one whole line, never cut with "..."."""
    from bot.cli import cli

    env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, cwd=tmp_path,
                          env={**env, "COLUMNS": "80"}, timeout=60)
    listed = done.stdout.split("Commands:\n", 1)[1].splitlines()

    assert done.returncode == 0
    assert sorted(line.split()[0] for line in listed if line.strip()) == sorted(cli.commands)
    assert not [line for line in listed if line.rstrip().endswith("...") or len(line) > 80]
