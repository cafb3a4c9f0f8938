"""A Teams message whose handling fails is kept and tried again, not lost behind a "please try again":
Teams gets its answer, nobody is asked to write it again, and the next try logs it and asks its question
in the message's reply chain. The engine's clock is moved by hand."""

from __future__ import annotations

import teams_harness
from teams_harness import CHANNEL

from bot.server import TEAMS

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."
REFUSE = "CREATE TRIGGER refuse BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'full'); END"


async def test_a_message_that_failed_is_kept_and_handled_by_the_next_try(teams, connector, store, clock, caplog):
    store.db.execute(REFUSE)
    message = await teams.say(UNCLEAR)  # Teams still gets its 201
    assert connector.sent == []  # no "sorry, write it again"
    [kept] = store.inbox_items()
    assert (kept.platform, kept.state, kept.attempts, kept.error) == ("teams", "pending", 1, "IntegrityError")
    store.db.execute("DROP TRIGGER refuse")
    inbox = teams.app[TEAMS].inbox
    assert await inbox.resume() == 0  # a minute after the failed try, not before
    clock.advance(minutes=2)
    assert await inbox.resume() == 1
    [row] = store.decisions("teams")
    assert (row["text"], row["ts"]) == (UNCLEAR, message["id"])
    [question] = connector.sent
    assert question.conversation == f"{CHANNEL};messageid={message['id']}"
    assert "Quick question about this decision" in question.card_text
    assert store.inbox_items() == []


async def test_a_message_that_keeps_failing_is_parked(teams, connector, store, clock):
    store.db.execute(REFUSE)
    await teams.say(UNCLEAR)
    inbox = teams.app[TEAMS].inbox
    for _ in range(6):
        clock.advance(hours=1)
        await inbox.resume()
    [parked] = store.inbox_items()
    assert (parked.state, parked.attempts) == ("parked", 5)
    assert store.decisions("teams") == [] and connector.sent == []
