"""The Teams sender (bot/outbox.py): questions, approval reminders and two-way-door notes.

A message caused by a turn is first tried as the turn's reply; when that fails it is sent later into the
stored conversation (its reply chain), or to each person's own chat for what a channel keeps private.
The Bot Connector has no idempotency key and no way to read a reply chain back, so a try whose answer
was lost (a timeout, a 5xx) is not repeated: the message is given up with one log line. A 429 waits for
its Retry-After, a connector that cannot be reached is tried again with growing waits.
"""

from __future__ import annotations

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference
from msrest.exceptions import ClientException

from bot.actions import Action, React, UpdateNudge
from bot.outbox import NotYet, OutboxSender, Refused, Unsure, retry_after
from bot.queue_store import OutboxItem
from bot.teams import cards
from bot.teams.proactive import Proactive, failure, private_to


class TeamsOutbox(OutboxSender):
    platform = "teams"
    name = "Teams"

    def __init__(self, proactive: Proactive):
        super().__init__(proactive.conversations.store, proactive.run, proactive.clock)
        self.proactive = proactive

    def classify(self, exc: BaseException) -> Exception:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        if isinstance(status, int):
            if status == 429:
                return NotYet(failure(exc), retry_after(getattr(response, "headers", None)))
            if status >= 500:
                return Unsure(failure(exc))
            return Refused(failure(exc))
        if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
            return NotYet(failure(exc))
        if isinstance(exc, ClientException) and not isinstance(exc.__cause__, OSError | TimeoutError):
            return Refused(failure(exc))
        return Unsure(failure(exc))

    async def _send(self, item: OutboxItem, action: Action, context: tuple[TurnContext, bool] | None) -> str | None:
        if isinstance(action, React | UpdateNudge):  # no reactions from bots; an update is the invoke's answer
            return None
        tenant = item.workspace
        turn, personal = context if context is not None else (None, False)
        activity = await self.proactive._activity(tenant, action)
        if activity is None:
            return None
        people = None if personal else private_to(action)
        if people is not None:
            person = item.payload.get("to") or (people[0] if people else None)
            if person is None or not cards.teams_id(person):
                return None  # nobody Teams knows by that id: nothing to send
            if not await self.proactive.to_person(tenant, person, activity,
                                                  turn.activity.service_url if turn else None):
                raise Unsure("the message to a person's own chat did not go through")
            return None
        if turn is not None:
            return await self._reply(turn, activity)
        return await self._post(tenant, action, activity)

    @staticmethod
    async def _reply(turn: TurnContext, activity: Activity) -> str | None:
        sent = await turn.send_activity(activity)
        return getattr(sent, "id", None)

    async def _post(self, tenant: str, action: Action, activity: Activity) -> str | None:
        """Into the stored conversation, in the reply chain of the message it is about."""
        conversation = getattr(action, "channel", "")
        thread = getattr(action, "thread", None)
        stored = await self.run(self.proactive.conversations.get, tenant, conversation)
        if stored is None:
            raise Refused(f"no stored conversation {conversation}")
        reference = ConversationReference().deserialize(stored.reference)
        if thread and stored.kind == "channel":
            reference.conversation.id = f"{stored.conversation};messageid={thread}"
        outcome: list = []

        async def send(turn: TurnContext) -> None:
            try:
                outcome.append(await turn.send_activity(activity))
            except Exception as exc:  # noqa: BLE001 - carried out of botbuilder's turn, sorted by the sender
                outcome.append(exc)

        await self.proactive.adapter.continue_conversation(reference, send, self.proactive.app_id)
        if not outcome:
            raise Unsure("the connector's turn ended without sending")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return getattr(outcome[0], "id", None)

