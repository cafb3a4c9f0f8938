"""The `nudgebot` command line, run as a user runs it: a subprocess with its own stdin, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

LAUNCH = "We decided to move the launch to next Friday."
CSV_EXPORT = "We decided to add CSV export because customers keep asking to get their data into Excel."
QUESTION = "Who is the customer, and how does this help them?"
BUTTONS = "[1] Add customer rationale  [2] Not customer-facing  [3] Not a decision  [4] Mute in this channel"
IDEA = "A meal-planning feature for busy parents"
PRFAQ_HEADINGS = (
    "Headline", "Subheading", "Summary", "The problem", "The solution", "Quote from a leader",
    "How to get started", "Customer quote", "External FAQ", "Internal FAQ",
)
VERDICT_KEYS = {"id", "kind", "customer_rationale", "principles", "nudge"}
KINDS = {"decision", "approval_request", "approval", "other"}
# Variables a developer's shell may carry that the bot (or Bolt, or openai) would read.
THEIR_VARIABLES = ("NUDGEBOT_", "SLACK_", "OPENAI_", "MicrosoftApp", "MICROSOFT_APP", "PORT")
TIMEOUT = 60


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


class Nudgebot:
    """`python -m bot` in an empty directory, with the decision log in that directory."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.db = cwd / "nudgebot.db"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(THEIR_VARIABLES)}
        self.env["NUDGEBOT_DB"] = str(self.db)

    def __call__(self, *args: str, stdin: str | bytes = b"", env: dict[str, str] | None = None) -> Run:
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=data,
            capture_output=True,
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            timeout=TIMEOUT,
        )
        return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))

    def shell(self, *lines: str | bytes) -> Run:
        """`nudgebot shell` with these lines piped in, one message or command each."""
        data = b"".join((line.encode("utf-8") if isinstance(line, str) else line) + b"\n" for line in lines)
        return self("shell", stdin=data)

    def rows(self, sql: str) -> list[tuple]:
        """Read the log with a connection of its own, as an admin with the sqlite3 shell would."""
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()


@pytest.fixture
def nudgebot(tmp_path) -> Nudgebot:
    return Nudgebot(tmp_path)


@pytest.fixture
def logged_week(nudgebot) -> str:
    """A shell session logged both decisions of the issue; returns the ISO week they were written in."""
    assert nudgebot.shell(LAUNCH, CSV_EXPORT).code == 0
    [(created,)] = nudgebot.rows("SELECT DISTINCT substr(created_at, 1, 10) FROM decisions")
    year, week, _ = datetime.fromisoformat(created).isocalendar()
    return f"{year}-W{week:02d}"


def jsonl(*objects) -> str:
    return "".join(json.dumps(o) + "\n" for o in objects)


def assert_prfaq_skeleton(out: str, idea: str) -> None:
    """The idea is in the first line, and every heading of the PR/FAQ follows, in order."""
    assert idea in out.splitlines()[0]
    positions = [out.find(f"## {heading}\n") for heading in PRFAQ_HEADINGS]
    assert -1 not in positions, out
    assert positions == sorted(positions)


# -- shell ------------------------------------------------------------------------------------


def test_shell_asks_the_customer_question_under_a_decision_without_one(nudgebot):
    """A decision that names no customer gets the question, with the four buttons under it."""
    result = nudgebot.shell(LAUNCH)

    assert result.code == 0 and result.err == ""
    assert QUESTION in result.out
    assert BUTTONS in result.out


def test_shell_does_not_ask_about_a_decision_that_names_its_customer(nudgebot):
    """A decision that says who it helps is logged, and nobody is asked anything."""
    result = nudgebot.shell(CSV_EXPORT)

    assert result.code == 0 and result.err == ""
    assert QUESTION not in result.out
    assert "logged decision #1, with its customer" in result.out


def test_shell_logs_both_decisions_with_their_customer_rationale(nudgebot):
    """Both decisions of the issue land in the decisions table, only the CSV one with a rationale."""
    nudgebot.shell(LAUNCH, CSV_EXPORT)

    assert nudgebot.rows("SELECT text, kind, customer_rationale FROM decisions ORDER BY id") == [
        (LAUNCH, "decision", 0),
        (CSV_EXPORT, "decision", 1),
    ]


def test_shell_prfaq_prints_the_skeleton_for_the_idea(nudgebot):
    """`/prfaq IDEA` prints a PR/FAQ with the idea in its title and every heading."""
    result = nudgebot.shell(f"/prfaq {IDEA}")

    assert result.code == 0 and result.err == ""
    assert_prfaq_skeleton(result.out, IDEA)
    assert f"**{IDEA}**" in result.out  # the headline


def test_shell_digest_lists_this_weeks_decision_lacking_a_customer(nudgebot):
    """`/digest` shows the launch decision, which names no customer, and not the CSV one."""
    result = nudgebot.shell(LAUNCH, CSV_EXPORT, "/digest")

    assert result.code == 0 and result.err == ""
    # The console never echoes what was typed: the launch text can only come from the digest.
    assert LAUNCH in result.out
    assert "CSV export" not in result.out


def test_shell_status_shows_a_mute_and_when_it_ends(nudgebot):
    """After `/nudgebot mute 2h`, `/nudgebot status` says the channel is muted until two hours from now."""
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    result = nudgebot.shell("/nudgebot mute 2h", "/nudgebot status")
    after = datetime.now(UTC)

    assert result.code == 0 and result.err == ""
    match = re.search(r"Muted until (\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2}) UTC", result.out)
    assert match, result.out
    until = datetime.strptime(match.group(1), "%a %d %b %Y %H:%M").replace(tzinfo=UTC)
    assert before + timedelta(hours=2) <= until <= after + timedelta(hours=2)


def test_shell_muted_channel_logs_a_decision_without_asking(nudgebot):
    """In a muted channel a decision without a customer is logged, and the question is held back."""
    result = nudgebot.shell("/nudgebot mute 2h", LAUNCH)

    assert QUESTION not in result.out
    assert nudgebot.rows("SELECT text, customer_rationale FROM decisions") == [(LAUNCH, 0)]


def test_shell_unmute_brings_the_question_back(nudgebot):
    """After `/nudgebot unmute` the channel is not muted and decisions are asked about again."""
    result = nudgebot.shell("/nudgebot mute 2h", "/nudgebot unmute", "/nudgebot status", LAUNCH)

    assert result.code == 0 and result.err == ""
    assert "Not muted." in result.out
    assert QUESTION in result.out


def test_shell_unmute_when_not_muted_says_so_and_changes_nothing(nudgebot):
    """`/nudgebot unmute` in a channel nobody muted says it was not muted, not "Unmuted", and writes nothing."""
    result = nudgebot.shell("/nudgebot unmute")

    assert result.code == 0 and result.err == ""
    assert result.out == "This channel isn't muted: I already ask about the customer here.\n"
    assert nudgebot.rows("SELECT count(*) FROM channel_settings") == [(0,)]


def test_shell_decision_command_confirms_once(nudgebot):
    """`/decision TEXT` says "Logged decision #N" once: no reaction and no log note repeating it."""
    result = nudgebot.shell(f"/decision {CSV_EXPORT}", f"/decision {LAUNCH}")

    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert lines[:2] == ["Logged decision #1. It names its customer.", "Logged decision #2."]
    assert ":memo:" not in result.out and "(logged decision" not in result.out
    assert QUESTION in result.out  # the second still gets its question


def test_shell_decision_command_in_a_muted_channel_says_why_nothing_was_asked(nudgebot):
    """In a muted channel `/decision` confirms once and says, in one line, why no question follows."""
    result = nudgebot.shell("/nudgebot mute 2h", f"/decision {LAUNCH}")

    assert "Logged decision #1.\n           (no question asked: the channel is muted until" in result.out
    assert QUESTION not in result.out


def test_shell_digest_and_approvals_show_emoji_as_emoji(nudgebot):
    """A decision and a request typed with 👍 and ✅ are shown with them by `/digest` and `approvals`,
    never as the text normaliser's tokens (`emoji_thumbsup`)."""
    result = nudgebot.shell(f"{LAUNCH} 👍", f"{FOUR} ✅ from design already", "/digest")
    listing = nudgebot("approvals")

    assert result.code == 0 and result.err == ""
    assert f"{LAUNCH} 👍" in result.out and "emoji_" not in result.out
    assert listing.code == 0 and "can you approve the offsite budget? ✅ from design already" in listing.out
    assert "emoji_" not in listing.out


def test_shell_unknown_command_points_to_help(nudgebot):
    """A slash command the bot does not know gets a reply naming it and pointing to `/nudgebot help`."""
    result = nudgebot.shell("/frobnicate now")

    assert result.code == 0 and result.err == ""
    assert "/frobnicate" in result.out
    assert "/nudgebot help" in result.out


def test_shell_ignores_empty_and_blank_lines(nudgebot):
    """Empty or blank lines produce no reply, no row and no error."""
    result = nudgebot.shell("", "   ", "\t")

    assert (result.code, result.out, result.err) == (0, "", "")
    assert nudgebot.rows("SELECT count(*) FROM decisions") == [(0,)]


def test_shell_keeps_going_after_a_100000_character_line(nudgebot):
    """A line of 100,000 characters neither crashes the console nor stops it answering the next line."""
    result = nudgebot.shell("a" * 100_000, LAUNCH)

    assert result.code == 0 and "Traceback" not in result.err
    assert QUESTION in result.out


def test_shell_logs_a_decision_written_on_a_100000_character_line(nudgebot):
    """A decision followed by 100,000 characters of text is still logged as a decision."""
    result = nudgebot.shell(LAUNCH + " More detail follows." * 5_000)

    assert result.code == 0 and "Traceback" not in result.err
    assert nudgebot.rows(f"SELECT kind, substr(text, 1, {len(LAUNCH)}) FROM decisions") == [("decision", LAUNCH)]


def test_shell_drops_control_characters_and_nul_bytes_from_messages(nudgebot):
    """NULs and control characters in a message are dropped: the decision is asked about and logged clean."""
    result = nudgebot.shell(b"\x00\x01We decided\x00 to move the launch to next Friday.\x07\x1b")

    assert result.code == 0 and "Traceback" not in result.err
    assert QUESTION in result.out
    assert nudgebot.rows("SELECT text FROM decisions") == [(LAUNCH,)]


def test_shell_treats_a_command_of_control_characters_as_empty(nudgebot):
    """`/prfaq` followed only by NULs and control characters asks for the idea instead of drafting."""
    result = nudgebot.shell(b"/prfaq \x00\x01\x02")

    assert result.code == 0 and "Traceback" not in result.err
    assert "\x00" not in result.out
    assert "## Headline" not in result.out
    assert "/prfaq A meal-planning" in result.out  # the usage hint


def test_shell_survives_bytes_that_are_not_utf8(nudgebot):
    """A line with bytes that are not UTF-8 is still read, answered and logged."""
    result = nudgebot.shell(b"\xff\xfe" + LAUNCH.encode())

    assert result.code == 0 and "Traceback" not in result.err
    assert QUESTION in result.out
    assert nudgebot.rows("SELECT kind FROM decisions") == [("decision",)]


# -- classify ---------------------------------------------------------------------------------

ISSUE_LINES = jsonl(
    {"id": 1, "text": LAUNCH, "channel": "C1", "author": "ann"},
    {"id": "csv", "text": CSV_EXPORT, "kind": "other", "nudge": "ignored"},
)


def verdicts(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_classify_answers_each_line_with_exactly_the_contract_keys(nudgebot):
    """Every input line gets one JSON line with id, kind, customer_rationale, principles, nudge; nothing else."""
    result = nudgebot("classify", stdin=ISSUE_LINES)

    assert result.code == 0 and result.err == ""
    answers = verdicts(result.out)
    assert [set(a) for a in answers] == [VERDICT_KEYS, VERDICT_KEYS]
    assert [a["id"] for a in answers] == [1, "csv"]
    assert all(isinstance(a["principles"], list) for a in answers)


def test_classify_judges_the_issue_examples(nudgebot):
    """The launch decision lacks a customer and would be nudged; the CSV one states its customer."""
    result = nudgebot("classify", stdin=ISSUE_LINES)

    assert [(a["kind"], a["customer_rationale"], a["nudge"]) for a in verdicts(result.out)] == [
        ("decision", False, True),
        ("decision", True, False),
    ]


def test_classify_reads_a_file_like_stdin(nudgebot, tmp_path):
    """`classify FILE` prints the same verdicts as the same lines piped in."""
    (tmp_path / "messages.jsonl").write_text(ISSUE_LINES, encoding="utf-8")

    from_file = nudgebot("classify", "messages.jsonl")

    assert from_file.code == 0 and from_file.err == ""
    assert from_file.out == nudgebot("classify", stdin=ISSUE_LINES).out
    assert len(verdicts(from_file.out)) == 2


def test_classify_reports_malformed_lines_and_judges_the_rest(nudgebot):
    """Bad JSON, an array, a missing or non-string text are reported by line number; good lines are judged."""
    lines = "\n".join(
        [
            json.dumps({"id": 1, "text": LAUNCH}),
            '{"id": 2, "text": ',
            json.dumps(["an", "array"]),
            json.dumps({"id": 4}),
            json.dumps({"id": 5, "text": 42}),
            "[" * 100_000,
            json.dumps({"id": 7, "text": CSV_EXPORT}),
        ]
    )
    result = nudgebot("classify", stdin=lines + "\n")

    assert result.code == 1
    assert [a["id"] for a in verdicts(result.out)] == [1, 7]
    assert re.findall(r"^line (\d+):", result.err, re.M) == ["2", "3", "4", "5", "6"]
    assert "Traceback" not in result.err


def test_classify_exits_0_when_every_line_is_good(nudgebot):
    """With nothing to skip the exit code is 0 and stderr stays empty, blank lines included."""
    result = nudgebot("classify", stdin="\n" + ISSUE_LINES + "\n")

    assert (result.code, result.err) == (0, "")


def test_classify_names_a_missing_file(nudgebot):
    """A FILE that does not exist is a one-line error naming it, and a non-zero exit."""
    result = nudgebot("classify", "no-such-file.jsonl")

    assert result.code != 0
    assert result.out == ""
    assert "no-such-file.jsonl" in result.err
    assert "Traceback" not in result.err


def test_classify_judges_huge_and_binary_looking_text(nudgebot, tmp_path):
    """A megabyte of text, control characters, lone surrogates and raw non-UTF-8 bytes are all judged."""
    path = tmp_path / "odd.jsonl"
    path.write_bytes(
        jsonl(
            {"id": "huge", "text": "We decided " + "and then some " * 80_000},
            {"id": "control", "text": "\x00\x01\x02\x1b[31m\u202e\udcff\ufffd"},
        ).encode("utf-8")
        + b'{"id": "bytes", "text": "caf\xe9 \xff\xfe \xc3"}\n'
    )

    result = nudgebot("classify", str(path))

    assert result.code == 0 and result.err == ""
    answers = verdicts(result.out)
    assert [a["id"] for a in answers] == ["huge", "control", "bytes"]
    assert {a["kind"] for a in answers} <= KINDS


# -- eval -------------------------------------------------------------------------------------

# The rules (`eval --rules`) get lines 1-3 right. Line 4 is a plain decision deliberately labelled `other`, so the
# rules (rightly) disagree with its label. By hand:
#   decision:         predicted 3, of which 2 are labelled so; 2 labelled  -> P 2/3, R 1, F1 0.8
#   approval_request: predicted 1, right                                   -> P 1,   R 1, F1 1
#   approval:         none labelled, none predicted                        -> 0, 0, 0, n 0
#   other:            1 labelled, never predicted                          -> P 0,   R 0, F1 0
#   macro F1 over the three kinds the bot acts on that occur in the labels: (0.8 + 1) / 2 = 0.9
#   nudge: wanted on lines 1 and 3, given on 1, 3 and 4                    -> P 2/3, R 1, F1 0.8
LABELLED = jsonl(
    {"id": 1, "text": LAUNCH, "kind": "decision", "customer_rationale": False},
    {"id": 2, "text": CSV_EXPORT, "kind": "decision", "customer_rationale": True},
    {"id": 3, "text": "Can you approve the budget for the offsite?", "kind": "approval_request",
     "customer_rationale": False},
    {"id": 4, "text": "We decided to rename the team channel.", "kind": "other", "customer_rationale": None},
)
EXPECTED_ROWS = {
    "decision": [0.667, 1.0, 0.8, 2],
    "approval_request": [1.0, 1.0, 1.0, 1],
    "approval": [0.0, 0.0, 0.0, 0],
    "other": [0.0, 0.0, 0.0, 1],
    "macro F1": [0.9, 4],
    "nudge": [0.667, 1.0, 0.8, 2],
}


def test_eval_prints_precision_recall_f1_per_kind_macro_f1_and_nudge(nudgebot, tmp_path):
    """The text report has a row per kind, macro F1 and nudge, with the scores worked out by hand."""
    (tmp_path / "labelled.jsonl").write_text(LABELLED, encoding="utf-8")

    result = nudgebot("eval", "--rules", "labelled.jsonl")

    assert result.code == 0 and result.err == ""
    rows = {}
    for line in result.out.splitlines():
        match = re.match(r"^(decision|approval_request|approval|other|macro F1|nudge)\s+([\d.\s]+)$", line)
        if match:
            rows[match.group(1)] = [float(n) if "." in n else int(n) for n in match.group(2).split()]
    assert rows == EXPECTED_ROWS
    assert re.match(r"^kind\s+precision\s+recall\s+f1", result.out)


def test_eval_json_has_per_kind_macro_f1_and_nudge(nudgebot, tmp_path):
    """`eval --format json` prints one JSON document with the same scores."""
    (tmp_path / "labelled.jsonl").write_text(LABELLED, encoding="utf-8")

    result = nudgebot("eval", "--rules", "--format", "json", "labelled.jsonl")

    assert result.code == 0 and result.err == ""
    report = json.loads(result.out)
    assert report["per_kind"]["decision"] == {"precision": 0.667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert report["per_kind"]["approval_request"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report["per_kind"]["other"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert report["macro_f1"] == 0.9
    assert report["nudge"] == {"precision": 0.667, "recall": 1.0, "f1": 0.8, "support": 2}


@pytest.mark.parametrize(
    "content",
    ["", "not json\n[1, 2]\n", json.dumps({"text": "We decided to ship.", "kind": "maybe"}) + "\n"],
    ids=["empty", "garbage", "unknown-kind"],
)
def test_eval_without_usable_lines_is_a_clear_error(nudgebot, tmp_path, content):
    """A file with no usable labelled line is an error saying so, with a non-zero exit."""
    (tmp_path / "labelled.jsonl").write_text(content, encoding="utf-8")

    result = nudgebot("eval", "--rules", "labelled.jsonl")

    assert result.code != 0
    assert "no labelled messages" in result.err
    assert "Traceback" not in result.err


# -- prfaq ------------------------------------------------------------------------------------


def test_prfaq_prints_the_skeleton_for_the_idea(nudgebot):
    """`nudgebot prfaq IDEA` prints the PR/FAQ skeleton as Markdown, with the idea as its headline."""
    result = nudgebot("prfaq", *IDEA.split())

    assert result.code == 0 and result.err == ""
    assert_prfaq_skeleton(result.out, IDEA)
    assert f"**{IDEA}**" in result.out


def test_prfaq_without_an_idea_is_a_usage_error(nudgebot):
    """`nudgebot prfaq` with no idea prints the usage and exits 2."""
    result = nudgebot("prfaq")

    assert result.code == 2
    assert result.out == ""
    assert "Usage: nudgebot prfaq" in result.err and "IDEA" in result.err


# -- digest -----------------------------------------------------------------------------------


def test_digest_json_groups_lacking_items_by_destination(nudgebot, logged_week):
    """`digest --format json` lists one destination for the console workspace, with the launch decision."""
    result = nudgebot("digest", "--week", logged_week, "--format", "json")

    assert result.code == 0 and result.err == ""
    digest = json.loads(result.out)
    assert digest["week"] == logged_week
    [destination] = digest["destinations"]
    assert (destination["platform"], destination["workspace"]) == ("console", "local")
    assert [(i["kind"], i["excerpt"]) for i in destination["items"]] == [("decision", LAUNCH)]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_digest_lists_the_decision_lacking_a_customer(nudgebot, logged_week, fmt):
    """The text and Markdown digests show the launch decision and leave out the CSV one."""
    result = nudgebot("digest", "--week", logged_week, "--format", fmt)

    assert result.code == 0 and result.err == ""
    assert logged_week in result.out
    assert LAUNCH in result.out
    assert "CSV export" not in result.out


@pytest.mark.parametrize(
    "week",
    [
        "2026-W99",
        "last week",
    ],
)
def test_digest_rejects_a_bad_week_naming_the_format(nudgebot, week):
    """A --week that is not an ISO week is a one-line error naming YYYY-Www, with a non-zero exit."""
    result = nudgebot("digest", "--week", week)

    assert result.code != 0
    assert "Traceback" not in result.err
    assert week in result.err
    assert "YYYY-Www" in result.err


def test_digest_of_an_empty_log_says_nothing_was_logged(nudgebot):
    """With nothing logged, `digest` says so and exits 0."""
    result = nudgebot("digest")

    assert result.code == 0 and result.err == ""
    assert "nothing logged" in result.out.lower()


# -- export -----------------------------------------------------------------------------------


def test_export_csv_has_the_logged_decisions_and_their_columns(nudgebot, logged_week):
    """`export --format csv` writes a header and one row per logged decision."""
    result = nudgebot("export", "--format", "csv")

    assert result.code == 0 and result.err == ""
    reader = csv.DictReader(io.StringIO(result.out))
    rows = list(reader)
    assert {"id", "kind", "text", "customer_rationale", "principles", "created_at"} <= set(reader.fieldnames)
    assert [(r["id"], r["kind"], r["text"], r["customer_rationale"]) for r in rows] == [
        ("1", "decision", LAUNCH, "False"),
        ("2", "decision", CSV_EXPORT, "True"),
    ]
    assert all(datetime.fromisoformat(r["created_at"]).tzinfo is not None for r in rows)


def test_export_json_has_the_logged_decisions_and_their_columns(nudgebot, logged_week):
    """`export --format json` writes a list with one object per logged decision."""
    result = nudgebot("export", "--format", "json")

    assert result.code == 0 and result.err == ""
    rows = json.loads(result.out)
    assert [(r["id"], r["kind"], r["text"], r["customer_rationale"]) for r in rows] == [
        (1, "decision", LAUNCH, False),
        (2, "decision", CSV_EXPORT, True),
    ]
    assert all(isinstance(r["principles"], list) for r in rows)
    assert all(datetime.fromisoformat(r["created_at"]).tzinfo is not None for r in rows)
    # what the detector made of each, and how often its thread was replied to
    assert all(0.5 <= r["probability"] <= 1 and 0 <= r["nudge_score"] <= 1 for r in rows)
    assert rows[0]["nudge_score"] > rows[1]["nudge_score"] and [r["replies"] for r in rows] == [0, 0]


# -- check ------------------------------------------------------------------------------------

BROKEN_PRINCIPLES = """\
principles:
  - id: customer-obsession
    name: Customer Obsession
    summary: Start with the customer and work backwards.
    question: Who is the customer, and how does this help them?
    signals: [customer]
  - id: frugality
    name: Frugality
    summary: Accomplish more with less.
    signals: [cost]
"""


def test_check_passes_with_no_platform_configured(nudgebot):
    """`check` with no chat credentials exits 0, counts the 16 bundled principles and names no platform."""
    result = nudgebot("check")

    assert result.code == 0 and result.err == ""
    assert "Configuration OK" in result.out
    assert "Principles: 16" in result.out
    assert "Platforms configured: none" in result.out


def test_check_names_the_file_entry_and_field_of_a_broken_principles_file(nudgebot, tmp_path):
    """A principles file whose second entry lacks its question fails `check` with exit 2, naming where."""
    (tmp_path / "broken.yaml").write_text(BROKEN_PRINCIPLES, encoding="utf-8")

    result = nudgebot("check", env={"NUDGEBOT_PRINCIPLES": "broken.yaml"})

    assert result.code == 2
    assert "Traceback" not in result.err
    assert "broken.yaml" in result.err
    assert "entry 2" in result.err
    assert "question" in result.err


def test_check_names_a_port_that_is_not_a_number(nudgebot):
    """PORT=abc fails `check` with exit 2 and an error naming PORT."""
    result = nudgebot("check", env={"PORT": "abc"})

    assert result.code == 2
    assert "Traceback" not in result.err
    assert "PORT" in result.err


# -- a decision log that is not one -----------------------------------------------------------


@pytest.mark.parametrize("command", ["shell", "export"])
def test_a_corrupt_log_file_is_refused_and_left_untouched(nudgebot, tmp_path, command):
    """When NUDGEBOT_DB is a text file, the command stops with a clear error and the file is unchanged."""
    nudgebot.db.write_text("These are my meeting notes, not a database.\n", encoding="utf-8")
    before = nudgebot.db.read_bytes()

    result = nudgebot(command, stdin=LAUNCH + "\n")

    assert result.code != 0
    assert "Traceback" not in result.err
    assert nudgebot.db.name in result.err
    assert QUESTION not in result.out
    assert nudgebot.db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [nudgebot.db.name]


# -- approvals --------------------------------------------------------------------------------

# Every hour of every day is working time, so what the shell says does not depend on when the tests run.
ALL_HOURS = {"NUDGEBOT_WORKING_HOURS": "00:00-24:00", "NUDGEBOT_WORKING_DAYS": "mon-sun"}
FOUR = "<@bob> <@carol> <@dan> <@erin> can you approve the offsite budget?"
FLAGGED_DOOR = "<@bob> can you approve shipping the new onboarding copy behind a feature flag?"


def backdate(nudgebot: Nudgebot, hours: int) -> None:
    """Move every logged request `hours` into the past, as if the shell had been used back then."""
    earlier = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="microseconds")
    conn = sqlite3.connect(nudgebot.db)
    with conn:
        conn.execute("UPDATE decisions SET created_at = ?", [earlier])
        conn.execute("UPDATE approval_requests SET created_at = ?, last_asked_at = ?", [earlier, earlier])
    conn.close()


def test_shell_tells_the_requester_a_request_looks_like_a_two_way_door(nudgebot):
    """A request for something reversible gets the two-way-door note in the console, in the same message
    as the customer question."""
    result = nudgebot("shell", stdin=FLAGGED_DOOR + "\n", env=ALL_HOURS)

    assert result.code == 0 and result.err == ""
    assert result.out.count("nudgebot ›") == 1
    assert ("\n\n@you, this looks like a two-way door (“behind a feature flag”): reversible and low-risk.\n"
            "Consider deciding and moving on rather than waiting for sign-off, and noting who the customer is.\n"
            "           [1] Add customer rationale") in result.out


def test_shell_shows_the_reminder_due_when_it_starts(nudgebot):
    """A request past its SLA is reminded when the console next starts, once."""
    nudgebot("shell", stdin=FOUR + "\n", env=ALL_HOURS)
    backdate(nudgebot, 48)

    first = nudgebot("shell", env=ALL_HOURS)
    second = nudgebot("shell", env=ALL_HOURS)

    assert first.code == 0 and first.err == ""
    assert first.out == (
        "#1 nudgebot › Reminder for @bob, @carol, @dan and @erin: this approval request from @you has waited "
        "48 working hours, past the goal of 24 working hours.\n"
        "Flagged: waiting too long; too many approvers (4 sign-offs needed, more than 3).\n"
        "Please approve or decline it in this thread (a ✅ or ❌ on the request works too).\n"
        "           [1] Approve  [2] Decline\n")
    assert second.out == ""


def test_approvals_lists_open_requests_with_their_waits_and_flags(nudgebot):
    """`approvals` shows the open request, whom it waits for, how long, and its flags."""
    nudgebot("shell", stdin=FOUR + "\n", env=ALL_HOURS)
    backdate(nudgebot, 30)

    result = nudgebot("approvals", env=ALL_HOURS)

    assert result.code == 0 and result.err == ""
    assert "Approvals — console/local" in result.out
    assert "Requests written: 1; approved 0, declined 0, still open 1." in result.out
    assert "#1 #general from you: 30 h old, 30 working hours, past the goal" in result.out
    assert "waiting for @bob, @carol, @dan, @erin" in result.out
    assert "flags: waiting too long, too many approvers" in result.out
    assert "Flags raised: waiting too long 1, too many approvers 1, too many hops 0, repeated request 0, " \
           "two-way door 0." in result.out


def test_approvals_json_has_one_entry_per_workspace(nudgebot):
    """`approvals --format json` lists the console workspace with its open request and flag counts."""
    nudgebot("shell", stdin=FOUR + "\n" + FLAGGED_DOOR + "\n", env=ALL_HOURS)

    result = nudgebot("approvals", "--format", "json", "--days", "7")

    assert result.code == 0 and result.err == ""
    report = json.loads(result.out)
    [workspace] = report["workspaces"]
    assert (report["days"], workspace["platform"], workspace["workspace"], workspace["requests"]) == (
        7, "console", "local", 2)
    assert [(o["id"], o["waiting_for"], o["flags"]) for o in workspace["open"]] == [
        (1, ["@bob", "@carol", "@dan", "@erin"], ["too many approvers"]),
        (2, ["@bob"], ["two-way door"]),
    ]
    assert workspace["flags"]["two_way_door"] == 1 and workspace["flags"]["too_many_approvers"] == 1


def test_approvals_of_an_empty_log_or_another_workspace_says_so(nudgebot):
    """With no requests logged the command says so and exits 0; a workspace the log does not know is
    bad input (exit 4), named with the ones it has."""
    empty = nudgebot("approvals")
    nudgebot("shell", stdin=FOUR + "\n")
    elsewhere = nudgebot("approvals", "--workspace", "T_NOPE")

    assert (empty.code, empty.out) == (0, "No approval requests logged yet.\n")
    assert elsewhere.code == 4
    assert elsewhere.err.startswith("Error: no workspace with id T_NOPE has anything logged; the log has ")


# -- help -------------------------------------------------------------------------------------

CONTRACT_COMMANDS = [
    "shell",
    "serve",
    "classify",
    "eval",
    "prfaq",
    "digest",
    "import",
    "approvals",
    "export",
    "teams-package",
    "check",
]


@pytest.mark.parametrize("name", CONTRACT_COMMANDS)
def test_group_help_lists_the_command(nudgebot, name):
    """`nudgebot --help` lists every command of the contract."""
    result = nudgebot("--help")

    assert result.code == 0
    commands = result.out.split("Commands:", 1)[1]
    assert re.search(rf"^\s+{re.escape(name)}\s", commands, re.M), result.out


@pytest.mark.parametrize("name", CONTRACT_COMMANDS)
def test_command_help_carries_an_example(nudgebot, name):
    """`nudgebot COMMAND --help` shows an example that runs that command."""
    result = nudgebot(name, "--help")

    assert result.code == 0 and result.err == ""
    example = result.out.split("Example", 1)[-1]
    assert "Example" in result.out
    assert re.search(rf"^\s+(.*\|\s*)?nudgebot {re.escape(name)}\b", example, re.M), result.out
