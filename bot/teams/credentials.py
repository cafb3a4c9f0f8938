"""The bot's own Entra ID token for what it sends to Teams: fetched once an hour, never once a reply.

botbuilder makes new credentials for every turn, and with them a new MSAL client whose token cache is
empty: each reply would fetch a token from Entra ID with a synchronous `requests` call on the event
loop, holding up every HTTP answer the server owes (Slack's acks included) for as long as Entra ID
takes. Here the credentials for each audience are made once and kept, so their MSAL cache holds the
token; and a refresh on a thread of its own (every REFRESH seconds) lets MSAL renew it before it
expires, so the event loop finds it in the cache. Only the first reply after start-up waits for a fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from botbuilder.integration.aiohttp import ConfigurationServiceClientCredentialFactory
from botframework.connector.auth import ServiceClientCredentialsFactory
from msrest.authentication import Authentication

log = logging.getLogger("nudgebot.teams")
REFRESH = 300.0  # seconds between renewals on the side; MSAL renews a token well before it expires


class KeptCredentials(ServiceClientCredentialsFactory):
    """botbuilder's credentials factory for the configured app type, its credentials kept per audience."""

    def __init__(self, configuration, logger: logging.Logger | None = None):
        self._inner = ConfigurationServiceClientCredentialFactory(configuration, logger=logger)
        self._kept: dict[tuple, Authentication] = {}
        self._task: asyncio.Task | None = None

    async def is_valid_app_id(self, app_id: str) -> bool:
        return await self._inner.is_valid_app_id(app_id)

    async def is_authentication_disabled(self) -> bool:
        return await self._inner.is_authentication_disabled()

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str,
                                 validate_authority: bool) -> Authentication:
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        if key not in self._kept:
            self._kept[key] = await self._inner.create_credentials(app_id, oauth_scope, login_endpoint,
                                                                  validate_authority)
        return self._kept[key]

    async def refresh(self) -> int:
        """Renew each kept token on a thread (MSAL fetches only when one is due); how many are kept."""
        for credentials in list(self._kept.values()):
            if getattr(credentials, "microsoft_app_id", None):
                try:
                    await asyncio.to_thread(credentials.get_access_token)
                except Exception as exc:  # noqa: BLE001 - the next turn or renewal tries again
                    log.warning("Teams: the bot's token could not be renewed (%s)", type(exc).__name__)
        return len(self._kept)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(REFRESH)
            await self.refresh()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
