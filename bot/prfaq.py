"""The PR/FAQ skeleton: work backwards from the press release, with a guiding question per part."""

from __future__ import annotations

from datetime import date

from bot.prompts import Prompts

MAX_IDEA = 300


def headline(idea: str) -> str:
    idea = " ".join(idea.split())[:MAX_IDEA].rstrip(" .")
    return idea[:1].upper() + idea[1:]


def draft(prompts: Prompts, idea: str, today: date) -> str:
    """Markdown skeleton for `idea`; the idea is shortened to a headline-sized line."""
    idea = " ".join(idea.split())[:MAX_IDEA]
    return prompts.render("prfaq.md", idea=idea, headline=headline(idea), date=today.isoformat())
