"""Bad input to /api/messages costs nothing: a 400 and one log line, never a 500 and a traceback; text
and ids are made valid before they are stored; the next message is handled."""

from __future__ import annotations

import logging

import aiohttp
import pytest
import teams_harness
from teams_harness import TENANT

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."


async def post_raw(teams, body: bytes | str, content_type: str = "application/json") -> int:
    async with aiohttp.ClientSession() as session:
        async with session.post(teams.url, data=body, headers={"Content-Type": content_type}) as response:
            return response.status


def problems(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name != "aiohttp.access"]


BAD_BODIES = {
    "not JSON": "this is not json {",
    "nested 10,000 deep": "[" * 10_000 + "]" * 10_000,
    "nested 150 deep": '{"a":' * 150 + "1" + "}" * 150,
    "not UTF-8": b'{"type": "message", "text": "\xff\xfe"}',
    "a JSON list": "[1, 2]",
    "no type": '{"text": "hello"}',
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_unreadable_body_gets_400_with_one_log_line(teams, connector, store, caplog, name):
    """A body that is not an activity gets 400 and one warning without a traceback; the next message
    is handled as usual."""
    caplog.set_level(logging.INFO)
    assert await post_raw(teams, BAD_BODIES[name]) == 400
    [line] = problems(caplog)
    assert (line.levelno, line.exc_info) == (logging.WARNING, None)
    assert "refused a request" in line.getMessage()
    await teams.say(UNCLEAR)
    assert [r["text"] for r in store.decisions("teams", TENANT)] == [UNCLEAR]


@pytest.mark.parametrize("field", ["timestamp", "localTimestamp"])
async def test_malformed_timestamp_is_refused_and_nothing_logged(teams, connector, store, caplog, field):
    """An activity whose timestamp is not a date gets 400 with a logged reason (never quoting the body);
    nothing is logged, and the next message is handled."""
    activity = teams(UNCLEAR)
    activity[field] = "yesterday-ish"
    assert (await teams.post(activity)).status == 400
    [line] = [r for r in problems(caplog) if r.levelno >= logging.WARNING]
    assert "malformed" in line.getMessage() and "yesterday" not in line.getMessage() and line.exc_info is None
    assert store.decisions("teams", TENANT) == []
    await teams.say(UNCLEAR)
    assert len(store.decisions("teams", TENANT)) == 1


async def test_lone_surrogate_in_text_and_user_id_is_replaced_and_the_decision_logged(teams, connector, store):
    """A lone surrogate in the text or the sender's id and name becomes U+FFFD; the decision is logged
    and asked about as usual."""
    user = {**teams_harness.ANN, "id": "29:ann\ud800", "name": "Ann\udc00 Lee"}
    await teams.say("We decided to move the launch\ud800 to next Friday.", user=user)
    [row] = store.decisions("teams", TENANT)
    assert (row["text"], row["author"], row["author_name"]) == (UNCLEAR, "29:ann\ufffd", "Ann\ufffd Lee")
    [reply] = connector.sent
    assert "Who is the customer" in reply.card_text
