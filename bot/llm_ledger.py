"""The LLM's bookkeeping in the decision log's SQLite file: which workspaces allow it, the day's
call budget, and the answers already had. Plain SQL over the store's connection; no network.

Everything here is per file, not per process: two servers on one file share one budget and one
cache, and a restart forgets nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.models import Command, iso
from bot.store import Store

ALL = "*"
# The console and the command line run on the admin's own machine: the key alone is their consent.
LOCAL_PLATFORMS = frozenset({"console", "cli"})
CACHE_DAYS = 30
MISS = object()


@dataclass(frozen=True, slots=True)
class Access:
    """Whether an LLM is configured, and which chat workspaces use it until they say otherwise."""

    configured: bool = False
    workspaces: frozenset[str] = frozenset()
    model: str = ""
    budget: int = 0
    cache_days: int = CACHE_DAYS

    def by_default(self, platform: str, workspace: str) -> bool:
        return platform in LOCAL_PLATFORMS or ALL in self.workspaces or workspace in self.workspaces


def access_from(settings) -> Access:
    """The Access that `Settings` describe."""
    return Access(configured=settings.llm_configured, workspaces=settings.llm_default_workspaces,
                  model=settings.llm_model, budget=settings.llm_daily_budget,
                  # answers say things about messages: never kept longer than the messages' text
                  cache_days=min(CACHE_DAYS, settings.retention_days or CACHE_DAYS))


def cache_key(prompt: str, model: str, messages: list[dict]) -> str:
    """The cache's key: the prompt file, the model and exactly what would be sent."""
    blob = json.dumps([prompt, model, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Ledger:
    def __init__(self, store: Store, access: Access, zone: ZoneInfo, clock: Callable[[], datetime]):
        self.store = store
        self.access = access
        self.zone = zone
        self.clock = clock

    # -- opt-in ---------------------------------------------------------------------------

    def setting(self, platform: str, workspace: str) -> bool | None:
        """The workspace's own choice, or None when it never made one."""
        rows = list(self.store.db.query(
            "SELECT enabled FROM llm_workspaces WHERE platform = ? AND workspace = ?", [platform, workspace]))
        return bool(rows[0]["enabled"]) if rows else None

    def enabled(self, platform: str, workspace: str) -> bool:
        if not self.access.configured:
            return False
        chosen = self.setting(platform, workspace)
        return self.access.by_default(platform, workspace) if chosen is None else chosen

    def switch(self, platform: str, workspace: str, on: bool, user: str) -> None:
        self.store.db.execute(
            "INSERT INTO llm_workspaces (platform, workspace, enabled, changed_by, changed_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, workspace) DO UPDATE SET enabled = excluded.enabled, "
            "changed_by = excluded.changed_by, changed_at = excluded.changed_at",
            [platform, workspace, int(on), user, iso(self.clock())],
        )

    # -- budget ---------------------------------------------------------------------------

    def today(self) -> str:
        return self.clock().astimezone(self.zone).date().isoformat()

    def claim(self) -> bool:
        """Count one call against today's budget; False (and nothing counted) when it is spent."""
        if self.access.budget <= 0:
            return False
        cursor = self.store.db.execute(
            "INSERT INTO llm_calls (day, calls) VALUES (?, 1) "
            "ON CONFLICT (day) DO UPDATE SET calls = calls + 1 WHERE calls < ?",
            [self.today(), self.access.budget],
        )
        return cursor.rowcount == 1

    def calls_today(self) -> int:
        rows = list(self.store.db.query("SELECT calls FROM llm_calls WHERE day = ?", [self.today()]))
        return rows[0]["calls"] if rows else 0

    # -- cache ----------------------------------------------------------------------------

    def cached(self, key: str):
        """The answer kept under `key` (None for one that was unusable), or MISS."""
        rows = list(self.store.db.query("SELECT answer FROM llm_cache WHERE key = ? AND created_at >= ?",
                                        [key, self._expired()]))
        return rows[0]["answer"] if rows else MISS

    def _expired(self) -> str:
        return iso(self.clock() - timedelta(days=self.access.cache_days))

    def remember(self, key: str, prompt: str, model: str, answer: str | None) -> None:
        now = self.clock()
        db = self.store.db
        db.execute("DELETE FROM llm_cache WHERE created_at < ?", [self._expired()])
        db.execute(
            "INSERT OR REPLACE INTO llm_cache (key, prompt, model, answer, created_at) VALUES (?, ?, ?, ?, ?)",
            [key, prompt, model, answer, iso(now)],
        )

    def prepare(self, platform: str, workspace: str, key: str, call: bool = True) -> tuple[str, str | None]:
        """Before a call, in one trip to the log: ("off", None) when the workspace does not allow the
        LLM, ("cached", answer) when it was asked before (None for an unusable answer), ("spent", None)
        when today's budget is used up, ("go", None) when one call was claimed, ("miss", None) when
        nothing is cached and `call` is off."""
        if not self.enabled(platform, workspace):
            return "off", None
        kept = self.cached(key)
        if kept is not MISS:
            return "cached", kept
        if not call:
            return "miss", None
        return ("go", None) if self.claim() else ("spent", None)


def llm_command(ledger: Ledger, cmd: Command, rest: str) -> str:
    """`/nudgebot llm on|off|status` in a workspace."""
    verb = rest.strip().lower()
    scope = (cmd.platform, cmd.workspace)
    if verb in ("on", "off"):
        ledger.switch(*scope, verb == "on", cmd.user)
    if not ledger.access.configured:
        note = "No LLM is configured on this server, so the bot runs on its own rules and templates."
        return f"{note} (This workspace's choice is kept: {verb}.)" if verb in ("on", "off") else note
    on = ledger.enabled(*scope)
    if verb == "on":
        return ("LLM assist is on for this workspace: likely decisions and approval requests (after e-mail "
                "addresses, phone numbers and tokens are removed) go to the configured LLM for a second "
                "opinion and a sharper question. `/nudgebot llm off` to stop.")
    if verb == "off":
        return "LLM assist is off for this workspace: nothing from here is sent to the LLM."
    if verb not in ("", "status"):
        return "Use `/nudgebot llm on`, `/nudgebot llm off` or `/nudgebot llm status`."
    state = "on" if on else "off"
    return (f"LLM assist is {state} for this workspace (model {ledger.access.model}; "
            f"{ledger.calls_today()} of {ledger.access.budget} calls used today on this server).")
