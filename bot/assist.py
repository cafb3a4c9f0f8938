"""The optional LLM's uses: a second opinion on likely decisions (with a question naming the decision),
PR/FAQ drafts, and a line on the week for the digest. Every use answers None when it has nothing to
add — no LLM, a workspace that has not enabled it, the day's budget spent, a slow, failing or
garbled answer — and the caller goes on with the rules and templates.

Front ends call it on the event loop, never from the engine's thread, and hand the engine the result:

    async with assistant.turn(message):           # messages of one thread reach the engine in order
        opinion = await assistant.opinion(message)
        actions = await run(engine.handle, message, opinion=opinion)

Nothing leaves without redaction (bot/redact.py), and what it asks of the log (the workspace's
choice, the budget, the cache) goes through `run`, the engine's thread, like any engine call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from bot import prfaq as skeletons
from bot.llm_ledger import Ledger, cache_key
from bot.models import Command, Kind, Message, Principle
from bot.opinion import Opinion, candidate
from bot.prompts import Prompts
from bot.redact import redact
from bot.text import clean_control

log = logging.getLogger("nudgebot.llm")

OPINION = "llm_opinion_v1.md"
PRFAQ = "llm_prfaq_v1.md"
DIGEST = "llm_digest_v1.md"
USER_MARK = "=== user ==="
MAX_TEXT = 4000  # characters of one message sent; the rest is never needed to judge it
MAX_THREAD = 20  # messages of a thread sent with a PR/FAQ idea
_MARKUP = re.compile(r"[<>`*_~]")
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


class Completer(Protocol):
    """The LLM client (bot/llm.py): one chat completion as text, or None on any failure."""

    model: str

    async def complete(self, prompt: str, messages: list[dict], timeout: float) -> str | None: ...

    async def close(self) -> None: ...


async def _direct(call: Callable, *args, **kwargs):
    return call(*args, **kwargs)


def _plain(value: str | None, limit: int) -> str | None:
    """LLM text made safe for chat: no markup that could mention, link or format; one line; bounded."""
    if value is None:
        return None
    value = " ".join(_MARKUP.sub("", value).split())
    return value[:limit].strip() or None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class OpinionAnswer(_Answer):
    kind: Kind
    customer_rationale: bool | None = Field(strict=True)  # true/false/null, never "yes"
    customer: str | None = Field(None, max_length=200)
    principles: list[str] = Field(default_factory=list, max_length=20)
    question: str | None = None

    @field_validator("principles")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = (info.context or {}).get("principles", ())
        unknown = [p for p in value if p not in known]
        if unknown:
            raise ValueError(f"unknown principle ids: {', '.join(unknown[:3])}")
        return value

    def opinion(self) -> Opinion:
        asked = self.kind in (Kind.DECISION, Kind.APPROVAL_REQUEST)
        if asked and self.customer_rationale is None:
            raise ValueError("a decision or request needs customer_rationale true or false")
        question = _plain(self.question, 240) if asked and not self.customer_rationale else None
        return Opinion(
            kind=self.kind,
            customer_rationale=self.customer_rationale if asked else None,
            customer=_plain(self.customer, 80) if asked and self.customer_rationale else None,
            principles=tuple(dict.fromkeys(self.principles)),
            question=question if question and question.endswith("?") else None,
        )


class FaqItem(_Answer):
    q: str = Field(min_length=3, max_length=300)
    a: str = Field(min_length=1, max_length=1500)


_SECTION = Field(min_length=1, max_length=2000)


class PrfaqAnswer(_Answer):
    headline: str = Field(min_length=3, max_length=300)
    subheading: str = _SECTION
    summary: str = _SECTION
    problem: str = _SECTION
    solution: str = _SECTION
    leader_quote: str = _SECTION
    getting_started: str = _SECTION
    customer_quote: str = _SECTION
    external_faq: list[FaqItem] = Field(min_length=1, max_length=8)
    internal_faq: list[FaqItem] = Field(min_length=1, max_length=8)

    def cleaned(self) -> dict:
        """Every string made safe for chat (the template supplies the Markdown)."""
        data = self.model_dump()
        for key, value in data.items():
            if isinstance(value, str):
                data[key] = _plain(value, 2000)
            else:
                data[key] = [{"q": _plain(i["q"], 300), "a": _plain(i["a"], 1500)} for i in value]
        return data


class SummaryAnswer(_Answer):
    summary: str = Field(min_length=1, max_length=1200)


class Assistant:
    def __init__(
        self,
        llm: Completer | None,
        ledger: Ledger,
        prompts: Prompts,
        principles: Sequence[Principle],
        *,
        timeout: float = 4.0,
        draft_timeout: float = 30.0,
        redacting: bool = True,
        run: Callable[..., Awaitable] | None = None,
        detector=None,
    ):
        self.llm = llm
        self.ledger = ledger
        self.prompts = prompts
        self.principles = tuple(principles)
        self.timeout = timeout
        self.draft_timeout = draft_timeout
        self.redacting = redacting
        self.run = run or _direct
        self.detector = detector  # which messages are likely decisions (bot/opinion.py candidate)
        self._in_flight: dict[tuple[str, bool], asyncio.Future] = {}
        self._turns: dict[tuple, list] = {}
        self._spent_day: str | None = None

    @property
    def active(self) -> bool:
        return self.llm is not None

    # -- ordering -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def turn(self, message: Message):
        """Messages of one thread, one at a time and in arrival order, while one waits for the LLM:
        a quick "approved" must not reach the engine before the request it answers."""
        if not self.active:
            yield
            return
        key = (message.platform, message.workspace, message.channel, message.thread)
        entry = self._turns.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._turns[key]

    # -- uses -----------------------------------------------------------------------------

    async def opinion(self, message: Message) -> Opinion | None:
        """The LLM's verdict on a likely decision (with a question naming it), or None."""
        if not self.active:
            return None
        text = clean_control(message.text)
        if candidate(text, self.detector) is None:
            return None
        messages = self._messages(OPINION, text=self._safe(text)[:MAX_TEXT], principles=self.principles)
        known = {p.id for p in self.principles}

        def parse(raw: str) -> Opinion:
            return OpinionAnswer.model_validate(_json(raw), context={"principles": known}).opinion()

        return await self._ask(OPINION, messages, message.platform, message.workspace, self.timeout, parse)

    async def prfaq(self, command: Command, thread: Sequence[str] = (), *, fresh: bool = True) -> str | None:
        """A PR/FAQ draft for the command's idea (and the messages of its thread, oldest first), filled
        into prompts/prfaq_draft.md; None to use the skeleton. With `fresh` off, only a draft already
        made for the same input is returned (to post what the person saw)."""
        idea = " ".join(clean_control(command.text).split())[: skeletons.MAX_IDEA]
        if not self.active or not idea:
            return None
        lines = [self._safe(" ".join(clean_control(t).split()))[:500] for t in thread if t.strip()][-MAX_THREAD:]
        messages = self._messages(PRFAQ, idea=self._safe(idea), thread=lines)

        def parse(raw: str) -> str:
            draft = PrfaqAnswer.model_validate(_json(raw)).cleaned()
            return self.prompts.render(
                "prfaq_draft.md", draft=draft, idea=idea, headline=skeletons.headline(idea),
                date=_local_date(command, self.ledger), from_thread=bool(lines),
            )

        return await self._ask(PRFAQ, messages, command.platform, command.workspace, self.draft_timeout,
                               parse, call=fresh)

    async def summarise_week(
        self, platform: str, workspace: str, week: str, figures: Sequence[tuple[str, object]],
        items: Sequence[str] = (),
    ) -> str | None:
        """One short paragraph on the week's patterns, for the top of a digest; None without one.

        `figures` are (name, value) pairs as the digest shows them ("decisions logged", 12); `items`
        the excerpts of the decisions and requests still lacking a customer rationale, already limited
        to what the digest's audience may see."""
        if not self.active:
            return None
        shown = [self._safe(" ".join(i.split()))[:300] for i in items][:30]
        messages = self._messages(DIGEST, week=week, figures=list(figures), items=shown)

        def parse(raw: str) -> str:
            summary = _plain(SummaryAnswer.model_validate(_json(raw)).summary, 700)
            if not summary:
                raise ValueError("empty summary")
            return summary

        return await self._ask(DIGEST, messages, platform, workspace, self.draft_timeout, parse)

    async def close(self) -> None:
        if self.llm is not None:
            await self.llm.close()

    # -- the one way out ------------------------------------------------------------------

    def _safe(self, text: str) -> str:
        return redact(text) if self.redacting else text

    def _messages(self, prompt: str, **variables) -> list[dict]:
        system, mark, user = self.prompts.render(prompt, **variables).partition(USER_MARK)
        if not mark:
            raise ValueError(f"prompts/{prompt} has no '{USER_MARK}' line")
        return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]

    async def _ask(self, prompt: str, messages: list[dict], platform: str, workspace: str, timeout: float,
                   parse: Callable[[str], object], call: bool = True):
        """The parsed answer to `messages`: from the cache, from a call already under way for the same
        input, or from a new call when the workspace allows it and the budget has room; else None."""
        key = cache_key(prompt, self.llm.model, messages)
        if (key, call) in self._in_flight:
            return await asyncio.shield(self._in_flight[key, call])
        future = self._in_flight[key, call] = asyncio.get_running_loop().create_future()
        value = None
        try:
            value = await self._answer(prompt, key, messages, platform, workspace, timeout, parse, call)
        except Exception as exc:  # noqa: BLE001 - the log busy or broken: the rules still answer the message
            log.warning("LLM %s: skipped (%s); using the rules and templates", prompt, exc.__class__.__name__)
        finally:
            del self._in_flight[key, call]
            future.set_result(value)
        return value

    async def _answer(self, prompt, key, messages, platform, workspace, timeout, parse, call):
        status, kept = await self.run(self.ledger.prepare, platform, workspace, key, call)
        if status == "cached":
            return _parsed(prompt, kept, parse) if kept is not None else None
        if status == "spent":
            self._warn_spent()
        if status != "go":
            return None
        raw = await self.llm.complete(prompt, messages, timeout)
        if raw is None:  # the failure is logged by the client; not kept, a later message may fare better
            return None
        value = _parsed(prompt, raw, parse)
        await self.run(self.ledger.remember, key, prompt, self.llm.model, raw if value is not None else None)
        return value

    def _warn_spent(self) -> None:
        day = self.ledger.today()
        if self._spent_day != day:
            self._spent_day = day
            log.warning("LLM: today's budget of %d calls is used up; the rules and templates carry on alone",
                        self.ledger.access.budget)


def _json(raw: str):
    """The JSON object in an answer, also when a model wrapped it in a ``` fence."""
    fenced = _FENCE.match(raw)
    return json.loads(fenced.group(1) if fenced else raw)


def _parsed(prompt: str, raw: str, parse: Callable[[str], object]):
    try:
        return parse(raw)
    except (ValueError, ValidationError, TypeError, RecursionError) as exc:
        log.warning("LLM %s: unusable answer (%s); using the rules and templates", prompt,
                    exc.__class__.__name__)
        return None


def _local_date(command: Command, ledger: Ledger) -> str:
    return command.time.astimezone(ledger.zone).date().isoformat()
