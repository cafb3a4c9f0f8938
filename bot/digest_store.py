"""Digest settings and the record of digests posted, in the decision log (tables of m007_digests).

Posting is at most once per destination and week: a row is claimed before anything is sent, in one
INSERT that only one process can win. A claim whose send the platform refused (`failed`) may be won
again by a later run; one whose outcome is unknown (the process died, the network dropped mid-call)
stays claimed, because sending it again might post it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.digest_report import Destination
from bot.models import iso
from bot.store import Store

CLAIMED, SENT, FAILED = "claimed", "sent", "failed"


@dataclass(frozen=True, slots=True)
class DigestSettings:
    channel: str | None = None  # set from chat
    enabled: bool | None = None  # None: as configured (NUDGEBOT_DIGEST_CHANNEL); False: turned off from chat
    dms: bool = False  # each author also gets their own items by DM
    updated_by: str | None = None

    def channel_or(self, default: str | None) -> str | None:
        """The channel the digest goes to, given the configured default (None: no channel digest)."""
        if self.enabled is False:
            return None
        return self.channel or (default if self.enabled is None else None)


def settings_for(store: Store, platform: str, workspace: str) -> DigestSettings:
    rows = list(store.db.query(
        "SELECT * FROM digest_settings WHERE platform = ? AND workspace = ?", [platform, workspace]))
    if not rows:
        return DigestSettings()
    r = rows[0]
    return DigestSettings(r["channel"], None if r["enabled"] is None else bool(r["enabled"]), bool(r["dms"]),
                          r["updated_by"])


def save_settings(store: Store, platform: str, workspace: str, settings: DigestSettings, now: datetime) -> None:
    enabled = None if settings.enabled is None else int(settings.enabled)
    store.db.execute(
        "INSERT INTO digest_settings (platform, workspace, channel, enabled, dms, updated_by, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace) DO UPDATE SET channel = excluded.channel, "
        "enabled = excluded.enabled, dms = excluded.dms, updated_by = excluded.updated_by, "
        "updated_at = excluded.updated_at",
        [platform, workspace, settings.channel, enabled, int(settings.dms), settings.updated_by, iso(now)],
    )


def claim(store: Store, destination: Destination, week: str, now: datetime, by: str) -> bool:
    """Take the right to send `destination` its digest for `week`; False when another run has it
    (sent, or under way, or of unknown outcome). One statement, so two processes cannot both win."""
    cursor = store.db.execute(
        "INSERT INTO digest_posts (platform, workspace, destination, week, status, claimed_at, claimed_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, workspace, destination, week) DO UPDATE SET "
        "status = excluded.status, claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by, "
        "attempts = attempts + 1, note = NULL WHERE digest_posts.status = ?",
        [destination.platform, destination.workspace, destination.key, week, CLAIMED, iso(now), by, FAILED],
    )
    return cursor.rowcount == 1


def finish(store: Store, destination: Destination, week: str, status: str, now: datetime,
           reference: str | None = None, note: str | None = None) -> None:
    """Record how a claimed send ended: SENT (with the platform's id of the message) or FAILED."""
    store.db.execute(
        "UPDATE digest_posts SET status = ?, sent_at = ?, reference = ?, note = ? "
        "WHERE platform = ? AND workspace = ? AND destination = ? AND week = ?",
        [status, iso(now) if status == SENT else None, reference, note, destination.platform,
         destination.workspace, destination.key, week],
    )


def posted(store: Store, destination: Destination, week: str) -> dict | None:
    rows = list(store.db.query(
        "SELECT * FROM digest_posts WHERE platform = ? AND workspace = ? AND destination = ? AND week = ?",
        [destination.platform, destination.workspace, destination.key, week],
    ))
    return rows[0] if rows else None
