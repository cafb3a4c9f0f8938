"""Teams activities → our Message and Command, and the one ActivityHandler that hands them to the engine.

A channel message is told apart by its reply chain: Teams names the chain's first message in the
conversation id (`19:…@thread.tacv2;messageid=ROOT`), which becomes the Message's thread. Everything
the handler does with the engine goes through `run`, the engine's own thread.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import Activity

from bot import prfaq
from bot.actions import ANSWERS, REQUEST_ANSWERS, Reply, UpdateNudge
from bot.assist import Assistant
from bot.durable import Durable
from bot.engine import Engine
from bot.errors import InputError
from bot.models import Command, Message, Visibility
from bot.runner import EngineThread
from bot.teams import cards
from bot.teams.conversations import Conversation
from bot.teams.inbox import TeamsInbox
from bot.teams.outbox import TeamsOutbox
from bot.teams.proactive import Proactive

PLATFORM = "teams"
# What people type after @Nudgebot (or plainly in a personal chat) → the engine's command and its text.
COMMANDS = {"prfaq": "prfaq", "decision": "decision", "digest": "digest", "nudgebot": "nudgebot",
            "help": "nudgebot", "mute": "nudgebot", "unmute": "nudgebot", "status": "nudgebot", "llm": "nudgebot",
            "sensitivity": "nudgebot"}
_TAG = re.compile(r"</?(?:p|div|span|br)\b[^>]*>", re.I)
# The most words each may take ("sensitivity default quiet": two).
_ARGUMENTS = {"help": 0, "status": 0, "unmute": 0, "digest": 0, "mute": 1, "llm": 1, "sensitivity": 2}


def tenant_of(activity: Activity) -> str:
    """The tenant, as Teams puts it in channelData (botbuilder's `conversation.tenant_id` reads the wrong key)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = (data.get("tenant") or {}).get("id")
    extra = getattr(activity.conversation, "additional_properties", None) or {}
    return str(tenant or extra.get("tenantId") or "")


def kind_of(activity: Activity) -> str:
    """channel | groupChat | personal; anything unnamed (the Emulator) counts as a personal chat."""
    return getattr(activity.conversation, "conversation_type", None) or "personal"


def conversation_of(activity: Activity) -> tuple[str, str | None]:
    """The conversation's id without its reply chain, and the chain's first message (None outside one)."""
    base, _, root = (activity.conversation.id or "").partition(";messageid=")
    return base, root or None


def visibility_of(activity: Activity) -> Visibility:
    """Public only for a standard team channel; private and shared channels, group chats and DMs never leak.

    A channel without a membership type counts as standard: the app package does not declare support
    for shared or private channels (`supportsChannelFeatures`), so Teams adds the bot to standard
    channels only. Declaring that support must come with a reliable way to tell those channels apart."""
    kind = kind_of(activity)
    if kind == "channel":
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        membership = str((data.get("channel") or {}).get("membershipType") or "standard").lower()
        return Visibility.PUBLIC if membership == "standard" else Visibility.PRIVATE
    return Visibility.PRIVATE if kind == "groupChat" else Visibility.DM


def from_a_bot(activity: Activity) -> bool:
    sender = activity.from_property
    if sender is None or not sender.id:
        return True
    recipient = activity.recipient.id if activity.recipient else None
    return sender.role == "bot" or sender.id.startswith("28:") or sender.id == recipient


def mentions_bot(activity: Activity) -> bool:
    return any(_mention_of_bot(activity, entity) for entity in activity.entities or [])


def _mention_of_bot(activity: Activity, entity) -> bool:
    mentioned = (getattr(entity, "additional_properties", None) or {}).get("mentioned") or {}
    return entity.type == "mention" and bool(activity.recipient) and mentioned.get("id") == activity.recipient.id


def text_of(activity: Activity) -> str:
    """What the person wrote, without the bot's own `<at>Nudgebot</at>`; other people's mentions stay."""
    text = activity.text or ""
    for entity in activity.entities or []:
        if _mention_of_bot(activity, entity):
            text = text.replace((entity.additional_properties or {}).get("text") or "\0", " ")
    return text.strip()


def to_message(activity: Activity) -> Message | None:
    """A message activity as our Message; None when it is not a person writing words."""
    text = text_of(activity)
    if from_a_bot(activity) or not activity.id or not text:
        return None
    tenant = tenant_of(activity)
    base, root = conversation_of(activity)
    thread = root if kind_of(activity) == "channel" and root else activity.id
    return Message(
        platform=PLATFORM,
        workspace=tenant,
        channel=base,
        visibility=visibility_of(activity),
        thread=thread,
        ts=activity.id,
        author=activity.from_property.id,
        text=text,
        time=activity.timestamp or datetime.now(UTC),
        event_id=f"{tenant}/{base}/{activity.id}",
        channel_name=_channel_name(activity),
        author_name=activity.from_property.name,
    )


def to_command(activity: Activity, now: datetime) -> Command | None:
    """`prfaq IDEA`, `decision TEXT`, `help`, `mute 2h`, `unmute`, `status`, `sensitivity quiet`: typed after
    @Nudgebot in a channel or group chat, or plainly in a personal chat. None for anything else."""
    if from_a_bot(activity) or (kind_of(activity) != "personal" and not mentions_bot(activity)):
        return None
    words = " ".join(html.unescape(_TAG.sub(" ", text_of(activity))).split())
    if not words and mentions_bot(activity):
        words = "help"  # "@Nudgebot" alone
    first, _, rest = words.partition(" ")
    word = first.lower().lstrip("/")
    name = COMMANDS.get(word)
    # "Status of the launch: we decided…" is a message, not `status`: the one-word commands stand alone.
    if name is None or len(rest.split()) > _ARGUMENTS.get(word, len(rest.split())):
        return None
    base, root = conversation_of(activity)
    return Command(
        platform=PLATFORM,
        workspace=tenant_of(activity),
        channel=base,
        visibility=visibility_of(activity),
        user=activity.from_property.id,
        name=name,
        text=f"{word} {rest}".strip() if name == "nudgebot" and word != "nudgebot" else rest,
        time=now,
        thread=activity.id if root in (None, activity.id) else None,  # `decision` logs this very message
        channel_name=_channel_name(activity),
    )


def seen(activity: Activity) -> Conversation | None:
    """The conversation an activity came from, as the bot remembers it for writing there later."""
    if not activity.service_url or not activity.conversation or not activity.conversation.id:
        return None
    base, _ = conversation_of(activity)
    reference = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)  # later messages start afresh, not as replies to this one
    reference["conversation"] = {**reference.get("conversation", {}), "id": base}
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    kind = kind_of(activity)
    person = activity.from_property.id if kind == "personal" and activity.from_property else None
    return Conversation(tenant_of(activity), base, kind, activity.service_url, reference,
                        team=(data.get("team") or {}).get("id"), person=person)


def _channel_name(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return (data.get("channel") or {}).get("name") if kind_of(activity) == "channel" else None


class TeamsBot(TeamsActivityHandler):
    """Holds the engine; Teams' activities stop here."""

    def __init__(self, engine: Engine, run: EngineThread, proactive: Proactive, assistant: Assistant,
                 durable: Durable, outbox: TeamsOutbox):
        self.engine, self.run, self.proactive, self.assistant = engine, run, proactive, assistant
        self.durable, self.outbox = durable, outbox  # a message's effects in one transaction; its sends
        self.inbox: TeamsInbox | None = None  # where a message whose handling failed is kept (TeamsApp sets it)
        self._drafting: set[asyncio.Task] = set()

    async def on_turn(self, turn_context: TurnContext):
        conversation = seen(turn_context.activity)
        if conversation is not None:
            await self.proactive.remember(conversation)
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext):
        activity = turn_context.activity
        command = to_command(activity, self.engine.clock())
        personal = kind_of(activity) == "personal"
        if command is not None:
            actions = await self.run(self.engine.command, command)
        elif (message := to_message(activity)) is not None:
            try:
                async with self.assistant.turn(message):  # a thread's messages reach the engine in order
                    opinion = await self.assistant.opinion(message)  # None without an LLM, or on any failure
                    done = await self.run(self.durable.handle, message, opinion=opinion)
            except Exception as exc:
                if self.inbox is None or not await self.inbox.keep_failed(activity, message.event_id,
                                                                          message.workspace, exc):
                    raise  # not even kept: the turn's error handler tells the person
                return  # kept, and tried again later: nobody is asked to write it again
            await self.outbox.deliver(done.outbox, context=(turn_context, personal))  # the turn's reply, or later
            return
        else:
            return
        await self.proactive.perform(turn_context, tenant_of(activity), actions, personal=personal)
        if command is not None and command.name == "prfaq" and command.text.strip() and self.assistant.active:
            # The skeleton went out with this turn; the draft can take longer than Teams waits for a turn.
            chain = conversation_of(activity)[1] or activity.id
            task = asyncio.ensure_future(self._prfaq_draft(command, chain))
            self._drafting.add(task)
            task.add_done_callback(self._drafting.discard)

    async def _prfaq_draft(self, command: Command, chain: str | None) -> None:
        """With the LLM: the PR/FAQ's first draft, posted after the skeleton in the same reply chain."""
        draft = await self.assistant.prfaq(command)
        if draft:
            reply = Reply(draft, title=f"PR/FAQ draft: {prfaq.headline(command.text)}")
            await self.proactive.send(command.workspace, command.channel, reply, thread=chain)

    async def drain(self, timeout: float = 30.0) -> None:
        """On the way down: let drafts under way be posted, for at most `timeout` seconds."""
        if self._drafting:
            await asyncio.wait(set(self._drafting), timeout=timeout)

    async def on_teams_message_edit(self, turn_context: TurnContext):
        message = to_message(turn_context.activity)
        if message is not None:
            await self.run(self.durable.edit, message)

    async def on_teams_message_soft_delete(self, turn_context: TurnContext):
        activity = turn_context.activity
        await self.run(self.durable.delete, PLATFORM, tenant_of(activity), conversation_of(activity)[0],
                       activity.id or "")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            return InvokeResponse(status=200, body=await self.on_card_action(turn_context))
        return await super().on_invoke_activity(turn_context)

    async def on_card_action(self, turn_context: TurnContext) -> dict:
        """A button of the nudge's card (Action.Execute): the answer is logged, the card shows the outcome."""
        activity = turn_context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        choice = action.get("verb")
        if choice in REQUEST_ANSWERS and not from_a_bot(activity):  # Approve/Decline under a reminder
            try:
                said = await self.run(self.engine.answer_request, PLATFORM, tenant_of(activity),
                                      int(data.get("request_id", 0)), activity.from_property.id,
                                      REQUEST_ANSWERS[choice], activity.from_property.name)
            except (InputError, ValueError, TypeError) as exc:
                said = str(exc) if isinstance(exc, InputError) else "That approval request is unknown."
            return cards.invoke_message(said)  # the reminder stays as it was posted
        from_digest = choice == cards.DIGEST_VERB
        if from_digest:
            choice = "add_rationale"
        rationale = cards.rationale_from(data) if choice == "add_rationale" else None
        if choice not in ANSWERS or from_a_bot(activity):
            return cards.invoke_message("That button is not one of Nudgebot's.")
        if choice == "add_rationale" and not rationale:
            return cards.invoke_message("Please say who the customer is.")
        try:
            actions = await self.run(self.engine.answer, PLATFORM, tenant_of(activity),
                                     int(data.get("decision_id", 0)), choice, activity.from_property.id,
                                     rationale=rationale)
        except (InputError, ValueError, TypeError) as exc:
            return cards.invoke_message(str(exc) if isinstance(exc, InputError) else "That decision is unknown.")
        if from_digest:  # the digest card stays as it was posted
            return cards.invoke_message("Thanks: the customer rationale is saved with that decision.")
        names = {activity.from_property.id: activity.from_property.name or "someone"}
        outcome = cards.render(next(a for a in actions if isinstance(a, UpdateNudge)), names)
        await self.proactive.replace(turn_context, outcome)
        return cards.invoke_card(outcome.attachments[0].content)
