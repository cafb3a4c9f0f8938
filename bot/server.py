"""`create_app()`: the one aiohttp application that serves every configured chat platform."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import Settings
from bot.engine import Engine
from bot.slack.app import SlackBot

log = logging.getLogger("nudgebot.server")

ENGINE = web.AppKey("engine", Engine)
SLACK = web.AppKey("slack", SlackBot)


async def healthz(request: web.Request) -> web.Response:
    platforms = ["slack"] if SLACK in request.app else []
    return web.json_response({"ok": True, "platforms": platforms})


async def slack_events(request: web.Request) -> web.Response:
    """Events, interactivity and slash commands: Bolt verifies the signature and acks."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    bolt = request.app[SLACK].app
    return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))


def create_app(settings: Settings, engine: Engine, slack_http: bool = True) -> web.Application:
    """Mount Slack at POST /slack/events (when configured) and GET /healthz."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[ENGINE] = engine
    app.router.add_get("/healthz", healthz)
    if settings.slack_configured or (settings.slack_bot_token and not slack_http):
        slack = SlackBot(settings, engine)
        app[SLACK] = slack
        if slack_http:
            app.router.add_post("/slack/events", slack_events)

        async def start_slack(_app: web.Application) -> None:
            await slack.start()

        app.on_startup.append(start_slack)
    return app
