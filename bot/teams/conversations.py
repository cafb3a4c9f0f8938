"""The Teams conversations the bot has seen, kept in the decision log's file (table `teams_conversations`).

Each row holds the Bot Framework's conversation reference as JSON: enough to write there later without
being asked (a digest, an approval reminder, a private question). Called on the engine's thread, like
every other use of the log. Rows are scoped by tenant: one tenant's references never serve another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.models import iso
from bot.store import Store

PLATFORM = "teams"


@dataclass(frozen=True, slots=True)
class Conversation:
    tenant: str
    conversation: str  # the conversation's id without a reply chain's ";messageid=…"
    kind: str  # channel | groupChat | personal
    service_url: str
    reference: dict  # ConversationReference, serialized
    team: str | None = None
    person: str | None = None  # a personal chat's user


class Conversations:
    def __init__(self, store: Store):
        self.store = store

    def save(self, seen: Conversation, now: datetime) -> None:
        self.store.db.execute(
            "INSERT INTO teams_conversations (tenant, conversation, kind, team, person, service_url, reference, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, conversation) DO UPDATE SET "
            "kind = excluded.kind, team = excluded.team, person = excluded.person, "
            "service_url = excluded.service_url, reference = excluded.reference, updated_at = excluded.updated_at",
            [seen.tenant, seen.conversation, seen.kind, seen.team, seen.person, seen.service_url,
             json.dumps(seen.reference, sort_keys=True), iso(now)],
        )

    def get(self, tenant: str, conversation: str) -> Conversation | None:
        return self._one("conversation = ?", [tenant, conversation])

    def personal(self, tenant: str, person: str) -> Conversation | None:
        """A person's own chat with the bot, when they have one."""
        return self._one("person = ? AND kind = 'personal'", [tenant, person])

    def any_in(self, tenant: str) -> Conversation | None:
        """Some conversation of the tenant: its service URL and bot account start a new chat there."""
        return self._one("1 = 1", [tenant])

    def names(self, tenant: str, people: set[str]) -> dict[str, str]:
        """Display names of people (by Teams id) as the log last recorded them."""
        if not people:
            return {}
        marks = ", ".join("?" for _ in people)
        rows = self.store.db.execute(
            f"SELECT author, author_name FROM decisions WHERE platform = ? AND workspace = ? "
            f"AND author IN ({marks}) AND author_name IS NOT NULL ORDER BY id",
            [PLATFORM, tenant, *sorted(people)],
        ).fetchall()
        return dict(rows)

    def _one(self, where: str, params: list) -> Conversation | None:
        row = self.store.db.execute(
            "SELECT tenant, conversation, kind, service_url, reference, team, person FROM teams_conversations "
            f"WHERE tenant = ? AND {where} ORDER BY updated_at DESC LIMIT 1",
            params,
        ).fetchone()
        if row is None:
            return None
        tenant, conversation, kind, service_url, reference, team, person = row
        return Conversation(tenant, conversation, kind, service_url, json.loads(reference), team, person)
