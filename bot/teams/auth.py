"""Bot Framework tokens, checked by us with PyJWT: nothing a request sends can stall the server.

botbuilder 4.17.1 fetches its OpenID metadata and signing keys with a synchronous `requests.get` and
no timeout, on the event loop: while that fetch is slow the whole server stands still, Slack's acks
included, and each unknown key id starts it again. Here the keys are fetched with aiohttp under a
timeout, one fetch at a time, and cached: for a day after a fetch that worked (then fetched afresh
while the old keys stay in use), and after one that failed no new fetch for FAILURE_TTL seconds, so
a storm of forged tokens costs at most one fetch in that time. Whatever can be refused without the
keys (the algorithm, the issuer, the audience, the expiry, the serviceurl) is refused before any
fetch, and at most MAX_WAITING requests wait for a fetch under way: a storm cannot pile them up.

The acceptance rules are botbuilder's (JwtTokenExtractor, ChannelValidation, EmulatorValidation):
- the Bot Framework's tokens (`iss` https://api.botframework.com), signed with a key from its
  metadata, `aud` our MicrosoftAppId, `serviceurl` the activity's serviceUrl, and a key endorsed
  for the activity's channel when the key names endorsements;
- Microsoft Entra ID's tokens (the Bot Framework Emulator's issuers and, for a SingleTenant or
  UserAssignedMSI bot, its own tenant's), signed with an Entra key, whose `appid` (token version
  1.0) or `azp` (2.0) is our MicrosoftAppId, and so is `aud` (botbuilder does not check `aud` there,
  but then acts as the app `aud` names and fails with HTTP 500 on any other);
- always RS256 with a key id the metadata publishes, an `exp`, and 5 minutes' leeway on `exp`/`nbf`;
- a token from another bot (a skill) is refused, as botbuilder does without a claims validator.
A refusal's reason is ours, never a word of the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import jwt

log = logging.getLogger("nudgebot.teams.auth")

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_METADATA = "https://login.botframework.com/v1/.well-known/openidconfiguration"
ENTRA_METADATA = "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
# The tenants whose tokens the Bot Framework Emulator sends (botbuilder's list, public cloud).
EMULATOR_ISSUERS = frozenset({
    "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
    "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
    "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
    "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
})
LEEWAY = 300  # seconds of clock skew on exp and nbf, as in every Bot Framework SDK
FETCH_TIMEOUT = 5.0  # seconds for the metadata document and its key set together
KEYS_TTL = 24 * 3600.0  # fetched keys are used for a day, then fetched afresh
FAILURE_TTL = 30.0  # after a failed fetch, none for this long (keys fetched earlier stay in use)
UNKNOWN_KEY_REFRESH = 300.0  # a key id not in the set fetches again, at most this often (key rollover)
MAX_DOCUMENT = 1 << 20  # bytes: a metadata document or key set larger than this is refused
MAX_TOKEN = 16 * 1024  # characters
MAX_WAITING = 32  # requests that may wait for a fetch under way; more are refused at once


class Refused(Exception):
    """The request does not prove it comes from the Bot Framework; str() says why, in our words."""


class KeysUnavailable(Refused):
    """The signing keys could not be fetched (and none were fetched before)."""


@dataclass(frozen=True)
class SigningKey:
    public_key: object  # cryptography's RSAPublicKey
    endorsements: frozenset[str]  # the channels the key is endorsed for; empty for Entra ID's keys


class KeySource:
    """The signing keys one OpenID metadata document points at, by key id: fetched with aiohttp, never
    twice at once, cached."""

    def __init__(self, metadata_url: str, *, timeout: float = FETCH_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic):
        self.url = metadata_url
        self.timeout = timeout
        self.clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None  # the last fetch that worked
        self._quiet_until = float("-inf")  # no fetch before this, after one that failed
        self._fetching: asyncio.Task | None = None
        self._waiting = 0  # requests waiting for the fetch under way

    async def key(self, kid: str) -> SigningKey:
        now = self.clock()
        age = float("inf") if self._fetched_at is None else now - self._fetched_at
        wanted = age >= KEYS_TTL or (kid not in self._keys and age >= UNKNOWN_KEY_REFRESH)
        if wanted and (now >= self._quiet_until or self._fetching is not None):
            if self._fetching is None:
                self._fetching = asyncio.ensure_future(self._fetch())
                self._fetching.add_done_callback(self._fetch_done)
            if kid not in self._keys:  # a key already held is used while its set is fetched afresh
                await self._wait()
        if self._fetched_at is None:
            raise KeysUnavailable("the signing keys could not be fetched")
        if kid not in self._keys:
            raise Refused("it is signed with a key its issuer does not publish")
        return self._keys[kid]

    async def _wait(self) -> None:
        # A storm of tokens must not pile up requests (and the memory they hold) behind a slow fetch.
        if self._waiting >= MAX_WAITING:
            raise Refused("too many requests are already waiting for the signing keys")
        self._waiting += 1
        try:  # shielded: a request that gives up (its client hung up) must not cancel the others' fetch
            await asyncio.shield(self._fetching)
        finally:
            self._waiting -= 1

    def _fetch_done(self, _task: asyncio.Task) -> None:
        self._fetching = None

    async def _fetch(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                keys = await self._download()
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            self._failed(self._why(exc))
        except Exception:  # a bug: its traceback goes to the log, and it counts as a failed fetch
            log.exception("Teams: fetching the token signing keys named by %s failed", self.url)
            self._failed("see the error above")
        else:
            self._keys, self._fetched_at = keys, self.clock()

    def _failed(self, why: str) -> None:
        self._quiet_until = self.clock() + FAILURE_TTL
        still = "the keys fetched before stay in use" if self._fetched_at is not None else \
            "tokens are refused until a fetch works"
        log.warning("Teams: could not fetch the token signing keys named by %s (%s); %s; next try in %g s",
                    self.url, why, still, FAILURE_TTL)

    def _why(self, exc: Exception) -> str:
        if isinstance(exc, TimeoutError):
            return f"no answer within {self.timeout:g} s"
        if isinstance(exc, aiohttp.ClientResponseError):
            return f"HTTP {exc.status}"
        if isinstance(exc, ValueError) and not isinstance(exc, aiohttp.ClientError):
            return str(exc)
        return type(exc).__name__

    async def _download(self) -> dict[str, SigningKey]:
        async with aiohttp.ClientSession() as session:
            metadata = await _document(session, self.url)
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                raise ValueError("the metadata names no jwks_uri")
            if self.url.startswith("https://") and not jwks_uri.startswith("https://"):
                raise ValueError("the metadata's jwks_uri is not https")
            keys = _signing_keys(await _document(session, jwks_uri))
        if not keys:
            raise ValueError("the key set holds no RSA signing key")
        return keys


async def _document(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as response:
        response.raise_for_status()
        body = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > MAX_DOCUMENT:
                raise ValueError("a document is larger than 1 MB")
    try:
        document = json.loads(body)
    except ValueError:  # also bytes that are not UTF-8
        raise ValueError("a document is not JSON") from None
    if not isinstance(document, dict):
        raise ValueError("a document is not a JSON object")
    return document


def _signing_keys(document: dict) -> dict[str, SigningKey]:
    """The RSA signing keys of a JWK set, by key id; a malformed entry spoils only itself."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            public_key = jwt.PyJWK({k: v for k, v in entry.items() if k != "alg"}, algorithm="RS256").key
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
        endorsements = entry.get("endorsements")
        if not isinstance(endorsements, list):
            endorsements = []
        keys[kid] = SigningKey(public_key, frozenset(e for e in endorsements if isinstance(e, str)))
    return keys


class TokenValidator:
    """Checks the Authorization header of a request to /api/messages against MicrosoftAppId."""

    def __init__(self, app_id: str, *, tenant_id: str | None = None, single_tenant: bool = False,
                 metadata_url: str | None = None, timeout: float = FETCH_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic):
        """`metadata_url` replaces both the Bot Framework's and Entra ID's metadata (a local fake in tests)."""
        self.app_id = app_id
        issuers = set(EMULATOR_ISSUERS)
        if single_tenant and tenant_id:
            issuers |= {f"https://sts.windows.net/{tenant_id}/", f"https://login.microsoftonline.com/{tenant_id}/v2.0"}
        self.entra_issuers = frozenset(issuers)
        self.channel_keys = KeySource(metadata_url or BOT_FRAMEWORK_METADATA, timeout=timeout, clock=clock)
        self.entra_keys = self.channel_keys if metadata_url else KeySource(ENTRA_METADATA, timeout=timeout,
                                                                              clock=clock)

    async def claims(self, authorization: str | None, channel_id: str | None, service_url: str | None) -> dict:
        """The token's claims once it is proven to be the Bot Framework's (or the Emulator's) for this bot
        and this activity; Refused otherwise."""
        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Refused("the token is not a JWT") from None
        if header.get("alg") != "RS256":
            raise Refused("the token is not signed with RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Refused("the token names no signing key")
        issuer = unverified.get("iss")
        if issuer == BOT_FRAMEWORK_ISSUER:
            source, check = self.channel_keys, self._from_the_bot_framework
        elif isinstance(issuer, str) and issuer in self.entra_issuers:
            source, check = self.entra_keys, self._from_entra_id
        else:
            raise Refused("the token's issuer is neither the Bot Framework nor an accepted Entra ID tenant")
        _check_times(unverified)
        check(unverified, service_url)  # a forged token refused here costs no fetch
        key = await source.key(kid)
        if key.endorsements and channel_id and channel_id not in key.endorsements:
            raise Refused("its signing key is not endorsed for the activity's channel")
        try:
            claims = jwt.decode(token, key.public_key, algorithms=["RS256"], leeway=LEEWAY,
                                options={"require": ["exp"], "verify_aud": False, "verify_iss": False})
        except jwt.ExpiredSignatureError:
            raise Refused("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Refused("the token is not valid yet") from None
        except jwt.PyJWTError:
            raise Refused("the token's signature does not verify") from None
        check(claims, service_url)  # the same payload, now proven
        return claims

    def _from_the_bot_framework(self, claims: dict, service_url: str | None) -> None:
        if claims.get("aud") != self.app_id:
            raise Refused("the token is for another app id (aud)")
        if service_url and claims.get("serviceurl") != service_url:
            raise Refused("the token's serviceurl is not the activity's serviceUrl")
        _not_from_a_skill(claims)

    def _from_entra_id(self, claims: dict, service_url: str | None) -> None:
        version = claims.get("ver")
        if version is None:
            raise Refused("the token has no ver claim")
        if version in ("", "1.0"):
            app = claims.get("appid")
        elif version == "2.0":
            app = claims.get("azp")
        else:
            raise Refused("the token's version is unknown")
        if app != self.app_id:
            raise Refused("the token was issued to another app id (appid/azp)")
        if claims.get("aud") != self.app_id:  # botbuilder, which acts as `aud`, would fail on any other
            raise Refused("the token is for another app id (aud)")
        _not_from_a_skill(claims)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token.split()) != 1:
        raise Refused("the request carries no Bearer token")
    if len(token) > MAX_TOKEN:
        raise Refused("the token is too long")
    return token


def _check_times(claims: dict) -> None:
    now = time.time()
    expires, not_before = claims.get("exp"), claims.get("nbf", now)
    if not (_instant(expires) and _instant(not_before)):
        raise Refused("the token has no valid exp or nbf")
    if expires + LEEWAY <= now:
        raise Refused("the token has expired")
    if not_before - LEEWAY > now:
        raise Refused("the token is not valid yet")


def _instant(value) -> bool:
    """A JSON number that can be a time: no bool, NaN or infinity (an int of any size is fine)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _not_from_a_skill(claims: dict) -> None:
    """botbuilder's SkillValidation.is_skill_claim: a token another bot got for us. Skills are not
    accepted (botbuilder refuses them too unless a claims validator allows the caller)."""
    if claims.get("appid") == "AnonymousSkill":
        raise Refused("tokens from other bots (skills) are not accepted")
    if "ver" not in claims:
        return
    audience = claims.get("aud")
    if not audience or audience == BOT_FRAMEWORK_ISSUER:
        return
    version = claims.get("ver")
    app = claims.get("appid") if version in (None, "", "1.0") else claims.get("azp") if version == "2.0" else None
    if app and app != audience:
        raise Refused("tokens from other bots (skills) are not accepted")
