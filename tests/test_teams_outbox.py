"""Teams' questions go by the outbox too: a reply the connector refuses for now (a 429, the connector
unreachable) is sent later into the message's reply chain, once; one refused for good, or whose answer
was lost, is given up rather than risk showing it twice. The engine's clock is moved by hand."""

from __future__ import annotations

import teams_harness
from teams_harness import CHANNEL

from bot.server import TEAMS

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."


def outbox(store) -> list[tuple[str, str]]:
    return [(r["kind"], r["state"]) for r in store.db.query("SELECT kind, state FROM outbox ORDER BY id")]


async def later(teams, clock, seconds: float = 60) -> None:
    clock.advance(seconds=seconds)
    await teams.app[TEAMS].outbox.send_due()


async def test_a_reply_the_connector_rate_limits_is_sent_later_in_its_reply_chain_once(teams, connector, store,
                                                                                       clock):
    connector.refuse = [429]
    message = await teams.say(UNCLEAR)
    assert outbox(store) == [("nudge", "pending")]
    assert [r["decision_id"] for r in store.db.query("SELECT decision_id FROM nudges WHERE posted_at IS NULL")]
    await later(teams, clock)
    assert outbox(store) == [("nudge", "sent")]
    first, retried = connector.sent
    assert first.conversation == retried.conversation == f"{CHANNEL};messageid={message['id']}"
    assert "Quick question about this decision" in retried.card_text
    await later(teams, clock, 3600)
    assert len(connector.sent) == 2
    assert not list(store.db.query("SELECT 1 FROM nudges WHERE posted_at IS NULL"))


async def test_a_reply_whose_answer_was_lost_is_not_sent_again(teams, connector, store, clock, caplog):
    """A 502 from the connector: the reply may be in Teams already, and Teams cannot be asked, so it is
    given up with one line rather than shown twice."""
    connector.refuse = [502]
    await teams.say(UNCLEAR)
    assert outbox(store) == [("nudge", "failed")]
    await later(teams, clock, 3600)
    assert len(connector.sent) == 1
    assert any("may have been shown" in r.getMessage() for r in caplog.records)


async def test_a_reply_refused_for_good_is_given_up(teams, connector, store, clock):
    connector.refuse = [403]
    await teams.say(UNCLEAR)
    assert outbox(store) == [("nudge", "failed")]
    await later(teams, clock, 3600)
    assert len(connector.sent) == 1
