"""Reading Slack workspace exports, in Slack's own layout, as folder and as zip."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime

import pytest

from bot.models import Visibility
from bot.slack_export import ExportError, Problems, SlackExport


def write_export(root, day_files=None, *, channels=True, extra=None):
    """A small export: #launch (public), #hr-private (private), one DM, three users."""
    root.mkdir(parents=True, exist_ok=True)
    if channels:
        (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "launch"}]))
    (root / "groups.json").write_text(json.dumps([{"id": "G1", "name": "hr-private"}]))
    (root / "dms.json").write_text(json.dumps([{"id": "D1", "members": ["U1", "U2"]}]))
    (root / "users.json").write_text(
        json.dumps(
            [
                {"id": "U1", "team_id": "T9", "name": "ann", "profile": {"display_name": "Ann"}},
                {"id": "U2", "team_id": "T9", "name": "bob", "real_name": "Bob B"},
                {"id": "B1", "team_id": "T9", "name": "deploybot", "is_bot": True},
            ]
        )
    )
    files = day_files or {
        "launch/2026-11-02.json": [
            {"type": "message", "user": "U1", "ts": "1762070400.000100", "text": "We decided to move the launch."},
            {"type": "message", "user": "U2", "ts": "1762070460.000200", "thread_ts": "1762070400.000100",
             "text": "ok"},
            {"type": "message", "subtype": "channel_join", "user": "U2", "ts": "1762070500.000300",
             "text": "<@U2> has joined the channel"},
            {"type": "message", "subtype": "bot_message", "bot_id": "B1", "ts": "1762070600.000400",
             "text": "Deploy finished"},
            {"type": "message", "user": "U1", "ts": "1762070700.000500", "text": "Going with Postgres (edited)",
             "edited": {"user": "U1", "ts": "1762070800.000000"}},
            {"type": "message", "subtype": "file_share", "user": "U2", "ts": "1762070900.000600",
             "text": "the spec", "files": [{"id": "F1"}]},
            {"type": "message", "subtype": "channel_topic", "user": "U1", "ts": "1762071000.000700",
             "text": "set the topic"},
        ],
        "launch/2026-11-03.json": [
            {"type": "message", "user": "U2", "ts": "1762156800.000100", "text": "next day"},
        ],
        "hr-private/2026-11-02.json": [
            {"type": "message", "user": "U1", "ts": "1762070400.000900", "text": "Going with vendor B for payroll."},
        ],
        "D1/2026-11-02.json": [
            {"type": "message", "user": "U2", "ts": "1762070400.001000", "text": "can you approve my PTO?"},
        ],
    }
    for name, messages in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(messages if isinstance(messages, str) else json.dumps(messages))
    for name, content in (extra or {}).items():
        (root / name).write_text(content)
    return root


def zip_export(folder, target):
    """Zip the folder the way Slack does: files at the archive's top level."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def read_all(export, **kwargs):
    problems = Problems()
    messages = [m for c in export.conversations(problems) for m in export.messages(c, problems, **kwargs)]
    return messages, problems


@pytest.fixture(params=["folder", "zip"])
def export_path(request, tmp_path):
    folder = write_export(tmp_path / "export")
    return folder if request.param == "folder" else zip_export(folder, tmp_path / "export.zip")


def test_people_messages_are_read_with_their_conversation_and_time(export_path):
    """Messages people wrote come out with channel, visibility, thread, author name and original time."""
    export = SlackExport.open(export_path)
    messages, problems = read_all(export)
    assert not problems
    assert export.workspace == "T9"
    first = messages[0]
    assert (first.channel, first.channel_name, first.visibility, first.author_name) == (
        "C1", "launch", Visibility.PUBLIC, "Ann")
    assert first.time == datetime.fromtimestamp(1762070400.0001, tz=UTC)
    reply = messages[1]
    assert (reply.thread, reply.is_reply, reply.author_name) == ("1762070400.000100", True, "Bob B")


def test_joins_topics_and_bot_posts_are_skipped_but_file_shares_and_edits_are_kept(export_path):
    """Subtypes that are not people writing are skipped, as the live bot skips them."""
    messages, _ = read_all(SlackExport.open(export_path))
    texts = [m.text for m in messages if m.channel == "C1"]
    assert texts == ["We decided to move the launch.", "ok", "Going with Postgres (edited)", "the spec", "next day"]


def test_private_channels_and_dms_keep_their_visibility(export_path):
    """groups.json conversations are private and dms.json ones are DMs, read from the id-named folder."""
    messages, _ = read_all(SlackExport.open(export_path))
    assert {(m.channel, m.visibility) for m in messages if m.channel != "C1"} == {
        ("G1", Visibility.PRIVATE),
        ("D1", Visibility.DM),
    }


def test_date_range_limits_the_days_read(export_path):
    """Only day files within --since/--until are read."""
    messages, _ = read_all(SlackExport.open(export_path), since=date(2026, 11, 3))
    assert [m.text for m in messages] == ["next day"]


def test_a_malformed_day_file_is_reported_and_the_rest_still_read(tmp_path):
    """A day file that is not JSON is named in the problems; other files are read."""
    folder = write_export(tmp_path / "export")
    (folder / "launch" / "2026-11-03.json").write_text("[{not json")
    messages, problems = read_all(SlackExport.open(folder))
    assert problems.items == ["launch/2026-11-03.json: not valid JSON (line 1: Expecting property name enclosed in "
                              "double quotes)"]
    assert "We decided to move the launch." in [m.text for m in messages]


def test_messages_with_unexpected_fields_are_skipped_quietly(tmp_path):
    """Entries that are not messages, or lack a ts, user or text, are skipped without failing the file."""
    folder = write_export(tmp_path / "export", {"launch/2026-11-02.json": [
        "just a string", {"type": "message", "user": "U1"}, {"type": "message", "user": "U1", "ts": "x", "text": "t"},
        {"type": "message", "user": "U1", "ts": "1762070400.1", "text": "kept", "unexpected": {"a": 1}},
    ]})
    messages, problems = read_all(SlackExport.open(folder))
    assert [m.text for m in messages] == ["kept"] and not problems


def test_missing_channels_json_is_a_clear_error(tmp_path):
    """An export without channels.json is refused with a message naming the file."""
    folder = write_export(tmp_path / "export", channels=False)
    with pytest.raises(ExportError, match="channels.json is missing"):
        SlackExport.open(folder)


def test_a_corrupt_zip_is_a_clear_error(tmp_path):
    """A file that is not a zip is refused with a clear message."""
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ExportError, match="not a readable zip file"):
        SlackExport.open(bad)


def test_a_zip_with_a_top_folder_is_read(tmp_path):
    """Exports re-zipped with a wrapping folder are found inside it."""
    folder = write_export(tmp_path / "src" / "Acme Slack export")
    target = tmp_path / "wrapped.zip"
    shutil.make_archive(str(target.with_suffix("")), "zip", tmp_path / "src")
    messages, problems = read_all(SlackExport.open(target))
    assert len(messages) == 7 and not problems
    assert folder.exists()


def test_workspace_can_be_given(export_path):
    """An explicit workspace id wins over the one guessed from users.json."""
    assert SlackExport.open(export_path, workspace="T_REAL").workspace == "T_REAL"
