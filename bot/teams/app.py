"""Teams on the shared aiohttp server: `TeamsApp(settings, engine, run)` answers POST /api/messages.

Its `proactive` is what a digest or a reminder timer uses to write to Teams unprompted.
"""

from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.schema import ActivityTypes

from bot.assist import Assistant
from bot.config import Settings
from bot.durable import Durable
from bot.engine import Engine
from bot.llm import build_assistant
from bot.runner import EngineThread
from bot.teams.adapter import build_adapter
from bot.teams.bot import TeamsBot
from bot.teams.conversations import Conversations
from bot.teams.inbox import TeamsInbox
from bot.teams.outbox import TeamsOutbox
from bot.teams.proactive import SEND_ERRORS, Proactive

log = logging.getLogger("nudgebot.teams")
SORRY = "Sorry, something went wrong on my side. Nothing you wrote was lost; please try again in a minute."


class TeamsApp:
    def __init__(self, settings: Settings, engine: Engine, run: EngineThread, assistant: Assistant | None = None):
        self.adapter = build_adapter(settings)
        self.adapter.on_turn_error = self.on_error
        app_id = (settings.microsoft_app_id or "").strip()
        self.proactive = Proactive(self.adapter, app_id, Conversations(engine.store), run, engine.clock)
        self.assistant = assistant or build_assistant(settings, engine, run=run)
        self.durable = Durable(engine, settings.outbox_keep)
        self.outbox = TeamsOutbox(self.proactive)  # started and closed by the server (bot/server.py)
        self.bot = TeamsBot(engine, run, self.proactive, self.assistant, self.durable, self.outbox)
        self.inbox = self.bot.inbox = TeamsInbox(self.durable, self.outbox, run)  # started by the server

    async def messages(self, request: web.Request) -> web.StreamResponse:
        """An activity from the Bot Framework: authenticated (unless in dev mode), then handled in full
        before the answer (201, or an invoke's JSON)."""
        return await self.adapter.process(request, self.bot)

    async def on_error(self, turn_context: TurnContext, error: Exception) -> None:
        """Anything unexpected: our log gets the details (never a token), the person one polite line."""
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
        if turn_context.activity.type == ActivityTypes.message:
            try:
                await turn_context.send_activity(SORRY)
            except SEND_ERRORS:
                pass  # the connector is what failed; the log line above is all that can be done
