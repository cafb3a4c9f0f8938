"""Slack on Bolt: events, slash commands, buttons and the rationale modal, handed to the engine.

Slack gets its answer first: events are acknowledged by Bolt before the listener runs, commands
and buttons call `ack()` before any Web API call. Authorizing a request needs no network: a single
workspace's bot identity is learnt once, when the server starts; an installed workspace's comes
from its installation (bot/slack/oauth.py).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot import prfaq
from bot.actions import NUDGE_BUTTONS, Action, Logged, Nudge, Reply
from bot.assist import Assistant
from bot.config import Settings
from bot.durable import Durable
from bot.engine import Engine
from bot.errors import InputError, NudgebotError
from bot.llm import build_assistant
from bot.models import Command, Message
from bot.runner import EngineThread
from bot.slack import blocks, inbox, oauth, request_buttons
from bot.slack.calls import failure, quietly
from bot.slack.outbox import SlackOutbox
from bot.slack.payloads import (
    PLATFORM,
    Identity,
    bolt_logger,
    slack_time,
    to_command,
    to_message,
    visibility_of,
    web_client,
    workspace_of,
)

COMMANDS = ("/prfaq", "/decision", "/digest", "/nudgebot")
ANSWER_BUTTONS = re.compile(r"^(not_customer_facing|not_a_decision|mute)$")

log = logging.getLogger("nudgebot.slack")
SORRY = "Sorry, something went wrong on our side. Nothing you wrote was lost; please try again in a minute."
WORKING = "Working on it…"
# Slack allows 3 s for a command's answer; past this, the ack says "working on it" and the answer follows.
COMMAND_PATIENCE = 2.0


class SlackBot:
    """Bolt wired to the engine. Holds the engine; Slack's payloads stop here."""

    def __init__(self, settings: Settings, engine: Engine, client: AsyncWebClient | None = None,
                 run: EngineThread | None = None, assistant: Assistant | None = None):
        self.engine = engine
        self.run = run or EngineThread()  # every engine call goes through it, off the event loop
        self.durable = Durable(engine, settings.outbox_keep)
        self.outbox = SlackOutbox(engine.store, self.run, self._sending_client, engine.clock)
        self.inbox = inbox.SlackInbox(self)
        # The optional LLM, asked on the event loop after Slack's ack (it never sends without a key).
        self._own_assistant = assistant is None  # one given to it is closed by whoever made it
        self.assistant = assistant or build_assistant(settings, engine, run=self.run)
        self.patience = COMMAND_PATIENCE
        self._in_flight: set[asyncio.Task] = set()
        self._names: dict[tuple[str, str, str], str | None] = {}
        self.token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self.identity = Identity()
        self.client = client or web_client(settings)
        self.installs = settings.slack_oauth
        self.settings = settings
        self._own_client: AsyncWebClient | None = None
        self.installations: oauth.Installations | None = None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        logger = bolt_logger()
        if self.installs:  # many workspaces: each request gets the token its workspace installed
            if engine.store.path is None:
                raise NudgebotError("multi-workspace installs keep their tokens in the decision log's file")
            installations = self.installations = oauth.installation_store(settings, engine.store.path)
            self.app = AsyncApp(name="nudgebot", signing_secret=secret, client=self.client, logger=logger,
                                installation_store=installations,
                                authorize=oauth.InstalledBots(installations),
                                oauth_settings=oauth.oauth_settings(settings, installations, engine.store.path))
            self.app.enable_token_revocation_listeners()  # an uninstall forgets the workspace's token
        else:
            async def authorize(enterprise_id, team_id):  # Bolt passes arguments by name; no `self`
                return self.authorize(enterprise_id, team_id)

            self.app = AsyncApp(name="nudgebot", signing_secret=secret, client=self.client,
                                authorize=authorize, logger=logger)
        self._register(self.app)

    def _register(self, app: AsyncApp) -> None:
        app.middleware(self.inbox.keep)  # each event committed to the inbox before Slack gets its ack
        t = self._tracked
        app.event("message")(t(self.on_message))
        app.event("reaction_added")(t(self.on_reaction))
        app.event("app_home_opened")(t(self.on_home_opened))
        for name in COMMANDS:
            app.command(name)(t(self.on_command))
        app.action(ANSWER_BUTTONS)(t(self.on_answer))
        app.action(request_buttons.ACTIONS)(t(request_buttons.answerer(self)))
        app.action("add_rationale")(t(self.on_add_rationale))
        app.action(blocks.POST_PRFAQ)(t(self.on_post_prfaq))
        app.view(blocks.RATIONALE_VIEW)(t(self.on_rationale))
        app.shortcut(blocks.LOG_AS_DECISION)(t(self.on_log_as_decision))
        app.error(self.on_error)

    def _tracked(self, listener):
        """The listener, with its run counted as in flight until it ends (Bolt reads its arguments
        through the wrapper)."""
        @functools.wraps(listener)
        async def run(*args, **kwargs):
            task = asyncio.current_task()
            self._in_flight.add(task)
            try:
                return await listener(*args, **kwargs)
            finally:
                self._in_flight.discard(task)

        return run

    async def drain(self, timeout: float = 10.0) -> None:
        """On the way down: let the work of requests already acknowledged finish (Slack will not send
        them again), for at most `timeout` seconds."""
        pending = {t for t in self._in_flight if t is not asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        await self.outbox.close()
        self.inbox.close()
        if self._own_assistant:
            await self.assistant.close()

    async def on_error(self, error: Exception, body: dict, respond,
                       response: BoltResponse | None) -> BoltResponse | None:
        """Anything unexpected: one polite line for the person, the details only in our log.

        The exception's text never reaches chat; the log names its type (never a token). After the
        ack (an event's listener) there is no HTTP answer left to give, only the log line."""
        log.error("Slack listener failed: %s", error.__class__.__name__, exc_info=error)
        if respond is not None and body.get("response_url") and body.get("type") != "view_submission":
            await quietly(respond, "response_url", response_type="ephemeral", replace_original=False,
                          text=SORRY)
        return BoltResponse(status=200, body=SORRY) if response is not None else None

    async def start(self) -> None:
        """Learn who the bot is, so its own messages are recognised (Slack being down is not fatal), then
        send what the outbox holds and resume what the inbox holds."""
        await self._identify()
        self.outbox.start()
        self.inbox.start()

    async def _identify(self) -> None:
        if not self.token:
            return
        try:
            response = await self.client.auth_test(token=self.token)
            self.identity = Identity(response.get("user_id"), response.get("bot_id"))
            log.info("Slack: signed in as %s in %s", response.get("user"), response.get("team"))
        except Exception as exc:  # noqa: BLE001 - any failure here must not stop the server
            log.warning("Slack auth.test failed (%s); the bot's own messages are told apart by their bot id",
                        failure(exc))

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=self.token,
            bot_user_id=self.identity.user_id,
            bot_id=self.identity.bot_id,
        )

    # -- events ---------------------------------------------------------------------------------

    async def on_message(self, body: dict, context, client: AsyncWebClient) -> None:
        await self.inbox.take(context.get(inbox.ITEM), body, workspace_of(context), context.bot_user_id, client)

    async def message(self, item: int | None, body: dict, workspace: str, bot_user: str | None,
                      client: AsyncWebClient) -> None:
        """A message event (from Slack, or resumed from the inbox): handled, and its inbox item done."""
        event = body.get("event") or {}
        subtype = event.get("subtype")
        if subtype == "message_deleted":
            await self.run(self.durable.delete, PLATFORM, workspace, event.get("channel", ""),
                           event.get("deleted_ts", ""), inbox=item)
            return
        if subtype == "message_changed":
            changed = {**event.get("message", {}), "channel": event.get("channel"),
                       "channel_type": event.get("channel_type")}
            message = to_message(changed, workspace)
            if message is not None and message.author != bot_user:
                await self.run(self.durable.edit, message, inbox=item)
            else:
                await self.run(self.durable.nothing, item)
            return
        message = to_message(event, workspace, body.get("event_id"))
        if message is None or message.author == bot_user:
            await self.run(self.durable.nothing, item)
            return
        async with self.assistant.turn(message):  # a thread's messages reach the engine in order
            opinion = await self.assistant.opinion(message)
            done = await self.run(self.durable.handle, message, opinion=opinion, inbox=item)
        await self.outbox.deliver(done.outbox)
        for logged in (a for a in done.actions if isinstance(a, Logged)):
            await self.annotate(client, workspace, logged.decision_id, message)

    async def on_home_opened(self, event: dict, context, client: AsyncWebClient) -> None:
        if event.get("tab") == "home" and event.get("user"):
            await self.publish_home(client, workspace_of(context), event["user"])

    async def publish_home(self, client: AsyncWebClient, workspace: str, user: str) -> None:
        view = blocks.home(await self.run(self.engine.home, PLATFORM, workspace, user), NUDGE_BUTTONS)
        await quietly(client.views_publish, "views.publish", user_id=user, view=view)

    async def _refresh_home(self, body: dict, client: AsyncWebClient, workspace: str) -> None:
        """After a button on the home tab was used, show the tab as it now is."""
        if self._where(body).get("home"):
            await self.publish_home(client, workspace, body["user"]["id"])

    async def on_reaction(self, body: dict, context, client: AsyncWebClient) -> None:
        await self.inbox.take(context.get(inbox.ITEM), body, workspace_of(context), context.bot_user_id, client)

    async def reaction(self, item: int | None, body: dict, workspace: str, bot_user: str | None) -> None:
        event = body.get("event") or {}
        target = event.get("item") or {}
        if target.get("type") != "message" or not event.get("user") or event.get("user") == bot_user:
            await self.run(self.durable.nothing, item)
            return
        done = await self.run(self.durable.reaction, PLATFORM, workspace, target.get("channel", ""),
                              target.get("ts", ""), event["user"], event.get("reaction", ""),
                              slack_time(event.get("event_ts", "0")), inbox=item)
        await self.outbox.deliver(done.outbox)

    async def annotate(self, client: AsyncWebClient, workspace: str, decision_id: int, message: Message) -> None:
        """Give a logged decision its permalink and the channel's and author's names, so digests read
        well (after the answer went out; each lookup may fail harmlessly)."""
        response = await quietly(
            client.chat_getPermalink, "chat.getPermalink", channel=message.channel, message_ts=message.ts
        )
        permalink = response.get("permalink") if response is not None else None
        await self.run(
            self.engine.annotate, PLATFORM, workspace, decision_id,
            permalink=permalink,
            channel_name=await self._name(client, workspace, "channel", message.channel),
            author_name=await self._name(client, workspace, "user", message.author),
        )
        unnamed = await self.run(self.engine.approvals.unnamed, PLATFORM, workspace, decision_id)
        if unnamed:  # a request's approvers by name too, like its requester
            names = {a: await self._name(client, workspace, "user", a) for a in unnamed}
            await self.run(self.engine.approvals.name, PLATFORM, workspace, decision_id, names)

    async def _name(self, client: AsyncWebClient, workspace: str, kind: str, id_: str) -> str | None:
        """A channel's or person's display name, asked of Slack once per process and kept."""
        key = (workspace, kind, id_)
        if key not in self._names:
            if kind == "channel":
                response = await quietly(client.conversations_info, "conversations.info", channel=id_)
                found = (response or {}).get("channel") or {}
                self._names[key] = None if found.get("is_im") else found.get("name")
            else:
                response = await quietly(client.users_info, "users.info", user=id_)
                found = (response or {}).get("user") or {}
                profile = found.get("profile") or {}
                self._names[key] = profile.get("display_name") or found.get("real_name") or found.get("name")
        return self._names[key]

    # -- rendering the engine's actions ---------------------------------------------------------

    async def perform(self, actions: list[Action], respond) -> None:
        """A command's further answers, by its response_url: a nudge (the command itself is not in the
        channel, so its question is only for the person who typed it) and replies."""
        for action in actions:
            if isinstance(action, Nudge):
                await quietly(respond, "response_url", response_type="ephemeral", **blocks.nudge(action))
            elif isinstance(action, Reply):
                await quietly(respond, "response_url", response_type="ephemeral" if action.ephemeral
                              else "in_channel", **blocks.reply(action))

    async def client_for(self, workspace: str) -> AsyncWebClient | None:
        """A Web API client holding `workspace`'s bot token, for work no Slack request started (timers);
        None when the workspace has no installation (any more)."""
        if not self.installs:
            if self._own_client is None:
                self._own_client = web_client(self.settings, self.token)
            return self._own_client if self.token else None
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None:
            bot = await self.installations.async_find_bot(enterprise_id=workspace, team_id=None,
                                                          is_enterprise_install=True)
        return web_client(self.settings, bot.bot_token) if bot is not None else None

    async def _sending_client(self, workspace: str) -> AsyncWebClient | None:
        """The outbox's client for `workspace`: its bot token, and no retries of its own (bot/slack/outbox.py)."""
        if not self.installs:
            return web_client(self.settings, self.token, retries=False) if self.token else None
        client = await self.client_for(workspace)
        return web_client(self.settings, client.token, retries=False) if client is not None else None

    async def bot_user_for(self, workspace: str) -> str | None:
        """The bot's user id in `workspace` (for events resumed from the inbox)."""
        if not self.installs:
            return self.identity.user_id
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace)
        return bot.bot_user_id if bot is not None else None

    # -- slash commands -------------------------------------------------------------------------

    async def on_command(self, ack, body: dict, respond, client: AsyncWebClient, context) -> None:
        """A slash command, answered in the ack when the engine is quick (nearly always). When it is
        not (the log busy), Slack gets a "working on it" in time and the answer follows."""
        command = to_command(body, workspace_of(context), self.engine.clock())
        work = asyncio.ensure_future(self.run(self.engine.command, command))
        try:
            actions = await asyncio.wait_for(asyncio.shield(work), self.patience)
        except NudgebotError as exc:
            await ack(text=str(exc))
            return
        except TimeoutError:
            await ack(response_type="ephemeral", text=WORKING)
            try:
                actions = await work
            except NudgebotError as exc:
                await quietly(respond, "response_url", response_type="ephemeral", text=str(exc))
                return
            first = next((a for a in actions if isinstance(a, Reply)), None)
            if first is not None:
                await quietly(respond, "response_url", **self._command_reply(command, first))
            await self.perform([a for a in actions if a is not first], respond)
            await self._prfaq_draft(command, respond)
            return
        first = next((a for a in actions if isinstance(a, Reply)), None)
        if first is None:
            await ack()
        else:
            await ack(**self._command_reply(command, first))
        await self.perform([a for a in actions if a is not first], respond)
        await self._prfaq_draft(command, respond)

    async def _prfaq_draft(self, command: Command, respond) -> None:
        """With the LLM, the skeleton just shown is replaced by its first draft; without one it stays."""
        if command.name != "prfaq" or not command.text.strip() or not self.assistant.active:
            return
        draft = await self.assistant.prfaq(command)
        if draft:
            reply = Reply(draft, title=f"PR/FAQ: {prfaq.headline(command.text)}")
            await quietly(respond, "response_url", replace_original=True, **self._command_reply(command, reply))

    @staticmethod
    def _command_reply(command: Command, reply: Reply) -> dict:
        if command.name == "prfaq" and reply.title:
            return {"response_type": "ephemeral", **blocks.prfaq(reply, command.text.strip())}
        return {"response_type": "ephemeral" if reply.ephemeral else "in_channel", **blocks.reply(reply)}

    async def on_log_as_decision(self, ack, body: dict, respond, client: AsyncWebClient, context) -> None:
        """The "Log as decision" message shortcut: log that message, asking its author if needed."""
        await ack()
        workspace = workspace_of(context)
        raw = {**(body.get("message") or {}), "channel": (body.get("channel") or {}).get("id")}
        message = to_message(raw, workspace)
        if message is None:
            await quietly(respond, "response_url", response_type="ephemeral",
                          text="Only messages people wrote can be logged as decisions.")
            return
        done = await self.run(self.durable.log_as_decision, message, by=(body.get("user") or {}).get("id"))
        await self.outbox.deliver(done.outbox)
        actions = done.actions
        for reply in (a for a in actions if isinstance(a, Reply)):
            await quietly(respond, "response_url", response_type="ephemeral", **blocks.reply(reply))
        for logged in (a for a in actions if isinstance(a, Logged)):
            await self.annotate(client, workspace, logged.decision_id, message)

    # -- buttons and the modal ------------------------------------------------------------------

    @staticmethod
    def _where(body: dict) -> dict:
        """Which nudge a button sat on: a channel message, or an ephemeral one reached by response_url."""
        container = body.get("container", {})
        if container.get("type") == "view":  # the App Home tab
            return {"home": True}
        if container.get("is_ephemeral") and body.get("response_url"):
            return {"response_url": body["response_url"]}
        return {"channel": container.get("channel_id"), "ts": container.get("message_ts")}

    async def on_answer(self, ack, body: dict, action: dict, respond, client: AsyncWebClient, context) -> None:
        await ack()
        try:
            done = await self.run(self.durable.answer, PLATFORM, workspace_of(context), int(action.get("value", 0)),
                                  action["action_id"], body["user"]["id"], where=self._where(body))
        except (InputError, ValueError) as exc:
            await quietly(respond, "response_url", text=str(exc), response_type="ephemeral", replace_original=False)
            return
        await self.outbox.deliver(done.outbox)
        await self._refresh_home(body, client, workspace_of(context))

    async def on_add_rationale(self, ack, body: dict, action: dict, client: AsyncWebClient, context) -> None:
        await ack()
        decision_id = int(action.get("value", 0))
        row = await self.run(self.engine.decision, PLATFORM, workspace_of(context), decision_id)
        view = blocks.rationale_modal(decision_id, self._where(body), row["text"] if row else None)
        await quietly(client.views_open, "views.open", trigger_id=body["trigger_id"], view=view)

    async def on_rationale(self, ack, body: dict, view: dict, client: AsyncWebClient, context) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        rationale = blocks.rationale_from(view)
        if not rationale:
            await ack(response_action="errors",
                      errors={blocks.CUSTOMER_BLOCK: "Please say who the customer is."})
            return
        where = {k: meta[k] for k in ("response_url", "channel", "ts") if meta.get(k)}
        try:
            done = await self.run(self.durable.answer, PLATFORM, workspace_of(context),
                                  int(meta.get("decision_id", 0)), "add_rationale", body["user"]["id"],
                                  rationale=rationale, where=where)
        except InputError as exc:
            await ack(response_action="errors", errors={blocks.CUSTOMER_BLOCK: str(exc)})
            return
        await ack()
        await self.outbox.deliver(done.outbox)
        if meta.get("home"):
            await self.publish_home(client, workspace_of(context), body["user"]["id"])

    async def on_post_prfaq(self, ack, body: dict, action: dict, respond, context) -> None:
        await ack()
        channel = (body.get("channel") or {}).get("id", "")
        command = Command(platform=PLATFORM, workspace=workspace_of(context), channel=channel,
                          visibility=visibility_of(channel), user=body["user"]["id"], name="prfaq",
                          text=action.get("value", ""), time=self.engine.clock())
        [reply] = [a for a in await self.run(self.engine.command, command) if isinstance(a, Reply)]
        draft = await self.assistant.prfaq(command, fresh=False)  # the draft that was shown, if any
        reply = Reply(draft, title=reply.title) if draft else reply
        rendered = blocks.prfaq(reply, command.text, shareable=False)
        if await quietly(respond, "response_url", response_type="in_channel", replace_original=False, **rendered):
            await quietly(respond, "response_url", delete_original=True)
