"""The decision log's file, judged before anything writes to it.

`Store.open` refuses what is not a Nudgebot log (or is a newer one's) with these checks; `inspect` makes
the same ones, and the write checks, without creating, migrating or writing anything, so `nudgebot
check` and `serve` report a file `serve` could not use, in the same words.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.errors import StoreError
from bot.schema import migrations

SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_path(path: Path) -> None:
    """StoreError when `path` cannot be a SQLite file: a folder, in a missing folder, unreadable, or
    something else (a text file, a corrupt header). A missing or empty file is fine."""
    if path.is_dir():
        raise StoreError(f"{path} is a directory; NUDGEBOT_DB must name a file")
    if not path.parent.is_dir():
        raise StoreError(f"{path}: the folder {path.parent} does not exist; create it or change NUDGEBOT_DB")
    try:
        header = path.read_bytes()[:16] if path.exists() and path.stat().st_size else None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if header is not None and header != SQLITE_HEADER:
        raise StoreError(
            f"{path} is not a SQLite database (or is corrupt); it was left untouched. "
            "Point NUDGEBOT_DB at another file or restore this one from a backup."
        )


def known_migrations() -> list[str]:
    """The names of every migration this version of Nudgebot has, oldest first."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def refuse_schema(db: Database, path: Path) -> None:
    """StoreError when the open file is another application's database, or was migrated by a newer
    Nudgebot than this one (its schema has steps this version does not know)."""
    applied = [m.name for m in migrations.applied(db)]
    foreign = sorted(set(db.table_names()) - {migrations.migrations_table})
    if foreign and not applied:  # another application's: our tables would touch it
        raise StoreError(
            f"{path} is another application's SQLite database (tables: {', '.join(foreign[:5])}); "
            "it was left untouched. Point NUDGEBOT_DB at a new file."
        )
    known = known_migrations()
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise StoreError(
            f"{path} was written by a newer Nudgebot (its schema is at {unknown[-1]}, this version knows up to "
            f"{known[-1]}); it was left untouched. Upgrade Nudgebot, or point NUDGEBOT_DB at another file."
        )


def unusable(path: Path, exc: Exception) -> StoreError:
    """The error for a file SQLite itself refused."""
    return StoreError(f"{path} cannot be used as the decision log ({exc}); it was left untouched.")


def read_only_uri(path: Path) -> str:
    """A URI that opens the log read-only. While nothing has it open (no -wal or -journal beside it) the
    file is read as immutable: a read-only reader of a WAL file would otherwise leave -wal and -shm files
    behind, and a writer starting meanwhile writes to its -wal, not to the file being read."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    busy = any(path.with_name(path.name + suffix).exists() for suffix in ("-wal", "-journal"))
    return uri if busy else uri + "&immutable=1"


def inspect(path: str | Path) -> bool:
    """Check the log as `serve` would use it, read-only: True when the file exists, False when it does
    not yet (its folder must then be writable, so it can be created). StoreError for a file that is a
    folder, unreadable, corrupt, not Nudgebot's, newer than this version, or not writable."""
    path = Path(path)
    refuse_path(path)
    folder = path.parent.resolve()
    if not path.exists():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(f"{path} does not exist and its folder {folder} is not writable, so it cannot be "
                             "created; make the folder writable or change NUDGEBOT_DB")
        return False
    # Before SQLite opens it: a reader of a file it cannot write leaves its -wal and -shm files behind.
    if not os.access(path, os.W_OK):
        raise StoreError(f"{path} is read-only for this user, and the bot must write to it; "
                         "make it writable or change NUDGEBOT_DB")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"{path}: this user cannot write its folder {folder}, where SQLite keeps the log's "
                         "journal; make the folder writable or change NUDGEBOT_DB")
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise unusable(path, exc) from None
    try:
        refuse_schema(Database(conn), path)
        problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.Error as exc:
        raise unusable(path, exc) from None
    finally:
        conn.close()
    if problems != ["ok"]:
        raise StoreError(f"{path} is corrupt ({problems[0]}); it was left untouched. "
                         "Restore it from a backup, or point NUDGEBOT_DB at another file.")
    return True


def queues(path: str | Path) -> tuple[dict[str, int], dict[str, int]] | None:
    """What the inbox and the outbox hold, by state, read-only; None for a log older than them."""
    conn = sqlite3.connect(read_only_uri(Path(path)), uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"inbox", "outbox"} <= tables:
            return None
        counted = [dict(conn.execute(f"SELECT state, count(*) FROM {table} GROUP BY state").fetchall())
                   for table in ("inbox", "outbox")]
    finally:
        conn.close()
    return counted[0], counted[1]
