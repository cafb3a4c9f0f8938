"""Approval requests followed to their end: approvers, answers, hops, flags, reminders and figures."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from builders import Clock, message

from bot.actions import Approver, Nudge, Reminder, TwoWayDoor
from bot.approval_stats import render_text, stats
from bot.approval_text import approvers_in, two_way_door
from bot.approvals import ApprovalRules
from bot.config import PROMPTS_DIR
from bot.engine import Engine
from bot.errors import InputError
from bot.models import ChannelSettings, Visibility
from bot.policy import Politeness
from bot.prompts import Prompts
from bot.store import Store
from bot.workhours import WorkingTime, parse_days, parse_window

WED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
FRIDAY_EVENING = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
# 24 working hours after Wednesday 10:00: 7 on Wednesday, 8 on Thursday, 8 on Friday, 1 on Monday.
DUE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TWO = "<@U_A> <@U_B> can you approve the Q3 vendor contract?"
BOSS = "<@U_BOSS> can you approve the new vendor contract by Thursday?"
DOOR = "<@U_BOSS> can I get approval to ship the onboarding copy behind a feature flag? We can roll back in a minute."
DOOR_WITH_CUSTOMER = ("<@U_BOSS> can I get approval to ship the onboarding copy behind a feature flag? New customers "
                      "get lost in signup and this helps them finish it. We can roll back in a minute.")


def build(store: Store, principles, clock: Clock, zone: str = "UTC", quiet=None, **limits) -> Engine:
    tz = ZoneInfo(zone)
    work = WorkingTime(tz, *limits.pop("window", (9 * 60, 17 * 60)), limits.pop("days", frozenset(range(5))))
    return Engine(store, principles, Prompts(PROMPTS_DIR), Politeness(zone=tz, quiet=quiet), clock=clock,
                  approval_rules=ApprovalRules(work, **limits))


@pytest.fixture
def bot(store, principles, clock) -> Engine:
    return build(store, principles, clock)


def ask(bot: Engine, text: str, clock: Clock, author: str = "U_ANN", **kw):
    msg = message(text, clock=clock, author=author, **kw)
    return msg, bot.handle(msg)


def say(bot: Engine, root, text: str, clock: Clock, author: str, **kw):
    return bot.handle(message(text, clock=clock, thread=root.ts, author=author, channel=root.channel,
                              workspace=root.workspace, **kw))


def tracked(bot: Engine, msg):
    row = bot.store.find(msg.platform, msg.workspace, msg.channel, msg.ts)
    return bot.approvals.tracked(msg.platform, msg.workspace, row["id"])


def state(bot: Engine, msg) -> str:
    return bot.store.find(msg.platform, msg.workspace, msg.channel, msg.ts)["approval_state"]


def answers(bot: Engine, msg) -> list[tuple]:
    return [(a["approver"], a["answer"], a["answered_by"], a["answered_at"]) for a in tracked(bot, msg).approvers]


def of(kind, actions):
    return [a for a in actions if isinstance(a, kind)]


# -- who is asked -------------------------------------------------------------------------------


def test_a_request_records_its_requester_approvers_thread_and_time(bot, clock):
    """Slack people and user groups, and teams named as approvers, are the request's approvers."""
    msg, _ = ask(bot, "<@U_BOSS> and <!subteam^S_LEGAL|@legal-team> can you approve this? We also need finance's "
                 "sign-off.", clock)
    request = tracked(bot, msg)
    assert (request.requester, request.channel, request.thread, request.created_at) == (
        "U_ANN", "C_GENERAL", msg.ts, WED)
    assert [Approver(a["kind"], a["approver"], a["label"]) for a in request.approvers] == [
        Approver("user", "U_BOSS"), Approver("group", "S_LEGAL", "legal-team"), Approver("team", "finance")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<at>Jane Doe</at> can you sign off on the budget?", [("user", "Jane Doe")]),
        ("@bob @legal can I get a +1?", [("user", "bob"), ("team", "legal")]),
        ("Need sign-off from legal, finance and security on the refund policy.",
         [("team", "legal"), ("team", "finance"), ("team", "security")]),
        ("Legal, compliance: can you approve the new retention period?", [("team", "legal"), ("team", "compliance")]),
        ("Needs a security review and the platform team's sign-off.",
         [("team", "security"), ("team", "platform team")]),
        ("Can you approve the finance dashboard change?", []),
        ("Please approve the security patch for the login page.", []),
        ("<@U_ANN> can someone approve my expense report?", []),
    ],
)
def test_approvers_are_read_from_mentions_and_from_teams_named_as_approvers(text, expected):
    """Mentions, handles and team words where an approver stands count; a team word used as a topic does not."""
    assert [(a.kind, a.id) for a in approvers_in(text, requester="U_ANN")] == expected


# -- answers --------------------------------------------------------------------------------------


def test_partial_approvals_then_resolution(bot, clock):
    """Each named approver's answer is kept with its time; the request resolves when the last one approves."""
    msg, _ = ask(bot, TWO, clock)
    clock.advance(hours=2)
    say(bot, msg, "Approved.", clock, "U_A")
    assert state(bot, msg) == "open"
    assert answers(bot, msg) == [("U_A", "approve", "U_A", "2026-11-18T12:00:00.000000+00:00"),
                                 ("U_B", None, None, None)]
    clock.advance(hours=3)
    say(bot, msg, "LGTM", clock, "U_B")
    assert state(bot, msg) == "approved"
    assert bot.store.find("slack", "T_ONE", msg.channel, msg.ts)["resolved_at"] == "2026-11-18T15:00:00.000000+00:00"
    assert answers(bot, msg)[1] == ("U_B", "approve", "U_B", "2026-11-18T15:00:00.000000+00:00")


def test_someone_speaking_for_a_team_answers_for_it(bot, clock):
    """A team named as approver is answered by whoever approves for it; a named person still has to."""
    msg, _ = ask(bot, "Need sign-off from legal and <@U_CFO> on the reseller terms.", clock)
    clock.advance(hours=1)
    say(bot, msg, "lgtm from legal", clock, "U_LAWYER")
    assert [(a, s, by) for a, s, by, _ in answers(bot, msg)] == [
        ("U_CFO", None, None), ("legal", "approve", "U_LAWYER")]
    assert state(bot, msg) == "open"
    say(bot, msg, "Approved.", clock, "U_CFO")
    assert state(bot, msg) == "approved"


def test_an_unnamed_persons_approval_is_kept_but_the_named_approver_still_decides(bot, clock):
    """A passer-by's LGTM is recorded, yet the request waits for the person it names."""
    msg, _ = ask(bot, BOSS, clock)
    say(bot, msg, "LGTM", clock, "U_PASSER_BY")
    assert state(bot, msg) == "open"
    row = bot.store.find("slack", "T_ONE", msg.channel, msg.ts)
    assert [(r["author"], r["answer"]) for r in bot.store.responses("slack", "T_ONE", row["id"])] == [
        ("U_PASSER_BY", "approve")]
    say(bot, msg, "Approved, go ahead.", clock, "U_BOSS")
    assert state(bot, msg) == "approved"


def test_a_request_naming_nobody_is_approved_by_anyone_but_the_requester(bot, clock):
    """With no approver named, the first approval by someone else resolves it; the requester's own does not."""
    msg, _ = ask(bot, "Can someone approve my conference travel?", clock)
    say(bot, msg, "LGTM", clock, "U_ANN")
    assert state(bot, msg) == "open"
    say(bot, msg, "Approved.", clock, "U_LEAD")
    assert state(bot, msg) == "approved"


def test_a_decline_after_a_partial_approval_declines_the_request(bot, clock):
    """One approval, then a "-1 … blocked on" from the other approver: declined, both answers kept."""
    msg, _ = ask(bot, TWO, clock)
    say(bot, msg, "Approved.", clock, "U_A")
    clock.advance(minutes=30)
    say(bot, msg, "-1, blocked on the security review", clock, "U_B")
    assert state(bot, msg) == "declined"
    assert [(a, s) for a, s, _, _ in answers(bot, msg)] == [("U_A", "approve"), ("U_B", "decline")]


def test_reactions_answer_as_their_approver(bot, clock):
    """✅ from one approver is a partial approval, 👍 from the other resolves; the requester's ✅ is no answer."""
    msg, _ = ask(bot, TWO, clock)
    bot.reaction("slack", "T_ONE", msg.channel, msg.ts, "U_ANN", "white_check_mark", clock.now)
    bot.reaction("slack", "T_ONE", msg.channel, msg.ts, "U_A", "white_check_mark", clock.now)
    assert state(bot, msg) == "open"
    bot.reaction("slack", "T_ONE", msg.channel, msg.ts, "U_B", "+1::skin-tone-2", clock.advance(hours=1))
    assert state(bot, msg) == "approved"
    assert [(a, s) for a, s, _, _ in answers(bot, msg)] == [("U_A", "approve"), ("U_B", "approve")]


def test_answers_on_the_engine_thread_are_committed_while_another_thread_reads(store, principles, clock):
    """The server builds the engine on one thread and runs it on another. An answer recorded there
    while the first thread sits in a read of the log is committed at once, and the log stays
    writable: it never joins that thread's open transaction."""
    from concurrent.futures import ThreadPoolExecutor

    bot = build(store, principles, clock)  # built here, as the server does before it starts
    engine_thread = ThreadPoolExecutor(max_workers=1)
    try:
        msg, _ = engine_thread.submit(ask, bot, TWO, clock).result()
        with store.db.atomic():  # this thread reads the log in a transaction meanwhile
            store.decisions()
            engine_thread.submit(bot.reaction, "slack", "T_ONE", msg.channel, msg.ts, "U_A",
                                 "white_check_mark", clock.now).result(timeout=20)
            engine_thread.submit(bot.reaction, "slack", "T_ONE", msg.channel, msg.ts, "U_B",
                                 "+1", clock.now).result(timeout=20)
        other = Store.open(store.path)  # what any other reader of the file sees
        try:
            row = other.find(msg.platform, msg.workspace, msg.channel, msg.ts)
            approvers = other.db.execute(
                "SELECT approver, answer FROM approval_approvers WHERE request_id = ? ORDER BY approver",
                [row["id"]]).fetchall()
        finally:
            other.close()
        assert row["approval_state"] == "approved"
        assert approvers == [("U_A", "approve"), ("U_B", "approve")]
    finally:
        engine_thread.shutdown()


def test_a_declining_reaction_declines(bot, clock):
    """❌ from an approver declines the request."""
    msg, _ = ask(bot, TWO, clock)
    bot.reaction("slack", "T_ONE", msg.channel, msg.ts, "U_B", "x", clock.now)
    assert state(bot, msg) == "declined"


def test_answers_in_another_workspace_touch_nothing(bot, clock):
    """The same channel and thread in another workspace is another conversation."""
    msg, _ = ask(bot, BOSS, clock)
    bot.handle(message("Approved.", clock=clock, thread=msg.ts, author="U_BOSS", workspace="T_TWO"))
    assert state(bot, msg) == "open"


# -- flags ----------------------------------------------------------------------------------------


def test_three_approvers_are_fine_and_a_fourth_raises_too_many_approvers(bot, clock):
    """The too-many-approvers flag needs more than three sign-offs, by default."""
    three, _ = ask(bot, "<@U_A> <@U_B> <@U_C> can you approve the offsite budget?", clock)
    four, _ = ask(bot, "<@U_A> <@U_B> <@U_C> <@U_D> can you approve the offsite budget?", clock)
    assert (tracked(bot, three).flags, tracked(bot, four).flags) == ((), ("too_many_approvers",))


def test_hops_add_approvers_and_the_third_raises_too_many_hops(bot, clock):
    """Each hand-on adds its approvers; the flag comes with the third hop (more than two), not before."""
    msg, _ = ask(bot, BOSS, clock)
    say(bot, msg, "Looping in <@U_CFO> for approval.", clock, "U_BOSS")
    say(bot, msg, "We also need finance's sign-off.", clock, "U_CFO")
    assert (tracked(bot, msg).hops, tracked(bot, msg).flags) == (2, ())
    say(bot, msg, "Not my call, passing this to legal.", clock, "U_FIN")
    request = tracked(bot, msg)
    assert (request.hops, request.flags) == (3, ("too_many_approvers", "too_many_hops"))
    assert [(a["approver"], a["hop"], a["added_by"]) for a in request.approvers] == [
        ("U_BOSS", 0, "U_ANN"), ("U_CFO", 1, "U_BOSS"), ("finance", 2, "U_CFO"), ("legal", 3, "U_FIN")]


def test_whoever_hands_a_request_on_no_longer_holds_it_up(bot, clock):
    """"Passing this to legal" by the named approver: only legal is waited for now."""
    msg, _ = ask(bot, BOSS, clock)
    say(bot, msg, "Not my call, passing this to legal.", clock, "U_BOSS")
    assert [(a, s) for a, s, _, _ in answers(bot, msg)] == [("U_BOSS", "handed_on"), ("legal", None)]
    assert state(bot, msg) == "open"
    say(bot, msg, "Approved.", clock, "U_LAWYER")
    assert state(bot, msg) == "approved"


def test_naming_an_approver_already_asked_is_not_a_hop(bot, clock):
    """A reply that loops in someone the request already names hands nothing on."""
    msg, _ = ask(bot, BOSS, clock)
    say(bot, msg, "Looping in <@U_BOSS> for approval again.", clock, "U_LEAD")
    assert tracked(bot, msg).hops == 0


def test_asking_again_without_an_answer_is_a_repeated_request(bot, store, clock):
    """The requester's "any update?" with no answer yet raises the flag, and is not logged as a new request."""
    msg, _ = ask(bot, BOSS, clock)
    clock.advance(hours=5)
    say(bot, msg, "Any update on this?", clock, "U_ANN")
    assert (tracked(bot, msg).asks, tracked(bot, msg).flags) == (2, ("repeated_request",))
    assert len(store.decisions()) == 1


def test_asking_again_after_an_answer_is_not_a_repeated_request(bot, clock):
    """A second ask after a partial approval is a fair question."""
    msg, _ = ask(bot, TWO, clock)
    say(bot, msg, "Approved.", clock, "U_A")
    clock.advance(hours=1)
    say(bot, msg, "<@U_B> can you approve it too?", clock, "U_ANN")
    assert tracked(bot, msg).flags == ()


def test_someone_else_chasing_is_not_a_repeated_request(bot, clock):
    """Only the requester asking again counts."""
    msg, _ = ask(bot, BOSS, clock)
    say(bot, msg, "bump", clock, "U_COLLEAGUE")
    assert tracked(bot, msg).flags == ()


def test_a_two_way_door_gets_a_note_to_its_requester_in_the_thread(bot, clock):
    """Reversible wording gets the requester a note naming the signals; the request stays tracked."""
    msg, actions = ask(bot, DOOR_WITH_CUSTOMER, clock)
    assert of(Nudge, actions) == []
    [note] = of(TwoWayDoor, actions)
    assert (note.channel, note.thread, note.requester, note.platform, note.workspace) == (
        "C_GENERAL", msg.ts, "U_ANN", "slack", "T_ONE")
    assert note.signals == ("behind a feature flag", "we can roll back")
    assert note.text == (
        "<@U_ANN>, this looks like a two-way door (“behind a feature flag”, “we can roll back”): reversible and "
        "low-risk.\nConsider deciding and moving on rather than waiting for sign-off.")
    assert tracked(bot, msg).flags == ("two_way_door",)
    assert bot.due_reminders() == []


def test_a_two_way_door_that_is_also_asked_about_gets_one_message(bot, clock):
    """A reversible request naming no customer gets the customer question and the note as one message."""
    msg, actions = ask(bot, DOOR, clock)
    assert of(TwoWayDoor, actions) == []
    [nudge] = of(Nudge, actions)
    assert nudge.thread == msg.ts
    assert nudge.text.startswith("Before this goes for sign-off, one question: *Who is the customer")
    assert nudge.text.endswith("Consider deciding and moving on rather than waiting for sign-off, and noting who "
                               "the customer is.")
    assert "this looks like a two-way door (“behind a feature flag”, “we can roll back”)" in nudge.text
    assert tracked(bot, msg).flags == ("two_way_door",)
    assert bot.due_reminders() == []


def test_a_two_way_door_that_names_its_customer_is_not_asked_for_one(bot, clock):
    """When the request already says who the customer is, the note does not ask for it."""
    _, actions = ask(bot, DOOR + " Customers who sign up on mobile keep asking for shorter steps.", clock)
    [note] = of(TwoWayDoor, actions)
    assert note.text.endswith("rather than waiting for sign-off.")


@pytest.mark.parametrize(
    "text",
    [
        BOSS,
        "<@U_BOSS> can you approve the data migration? It's a small change but we can't roll back.",
        "Quick question: can you approve the two-year contract with the new vendor?",
    ],
)
def test_requests_that_are_not_reversible_get_no_two_way_door_note(bot, clock, text):
    """No reversible wording, or wording that says it is a one-way door: no note, no flag."""
    msg, actions = ask(bot, text, clock)
    assert of(TwoWayDoor, actions) == [] and tracked(bot, msg).flags == ()


@pytest.mark.parametrize(
    ("text", "signals"),
    [
        ("Can you approve a small copy change on the pricing page?", ("small copy change",)),
        ("Can you approve the A/B test of the new checkout button?", ("a/b test",)),
        ("OK to run a quick experiment on the signup flow?", ("quick experiment",)),
        ("Can you approve the low-risk pilot for two weeks?", ("low-risk", "pilot", "for two weeks")),
    ],
)
def test_reversible_wording_is_found(text, signals):
    """The usual two-way-door wording, in the order written."""
    assert two_way_door(text) == signals


# -- working hours, time zones and reminders ------------------------------------------------------


def test_a_friday_evening_request_is_not_late_on_saturday(store, principles):
    """24 working hours from Friday 18:00 end on Wednesday 17:00; the reminder comes Thursday 09:00."""
    clock = Clock(FRIDAY_EVENING)
    bot = build(store, principles, clock)
    msg, _ = ask(bot, BOSS, clock)
    for moment in (datetime(2026, 11, 21, 12, tzinfo=UTC), datetime(2026, 11, 25, 16, 59, tzinfo=UTC),
                   datetime(2026, 11, 25, 17, 0, tzinfo=UTC), datetime(2026, 11, 26, 8, 59, tzinfo=UTC)):
        assert bot.due_reminders(moment) == [], moment
    [reminder] = bot.due_reminders(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert reminder.text == (
        "Reminder for <@U_BOSS>: this approval request from <@U_ANN> has waited 24 working hours, past the goal "
        "of 24 working hours.\nFlagged: waiting too long.\n"
        "Please approve or decline it in this thread (a ✅ or ❌ on the request works too).")
    assert (reminder.channel, reminder.thread, reminder.platform, reminder.workspace, reminder.user_ids,
            reminder.flags, reminder.requester) == (
        "C_GENERAL", msg.ts, "slack", "T_ONE", ("U_BOSS",), ("waiting_too_long",), "U_ANN")


def test_working_hours_follow_the_configured_time_zone(store, principles):
    """In Berlin a 08:30 request waits from 09:00 local; its reminder is due at 09:00 Berlin, 08:00 UTC."""
    clock = Clock(datetime(2026, 11, 23, 7, 30, tzinfo=UTC))  # Monday 08:30 in Berlin
    bot = build(store, principles, clock, zone="Europe/Berlin")
    ask(bot, BOSS, clock)
    assert bot.due_reminders(datetime(2026, 11, 25, 15, 59, tzinfo=UTC)) == []
    assert bot.due_reminders(datetime(2026, 11, 26, 7, 59, tzinfo=UTC)) == []
    assert len(bot.due_reminders(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))) == 1


def test_sla_working_days_and_hours_are_settings(store, principles):
    """A 4-hour SLA on a Sunday-to-Thursday, 08:00-12:00 week: a Thursday 11:00 request is due Sunday 11:00."""
    clock = Clock(datetime(2026, 11, 19, 11, 0, tzinfo=UTC))  # Thursday
    bot = build(store, principles, clock, sla_hours=4, window=(8 * 60, 12 * 60), days=parse_days("sun-thu"))
    ask(bot, BOSS, clock)
    assert bot.due_reminders(datetime(2026, 11, 20, 11, 0, tzinfo=UTC)) == []  # Friday: a day off
    assert bot.due_reminders(datetime(2026, 11, 22, 10, 59, tzinfo=UTC)) == []
    assert len(bot.due_reminders(datetime(2026, 11, 22, 11, 0, tzinfo=UTC))) == 1


def test_one_reminder_a_working_day_for_at_most_three_days(bot, clock):
    """After the SLA: one reminder on each of the next three working days, none on the same day twice, then none."""
    ask(bot, BOSS, clock)
    sent = []
    moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    while moment < datetime(2026, 12, 4, tzinfo=UTC):
        if of(Reminder, bot.due_reminders(moment)):
            sent.append(moment)
        moment += timedelta(minutes=30)
    assert sent == [DUE, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 25, 9, 0, tzinfo=UTC)]


def test_the_reminder_names_only_pending_approvers_and_every_flag(bot, clock):
    """After one of four approves, the reminder mentions the other three and says why it was flagged."""
    msg, _ = ask(bot, "<@U_A> <@U_B> <@U_C> <@U_D> can you approve the offsite budget?", clock)
    say(bot, msg, "bump", clock, "U_ANN")
    say(bot, msg, "Approved.", clock, "U_A")
    [reminder] = bot.due_reminders(DUE)
    assert reminder.user_ids == ("U_B", "U_C", "U_D")
    assert reminder.text.splitlines()[:2] == [
        "Reminder for <@U_B>, <@U_C> and <@U_D>: this approval request from <@U_ANN> has waited 24 working hours, "
        "past the goal of 24 working hours.",
        "Flagged: waiting too long; too many approvers (4 sign-offs needed, more than 3); "
        "repeated request (asked 2 times).",
    ]


def test_a_request_naming_nobody_is_still_reminded_in_its_thread(bot, clock):
    """With no approver to mention, the reminder asks who can decide."""
    ask(bot, "Can someone approve my conference travel?", clock)
    [reminder] = bot.due_reminders(DUE)
    assert reminder.approvers == ()
    assert reminder.text.endswith("Who can decide? Naming one approver helps.")


def test_resolved_deleted_and_edited_away_requests_are_not_reminded(bot, clock):
    """Only open, active requests are reminded."""
    approved, _ = ask(bot, BOSS, clock)
    say(bot, approved, "Approved.", clock, "U_BOSS")
    deleted, _ = ask(bot, BOSS, clock, author="U_B")
    bot.delete("slack", "T_ONE", deleted.channel, deleted.ts)
    withdrawn, _ = ask(bot, BOSS, clock, author="U_C")
    bot.edit(message("thanks all, sorted", clock=clock, ts=withdrawn.ts, author="U_C"))
    assert bot.due_reminders(DUE) == []


def test_nobody_is_reminded_in_a_muted_channel_or_in_quiet_hours(store, principles, clock):
    """A muted channel gets no reminder until unmuted; quiet hours hold every reminder."""
    bot = build(store, principles, clock, quiet=(time(9), time(10)))
    ask(bot, BOSS, clock)
    muted = ChannelSettings(muted_until="forever", muted_by="U_LEAD")
    store.save_channel_settings("slack", "T_ONE", "C_GENERAL", muted, clock.now)
    assert bot.due_reminders(DUE) == []
    store.save_channel_settings("slack", "T_ONE", "C_GENERAL", ChannelSettings(), clock.now)
    assert bot.due_reminders(datetime(2026, 11, 24, 9, 30, tzinfo=UTC)) == []  # quiet hours
    assert len(bot.due_reminders(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))) == 1


def test_an_ephemeral_channel_gets_private_reminders(bot, store, clock):
    """A channel that chose private questions gets reminders marked ephemeral."""
    store.save_channel_settings("slack", "T_ONE", "C_GENERAL", ChannelSettings(ephemeral=True), clock.now)
    ask(bot, BOSS, clock)
    [reminder] = bot.due_reminders(DUE)
    assert reminder.ephemeral


def test_a_two_way_door_written_after_hours_is_noted_the_next_working_morning(store, principles):
    """No note on a Friday evening or the weekend; Monday 09:00 it comes, once."""
    clock = Clock(FRIDAY_EVENING)
    bot = build(store, principles, clock)
    _, actions = ask(bot, DOOR, clock)
    assert of(TwoWayDoor, actions) == []
    assert bot.due_reminders(datetime(2026, 11, 21, 11, 0, tzinfo=UTC)) == []
    [note] = bot.due_reminders(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert isinstance(note, TwoWayDoor) and note.requester == "U_ANN"
    assert bot.due_reminders(datetime(2026, 11, 23, 9, 5, tzinfo=UTC)) == []


def test_requests_from_long_ago_get_no_note_and_no_late_reminders(bot, clock):
    """A request written months ago (history, a late delivery) is tracked and flagged, but nobody is told."""
    old = message(DOOR, when=datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    assert of(TwoWayDoor, bot.handle(old)) == []
    assert tracked(bot, old).flags == ("two_way_door",)
    assert bot.due_reminders() == []


def test_each_platform_claims_only_its_own_reminders(bot, clock):
    """A Teams timer does not take the Slack reminders."""
    ask(bot, BOSS, clock)
    assert bot.due_reminders(DUE, platform="teams") == []
    assert len(bot.due_reminders(DUE, platform="slack")) == 1


def test_no_reminder_is_sent_twice_after_a_restart(tmp_path, principles, clock):
    """A second process on the same log file finds today's reminder already sent; tomorrow it sends the next."""
    path = tmp_path / "shared.db"
    first = build(Store.open(path), principles, clock)
    ask(first, BOSS, clock)
    assert len(first.due_reminders(DUE)) == 1
    first.store.close()
    second = build(Store.open(path), principles, clock)
    assert second.due_reminders(DUE + timedelta(hours=3)) == []
    assert len(second.due_reminders(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))) == 1
    third = build(Store.open(path), principles, clock)
    assert third.due_reminders(datetime(2026, 11, 24, 9, 1, tzinfo=UTC)) == []
    second.store.close()
    third.store.close()


# -- working time ---------------------------------------------------------------------------------


def test_working_hours_skip_nights_weekends_and_survive_a_clock_change():
    """Friday 16:00 to Monday 10:00 across the end of summer time in Berlin is two working hours."""
    berlin = ZoneInfo("Europe/Berlin")
    work = WorkingTime(berlin)
    friday, monday = datetime(2026, 10, 23, 16, tzinfo=berlin), datetime(2026, 10, 26, 10, tzinfo=berlin)
    assert work.hours_between(friday, monday) == 2.0
    assert work.add(friday, 2) == monday
    assert (work.is_working(datetime(2026, 10, 24, 12, tzinfo=berlin)), work.is_working(monday)) == (False, True)


@pytest.mark.parametrize(
    ("text", "days"),
    [("mon-fri", {0, 1, 2, 3, 4}), ("sun-thu", {6, 0, 1, 2, 3}), ("Mon,Wed,fri", {0, 2, 4}),
     ("mon-tue,thu", {0, 1, 3}), ("funday", None), ("", None)],
)
def test_working_days_are_read_from_day_names(text, days):
    """Ranges wrap around the week; an unknown day name is refused."""
    assert parse_days(text) == (frozenset(days) if days else None)


@pytest.mark.parametrize(
    ("text", "window"),
    [("09:00-17:00", (540, 1020)), ("00:00-24:00", (0, 1440)), ("17:00-09:00", None), ("9-5", None),
     ("09:00-24:30", None)],
)
def test_working_hours_are_a_window_within_one_day(text, window):
    """HH:MM-HH:MM, start before end; 24:00 may end the day."""
    assert parse_window(text) == window


# -- figures ----------------------------------------------------------------------------------------

CHANNELS = {"C_OPS": "ops", "C_WEB": "web", "C_PAY": "payments"}
PEOPLE = ("U_A", "U_B", "U_C", "U_D", "U_E")


def _workdays(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=minutes)


def test_figures_on_a_seeded_log_match_the_hand_computed_ones(bot, clock):
    """300 requests: counts, median and 90th percentile per channel and approver, slowest and flags."""
    rng = random.Random(5)
    days = _workdays(date(2026, 9, 7), 70)
    clock.now = datetime(2026, 12, 31, 12, tzinfo=UTC)
    requests, approver_waits = [], {p: [] for p in PEOPLE}
    for i in range(300):
        j, start = i // 5, rng.randrange(0, 180, 15)
        named = rng.sample(PEOPLE, 4 if i % 20 == 0 else rng.choice((1, 2)))
        channel = rng.choice(sorted(CHANNELS))
        outcome = "open" if i % 10 == 3 else "declined" if i % 10 == 7 else "approved"
        root = message(" ".join(f"<@{p}>" for p in named) + f" can you approve the purchase order #{i}?",
                       when=_at(days[j], start), channel=channel, channel_name=CHANNELS[channel])
        bot.handle(root)
        answering = named if outcome == "approved" else named[:1] if outcome == "declined" else []
        answers = sorted((rng.randrange(5), rng.randrange(0, 240, 15), person) for person in answering)
        waits = []
        for d, r, person in answers:  # in the order they are written
            waits.append(d * 8 + r / 60)  # d working days and r minutes later, within the working day
            text = "Approved." if outcome == "approved" else "-1, not this quarter"
            bot.handle(message(text, when=_at(days[j + d], start + r), thread=root.ts, author=person,
                               channel=channel))
            if outcome == "approved":
                approver_waits[person].append(waits[-1])
        requests.append((root, channel, outcome, max(waits, default=None), len(named)))
    bot.handle(message(BOSS, clock=clock, workspace="T_OTHER"))  # another workspace: never counted

    figures = stats(bot.store, "slack", "T_ONE", datetime(2026, 9, 1, tzinfo=UTC), clock.now, clock.now,
                    bot.approvals.rules)

    def close(got, values):
        want = statistics.quantiles(values, n=10, method="inclusive")[-1]
        return (got.count, got.median_hours, abs(got.p90_hours - want) <= 0.05 + 1e-9) == (
            len(values), round(statistics.median(values), 1), True)

    approved = [(c, w) for _, c, o, w, _ in requests if o == "approved"]
    assert (figures.requests, figures.approved, figures.declined, figures.still_open) == (300, 240, 30, 30)
    assert close(figures.time_to_approval, [w for _, w in approved])
    assert {w.key: close(w, [x for c, x in approved if c == w.key]) for w in figures.by_channel} == {
        c: True for c in CHANNELS}
    assert {w.label: close(w, approver_waits[w.key[2:-1]]) for w in figures.by_approver} == {
        f"@{p}": True for p in PEOPLE}
    resolved = sorted(((-w, i + 1, o) for i, (_, _, o, w, _) in enumerate(requests) if o != "open"))[:5]
    assert [(s.id, s.working_hours, s.outcome) for s in figures.slowest] == [
        (i, round(-w, 1), o) for w, i, o in resolved]
    late = sum(1 for _, _, o, w, _ in requests if o == "open" or w >= 24)
    assert figures.flags == {"waiting_too_long": late, "too_many_approvers": 15, "too_many_hops": 0,
                             "repeated_request": 0, "two_way_door": 0}
    assert [o.id for o in figures.open] == [i + 1 for i, r in enumerate(requests) if r[2] == "open"]


def test_open_requests_are_listed_with_their_age_pending_approvers_and_flags(bot, clock):
    """The text view shows each open request, how long it waited, whom it waits for and why it is flagged."""
    msg, _ = ask(bot, "<@U_A> <@U_B> <@U_C> <@U_D> can you approve the offsite budget?", clock)
    say(bot, msg, "Approved.", clock, "U_A")
    clock.now = datetime(2026, 11, 23, 12, tzinfo=UTC)  # the next Monday noon: 26 working hours
    figures = stats(bot.store, "slack", "T_ONE", WED - timedelta(days=7), clock.now, clock.now, bot.approvals.rules)
    [row] = figures.open
    assert (row.age_hours, row.working_hours, row.overdue, row.waiting_for, row.flags) == (
        122.0, 26.0, True, ["@U_B", "@U_C", "@U_D"], ["waiting too long", "too many approvers"])
    text = render_text(figures)
    assert "#1 #general from U_ANN: 5 d old, 26 working hours, past the goal" in text
    assert "waiting for @U_B, @U_C, @U_D" in text
    assert "“@U_A @U_B @U_C @U_D can you approve the offsite budget?”" in text


def test_a_requests_words_name_the_approvers_the_log_knows_by_name(bot, clock):
    """Once the platform named an approver (Slack's users.info), the request's excerpt says the name, not
    the id; an approver still known by id only stays an id."""
    msg, _ = ask(bot, "<@U_A> <@U_B> can you approve the offsite budget?", clock)
    [request] = bot.store.decisions("slack", "T_ONE")
    bot.approvals.name("slack", "T_ONE", request["id"], {"U_A": "Ana Diaz"})
    clock.now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    figures = stats(bot.store, "slack", "T_ONE", WED - timedelta(days=7), clock.now, clock.now, bot.approvals.rules)
    [row] = figures.open
    assert row.excerpt == "@Ana Diaz @U_B can you approve the offsite budget?"
    assert row.waiting_for == ["@Ana Diaz", "@U_B"]


def test_a_digest_in_a_public_channel_sees_no_private_requests(bot, clock):
    """With public_only, a private channel's request is left out, except in that channel's own view."""
    ask(bot, BOSS, clock, channel="G_HR", visibility=Visibility.PRIVATE)
    ask(bot, BOSS, clock, author="U_B")
    since, now = WED - timedelta(days=1), WED + timedelta(hours=1)
    rules = bot.approvals.rules
    public = stats(bot.store, "slack", "T_ONE", since, now, now, rules, public_only=True, channel="C_GENERAL")
    own = stats(bot.store, "slack", "T_ONE", since, now, now, rules, public_only=True, channel="G_HR")
    assert ([o.channel for o in public.open], [o.channel for o in own.open]) == (["C_GENERAL"], ["G_HR", "C_GENERAL"])


def test_approve_and_decline_buttons_answer_like_replies(bot, clock):
    """A press under the reminder is the presser's answer: partial until every named approver approved,
    a decline declines, and a closed or unknown request is said to be so."""
    msg, _ = ask(bot, "<@U_A> <@U_B> can you approve the vendor contract?", clock)
    request_id = bot.store.find(msg.platform, msg.workspace, msg.channel, msg.ts)["id"]
    with pytest.raises(InputError, match="You asked for this approval"):
        bot.answer_request("slack", "T_ONE", request_id, "U_ANN", "approve")
    clock.advance(minutes=5)
    assert bot.answer_request("slack", "T_ONE", request_id, "U_A", "approve") == (
        "Thanks: your approval is recorded. The request still waits for other approvers.")
    assert [(a["approver"], a["answer"]) for a in tracked(bot, msg).approvers] == [("U_A", "approve"), ("U_B", None)]
    assert bot.answer_request("slack", "T_ONE", request_id, "U_B", "decline") == (
        "Thanks: your decline is recorded. The request is now declined.")
    assert bot.answer_request("slack", "T_ONE", request_id, "U_C", "approve") == (
        "This request is already declined; nothing changed.")
    with pytest.raises(InputError, match="unknown"):
        bot.answer_request("slack", "T_OTHER", request_id, "U_A", "approve")
