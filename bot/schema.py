"""The decision log's schema, as sqlite-utils migrations: each one runs once per file, in order,
and keeps the data already there. Add a new migration; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("nudgebot")


@migrations()
def m001_initial(db: Database) -> None:
    db["decisions"].create(
        {
            "id": int,
            "platform": str,
            "workspace": str,
            "channel": str,
            "channel_name": str,
            "visibility": str,
            "thread": str,
            "ts": str,
            "author": str,
            "author_name": str,
            "text": str,
            "kind": str,
            "customer_rationale": int,
            "customer": str,
            "rationale": str,
            "rationale_by": str,
            "rationale_at": str,
            "not_customer_facing_by": str,
            "principles": str,
            "permalink": str,
            "status": str,
            "approval_state": str,
            "resolved_at": str,
            "created_at": str,
            "updated_at": str,
            "edited_at": str,
            "purged_at": str,
        },
        pk="id",
        not_null={"platform", "workspace", "channel", "ts", "kind", "status", "created_at"},
        defaults={"status": "active", "principles": "[]"},
    )
    db["decisions"].create_index(["platform", "workspace", "channel", "ts"], unique=True)
    db["decisions"].create_index(["platform", "workspace", "created_at"])
    db["decisions"].create_index(["platform", "workspace", "channel", "thread"])
    db["approval_responses"].create(
        {"id": int, "request_id": int, "platform": str, "workspace": str, "author": str, "answer": str,
         "ts": str, "created_at": str},
        pk="id",
        foreign_keys=[("request_id", "decisions", "id")],
    )
    db["approval_responses"].create_index(["request_id", "ts"], unique=True)
    db["nudges"].create(
        {
            "id": int,
            "decision_id": int,
            "platform": str,
            "workspace": str,
            "channel": str,
            "thread": str,
            "author": str,
            "sent_at": str,
            "answer": str,
            "answered_by": str,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    # One nudge per thread, ever: the database enforces it, so two processes cannot both nudge.
    db["nudges"].create_index(["platform", "workspace", "channel", "thread"], unique=True)
    db["nudges"].create_index(["platform", "workspace", "author", "sent_at"])
    db["channel_settings"].create(
        {"platform": str, "workspace": str, "channel": str, "muted_until": str, "muted_by": str,
         "ephemeral": int, "approval_nudges": int, "updated_at": str},
        pk=("platform", "workspace", "channel"),
        defaults={"ephemeral": 0, "approval_nudges": 1},
    )
    db["processed_events"].create(
        {"platform": str, "event_id": str, "received_at": str}, pk=("platform", "event_id")
    )


@migrations()
def m002_reply_counts(db: Database) -> None:
    # How much a decision was discussed: the digest lists the most-discussed first.
    db["decisions"].add_column("replies", int, not_null_default=0)


@migrations()
def m003_dismissals(db: Database) -> None:
    # "Not a decision" answers, by the wording that triggered the false detection, per workspace:
    # the bot stops treating that wording as a decision there.
    db["dismissals"].create(
        {"platform": str, "workspace": str, "wording": str, "count": int, "last_at": str},
        pk=("platform", "workspace", "wording"),
    )


@migrations()
def m004_imports(db: Database) -> None:
    # The day files of Slack exports already imported, one row each, written in the same
    # transaction as the file's messages: a second import of the same export adds nothing, and an
    # interrupted one continues with the first file it had not finished. `last_ts` is the newest
    # message imported from the file and `skipped` the ts of messages that could not be read, so a
    # later copy of the day (a newer export, a repaired file) adds exactly the messages not yet in.
    db["import_files"].create(
        {
            "platform": str,
            "workspace": str,
            "channel": str,
            "day": str,
            "file": str,
            "fingerprint": str,
            "last_ts": str,
            "first_at": str,
            "last_at": str,
            "messages": int,
            "events": int,
            "problems": str,
            "skipped": str,
            "imported_at": str,
        },
        pk=("platform", "workspace", "channel", "day"),
        defaults={"messages": 0, "events": 0, "problems": "[]", "skipped": "[]"},
    )


@migrations()
def m005_approvals(db: Database) -> None:
    # Approval requests followed to their end: whom each one waits for, each approver's answer with
    # its time, the flags it raised and the reminders sent (one a working day, across restarts).
    db["approval_requests"].create(
        {
            "decision_id": int,
            "platform": str,
            "workspace": str,
            "channel": str,
            "thread": str,
            "requester": str,
            "requester_name": str,
            "created_at": str,
            "hops": int,
            "asks": int,
            "last_asked_at": str,
            "door_signals": str,
            "door_note": str,
            "door_noted_at": str,
        },
        pk="decision_id",
        foreign_keys=[("decision_id", "decisions", "id")],
        not_null={"platform", "workspace", "channel", "thread", "created_at"},
        defaults={"hops": 0, "asks": 1, "door_signals": "[]"},
    )
    db["approval_requests"].create_index(["platform", "workspace", "channel", "thread"])
    db["approval_approvers"].create(
        {
            "id": int,
            "request_id": int,
            "platform": str,
            "workspace": str,
            "kind": str,
            "approver": str,
            "label": str,
            "hop": int,
            "added_by": str,
            "added_at": str,
            "answer": str,
            "answered_by": str,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("request_id", "approval_requests", "decision_id")],
        not_null={"request_id", "kind", "approver", "added_at"},
        defaults={"hop": 0},
    )
    db["approval_approvers"].create_index(["request_id", "kind", "approver"], unique=True)
    db["approval_approvers"].create_index(["platform", "workspace", "answered_at"])
    db["approval_flags"].create(
        {"request_id": int, "platform": str, "workspace": str, "flag": str, "raised_at": str},
        pk=("request_id", "flag"),
        foreign_keys=[("request_id", "approval_requests", "decision_id")],
    )
    db["approval_flags"].create_index(["platform", "workspace", "raised_at"])
    db["approval_reminders"].create(
        {"id": int, "request_id": int, "platform": str, "workspace": str, "day": str, "sent_at": str,
         "approvers": str, "flags": str},
        pk="id",
        foreign_keys=[("request_id", "approval_requests", "decision_id")],
    )
    # At most one reminder per request and working day, whichever process claims it first.
    db["approval_reminders"].create_index(["request_id", "day"], unique=True)


@migrations()
def m006_teams(db: Database) -> None:
    # Every Teams conversation the bot has seen (a channel, a group chat, a person's chat with it), with
    # the Bot Framework's reference to it: what a later message needs to reach it unprompted (a digest,
    # an approval reminder, a private question). `person` is the user of a personal chat.
    db["teams_conversations"].create(
        {
            "tenant": str,
            "conversation": str,
            "kind": str,
            "team": str,
            "person": str,
            "service_url": str,
            "reference": str,
            "updated_at": str,
        },
        pk=("tenant", "conversation"),
        not_null={"reference", "service_url", "updated_at"},
    )
    db["teams_conversations"].create_index(["tenant", "person"])


@migrations()
def m007_digests(db: Database) -> None:
    # Where each workspace's weekly digest goes (set from chat; `enabled` NULL means "as configured",
    # so NUDGEBOT_DIGEST_CHANNEL applies), and whether authors also get their own items by DM.
    db["digest_settings"].create(
        {"platform": str, "workspace": str, "channel": str, "enabled": int, "dms": int, "updated_by": str,
         "updated_at": str},
        pk=("platform", "workspace"),
        defaults={"dms": 0},
    )
    # One row per destination and week, claimed before the digest is sent: whichever process inserts
    # it sends, any other (a retry, a second cron, the server's schedule) finds it and sends nothing.
    # `failed` (the platform said it was not delivered) may be claimed again; `claimed` never is.
    db["digest_posts"].create(
        {
            "platform": str,
            "workspace": str,
            "destination": str,
            "week": str,
            "status": str,
            "attempts": int,
            "claimed_at": str,
            "claimed_by": str,
            "sent_at": str,
            "reference": str,
            "note": str,
        },
        pk=("platform", "workspace", "destination", "week"),
        not_null={"status", "claimed_at"},
        defaults={"attempts": 1},
    )
    # A digest reads one workspace's week by time (m001's index); these two keep the rest of it fast on a
    # large log: the twelve weeks' counts of the trend come from this index alone, without the table ...
    db["decisions"].create_index(
        ["platform", "workspace", "created_at", "status", "kind", "visibility", "channel", "customer_rationale",
         "not_customer_facing_by"],
        index_name="decisions_digest_counts",
    )
    # ... and the approval figures read a workspace's approval requests, in time order, without walking
    # its decisions.
    db["decisions"].create_index(["platform", "workspace", "kind", "created_at"], index_name="decisions_by_kind")


@migrations()
def m008_llm(db: Database) -> None:
    # The optional LLM. `llm_workspaces`: each workspace's own `/nudgebot llm on|off` (none of its
    # messages is sent without it, or NUDGEBOT_LLM_WORKSPACES naming it). `llm_calls`: calls made per
    # day, one budget for every process sharing the file. `llm_cache`: answers by a hash of prompt,
    # model and input, so the same message is never sent twice; the input itself is not kept.
    db["llm_workspaces"].create(
        {"platform": str, "workspace": str, "enabled": int, "changed_by": str, "changed_at": str},
        pk=("platform", "workspace"),
        not_null={"enabled", "changed_at"},
    )
    db["llm_calls"].create({"day": str, "calls": int}, pk="day", not_null={"calls"})
    db["llm_cache"].create(
        {"key": str, "prompt": str, "model": str, "answer": str, "created_at": str},
        pk="key",
        not_null={"prompt", "model", "created_at"},
    )
    db["llm_cache"].create_index(["created_at"])


@migrations()
def m009_open_requests(db: Database) -> None:
    # The approval figures (digest, `nudgebot approvals`) take every request still open, however old: a
    # partial index holds just those, so finding them does not read every request the workspace made.
    db.execute(
        "CREATE INDEX IF NOT EXISTS decisions_open_requests ON decisions (platform, workspace) "
        "WHERE kind = 'approval_request' AND approval_state = 'open'"
    )


@migrations()
def m010_sensitivity(db: Database) -> None:
    # How readily the bot asks: a channel's own `/nudgebot sensitivity quiet|normal|eager` (NULL follows
    # the workspace's default, `/nudgebot sensitivity default …`, itself NULL for normal), and the detector's
    # probabilities with each logged decision, so what it asked and what it held back can be measured later.
    db["channel_settings"].add_column("sensitivity", str)
    db["workspace_settings"].create(
        {"platform": str, "workspace": str, "sensitivity": str, "updated_by": str, "updated_at": str},
        pk=("platform", "workspace"),
        not_null={"updated_at"},
    )
    db["decisions"].add_column("probability", float)
    db["decisions"].add_column("nudge_score", float)


@migrations()
def m011_examples(db: Database) -> None:
    # Each workspace's answers as labelled examples of that workspace, for a model refitted from them: the
    # message's own text (never a rationale someone typed), the kind and customer rationale the answer says
    # it has (NULL: the answer says nothing about it), which answer it was and who gave it. One per message
    # and answer: pressing the same answer again adds nothing. The text goes with the message's (retention,
    # deletion), and the example with it: without its words it cannot teach.
    db["examples"].create(
        {
            "id": int,
            "platform": str,
            "workspace": str,
            "decision_id": int,
            "text": str,
            "kind": str,
            "customer_rationale": int,
            "answer": str,
            "answered_by": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("decision_id", "decisions", "id")],
        not_null={"platform", "workspace", "text", "kind", "answer", "created_at"},
    )
    db["examples"].create_index(["platform", "workspace", "created_at"])
    db["examples"].create_index(["platform", "workspace", "decision_id", "answer"], unique=True)


@migrations()
def m012_workspace_models(db: Database) -> None:
    # Each workspace's correction of the shipped model, refitted from its own examples (bot/detector/adapt.py):
    # the touched feature columns and their weights as one compressed blob, how many answers it learnt from,
    # and when. One row per workspace, replaced by each refit.
    db["workspace_models"].create(
        {"platform": str, "workspace": str, "model": bytes, "answers": int, "base": str, "trained_at": str},
        pk=("platform", "workspace"),
        not_null={"model", "answers", "base", "trained_at"},
    )


@migrations()
def m013_inbox_outbox(db: Database) -> None:
    # The inbox: each event a platform sent, committed before the platform was told it arrived, and
    # deleted in the transaction that handled it. What is left at start-up is resumed; what keeps
    # failing is parked with its error (`nudgebot inbox`). The (platform, event id) key is the dedupe.
    # Ids are never reused (AUTOINCREMENT): an id names one event, or one message, for good.
    db.execute(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT NOT NULL, workspace TEXT NOT NULL, "
        "event_id TEXT NOT NULL, payload TEXT NOT NULL, received_at TEXT NOT NULL, "
        "state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, error TEXT, tried_at TEXT)")
    db["inbox"].create_index(["platform", "event_id"], unique=True)
    db["inbox"].create_index(["state", "id"])
    # The outbox: each message the bot means to send, written with what caused it; a sender delivers it
    # (retried until `expires_at`) and records the platform's reference to what it posted.
    db.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, platform TEXT NOT NULL, workspace TEXT NOT NULL, "
        "kind TEXT NOT NULL, payload TEXT NOT NULL, decision_id INTEGER, created_at TEXT NOT NULL, "
        "expires_at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, "
        "next_at TEXT NOT NULL, error TEXT, sent_at TEXT, ref TEXT)")
    db["outbox"].create_index(["state", "next_at"])
    # A question counts as asked once it is posted; those asked before this version were posted at once.
    db["nudges"].add_column("posted_at", str)
    db.execute("UPDATE nudges SET posted_at = sent_at")
