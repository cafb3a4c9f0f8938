"""A small OpenID provider on 127.0.0.1, standing in for login.botframework.com (and Entra ID): its
metadata document, the key set it names, and tokens signed with the RSA key it publishes.

Point Nudgebot at `fake.metadata_url` (NUDGEBOT_TEAMS_OPENID_URL). It counts what it serves
(`fetches`: metadata documents; `key_fetches`: key sets) and can be made slow (`hold()`: requests wait
until `release()` or `stop()`), fail (`status = 500`) or answer something that is not JSON
(`garbage = True`). `token(claims)` signs as the provider does; `key=`/`kid=` sign with another key.
"""

from __future__ import annotations

import asyncio
import functools

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from fakes import local_server
from jwt.algorithms import RSAAlgorithm

KID = "fake-bot-framework-key-1"
ENDORSEMENTS = ("msteams", "emulator", "webchat")


@functools.cache
def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """A 2048-bit RSA key per name, made once per test run (making one takes a moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeOpenID:
    def __init__(self) -> None:
        self.published: dict[str, tuple[rsa.RSAPrivateKey, tuple[str, ...]]] = {KID: (rsa_key("published"),
                                                                                       ENDORSEMENTS)}
        self.fetches = 0
        self.key_fetches = 0
        self.status = 200
        self.garbage = False
        self._gate: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> FakeOpenID:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._keys)
        self._runner, self.port = await local_server.start(app)
        return self

    async def stop(self) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/.well-known/openidconfiguration"

    def hold(self) -> None:
        """From now on, requests wait (a slow provider) until `release()`."""
        self._gate = asyncio.Event()

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()
            self._gate = None

    def publish(self, kid: str, key: rsa.RSAPrivateKey, endorsements: tuple[str, ...] = ENDORSEMENTS) -> None:
        """Add a key to the key set (a key rollover)."""
        self.published[kid] = (key, endorsements)

    def token(self, claims: dict, *, kid: str | None = KID, key: rsa.RSAPrivateKey | None = None,
              algorithm: str = "RS256") -> str:
        """`claims` signed with the published key (or `key`), naming `kid` in the header (None: no kid)."""
        headers = {"kid": kid} if kid is not None else {}
        return jwt.encode(claims, key or self.published[KID][0], algorithm=algorithm, headers=headers)

    async def _wait(self) -> None:
        if self._gate is not None:
            await self._gate.wait()

    def _answer(self, document: dict) -> web.Response:
        if self.status != 200:
            return web.json_response({"error": "unavailable"}, status=self.status)
        if self.garbage:
            return web.Response(text="<html>Service Unavailable</html>", content_type="text/html")
        return web.json_response(document)

    async def _metadata(self, request: web.Request) -> web.Response:
        self.fetches += 1
        await self._wait()
        return self._answer({
            "issuer": "https://api.botframework.com",
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": f"http://127.0.0.1:{self.port}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        })

    async def _keys(self, request: web.Request) -> web.Response:
        self.key_fetches += 1
        await self._wait()
        keys = [{**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "use": "sig",
                 "endorsements": list(endorsements)}
                for kid, (key, endorsements) in self.published.items()]
        return self._answer({"keys": keys})
