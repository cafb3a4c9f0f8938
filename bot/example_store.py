"""Each workspace's answers kept as labelled examples of that workspace (the table of m011_examples).

`ExampleStore` is part of `Store` (a mixin, so `store.record_example(...)`): every statement names its
platform and workspace, so one workspace's examples never teach another's model. An example keeps a copy
of its message's words; it goes when they go (retention, a deleted message), since it cannot teach
without them.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.models import Kind, iso

# Which answer produced an example.
EXAMPLE_ANSWERS = (
    "not_a_decision", "not_customer_facing", "add_rationale", "log_as_decision", "decision_command", "approve",
    "decline",
)
EXAMPLE_KINDS = frozenset(k.value for k in Kind)


class ExampleStore:
    """The store's statements about examples; mixed into `Store`, whose `db` (this thread's connection) they use."""

    db: Database

    def record_example(
        self, platform: str, workspace: str, decision_id: int | None, text: str | None, kind: str,
        customer_rationale: bool | int | None, answer: str, answered_by: str | None, now: datetime,
    ) -> bool:
        """Keep one labelled example; False when there is no text, or this message already has this answer."""
        if kind not in EXAMPLE_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if answer not in EXAMPLE_ANSWERS:
            raise ValueError(f"unknown answer {answer!r}")
        if not (text or "").strip():
            return False
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO examples (platform, workspace, decision_id, text, kind, customer_rationale, "
            "answer, answered_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [platform, workspace, decision_id, text, str(kind),
             None if customer_rationale is None else int(bool(customer_rationale)), answer, answered_by, iso(now)],
        )
        return cursor.rowcount == 1

    def examples(self, platform: str, workspace: str) -> list[dict]:
        """The workspace's examples, oldest first."""
        return list(self.db.query(
            "SELECT id, platform, workspace, decision_id, text, kind, customer_rationale, answer, answered_by, "
            "created_at FROM examples WHERE platform = ? AND workspace = ? ORDER BY created_at, id",
            [platform, workspace],
        ))

    def example_counts(self, platform: str, workspace: str) -> dict[str, int]:
        """How many examples each answer gave the workspace (answers that gave none are left out)."""
        rows = self.db.query(
            "SELECT answer, count(*) AS n FROM examples WHERE platform = ? AND workspace = ? GROUP BY answer",
            [platform, workspace],
        )
        return {r["answer"]: r["n"] for r in rows}

    def forget_examples(self, platform: str, workspace: str, decision_id: int) -> int:
        """A message was deleted: its examples go with its words."""
        cursor = self.db.execute(
            "DELETE FROM examples WHERE platform = ? AND workspace = ? AND decision_id = ?",
            [platform, workspace, decision_id],
        )
        return cursor.rowcount

    def _purge_examples(self, before: datetime) -> int:
        """Past retention: examples older than `before`, and those whose message's words are gone."""
        cursor = self.db.execute(
            "DELETE FROM examples WHERE created_at < ? OR EXISTS (SELECT 1 FROM decisions d "
            "WHERE d.id = examples.decision_id AND d.platform = examples.platform "
            "AND d.workspace = examples.workspace AND d.text IS NULL)",
            [iso(before)],
        )
        return cursor.rowcount

    # -- each workspace's refitted model --------------------------------------------------

    def save_workspace_model(self, platform: str, workspace: str, model: bytes, answers: int, base: str,
                             now: datetime) -> None:
        self.db.execute(
            "INSERT INTO workspace_models (platform, workspace, model, answers, base, trained_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace) DO UPDATE SET model = excluded.model, "
            "answers = excluded.answers, base = excluded.base, trained_at = excluded.trained_at",
            [platform, workspace, model, answers, base, iso(now)],
        )

    def workspace_model(self, platform: str, workspace: str) -> dict | None:
        rows = list(self.db.query(
            "SELECT model, answers, base, trained_at FROM workspace_models WHERE platform = ? AND workspace = ?",
            [platform, workspace],
        ))
        return rows[0] if rows else None

    def workspaces_to_refit(self) -> list[tuple[str, str]]:
        """Workspaces with an answer newer than their model (or with answers and no model yet)."""
        rows = self.db.query(
            "SELECT e.platform, e.workspace FROM examples e LEFT JOIN workspace_models m "
            "ON m.platform = e.platform AND m.workspace = e.workspace "
            "GROUP BY e.platform, e.workspace HAVING m.trained_at IS NULL OR max(e.created_at) > m.trained_at"
        )
        return [(r["platform"], r["workspace"]) for r in rows]

    def platforms_with_examples(self, workspace: str) -> list[str]:
        return [r["platform"] for r in self.db.query(
            "SELECT DISTINCT platform FROM examples WHERE workspace = ? ORDER BY platform", [workspace])]
