"""One exit code per kind of mistake, in every command: a malformed option value or a missing
argument is bad usage (2); a well-formed value that names nothing in the log is bad input (4)."""

from __future__ import annotations

import pytest
from test_cli import Nudgebot

ID = "3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def nudgebot(tmp_path) -> Nudgebot:
    bot = Nudgebot(tmp_path)
    assert bot.shell("We decided to move the launch to next Friday.").code == 0  # a log with a workspace
    return bot


@pytest.mark.parametrize("args", [
    ("digest", "--week", "2026-53x"),
    ("digest", "--format", "pdf"),
    ("export", "--format", "xml"),
    ("approvals", "--format", "xml"),
    ("approvals", "--days", "many"),
    ("import", "--since", "yesterday", "export.zip"),
    ("eval", "--cv"),
    ("prfaq",),
    ("teams-package", "--app-id", ID, "--version", "one"),
])
def test_a_malformed_option_value_is_bad_usage(nudgebot, args):
    """Exit 2 and an error line naming the option, never a traceback."""
    result = nudgebot(*args)

    assert result.code == 2, result.err
    assert "Error:" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(("args", "said"), [
    (("digest", "--workspace", "T_NOPE"), "no workspace with id T_NOPE has anything logged; the log has"),
    (("approvals", "--workspace", "T_NOPE"), "no workspace with id T_NOPE has anything logged; the log has"),
    (("digest", "--channel", "C_NOPE"), "no decisions were ever logged in channel C_NOPE"),
])
def test_a_name_the_log_does_not_know_is_bad_input(nudgebot, args, said):
    """Exit 4 and one line saying what the log holds instead."""
    result = nudgebot(*args)

    assert result.code == 4, result.err
    assert said in result.err
