"""How Teams is mounted: authentication, dev mode, configuration errors, and botbuilder's invoke bug."""

from __future__ import annotations

import logging

import aiohttp
import jwt
import pytest
import teams_harness
from aiohttp import web
from fakes import local_server
from teams_harness import APP_ID, card_action, served

from bot.config import load_settings
from bot.errors import ConfigError
from bot.server import TEAMS, create_app
from bot.teams.adapter import DEV_WARNING, InvokeSafeAdapter, auth_settings

connector, teams = teams_harness.connector, teams_harness.teams  # the Teams fixtures

UNCLEAR = "We decided to move the launch to next Friday."


def settings(**values):
    return load_settings(env_file=None, **values)


FORGED = jwt.encode({"iss": "https://forged.example", "aud": APP_ID, "serviceurl": "http://127.0.0.1:9/"},
                    "a key that Microsoft never signed with, long enough", algorithm="HS256")


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", f"Bearer {FORGED}", "Basic YWxpY2U6c2VjcmV0"])
async def test_with_an_app_id_an_unauthenticated_request_is_refused(engine, connector, store, authorization):
    """With MicrosoftAppId set, a request without a valid Bot Framework token gets 401; nothing is logged or sent."""
    configured = settings(microsoft_app_id=APP_ID, microsoft_app_password="client-secret")
    async with served(configured, engine, connector) as sender:
        answer = await sender.post(sender(UNCLEAR), headers={"Authorization": authorization} if authorization else {})

    assert answer.status == 401
    assert (store.decisions(), connector.sent) == ([], [])


async def test_an_app_id_keeps_authentication_on_even_in_dev_mode(engine, connector, store, caplog):
    """NUDGEBOT_TEAMS_DEV=1 beside an app id is ignored, loudly: requests are still authenticated."""
    configured = settings(microsoft_app_id=APP_ID, microsoft_app_password="client-secret", teams_dev=True)
    with caplog.at_level(logging.WARNING, logger="nudgebot.teams"):
        async with served(configured, engine, connector) as sender:
            answer = await sender.post(sender(UNCLEAR))

    assert answer.status == 401
    assert "NUDGEBOT_TEAMS_DEV=1 is ignored: MicrosoftAppId is set" in caplog.text
    assert "client-secret" not in caplog.text


def test_dev_mode_is_announced_at_start_up(engine, caplog):
    """Teams without authentication says so in a warning when the server is built."""
    with caplog.at_level(logging.WARNING, logger="nudgebot.teams"):
        create_app(settings(teams_dev=True), engine)

    assert [r.getMessage() for r in caplog.records if r.name == "nudgebot.teams"] == [DEV_WARNING]


async def test_without_an_app_id_or_dev_mode_teams_is_not_mounted(engine):
    """With neither MicrosoftAppId nor NUDGEBOT_TEAMS_DEV, /api/messages does not exist."""
    app = create_app(settings(), engine)

    assert "/api/messages" not in {r.resource.canonical for r in app.router.routes()}


@pytest.mark.parametrize(("values", "message"), [
    ({"microsoft_app_id": APP_ID}, "MicrosoftAppId is set without MicrosoftAppPassword"),
    ({"microsoft_app_id": APP_ID, "microsoft_app_password": "s", "microsoft_app_type": "SingleTenant"},
     "MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId"),
])
def test_incomplete_azure_bot_settings_are_named(values, message):
    """A missing password or tenant id stops start-up with the variable to set."""
    with pytest.raises(ConfigError, match=message):
        auth_settings(settings(**values))


def test_single_tenant_settings_reach_the_bot_framework():
    """A single-tenant bot is configured with its id, secret, type and tenant."""
    config = auth_settings(settings(microsoft_app_id=APP_ID, microsoft_app_password="s",
                                    microsoft_app_type="SingleTenant", microsoft_app_tenant_id="tenant-one"))

    assert vars(config) == {"APP_ID": APP_ID, "APP_PASSWORD": "s", "APP_TYPE": "SingleTenant",
                            "APP_TENANTID": "tenant-one"}


async def post_invoke(adapter_class, teams, body: dict) -> int:
    """Serve our bot behind `adapter_class` (dev-mode auth) and post one invoke; the HTTP status."""
    from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication

    teams_app = teams.app[TEAMS]
    adapter = adapter_class(ConfigurationBotFrameworkAuthentication(auth_settings(settings(teams_dev=True))))

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, teams_app.bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    async with local_server.serving(app) as url, aiohttp.ClientSession() as session:
        async with session.post(f"{url}/api/messages", json=body) as response:
            return response.status


async def test_botbuilder_still_fails_invoke_responses(teams, connector, caplog):
    """Canary: botbuilder 4.17.1's own CloudAdapter turns our card answers into HTTP 500, ours does not.

    When this fails, botbuilder answers invokes correctly by itself: InvokeSafeAdapter.process can go."""
    from botbuilder.integration.aiohttp import CloudAdapter

    message = await teams.say(UNCLEAR)
    press = card_action("not_customer_facing", 1, message)

    with caplog.at_level(logging.CRITICAL, logger="aiohttp.server"):  # the stock adapter's traceback
        assert await post_invoke(CloudAdapter, teams, press) == 500
    assert await post_invoke(InvokeSafeAdapter, teams, {**press, "id": "f:again"}) == 200


async def test_the_bots_credentials_are_made_once_per_audience_and_renewed_on_a_thread(monkeypatch):
    """botbuilder asks for credentials on every turn; a new MSAL client each time would fetch a token
    from Entra ID, on the event loop, for every reply. The same credentials (and token cache) come back
    for the same audience, and their renewal runs off the event loop."""
    import threading

    from botframework.connector.auth import MicrosoftAppCredentials

    from bot.config import load_settings
    from bot.teams.adapter import build_adapter

    settings = load_settings(env_file=None, microsoft_app_id="3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
                             microsoft_app_password="not-a-real-password")
    factory = build_adapter(settings).credentials
    args = ("3f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "https://api.botframework.com",
            "https://login.microsoftonline.com/botframework.com", True)
    first = await factory.create_credentials(*args)
    assert await factory.create_credentials(*args) is first
    assert await factory.create_credentials(args[0], "https://other.example", *args[2:]) is not first
    renewed_on = []
    monkeypatch.setattr(MicrosoftAppCredentials, "get_access_token",
                        lambda self, force_refresh=False: renewed_on.append(threading.current_thread()) or "t")
    assert await factory.refresh() == 2
    assert len(renewed_on) == 2 and threading.main_thread() not in renewed_on
