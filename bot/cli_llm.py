"""The command line's use of the optional LLM: `eval` with and without it, `classify --llm`, and
`prfaq` drafts. The command line runs on the admin's machine, so with a key set it may send (still
redacted, within the budget and through the cache in NUDGEBOT_DB)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from bot.assist import Assistant
from bot.models import Command, Message, Visibility
from bot.opinion import Opinion, candidate, merge

PLATFORM = "cli"
WORKSPACE = "local"
AT_ONCE = 4  # the corpus is judged a few messages at a time, each within its own deadline

T = TypeVar("T")


def with_assistant(app, work: Callable[[Assistant], Awaitable[T]], detector=None) -> T:
    """Run `work` with an assistant on the configured log (choosing what to send with `detector`,
    else the engine's); close both after."""
    from bot.llm import build_assistant

    async def main() -> T:
        engine = app.engine()
        assistant = build_assistant(app.settings, engine)
        if detector is not None:
            assistant.detector = detector
        try:
            return await work(assistant)
        finally:
            await assistant.close()
            engine.store.close()

    return asyncio.run(main())


async def opinions(assistant: Assistant, texts: Sequence[str]) -> list[Opinion | None]:
    """The LLM's opinion on each text (None where it was not asked or gave none)."""
    slots = asyncio.Semaphore(AT_ONCE)
    now = datetime.now(UTC)

    async def one(number: int, text: str) -> Opinion | None:
        ts = f"line-{number}"
        message = Message(platform=PLATFORM, workspace=WORKSPACE, channel="cli", visibility=Visibility.PUBLIC,
                          thread=ts, ts=ts, author="cli", text=text, time=now)
        async with slots:
            return await assistant.opinion(message)

    return list(await asyncio.gather(*(one(n, t) for n, t in enumerate(texts, start=1))))


def verdicts(texts: Sequence[str], found: Sequence[Opinion | None], detector, principles) -> list[dict]:
    """The verdict the engine would log for each text, given the LLM's opinions."""
    out = []
    for text, opinion in zip(texts, found, strict=True):
        verdict = detector.judge(text)
        if opinion is not None:
            verdict = merge(verdict, opinion, text, detector.matcher, principles)
        out.append(verdict.as_dict())
    return out


def compare(app, pairs: list[tuple[dict, dict]], detector):
    """The report with the LLM's opinions merged in, and how many messages it answered."""
    from bot.evaluate import evaluate

    texts = [gold["text"] for gold, _ in pairs]
    found = with_assistant(app, lambda assistant: opinions(assistant, texts), detector)
    merged = verdicts(texts, found, detector, app.principles)
    report = evaluate([(gold, verdict) for (gold, _), verdict in zip(pairs, merged, strict=True)])
    return report, sum(o is not None for o in found)


def share(texts: Sequence[str], detector=None) -> dict:
    """How many of `texts` would be sent to an LLM, and why."""
    reasons = Counter(r for r in (candidate(t, detector) for t in texts) if r)
    sent = sum(reasons.values())
    return {"messages": len(texts), "sent": sent, "share": round(sent / len(texts), 3) if texts else 0.0,
            "decision": reasons["decision"], "approval_request": reasons["approval_request"],
            "borderline": reasons["borderline"]}


def describe_share(s: dict, answered: int | None = None) -> str:
    counts = (f"{s['sent']} of {s['messages']} messages ({s['share']:.1%}): {s['decision']} decisions, "
              f"{s['approval_request']} approval requests and {s['borderline']} borderline")
    if answered is None:
        return f"An LLM would be asked about {counts}."
    return f"Sent to the LLM: {counts}; {answered} answered, {s['sent'] - answered} fell back to the rules."


def prfaq_draft(app, idea: str) -> str | None:
    """The LLM's PR/FAQ draft for `idea`, or None (no key, or no usable answer in time)."""
    command = Command(platform=PLATFORM, workspace=WORKSPACE, channel="cli", visibility=Visibility.PUBLIC,
                      user="cli", name="prfaq", text=idea, time=datetime.now(app.settings.zone))
    return with_assistant(app, lambda assistant: assistant.prfaq(command))
