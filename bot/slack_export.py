"""Reading a Slack workspace export (a zip, or the folder it unpacks to) as our own Messages.

The export holds `channels.json` (public channels), `groups.json` (private), `mpims.json` and
`dms.json` (direct messages) where present, `users.json`, and one folder per conversation with
one `YYYY-MM-DD.json` file per day. Messages are read one day file at a time, so memory stays
flat however large the export is. A file that cannot be read is reported and skipped; the rest
is still read.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from bot.errors import InputError
from bot.models import Message, Visibility

PLATFORM = "slack"
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
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
    """The export cannot be read at all (not a zip or folder, no channels.json)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    name: str
    folder: str
    visibility: Visibility


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
        self.users: dict[str, str] = {}
        self.workspace = "slack-export"

    @classmethod
    def open(cls, path: str | Path, workspace: str | None = None) -> SlackExport:
        path = Path(path)
        if path.is_dir():
            export = cls(path, None)
        elif path.is_file():
            try:
                archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ExportError(f"{path}: not a readable zip file ({exc})") from None
            names = archive.namelist()
            top = [n for n in names if PurePosixPath(n).name == "channels.json"]
            prefix = str(PurePosixPath(min(top, key=len)).parent) if top else ""
            export = cls(path, archive, "" if prefix in ("", ".") else prefix + "/")
        else:
            raise ExportError(f"{path}: no such file or folder")
        if not export._exists("channels.json"):
            raise ExportError(f"{path}: channels.json is missing; is this a Slack workspace export?")
        export._load_users(workspace)
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

    def _read_json(self, name: str):
        """The parsed file; raises ValueError with a short reason when it cannot be read."""
        try:
            if self._archive is None:
                raw = (self._root / name).read_bytes()
            else:
                raw = self._archive.read(self._prefix + name)
        except (OSError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise ValueError(f"cannot be read ({exc.__class__.__name__})") from None
        try:
            return json.loads(raw.decode("utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None

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

    def _day_files(self, folder: str) -> list[str]:
        if self._archive is None:
            base = self._root / folder
            names = [p.name for p in base.iterdir()] if base.is_dir() else []
        else:
            lead = f"{self._prefix}{folder}/"
            names = [n[len(lead) :] for n in self._archive.namelist() if n.startswith(lead)]
        return sorted(f"{folder}/{n}" for n in names if _DAY_FILE.match(n))

    # -- contents -------------------------------------------------------------------------

    def _load_users(self, workspace: str | None) -> None:
        teams: list[str] = []
        if self._exists("users.json"):
            try:
                users = self._read_json("users.json")
            except ValueError:
                users = []
            for user in users if isinstance(users, list) else []:
                if isinstance(user, dict) and isinstance(user.get("id"), str):
                    profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
                    self.users[user["id"]] = (
                        profile.get("display_name") or user.get("real_name") or user.get("name") or user["id"]
                    )
                    if isinstance(user.get("team_id"), str):
                        teams.append(user["team_id"])
        self.workspace = workspace or (max(set(teams), key=teams.count) if teams else "slack-export")

    def conversations(self, problems: Problems) -> list[Conversation]:
        found: list[Conversation] = []
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
        return found

    def messages(
        self,
        conversation: Conversation,
        problems: Problems,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[Message]:
        """The conversation's messages written by people, oldest day first."""
        for name in self._day_files(conversation.folder):
            day = date.fromisoformat(PurePosixPath(name).stem)
            if (since and day < since) or (until and day > until):
                continue
            for raw in self._read_list(name, problems, "messages"):
                message = self.to_message(raw, conversation)
                if message is not None:
                    yield message

    def to_message(self, raw, conversation: Conversation) -> Message | None:
        """One exported message as a Message, or None for bots, joins and other events."""
        if not isinstance(raw, dict) or raw.get("type", "message") != "message":
            return None
        if raw.get("subtype") not in _PEOPLE_WRITING or raw.get("bot_id") or raw.get("bot_profile"):
            return None
        ts, user, text = raw.get("ts"), raw.get("user"), raw.get("text")
        if not (isinstance(ts, str) and isinstance(user, str) and isinstance(text, str)):
            return None
        try:
            when = datetime.fromtimestamp(float(ts), tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
        thread = raw.get("thread_ts") if isinstance(raw.get("thread_ts"), str) else ts
        return Message(
            platform=PLATFORM,
            workspace=self.workspace,
            channel=conversation.id,
            visibility=conversation.visibility,
            thread=thread,
            ts=ts,
            author=user,
            text=text,
            time=when,
            channel_name=conversation.name,
            author_name=self.users.get(user),
        )
