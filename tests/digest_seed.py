"""A decision log spanning several weeks and two workspaces, written straight into the store, with
the figures each digest of it must show (worked out by hand in the comments of `seed`)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from bot.models import Kind, Message, Verdict, Visibility
from bot.store import Store

MONDAY_AFTER = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # when the W47 digest goes out
WEEK = "2026-W47"  # Mon 16 – Sun 22 November 2026

NO_CUSTOMER = "We decided to move the launch to next Friday."
NAMES_CUSTOMER = "We decided to add CSV export because customers keep asking for it."
HR_SECRET = "Going with vendor B for payroll, keep this between us."
DM_SECRET = "Decided: I will quietly drop the beta."
OTHER_SECRET = "T_TWO decided to sunset the reseller portal."

_ts = itertools.count(1)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def log(
    store: Store,
    text: str,
    when: datetime,
    *,
    rationale: bool = False,
    kind: Kind = Kind.DECISION,
    channel: str = "C_GENERAL",
    channel_name: str | None = "general",
    visibility: Visibility = Visibility.PUBLIC,
    author: str = "U_ANN",
    author_name: str | None = None,
    workspace: str = "T_ONE",
    platform: str = "slack",
    principles: tuple[str, ...] = (),
    **fields,
) -> int:
    """Log one decision (or approval request) as the engine would, then set `fields` on its row."""
    ts = f"{int(when.timestamp())}.{next(_ts):06d}"
    message = Message(platform=platform, workspace=workspace, channel=channel, visibility=visibility, thread=ts,
                      ts=ts, author=author, text=text, time=when, channel_name=channel_name,
                      author_name=author_name or f"Person {author}",
                      permalink=f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}")
    verdict = Verdict(kind=kind, customer_rationale=rationale, principles=principles, nudge=not rationale)
    decision_id, _ = store.log(message, verdict, text, when)
    if fields:
        store.update(platform, workspace, decision_id, **fields)
    return decision_id


def seed(store: Store) -> dict[str, int]:
    """The log the digest tests read. Public view of T_ONE, week 2026-W47 (UTC):

    decisions d1 d2 d3 d4 d7 (5); with a customer rationale d2 (stated) and d4 (not customer-facing): 2, 40%.
    W46: 4 public decisions, 2 with (50%): change -10 points. W45: 2, none (0%). W44: nothing.
    Four weeks W44–W47: –, 0%, 50%, 40%; together 4 of 11, 36%.
    Lacking, oldest day first and the most discussed first within a day: d1 (Mon), d3 (Tue, 5 replies),
    r1 (Thu, an approval request), d7 (Sun 23:30).
    Approval requests: r1 opened and approved after 6 h: 1 opened, 1 resolved, median 6.0 h.
    Principles: bias-for-action 2 (d1, d2), customer-obsession 1 (d2), deliver-results 1 (d3).

    G_HR (private) adds d5 to its own digest: 6 decisions, 2 with (33%); its W46 has one more decision
    with a rationale (3 of 5, 60%). U_ANN's DM: d1, d4, d6 (3 decisions, 1 with); lacking d1, d6.
    T_TWO has three public decisions of its own in W47, none with a customer rationale.
    """
    ids = {
        "d1": log(store, NO_CUSTOMER, at(16, 10), principles=("bias-for-action",)),
        "d2": log(store, NAMES_CUSTOMER, at(17, 9), rationale=True, author="U_BOB",
                  principles=("customer-obsession", "bias-for-action")),
        "d3": log(store, "We will cut the onboarding survey to three questions.", at(17, 15), channel="C_LAUNCH",
                  channel_name="launch", author="U_CAT", principles=("deliver-results",), replies=5),
        "d4": log(store, "We decided to rename the internal build job.", at(18, 11), channel="C_LAUNCH",
                  channel_name="launch", not_customer_facing_by="U_ANN"),
        "d5": log(store, HR_SECRET, at(18, 12), channel="G_HR", channel_name="hr", visibility=Visibility.PRIVATE,
                  author="U_DAN", principles=("earn-trust",)),
        "d6": log(store, DM_SECRET, at(19, 8), channel="D_ANN", channel_name=None, visibility=Visibility.DM),
        "r1": log(store, "<@U_BOSS> can you approve the new vendor contract?", at(19, 10),
                  kind=Kind.APPROVAL_REQUEST, channel="C_LAUNCH", channel_name="launch", author="U_BOB",
                  approval_state="approved", resolved_at="2026-11-19T16:00:00.000000+00:00"),
        "d7": log(store, "We're going with the blue theme.", at(22, 23, 30), author="U_EVE"),
        "gone": log(store, "We decided to keep the old logo.", at(20, 9), status="dismissed"),
    }
    # 2026-W46: four public decisions, two with a customer rationale; one private, with one.
    for day, with_rationale in ((9, True), (10, False), (11, True), (12, False)):
        log(store, NAMES_CUSTOMER if with_rationale else NO_CUSTOMER, at(day), rationale=with_rationale)
    log(store, NAMES_CUSTOMER, at(13), rationale=True, channel="G_HR", channel_name="hr",
        visibility=Visibility.PRIVATE, author="U_DAN")
    # 2026-W45: two public decisions, neither with a customer rationale.
    for day in (3, 4):
        log(store, NO_CUSTOMER, at(day))
    for hour in (9, 10, 11):
        log(store, OTHER_SECRET, at(18, hour), workspace="T_TWO", channel="C_OTHER", channel_name="other",
            author="U_ZED", principles=("frugality",))
    return ids
