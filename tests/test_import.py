"""`nudgebot import`: Slack exports built here in Slack's own layout, imported as an admin would.

The history below is small enough to count by hand; every expected figure is worked out in the
comments next to it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from test_cli import TIMEOUT, Nudgebot

LAUNCH = "We decided to move the launch to next Friday."
CSV_EXPORT = "We decided to add CSV export because customers keep asking to get their data into Excel."
NURSES = "We decided to ship dark mode so night-shift nurses can read charts without glare."
BUDGET = "Can you approve the budget for the offsite?"
CDN = "Please approve the vendor contract for the new CDN."
PTO = "Can you approve my PTO?"
DESIGN = "We decided to go with the attached design."
IE11 = "We agreed to drop IE11 support."
POSTGRES = "Going with Postgres."
PAYROLL = "Going with vendor B for payroll."
RENAME = "We decided to rename the team channel."

USERS = [
    {"id": "U1", "team_id": "T9", "name": "ann", "real_name": "Ann Archer", "profile": {"display_name": "Ann"}},
    {"id": "U2", "team_id": "T9", "name": "bob", "real_name": "Bob Brown", "profile": {"display_name": ""}},
    {"id": "U3", "team_id": "T9", "name": "cat", "profile": {"display_name": "Cat"}},
    {"id": "B1", "team_id": "T9", "name": "deploybot", "is_bot": True, "profile": {"bot_id": "B1"}},
]


def ts(day: str, clock: str) -> str:
    """The Slack ts of a moment (UTC) on a day: ts("2026-11-02", "09:00")."""
    return f"{int(datetime.fromisoformat(f'{day}T{clock}:00+00:00').timestamp())}.000100"


def said(day: str, clock: str, user: str, text: str, thread: str | None = None, **extra) -> dict:
    """A message as Slack exports it, with the fields we do not use that Slack adds."""
    message = {"client_msg_id": f"{user}-{day}-{clock}", "type": "message", "text": text, "user": user,
               "ts": ts(day, clock), "team": "T9", "user_team": "T9",
               "blocks": [{"type": "rich_text", "elements": [{"type": "text", "text": text}]}]}
    if thread:
        message["thread_ts"] = thread
        message["parent_user_id"] = "U1"
    return {**message, **extra}


def event(day: str, clock: str, subtype: str, text: str, user: str = "U3", **extra) -> dict:
    return {"type": "message", "subtype": subtype, "text": text, "user": user, "ts": ts(day, clock), **extra}


T_LAUNCH = ts("2026-11-02", "09:00")
T_BUDGET = ts("2026-11-02", "11:00")
T_CDN = ts("2026-11-03", "10:00")
T_PTO = ts("2026-11-10", "10:00")
T_OFFSITE = ts("2026-11-02", "10:00")

# Three weeks of #launch (public), a private channel, a group DM and a DM.
HISTORY = {
    "launch/2026-11-02.json": [
        said("2026-11-02", "09:00", "U1", LAUNCH, thread=T_LAUNCH, reply_count=3, reply_users=["U2", "U3"],
             replies=[{"user": "U2", "ts": ts("2026-11-02", "09:05")}], reactions=[{"name": "eyes", "count": 1}]),
        said("2026-11-02", "09:05", "U2", "ok", thread=T_LAUNCH),
        said("2026-11-02", "09:06", "U3", "sounds good", thread=T_LAUNCH, subtype="thread_broadcast"),
        event("2026-11-02", "09:10", "channel_join", "<@U3> has joined the channel"),
        event("2026-11-02", "09:20", "bot_message", "We decided to deploy on Fridays.", user=None, bot_id="B1",
              username="deploybot"),
        {"type": "message", "text": "We decided to rotate the keys.", "user": "U9", "bot_id": "B2",
         "bot_profile": {"id": "B2", "name": "keys"}, "ts": ts("2026-11-02", "09:25")},
        event("2026-11-02", "09:30", "channel_topic", "set the channel topic: We decided to use Postgres",
              topic="We decided to use Postgres"),
        event("2026-11-02", "09:40", "channel_purpose", "set the channel purpose: launches"),
        said("2026-11-02", "10:00", "U2", CSV_EXPORT),
        said("2026-11-02", "11:00", "U1", BUDGET, thread=T_BUDGET),
        said("2026-11-02", "13:00", "U2", "Approved", thread=T_BUDGET),  # 2 h after the request
        said("2026-11-02", "14:00", "U3", DESIGN, subtype="file_share", files=[{"id": "F1", "name": "v2.png"}]),
        said("2026-11-02", "15:00", "U2", IE11, subtype="me_message"),
        said("2026-11-02", "16:00", "U1", NURSES, edited={"user": "U1", "ts": ts("2026-11-02", "16:30")}),
        event("2026-11-02", "17:00", "channel_leave", "<@U3> has left the channel"),
        event("2026-11-02", "17:10", "pinned_item", "pinned a message", item_type="C"),
        event("2026-11-02", "17:20", "tombstone", "This message was deleted.", user="USLACKBOT", hidden=True),
        event("2026-11-02", "17:30", "channel_name", "renamed the channel from launches to launch",
              old_name="launches", name="launch"),
    ],
    "launch/2026-11-03.json": [
        said("2026-11-03", "09:00", "U3", "ok with me", thread=T_LAUNCH),  # a reply to yesterday's thread
        said("2026-11-03", "10:00", "U1", CDN, thread=T_CDN),
        said("2026-11-03", "11:00", "U1", "Approved", thread=T_CDN),  # the requester: does not count
        said("2026-11-03", "12:00", "U2", "no, declined", thread=T_CDN),
    ],
    "launch/2026-11-10.json": [
        said("2026-11-10", "09:00", "U2", POSTGRES),
        said("2026-11-10", "10:00", "U3", PTO, thread=T_PTO),
        said("2026-11-10", "16:00", "U1", "LGTM, approved", thread=T_PTO),  # 6 h after the request
    ],
    "hr-private/2026-11-02.json": [
        said("2026-11-02", "09:00", "U1", PAYROLL),
        said("2026-11-02", "10:00", "U1", BUDGET, thread=T_OFFSITE),
        said("2026-11-02", "14:00", "U2", "approved, go ahead", thread=T_OFFSITE),  # 4 h after
    ],
    "mpdm-ann--bob--cat-1/2026-11-03.json": [said("2026-11-03", "11:30", "U3", RENAME)],
    "D1/2026-11-03.json": [said("2026-11-03", "09:00", "U2", PTO)],
}
CONVERSATIONS = {
    "channels.json": [{"id": "C1", "name": "launch", "created": 1700000000, "creator": "U1", "is_archived": False,
                       "is_general": False, "members": ["U1", "U2", "U3"],
                       "topic": {"value": "launches", "creator": "U1", "last_set": 0},
                       "purpose": {"value": "", "creator": "", "last_set": 0}}],
    "groups.json": [{"id": "G1", "name": "hr-private", "created": 1700000000, "creator": "U1",
                     "is_archived": False, "members": ["U1", "U2"]}],
    "mpims.json": [{"id": "G2", "name": "mpdm-ann--bob--cat-1", "created": 1700000000, "creator": "U1",
                    "is_archived": False, "members": ["U1", "U2", "U3"]}],
    "dms.json": [{"id": "D1", "created": 1700000000, "members": ["U1", "U2"]}],
}
DAY_FILES = 6


def write_export(root, files=HISTORY, *, leave_out=(), users=USERS):
    """An unpacked export as Slack writes it: conversation lists and users at the top, a folder per
    conversation, a JSON file per day."""
    root.mkdir(parents=True, exist_ok=True)
    for name, entries in CONVERSATIONS.items():
        if name not in leave_out:
            (root / name).write_text(json.dumps(entries, indent=1))
    (root / "users.json").write_text(json.dumps(users, indent=1))
    (root / "integration_logs.json").write_text("[]")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=4))
    return root


def zip_export(folder, target, compression=zipfile.ZIP_DEFLATED):
    """Zip the folder as Slack does: the files at the archive's top level."""
    with zipfile.ZipFile(target, "w", compression) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


class Importing(Nudgebot):
    """`python -m bot` with the log in a temp dir; text is kept whatever the date the tests run on."""

    def __init__(self, cwd):
        super().__init__(cwd)
        self.env["NUDGEBOT_RETENTION_DAYS"] = "0"

    def snapshot(self) -> dict:
        return {table: self.rows(f"SELECT * FROM {table} ORDER BY 1, 2, 3")
                for table in ("decisions", "approval_responses", "nudges", "import_files")}

    def history(self) -> list[tuple]:
        """The log as an admin reads it, without ids and bookkeeping times."""
        return self.rows(
            "SELECT channel, ts, thread, author, text, kind, customer_rationale, replies, approval_state, "
            "resolved_at, created_at, edited_at, status FROM decisions ORDER BY channel, ts"
        ) + self.rows(
            "SELECT d.channel, d.ts, r.author, r.answer, r.ts, r.created_at FROM approval_responses r "
            "JOIN decisions d ON d.id = r.request_id ORDER BY d.channel, d.ts, r.ts"
        )


@pytest.fixture
def nudgebot(tmp_path) -> Importing:
    return Importing(tmp_path)


@pytest.fixture
def folder(tmp_path):
    return write_export(tmp_path / "export")


@pytest.fixture(params=["folder", "zip"])
def export_path(request, folder, tmp_path):
    return folder if request.param == "folder" else zip_export(folder, tmp_path / "export.zip")


def summary_rows(out: str) -> dict[str, list[str]]:
    """The summary table: conversation → messages, decisions, with customer rationale, requests, median wait."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("conversation "))
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells[1:]
    return rows


# Counted by hand from HISTORY. #launch: 9 + 4 + 3 messages people wrote; decisions LAUNCH, CSV,
# DESIGN, IE11, NURSES, POSTGRES (CSV and NURSES name their customer: 2 of 6); requests BUDGET
# (approved after 2 h), CDN (declined) and PTO (approved after 6 h): median of 2 and 6 h is 4 h.
# #hr-private: PAYROLL, and BUDGET approved after 4 h. Total: the median of 2, 4 and 6 h.
SUMMARY = {
    "#launch": ["16", "6", "2 (33%)", "3", "4.0 h"],
    "#hr-private (private)": ["3", "1", "0 (0%)", "1", "4.0 h"],
    "mpdm-ann--bob--cat-1 (DM)": ["1", "1", "0 (0%)", "0", "–"],
    "D1 (DM)": ["1", "0", "–", "1", "–"],
    "total": ["21", "8", "2 (25%)", "5", "4.0 h"],
}


# -- what is logged ----------------------------------------------------------------------------


def test_decisions_and_requests_are_logged_with_their_original_time_place_and_author(nudgebot, export_path):
    """Zip or folder: every decision and request is logged as written, where and by whom, and nothing is asked."""
    result = nudgebot("import", str(export_path))

    assert (result.code, result.err) == (0, "")
    assert nudgebot.rows(
        "SELECT created_at, channel, channel_name, visibility, author, author_name, kind, customer_rationale, text "
        "FROM decisions ORDER BY created_at, channel"
    ) == [
        ("2026-11-02T09:00:00.000100+00:00", "C1", "launch", "public", "U1", "Ann", "decision", 0, LAUNCH),
        ("2026-11-02T09:00:00.000100+00:00", "G1", "hr-private", "private", "U1", "Ann", "decision", 0, PAYROLL),
        ("2026-11-02T10:00:00.000100+00:00", "C1", "launch", "public", "U2", "Bob Brown", "decision", 1, CSV_EXPORT),
        ("2026-11-02T10:00:00.000100+00:00", "G1", "hr-private", "private", "U1", "Ann", "approval_request", 0,
         BUDGET),
        ("2026-11-02T11:00:00.000100+00:00", "C1", "launch", "public", "U1", "Ann", "approval_request", 0, BUDGET),
        ("2026-11-02T14:00:00.000100+00:00", "C1", "launch", "public", "U3", "Cat", "decision", 0, DESIGN),
        ("2026-11-02T15:00:00.000100+00:00", "C1", "launch", "public", "U2", "Bob Brown", "decision", 0, IE11),
        ("2026-11-02T16:00:00.000100+00:00", "C1", "launch", "public", "U1", "Ann", "decision", 1, NURSES),
        ("2026-11-03T09:00:00.000100+00:00", "D1", None, "dm", "U2", "Bob Brown", "approval_request", 0, PTO),
        ("2026-11-03T10:00:00.000100+00:00", "C1", "launch", "public", "U1", "Ann", "approval_request", 0, CDN),
        ("2026-11-03T11:30:00.000100+00:00", "G2", "mpdm-ann--bob--cat-1", "dm", "U3", "Cat", "decision", 0, RENAME),
        ("2026-11-10T09:00:00.000100+00:00", "C1", "launch", "public", "U2", "Bob Brown", "decision", 0, POSTGRES),
        ("2026-11-10T10:00:00.000100+00:00", "C1", "launch", "public", "U3", "Cat", "approval_request", 0, PTO),
    ]
    assert nudgebot.rows("SELECT count(*) FROM nudges") == [(0,)]
    assert nudgebot.rows("SELECT DISTINCT platform, workspace FROM decisions") == [("slack", "T9")]


def test_bots_joins_topics_and_other_events_are_skipped_as_the_live_bot_skips_them(nudgebot, folder):
    """Decision words posted by bots or in topic changes are not logged; file shares, /me and broadcasts are read."""
    nudgebot("import", str(folder))

    texts = {text for (text,) in nudgebot.rows("SELECT text FROM decisions")}
    assert not texts & {"We decided to deploy on Fridays.", "We decided to rotate the keys.",
                        "set the channel topic: We decided to use Postgres"}
    assert {DESIGN, IE11} <= texts
    # LAUNCH's thread: "ok", the broadcast "sounds good", and the next day's "ok with me".
    assert nudgebot.rows(f"SELECT replies FROM decisions WHERE ts = '{T_LAUNCH}' AND channel = 'C1'") == [(3,)]


def test_approval_requests_are_resolved_by_replies_in_their_thread_at_the_time_written(nudgebot, folder):
    """Approvals and declines in a request's thread resolve it when they were written; the requester's own do not."""
    nudgebot("import", str(folder))

    assert nudgebot.rows(
        "SELECT channel, text, approval_state, resolved_at FROM decisions WHERE kind = 'approval_request' "
        "ORDER BY created_at"
    ) == [
        ("G1", BUDGET, "approved", "2026-11-02T14:00:00.000100+00:00"),
        ("C1", BUDGET, "approved", "2026-11-02T13:00:00.000100+00:00"),
        ("D1", PTO, "open", None),
        ("C1", CDN, "declined", "2026-11-03T12:00:00.000100+00:00"),
        ("C1", PTO, "approved", "2026-11-10T16:00:00.000100+00:00"),
    ]
    assert nudgebot.rows("SELECT author, answer, created_at FROM approval_responses ORDER BY created_at") == [
        ("U2", "approve", "2026-11-02T13:00:00.000100+00:00"),
        ("U2", "approve", "2026-11-02T14:00:00.000100+00:00"),
        ("U2", "decline", "2026-11-03T12:00:00.000100+00:00"),
        ("U1", "approve", "2026-11-10T16:00:00.000100+00:00"),
    ]


def test_an_edited_message_is_logged_with_its_final_text_and_when_it_was_edited(nudgebot, folder):
    """The `edited` field: the row has the text as it now reads and the edit's time."""
    nudgebot("import", str(folder))

    assert nudgebot.rows("SELECT text, customer_rationale, edited_at FROM decisions WHERE edited_at IS NOT NULL") == [
        (NURSES, 1, "2026-11-02T16:30:00.000100+00:00")
    ]


def test_an_edit_of_a_message_the_live_bot_logged_updates_its_row(nudgebot, tmp_path, principles, rules, clock):
    """A decision the live bot logged, edited later: the export's text updates its row; nothing is logged twice."""
    from builders import message

    live = _engine(nudgebot.db, principles, rules, clock)
    live.handle(message(LAUNCH, ts=T_LAUNCH, channel="C1", workspace="T9", when=datetime(2026, 11, 2, 9, tzinfo=UTC)))
    live.store.close()
    edited = dict(HISTORY)
    edited["launch/2026-11-02.json"] = [
        {**m, "text": "We decided to move the launch to the Friday after.",
         "edited": {"user": "U1", "ts": ts("2026-11-02", "09:30")}} if m.get("ts") == T_LAUNCH else m
        for m in HISTORY["launch/2026-11-02.json"]
    ]

    result = nudgebot("import", str(write_export(tmp_path / "edited", edited)))

    assert result.code == 0
    assert nudgebot.rows(f"SELECT text, edited_at FROM decisions WHERE ts = '{T_LAUNCH}' AND channel = 'C1'") == [
        ("We decided to move the launch to the Friday after.", "2026-11-02T09:30:00.000100+00:00")
    ]
    assert nudgebot.rows("SELECT count(*) FROM nudges") == [(1,)]  # the live one; the import asked nobody


# -- the summary and the report ----------------------------------------------------------------


def test_the_summary_counts_each_conversation_and_the_total(nudgebot, export_path):
    """Messages, decisions, share with a customer rationale, requests and median wait, as counted by hand."""
    result = nudgebot("import", str(export_path))

    assert summary_rows(result.out) == SUMMARY
    assert "→ workspace T9, 2026-11-02 to 2026-11-10." in result.out
    assert (f"{DAY_FILES} day files: {DAY_FILES} imported now, 0 already imported before. 21 messages people "
            "wrote (21 new); 9 bot posts, joins and other events skipped.") in result.out


# Public channels only, weeks in UTC. 2026-W45: LAUNCH, CSV, DESIGN, IE11, NURSES (2 of 5 with a
# customer); BUDGET (2 h) and CDN (declined), both resolved; lacking: LAUNCH, DESIGN, IE11 and the
# two requests. 2026-W46: POSTGRES (no customer) and PTO (approved after 6 h).
REPORT_WEEKS = [
    {"week": "2026-W45", "decisions": 5, "with_rationale": 2, "share": 0.4, "previous_share": None,
     "requests_opened": 2, "requests_resolved": 2, "median_hours_to_approval": 2.0, "lacking": 5},
    {"week": "2026-W46", "decisions": 1, "with_rationale": 0, "share": 0.0, "previous_share": 0.4,
     "requests_opened": 1, "requests_resolved": 1, "median_hours_to_approval": 6.0, "lacking": 2},
]


def test_the_json_report_has_the_digest_figures_week_by_week_for_public_channels(nudgebot, folder):
    """`--report json --output FILE`: every week's digest figures, the whole period's, and public channels."""
    result = nudgebot("import", str(folder), "--report", "json", "--output", "history.json")

    assert result.code == 0
    assert "History report written to history.json." in result.out
    report = json.loads((nudgebot.cwd / "history.json").read_text())
    assert (report["workspace"], report["from"], report["to"], report["scope"]) == (
        "T9", "2026-11-02", "2026-11-10", "public channels")
    assert report["weeks"] == REPORT_WEEKS
    assert report["totals"] == {
        "weeks": "2026-W45 to 2026-W46", "decisions": 6, "with_rationale": 2, "share": 0.333,
        "requests_opened": 3, "requests_resolved": 3, "median_hours_to_approval": 4.0, "lacking": 7,
    }
    assert report["channels"] == [
        {"channel": "C1", "name": "launch", "visibility": "public", "messages": 16, "decisions": 6,
         "with_rationale": 2, "share": 0.333, "approval_requests": 3, "approved": 2, "median_hours_to_approval": 4.0}
    ]


def test_the_markdown_report_goes_to_stdout_and_the_summary_to_stderr(nudgebot, folder):
    """`--report markdown` without --output: stdout is the report alone, the summary is on stderr."""
    result = nudgebot("import", str(folder), "--report", "markdown")

    assert result.code == 0
    assert result.out.startswith("# Decision history — Slack workspace T9\n")
    assert "| 2026-W45 | 5 | 2 | 40% | 2 | 2 | 2.0 h | 5 |" in result.out
    assert "| 2026-W46 | 1 | 0 | 0% | 1 | 1 | 6.0 h | 2 |" in result.out
    assert "| #launch | 16 | 6 | 2 | 33% | 3 | 4.0 h |" in result.out
    assert "hr-private" not in result.out and "conversation " not in result.out
    assert summary_rows(result.err) == SUMMARY


# -- idempotence and resuming ------------------------------------------------------------------


def test_importing_the_same_export_twice_adds_nothing(nudgebot, folder, tmp_path):
    """The second import (the zip of the same export) changes no row and reports the same figures."""
    first = nudgebot("import", str(folder))
    before = nudgebot.snapshot()

    second = nudgebot("import", str(zip_export(folder, tmp_path / "export.zip")))

    assert second.code == 0 and second.err == ""
    assert nudgebot.snapshot() == before
    assert f"{DAY_FILES} day files: 0 imported now, {DAY_FILES} already imported before." in second.out
    assert "21 messages people wrote (0 new)" in second.out
    assert summary_rows(second.out) == summary_rows(first.out) == SUMMARY


def test_a_later_export_adds_only_what_is_new_and_follows_edits(nudgebot, tmp_path):
    """An export cut mid-day, then a later one with more of that day and an edit: as if imported once."""
    early = {name: entries for name, entries in HISTORY.items() if name != "launch/2026-11-10.json"}
    early["launch/2026-11-03.json"] = HISTORY["launch/2026-11-03.json"][:2]  # before the CDN answers
    later = dict(HISTORY)
    later["launch/2026-11-02.json"] = [
        {**m, "text": "We decided to move the launch to the Friday after.",
         "edited": {"user": "U1", "ts": ts("2026-11-04", "08:00")}} if m.get("ts") == T_LAUNCH else m
        for m in HISTORY["launch/2026-11-02.json"]
    ]
    once = Importing(tmp_path / "once")
    (tmp_path / "once").mkdir()
    once("import", str(write_export(tmp_path / "later", later)))

    nudgebot("import", str(write_export(tmp_path / "early", early)))
    result = nudgebot("import", str(tmp_path / "later"))

    assert result.code == 0
    assert "3 imported now, 3 already imported before" in result.out
    assert nudgebot.history() == once.history()
    assert nudgebot.rows(f"SELECT replies, edited_at FROM decisions WHERE ts = '{T_LAUNCH}' AND channel = 'C1'") == [
        (3, "2026-11-04T08:00:00.000100+00:00")
    ]


def _engine(path, principles, rules, clock):
    from bot.config import PROMPTS_DIR
    from bot.engine import Engine
    from bot.prompts import Prompts
    from bot.store import Store

    return Engine(Store.open(path), principles, Prompts(PROMPTS_DIR), rules, retention_days=0, clock=clock)


def test_an_interrupted_import_continues_where_it_stopped(tmp_path, folder, principles, rules, clock):
    """Stopped in the middle of a day file, the import keeps the files it finished and redoes only that one."""
    from bot.importer import Importer, Selection
    from bot.slack_export import Problems, SlackExport

    def run(engine):
        export = SlackExport.open(folder)
        importer = Importer(engine, export, "T9")
        return importer.run(importer.plan(Selection(), export.conversations(Problems())), Problems())

    engine = _engine(tmp_path / "log.db", principles, rules, clock)
    handled = []
    real = engine.handle

    def handle(message, **kwargs):
        if len(handled) == 11:  # the 2nd message of launch/2026-11-03.json (the first file has 9)
            raise KeyboardInterrupt
        handled.append(message.ts)
        return real(message, **kwargs)

    engine.handle = handle
    with pytest.raises(KeyboardInterrupt):
        run(engine)

    rows = engine.store.db.execute
    assert rows("SELECT file FROM import_files").fetchall() == [("launch/2026-11-02.json",)]
    assert rows(f"SELECT replies FROM decisions WHERE ts = '{T_LAUNCH}'").fetchall() == [(2,)]
    handled.clear()
    engine.handle = real
    summary = run(engine)

    clean = _engine(tmp_path / "clean.db", principles, rules, clock)
    run(clean)
    dump = "SELECT channel, ts, text, kind, customer_rationale, replies, approval_state, resolved_at, edited_at " \
           "FROM decisions ORDER BY channel, ts"
    assert rows(dump).fetchall() == clean.store.db.execute(dump).fetchall()
    assert rows("SELECT count(*) FROM approval_responses").fetchall() == [(4,)]
    assert (summary.files, summary.files_already) == (DAY_FILES, 1)
    assert summary.total().messages == 21 and summary.total().new_messages == 21 - 9


def test_an_interrupted_command_says_how_to_continue(nudgebot, folder, monkeypatch):
    """Ctrl-C during `nudgebot import` exits 130 saying what was kept; running it again finishes the import."""
    from click.testing import CliRunner

    from bot.cli import cli
    from bot.importer import Importer

    real = Importer.import_file
    calls = []

    def import_file(self, day_file, problems):
        calls.append(day_file.name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, day_file, problems)

    monkeypatch.setattr(Importer, "import_file", import_file)
    monkeypatch.setenv("NUDGEBOT_DB", str(nudgebot.db))
    result = CliRunner().invoke(cli, ["import", str(folder)])
    monkeypatch.undo()

    assert result.exit_code == 130
    assert "Interrupted after 2 of 6 day files" in result.stderr
    assert "run the same command again" in result.stderr
    again = nudgebot("import", str(folder))
    assert again.code == 0
    assert "4 imported now, 2 already imported before" in again.out
    assert summary_rows(again.out) == SUMMARY


# -- options -----------------------------------------------------------------------------------


def test_channel_picks_conversations_by_name_or_id(nudgebot, folder):
    """--channel is repeatable and takes a name (with or without #) or an id."""
    result = nudgebot("import", str(folder), "--channel", "#launch", "--channel", "G1")

    assert result.code == 0
    assert nudgebot.rows("SELECT DISTINCT channel FROM decisions ORDER BY 1") == [("C1",), ("G1",)]
    assert list(summary_rows(result.out)) == ["#launch", "#hr-private (private)", "total"]


def test_an_unknown_channel_is_a_usage_error(nudgebot, folder):
    """A --channel the export does not have is named, with exit 2, and nothing is imported."""
    result = nudgebot("import", str(folder), "--channel", "nope")

    assert result.code == 2
    assert "nope: not in this export" in result.err and "launch" in result.err
    assert "Traceback" not in result.err
    assert nudgebot.rows("SELECT count(*) FROM decisions") == [(0,)]


def test_since_and_until_limit_the_days_imported(nudgebot, folder):
    """--since/--until include both days: only 2026-11-03's files are read."""
    result = nudgebot("import", str(folder), "--since", "2026-11-03", "--until", "2026-11-03")

    assert result.code == 0
    assert nudgebot.rows("SELECT channel, text, approval_state FROM decisions ORDER BY created_at") == [
        ("D1", PTO, "open"), ("C1", CDN, "declined"), ("G2", RENAME, None)]
    assert "3 day files: 3 imported now" in result.out
    assert list(summary_rows(result.out)) == ["#launch", "mpdm-ann--bob--cat-1 (DM)", "D1 (DM)", "total"]


def test_skip_private_leaves_out_private_channels_group_dms_and_dms(nudgebot, folder):
    """--skip-private imports public channels only."""
    result = nudgebot("import", str(folder), "--skip-private")

    assert result.code == 0
    assert nudgebot.rows("SELECT DISTINCT visibility FROM decisions") == [("public",)]
    assert summary_rows(result.out) == {"#launch": SUMMARY["#launch"], "total": SUMMARY["#launch"]}


@pytest.mark.parametrize(
    "options",
    [["--since", "last week"], ["--since", "2026-11-10", "--until", "2026-11-02"], ["--output", "history.md"]],
    ids=["not a date", "since after until", "output without report"],
)
def test_options_that_make_no_sense_are_usage_errors(nudgebot, folder, options):
    """A bad date, --since after --until, or --output without --report: exit 2 naming the option, nothing read."""
    result = nudgebot("import", str(folder), *options)

    assert result.code == 2 and options[0] in result.err and "Traceback" not in result.err
    assert not nudgebot.db.exists() or nudgebot.rows("SELECT count(*) FROM decisions") == [(0,)]


def test_the_workspace_comes_from_users_json_or_the_option(nudgebot, folder):
    """--workspace wins over the team id of users.json."""
    nudgebot("import", str(folder), "--workspace", "T_REAL")

    assert nudgebot.rows("SELECT DISTINCT workspace FROM decisions") == [("T_REAL",)]


def test_an_export_that_does_not_name_its_workspace_needs_the_option_once(nudgebot, tmp_path):
    """Without a team id in users.json: exit 4 asking for --workspace, unless the log has one Slack workspace."""
    export = write_export(tmp_path / "anon", users=[{"id": u["id"], "name": u["name"]} for u in USERS])

    refused = nudgebot("import", str(export))
    given = nudgebot("import", str(export), "--workspace", "T9")
    again = nudgebot("import", str(export))

    assert refused.code == 4 and "--workspace" in refused.err and "Traceback" not in refused.err
    assert (given.code, again.code) == (0, 0)
    assert "0 imported now" in again.out
    assert nudgebot.rows("SELECT DISTINCT workspace FROM decisions") == [("T9",)]


def test_imported_text_older_than_the_retention_period_is_erased_and_still_counted(tmp_path):
    """History older than NUDGEBOT_RETENTION_DAYS keeps its figures and loses its words, as live messages do."""
    old = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    recent = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    export = write_export(tmp_path / "export", {f"launch/{old}.json": [said(old, "09:00", "U1", LAUNCH)],
                                                f"launch/{recent}.json": [said(recent, "09:00", "U1", POSTGRES)]})
    runner = Nudgebot(tmp_path)

    result = runner("import", str(export))

    assert result.code == 0
    assert runner.rows("SELECT text, purged_at IS NOT NULL FROM decisions ORDER BY created_at") == [
        (None, 1), (POSTGRES, 0)]
    assert summary_rows(result.out)["#launch"] == ["2", "2", "0 (0%)", "0", "–"]


# -- progress ----------------------------------------------------------------------------------


def test_a_terminal_gets_a_progress_bar(nudgebot, folder):
    """With stderr on a terminal, a progress bar counts the day files; the summary still goes to stdout."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    try:
        done = subprocess.run([sys.executable, "-m", "bot", "import", str(folder)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=slave, cwd=nudgebot.cwd, env=nudgebot.env,
                              timeout=TIMEOUT)
    finally:
        os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal is closed once everything written was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)

    assert done.returncode == 0
    assert f"/{DAY_FILES}".encode() in shown and b"day files" in shown
    assert summary_rows(done.stdout.decode()) == SUMMARY


# -- bad input ---------------------------------------------------------------------------------


def test_a_corrupt_zip_is_refused_and_the_log_kept(nudgebot, folder, tmp_path):
    """A file that is not a zip: exit 4, one line naming it, and what was logged before is untouched."""
    nudgebot("import", str(folder))
    before = nudgebot.snapshot()
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip" + bytes(range(256)))

    result = nudgebot("import", str(tmp_path / "broken.zip"))

    assert result.code == 4
    assert "broken.zip: not a readable zip file" in result.err and "Traceback" not in result.err
    assert nudgebot.snapshot() == before


def test_a_damaged_file_inside_the_zip_is_named_and_the_rest_imported(nudgebot, folder, tmp_path):
    """A member whose bytes were damaged (its CRC no longer matches) is skipped; exit 1."""
    target = zip_export(folder, tmp_path / "export.zip", compression=zipfile.ZIP_STORED)
    data = target.read_bytes()
    assert data.count(b"vendor contract") == 2  # the text and its rich-text block, in one file
    target.write_bytes(data.replace(b"vendor contract", b"vendor c0ntract"))

    result = nudgebot("import", str(target))

    assert result.code == 1
    assert re.search(r"^skipped: launch/2026-11-03\.json: cannot be read \(BadZipFile: Bad CRC-32", result.err, re.M)
    assert "Traceback" not in result.err
    assert nudgebot.rows(f"SELECT count(*) FROM decisions WHERE text = '{CDN}'") == [(0,)]
    assert nudgebot.rows("SELECT count(*) FROM decisions").pop()[0] == 12
    assert summary_rows(result.out)["#launch"][0] == "12"  # the 4 messages of that day are missing


def test_a_missing_channels_json_is_named_and_the_other_conversations_imported(nudgebot, tmp_path):
    """Without channels.json the public channels' folders are named as skipped; the rest is imported; exit 1."""
    export = write_export(tmp_path / "export", leave_out=("channels.json",))

    result = nudgebot("import", str(export))

    assert result.code == 1
    assert "skipped: channels.json: missing; public channels cannot be read" in result.err
    assert "skipped: launch/: no conversation list names these folders" in result.err
    assert nudgebot.rows("SELECT DISTINCT channel FROM decisions ORDER BY 1") == [("D1",), ("G1",), ("G2",)]


def test_a_malformed_day_file_is_named_the_rest_imported_and_imported_once_repaired(nudgebot, tmp_path):
    """A day file that is not JSON is skipped and named on every run until repaired; then it is imported."""
    broken = dict(HISTORY, **{"launch/2026-11-03.json": '[{"type": "message", "text": "cut off'})
    export = write_export(tmp_path / "export", broken)

    first = nudgebot("import", str(export))
    second = nudgebot("import", str(export))

    for result in (first, second):
        assert result.code == 1
        assert "skipped: launch/2026-11-03.json: not valid JSON (line 1: Unterminated string" in result.err
        assert "1 problem(s)" in result.err and "Traceback" not in result.err
    assert nudgebot.rows(f"SELECT count(*) FROM decisions WHERE text = '{POSTGRES}'") == [(1,)]
    assert "6 day files: 5 imported now, 0 already imported before, 1 unreadable." in first.out
    assert "6 day files: 0 imported now, 5 already imported before, 1 unreadable." in second.out

    write_export(tmp_path / "export")
    repaired = nudgebot("import", str(export))

    assert (repaired.code, repaired.err) == (0, "")
    assert summary_rows(repaired.out) == SUMMARY
    assert nudgebot.rows(f"SELECT replies FROM decisions WHERE ts = '{T_LAUNCH}' AND channel = 'C1'") == [(3,)]


def test_a_message_with_unexpected_fields_is_named_and_the_rest_of_its_file_imported(nudgebot, tmp_path):
    """A message whose text is not a string is skipped, named with its file and ts; once fixed it is imported."""
    odd = dict(HISTORY)
    odd["launch/2026-11-02.json"] = [
        {**m, "text": {"unexpected": "object"}} if m.get("text") == CSV_EXPORT else m
        for m in HISTORY["launch/2026-11-02.json"]
    ] + ["not a message at all"]
    export = write_export(tmp_path / "export", odd)

    result = nudgebot("import", str(export))

    assert result.code == 1
    assert (f"skipped: launch/2026-11-02.json: message 9 (ts {ts('2026-11-02', '10:00')}) skipped: "
            "its text is not a string") in result.err
    assert "skipped: launch/2026-11-02.json: message 19 skipped: not a JSON object" in result.err
    assert nudgebot.rows(f"SELECT count(*) FROM decisions WHERE text IN ('{LAUNCH}', '{NURSES}')") == [(2,)]
    assert nudgebot.rows(f"SELECT count(*) FROM decisions WHERE text = '{CSV_EXPORT}'") == [(0,)]

    write_export(tmp_path / "export")
    fixed = nudgebot("import", str(export))

    assert (fixed.code, fixed.err) == (0, "")
    assert nudgebot.rows(f"SELECT count(*) FROM decisions WHERE text = '{CSV_EXPORT}'") == [(1,)]
    assert nudgebot.rows(f"SELECT replies FROM decisions WHERE ts = '{T_LAUNCH}' AND channel = 'C1'") == [(3,)]
    assert summary_rows(fixed.out) == SUMMARY


def test_a_path_that_is_not_an_export_is_refused(nudgebot, tmp_path):
    """A folder without any conversation list is not an export: exit 4, naming channels.json."""
    (tmp_path / "photos").mkdir()

    result = nudgebot("import", str(tmp_path / "photos"))

    assert result.code == 4
    assert "channels.json is missing" in result.err and "Traceback" not in result.err
