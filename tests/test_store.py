"""The decision log: one SQLite file, migrated in place, scoped by workspace, safe for two writers."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import message
from sqlite_utils import Database

from bot.errors import StoreError
from bot.models import ChannelSettings, Kind, Verdict, iso
from bot.store import Store, migrations

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
UNCLEAR = Verdict(Kind.DECISION, customer_rationale=False, nudge=True)


def query(path: Path, sql: str) -> list[tuple]:
    """Read the file with a connection of its own, as an admin with the sqlite3 shell would."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def opened(tmp_path):
    """Stores opened by a test, closed after it."""
    stores = []

    def open_(path: Path) -> Store:
        store = Store.open(path)
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


# -- the file ---------------------------------------------------------------------------------


def test_a_new_file_is_created_in_wal_mode(tmp_path, opened):
    """Opening a path that does not exist creates the log in WAL mode, for concurrent readers."""
    opened(tmp_path / "new.db")

    assert query(tmp_path / "new.db", "PRAGMA journal_mode") == [("wal",)]


def test_a_new_file_has_every_table(tmp_path, opened):
    """A new log has the decision, approval, dismissal, example, nudge, channel, workspace, event, inbox and
    outbox tables."""
    opened(tmp_path / "new.db")

    assert query(tmp_path / "new.db", "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == [
        ("_sqlite_migrations",),
        ("approval_approvers",),
        ("approval_flags",),
        ("approval_reminders",),
        ("approval_requests",),
        ("approval_responses",),
        ("channel_settings",),
        ("decisions",),
        ("digest_posts",),
        ("digest_settings",),
        ("dismissals",),
        ("examples",),
        ("import_files",),
        ("inbox",),
        ("llm_cache",),
        ("llm_calls",),
        ("llm_workspaces",),
        ("nudges",),
        ("outbox",),
        ("processed_events",),
        ("sqlite_sequence",),
        ("teams_conversations",),
        ("workspace_models",),
        ("workspace_settings",),
    ]


def test_migrations_keep_existing_rows(tmp_path, opened):
    """A log from before m002 keeps its decisions when opened, and they get 0 replies."""
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m002_reply_counts")
    old.execute(
        "INSERT INTO decisions (platform, workspace, channel, ts, text, kind, customer_rationale, created_at) "
        "VALUES ('slack', 'T_ONE', 'C_GENERAL', '1700000000.000100', 'We decided to drop IE11.', "
        "'decision', 0, '2026-11-01T09:00:00.000000+00:00')"
    )
    old.close()

    opened(path)

    assert query(
        path,
        "SELECT id, platform, workspace, channel, ts, text, kind, customer_rationale, status, principles, "
        "created_at, replies FROM decisions",
    ) == [
        (
            1,
            "slack",
            "T_ONE",
            "C_GENERAL",
            "1700000000.000100",
            "We decided to drop IE11.",
            "decision",
            0,
            "active",
            "[]",
            "2026-11-01T09:00:00.000000+00:00",
            0,
        )
    ]


def test_reopening_is_idempotent(tmp_path, opened):
    """Opening the same log again applies nothing twice and keeps its rows."""
    path = tmp_path / "log.db"
    first = opened(path)
    first.log(message("We decided to drop IE11.", ts="1.1"), UNCLEAR, "We decided to drop IE11.", NOW)
    first.close()

    opened(path)
    opened(path)

    assert (
        query(path, "SELECT name FROM _sqlite_migrations ORDER BY id"),
        query(path, "SELECT ts, text FROM decisions"),
    ) == (
        [("m001_initial",), ("m002_reply_counts",), ("m003_dismissals",), ("m004_imports",),
         ("m005_approvals",), ("m006_teams",), ("m007_digests",), ("m008_llm",), ("m009_open_requests",),
         ("m010_sensitivity",), ("m011_examples",), ("m012_workspace_models",), ("m013_inbox_outbox",)],
        [("1.1", "We decided to drop IE11.")],
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(random.Random(7).randbytes(8192), id="random bytes"),
        pytest.param(b"name,text\nann,We decided to ship.\n" * 50, id="a text file"),
        pytest.param(b"SQLite format 3\x00" + random.Random(8).randbytes(8176), id="header then garbage"),
    ],
)
def test_a_corrupt_file_is_refused_and_left_untouched(tmp_path, content):
    """A file that is not a usable SQLite log raises StoreError, and its bytes stay as they were."""
    path = tmp_path / "precious.db"
    path.write_bytes(content)

    with pytest.raises(StoreError, match=r"precious\.db .*it was left untouched"):
        Store.open(path)

    assert (path.read_bytes() == content, sorted(p.name for p in tmp_path.iterdir())) == (
        True,
        ["precious.db"],
    )


def test_a_text_file_gets_a_message_saying_what_to_do(tmp_path):
    """The error for a file that is not SQLite says so and suggests another path or a backup."""
    path = tmp_path / "notes.txt"
    path.write_text("meeting notes\n", encoding="utf-8")

    with pytest.raises(StoreError) as raised:
        Store.open(path)

    assert str(raised.value) == (
        f"{path} is not a SQLite database (or is corrupt); it was left untouched. "
        "Point NUDGEBOT_DB at another file or restore this one from a backup."
    )


def test_another_applications_database_is_refused_and_left_untouched(tmp_path):
    """A SQLite file of another application is not given our tables."""
    path = tmp_path / "crm.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store.open(path)

    assert (str(raised.value), path.read_bytes() == before) == (
        f"{path} is another application's SQLite database (tables: contacts); it was left untouched. "
        "Point NUDGEBOT_DB at a new file.",
        True,
    )


def test_a_directory_is_a_clear_error(tmp_path):
    """NUDGEBOT_DB naming a directory is refused with a message saying it must be a file."""
    with pytest.raises(StoreError) as raised:
        Store.open(tmp_path)

    assert str(raised.value) == f"{tmp_path} is a directory; NUDGEBOT_DB must name a file"


def test_an_empty_file_becomes_a_new_log(tmp_path, opened):
    """A zero-byte file (from `touch`) is used as a new log."""
    path = tmp_path / "touched.db"
    path.touch()

    opened(path)

    assert query(path, "SELECT count(*) FROM decisions") == [(0,)]


# -- workspaces -------------------------------------------------------------------------------


def two_workspaces(store: Store) -> tuple[int, int]:
    """The same channel and ts logged in two workspaces."""
    a = message("We decided to drop IE11.", workspace="T_A", channel="C_SAME", ts="1700000000.000100")
    b = message("We decided to keep IE11.", workspace="T_B", channel="C_SAME", ts="1700000000.000100")
    id_a, _ = store.log(a, UNCLEAR, a.text, NOW)
    id_b, _ = store.log(b, UNCLEAR, b.text, NOW)
    return id_a, id_b


def test_the_same_ts_in_two_workspaces_is_two_rows(store, tmp_path):
    """Two workspaces with the same channel id and ts each get their own row."""
    two_workspaces(store)

    assert query(tmp_path / "log.db", "SELECT workspace, channel, ts, text FROM decisions ORDER BY workspace") == [
        ("T_A", "C_SAME", "1700000000.000100", "We decided to drop IE11."),
        ("T_B", "C_SAME", "1700000000.000100", "We decided to keep IE11."),
    ]


def test_find_returns_only_the_asking_workspaces_row(store):
    """find() by channel and ts returns the row of the workspace that asks."""
    two_workspaces(store)

    found = store.find("slack", "T_B", "C_SAME", "1700000000.000100")

    assert (found["workspace"], found["text"]) == ("T_B", "We decided to keep IE11.")


def test_find_in_an_unknown_workspace_returns_nothing(store):
    """find() with another workspace's channel and ts returns None."""
    two_workspaces(store)

    assert store.find("slack", "T_C", "C_SAME", "1700000000.000100") is None


def test_get_does_not_return_another_workspaces_row_by_id(store):
    """get() with workspace B and the id of A's row returns None."""
    id_a, _ = two_workspaces(store)

    assert store.get("slack", "T_B", id_a) is None


def test_decisions_lists_only_the_asking_workspace(store):
    """decisions() for workspace B lists B's rows only."""
    two_workspaces(store)

    assert [(r["workspace"], r["text"]) for r in store.decisions("slack", "T_B")] == [
        ("T_B", "We decided to keep IE11.")
    ]


def test_a_platform_is_part_of_the_scope(store):
    """A Teams tenant with the same id as a Slack team does not see the Slack rows."""
    two_workspaces(store)

    assert store.decisions("teams", "T_A") == []


def test_channel_counts_count_only_the_asking_workspace(store):
    """channel_counts() for workspace B counts B's decisions and nudges only."""
    id_a, _ = two_workspaces(store)
    a = message("We decided to drop IE11.", workspace="T_A", channel="C_SAME", ts="1700000000.000100")
    store.record_nudge(a, id_a, NOW)

    assert store.channel_counts("slack", "T_B", "C_SAME") == {
        "decisions": 1,
        "lacking": 1,
        "requests": 0,
        "open_requests": 0,
        "nudges": 0,
    }


def test_nudges_are_scoped_by_workspace(store):
    """A nudge in workspace A's thread does not count for the same thread, author or channel in B."""
    id_a, _ = two_workspaces(store)
    a = message("We decided to drop IE11.", workspace="T_A", channel="C_SAME", ts="1700000000.000100")
    store.record_nudge(a, id_a, NOW)

    assert (
        store.thread_nudged("slack", "T_B", "C_SAME", "1700000000.000100"),
        store.last_nudge_for("slack", "T_B", a.author),
        store.nudges_since("slack", "T_B", "C_SAME", NOW - timedelta(days=1)),
    ) == (False, None, 0)


def test_channel_settings_are_scoped_by_workspace(store):
    """Muting C_SAME in workspace A leaves C_SAME in workspace B unmuted."""
    store.save_channel_settings("slack", "T_A", "C_SAME", ChannelSettings(muted_until="forever"), NOW)

    assert store.channel_settings("slack", "T_B", "C_SAME") == ChannelSettings()


# -- events and nudges ------------------------------------------------------------------------


def test_mark_event_returns_false_on_a_repeat(store):
    """The same platform event id a second time (a Slack retry) is reported as seen."""
    assert [store.mark_event("slack", "Ev1", NOW), store.mark_event("slack", "Ev1", NOW)] == [True, False]


def test_event_ids_are_per_platform(store):
    """The same event id from another platform is a different event."""
    store.mark_event("slack", "Ev1", NOW)

    assert store.mark_event("teams", "Ev1", NOW) is True


def test_logging_the_same_message_twice_keeps_one_row(store, tmp_path):
    """A second log() of the same message returns the first row's id, not created."""
    msg = message("We decided to drop IE11.", ts="1.1")
    first = store.log(msg, UNCLEAR, msg.text, NOW)

    second = store.log(msg, UNCLEAR, msg.text, NOW)

    assert (second, query(tmp_path / "log.db", "SELECT count(*) FROM decisions")) == ((first[0], False), [(1,)])


def test_record_nudge_returns_none_for_a_second_nudge_in_the_thread(store, tmp_path):
    """The thread's one nudge is claimed once; a second claim gets None and writes nothing."""
    top = message("We decided to drop IE11.", ts="1.1")
    reply = message("We decided to drop Safari 12 too.", ts="1.2", thread="1.1")
    top_id, _ = store.log(top, UNCLEAR, top.text, NOW)
    reply_id, _ = store.log(reply, UNCLEAR, reply.text, NOW)

    claims = [store.record_nudge(top, top_id, NOW), store.record_nudge(reply, reply_id, NOW)]

    assert (claims, query(tmp_path / "log.db", "SELECT decision_id, thread FROM nudges")) == (
        [1, None],
        [(top_id, "1.1")],
    )


def test_purge_text_forgets_old_words_and_keeps_the_figures(store, tmp_path):
    """Rows older than the cut-off lose text and rationale; kind and rationale flags stay."""
    old = message("We decided to drop IE11.", ts="1.1", when=NOW - timedelta(days=400))
    new = message("We decided to keep Safari.", ts="1.2", when=NOW - timedelta(days=10))
    old_id, _ = store.log(old, UNCLEAR, old.text, NOW)
    store.log(new, UNCLEAR, new.text, NOW)
    store.update("slack", "T_ONE", old_id, rationale="Fewer bugs for customers.", customer_rationale=1)

    purged = store.purge_text(NOW - timedelta(days=365), NOW)

    assert (
        purged,
        query(
            tmp_path / "log.db",
            "SELECT ts, text, kind, customer_rationale, rationale, purged_at FROM decisions ORDER BY ts",
        ),
    ) == (
        1,
        [
            ("1.1", None, "decision", 1, "", iso(NOW)),
            ("1.2", "We decided to keep Safari.", "decision", 0, None, None),
        ],
    )


# -- two processes ----------------------------------------------------------------------------


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    """Two `nudgebot shell` processes on one file each log 150 decisions: all 300 rows are there."""
    db = tmp_path / "shared.db"
    env = {**os.environ, "NUDGEBOT_DB": str(db), "NUDGEBOT_COOLDOWN_MINUTES": "0"}
    texts = {
        run: [f"We decided to rename build job {n} in run {run}." for n in range(150)] for run in ("A", "B")
    }
    processes = {}
    for run, lines in texts.items():
        # Input from a file, so both processes read and write at full speed at the same time.
        (tmp_path / f"{run}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        with open(tmp_path / f"{run}.txt", encoding="utf-8") as stdin:
            processes[run] = subprocess.Popen(
                [sys.executable, "-m", "bot", "shell"],
                stdin=stdin,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                cwd=tmp_path,
                text=True,
            )

    try:
        errors = {run: process.communicate(timeout=120)[1] for run, process in processes.items()}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.communicate()

    assert [(run, processes[run].returncode, errors[run]) for run in texts] == [("A", 0, ""), ("B", 0, "")]
    assert sorted(t for (t,) in query(db, "SELECT text FROM decisions")) == sorted(texts["A"] + texts["B"])
