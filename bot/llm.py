"""The optional LLM: any OpenAI-compatible chat-completions endpoint, through the openai package.

One call is one chat completion in JSON mode, abandoned at its deadline (retries included), and
None on any failure: a timeout, a refused connection, an HTTP error, an empty answer. Failures are
logged by kind and status only — never the key, never the text sent.
"""

from __future__ import annotations

import asyncio
import logging

from bot.assist import Assistant
from bot.config import Settings
from bot.llm_ledger import Ledger, access_from

log = logging.getLogger("nudgebot.llm")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_RETRIES = 1  # one more try after a 5xx, a 429 or a dropped connection, inside the same deadline
MAX_AT_ONCE = 4  # calls under way together; more wait their turn (and their deadline keeps running)


class LLM:
    def __init__(self, api_key: str, model: str, base_url: str | None = None):
        import openai  # only with a key: a bot without an LLM never loads the SDK

        self._openai = openai
        self.model = model
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url or DEFAULT_BASE_URL,  # never the SDK's own reading of the environment
            max_retries=MAX_RETRIES,
            timeout=openai.Timeout(30.0, connect=5.0),  # each call passes its own, shorter one
        )
        self._slots = asyncio.Semaphore(MAX_AT_ONCE)

    async def complete(self, prompt: str, messages: list[dict], timeout: float) -> str | None:
        """The answer's text, or None when there is none within `timeout` seconds."""
        openai = self._openai
        try:
            async with asyncio.timeout(timeout):
                async with self._slots:
                    response = await self._client.chat.completions.create(
                        model=self.model,
                        messages=messages,
                        response_format={"type": "json_object"},
                        timeout=openai.Timeout(timeout, connect=min(timeout, 5.0)),
                    )
        except TimeoutError:
            log.warning("LLM %s: no answer within %.1f s; using the rules and templates", prompt, timeout)
            return None
        except openai.APIStatusError as exc:
            log.warning("LLM %s: HTTP %s (%s); using the rules and templates", prompt, exc.status_code,
                        exc.__class__.__name__)
            return None
        except openai.OpenAIError as exc:  # timeouts, refused connections, unreadable responses
            log.warning("LLM %s: %s; using the rules and templates", prompt, exc.__class__.__name__)
            return None
        # A proxy's HTML page or a body without choices comes back as whatever was sent, not an error.
        choices = getattr(response, "choices", None) or [None]
        content = getattr(getattr(choices[0], "message", None), "content", None)
        if not isinstance(content, str) or not content.strip():
            log.warning("LLM %s: no chat completion in the answer; using the rules and templates", prompt)
            return None
        return content

    async def close(self) -> None:
        await self._client.close()


def build_llm(settings: Settings) -> LLM | None:
    if not settings.llm_configured:
        return None
    return LLM(settings.openai_api_key.get_secret_value().strip(), settings.llm_model, settings.openai_base_url)


def build_assistant(settings: Settings, engine, run=None) -> Assistant:
    """The assistant for a front end on `engine`; without OPENAI_API_KEY one that never sends anything.

    `run` is how the log is reached (the server's EngineThread); without it, directly."""
    ledger = Ledger(engine.store, access_from(settings), settings.zone, engine.clock)
    return Assistant(
        build_llm(settings), ledger, engine.prompts, engine.principles,
        timeout=settings.llm_timeout, draft_timeout=settings.llm_draft_timeout,
        redacting=settings.llm_redact, run=run, detector=getattr(engine, "detector", None),
    )
