"""Sending to Teams: the engine's actions in reply to a turn, and messages nobody asked for.

Every conversation the bot sees is remembered (bot/teams/conversations.py), so that later a digest, an
approval reminder or a private question can reach it: `send()` writes to a stored conversation (in a
reply chain when given its first message), `to_person()` to someone's own chat with the bot, and
`deliver()` takes the engine's approval notices as they come from `Engine.due_reminders`. A send that
fails is logged (what failed, never a token) and reported as False; it never takes the bot down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import aiohttp
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters, ConversationReference
from msrest.exceptions import ClientException

from bot.actions import Action, Nudge, Reminder, TwoWayDoor
from bot.runner import EngineThread
from bot.teams import cards
from bot.teams.conversations import Conversation, Conversations

log = logging.getLogger("nudgebot.teams")
PLATFORM = "teams"
SEND_ERRORS = (ClientException, aiohttp.ClientError, OSError, TimeoutError)


def failure(exc: BaseException) -> str:
    """What went wrong, safe for a log: the connector's HTTP status, or the kind of error."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def private_to(action: Action) -> tuple[str, ...] | None:
    """Who alone should see an action the channel asked to keep private; None when it goes in the open."""
    if isinstance(action, Nudge) and action.ephemeral:
        return (action.author,)
    if isinstance(action, TwoWayDoor) and action.ephemeral:
        return (action.requester,)
    if isinstance(action, Reminder) and action.ephemeral:
        return tuple(u for u in action.user_ids if cards.teams_id(u))
    return None


class Proactive:
    def __init__(self, adapter: BotAdapter, app_id: str, conversations: Conversations, run: EngineThread,
                 clock: Callable[[], datetime]):
        self.adapter = adapter
        self.app_id = app_id
        self.conversations = conversations
        self.run = run
        self.clock = clock
        self._known: set[tuple] = set()  # conversations already stored as they are, this process

    async def remember(self, seen: Conversation) -> None:
        key = (seen.tenant, seen.conversation, seen.service_url, seen.kind, seen.person)
        if key not in self._known:
            await self.run(self.conversations.save, seen, self.clock())
            self._known.add(key)

    async def names(self, tenant: str, actions: list[Action], known: dict[str, str] | None = None) -> dict[str, str]:
        known = dict(known or {})
        missing = cards.mentioned_ids(actions) - set(known)
        if missing:
            known.update(await self.run(self.conversations.names, tenant, missing))
        return known

    # -- in a turn --------------------------------------------------------------------------

    async def perform(self, turn_context: TurnContext, tenant: str, actions: list[Action], personal: bool) -> None:
        """Reply to the turn's message with what the engine decided, in its conversation (its reply chain);
        what a channel wants kept private goes to each person's own chat instead (unless this is one)."""
        sender = turn_context.activity.from_property
        names = await self.names(tenant, actions, {sender.id: sender.name} if sender and sender.name else None)
        for action in actions:
            activity = cards.render(action, names)
            if activity is None:
                continue
            people = None if personal else private_to(action)
            if people is None:
                await self._quietly("reply", turn_context.send_activity(activity))
            for person in people or ():
                await self.to_person(tenant, person, activity, turn_context.activity.service_url)

    async def replace(self, turn_context: TurnContext, activity: Activity) -> None:
        """Replace the message whose card was used (the nudge) with `activity`, for everyone."""
        if turn_context.activity.reply_to_id:
            activity.id = turn_context.activity.reply_to_id
            await self._quietly("update", turn_context.update_activity(activity))

    # -- unprompted -------------------------------------------------------------------------

    async def send(self, tenant: str, conversation: str, message: Action | Activity, thread: str | None = None) -> bool:
        """Post `message` (an engine action, or a ready activity) in a conversation the bot has seen: a new
        post in a channel, or a reply in the chain `thread` starts. False if the conversation is unknown
        or the connector refused."""
        stored = await self.run(self.conversations.get, tenant, conversation)
        if stored is None:
            log.warning("Teams: no stored conversation %s in tenant %s; nothing sent", conversation, tenant)
            return False
        activity = await self._activity(tenant, message)
        if activity is None:
            return False
        reference = ConversationReference().deserialize(stored.reference)
        if thread and stored.kind == "channel":
            reference.conversation.id = f"{stored.conversation};messageid={thread}"
        return await self._continue(reference, activity)

    async def to_person(self, tenant: str, person: str, message: Action | Activity,
                        service_url: str | None = None) -> bool:
        """Write to someone in their own chat with the bot, starting it if there is none yet."""
        activity = await self._activity(tenant, message)
        if activity is None:
            return False
        stored = await self.run(self.conversations.personal, tenant, person)
        if stored is not None:
            return await self._continue(ConversationReference().deserialize(stored.reference), activity)
        other = await self.run(self.conversations.any_in, tenant)
        if other is None:
            log.warning("Teams: no conversation seen in tenant %s; cannot write to a person there", tenant)
            return False
        parameters = ConversationParameters(
            is_group=False, bot=ChannelAccount(id=(other.reference.get("bot") or {}).get("id")),
            members=[ChannelAccount(id=person)], channel_data={"tenant": {"id": tenant}})

        delivered: list[bool] = []
        await self._quietly("new chat", self.adapter.create_conversation(
            self.app_id, self._sender(activity, delivered), parameters, "msteams",
            service_url or other.service_url, None))
        return delivered == [True]

    async def deliver(self, actions: list[Action]) -> int:
        """Send the approval reminders and two-way-door notes meant for Teams (`Engine.due_reminders`);
        returns how many reached someone."""
        sent = 0
        for action in actions:
            if not isinstance(action, Reminder | TwoWayDoor) or action.platform != PLATFORM:
                continue
            people = private_to(action)
            if people is None:
                sent += await self.send(action.workspace, action.channel, action, thread=action.thread)
            else:
                sent += any([await self.to_person(action.workspace, p, action) for p in people])
        return sent

    # -- plumbing ---------------------------------------------------------------------------

    async def _activity(self, tenant: str, message: Action | Activity) -> Activity | None:
        if isinstance(message, Activity):
            return message
        return cards.render(message, await self.names(tenant, [message]))

    async def _continue(self, reference: ConversationReference, activity: Activity) -> bool:
        delivered: list[bool] = []
        await self._quietly("proactive message", self.adapter.continue_conversation(
            reference, self._sender(activity, delivered), self.app_id))
        return delivered == [True]

    def _sender(self, activity: Activity, delivered: list[bool]):
        """The turn that sends `activity`; whether it reached Teams is added to `delivered`."""
        async def send(turn_context: TurnContext) -> None:
            delivered.append(await self._quietly("proactive message", turn_context.send_activity(activity)))

        return send

    @staticmethod
    async def _quietly(what: str, call) -> bool:
        try:
            await call
        except SEND_ERRORS as exc:
            log.warning("Teams %s failed: %s", what, failure(exc))
            return False
        return True
