"""The engine: what people see in a channel, and what ends up in the log."""

from __future__ import annotations

import pytest
from builders import command, message

from bot.actions import Logged, Nudge, React, Reply, UpdateNudge
from bot.errors import InputError
from bot.models import ChannelSettings, Kind, Visibility

UNCLEAR = "We decided to move the launch to next Friday."
CLEAR = "We decided to add CSV export because customers keep asking to get their data into Excel."
REQUEST = "<@U_BOSS> can you approve the new vendor contract by Thursday?"


def nudges(actions):
    return [a for a in actions if isinstance(a, Nudge)]


def test_decision_without_customer_gets_the_question_in_its_thread(engine, clock):
    """A decision that names no customer is answered in its thread with the question and four buttons."""
    msg = message(UNCLEAR, clock=clock)
    [nudge] = nudges(engine.handle(msg))
    assert nudge.thread == msg.ts and nudge.channel == msg.channel and not nudge.ephemeral
    assert "Who is the customer, and how does this help them?" in nudge.text
    assert [b.label for b in nudge.buttons] == [
        "Add customer rationale",
        "Not customer-facing",
        "Not a decision",
        "Mute in this channel",
    ]


def test_decision_with_customer_is_logged_with_only_a_reaction(engine, store, clock):
    """A decision that states its customer gets no message, only a reaction, and is logged as such."""
    msg = message(CLEAR, clock=clock)
    actions = engine.handle(msg)
    assert not nudges(actions)
    assert React(msg.channel, msg.ts) in actions
    row = store.find("slack", "T_ONE", msg.channel, msg.ts)
    assert (row["kind"], row["customer_rationale"], row["text"]) == ("decision", 1, CLEAR)
    assert "customer-obsession" in row["principles"]


def test_small_talk_is_neither_answered_nor_logged(engine, store, clock):
    """Ordinary chat produces no action and no row."""
    assert engine.handle(message("anyone up for lunch at noon?", clock=clock)) == []
    assert store.decisions() == []


def test_only_one_question_per_thread(engine, clock):
    """A second unclear decision in an already-asked thread is logged but not asked about."""
    first = message(UNCLEAR, clock=clock)
    assert nudges(engine.handle(first))
    clock.advance(hours=2)
    reply = message("Final call: we'll also cut the beta invite list.", clock=clock, thread=first.ts, author="U_BOB")
    actions = engine.handle(reply)
    assert not nudges(actions)
    [logged] = [a for a in actions if isinstance(a, Logged)]
    assert logged.held == "this thread was already asked once"


def test_retried_event_produces_no_second_question_or_row(engine, store, clock):
    """The same event id delivered three times gives one question and one row."""
    results = [engine.handle(message(UNCLEAR, clock=clock, ts="1.000001", event_id="Ev1")) for _ in range(3)]
    assert [len(nudges(r)) for r in results] == [1, 0, 0]
    assert len(store.decisions()) == 1


def test_redelivered_message_without_event_id_is_not_logged_twice(engine, store, clock):
    """The same message (same channel and ts) handled twice stays one row, asked once."""
    results = [engine.handle(message(UNCLEAR, clock=clock, ts="2.000001")) for _ in range(2)]
    assert [len(nudges(r)) for r in results] == [1, 0]
    assert len(store.decisions()) == 1


def test_author_cooldown_holds_back_a_second_question(engine, clock):
    """The same person is not asked twice within the cooldown, but is asked after it."""
    assert nudges(engine.handle(message(UNCLEAR, clock=clock)))
    clock.advance(minutes=5)
    held = engine.handle(message("Going with the blue logo.", clock=clock))
    assert not nudges(held)
    assert "cooldown" in [a for a in held if isinstance(a, Logged)][0].held
    clock.advance(minutes=6)
    assert nudges(engine.handle(message("Decision: the offsite moves to Lisbon.", clock=clock)))


def test_other_people_are_asked_during_someone_elses_cooldown(engine, clock):
    """The cooldown is per author."""
    assert nudges(engine.handle(message(UNCLEAR, clock=clock, author="U_ANN")))
    assert nudges(engine.handle(message("Going with the blue logo.", clock=clock, author="U_BOB")))


def test_mute_command_silences_the_channel_until_it_expires(engine, clock):
    """`/nudgebot mute 2h` stops questions in that channel for two hours; decisions are still logged."""
    [reply] = engine.command(command("nudgebot", "mute 2h", clock=clock))
    assert "until Wed 18 Nov 2026 12:00 UTC" in reply.markdown
    actions = engine.handle(message(UNCLEAR, clock=clock))
    assert not nudges(actions)
    assert "muted" in [a for a in actions if isinstance(a, Logged)][0].held
    assert nudges(engine.handle(message(UNCLEAR, clock=clock, channel="C_OTHER", author="U_BOB")))
    clock.advance(hours=2, minutes=1)
    assert nudges(engine.handle(message("Going with the blue logo.", clock=clock)))


def test_status_shows_the_mute_and_its_expiry(engine, clock):
    """`/nudgebot status` says the channel is muted, until when, and by whom; then that unmute ends it."""
    engine.command(command("nudgebot", "mute 3d", clock=clock, user="U_LEAD"))
    [status] = engine.command(command("nudgebot", "status", clock=clock))
    assert "Muted until Sat 21 Nov 2026 10:00 UTC (by <@U_LEAD>)." in status.markdown
    engine.command(command("nudgebot", "unmute", clock=clock))
    [status] = engine.command(command("nudgebot", "status", clock=clock))
    assert "Not muted." in status.markdown


def test_mute_with_a_bad_duration_explains_the_format(engine, clock):
    """A duration the bot cannot read is refused with examples, and nothing is muted."""
    [reply] = engine.command(command("nudgebot", "mute soonish", clock=clock))
    assert "30m, 2h, 3d, 1w" in reply.markdown
    assert nudges(engine.handle(message(UNCLEAR, clock=clock)))


def test_channel_daily_cap(engine, rules, clock):
    """After the day's cap of questions the channel gets no more until the next day."""
    for i in range(rules.daily_cap):
        assert nudges(engine.handle(message(UNCLEAR, clock=clock, author=f"U_{i}")))
    assert not nudges(engine.handle(message(UNCLEAR, clock=clock, author="U_LATE")))
    clock.advance(days=1)
    assert nudges(engine.handle(message(UNCLEAR, clock=clock, author="U_LATE")))


def test_edit_updates_the_logged_decision_instead_of_adding_one(engine, store, clock):
    """Editing a decision to add its customer updates its row; nobody is asked again."""
    msg = message(UNCLEAR, clock=clock)
    engine.handle(msg)
    clock.advance(minutes=3)
    named = " Customers asked for the extra week so they can migrate their data first."
    edited = message(UNCLEAR + named, clock=clock, ts=msg.ts)
    actions = engine.edit(edited)
    assert not nudges(actions)
    [row] = store.decisions()
    assert row["customer_rationale"] == 1 and row["text"] == edited.text and row["edited_at"]


def test_edit_that_removes_the_decision_withdraws_it(engine, store, clock):
    """A decision edited into a question leaves the log's active rows."""
    msg = message(UNCLEAR, clock=clock)
    engine.handle(msg)
    engine.edit(message("Should we move the launch to next Friday?", clock=clock, ts=msg.ts))
    assert store.decisions() == []
    assert [r["status"] for r in store.decisions(include_inactive=True)] == ["withdrawn"]


def test_edit_into_a_decision_logs_it_without_asking(engine, store, clock):
    """A message edited into a decision is logged, but an edit never triggers a question."""
    msg = message("thinking about the launch date", clock=clock)
    engine.handle(msg)
    actions = engine.edit(message(UNCLEAR, clock=clock, ts=msg.ts))
    assert not nudges(actions)
    assert [r["text"] for r in store.decisions()] == [UNCLEAR]


def test_deleted_message_is_marked_deleted_and_its_text_forgotten(engine, store, clock):
    """Deleting a logged message marks its row deleted and erases its words."""
    msg = message(UNCLEAR, clock=clock)
    engine.handle(msg)
    engine.delete("slack", "T_ONE", msg.channel, msg.ts)
    [row] = store.decisions(include_inactive=True)
    assert (row["status"], row["text"]) == ("deleted", None)


def test_approval_request_is_tracked_and_an_approval_in_its_thread_resolves_it(engine, store, clock):
    """A reply that approves the request closes it, with the time of the approval."""
    request = message(REQUEST, clock=clock, author="U_ANN")
    engine.handle(request)
    clock.advance(hours=3)
    engine.handle(message("Approved, go ahead.", clock=clock, thread=request.ts, author="U_BOSS"))
    [row] = store.decisions()
    assert (row["kind"], row["approval_state"]) == ("approval_request", "approved")
    assert row["resolved_at"].startswith("2026-11-18T13:00")
    assert [(r["author"], r["answer"]) for r in store.responses("slack", "T_ONE", row["id"])] == [
        ("U_BOSS", "approve")
    ]


def test_requester_cannot_approve_their_own_request(engine, store, clock):
    """An approval written by the requester leaves the request open."""
    request = message(REQUEST, clock=clock, author="U_ANN")
    engine.handle(request)
    engine.handle(message("LGTM", clock=clock, thread=request.ts, author="U_ANN"))
    assert store.decisions()[0]["approval_state"] == "open"


def test_decline_in_the_thread_resolves_the_request_as_declined(engine, store, clock):
    """A "-1" reply from someone else declines the request."""
    request = message(REQUEST, clock=clock)
    engine.handle(request)
    engine.handle(message("-1, not until security has looked at it", clock=clock, thread=request.ts, author="U_SEC"))
    assert store.decisions()[0]["approval_state"] == "declined"


def test_approval_request_without_customer_is_asked_unless_the_channel_turned_it_off(engine, store, clock):
    """Approval requests get the question too; a channel setting can turn that off."""
    [nudge] = nudges(engine.handle(message(REQUEST, clock=clock)))
    assert "sign-off" in nudge.text
    store.save_channel_settings("slack", "T_ONE", "C_QUIET", ChannelSettings(approval_nudges=False), clock.now)
    actions = engine.handle(message(REQUEST, clock=clock, channel="C_QUIET", author="U_BOB"))
    assert not nudges(actions)


def test_ephemeral_channel_setting_makes_the_question_private(engine, store, clock):
    """A channel that chose ephemeral questions gets them addressed privately to the author."""
    store.save_channel_settings("slack", "T_ONE", "C_GENERAL", ChannelSettings(ephemeral=True), clock.now)
    [nudge] = nudges(engine.handle(message(UNCLEAR, clock=clock)))
    assert nudge.ephemeral and nudge.author == "U_ANN"


def test_adding_a_rationale_updates_the_log_and_the_question(engine, store, clock):
    """The rationale given through the button is stored and thanked for in place of the question."""
    [nudge] = nudges(engine.handle(message(UNCLEAR, clock=clock)))
    [update] = engine.answer("slack", "T_ONE", nudge.decision_id, "add_rationale", "U_ANN",
                             rationale="Resellers: they need the extra week to train their staff.")
    assert isinstance(update, UpdateNudge) and "customer rationale added" in update.text
    [row] = store.decisions()
    assert (row["customer_rationale"], row["rationale"], row["rationale_by"]) == (
        1, "Resellers: they need the extra week to train their staff.", "U_ANN")
    assert store.nudge_for("slack", "T_ONE", row["id"])["answer"] == "add_rationale"


def test_empty_rationale_is_refused(engine, clock):
    """Saving an empty rationale is an error the user is told about."""
    [nudge] = nudges(engine.handle(message(UNCLEAR, clock=clock)))
    with pytest.raises(InputError, match="who the customer is"):
        engine.answer("slack", "T_ONE", nudge.decision_id, "add_rationale", "U_ANN", rationale="   ")


def test_not_customer_facing_and_not_a_decision_are_recorded(engine, store, clock):
    """"Not customer-facing" is kept with who said it; "Not a decision" dismisses the row."""
    [a] = nudges(engine.handle(message(UNCLEAR, clock=clock, author="U_A")))
    [b] = nudges(engine.handle(message("Going with the blue logo.", clock=clock, author="U_B")))
    engine.answer("slack", "T_ONE", a.decision_id, "not_customer_facing", "U_LEAD")
    engine.answer("slack", "T_ONE", b.decision_id, "not_a_decision", "U_B")
    assert store.get("slack", "T_ONE", a.decision_id)["not_customer_facing_by"] == "U_LEAD"
    assert store.get("slack", "T_ONE", b.decision_id)["status"] == "dismissed"
    assert [r["id"] for r in store.decisions()] == [a.decision_id]


def test_mute_button_mutes_the_channel_for_a_week(engine, clock):
    """The mute button mutes the nudge's channel with a visible expiry."""
    [nudge] = nudges(engine.handle(message(UNCLEAR, clock=clock)))
    [update] = engine.answer("slack", "T_ONE", nudge.decision_id, "mute", "U_ANN")
    assert "until Wed 25 Nov 2026 10:00 UTC" in update.text
    assert not nudges(engine.handle(message("Going with the blue logo.", clock=clock, author="U_B")))


def test_answers_are_scoped_to_their_workspace(engine, clock):
    """A button press naming another workspace's decision finds nothing."""
    [nudge] = nudges(engine.handle(message(UNCLEAR, clock=clock, workspace="T_ONE")))
    with pytest.raises(InputError):
        engine.answer("slack", "T_TWO", nudge.decision_id, "not_a_decision", "U_X")


def test_decision_command_logs_explicitly_and_asks_when_needed(engine, store, clock):
    """`/decision TEXT` logs the text as a decision even without decision wording, and asks about the customer."""
    actions = engine.command(command("decision", "Weekly releases on Tuesdays from December.", clock=clock))
    reply = actions[0]
    assert isinstance(reply, Reply) and reply.markdown.startswith("Logged decision #")
    assert nudges(actions)
    [row] = store.decisions()
    assert (row["kind"], row["text"]) == ("decision", "Weekly releases on Tuesdays from December.")


def test_commands_with_missing_text_explain_their_usage(engine, clock):
    """`/prfaq` and `/decision` without text reply with an example instead of failing."""
    [prfaq] = engine.command(command("prfaq", "  ", clock=clock))
    [decision] = engine.command(command("decision", "", clock=clock))
    assert "/prfaq A meal-planning feature" in prfaq.markdown
    assert "/decision We will" in decision.markdown


def test_digest_command_lists_the_weeks_decisions_lacking_a_customer(engine, clock):
    """`/digest` shows this week's decisions without a customer rationale, not the ones with."""
    engine.handle(message(UNCLEAR, clock=clock))
    engine.handle(message(CLEAR, clock=clock, author="U_B"))
    [reply] = engine.command(command("digest", clock=clock))
    assert "2 decisions logged; 1 (50%) say who the customer is." in reply.markdown
    assert UNCLEAR in reply.markdown and CLEAR not in reply.markdown


def test_digest_in_a_public_channel_never_shows_private_items(engine, clock):
    """A private channel's decision appears in its own digest but not in a public channel's."""
    private = message("Going with vendor B for payroll.", clock=clock, channel="G_HR", visibility=Visibility.PRIVATE)
    engine.handle(private)
    engine.handle(message(UNCLEAR, clock=clock, author="U_B"))
    [public] = engine.command(command("digest", clock=clock, channel="C_GENERAL"))
    [private] = engine.command(command("digest", clock=clock, channel="G_HR", visibility=Visibility.PRIVATE))
    assert "vendor B" not in public.markdown and UNCLEAR in public.markdown
    assert "vendor B" in private.markdown


def test_retention_erases_old_text_but_keeps_the_figures(engine, store, clock):
    """Text older than the retention period is erased; kind and rationale stay."""
    engine.handle(message(UNCLEAR, clock=clock))
    clock.advance(days=366)
    assert engine.purge_old_text() == 1
    [row] = store.decisions()
    assert (row["text"], row["kind"], row["customer_rationale"]) == (None, "decision", 0)


def test_workspaces_never_share_threads_or_rows(engine, store, clock):
    """The same channel and ts in two workspaces are two decisions, each asked about."""
    a = engine.handle(message(UNCLEAR, clock=clock, ts="9.1", workspace="T_ONE"))
    b = engine.handle(message(UNCLEAR, clock=clock, ts="9.1", workspace="T_TWO"))
    assert nudges(a) and nudges(b)
    assert len(store.decisions("slack", "T_ONE")) == 1 and len(store.decisions("slack", "T_TWO")) == 1


def test_replies_count_how_much_a_decision_was_discussed(engine, store, clock):
    """Each reply in a decision's thread adds to its discussion count."""
    root = message(UNCLEAR, clock=clock)
    engine.handle(root)
    for who in ("U_B", "U_C"):
        engine.handle(message("hmm, what about the partners?", clock=clock, thread=root.ts, author=who))
    assert store.decisions()[0]["replies"] == 2


def test_logged_kind_is_reported_to_the_console(engine, clock):
    """Front ends that show their work learn what was logged."""
    actions = engine.handle(message(REQUEST, clock=clock))
    [logged] = [a for a in actions if isinstance(a, Logged)]
    assert logged.kind == Kind.APPROVAL_REQUEST and logged.held is None


def test_reactions_resolve_an_open_request_but_not_by_its_requester(engine, store, clock):
    """👎 from someone else declines a request; the requester's own ✅ and other emoji change nothing."""
    request = message(REQUEST, clock=clock, author="U_ANN")
    engine.handle(request)
    engine.reaction("slack", "T_ONE", request.channel, request.ts, "U_ANN", "white_check_mark", clock.now)
    engine.reaction("slack", "T_ONE", request.channel, request.ts, "U_BOSS", "eyes", clock.now)
    assert store.decisions()[0]["approval_state"] == "open"
    engine.reaction("slack", "T_ONE", request.channel, request.ts, "U_BOSS", "thumbsdown", clock.now)
    assert store.decisions()[0]["approval_state"] == "declined"


def test_remembered_event_ids_are_forgotten_after_a_week(engine, store, clock):
    """Housekeeping drops event ids older than a week, so the table does not grow forever."""
    engine.handle(message("We decided to move the launch to next Friday.", clock=clock, event_id="Ev-old"))
    clock.advance(days=8)
    engine.handle(message("Going with Postgres for the new service.", clock=clock, event_id="Ev-new"))
    engine.purge_old_text()
    assert [r["event_id"] for r in store.db.query("SELECT event_id FROM processed_events")] == ["Ev-new"]


def test_everyday_chat_leaves_no_trace_in_the_log(engine, store, clock):
    """A top-level message that is no decision writes nothing, not even its event id."""
    assert engine.handle(message("lunch?", clock=clock, event_id="Ev-lunch")) == []
    assert list(store.db.query("SELECT event_id FROM processed_events")) == []
    assert store.decisions() == []


def test_not_a_decision_makes_the_bot_stricter_for_that_wording_in_that_workspace(engine, store, clock):
    """After "Not a decision", the same wording is no longer logged or asked about in that workspace only."""
    [nudge] = nudges(engine.handle(message("We will go with pizza for the offsite lunch.", clock=clock)))
    engine.answer("slack", "T_ONE", nudge.decision_id, "not_a_decision", "U_ANN")
    clock.advance(hours=1)
    assert engine.handle(message("We will go with tacos next time, promise.", clock=clock, author="U_B")) == []
    assert nudges(engine.handle(message("We will go with tacos next time, promise.", clock=clock, workspace="T_TWO")))
    assert nudges(engine.handle(message("We decided to move the launch.", clock=clock, author="U_C")))
    assert [r["text"] for r in store.decisions("slack", "T_ONE")] == ["We decided to move the launch."]
