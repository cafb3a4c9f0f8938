"""Reading a Slack workspace export (a zip, or the folder it unpacks to) as our own Messages.

The export holds `channels.json` (public channels), `groups.json` (private), `mpims.json` and
`dms.json` (direct messages) where present, `users.json`, and one folder per conversation with
one `YYYY-MM-DD.json` file per day. Messages are read one day file at a time, so memory stays
flat however large the export is. A file or message that cannot be read is reported, with the
file's name, and skipped; the rest is still read.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from bot.errors import InputError
from bot.models import Message, Visibility

PLATFORM = "slack"
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
_TS = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")
# Subtypes in which a person writes; every other subtype (joins, topic changes, bot posts, …) is
# an event about the conversation and is skipped, as the live bot skips it.
_PEOPLE_WRITING = {None, "", "thread_broadcast", "file_share", "me_message"}
_CONVERSATION_FILES = (
    ("channels.json", Visibility.PUBLIC),
    ("groups.json", Visibility.PRIVATE),
    ("mpims.json", Visibility.DM),
    ("dms.json", Visibility.DM),
)


class ExportError(InputError):
    """The export cannot be read at all (not a zip or folder, no conversation list)."""


class _Malformed(ValueError):
    """One message is not what Slack writes; the reason says what is wrong with it."""


def slack_time(ts: str) -> datetime | None:
    """A Slack `ts` ("1763460000.000100") as the moment it was written, exact to the microsecond
    (as the live Slack app reads it), or None when it is not a Slack timestamp."""
    match = _TS.match(ts)
    if not match:
        return None
    seconds, fraction = match.groups()
    try:
        moment = datetime.fromtimestamp(int(seconds), UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.replace(microsecond=int(((fraction or "") + "000000")[:6]))


def ts_order(ts: str) -> tuple[int, int]:
    """Sort key of a Slack `ts`: seconds, then microseconds (strings of other widths sort wrongly)."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int((fraction + "000000")[:6])


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    name: str
    folder: str
    visibility: Visibility


@dataclass(frozen=True, slots=True)
class DayFile:
    conversation: Conversation
    name: str  # the path inside the export, e.g. "launch/2026-11-02.json"
    day: date


@dataclass(frozen=True, slots=True)
class Written:
    """A message a person wrote, and when it was last edited (None when it never was)."""

    message: Message
    edited: datetime | None = None


@dataclass
class Day:
    """What one day file holds: people's messages oldest first, and how many other entries it had."""

    written: list[Written]
    events: int
    skipped: list[str] = field(default_factory=list)  # the ts of messages skipped as malformed


@dataclass
class Problems:
    """Files and messages skipped while reading, each with the reason, for the import summary."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, why: str) -> None:
        self.items.append(f"{where}: {why}")

    def __bool__(self) -> bool:
        return bool(self.items)


class SlackExport:
    """An opened export. Use `SlackExport.open(path)`."""

    def __init__(self, root: Path, archive: zipfile.ZipFile | None, prefix: str = ""):
        self._root = root
        self._archive = archive
        self._prefix = prefix
        self._tree: dict[str, list[str]] | None = None
        self.users: dict[str, str] = {}
        # The Slack team id most people in users.json belong to; None when the export does not say.
        self.workspace: str | None = None

    @classmethod
    def open(cls, path: str | Path) -> SlackExport:
        path = Path(path)
        if path.is_dir():
            export = cls(path, None)
        elif path.is_file():
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ExportError(f"{path}: not a readable zip file ({exc})") from None
            names = archive.namelist()
            top = [n for n in names if PurePosixPath(n).name in {f for f, _ in _CONVERSATION_FILES}]
            prefix = str(PurePosixPath(min(top, key=len)).parent) if top else ""
            export = cls(path, archive, "" if prefix in ("", ".") else prefix + "/")
        else:
            raise ExportError(f"{path}: no such file or folder")
        if not any(export._exists(name) for name, _ in _CONVERSATION_FILES):
            export.close()
            raise ExportError(
                f"{path}: channels.json is missing (and no groups.json, mpims.json or dms.json either); "
                "is this a Slack workspace export?"
            )
        export._load_users()
        return export

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    # -- files ----------------------------------------------------------------------------

    def _exists(self, name: str) -> bool:
        if self._archive is None:
            return (self._root / name).is_file()
        try:
            self._archive.getinfo(self._prefix + name)
        except KeyError:
            return False
        return True

    def _read_bytes(self, name: str) -> bytes:
        try:
            if self._archive is None:
                return (self._root / name).read_bytes()
            return self._archive.read(self._prefix + name)
        except (OSError, KeyError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise ValueError(f"cannot be read ({exc.__class__.__name__}: {exc})") from None

    def _read_json(self, name: str, raw: bytes | None = None):
        """The parsed file; raises ValueError with a short reason when it cannot be read."""
        raw = self._read_bytes(name) if raw is None else raw
        try:
            return json.loads(raw.decode("utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
        except RecursionError:
            raise ValueError("not valid JSON (nested too deeply)") from None

    def _read_list(self, name: str, problems: Problems, what: str) -> list:
        """A JSON list from the export; a file that is unreadable or not a list is reported, and empty."""
        try:
            data = self._read_json(name)
        except ValueError as why:
            problems.add(name, str(why))
            return []
        if not isinstance(data, list):
            problems.add(name, f"expected a list of {what}")
            return []
        return data

    def _folders(self) -> dict[str, list[str]]:
        """Each top-level folder that holds day files, with their names, sorted (listed once)."""
        if self._tree is None:
            tree: dict[str, list[str]] = {}
            if self._archive is None:
                for folder in sorted(p for p in self._root.iterdir() if p.is_dir()):
                    days = sorted(p.name for p in folder.iterdir() if _DAY_FILE.match(p.name))
                    if days:
                        tree[folder.name] = days
            else:
                for name in self._archive.namelist():
                    if not name.startswith(self._prefix):
                        continue
                    parts = name[len(self._prefix) :].split("/")
                    if len(parts) == 2 and _DAY_FILE.match(parts[1]):
                        tree.setdefault(parts[0], []).append(parts[1])
                for days in tree.values():
                    days.sort()
            self._tree = tree
        return self._tree

    def fingerprint(self, day_file: DayFile) -> str:
        """CRC-32 and size of a day file's bytes: equal for the same file in a zip and unpacked,
        and read from the zip's directory without unpacking."""
        if self._archive is not None:
            try:
                info = self._archive.getinfo(self._prefix + day_file.name)
            except KeyError:
                raise ValueError("cannot be read (missing from the zip)") from None
            return f"{info.CRC:08x}:{info.file_size}"
        raw = self._read_bytes(day_file.name)
        return f"{zlib.crc32(raw):08x}:{len(raw)}"

    # -- contents -------------------------------------------------------------------------

    def _load_users(self) -> None:
        teams: list[str] = []
        try:
            users = self._read_json("users.json") if self._exists("users.json") else []
        except ValueError:
            users = []
        for user in users if isinstance(users, list) else []:
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
                self.users[user["id"]] = (
                    profile.get("display_name") or user.get("real_name") or user.get("name") or user["id"]
                )
                if isinstance(user.get("team_id"), str) and user["team_id"]:
                    teams.append(user["team_id"])
        self.workspace = max(sorted(set(teams)), key=teams.count) if teams else None

    def conversations(self, problems: Problems) -> list[Conversation]:
        """Every conversation the export lists. A missing channels.json, and folders no list names,
        are reported: their messages cannot be given a channel id, so they are not read."""
        found: list[Conversation] = []
        if not self._exists("channels.json"):
            problems.add("channels.json", "missing; public channels cannot be read")
        for name, visibility in _CONVERSATION_FILES:
            if not self._exists(name):
                continue
            for entry in self._read_list(name, problems, "conversations"):
                if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                    problems.add(name, "an entry without an id was skipped")
                    continue
                label = entry.get("name") if isinstance(entry.get("name"), str) else entry["id"]
                # Channels and groups are exported under their name, DMs under their id.
                folder = label if visibility != Visibility.DM or name == "mpims.json" else entry["id"]
                found.append(Conversation(entry["id"], label, folder, visibility))
        claimed = {c.folder for c in found}
        unlisted = [f for f in self._folders() if f not in claimed]
        if unlisted:
            problems.add(
                ", ".join(f"{f}/" for f in unlisted),
                "no conversation list names these folders; their messages were skipped",
            )
        return found

    def day_files(self, conversation: Conversation) -> list[DayFile]:
        """The conversation's day files, oldest first."""
        return [
            DayFile(conversation, f"{conversation.folder}/{n}", date.fromisoformat(n[:10]))
            for n in self._folders().get(conversation.folder, [])
        ]

    def read_day(self, day_file: DayFile, problems: Problems) -> Day | None:
        """The day's messages written by people, oldest first; None when the file cannot be read."""
        try:
            entries = self._read_json(day_file.name)
        except ValueError as why:
            problems.add(day_file.name, str(why))
            return None
        if not isinstance(entries, list):
            problems.add(day_file.name, "expected a list of messages")
            return None
        day = Day([], 0)
        for number, raw in enumerate(entries, start=1):
            try:
                item = self.to_written(raw, day_file.conversation)
            except _Malformed as why:
                ts = raw.get("ts") if isinstance(raw, dict) and isinstance(raw.get("ts"), str) else None
                if ts is not None and slack_time(ts) is not None:
                    day.skipped.append(ts)
                where = f"message {number}" + (f" (ts {ts})" if ts else "")
                problems.add(day_file.name, f"{where} skipped: {why}")
                continue
            if item is None:
                day.events += 1
            else:
                day.written.append(item)
        day.written.sort(key=lambda w: ts_order(w.message.ts))
        return day

    def to_written(self, raw, conversation: Conversation) -> Written | None:
        """One exported message as a Written message, or None for bots, joins and other events.

        Raises _Malformed for an entry Slack would not write: not an object, or a person's message
        without a timestamp, author or text. Fields we do not use are ignored.
        """
        if not isinstance(raw, dict):
            raise _Malformed("not a JSON object")
        if raw.get("type", "message") != "message":
            return None
        if raw.get("subtype") not in _PEOPLE_WRITING or raw.get("bot_id") or raw.get("bot_profile"):
            return None
        ts, user, text, thread = raw.get("ts"), raw.get("user"), raw.get("text"), raw.get("thread_ts", raw.get("ts"))
        when = slack_time(ts) if isinstance(ts, str) else None
        if when is None:
            raise _Malformed(f"its ts {ts!r} is not a Slack timestamp")
        if not isinstance(user, str) or not user:
            raise _Malformed("it has no user")
        if not isinstance(text, str):
            raise _Malformed("its text is not a string")
        if thread is not ts and (not isinstance(thread, str) or slack_time(thread) is None):  # ts is one
            raise _Malformed(f"its thread_ts {thread!r} is not a Slack timestamp")
        edited = raw.get("edited")
        edited_at = None
        if edited is not None:
            edited_ts = edited.get("ts") if isinstance(edited, dict) else None
            edited_at = slack_time(edited_ts) if isinstance(edited_ts, str) else None
            if edited_at is None:
                raise _Malformed(f"its edited field {edited!r} has no Slack timestamp")
        message = Message(
            platform=PLATFORM,
            workspace=self.workspace or "",
            channel=conversation.id,
            visibility=conversation.visibility,
            thread=thread,
            ts=ts,
            author=user,
            text=text,
            time=when,
            channel_name=conversation.name if conversation.name != conversation.id else None,
            author_name=self.users.get(user),
        )
        return Written(message, edited_at)
