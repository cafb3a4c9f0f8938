"""`nudgebot inbox` (list, retry, drop) and what `nudgebot check` says of the inbox and the outbox, run
as an admin would, on a log that `serve` left events in."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from test_cli import Nudgebot

from bot.store import Store

WHEN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
WORDS = "We decided to cut the enterprise plan"  # the kept event's words: never shown


def event(event_id: str, subtype: str | None = None) -> dict:
    inner = {"type": "message", "text": WORDS, "channel": "C1", "user": "U1", "ts": "1.1",
             **({"subtype": subtype} if subtype else {})}
    return {"type": "event_callback", "event_id": event_id, "team_id": "T_ONE", "event": inner}


@pytest.fixture
def nudgebot(tmp_path) -> Nudgebot:
    return Nudgebot(tmp_path)


@pytest.fixture
def kept(nudgebot) -> dict[str, int]:
    """A log holding one event waiting (its handling not finished) and two parked after five failures."""
    store = Store.open(nudgebot.db)
    ids = {name: store.inbox_put("slack", "T_ONE", name, event(name, sub), WHEN)
           for name, sub in (("EvWAITING", None), ("EvBROKEN", None), ("EvEDIT", "message_changed"))}
    for name in ("EvBROKEN", "EvEDIT"):
        for _ in range(5):
            store.inbox_failed(ids[name], "IntegrityError", WHEN, 5)
    store.outbox_put("slack", "T_ONE", "nudge", {"action": {}}, WHEN, WHEN - WHEN.replace(day=17))
    store.close()
    return ids


def test_inbox_lists_waiting_and_parked_events_without_their_words(nudgebot, kept):
    result = nudgebot("inbox")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == "3 event(s) kept, 2 parked:"
    assert lines[1] == f"#{kept['EvWAITING']}  pending  slack T_ONE  message  EvWAITING  received 2026-11-18 10:00 UTC"
    assert lines[3].startswith(f"#{kept['EvEDIT']}  parked   slack T_ONE  message/message_changed  EvEDIT")
    assert lines[3].endswith(", 5 failed tries, last error IntegrityError")
    assert lines[-1] == "Outbox: 1 message(s) waiting to be sent, 0 sent, 0 given up."
    assert WORDS not in result.out


def test_inbox_as_json_for_one_state(nudgebot, kept):
    result = nudgebot("inbox", "--state", "parked", "--format", "json")
    shown = json.loads(result.out)
    assert [(i["event_id"], i["state"], i["attempts"], i["error"]) for i in shown["inbox"]] == [
        ("EvBROKEN", "parked", 5, "IntegrityError"), ("EvEDIT", "parked", 5, "IntegrityError")]
    assert shown["outbox"] == {"pending": 1}
    assert WORDS not in result.out


def test_retry_puts_one_parked_event_back_with_its_tries_reset(nudgebot, kept):
    result = nudgebot("inbox", "retry", str(kept["EvBROKEN"]))
    assert (result.code, result.out.splitlines()[0]) == (
        0, "1 parked event(s) will be tried again: by a running `serve` within a minute, else when it next starts.")
    assert nudgebot.rows("SELECT event_id, state, attempts FROM inbox ORDER BY id") == [
        ("EvWAITING", "pending", 0), ("EvBROKEN", "pending", 0), ("EvEDIT", "parked", 5)]


def test_drop_all_deletes_the_parked_events_and_keeps_the_waiting_one(nudgebot, kept):
    result = nudgebot("inbox", "drop", "--all")
    assert (result.code, result.out) == (0, "2 parked event(s) deleted.\n")
    assert nudgebot.rows("SELECT event_id FROM inbox") == [("EvWAITING",)]


def test_retry_of_an_event_that_is_not_parked_names_the_parked_ones(nudgebot, kept):
    result = nudgebot("inbox", "retry", str(kept["EvWAITING"]))
    assert result.code == 4
    assert result.err.strip() == (f"Error: no parked event #{kept['EvWAITING']}; "
                                  f"parked: #{kept['EvBROKEN']}, #{kept['EvEDIT']}")
    assert nudgebot.rows("SELECT count(*) FROM inbox WHERE state = 'parked'") == [(2,)]


@pytest.mark.parametrize("args", [("drop",), ("drop", "2", "--all")])
def test_drop_needs_one_id_or_all(nudgebot, kept, args):
    result = nudgebot("inbox", *args)
    assert result.code == 2 and "name one parked event's ID, or --all" in result.err
    assert nudgebot.rows("SELECT count(*) FROM inbox") == [(3,)]


def test_an_empty_inbox_and_no_log_at_all(nudgebot):
    assert nudgebot("inbox").out == f"No decision log yet at {nudgebot.db}: the inbox is empty.\n"
    assert not nudgebot.db.exists()
    Store.open(nudgebot.db).close()
    assert nudgebot("inbox").out.splitlines() == [
        "The inbox is empty: every event received has been handled.",
        "Outbox: 0 message(s) waiting to be sent, 0 sent, 0 given up."]


def test_check_names_what_waits_and_what_is_parked(nudgebot, kept):
    result = nudgebot("check")
    assert result.code == 0
    assert ("Inbox: 1 event(s) waiting to be handled, 2 parked after repeated failures (`nudgebot inbox` lists "
            "them).") in result.out.splitlines()
    assert "Outbox: 1 message(s) waiting to be sent, 0 given up." in result.out.splitlines()
