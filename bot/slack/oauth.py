"""Installing Nudgebot in many workspaces: Slack's OAuth flow on Bolt, with slack-sdk's SQLite stores.

Installations and the short-lived OAuth states live in the decision log's own SQLite file (slack-sdk
adds its tables beside ours). Every request is authorized by looking its workspace's bot up in that
store: no Web API call stands between Slack's request and our ack.
"""

from __future__ import annotations

import logging
from pathlib import Path

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

from bot.config import Settings

# The bot scopes an install asks for; manifest.yml lists the same (a test keeps them equal).
SCOPES = (
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "chat:write",
    "reactions:write",
    "reactions:read",
    "commands",
    "channels:read",
    "groups:read",
    "users:read",
    "files:write",
)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600

log = logging.getLogger("nudgebot.slack.oauth")


class Installations(SQLite3InstallationStore):
    """slack-sdk's SQLite store, with the async deletes it lacks (an uninstall under AsyncApp calls them);
    like its own async finds, they run its sync code."""

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        self.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)


class InstalledBots(AsyncAuthorize):
    """Authorizes a request with the bot installed in its workspace (or org): one SQLite lookup."""

    def __init__(self, installations: Installations):
        self.installations = installations

    async def __call__(self, *, context, enterprise_id: str | None, team_id: str | None, user_id: str | None,
                       **_actor) -> AuthorizeResult | None:
        bot = await self.installations.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=bool(context.is_enterprise_install),
        )
        if bot is None:
            log.warning("Slack: a request from a workspace without an installation (%s) was turned away",
                        team_id or enterprise_id)
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_scopes=bot.bot_scopes,
        )


def authorization_url(api_url: str) -> str:
    """Slack's consent page beside the Web API it serves (slack.com, or e.g. slack-gov.com)."""
    base = api_url.rstrip("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


def installation_store(settings: Settings, database: Path) -> Installations:
    """slack-sdk's store in our file; its tables are made now, at start-up, not on the first install."""
    installations = Installations(database=str(database), client_id=settings.slack_client_id or "", logger=log)
    installations.init()
    return installations


def state_store(database: Path) -> SQLite3OAuthStateStore:
    states = SQLite3OAuthStateStore(database=str(database), expiration_seconds=STATE_SECONDS, logger=log)
    states.init()
    return states


def oauth_settings(settings: Settings, installations: Installations,
                   database: Path) -> AsyncOAuthSettings:
    """OAuth for `GET /slack/install` and `GET /slack/oauth_redirect`; every value comes from Settings."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else None,
        scopes=list(SCOPES),
        user_scopes=[],
        authorization_url=authorization_url(settings.slack_api_url),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=state_store(database),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )
