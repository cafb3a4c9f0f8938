"""Each workspace's answers become labelled examples of that workspace, kept in its log and never mixed."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from builders import command, message
from sqlite_utils import Database

from bot.models import iso
from bot.store import Store, migrations

LAUNCH = "We decided to move the launch to next Friday."
PIZZA = "We will go with pizza for the offsite lunch."
CUSTOMER = ("We decided to move the launch to next Friday: customers asked for the extra week so they can migrate "
            "their data first.")
BUDGET = "<@U_BOSS> can you approve the budget for the offsite by Thursday?"


def logged(engine, text: str, **kwargs) -> tuple:
    """Write `text` as a new message; its message and log row."""
    msg = message(text, **kwargs)
    engine.handle(msg)
    row = engine.store.find(msg.platform, msg.workspace, msg.channel, msg.ts)
    assert row is not None, text
    return msg, row


def kept(store, workspace: str = "T_ONE", platform: str = "slack") -> list[tuple]:
    return [(e["decision_id"], e["text"], e["kind"], e["customer_rationale"], e["answer"], e["answered_by"])
            for e in store.examples(platform, workspace)]


# -- each answer --------------------------------------------------------------------------------


def test_not_a_decision_is_an_example_of_other(engine, store):
    """"Not a decision" keeps the message's text as kind other, saying nothing of a rationale."""
    _, row = logged(engine, LAUNCH)
    engine.answer("slack", "T_ONE", row["id"], "not_a_decision", "U_BOB")
    assert kept(store) == [(row["id"], LAUNCH, "other", None, "not_a_decision", "U_BOB")]


def test_not_customer_facing_confirms_the_kind_only(engine, store):
    """"Not customer-facing" keeps the row's kind and leaves the rationale unknown."""
    _, row = logged(engine, BUDGET)
    engine.answer("slack", "T_ONE", row["id"], "not_customer_facing", "U_BOB")
    assert kept(store) == [(row["id"], BUDGET, "approval_request", None, "not_customer_facing", "U_BOB")]


def test_an_added_rationale_keeps_the_message_text_not_the_rationale(engine, store):
    """A rationale added says the message lacked one; the example is the message's words, not the answer's."""
    _, row = logged(engine, LAUNCH)
    engine.answer("slack", "T_ONE", row["id"], "add_rationale", "U_ANN", rationale="Shoppers get the fix sooner.")
    assert kept(store) == [(row["id"], LAUNCH, "decision", 0, "add_rationale", "U_ANN")]


def test_a_mute_teaches_nothing(engine, store):
    _, row = logged(engine, LAUNCH)
    engine.answer("slack", "T_ONE", row["id"], "mute", "U_ANN")
    assert kept(store) == []


def test_decision_command_is_an_example_of_a_decision_with_its_judged_rationale(engine, store, clock):
    """`/decision TEXT` keeps TEXT as a decision, with the customer rationale read in it."""
    engine.command(command("decision", PIZZA, clock=clock, user="U_CAT"))
    engine.command(command("decision", CUSTOMER, clock=clock, user="U_CAT"))
    [pizza, customer] = store.decisions("slack", "T_ONE")
    assert kept(store) == [
        (pizza["id"], PIZZA, "decision", 0, "decision_command", "U_CAT"),
        (customer["id"], CUSTOMER, "decision", 1, "decision_command", "U_CAT"),
    ]


def test_log_as_decision_on_a_message_not_logged_is_an_example(engine, store, clock):
    """"Log as decision" on a message the bot let pass keeps it as a decision, answered by the presser."""
    msg = message("Pizza it is for the offsite lunch.", clock=clock)
    engine.handle(msg)
    assert store.find("slack", "T_ONE", msg.channel, msg.ts) is None
    engine.log_as_decision(msg, by="U_LEAD")
    row = store.find("slack", "T_ONE", msg.channel, msg.ts)
    assert kept(store) == [(row["id"], msg.text, "decision", 0, "log_as_decision", "U_LEAD")]


def test_log_as_decision_on_a_logged_row_is_an_example(engine, store):
    """"Log as decision" on a row already logged (an approval request) keeps its text as a decision."""
    msg, row = logged(engine, BUDGET)
    engine.log_as_decision(msg)
    assert kept(store) == [(row["id"], BUDGET, "decision", 0, "log_as_decision", "U_ANN")]


def test_approve_and_decline_presses_are_examples_of_approval_requests(engine, store, clock):
    """Approve or Decline under a reminder keeps the request's text as an approval request."""
    _, row = logged(engine, BUDGET, clock=clock)
    other = logged(engine, "<@U_BOSS> can you approve the new laptop order by Friday?", author="U_DAN")[1]
    clock.advance(minutes=5)
    engine.answer_request("slack", "T_ONE", row["id"], "U_BOSS", "approve")
    engine.answer_request("slack", "T_ONE", other["id"], "U_BOSS", "decline")
    assert kept(store) == [
        (row["id"], BUDGET, "approval_request", 0, "approve", "U_BOSS"),
        (other["id"], other["text"], "approval_request", 0, "decline", "U_BOSS"),
    ]


def test_the_requesters_own_press_is_refused_and_teaches_nothing(engine, store):
    from bot.errors import InputError

    _, row = logged(engine, BUDGET)
    with pytest.raises(InputError):
        engine.answer_request("slack", "T_ONE", row["id"], "U_ANN", "approve")
    assert kept(store) == []


# -- once, and only its own workspace -----------------------------------------------------------


def test_a_second_press_of_the_same_answer_adds_nothing(engine, store, clock):
    _, row = logged(engine, LAUNCH)
    engine.answer("slack", "T_ONE", row["id"], "not_customer_facing", "U_BOB")
    clock.advance(minutes=1)
    engine.answer("slack", "T_ONE", row["id"], "not_customer_facing", "U_CAT")
    assert kept(store) == [(row["id"], LAUNCH, "decision", None, "not_customer_facing", "U_BOB")]


def test_workspaces_never_mix(engine, store):
    """An example of T_ONE is never seen from T_TWO (nor from another platform's T_ONE), and back."""
    _, one = logged(engine, LAUNCH, workspace="T_ONE")
    _, two = logged(engine, PIZZA, workspace="T_TWO", author="U_ZED")
    engine.answer("slack", "T_ONE", one["id"], "not_a_decision", "U_BOB")
    engine.answer("slack", "T_TWO", two["id"], "not_customer_facing", "U_ZED")
    assert (kept(store, "T_ONE"), kept(store, "T_TWO"), kept(store, "T_ONE", platform="teams")) == (
        [(one["id"], LAUNCH, "other", None, "not_a_decision", "U_BOB")],
        [(two["id"], PIZZA, "decision", None, "not_customer_facing", "U_ZED")],
        [],
    )
    assert (store.example_counts("slack", "T_ONE"), store.example_counts("slack", "T_TWO")) == (
        {"not_a_decision": 1}, {"not_customer_facing": 1})


def test_an_answer_in_the_wrong_workspace_teaches_nothing(engine, store):
    """A decision id of T_ONE answered from T_TWO is unknown there, and nothing is kept anywhere."""
    from bot.errors import InputError

    _, row = logged(engine, LAUNCH)
    with pytest.raises(InputError):
        engine.answer("slack", "T_TWO", row["id"], "not_a_decision", "U_ZED")
    assert kept(store, "T_ONE") == kept(store, "T_TWO") == []


def test_record_example_refuses_unknown_kinds_and_answers_and_skips_empty_text(store, clock):
    with pytest.raises(ValueError):
        store.record_example("slack", "T_ONE", None, "x", "maybe", None, "approve", "U", clock.now)
    with pytest.raises(ValueError):
        store.record_example("slack", "T_ONE", None, "x", "other", None, "shrug", "U", clock.now)
    assert store.record_example("slack", "T_ONE", None, "  ", "other", None, "not_a_decision", "U", clock.now) is False
    assert kept(store) == []


# -- the words go, and the example with them ----------------------------------------------------


def test_purge_removes_the_examples_of_purged_text(engine, store, clock):
    """Past retention the message's words are forgotten, and its example is deleted with them."""
    old = message(LAUNCH, when=clock.now - timedelta(days=400))
    engine.handle(old)
    old_row = store.find("slack", "T_ONE", old.channel, old.ts)
    _, new_row = logged(engine, PIZZA, author="U_BOB", clock=clock)
    engine.answer("slack", "T_ONE", old_row["id"], "not_customer_facing", "U_BOB")
    engine.answer("slack", "T_ONE", new_row["id"], "not_customer_facing", "U_BOB")

    assert engine.purge_old_text() == 1
    assert kept(store) == [(new_row["id"], PIZZA, "decision", None, "not_customer_facing", "U_BOB")]


def test_a_row_whose_text_was_purged_teaches_nothing(engine, store, clock):
    old = message(LAUNCH, when=clock.now - timedelta(days=400))
    engine.handle(old)
    row = store.find("slack", "T_ONE", old.channel, old.ts)
    engine.purge_old_text()
    engine.answer("slack", "T_ONE", row["id"], "not_a_decision", "U_BOB")
    assert kept(store) == []


def test_a_deleted_message_deletes_its_examples(engine, store):
    msg, row = logged(engine, LAUNCH)
    _, other = logged(engine, PIZZA, author="U_BOB")
    engine.answer("slack", "T_ONE", row["id"], "not_customer_facing", "U_BOB")
    engine.answer("slack", "T_ONE", other["id"], "not_customer_facing", "U_ANN")

    engine.delete("slack", "T_ONE", msg.channel, msg.ts)

    assert kept(store) == [(other["id"], PIZZA, "decision", None, "not_customer_facing", "U_ANN")]
    engine.answer("slack", "T_ONE", row["id"], "not_a_decision", "U_BOB")  # no words left to learn from
    assert len(kept(store)) == 1


# -- status ------------------------------------------------------------------------------------


def test_status_says_how_many_answers_the_workspace_taught(engine, store, clock):
    """`/nudgebot status` counts this workspace's examples by answer; with none it says nothing of them."""
    [status] = engine.command(command("nudgebot", "status", clock=clock))
    assert "Answers kept" not in status.markdown
    rows = [logged(engine, text, author=f"U_{i}")[1] for i, text in enumerate((LAUNCH, PIZZA, BUDGET))]
    engine.answer("slack", "T_ONE", rows[0]["id"], "not_a_decision", "U_BOB")
    engine.answer("slack", "T_ONE", rows[1]["id"], "not_a_decision", "U_BOB")
    engine.answer("slack", "T_ONE", rows[2]["id"], "not_customer_facing", "U_BOB")
    logged(engine, LAUNCH, workspace="T_TWO")
    engine.command(command("decision", PIZZA, clock=clock, workspace="T_TWO"))

    [status] = engine.command(command("nudgebot", "status", clock=clock))
    [other] = engine.command(command("nudgebot", "status", clock=clock, workspace="T_TWO"))

    assert "Answers kept to learn from in this workspace: 3 (2 not a decision, 1 not customer-facing)." \
        in status.markdown.splitlines()
    assert "Answers kept to learn from in this workspace: 1 (1 /decision)." in other.markdown.splitlines()


# -- the file ----------------------------------------------------------------------------------


def test_a_log_made_before_examples_keeps_everything_and_can_learn(tmp_path, clock):
    """A log from before m011 keeps its rows when opened, gets the examples table, and its old rows teach."""
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m011_examples")
    old.execute(
        "INSERT INTO decisions (platform, workspace, channel, ts, text, kind, customer_rationale, created_at) "
        f"VALUES ('slack', 'T_ONE', 'C_GENERAL', '1700000000.000100', '{LAUNCH}', 'decision', 0, '{iso(clock.now)}')"
    )
    old.close()

    store = Store.open(path)
    try:
        [row] = store.decisions("slack", "T_ONE")
        assert (row["ts"], row["text"], row["kind"], row["customer_rationale"], row["status"]) == (
            "1700000000.000100", LAUNCH, "decision", 0, "active")
        assert store.examples("slack", "T_ONE") == []
        assert store.record_example("slack", "T_ONE", row["id"], row["text"], "other", None, "not_a_decision",
                                    "U_BOB", clock.now)
        assert store.example_counts("slack", "T_ONE") == {"not_a_decision": 1}
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        indexes = {r[1]: r[2] for r in conn.execute("PRAGMA index_list(examples)")}
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()
    assert "m011_examples" in names and names[-1] == "m013_inbox_outbox"
    assert sorted(indexes.values()) == [0, 1]  # by time, and one per message and answer
