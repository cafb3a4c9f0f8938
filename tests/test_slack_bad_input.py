"""Bad input over HTTP costs nothing: a clear status and one log line, the server up, the next event
handled, and nothing lost or done twice."""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from slack_harness import SECRET, TOKEN, SlackSender, message_event
from waiting import until as wait_until

from bot.server import SLACK

UNCLEAR = "We decided to move the launch to next Friday."


def problems(caplog) -> list[logging.LogRecord]:
    """What the server logged, less aiohttp's access lines."""
    return [r for r in caplog.records if r.name != "aiohttp.access"]


async def next_event_is_handled(slack, fake_slack, store, asked: int = 0) -> None:
    """A good decision after the bad input is asked about and logged: the server is up and unharmed."""
    event = message_event(UNCLEAR, channel="C_LATER", user="U_LATER")
    assert (await slack.event(event)).status == 200
    posts = await fake_slack.wait_for("chat.postMessage", count=asked + 1)
    assert posts[-1].params["thread_ts"] == event["ts"]
    assert event["ts"] in [r["ts"] for r in store.decisions()]


DEEP_JSON = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 150 + "1" + "}" * 150  # parses (under the decoder's limit), but deeper than 100
BAD_BODIES = {
    "not JSON": ("this is not json {", "application/json"),
    "not JSON, plain text": ("{oops", "text/plain"),
    "nested 10,000 deep": (DEEP_JSON, "application/json"),
    "nested 150 deep": (DEEP_OBJECT, "application/json"),
    "a JSON list": ("[1, 2]", "application/json"),
    "not UTF-8": (b'{"type": "event_callback", "x": "\xff\xfe"}', "application/json"),
    "a broken form": ("command=%2Fdecision&&&=&text", "application/x-www-form-urlencoded"),
    "a form whose payload is not JSON": ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
    "a form whose payload is nested 10,000 deep": (urlencode({"payload": DEEP_JSON}),
                                                   "application/x-www-form-urlencoded"),
    "empty": ("", "application/json"),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_unreadable_body_signed_gets_400_with_one_log_line(slack, fake_slack, store, caplog, name):
    """A body Slack signed but nobody can read gets 400 and one warning without a traceback; the next
    event is handled as usual."""
    caplog.set_level(logging.INFO)
    body, content_type = BAD_BODIES[name]
    answer = await slack.post(body, content_type)
    assert answer.status == 400
    [line] = problems(caplog)
    assert (line.levelno, line.exc_info) == (logging.WARNING, None)
    assert "refused a request" in line.getMessage() and "400" in line.getMessage()
    assert "xff" not in line.getMessage() and "oops" not in line.getMessage()  # never the body
    await next_event_is_handled(slack, fake_slack, store)


@pytest.mark.parametrize("name", ["not JSON", "nested 10,000 deep", "not UTF-8", "empty"])
async def test_unreadable_body_unsigned_gets_401_with_one_log_line(slack, fake_slack, store, caplog, name):
    """The same bodies without a valid signature get 401 (they are not from Slack), one warning, no traceback."""
    caplog.set_level(logging.INFO)
    body, content_type = BAD_BODIES[name]
    answer = await slack.post(body, content_type, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert answer.status == 401
    [line] = problems(caplog)
    assert (line.levelno, line.exc_info) == (logging.WARNING, None)
    assert "refused a request" in line.getMessage() and "401" in line.getMessage()
    assert fake_slack.methods() == ["auth.test"]


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9"])
async def test_a_timestamp_header_that_is_not_a_number_is_unsigned(slack, caplog, timestamp):
    """A request whose X-Slack-Request-Timestamp is missing or not digits gets 401, not a server error."""
    body = json.dumps({"type": "event_callback", "event": message_event(UNCLEAR)})
    answer = await slack.post(body, "application/json", headers={"X-Slack-Request-Timestamp": timestamp})
    assert answer.status == 401
    assert not [r for r in caplog.records if r.exc_info]


async def test_lone_surrogate_in_text_is_replaced_and_the_decision_logged(slack, fake_slack, store, caplog):
    """A lone surrogate in a message's text (JSON's "\\ud800") cannot be stored as it is: it is replaced,
    and the decision is logged and asked about like any other."""
    event = message_event("We decided to move the launch\ud800 to next Friday.")
    assert "\\ud800" in json.dumps(event)  # sent as Slack would escape it
    await slack.event(event)
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    [row] = store.decisions()
    assert row["text"] == UNCLEAR  # the replacement character is dropped from stored text with other controls
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_lone_surrogate_in_user_id_is_replaced_and_the_decision_logged(slack, fake_slack, store):
    """A lone surrogate in the author's id becomes U+FFFD; the decision is logged under that id."""
    event = message_event(UNCLEAR, user="U_\ud800ANN")
    await slack.event(event)
    await fake_slack.wait_for("chat.postMessage")
    [row] = store.decisions()
    assert row["author"] == "U_\ufffdANN"


@pytest.mark.parametrize("event", [
    {"type": "reaction_added", "user": "U_\ud800BOSS", "reaction": "white_check_mark", "item_user": "U_ANN",
     "item": {"type": "message", "channel": "C_GENERAL", "ts": "1763460000.000001"}, "event_ts": "1763460001.000001"},
    {"type": "message", "subtype": "message_deleted", "channel": "C_\udc00", "channel_type": "channel",
     "hidden": True, "deleted_ts": "1763460000.\ud800", "ts": "1763460099.000002", "event_ts": "1763460099.000002"},
], ids=["reaction by a user id with a surrogate", "deletion of a ts with a surrogate"])
async def test_lone_surrogates_in_other_events_cost_nothing(slack, fake_slack, store, caplog, event):
    """Reactions and deletions are read as they were kept, every string made valid: handled (here: nothing
    to do), never failing over and over until parked."""
    assert (await slack.event(event)).status == 200
    await wait_until(lambda: store.inbox_items() == [])
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_lone_surrogate_in_a_command_is_replaced():
    """A slash command's text and ids are made valid before anything uses them (over HTTP a form cannot
    carry a lone surrogate, but Socket Mode sends commands as JSON, which can)."""
    from bot.slack.payloads import to_command

    body = {"command": "/decision", "text": "Going with\ud800 Postgres", "user_id": "U_\udc00", "channel_id": "C_1"}
    command = to_command(body, "T_\ud800", datetime.now(UTC))
    assert (command.text, command.user, command.workspace) == ("Going with\ufffd Postgres", "U_\ufffd", "T_\ufffd")


MALFORMED = {
    "ts not a number": {"ts": "abc"},
    "ts without its fraction": {"ts": "1763460000"},
    "ts with letters": {"ts": "1763460000.12x"},
    "ts past the year 9999": {"ts": "99999999999999.000001"},
    "ts in other digits": {"ts": "١٧٦٣٤٦٠٠٠٠.000001"},
    "thread_ts not a number": {"thread_ts": "abc"},
    "thread_ts with two dots": {"thread_ts": "1763460000.000001.2"},
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
async def test_malformed_timestamp_is_refused_with_a_reason_and_nothing_kept(slack, fake_slack, store, caplog, name):
    """A message event whose ts or thread_ts is not Slack's "digits.digits" gets its 200 (a retry would
    not make it better), one warning saying which field, no traceback; nothing is logged and its event
    id is not kept, and the next event is handled."""
    fields = MALFORMED[name]
    event = message_event(UNCLEAR, **({"ts": fields["ts"]} if "ts" in fields else {}),
                          thread_ts=fields.get("thread_ts"))
    assert (await slack.event(event, event_id="EvMALFORMED")).status == 200
    await next_event_is_handled(slack, fake_slack, store)
    assert [r["channel"] for r in store.decisions(include_inactive=True)] == ["C_LATER"]
    assert store.db.execute("SELECT 1 FROM processed_events WHERE event_id = 'EvMALFORMED'").fetchall() == []
    [line] = [r for r in caplog.records if "refused message event" in r.getMessage()]
    field = "thread_ts" if "thread_ts" in fields else "ts"
    assert f"EvMALFORMED: its {field} is malformed" in line.getMessage()
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_signed_command_replayed_is_handled_once(slack, fake_slack, store):
    """The same signed /decision sent three times within the window logs one row; each copy gets a 200,
    the copies an empty one. Using the command again (a new request, signed afresh) is not a replay."""
    first = await slack.command("/decision", "Going with Postgres.")
    assert (first.status, first.json["text"]) == (200, "Logged decision #1.")
    copies = [await slack.again() for _ in range(2)]
    assert [(a.status, a.text) for a in copies] == [(200, ""), (200, "")]
    assert [r["text"] for r in store.decisions()] == ["Going with Postgres."]
    assert (await slack.command("/decision", "Going with Postgres.")).json["text"] == "Logged decision #2."


async def test_a_button_press_replayed_gets_one_answer(slack, fake_slack, store):
    """A signed "Not customer-facing" press sent again changes nothing more and gets an empty 200."""
    event = message_event(UNCLEAR)
    await slack.event(event)
    [post] = await fake_slack.wait_for("chat.postMessage")
    decision = post.params["blocks"][-1]["elements"][0]["value"]
    pressed = await slack.press("not_customer_facing", decision, message_ts=post.answer["ts"], user="U_LEAD")
    assert pressed.status == 200
    await fake_slack.wait_for("chat.update")
    again = await slack.again()
    assert (again.status, again.text) == (200, "")
    await next_event_is_handled(slack, fake_slack, store, asked=1)
    assert len(fake_slack.calls_to("chat.update")) == 1


@contextlib.asynccontextmanager
async def another_server(engine, fake_slack):
    """A second `serve` on the same log (a replica, or the same server after a restart)."""
    from aiohttp import web

    from bot.config import load_settings
    from bot.server import create_app

    settings = load_settings(env_file=None, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                             slack_api_url=fake_slack.base_url)
    runner = web.AppRunner(create_app(settings, engine))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield SlackSender(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events", fake_slack)
    finally:
        await runner.cleanup()


async def test_a_replay_is_remembered_by_the_log_not_only_the_process(slack, fake_slack, engine, store):
    """A command replayed to another server on the same log (or after a restart) is not handled again."""
    assert (await slack.command("/decision", "Going with Postgres.")).status == 200
    async with another_server(engine, fake_slack) as other:
        other.last = slack.last
        replayed = await other.again()
    assert (replayed.status, replayed.text) == (200, "")
    assert len(store.decisions()) == 1


async def test_an_event_whose_handling_fails_stays_in_the_inbox_and_slacks_retry_is_handled(slack, fake_slack,
                                                                                          store):
    """When logging a decision fails (here the log refuses the row), the event stays in the inbox with its
    error and is not marked done; Slack's retry of it, once the log takes rows again, is logged and asked
    about once."""
    store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'full'); END")
    event = message_event(UNCLEAR)
    assert (await slack.event(event, event_id="EvFAILS")).status == 200
    [kept] = await wait_until(lambda: [i for i in store.inbox_items() if i.attempts == 1])
    assert (kept.event_id, kept.state, kept.error) == ("EvFAILS", "pending", "IntegrityError")
    assert store.db.execute("SELECT 1 FROM processed_events WHERE event_id = 'EvFAILS'").fetchall() == []
    store.db.execute("DROP TRIGGER refuse")
    assert (await slack.event(event, event_id="EvFAILS", retry=1)).status == 200
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    await wait_until(lambda: store.inbox_items() == [])
    assert [r["ts"] for r in store.decisions()] == [event["ts"]]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_an_event_whose_handling_failed_is_tried_again_a_minute_later(slack, fake_slack, store, clock):
    """With no retry from Slack (it had its 200), the kept event is tried again by the bot itself, after
    a wait that grows with each failed try."""
    store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'full'); END")
    event = message_event(UNCLEAR)
    assert (await slack.event(event, event_id="EvFAILS")).status == 200
    await wait_until(lambda: [i for i in store.inbox_items() if i.attempts == 1])
    store.db.execute("DROP TRIGGER refuse")
    bot = slack.server[SLACK]
    assert await bot.inbox.resume() == 0  # not due yet: a minute after the first try
    clock.advance(minutes=2)
    assert await bot.inbox.resume() == 1
    [post] = await fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    assert [r["ts"] for r in store.decisions()] == [event["ts"]] and store.inbox_items() == []


async def test_an_event_that_keeps_failing_is_parked_with_its_error(slack, fake_slack, store, clock):
    """Five failed tries park the event: kept with its error for `nudgebot inbox`, never tried again alone."""
    store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'full'); END")
    assert (await slack.event(message_event(UNCLEAR), event_id="EvBROKEN")).status == 200
    await wait_until(lambda: [i for i in store.inbox_items() if i.attempts == 1])
    bot = slack.server[SLACK]
    for _ in range(6):
        clock.advance(hours=1)
        await bot.inbox.resume()
    [parked] = store.inbox_items()
    assert (parked.event_id, parked.state, parked.attempts, parked.error) == ("EvBROKEN", "parked", 5,
                                                                               "IntegrityError")
    assert store.decisions() == [] and fake_slack.calls_to("chat.postMessage") == []
