"""`create_app()`: the one aiohttp application that serves every configured chat platform."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import Callable

from aiohttp import web

from bot.config import Settings
from bot.digest import last_full_week
from bot.digest_post import Sender, post_week, week_line
from bot.engine import Engine
from bot.errors import ConfigError
from bot.llm import build_assistant
from bot.runner import EngineThread
from bot.schedule import Schedule
from bot.slack import digest as slack_digest
from bot.slack import oauth
from bot.slack.app import SlackBot
from bot.slack.guard import SlackGuard
from bot.slack.payloads import socket_logger

log = logging.getLogger("nudgebot.server")

ENGINE = web.AppKey("engine", Engine)
SLACK = web.AppKey("slack", SlackBot)
SLACK_GUARD = web.AppKey("slack_guard", SlackGuard)
TEAMS = web.AppKey("teams")  # a bot.teams.app.TeamsApp: the Teams SDK is loaded only when Teams is configured
SCHEDULE = web.AppKey("schedule", Schedule)
PLATFORM_SLACK = "slack"
PLATFORM_TEAMS = "teams"
REMINDER_MINUTES = 5  # how often approval requests are checked against their SLA
DIGEST_RETRY_MINUTES = 15  # how often a digest the platform refused this week is tried again
LEARNING_SCHEDULE = "30 3 * * *"  # nightly, in NUDGEBOT_TIMEZONE: refit the workspaces that answered since


async def healthz(request: web.Request) -> web.Response:
    platforms = [name for name, key in (("slack", SLACK), ("teams", TEAMS)) if key in request.app]
    return web.json_response({"ok": True, "platforms": platforms})


async def slack_events(request: web.Request) -> web.Response:
    """Events, interactivity and slash commands: checked by the guard (signature, a readable body, a
    command or button press replayed), then Bolt acks."""
    return await request.app[SLACK_GUARD].dispatch(request, request.app[SLACK].app)


async def slack_install(request: web.Request) -> web.Response:
    """The "Add to Slack" page: a fresh OAuth state, kept in SQLite and in the installer's cookie."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    flow = request.app[SLACK].app.oauth_flow
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def slack_oauth_redirect(request: web.Request) -> web.Response:
    """Slack sends the installer back here: the state is checked and the workspace's token stored."""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    flow = request.app[SLACK].app.oauth_flow
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))


def create_app(settings: Settings, engine: Engine, slack_socket_mode: bool = False) -> web.Application:
    """Mount Slack at POST /slack/events (or connect it over Socket Mode), Teams at POST /api/messages,
    and GET /healthz."""
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[ENGINE] = engine
    run = EngineThread()  # the engine's one thread, shared by every platform

    async def stop_engine_thread(_app: web.Application) -> None:
        run.close()

    app.on_cleanup.append(stop_engine_thread)
    # One assistant for every platform: without OPENAI_API_KEY it never sends anything.
    assistant = build_assistant(settings, engine, run=run)

    async def close_assistant(_app: web.Application) -> None:
        await assistant.close()

    app.on_cleanup.append(close_assistant)  # after the platforms drained their work (on_shutdown)
    app[SCHEDULE] = schedule = Schedule(settings.zone)

    async def housekeeping() -> None:
        purged = await run(engine.purge_old_text)
        await run(engine.learned.forget_cached)  # read models that `nudgebot train --workspace` refitted
        if purged:
            log.info("housekeeping: erased the text of %d messages past the retention period", purged)

    schedule.every("housekeeping", housekeeping, minutes=60)

    async def workspace_learning() -> None:
        # Each workspace's answers since its last refit correct its model (bot/learning.py).
        refitted = await run(lambda: engine.learned.refit_due(engine.clock()))
        for platform, workspace, answers in refitted:
            log.info("learning: refitted %s workspace %s from %d answers", platform, workspace, answers)

    schedule.cron("workspace learning", workspace_learning, LEARNING_SCHEDULE)
    digest_senders: dict[str, Sender] = {}  # each platform mounted below adds its own

    async def weekly_digest() -> None:
        week = last_full_week(engine.clock(), settings.zone)
        await post_week(engine, digest_senders, week, by=f"serve:{os.getpid()}", call=run,
                        default_channel=settings.digest_channel, summarise=week_line(assistant))

    schedule.cron("weekly digest", weekly_digest, settings.digest_schedule)

    async def refused_digests() -> None:  # a digest the platform refused (nothing posted) is tried again
        week = last_full_week(engine.clock(), settings.zone)
        await post_week(engine, digest_senders, week, by=f"serve:{os.getpid()}", call=run,
                        default_channel=settings.digest_channel, summarise=week_line(assistant), refused_only=True)

    schedule.every("refused digests", refused_digests, minutes=DIGEST_RETRY_MINUTES)

    async def start_schedule(_app: web.Application) -> None:
        schedule.start()

    async def stop_schedule(_app: web.Application) -> None:
        schedule.shutdown()

    app.on_startup.append(start_schedule)
    app.on_shutdown.append(stop_schedule)
    app.router.add_get("/healthz", healthz)
    if slack_socket_mode or settings.slack_configured:
        slack = SlackBot(settings, engine, run=run, assistant=assistant)
        app[SLACK] = slack
        digest_senders[PLATFORM_SLACK] = slack_digest.register(slack)
        if not slack_socket_mode:
            secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
            app[SLACK_GUARD] = guard = SlackGuard(secret, engine.store, engine.clock)

            async def stop_guard(_app: web.Application) -> None:
                guard.close()

            app.on_cleanup.append(stop_guard)
            app.router.add_post("/slack/events", slack_events)
        if slack.installs and not slack_socket_mode:
            app.router.add_get(oauth.INSTALL_PATH, slack_install)
            app.router.add_get(oauth.REDIRECT_PATH, slack_oauth_redirect)

        async def start_slack(_app: web.Application) -> None:
            await slack.start()

        async def drain_slack(_app: web.Application) -> None:
            await slack.drain()

        async def slack_approval_notices() -> None:
            await slack.outbox.deliver((await run(slack.durable.due_reminders, PLATFORM_SLACK)).outbox)

        app.on_startup.append(start_slack)
        app.on_shutdown.append(drain_slack)
        schedule.every("slack approval reminders", slack_approval_notices, minutes=REMINDER_MINUTES)
        if slack_socket_mode:
            app.cleanup_ctx.append(_socket_mode(slack, settings))
    if settings.teams_configured:
        from bot.teams.app import TeamsApp
        from bot.teams.digest import TeamsDigests

        teams = TeamsApp(settings, engine, run, assistant=assistant)
        app[TEAMS] = teams
        digest_senders[PLATFORM_TEAMS] = TeamsDigests(teams.proactive)
        app.router.add_post("/api/messages", teams.messages)

        async def start_teams(_app: web.Application) -> None:
            teams.outbox.start()  # what the outbox holds for Teams (a crash, a connector down) is sent
            teams.inbox.start()  # and messages whose handling failed are tried again
            teams.adapter.credentials.start()  # the bot's token renewed on a thread, never on a reply

        async def drain_teams(_app: web.Application) -> None:
            await teams.bot.drain()
            teams.inbox.close()
            await teams.outbox.close()
            await teams.adapter.credentials.close()

        app.on_startup.append(start_teams)
        app.on_shutdown.append(drain_teams)

        async def teams_approval_notices() -> None:
            await teams.outbox.deliver((await run(teams.durable.due_reminders, PLATFORM_TEAMS)).outbox)

        schedule.every("teams approval reminders", teams_approval_notices, minutes=REMINDER_MINUTES)
    return app


def _socket_mode(slack: SlackBot, settings: Settings):
    async def connect(_app: web.Application):
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(slack.app, settings.slack_app_token.get_secret_value(),
                                         logger=socket_logger())
        await handler.connect_async()
        log.info("Slack: connected over Socket Mode")
        yield
        await handler.close_async()

    return connect


async def serve(app: web.Application, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve `app` until SIGINT or SIGTERM, then close it cleanly."""
    runner = web.AppRunner(app)
    await runner.setup()
    # What start-up built (modules, the detector's model, the app) lives as long as the process: kept out
    # of the garbage collector's full passes, which would otherwise walk it all and pause every ack.
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:  # the port is taken, or not ours to bind: one line, not a traceback
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise ConfigError(f"cannot listen on {host}:{port}: {reason}; stop what holds the port or "
                              "choose another with --port (or PORT)") from None
        bound = site._server.sockets[0].getsockname()[1] if site._server else port
        routes = ", ".join(sorted({r.method + " " + r.resource.canonical for r in app.router.routes()
                                   if r.method != "HEAD"}))
        announce(f"Nudgebot listening on http://{host}:{bound} ({routes})")
        await stop.wait()
    finally:
        await runner.cleanup()
