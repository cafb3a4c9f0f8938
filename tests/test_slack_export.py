"""Reading Slack workspace exports, in Slack's own layout, as folder and as zip."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime

import pytest

from bot.models import Visibility
from bot.slack_export import ExportError, Problems, SlackExport, slack_time, ts_order


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


def read_all(export):
    problems = Problems()
    days = [export.read_day(f, problems) for c in export.conversations(problems) for f in export.day_files(c)]
    return [w.message for day in days if day is not None for w in day.written], problems


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


def test_day_files_are_listed_oldest_first_with_their_day(export_path):
    """Each conversation's day files come in date order, named as in the export."""
    export = SlackExport.open(export_path)
    [launch] = [c for c in export.conversations(Problems()) if c.id == "C1"]
    assert [(f.name, f.day.isoformat()) for f in export.day_files(launch)] == [
        ("launch/2026-11-02.json", "2026-11-02"),
        ("launch/2026-11-03.json", "2026-11-03"),
    ]


def test_edits_and_skipped_events_are_reported_with_the_day(export_path):
    """A day knows each message's edit time and how many entries were not people writing."""
    export = SlackExport.open(export_path)
    [launch] = [c for c in export.conversations(Problems()) if c.id == "C1"]
    day = export.read_day(export.day_files(launch)[0], Problems())
    assert [(w.message.text, w.edited) for w in day.written if w.edited] == [
        ("Going with Postgres (edited)", datetime(2025, 11, 2, 8, 6, 40, tzinfo=UTC))
    ]
    assert day.events == 3


def test_a_file_has_the_same_fingerprint_zipped_and_unpacked(tmp_path):
    """The fingerprint of a day file is its CRC-32 and size, the same in the zip and in the folder."""
    folder = write_export(tmp_path / "export")
    zipped = SlackExport.open(zip_export(folder, tmp_path / "export.zip"))
    unpacked = SlackExport.open(folder)
    prints = []
    for export in (zipped, unpacked):
        [launch] = [c for c in export.conversations(Problems()) if c.id == "C1"]
        prints.append([export.fingerprint(f) for f in export.day_files(launch)])
    assert prints[0] == prints[1] and len(set(prints[0])) == 2


def test_slack_timestamps_are_read_exactly():
    """A ts is read to the microsecond and ordered by its number, not as text."""
    assert slack_time("1762070400.000100") == datetime(2025, 11, 2, 8, 0, 0, 100, tzinfo=UTC)
    assert slack_time("1762070400") == datetime(2025, 11, 2, 8, 0, tzinfo=UTC)
    assert slack_time("x") is None and slack_time("1.2.3") is None
    assert sorted(["999999999.9", "1000000000.000001"], key=ts_order) == ["999999999.9", "1000000000.000001"]


def test_a_malformed_day_file_is_reported_and_the_rest_still_read(tmp_path):
    """A day file that is not JSON is named in the problems; other files are read."""
    folder = write_export(tmp_path / "export")
    (folder / "launch" / "2026-11-03.json").write_text("[{not json")
    messages, problems = read_all(SlackExport.open(folder))
    assert problems.items == ["launch/2026-11-03.json: not valid JSON (line 1: Expecting property name enclosed in "
                              "double quotes)"]
    assert "We decided to move the launch." in [m.text for m in messages]


def test_messages_with_unexpected_fields_are_reported_and_the_rest_of_the_file_read(tmp_path):
    """Entries that are not objects, or a person's message without a usable ts, user, text or
    edit, are named with their file and position; fields we do not use are simply ignored."""
    folder = write_export(tmp_path / "export", {"launch/2026-11-02.json": [
        "just a string", {"type": "message", "user": "U1"}, {"type": "message", "user": "U1", "ts": "x", "text": "t"},
        {"type": "message", "ts": "1762070400.2", "text": "no author"},
        {"type": "message", "user": "U1", "ts": "1762070400.3", "text": {"rich": "text"}},
        {"type": "message", "user": "U1", "ts": "1762070400.4", "text": "t", "edited": "yesterday"},
        {"type": "message", "user": "U1", "ts": "1762070400.1", "text": "kept", "unexpected": {"a": 1}},
        {"type": "message", "subtype": "channel_join", "ts": "1762070400.5"},
    ]})
    messages, problems = read_all(SlackExport.open(folder))
    assert [m.text for m in messages] == ["kept"]
    assert problems.items == [
        "launch/2026-11-02.json: message 1 skipped: not a JSON object",
        "launch/2026-11-02.json: message 2 skipped: its ts None is not a Slack timestamp",
        "launch/2026-11-02.json: message 3 (ts x) skipped: its ts 'x' is not a Slack timestamp",
        "launch/2026-11-02.json: message 4 (ts 1762070400.2) skipped: it has no user",
        "launch/2026-11-02.json: message 5 (ts 1762070400.3) skipped: its text is not a string",
        "launch/2026-11-02.json: message 6 (ts 1762070400.4) skipped: its edited field 'yesterday' has no "
        "Slack timestamp",
    ]


def test_missing_channels_json_is_reported_and_the_other_conversations_read(tmp_path):
    """Without channels.json the public channels' folders are named as skipped; private ones and DMs are read."""
    folder = write_export(tmp_path / "export", channels=False)
    messages, problems = read_all(SlackExport.open(folder))
    assert problems.items == [
        "channels.json: missing; public channels cannot be read",
        "launch/: no conversation list names these folders; their messages were skipped",
    ]
    assert {m.channel for m in messages} == {"G1", "D1"}


def test_a_folder_without_any_conversation_list_is_not_an_export(tmp_path):
    """A folder with none of channels.json, groups.json, mpims.json, dms.json is refused, naming channels.json."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("buy milk")
    with pytest.raises(ExportError, match="channels.json is missing"):
        SlackExport.open(tmp_path / "notes")


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


def test_workspace_is_the_team_most_people_belong_to(tmp_path):
    """The export's workspace is the team id most users in users.json have; None without one."""
    folder = write_export(tmp_path / "export")
    assert SlackExport.open(folder).workspace == "T9"
    (folder / "users.json").write_text(json.dumps([{"id": "U1", "name": "ann"}]))
    assert SlackExport.open(folder).workspace is None
