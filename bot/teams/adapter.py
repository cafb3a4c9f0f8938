"""The Bot Framework adapter: CloudAdapter, authenticated from Settings, with botbuilder's invoke bug worked around.

Authentication is on whenever MicrosoftAppId is set: each request's token is checked by our own
TokenValidator (bot/teams/auth.py), never by botbuilder, whose key fetch blocks the event loop; botbuilder
gets the verified identity and never sees the Authorization header. Authentication is off only with
NUDGEBOT_TEAMS_DEV=1 and no app id (the Bot Framework Emulator, the tests): every request is then accepted
and replies go, without a token, to whatever serviceUrl the request names, so it must never be how a
server runs in production.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import Bot, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication, ClaimsIdentity

from bot.config import Settings
from bot.errors import ConfigError
from bot.teams.auth import Refused, TokenValidator
from bot.teams.credentials import KeptCredentials
from bot.wire import BadBody, parse_json, valid_strings

log = logging.getLogger("nudgebot.teams")

DEV_WARNING = (
    "NUDGEBOT_TEAMS_DEV=1: Bot Framework authentication is OFF. Anyone can post to /api/messages and "
    "make the bot send to any serviceUrl. Use it with the Emulator or tests only, never in production."
)


def auth_settings(settings: Settings) -> SimpleNamespace:
    """What ConfigurationBotFrameworkAuthentication reads, from our Settings; problems named for an admin."""
    app_id = (settings.microsoft_app_id or "").strip()
    if not app_id:
        if not settings.teams_dev:
            raise ConfigError("Teams needs MicrosoftAppId (or NUDGEBOT_TEAMS_DEV=1 for local testing)")
        return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID=None)
    problem = settings.teams_problem()  # the same words `nudgebot check` uses
    if problem:
        raise ConfigError(f"Configuration error: {problem}")
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else ""
    app_type = settings.microsoft_app_type
    return SimpleNamespace(APP_ID=app_id, APP_PASSWORD=password, APP_TYPE=app_type,
                           APP_TENANTID=settings.microsoft_app_tenant_id)


def build_adapter(settings: Settings) -> InvokeSafeAdapter:
    config = auth_settings(settings)
    if config.APP_ID and settings.teams_dev:
        log.warning("NUDGEBOT_TEAMS_DEV=1 is ignored: MicrosoftAppId is set, so every request is authenticated")
    elif not config.APP_ID:
        log.warning(DEV_WARNING)
    logger = logging.getLogger("nudgebot.teams.auth")
    credentials = KeptCredentials(config, logger=logger)  # one token an hour, not one per reply
    auth = ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials, logger=logger)
    tokens = None
    if config.APP_ID:
        tokens = TokenValidator(config.APP_ID, tenant_id=config.APP_TENANTID,
                                single_tenant=config.APP_TYPE != "MultiTenant", metadata_url=settings.teams_openid_url)
    adapter = InvokeSafeAdapter(auth, tokens)
    adapter.credentials = credentials  # its tokens renewed on the side (started by the server)
    return adapter


class InvokeSafeAdapter(CloudAdapter):
    """CloudAdapter whose invoke responses (Adaptive Card actions) reach Teams.

    In botbuilder 4.17.1 `CloudAdapter.process` serializes an invoke response's body a second time:
    the activity handler has already turned it into a dict, msrest fails on that dict, and every invoke
    with a body ends as a bare HTTP 500. botbuilder-python is archived, so no fix is coming; this
    `process` is upstream's for POST requests with that one step corrected. tests/test_teams_adapter.py
    watches the stock adapter, so an upstream change is noticed.

    With `tokens`, every request's token is checked by it; without (dev mode), botbuilder is told there is
    no Authorization header, so its own blocking key fetch is never reached either way.
    """

    def __init__(self, bot_framework_authentication: BotFrameworkAuthentication,
                 tokens: TokenValidator | None = None):
        super().__init__(bot_framework_authentication)
        self.tokens = tokens

    async def process(self, request: web.Request, bot: Bot, ws_response: web.WebSocketResponse | None = None):
        if request.method != "POST":  # botbuilder's streaming (GET) path would check tokens its blocking way
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        if self.tokens is not None and not request.headers.get("Authorization", "").strip():
            # No token at all: refused before the body is read, as an unsigned Slack request is.
            log.warning("Teams: refused a request from %s with 401: it carries no token", request.remote)
            return web.Response(status=401)
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType()
        try:  # unreadable input is one line in our log and a 400, never a traceback and a 500
            body = valid_strings(parse_json(await request.text()))  # a lone surrogate becomes U+FFFD
            activity = Activity().deserialize(body) if isinstance(body, dict) else None
        except BadBody as exc:
            return _refuse(request, str(exc))
        except (UnicodeDecodeError, LookupError):
            return _refuse(request, "the body is not text in the character set it names")
        except ValueError:  # botbuilder's DeserializationError (its text quotes the body: not logged)
            return _refuse(request, "the activity is malformed (a field of the wrong type, or a bad timestamp)")
        if activity is None or not activity.type:
            return _refuse(request, "the body is not an Activity")
        try:
            authenticated = await self._authenticate(request, activity)
        except Refused as exc:  # the reason is ours: the token's contents are never logged
            log.warning("Teams: refused a request from %s with 401: %s", request.remote, exc)
            return web.Response(status=401)
        try:
            invoke = await self.process_activity(authenticated, activity, bot.on_turn)
        except PermissionError:  # botbuilder's refusal: no token where authentication is on
            log.warning("Teams: refused a request from %s with 401: it carries no valid token", request.remote)
            return web.Response(status=401)
        if invoke is None:
            return web.Response(status=201)
        response = invoke.body
        if hasattr(response, "_attribute_map"):  # still a botbuilder model: serialize it once
            response = serializer_helper(response)
        return web.json_response(response, status=invoke.status)

    async def _authenticate(self, request: web.Request, activity: Activity) -> AuthenticateRequestResult | str:
        """What `process_activity` takes: in dev mode "" (botbuilder's anonymous identity), otherwise the
        result botbuilder's own check would give, built from the claims our validator proved."""
        if self.tokens is None:
            return ""
        claims = await self.tokens.claims(request.headers.get("Authorization"), activity.channel_id,
                                          activity.service_url)
        result = AuthenticateRequestResult()
        result.claims_identity = identity = ClaimsIdentity(claims, True)  # its `aud` is our app id
        result.audience = self.bot_framework_authentication.get_originating_audience()
        result.caller_id = CallerIdConstants.public_azure_channel  # as botbuilder sets it for any non-skill
        result.connector_factory = self.bot_framework_authentication.create_connector_factory(identity)
        return result


def _refuse(request: web.Request, reason: str) -> web.Response:
    log.warning("Teams: refused a request from %s with 400: %s", request.remote, reason)
    return web.Response(status=400, text=reason)
